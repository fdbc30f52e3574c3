// The EventStore API against a real ledgerd: appends and reads, stream and
// log inspection, every refusal of bad input with its code (and nothing
// written), and optimistic concurrency under concurrent writers.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using grpc::StatusCode;

// Small limits keep the at-limit and over-limit requests cheap.
constexpr size_t kPayloadBytesMax = 1024;
constexpr size_t kAppendEventsMax = 20;
constexpr size_t kStreamNameBytesMax = 32;

// The log FillLog() writes: event i (position i + 1) goes to
// kStreams[i % 3] with type "created" for even i and "paid" for odd i.
constexpr int kFilledEvents = 12;
const char* const kStreams[] = {"order-1", "order-2", "invoice-1"};

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started = ledgerd_.Start({
        "--event-payload-bytes-max",
        absl::StrCat(kPayloadBytesMax),
        "--append-events-max",
        absl::StrCat(kAppendEventsMax),
        "--stream-name-bytes-max",
        absl::StrCat(kStreamNameBytesMax),
    });
    ASSERT_TRUE(started.ok()) << started;
  }

  v1::EventStore::Stub& stub() { return ledgerd_.stub(); }

  v1::AppendResponse AppendOk(const v1::AppendRequest& request) {
    v1::AppendResponse response;
    EXPECT_TRUE(HasCode(Append(stub(), request, &response), StatusCode::OK));
    return response;
  }

  // Appends `count` events of `type`, one request.
  v1::AppendResponse AppendEvents(absl::string_view stream, int count,
                                  absl::string_view type = "created") {
    std::vector<v1::ProposedEvent> events;
    for (int i = 0; i < count; ++i)
      events.push_back(MakeEvent(type, absl::StrCat("{\"i\":", i, "}")));
    return AppendOk(MakeAppend(stream, std::move(events)));
  }

  void FillLog() {
    for (int i = 0; i < kFilledEvents; ++i) {
      AppendEvents(kStreams[i % 3], 1, i % 2 == 0 ? "created" : "paid");
    }
  }

  // Positions of FillLog()'s events that satisfy `keep(i)`.
  template <typename Predicate>
  static std::vector<uint64_t> FilledPositions(Predicate keep) {
    std::vector<uint64_t> positions;
    for (int i = 0; i < kFilledEvents; ++i) {
      if (keep(i)) positions.push_back(i + 1);
    }
    return positions;
  }

  uint64_t HeadPosition() {
    v1::LogInfo info;
    EXPECT_TRUE(HasCode(GetLogInfo(stub(), &info), StatusCode::OK));
    return info.head_position();
  }

  // One refused append: the code, a message naming what was wrong, and an
  // unchanged log.
  void ExpectRefused(const v1::AppendRequest& request, StatusCode code,
                     absl::string_view message_part) {
    const uint64_t head_before = HeadPosition();
    const grpc::Status status = Append(stub(), request);
    EXPECT_TRUE(HasCode(status, code));
    EXPECT_TRUE(absl::StrContains(status.error_message(), message_part))
        << "message \"" << status.error_message() << "\" does not mention \"" << message_part
        << "\"";
    EXPECT_EQ(HeadPosition(), head_before) << "a refused append wrote something";
  }

  void ExpectAccepted(const v1::AppendRequest& request) {
    const uint64_t head_before = HeadPosition();
    const v1::AppendResponse response = AppendOk(request);
    EXPECT_EQ(response.first_position(), head_before + 1);
    EXPECT_EQ(HeadPosition(), head_before + request.events_size());
  }

  ReadResult ReadStreamOf(absl::string_view stream, uint64_t from_revision, bool backwards,
                          uint64_t count = 0, bool from_end = false) {
    v1::ReadStreamRequest request;
    request.set_stream(std::string(stream));
    request.set_from_revision(from_revision);
    request.set_from_end(from_end);
    request.set_direction(backwards ? v1::BACKWARDS : v1::FORWARDS);
    request.set_count(count);
    return ReadStream(stub(), request);
  }

  std::vector<uint64_t> ReadAllPositions(uint64_t from, bool backwards, uint64_t count,
                                         absl::string_view prefix = "",
                                         std::vector<std::string> types = {}) {
    v1::ReadAllRequest request;
    request.set_from_position(from);
    request.set_direction(backwards ? v1::BACKWARDS : v1::FORWARDS);
    request.set_count(count);
    request.mutable_filter()->set_stream_prefix(std::string(prefix));
    for (std::string& type : types) request.mutable_filter()->add_event_types(std::move(type));
    const ReadResult result = ReadAll(stub(), request);
    EXPECT_TRUE(HasCode(result.status, StatusCode::OK));
    return result.positions();
  }

  std::vector<uint64_t> ReadStreamPositions(absl::string_view stream, uint64_t from_revision,
                                            bool backwards, uint64_t count = 0,
                                            bool from_end = false) {
    const ReadResult result = ReadStreamOf(stream, from_revision, backwards, count, from_end);
    EXPECT_TRUE(HasCode(result.status, StatusCode::OK));
    return result.positions();
  }

  std::vector<std::string> ListAllStreams(absl::string_view prefix, uint32_t page_size,
                                          std::vector<size_t>* page_sizes);

  void RunExactRevisionWriters(int threads, int wins_per_thread);

  LedgerdProcess ledgerd_;
};

