// The domain snapshot (domain_state.h, storage/domain_snapshot_store.h): a
// state started from it answers exactly as one rebuilt from the whole log,
// and a snapshot that does not check out is ignored with the reason, the
// state then rebuilt from the log.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "domain/events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/domain_state.h"
#include "stakeledger/v1/domain_snapshot.pb.h"
#include "storage/domain_snapshot_store.h"
#include "storage/test_util.h"

namespace stakeledger::service {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string EntityJson(int n) {
  return absl::StrCat(R"({"entity_id":"e-)", n, R"(","display_name":"Entity )", n,
                      R"(","kind":"COMPANY"})");
}

// An announcement that entity `holder` holds `ppm` of entity `target`.
std::string AnnouncementJson(const std::string& id, int holder, int target, int ppm) {
  return absl::StrCat(
      R"({"announcement_id":")", id, R"(","announced_date":"2024","source":{"outlet":"X"},)",
      R"("facts":[{"quote":"q","stake_change":{"holder":"e-)", holder, R"(","target":"e-)", target,
      R"(","resulting_stake":{"ppm":")", ppm, R"("}}}]})");
}

// Retracts fact `index` of announcement `corrected`.
std::string CorrectionJson(const std::string& id, const std::string& corrected, int index) {
  return absl::StrCat(R"({"announcement_id":")", id,
                      R"(","announced_date":"2025","source":{"outlet":"X"},)",
                      R"("facts":[{"quote":"q","correction":{"action":"RETRACT",)",
                      R"("announcement_id":")", corrected, R"(","fact_indexes":[)", index, "]}}]}");
}

class DomainSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "domain-snapshot-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    Reopen();
    state_ = Load();
  }
  void TearDown() override {
    state_.reset();
    log_.reset();
    fs::remove_all(dir_);
  }

  void Reopen() {
    state_.reset();
    log_.reset();
    absl::StatusOr<std::unique_ptr<storage::EventLog>> log =
        storage::EventLog::Open(dir_, storage::Limits());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  std::unique_ptr<DomainState> Load(DomainLoadReport* report = nullptr) {
    auto state = std::make_unique<DomainState>();
    absl::StatusOr<DomainLoadReport> loaded = state->Load(*log_);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    if (report != nullptr && loaded.ok()) *report = *loaded;
    return state;
  }

  storage::DomainSnapshotStore Store() const {
    return storage::DomainSnapshotStore(&log_->database());
  }

  // A domain append as EventStoreService makes it: gate, Prepare, log, Apply.
  absl::StatusOr<v1::AppendResponse> Append(absl::string_view stream,
                                            const std::vector<std::string>& payloads) {
    const std::string type = stream == domain::kEntitiesStream ? domain::kEntityEventType
                                                               : domain::kAnnouncementEventType;
    std::vector<v1::ProposedEvent> events;
    for (const std::string& payload : payloads)
      events.push_back(storage::testing::Event(type, payload));
    v1::AppendRequest request = storage::testing::Request(std::string(stream), std::move(events));
    EXPECT_TRUE(state_->gate().Enter(absl::Seconds(5)));
    absl::StatusOr<DomainBatch> batch = state_->Prepare(&request);
    absl::StatusOr<v1::AppendResponse> response =
        batch.ok() ? log_->AppendAndWait(request) : batch.status();
    if (response.ok()) state_->Apply(*batch, *response);
    state_->gate().Leave();
    return response;
  }

  void AddEntities(int count) {
    std::vector<std::string> payloads;
    for (int i = 0; i < count; ++i) payloads.push_back(EntityJson(i));
    ASSERT_TRUE(Append(domain::kEntitiesStream, payloads).ok());
  }

  // Announcements "PREFIX-i" for i in [first, first + count), in appends of
  // 5,000, naming entities among the first `entities`.
  void AddAnnouncements(const std::string& prefix, int first, int count, int entities = 8) {
    for (int begin = first; begin < first + count; begin += 5000) {
      std::vector<std::string> payloads;
      for (int i = begin; i < std::min(first + count, begin + 5000); ++i) {
        payloads.push_back(AnnouncementJson(absl::StrCat(prefix, "-", i), i % entities,
                                            (i + 1) % entities, 1000 + i));
      }
      absl::StatusOr<v1::AppendResponse> response = Append(domain::kAnnouncementsStream, payloads);
      ASSERT_TRUE(response.ok()) << response.status();
    }
  }

  // A small history: entities, announcements and corrections of them.
  void AddHistory() {
    AddEntities(8);
    AddAnnouncements("a", 0, 40);
    absl::StatusOr<v1::AppendResponse> fix =
        Append(domain::kAnnouncementsStream, {CorrectionJson("fix-1", "a-3", 0)});
    ASSERT_TRUE(fix.ok()) << fix.status();
  }

  // Everything the state answers, as text: the registry, every
  // announcement listed, and each entity's list.
  static std::string Describe(const DomainState& state) {
    std::string text;
    for (const v1::Entity& entity : state.ListEntities()) {
      absl::StrAppend(&text, entity.ShortDebugString(), "\n");
    }
    std::vector<std::string> filters = {""};
    for (const v1::Entity& entity : state.ListEntities()) filters.push_back(entity.entity_id());
    for (const std::string& entity : filters) {
      v1::ListAnnouncementsRequest request;
      request.set_entity(entity);
      request.set_page_size(DomainState::kPageSizeMax);
      do {
        absl::StatusOr<v1::ListAnnouncementsResponse> page = state.ListAnnouncements(request);
        if (!page.ok()) return page.status().ToString();
        absl::StrAppend(&text, entity, ":");
        for (const v1::RecordedAnnouncement& record : page->announcements()) {
          absl::StrAppend(&text, " ", record.position(), "=",
                          record.announcement().announcement_id());
        }
        absl::StrAppend(&text, "\n");
        request.set_page_token(page->next_page_token());
      } while (!request.page_token().empty());
    }
    return text;
  }

  // The state Load gives without a snapshot.
  std::string DescribeFullLoad() {
    const std::string manifest =
        Store().ReadRaw(storage::DomainSnapshotStore::ManifestKey()).value_or("");
    EXPECT_TRUE(Store().Delete().ok());
    DomainLoadReport report;
    std::unique_ptr<DomainState> full = Load(&report);
    EXPECT_FALSE(report.from_snapshot);
    if (!manifest.empty()) {
      EXPECT_TRUE(Store().WriteRaw(storage::DomainSnapshotStore::ManifestKey(), manifest).ok());
    }
    return Describe(*full);
  }

  v1::DomainSnapshotManifest Manifest() {
    v1::DomainSnapshotManifest manifest;
    EXPECT_TRUE(manifest.ParseFromString(
        Store().ReadRaw(storage::DomainSnapshotStore::ManifestKey()).value_or("")));
    return manifest;
  }
  void SetManifest(const v1::DomainSnapshotManifest& manifest) {
    ASSERT_TRUE(
        Store()
            .WriteRaw(storage::DomainSnapshotStore::ManifestKey(), manifest.SerializeAsString())
            .ok());
  }

  // Loads after a spoiled snapshot: a full load, with the reason.
  void ExpectIgnored(absl::string_view reason) {
    DomainLoadReport report;
    std::unique_ptr<DomainState> state = Load(&report);
    EXPECT_FALSE(report.from_snapshot);
    EXPECT_THAT(report.snapshot_ignored, HasSubstr(std::string(reason)));
    EXPECT_EQ(Describe(*state), Describe(*state_));
  }

  std::string dir_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<DomainState> state_;
};

TEST_F(DomainSnapshotTest, StartFromSnapshotAnswersAsAFullLoad) {
  AddHistory();
  absl::StatusOr<DomainSnapshotReport> written = state_->WriteSnapshot();
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->position, log_->head_position());
  EXPECT_EQ(written->announcements, 41u);
  const std::string before = Describe(*state_);
  Reopen();

  DomainLoadReport report;
  state_ = Load(&report);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(report.snapshot_position, written->position);
  EXPECT_EQ(report.folded_events, 0u);
  EXPECT_THAT(report.snapshot_ignored, IsEmpty());
  EXPECT_EQ(report.entities, 8u);
  EXPECT_EQ(report.announcements, 41u);
  EXPECT_EQ(Describe(*state_), before);
  EXPECT_EQ(Describe(*state_), DescribeFullLoad());
}

