// EventLog: the write path (positions, revisions, expected revisions,
// idempotency, atomicity, durability across reopen, shutdown).
#include "storage/event_log.h"

#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "storage/db.h"
#include "storage/keys.h"
#include "storage/record.h"
#include "storage/test_util.h"
#include "storage/uuid.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::Any;
using ::stakeledger::storage::testing::Event;
using ::stakeledger::storage::testing::Events;
using ::stakeledger::storage::testing::Exact;
using ::stakeledger::storage::testing::ExpectSameHead;
using ::stakeledger::storage::testing::Iota;
using ::stakeledger::storage::testing::IsOk;
using ::stakeledger::storage::testing::Micros;
using ::stakeledger::storage::testing::NoStream;
using ::stakeledger::storage::testing::PositionsOf;
using ::stakeledger::storage::testing::StatusIs;
using ::stakeledger::storage::testing::StreamExists;
using ::stakeledger::storage::testing::Uuid;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

std::string ToUpper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Events with client ids Uuid(first), Uuid(first + 1), ...
std::vector<v1::ProposedEvent> EventsWithIds(uint32_t first, size_t count) {
  std::vector<v1::ProposedEvent> events;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t n = first + static_cast<uint32_t>(i);
    events.push_back(Event("test.happened", std::to_string(n), Uuid(n)));
  }
  return events;
}

using EventLogTest = testing::EventLogTest;

// Every start renames RocksDB's diagnostic log; a directory restarted
// many times keeps only the last kInfoLogFilesKept of them.
TEST_F(EventLogTest, RestartsKeepAFewDiagnosticLogsOnly) {
  auto logs = [this] {
    size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      if (entry.path().filename().string().rfind("LOG", 0) == 0) ++count;
    }
    return count;
  };
  for (size_t start = 0; start < kInfoLogFilesKept + 3; ++start) Reopen();
  EXPECT_EQ(logs(), kInfoLogFilesKept);
}

TEST_F(EventLogTest, EmptyLogHasHeadZero) {
  EXPECT_EQ(log_->head_position(), 0u);
  EXPECT_TRUE(ReadAll().empty());
  EXPECT_EQ(log_->GetInfo().head_position(), 0u);
  EXPECT_EQ(log_->GetInfo().stream_count(), 0u);
}

TEST_F(EventLogTest, PositionsAreDenseFromOneAndRevisionsCountPerStream) {
  const v1::AppendResponse first = AppendOk("a", 3);
  const v1::AppendResponse second = AppendOk("b", 2);
  const v1::AppendResponse third = AppendOk("a", 1);

  EXPECT_EQ(first.first_position(), 1u);
  EXPECT_EQ(first.last_position(), 3u);
  EXPECT_EQ(first.first_revision(), 0u);
  EXPECT_EQ(first.next_expected_revision(), 2u);
  EXPECT_FALSE(first.idempotent_replay());
  EXPECT_EQ(second.first_position(), 4u);
  EXPECT_EQ(second.last_position(), 5u);
  EXPECT_EQ(second.first_revision(), 0u);
  EXPECT_EQ(third.first_position(), 6u);
  EXPECT_EQ(third.first_revision(), 3u);
  EXPECT_EQ(third.next_expected_revision(), 3u);

  const std::vector<v1::RecordedEvent> events = ReadAll();
  EXPECT_THAT(PositionsOf(events), ElementsAreArray(Iota(1, 6)));
  std::vector<std::pair<std::string, uint64_t>> stream_revisions;
  for (const auto& event : events) stream_revisions.emplace_back(event.stream(), event.revision());
  EXPECT_THAT(stream_revisions, ElementsAre(std::pair<std::string, uint64_t>{"a", 0},
                                            std::pair<std::string, uint64_t>{"a", 1},
                                            std::pair<std::string, uint64_t>{"a", 2},
                                            std::pair<std::string, uint64_t>{"b", 0},
                                            std::pair<std::string, uint64_t>{"b", 1},
                                            std::pair<std::string, uint64_t>{"a", 3}));
  EXPECT_EQ(log_->head_position(), 6u);
}