// --- Round trip -------------------------------------------------------------

TEST_F(EventStoreTest, AppendedEventsReadBackWithEveryField) {
  v1::ProposedEvent with_metadata = MakeEvent("stake-bought", R"({"pct":5})");
  (*with_metadata.mutable_metadata())["source"] = "seed-01";
  (*with_metadata.mutable_metadata())["lang"] = "ko";
  v1::ProposedEvent with_id =
      MakeEvent("stake-sold", "all", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8");
  with_id.set_content_type("text/plain");
  const v1::AppendResponse response =
      AppendOk(MakeAppend("softbank-nvidia", {with_metadata, with_id}));

  const ReadResult read = ReadStreamOf("softbank-nvidia", 0, false);
  ASSERT_TRUE(HasCode(read.status, StatusCode::OK));
  ASSERT_EQ(read.events.size(), 2u);
  const v1::RecordedEvent& first = read.events[0];
  EXPECT_EQ(first.position(), 1u);
  EXPECT_EQ(first.stream(), "softbank-nvidia");
  EXPECT_EQ(first.revision(), 0u);
  EXPECT_EQ(first.event_id().size(), 36u) << "a server-made UUID";
  EXPECT_EQ(first.event_type(), "stake-bought");
  EXPECT_EQ(first.content_type(), "application/json") << "the default content type";
  EXPECT_EQ(first.payload(), R"({"pct":5})");
  EXPECT_EQ(first.metadata().at("source"), "seed-01");
  EXPECT_EQ(first.metadata().at("lang"), "ko");
  EXPECT_EQ(first.leaf_hash().size(), 32u);
  EXPECT_TRUE(first.record().empty()) << "record only when asked for";
  EXPECT_TRUE(SameMessage(first.recorded_at(), response.recorded_at()));
  const v1::RecordedEvent& second = read.events[1];
  EXPECT_EQ(second.position(), 2u);
  EXPECT_EQ(second.revision(), 1u);
  EXPECT_EQ(second.event_id(), "6ba7b810-9dad-11d1-80b4-00c04fd430c8") << "stored lower-case";
  EXPECT_EQ(second.content_type(), "text/plain");
  EXPECT_EQ(second.payload(), "all");
  EXPECT_TRUE(second.metadata().empty());
}

TEST_F(EventStoreTest, AppendResponsesNamePositionsAndRevisions) {
  const v1::AppendResponse a1 = AppendEvents("a", 2);
  const v1::AppendResponse a2 = AppendEvents("a", 3);
  const v1::AppendResponse b1 = AppendEvents("b", 1);
  EXPECT_EQ(std::vector<uint64_t>({a1.first_position(), a1.last_position(), a1.first_revision(),
                                   a1.next_expected_revision()}),
            std::vector<uint64_t>({1, 2, 0, 1}));
  EXPECT_EQ(std::vector<uint64_t>({a2.first_position(), a2.last_position(), a2.first_revision(),
                                   a2.next_expected_revision()}),
            std::vector<uint64_t>({3, 5, 2, 4}));
  EXPECT_EQ(std::vector<uint64_t>({b1.first_position(), b1.last_position(), b1.first_revision(),
                                   b1.next_expected_revision()}),
            std::vector<uint64_t>({6, 6, 0, 0}));
  EXPECT_FALSE(a1.idempotent_replay());
}

TEST_F(EventStoreTest, RetryWithTheSameIdsReplaysWithoutWriting) {
  const v1::AppendRequest request = MakeAppend(
      "retry", {MakeEvent("t", "x", TestUuid(1, 1)), MakeEvent("t", "y", TestUuid(1, 2))});
  const v1::AppendResponse first = AppendOk(request);
  AppendEvents("other", 1);
  const v1::AppendResponse replay = AppendOk(request);
  EXPECT_TRUE(replay.idempotent_replay());
  EXPECT_EQ(replay.first_position(), first.first_position());
  EXPECT_EQ(replay.last_position(), first.last_position());
  EXPECT_EQ(replay.next_expected_revision(), first.next_expected_revision());
  EXPECT_EQ(HeadPosition(), 3u);
}

// --- Reading a stream -------------------------------------------------------

TEST_F(EventStoreTest, ReadStreamForwardsReturnsTheWholeStream) {
  FillLog();
  EXPECT_EQ(ReadStreamPositions("order-1", 0, false), std::vector<uint64_t>({1, 4, 7, 10}));
}

TEST_F(EventStoreTest, ReadStreamRevisionsCountFromZero) {
  FillLog();
  EXPECT_EQ(ReadStreamOf("order-2", 0, false).revisions(), std::vector<uint64_t>({0, 1, 2, 3}));
}

TEST_F(EventStoreTest, ReadStreamForwardsFromRevisionWithCount) {
  FillLog();
  EXPECT_EQ(ReadStreamPositions("order-1", 1, false, 2), std::vector<uint64_t>({4, 7}));
}

TEST_F(EventStoreTest, ReadStreamBackwardsFromEnd) {
  FillLog();
  EXPECT_EQ(ReadStreamPositions("order-1", 0, true, 0, true), std::vector<uint64_t>({10, 7, 4, 1}));
}

TEST_F(EventStoreTest, ReadStreamBackwardsFromRevision) {
  FillLog();
  EXPECT_EQ(ReadStreamPositions("order-1", 2, true), std::vector<uint64_t>({7, 4, 1}));
}

TEST_F(EventStoreTest, ReadStreamBackwardsFromEndWithCount) {
  FillLog();
  EXPECT_EQ(ReadStreamPositions("invoice-1", 0, true, 2, true), std::vector<uint64_t>({12, 9}));
}

TEST_F(EventStoreTest, ReadStreamPastItsEndIsEmpty) {
  FillLog();
  EXPECT_EQ(ReadStreamPositions("order-1", 4, false), std::vector<uint64_t>());
}

TEST_F(EventStoreTest, ReadStreamOfUnknownStreamIsNotFound) {
  FillLog();
  EXPECT_TRUE(HasCode(ReadStreamOf("no-such-stream", 0, false).status, StatusCode::NOT_FOUND));
}

// --- Reading the whole log --------------------------------------------------

TEST_F(EventStoreTest, ReadAllForwards) {
  FillLog();
  EXPECT_EQ(ReadAllPositions(0, false, 0), Iota(1, kFilledEvents));
}

TEST_F(EventStoreTest, ReadAllBackwardsFromTheEnd) {
  FillLog();
  std::vector<uint64_t> expected = Iota(1, kFilledEvents);
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(ReadAllPositions(0, true, 0), expected);
}

TEST_F(EventStoreTest, ReadAllForwardsFromPositionWithCount) {
  FillLog();
  EXPECT_EQ(ReadAllPositions(5, false, 3), std::vector<uint64_t>({5, 6, 7}));
}

TEST_F(EventStoreTest, ReadAllBackwardsFromPositionWithCount) {
  FillLog();
  EXPECT_EQ(ReadAllPositions(5, true, 3), std::vector<uint64_t>({5, 4, 3}));
}

TEST_F(EventStoreTest, ReadAllPastTheEndIsEmpty) {
  FillLog();
  EXPECT_EQ(ReadAllPositions(kFilledEvents + 1, false, 0), std::vector<uint64_t>());
}

TEST_F(EventStoreTest, ReadAllFiltersByStreamPrefix) {
  FillLog();
  EXPECT_EQ(ReadAllPositions(0, false, 0, "order-"),
            FilledPositions([](int i) { return i % 3 != 2; }));
}

TEST_F(EventStoreTest, ReadAllFiltersByEventType) {
  FillLog();
  EXPECT_EQ(ReadAllPositions(0, false, 0, "", {"paid"}),
            FilledPositions([](int i) { return i % 2 == 1; }));
}

TEST_F(EventStoreTest, ReadAllFiltersByPrefixAndTypeBackwardsWithCount) {
  FillLog();
  // order-* and created: i in {0, 4, 6, 10}, positions {1, 5, 7, 11}.
  EXPECT_EQ(ReadAllPositions(0, true, 3, "order-", {"created"}), std::vector<uint64_t>({11, 7, 5}));
}

TEST_F(EventStoreTest, ReadAllOfEmptyLogIsEmpty) {
  EXPECT_EQ(ReadAllPositions(0, false, 0), std::vector<uint64_t>());
}

// --- Inspecting streams and the log -----------------------------------------

TEST_F(EventStoreTest, GetStreamDescribesAStream) {
  FillLog();
  v1::StreamInfo info;
  ASSERT_TRUE(HasCode(GetStream(stub(), "order-1", &info), StatusCode::OK));
  EXPECT_EQ(info.stream(), "order-1");
  EXPECT_EQ(info.head_revision(), 3u);
  EXPECT_EQ(info.event_count(), 4u);
  EXPECT_EQ(info.first_position(), 1u);
  EXPECT_EQ(info.last_position(), 10u);
}

TEST_F(EventStoreTest, GetStreamOfUnknownStreamIsNotFound) {
  v1::StreamInfo info;
  EXPECT_TRUE(HasCode(GetStream(stub(), "no-such-stream", &info), StatusCode::NOT_FOUND));
}

std::vector<std::string> EventStoreTest::ListAllStreams(absl::string_view prefix,
                                                        uint32_t page_size,
                                                        std::vector<size_t>* page_sizes) {
  std::vector<std::string> names;
  v1::ListStreamsRequest request;
  request.set_prefix(std::string(prefix));
  request.set_page_size(page_size);
  // Bounded: more pages than streams means the paging does not advance.
  for (int page = 0; page < 100; ++page) {
    v1::ListStreamsResponse response;
    EXPECT_TRUE(HasCode(ListStreams(stub(), request, &response), StatusCode::OK));
    page_sizes->push_back(response.streams_size());
    for (const v1::StreamInfo& info : response.streams()) names.push_back(info.stream());
    if (response.next_page_token().empty()) return names;
    request.set_page_token(response.next_page_token());
  }
  ADD_FAILURE() << "ListStreams did not reach its last page";
  return names;
}

TEST_F(EventStoreTest, ListStreamsPagesThroughAPrefixInNameOrder) {
  for (const char* name :
       {"acct-c", "acct-a", "other", "acct-e", "acct-b", "acct-g", "acct-d", "acct-f"}) {
    AppendEvents(name, 1);
  }
  std::vector<size_t> page_sizes;
  EXPECT_EQ(ListAllStreams("acct-", 3, &page_sizes),
            std::vector<std::string>(
                {"acct-a", "acct-b", "acct-c", "acct-d", "acct-e", "acct-f", "acct-g"}));
  EXPECT_EQ(page_sizes, std::vector<size_t>({3, 3, 1}));
}

TEST_F(EventStoreTest, ListStreamsDescribesEachStream) {
  FillLog();
  v1::ListStreamsResponse response;
  ASSERT_TRUE(HasCode(ListStreams(stub(), v1::ListStreamsRequest(), &response), StatusCode::OK));
  ASSERT_EQ(response.streams_size(), 3);
  EXPECT_EQ(response.streams(0).stream(), "invoice-1");
  EXPECT_EQ(response.streams(0).event_count(), 4u);
  EXPECT_EQ(response.streams(0).last_position(), 12u);
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(EventStoreTest, GetLogInfoOfEmptyLog) {
  v1::LogInfo info;
  ASSERT_TRUE(HasCode(GetLogInfo(stub(), &info), StatusCode::OK));
  EXPECT_EQ(info.head_position(), 0u);
  EXPECT_EQ(info.stream_count(), 0u);
}

TEST_F(EventStoreTest, GetLogInfoCountsEventsAndStreams) {
  FillLog();
  v1::LogInfo info;
  ASSERT_TRUE(HasCode(GetLogInfo(stub(), &info), StatusCode::OK));
  EXPECT_EQ(info.head_position(), static_cast<uint64_t>(kFilledEvents));
  EXPECT_EQ(info.stream_count(), 3u);
  const ReadResult last = ReadStreamOf("invoice-1", 0, true, 1, true);
  ASSERT_EQ(last.events.size(), 1u);
  EXPECT_TRUE(SameMessage(last.events[0].recorded_at(), info.head_recorded_at()));
}

// --- Bad input: the specific code, and nothing written ----------------------

TEST_F(EventStoreTest, EmptyStreamNameIsInvalidArgument) {
  ExpectRefused(MakeAppend("", {MakeEvent("t", "x")}), StatusCode::INVALID_ARGUMENT, "empty");
}

TEST_F(EventStoreTest, StreamNameAtLimitIsAccepted) {
  ExpectAccepted(MakeAppend(std::string(kStreamNameBytesMax, 's'), {MakeEvent("t", "x")}));
}

TEST_F(EventStoreTest, StreamNameOverLimitIsResourceExhausted) {
  ExpectRefused(MakeAppend(std::string(kStreamNameBytesMax + 1, 's'), {MakeEvent("t", "x")}),
                StatusCode::RESOURCE_EXHAUSTED, "stream_name_bytes_max");
}

TEST_F(EventStoreTest, PayloadAtLimitIsAccepted) {
  ExpectAccepted(MakeAppend("s", {MakeEvent("t", std::string(kPayloadBytesMax, 'p'))}));
}

TEST_F(EventStoreTest, PayloadOverLimitIsResourceExhausted) {
  ExpectRefused(MakeAppend("s", {MakeEvent("t", std::string(kPayloadBytesMax + 1, 'p'))}),
                StatusCode::RESOURCE_EXHAUSTED, "event_payload_bytes_max");
}

TEST_F(EventStoreTest, EventsPerAppendAtLimitAreAccepted) {
  ExpectAccepted(
      MakeAppend("s", std::vector<v1::ProposedEvent>(kAppendEventsMax, MakeEvent("t", "x"))));
}

TEST_F(EventStoreTest, EventsPerAppendOverLimitAreResourceExhausted) {
  ExpectRefused(
      MakeAppend("s", std::vector<v1::ProposedEvent>(kAppendEventsMax + 1, MakeEvent("t", "x"))),
      StatusCode::RESOURCE_EXHAUSTED, "append_events_max");
}

TEST_F(EventStoreTest, AppendWithoutEventsIsInvalidArgument) {
  ExpectRefused(MakeAppend("s", {}), StatusCode::INVALID_ARGUMENT, "at least one event");
}

TEST_F(EventStoreTest, EmptyEventTypeIsInvalidArgument) {
  ExpectRefused(MakeAppend("s", {MakeEvent("", "x")}), StatusCode::INVALID_ARGUMENT,
                "event_type is empty");
}

TEST_F(EventStoreTest, MalformedEventIdIsInvalidArgument) {
  ExpectRefused(MakeAppend("s", {MakeEvent("t", "x", "6ba7b810-9dad-11d1-80b4-00c04fd430cZ")}),
                StatusCode::INVALID_ARGUMENT, "is not a UUID");
}

TEST_F(EventStoreTest, RepeatedEventIdInOneAppendIsInvalidArgument) {
  ExpectRefused(
      MakeAppend("s", {MakeEvent("t", "x", TestUuid(7, 7)), MakeEvent("t", "y", TestUuid(7, 7))}),
      StatusCode::INVALID_ARGUMENT, "repeats an earlier event");
}

TEST_F(EventStoreTest, DuplicateEventIdWithDifferentContentIsAlreadyExists) {
  AppendOk(MakeAppend("s", {MakeEvent("t", "original", TestUuid(9, 9))}));
  ExpectRefused(MakeAppend("s", {MakeEvent("t", "changed", TestUuid(9, 9))}),
                StatusCode::ALREADY_EXISTS, "different content");
}

TEST_F(EventStoreTest, UnknownExpectedRevisionKindIsInvalidArgument) {
  v1::ExpectedRevision unknown;
  unknown.set_kind(static_cast<v1::ExpectedRevision::Kind>(99));
  ExpectRefused(MakeAppend("s", {MakeEvent("t", "x")}, unknown), StatusCode::INVALID_ARGUMENT,
                "expected_revision.kind 99");
}

TEST_F(EventStoreTest, ControlCharacterInStreamNameIsInvalidArgument) {
  ExpectRefused(MakeAppend("tab\there", {MakeEvent("t", "x")}), StatusCode::INVALID_ARGUMENT,
                "control character");
}

// Append decodes its own request (service/request_codec.h), so invalid UTF-8
// reaches validation and is refused naming the field.
TEST_F(EventStoreTest, InvalidUtf8StreamNameIsInvalidArgument) {
  ExpectRefused(MakeAppend("bad\xff\xfe", {MakeEvent("t", "x")}), StatusCode::INVALID_ARGUMENT,
                "stream name is not valid UTF-8");
}

TEST_F(EventStoreTest, InvalidUtf8EventTypeIsInvalidArgument) {
  ExpectRefused(MakeAppend("s", {MakeEvent("bad\xc3\x28", "x")}), StatusCode::INVALID_ARGUMENT,
                "events[0].event_type is not valid UTF-8");
}

// The read methods decode their own requests too (service/request_codec.h):
// a string field holding invalid UTF-8 is INVALID_ARGUMENT naming the field,
// with no events returned and nothing written.
TEST_F(EventStoreTest, InvalidUtf8StreamNameInGetStreamIsInvalidArgumentNamingIt) {
  AppendEvents("s", 1);
  const uint64_t head_before = HeadPosition();
  v1::StreamInfo info;
  const grpc::Status status = GetStream(stub(), "bad\xff\xfe", &info);
  EXPECT_TRUE(HasCode(status, StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(status.error_message(), "stream is not valid UTF-8");
  EXPECT_EQ(HeadPosition(), head_before);
}

TEST_F(EventStoreTest, InvalidUtf8StreamNameInReadStreamIsInvalidArgumentNamingIt) {
  AppendEvents("s", 2);
  const uint64_t head_before = HeadPosition();
  const ReadResult read = ReadStreamOf("s\xc3\x28", 0, false);
  EXPECT_TRUE(HasCode(read.status, StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(read.status.error_message(), "stream is not valid UTF-8");
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(HeadPosition(), head_before);
}

TEST_F(EventStoreTest, InvalidUtf8EventTypeInReadAllFilterIsInvalidArgumentNamingIt) {
  FillLog();
  v1::ReadAllRequest request;
  request.mutable_filter()->add_event_types("paid");
  request.mutable_filter()->add_event_types("bad\xff");
  const ReadResult read = ReadAll(stub(), request);
  EXPECT_TRUE(HasCode(read.status, StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(read.status.error_message(), "filter.event_types[1] is not valid UTF-8");
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(HeadPosition(), static_cast<uint64_t>(kFilledEvents));
}

TEST_F(EventStoreTest, InvalidUtf8PageTokenInListStreamsIsInvalidArgumentNamingIt) {
  FillLog();
  v1::ListStreamsRequest request;
  request.set_prefix("order-");
  request.set_page_token("\x80");
  v1::ListStreamsResponse response;
  const grpc::Status status = ListStreams(stub(), request, &response);
  EXPECT_TRUE(HasCode(status, StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(status.error_message(), "page_token is not valid UTF-8");
  EXPECT_EQ(response.streams_size(), 0);
  EXPECT_EQ(HeadPosition(), static_cast<uint64_t>(kFilledEvents));
}

TEST_F(EventStoreTest, InvalidUtf8StreamPrefixInSubscribeFilterIsInvalidArgumentNamingIt) {
  FillLog();
  v1::SubscribeRequest request;
  request.mutable_filter()->set_stream_prefix("order-\xfe");
  SubscriptionReader subscription(stub(), request);
  Received received;
  EXPECT_FALSE(ReadUntil(subscription, &received, [](const Received&) { return false; }));
  const grpc::Status status = subscription.Finish();
  EXPECT_TRUE(HasCode(status, StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(status.error_message(), "filter.stream_prefix is not valid UTF-8");
  EXPECT_EQ(received.messages, 0u);
  EXPECT_EQ(HeadPosition(), static_cast<uint64_t>(kFilledEvents));
}

// --- Optimistic concurrency -------------------------------------------------

TEST_F(EventStoreTest, WrongExactRevisionIsFailedPreconditionNamingBothRevisions) {
  AppendEvents("s", 3);
  ExpectRefused(MakeAppend("s", {MakeEvent("t", "x")}, ExactRevision(5)),
                StatusCode::FAILED_PRECONDITION, "is at revision 2, expected revision 5");
}

TEST_F(EventStoreTest, ExactRevisionOfMissingStreamIsFailedPrecondition) {
  ExpectRefused(MakeAppend("s", {MakeEvent("t", "x")}, ExactRevision(0)),
                StatusCode::FAILED_PRECONDITION, "does not exist, expected revision 0");
}

TEST_F(EventStoreTest, NoStreamOnExistingStreamIsFailedPrecondition) {
  AppendEvents("s", 1);
  ExpectRefused(MakeAppend("s", {MakeEvent("t", "x")}, NoStream()), StatusCode::FAILED_PRECONDITION,
                "is at revision 0, expected no stream");
}

TEST_F(EventStoreTest, StreamExistsOnMissingStreamIsFailedPrecondition) {
  ExpectRefused(MakeAppend("s", {MakeEvent("t", "x")}, StreamExists()),
                StatusCode::FAILED_PRECONDITION, "does not exist, expected it to exist");
}

TEST_F(EventStoreTest, MatchingExactRevisionIsAccepted) {
  AppendEvents("s", 3);
  ExpectAccepted(MakeAppend("s", {MakeEvent("t", "x")}, ExactRevision(2)));
}

// One append that won a revision.
struct Win {
  uint64_t expected_next = 0;  // the revision the writer asked to write
  uint64_t revision = 0;
  uint64_t position = 0;
  std::string event_id;
};

// `threads` writers race for one stream, each reading the head and
// appending with the exact expected revision, retrying on
// FAILED_PRECONDITION, until it has won `wins_per_thread` appends.
void EventStoreTest::RunExactRevisionWriters(int threads, int wins_per_thread) {
  constexpr char kStream[] = "contended";
  constexpr int kAttemptsMax = 20'000;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  std::mutex mu;
  std::vector<Win> wins;
  std::vector<std::string> errors;
  auto writer = [&](int thread) {
    std::unique_ptr<v1::EventStore::Stub> stub = ledgerd_.NewStub();
    int won = 0;
    for (int attempt = 0; won < wins_per_thread && attempt < kAttemptsMax; ++attempt) {
      if (absl::Now() > deadline) break;
      v1::StreamInfo info;
      const grpc::Status head = GetStream(*stub, kStream, &info);
      if (!head.ok() && head.error_code() != StatusCode::NOT_FOUND) {
        std::lock_guard<std::mutex> lock(mu);
        errors.push_back(absl::StrCat("GetStream: ", StatusCodeName(head.error_code()), " ",
                                      head.error_message()));
        return;
      }
      const uint64_t next = head.ok() ? info.head_revision() + 1 : 0;
      const std::string id = TestUuid(thread + 1, attempt);
      v1::AppendResponse response;
      const grpc::Status appended =
          Append(*stub,
                 MakeAppend(kStream, {MakeEvent("won", absl::StrCat(thread, "/", attempt), id)},
                            head.ok() ? ExactRevision(info.head_revision()) : NoStream()),
                 &response);
      std::lock_guard<std::mutex> lock(mu);
      if (appended.ok()) {
        wins.push_back({next, response.first_revision(), response.first_position(), id});
        ++won;
      } else if (appended.error_code() != StatusCode::FAILED_PRECONDITION) {
        errors.push_back(absl::StrCat("Append: ", StatusCodeName(appended.error_code()), " ",
                                      appended.error_message()));
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(writer, t);
  for (std::thread& thread : pool) thread.join();

  EXPECT_EQ(errors, std::vector<std::string>());
  const uint64_t total = static_cast<uint64_t>(threads) * wins_per_thread;
  ASSERT_EQ(wins.size(), total) << "some writers ran out of attempts or time";
  std::sort(wins.begin(), wins.end(),
            [](const Win& a, const Win& b) { return a.revision < b.revision; });
  std::vector<uint64_t> revisions, positions;
  for (const Win& win : wins) {
    EXPECT_EQ(win.revision, win.expected_next) << "an append landed at another revision";
    revisions.push_back(win.revision);
    positions.push_back(win.position);
  }
  EXPECT_EQ(revisions, Iota(0, total - 1)) << "each revision won exactly once";
  EXPECT_EQ(positions, Iota(1, total)) << "positions dense and in revision order";

  const ReadResult stream = ReadStreamOf(kStream, 0, false);
  ASSERT_TRUE(HasCode(stream.status, StatusCode::OK));
  ASSERT_EQ(stream.events.size(), total);
  for (uint64_t r = 0; r < total; ++r) {
    EXPECT_EQ(stream.events[r].revision(), r);
    EXPECT_EQ(stream.events[r].position(), r + 1);
    EXPECT_EQ(stream.events[r].event_id(), wins[r].event_id) << "revision " << r;
  }
}

TEST_F(EventStoreTest, ConcurrentExactRevisionWritersWinEachRevisionOnce) {
  RunExactRevisionWriters(/*threads=*/8, /*wins_per_thread=*/25);
}

}  // namespace
}  // namespace stakeledger::tests