TEST_F(DomainSnapshotTest, RetriesAndCorrectionsOfSnapshottedAnnouncementsAreChecked) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  Reopen();
  state_ = Load();

  absl::StatusOr<v1::AppendResponse> retry =
      Append(domain::kAnnouncementsStream, {AnnouncementJson("a-5", 5, 6, 1005)});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->idempotent_replay());
  absl::StatusOr<v1::AppendResponse> other =
      Append(domain::kAnnouncementsStream, {AnnouncementJson("a-5", 5, 6, 9999)});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  absl::StatusOr<v1::AppendResponse> past =
      Append(domain::kAnnouncementsStream, {CorrectionJson("fix-2", "a-7", 1)});
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(past.status().message(), HasSubstr("is not a fact of announcement 'a-7'"));
  EXPECT_TRUE(Append(domain::kAnnouncementsStream, {CorrectionJson("fix-2", "a-7", 0)}).ok());
  EXPECT_EQ(Describe(*state_), DescribeFullLoad());
}

TEST_F(DomainSnapshotTest, EventsAfterTheSnapshotAreFolded) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  const uint64_t covered = log_->head_position();
  ASSERT_TRUE(Append(domain::kEntitiesStream, {EntityJson(8)}).ok());
  AddAnnouncements("b", 0, 5, 9);
  ASSERT_TRUE(Append(domain::kAnnouncementsStream, {CorrectionJson("fix-b", "a-1", 0)}).ok());
  const std::string before = Describe(*state_);
  Reopen();

  DomainLoadReport report;
  state_ = Load(&report);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(report.snapshot_position, covered);
  EXPECT_EQ(report.folded_events, 7u);
  EXPECT_EQ(report.announcements, 47u);
  EXPECT_EQ(Describe(*state_), before);
  EXPECT_EQ(Describe(*state_), DescribeFullLoad());
}

TEST_F(DomainSnapshotTest, ASecondSnapshotWritesOnlyTheChunksAfterTheLastFullOne) {
  AddEntities(8);
  AddAnnouncements("a", 0, kDomainSnapshotChunkAnnouncements + 10);
  absl::StatusOr<DomainSnapshotReport> first = state_->WriteSnapshot();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->written_bytes, first->total_bytes);
  AddAnnouncements("b", 0, 10);
  absl::StatusOr<DomainSnapshotReport> second = state_->WriteSnapshot();
  ASSERT_TRUE(second.ok()) << second.status();
  // The full chunk is kept: under a tenth of the snapshot is written again.
  EXPECT_LT(second->written_bytes * 10, second->total_bytes);
  EXPECT_EQ(Store().ChunkKeys()->size(), 2u);  // the replaced chunk is gone
  const std::string before = Describe(*state_);
  Reopen();

  DomainLoadReport report;
  state_ = Load(&report);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(report.folded_events, 0u);
  EXPECT_EQ(report.announcements, kDomainSnapshotChunkAnnouncements + 20);
  EXPECT_EQ(Describe(*state_), before);
  EXPECT_EQ(Describe(*state_), DescribeFullLoad());
}

TEST_F(DomainSnapshotTest, SnapshotDeletedWhileRunningIsWrittenWholeAgain) {
  AddEntities(8);
  AddAnnouncements("a", 0, kDomainSnapshotChunkAnnouncements + 10);
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  ASSERT_TRUE(Store().Delete().ok());
  // The stored snapshot lacks the full chunk the state counted on.
  EXPECT_EQ(state_->WriteSnapshot().status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<DomainSnapshotReport> again = state_->WriteSnapshot();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->written_bytes, again->total_bytes);
  const std::string before = Describe(*state_);
  Reopen();

  DomainLoadReport report;
  state_ = Load(&report);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(Describe(*state_), before);
  EXPECT_EQ(Describe(*state_), DescribeFullLoad());
}

// A write interrupted after some chunks (a crash) leaves them under keys
// no manifest names: the stored snapshot is still whole, and the next
// write deletes them.
TEST_F(DomainSnapshotTest, ChunksOfAnInterruptedWriteAreIgnoredThenDeleted) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  std::string orphan = Store().ChunkKeys()->at(0);
  orphan.back() = static_cast<char>(orphan.back() + 7);  // a later generation
  ASSERT_TRUE(Store().WriteRaw(orphan, "half a chunk").ok());
  DomainLoadReport report;
  std::unique_ptr<DomainState> loaded = Load(&report);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(Describe(*loaded), Describe(*state_));

  AddAnnouncements("b", 0, 1);
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  EXPECT_THAT(*Store().ChunkKeys(), ::testing::Not(::testing::Contains(orphan)));
  EXPECT_EQ(Store().ChunkKeys()->size(), 1u);
  state_ = Load(&report);
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(Describe(*state_), DescribeFullLoad());
}