TEST_F(EventLogTest, StoredEventKeepsWhatWasProposed) {
  v1::ProposedEvent proposed = Event("stake.changed", R"({"ppm":49000})", ToUpper(Uuid(9)));
  proposed.set_content_type("application/x-test");
  (*proposed.mutable_metadata())["source"] = "seed-01.txt";
  AppendOk("company-softbank", {proposed});

  const std::vector<v1::RecordedEvent> events = ReadAll();
  ASSERT_EQ(events.size(), 1u);
  const v1::RecordedEvent& stored = events[0];
  EXPECT_EQ(stored.stream(), "company-softbank");
  EXPECT_EQ(stored.event_id(), Uuid(9));  // stored in lower case
  EXPECT_EQ(stored.event_type(), "stake.changed");
  EXPECT_EQ(stored.content_type(), "application/x-test");
  EXPECT_EQ(stored.payload(), R"({"ppm":49000})");
  EXPECT_EQ(stored.metadata().at("source"), "seed-01.txt");
  EXPECT_GT(Micros(stored.recorded_at()), 0);
}

TEST_F(EventLogTest, ServerMadeIdsAreVersion7AndFollowLogOrder) {
  AppendOk("a", 5);
  AppendOk("b", 5);
  std::string previous;
  for (const auto& event : ReadAll()) {
    std::string bytes;
    ASSERT_TRUE(ParseUuid(event.event_id(), &bytes)) << event.event_id();
    EXPECT_EQ(static_cast<uint8_t>(bytes[6]) >> 4, 7) << event.event_id();
    EXPECT_LT(previous, bytes) << event.event_id() << " at position " << event.position();
    previous = bytes;
  }
}

TEST_F(EventLogTest, EventsWithoutIdsAreNeverReplays) {
  AppendOk("a", 2);
  const v1::AppendResponse second = AppendOk("a", 2);
  EXPECT_FALSE(second.idempotent_replay());
  EXPECT_EQ(second.first_position(), 3u);
}

TEST_F(EventLogTest, ExpectedAnyPassesForNewAndExistingStreams) {
  EXPECT_THAT(Append("a", Events(1), Any()), IsOk());
  EXPECT_THAT(Append("a", Events(1), Any()), IsOk());
}

TEST_F(EventLogTest, ExpectedNoStreamPassesForANewStream) {
  absl::StatusOr<v1::AppendResponse> response = Append("a", Events(2), NoStream());
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->first_revision(), 0u);
}

TEST_F(EventLogTest, ExpectedNoStreamFailsForAnExistingStreamAndWritesNothing) {
  AppendOk("a", 1);
  const StreamHead head = Head("a");
  const Snapshot before = TakeSnapshot();
  EXPECT_THAT(Append("a", Events(1), NoStream()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("'a' is at revision 0"), HasSubstr("expected no stream"))));
  ExpectUnchanged(before);
  ExpectSameHead(Head("a"), head);
}

TEST_F(EventLogTest, ExpectedStreamExistsPassesForAnExistingStream) {
  AppendOk("a", 1);
  EXPECT_THAT(Append("a", Events(1), StreamExists()), IsOk());
}

TEST_F(EventLogTest, ExpectedStreamExistsFailsForANewStreamAndWritesNothing) {
  AppendOk("other", 1);
  const Snapshot before = TakeSnapshot();
  EXPECT_THAT(Append("a", Events(1), StreamExists()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("'a' does not exist"), HasSubstr("expected it to exist"))));
  ExpectUnchanged(before);
  EXPECT_THAT(log_->GetStreamHead("a"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(EventLogTest, ExpectedExactRevisionPassesWhenItMatches) {
  AppendOk("a", 3);
  absl::StatusOr<v1::AppendResponse> response = Append("a", Events(1), Exact(2));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->first_revision(), 3u);
  EXPECT_THAT(Append("a", Events(1), Exact(3)), IsOk());
}

TEST_F(EventLogTest, AppendWithStaleRevisionFailsAndWritesNothing) {
  AppendOk("a", 3);
  const StreamHead head = Head("a");
  const Snapshot before = TakeSnapshot();
  EXPECT_THAT(Append("a", Events(2), Exact(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("is at revision 2"), HasSubstr("expected revision 1"))));
  ExpectUnchanged(before);
  ExpectSameHead(Head("a"), head);
}

TEST_F(EventLogTest, ExpectedExactRevisionFailsForANewStream) {
  const Snapshot before = TakeSnapshot();
  EXPECT_THAT(Append("a", Events(1), Exact(0)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("does not exist"), HasSubstr("expected revision 0"))));
  ExpectUnchanged(before);
}

TEST_F(EventLogTest, RetryWithSameIdsReturnsOriginalPositions) {
  AppendOk("other", 2);
  const v1::AppendResponse original = AppendOk("a", EventsWithIds(1, 3));
  AppendOk("other", 1);
  const Snapshot before = TakeSnapshot();

  const v1::AppendResponse retry = AppendOk("a", EventsWithIds(1, 3));
  EXPECT_TRUE(retry.idempotent_replay());
  EXPECT_EQ(retry.first_position(), original.first_position());
  EXPECT_EQ(retry.last_position(), original.last_position());
  EXPECT_EQ(retry.first_revision(), original.first_revision());
  EXPECT_EQ(retry.next_expected_revision(), original.next_expected_revision());
  EXPECT_EQ(Micros(retry.recorded_at()), Micros(original.recorded_at()));
  ExpectUnchanged(before);
}

TEST_F(EventLogTest, RetryMatchesIdsInAnyCase) {
  const v1::AppendResponse original = AppendOk("a", EventsWithIds(1, 1));
  std::vector<v1::ProposedEvent> retry = EventsWithIds(1, 1);
  retry[0].set_event_id(ToUpper(retry[0].event_id()));
  const v1::AppendResponse response = AppendOk("a", retry);
  EXPECT_TRUE(response.idempotent_replay());
  EXPECT_EQ(response.first_position(), original.first_position());
}

TEST_F(EventLogTest, RetryIgnoresTheExpectedRevisionThatNowFails) {
  const v1::AppendResponse original = AppendOk("a", EventsWithIds(1, 2), NoStream());
  const v1::AppendResponse retry = AppendOk("a", EventsWithIds(1, 2), NoStream());
  EXPECT_TRUE(retry.idempotent_replay());
  EXPECT_EQ(retry.first_position(), original.first_position());
  EXPECT_EQ(log_->head_position(), 2u);
}

TEST_F(EventLogTest, SameIdWithOtherPayloadIsRefusedAndWritesNothing) {
  AppendOk("a", EventsWithIds(1, 2));
  const Snapshot before = TakeSnapshot();
  std::vector<v1::ProposedEvent> changed = EventsWithIds(1, 2);
  changed[1].set_payload("something else");
  EXPECT_THAT(Append("a", changed),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr(Uuid(2)), HasSubstr("different content"))));
  ExpectUnchanged(before);
}