TEST_F(DomainSnapshotTest, NoSnapshotOfEmptyStreams) {
  EXPECT_EQ(state_->WriteSnapshot().status().code(), absl::StatusCode::kNotFound);
  DomainLoadReport report;
  Load(&report);
  EXPECT_FALSE(report.from_snapshot);
  EXPECT_THAT(report.snapshot_ignored, IsEmpty());
}

TEST_F(DomainSnapshotTest, SnapshotAtTheSizeLimitIsWritten) {
  AddHistory();
  absl::StatusOr<DomainSnapshotReport> sized = state_->WriteSnapshot();
  ASSERT_TRUE(sized.ok());
  ASSERT_TRUE(Store().Delete().ok());
  absl::StatusOr<DomainSnapshotReport> at_limit = state_->WriteSnapshot(sized->total_bytes);
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  EXPECT_EQ(at_limit->total_bytes, sized->total_bytes);
  DomainLoadReport report;
  Load(&report);
  EXPECT_TRUE(report.from_snapshot);
}

TEST_F(DomainSnapshotTest, SnapshotPastTheSizeLimitIsNotWritten) {
  AddHistory();
  absl::StatusOr<DomainSnapshotReport> sized = state_->WriteSnapshot();
  ASSERT_TRUE(sized.ok());
  ASSERT_TRUE(Store().Delete().ok());
  EXPECT_EQ(state_->WriteSnapshot(sized->total_bytes - 1).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Store().ReadRaw(storage::DomainSnapshotStore::ManifestKey()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(*Store().ChunkKeys(), IsEmpty());
  // The state still takes appends, and a start rebuilds it from the log.
  AddAnnouncements("b", 0, 3);
  DomainLoadReport report;
  std::unique_ptr<DomainState> state = Load(&report);
  EXPECT_FALSE(report.from_snapshot);
  EXPECT_EQ(report.announcements, 44u);
  EXPECT_EQ(Describe(*state), Describe(*state_));
}

TEST_F(DomainSnapshotTest, CorruptChunkIsIgnored) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  const std::string key = Store().ChunkKeys()->at(0);
  std::string bytes = *Store().ReadRaw(key);
  bytes[bytes.size() / 2] ^= 0x01;
  ASSERT_TRUE(Store().WriteRaw(key, bytes).ok());
  ExpectIgnored("does not match its checksum");
}

TEST_F(DomainSnapshotTest, CorruptManifestIsIgnored) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  ASSERT_TRUE(Store().WriteRaw(storage::DomainSnapshotStore::ManifestKey(), "\xff\xff\xff").ok());
  ExpectIgnored("manifest does not parse");
}

TEST_F(DomainSnapshotTest, CorruptHeadIsIgnored) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  v1::DomainSnapshotManifest manifest = Manifest();
  v1::DomainSnapshotHead head;
  ASSERT_TRUE(head.ParseFromString(manifest.head()));
  head.mutable_entities(0)->set_display_name("Someone Else");
  manifest.set_head(head.SerializeAsString());
  SetManifest(manifest);
  ExpectIgnored("head does not match its checksum");
}

TEST_F(DomainSnapshotTest, SnapshotPastTheHeadIsIgnored) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  v1::DomainSnapshotManifest manifest = Manifest();
  manifest.set_position(log_->head_position() + 1);
  SetManifest(manifest);
  ExpectIgnored(absl::StrCat("covers position ", log_->head_position() + 1, ", the log's head is ",
                             log_->head_position()));
}

TEST_F(DomainSnapshotTest, SnapshotWithAnotherLeafHashIsIgnored) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  v1::DomainSnapshotManifest manifest = Manifest();
  std::string leaf = manifest.leaf_hash();
  leaf[0] ^= 0x01;
  manifest.set_leaf_hash(leaf);
  SetManifest(manifest);
  ExpectIgnored(absl::StrCat("the log at position ", manifest.position(), " has leaf hash"));
}

TEST_F(DomainSnapshotTest, SnapshotOfAnotherFormatVersionIsIgnored) {
  AddHistory();
  ASSERT_TRUE(state_->WriteSnapshot().ok());
  v1::DomainSnapshotManifest manifest = Manifest();
  manifest.set_format_version(kDomainSnapshotFormatVersion + 1);
  SetManifest(manifest);
  ExpectIgnored(absl::StrCat("format version ", kDomainSnapshotFormatVersion + 1));
}

}  // namespace
}  // namespace stakeledger::service