TEST_F(EventLogTest, SameIdWithOtherMetadataOrStreamIsRefused) {
  AppendOk("a", EventsWithIds(1, 1));
  const Snapshot before = TakeSnapshot();
  std::vector<v1::ProposedEvent> with_metadata = EventsWithIds(1, 1);
  (*with_metadata[0].mutable_metadata())["k"] = "v";
  EXPECT_THAT(Append("a", with_metadata), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(Append("b", EventsWithIds(1, 1)), StatusIs(absl::StatusCode::kAlreadyExists));
  ExpectUnchanged(before);
  EXPECT_THAT(log_->GetStreamHead("b"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(EventLogTest, PartialOverlapWithRecordedIdsIsRefusedAndWritesNothing) {
  AppendOk("a", EventsWithIds(1, 2));
  const Snapshot before = TakeSnapshot();
  // Ids 2 and 3: one recorded, one new.
  EXPECT_THAT(
      Append("a", EventsWithIds(2, 2)),
      StatusIs(absl::StatusCode::kAlreadyExists, AllOf(HasSubstr(Uuid(2)), HasSubstr(Uuid(3)))));
  // A recorded id next to a server-made one.
  std::vector<v1::ProposedEvent> mixed = EventsWithIds(1, 1);
  mixed.push_back(Event("test.happened"));
  EXPECT_THAT(Append("a", mixed), StatusIs(absl::StatusCode::kAlreadyExists));
  ExpectUnchanged(before);
}

TEST_F(EventLogTest, IdempotencySurvivesReopen) {
  const v1::AppendResponse original = AppendOk("a", EventsWithIds(1, 3));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  const v1::AppendResponse retry = AppendOk("a", EventsWithIds(1, 3));
  EXPECT_TRUE(retry.idempotent_replay());
  EXPECT_EQ(retry.first_position(), original.first_position());
  EXPECT_EQ(retry.last_position(), original.last_position());
  std::vector<v1::ProposedEvent> changed = EventsWithIds(1, 3);
  changed[0].set_payload("changed");
  EXPECT_THAT(Append("a", changed), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(log_->head_position(), 3u);
}

TEST_F(EventLogTest, RequestWithOneBadEventWritesNone) {
  AppendOk("a", 1);
  const Snapshot before = TakeSnapshot();
  std::vector<v1::ProposedEvent> events = Events(3);
  events[2].clear_event_type();
  EXPECT_THAT(Append("a", events), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("events[2].event_type is empty")));
  events = Events(3);
  events[1].set_event_id("bad-id");
  EXPECT_THAT(Append("a", events), StatusIs(absl::StatusCode::kInvalidArgument));
  events = Events(3);
  events[1].set_payload(std::string(limits_.event_payload_bytes_max + 1, 'x'));
  EXPECT_THAT(Append("a", events),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("event_payload_bytes_max")));
  ExpectUnchanged(before);
  EXPECT_EQ(Head("a").last_revision, 0u);
}

TEST_F(EventLogTest, RecordedAtNeverDecreases) {
  for (int i = 0; i < 10; ++i) AppendOk(i % 2 == 0 ? "a" : "b", 2);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  for (int i = 0; i < 5; ++i) AppendOk("c", 1);
  const std::vector<v1::RecordedEvent> events = ReadAll();
  ASSERT_EQ(events.size(), 25u);
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_LE(Micros(events[i - 1].recorded_at()), Micros(events[i].recorded_at()))
        << "at position " << events[i].position();
  }
}

TEST_F(EventLogTest, EventsOfOneAppendShareTheirRecordedAt) {
  const v1::AppendResponse response = AppendOk("a", 3);
  for (const auto& event : ReadAll()) {
    EXPECT_EQ(Micros(event.recorded_at()), Micros(response.recorded_at()));
  }
}

TEST_F(EventLogTest, EveryStoredLeafHashVerifies) {
  std::vector<v1::ProposedEvent> events = Events(4);
  (*events[1].mutable_metadata())["z"] = "last";
  (*events[1].mutable_metadata())["a"] = "first";
  AppendOk("a", events);
  AppendOk("b", 3);
  const std::vector<v1::RecordedEvent> stored = ReadAll(false, {}, /*include_record=*/true);
  ASSERT_EQ(stored.size(), 7u);
  for (const v1::RecordedEvent& event : stored) {
    ASSERT_FALSE(event.record().empty());
    EXPECT_EQ(LeafHash(event.record()), event.leaf_hash()) << "position " << event.position();
    // The record bytes are the event itself, fields 1 to 9.
    v1::RecordedEvent parsed;
    ASSERT_TRUE(parsed.ParseFromString(event.record()));
    v1::RecordedEvent served = event;
    served.clear_leaf_hash();
    served.clear_record();
    EXPECT_EQ(SerializeRecord(parsed), SerializeRecord(served));
  }
  // Without include_record the hash is still there, the bytes are not.
  for (const v1::RecordedEvent& event : ReadAll()) {
    EXPECT_EQ(event.leaf_hash().size(), 32u);
    EXPECT_TRUE(event.record().empty());
  }
}

TEST_F(EventLogTest, ReopenKeepsEverythingAndContinuesDensely) {
  AppendOk("a", 3);
  AppendOk("b", 2);
  const std::vector<v1::RecordedEvent> before = ReadAll();
  const StreamHead head_a = Head("a");
  ASSERT_NO_FATAL_FAILURE(Reopen());

  EXPECT_EQ(log_->head_position(), 5u);
  const std::vector<v1::RecordedEvent> after = ReadAll();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(after[i], before[i]))
        << after[i].DebugString() << " vs " << before[i].DebugString();
  }
  ExpectSameHead(Head("a"), head_a);

  const v1::AppendResponse next_a = AppendOk("a", 1);
  const v1::AppendResponse new_c = AppendOk("c", 1);
  EXPECT_EQ(next_a.first_position(), 6u);
  EXPECT_EQ(next_a.first_revision(), 3u);
  EXPECT_EQ(new_c.first_position(), 7u);
  EXPECT_EQ(new_c.first_revision(), 0u);
  // Stream ids keep counting: "c" does not reuse the id of "a" or "b".
  const StreamHead head_c = Head("c");
  EXPECT_NE(head_c.stream_id, Head("a").stream_id);
  EXPECT_NE(head_c.stream_id, Head("b").stream_id);
  EXPECT_EQ(log_->GetInfo().stream_count(), 3u);
  EXPECT_THAT(PositionsOf(ReadAll()), ElementsAreArray(Iota(1, 7)));
}

TEST_F(EventLogTest, StreamHeadDescribesTheStream) {
  AppendOk("a", 2);
  AppendOk("b", 1);
  AppendOk("a", 1);
  const StreamHead head = Head("a");
  EXPECT_EQ(head.last_revision, 2u);
  EXPECT_EQ(head.first_position, 1u);
  EXPECT_EQ(head.last_position, 4u);
  EXPECT_NE(head.stream_id, Head("b").stream_id);
}

TEST_F(EventLogTest, GetStreamHeadOfUnknownStreamIsNotFound) {
  AppendOk("a", 1);
  EXPECT_THAT(log_->GetStreamHead("b"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'b' does not exist")));
}

TEST_F(EventLogTest, GetStreamHeadOfMalformedNameIsInvalid) {
  EXPECT_THAT(log_->GetStreamHead(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log_->GetStreamHead(std::string(limits_.stream_name_bytes_max + 1, 'x')),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("stream_name_bytes_max")));
}

TEST_F(EventLogTest, GetInfoReportsHeadAndStreams) {
  const v1::AppendResponse last = [&] {
    AppendOk("a", 2);
    return AppendOk("b", 1);
  }();
  const v1::LogInfo info = log_->GetInfo();
  EXPECT_EQ(info.head_position(), 3u);
  EXPECT_EQ(info.stream_count(), 2u);
  EXPECT_EQ(Micros(info.head_recorded_at()), Micros(last.recorded_at()));
}

TEST_F(EventLogTest, AppendAfterShutdownIsUnavailable) {
  AppendOk("a", 1);
  log_->Shutdown();
  EXPECT_THAT(Append("a", Events(1)),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
  log_->Shutdown();  // idempotent
  EXPECT_EQ(log_->head_position(), 1u);
}

TEST_F(EventLogTest, SecondOpenOfTheSameDirectoryIsUnavailable) {
  EXPECT_THAT(EventLog::Open(dir_.path(), limits_), StatusIs(absl::StatusCode::kUnavailable));
}

// Writes `value` under `key` in the column family `family` of a closed log.
void PutRaw(const std::string& dir, rocksdb::ColumnFamilyHandle* (Database::*family)() const,
            const std::string& key, const std::string& value) {
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(dir);
  ASSERT_THAT(db, IsOk());
  rocksdb::WriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE((*db)->db()->Put(sync, ((**db).*family)(), key, value).ok());
}

TEST(EventLogOpen, UnknownFormatVersionIsRefused) {
  testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(PutRaw(dir.path(), &Database::meta, kMetaFormatVersion, "999"));
  EXPECT_THAT(EventLog::Open(dir.path(), Limits()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("format version '999'")));
}

TEST(EventLogOpen, UndecodableLastRecordIsDataLoss) {
  testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(PutRaw(dir.path(), &Database::log, EncodePosition(1), "short"));
  EXPECT_THAT(EventLog::Open(dir.path(), Limits()), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace stakeledger::storage
