// Bulk transactions (ProjectionTxn with BulkTxnOptions, bulk_load.h): the
// state a bulk fold leaves is the plain fold's, key for key, however often
// its buffer is written out; reads see kept changes, then ingested files;
// deletes shadow keys of earlier files; the buffer limit is exact.
#include "storage/bulk_load.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/keys.h"
#include "storage/projection.h"
#include "storage/random_history.h"
#include "storage/stake_projection.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

// Each ingested file costs a few fsyncs (10 to 25 ms here): the cases are sized
// to a few files each.
constexpr int kHistoryCases = 150;
constexpr int kOpsCases = 100;
// Small enough that a history of a few announcements is written in
// several files.
constexpr size_t kTinyBufferBytes = 3000;

BulkTxnOptions Bulk(size_t buffer_bytes_max) {
  BulkTxnOptions options;
  options.buffer_bytes_max = buffer_bytes_max;
  options.generation_empty = true;
  return options;
}

using testing::GenerationState;

class BulkLoadTest : public testing::DatabaseTest {
 protected:
  std::optional<std::string> GetOk(const ProjectionTxn& txn, absl::string_view key) {
    auto value = txn.Get(key);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.value_or(std::nullopt);
  }
  uint64_t Checkpoint(absl::string_view name, uint64_t generation) {
    auto checkpoint = ReadCheckpoint(*db_, name, generation);
    EXPECT_TRUE(checkpoint.ok());
    return checkpoint.value_or(0);
  }
};

TEST_F(BulkLoadTest, BufferExactlyAtTheLimitIsKept) {
  ProjectionTxn txn(db_.get(), "p", 1, Bulk(BufferedChangeBytes("key", "value")));
  txn.Put("key", "value");
  ASSERT_TRUE(txn.Commit(7).ok());
  EXPECT_EQ(txn.buffered_bytes(), BufferedChangeBytes("key", "value"));
  EXPECT_EQ(txn.files_ingested(), 0);
  EXPECT_EQ(Checkpoint("p", 1), 0u);
  EXPECT_TRUE(GenerationState(*db_, "p", 1).empty());
  EXPECT_EQ(GetOk(txn, "key"), "value");  // from the buffer
  // At the end the buffer is written with the last checkpoint.
  ASSERT_TRUE(txn.Flush().ok());
  EXPECT_EQ(txn.files_ingested(), 1);
  EXPECT_EQ(txn.buffered_bytes(), 0u);
  EXPECT_EQ(Checkpoint("p", 1), 7u);
  EXPECT_EQ(GetOk(txn, "key"), "value");  // from the file
}

TEST_F(BulkLoadTest, BufferOnePastTheLimitIsWrittenWithItsCheckpoint) {
  ProjectionTxn txn(db_.get(), "p", 1, Bulk(BufferedChangeBytes("key", "value") - 1));
  txn.Put("key", "value");
  ASSERT_TRUE(txn.Commit(7).ok());
  EXPECT_EQ(txn.files_ingested(), 1);
  EXPECT_EQ(txn.written_position(), 7u);
  EXPECT_EQ(txn.buffered_bytes(), 0u);
  EXPECT_EQ(Checkpoint("p", 1), 7u);
  const std::vector<std::pair<std::string, std::string>> expected = {{"key", "value"}};
  auto state = GenerationState(*db_, "p", 1);
  ASSERT_FALSE(state.empty());
  state.erase(state.begin());  // the checkpoint, first
  EXPECT_EQ(state, expected);
  // Nothing committed since: no further file.
  ASSERT_TRUE(txn.Flush().ok());
  EXPECT_EQ(txn.files_ingested(), 1);
}

TEST_F(BulkLoadTest, DeletesShadowKeysOfEarlierFiles) {
  ProjectionTxn txn(db_.get(), "p", 1, Bulk(kRebuildBufferBytesMax));
  txn.Put("a", "1");
  txn.Put("b", "1");
  txn.Put("c", "1");
  ASSERT_TRUE(txn.Commit(1).ok());
  ASSERT_TRUE(txn.Flush().ok());
  txn.Delete("a");
  txn.Put("b", "2");
  txn.EndEvent();
  EXPECT_EQ(GetOk(txn, "a"), std::nullopt);  // the buffer's delete, not the file's value
  EXPECT_EQ(GetOk(txn, "b"), "2");
  EXPECT_EQ(GetOk(txn, "c"), "1");  // from the file
  ASSERT_TRUE(txn.Commit(2).ok());
  ASSERT_TRUE(txn.Flush().ok());
  EXPECT_EQ(txn.files_ingested(), 2);
  EXPECT_EQ(GetOk(txn, "a"), std::nullopt);
  auto state = GenerationState(*db_, "p", 1);
  ASSERT_FALSE(state.empty());
  state.erase(state.begin());
  const std::vector<std::pair<std::string, std::string>> expected = {{"b", "2"}, {"c", "1"}};
  EXPECT_EQ(state, expected);
  EXPECT_EQ(Checkpoint("p", 1), 2u);
  // A delete of a key no file has is harmless.
  txn.Delete("zz");
  ASSERT_TRUE(txn.Commit(3).ok());
  ASSERT_TRUE(txn.Flush().ok());
  EXPECT_EQ(GetOk(txn, "zz"), std::nullopt);
}

TEST_F(BulkLoadTest, CheckpointAloneIsWrittenWhenNothingChanged) {
  ProjectionTxn txn(db_.get(), "p", 3, Bulk(kRebuildBufferBytesMax));
  ASSERT_TRUE(txn.Commit(42).ok());
  ASSERT_TRUE(txn.Flush().ok());
  EXPECT_EQ(Checkpoint("p", 3), 42u);
  EXPECT_EQ(GenerationState(*db_, "p", 3).size(), 1u);
}

TEST_F(BulkLoadTest, KeysOutOfOrderAreRejectedAndNothingIsWritten) {
  const std::vector<BulkChange> changes = {{"b", "v"}, {"a", "v"}};
  const std::string prefix = ProjectionPrefix("p", 1);
  EXPECT_EQ(BulkLoad(*db_, prefix, changes, prefix).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(GenerationState(*db_, "p", 1).empty());
  const std::filesystem::path dir = std::filesystem::path(dir_.path()) / "bulk_load";
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  EXPECT_EQ(BulkLoad(*db_, prefix, {}, prefix).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(BulkLoadTest, FileWriterWritesChangesAsTheyComeAndIngestsThem) {
  const std::string prefix = ProjectionPrefix("p", 1);
  BulkLoadFileWriter writer(*db_, prefix, prefix);
  ASSERT_TRUE(writer.Put("a", "1").ok());
  ASSERT_TRUE(writer.Put("b", "2").ok());
  absl::StatusOr<std::string> path = writer.Finish();
  ASSERT_TRUE(path.ok()) << path.status();
  ASSERT_TRUE(IngestBulkLoadFiles(*db_, {*path}).ok());
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(GenerationState(*db_, "p", 1), (Pairs{{"a", "1"}, {"b", "2"}}));
}

// Writers count into a shared counter a batch at a time (one touch per
// kKeysWrittenBatch keys), the rest at Finish.
TEST_F(BulkLoadTest, FileWritersCountTheirKeysABatchAtATimeAndTheRestAtFinish) {
  constexpr uint64_t kBatch = BulkLoadFileWriter::kKeysWrittenBatch;
  std::atomic<uint64_t> keys{0};
  const std::string prefix = ProjectionPrefix("counted", 1);
  BulkLoadFileWriter first(*db_, prefix, absl::StrCat(prefix, "a"), &keys);
  BulkLoadFileWriter second(*db_, prefix, absl::StrCat(prefix, "b"), &keys);
  // One short of a batch: nothing counted yet; at the batch: counted.
  for (uint64_t i = 0; i + 1 < kBatch; ++i) {
    ASSERT_TRUE(first.Put(absl::StrCat("a", 100000 + i), "v").ok());
  }
  EXPECT_EQ(keys.load(), 0u);
  ASSERT_TRUE(first.Put("a999999", "v").ok());
  EXPECT_EQ(keys.load(), kBatch);
  // One past the batch, from the other writer: counted at its Finish.
  ASSERT_TRUE(second.Put("b1", "v").ok());
  EXPECT_EQ(keys.load(), kBatch);
  ASSERT_TRUE(first.Finish().ok());
  EXPECT_EQ(keys.load(), kBatch);
  ASSERT_TRUE(second.Finish().ok());
  EXPECT_EQ(keys.load(), kBatch + 1);
}

TEST_F(BulkLoadTest, FileWriterOfNothingWritesNoFile) {
  const std::string prefix = ProjectionPrefix("p", 1);
  BulkLoadFileWriter writer(*db_, prefix, prefix);
  absl::StatusOr<std::string> path = writer.Finish();
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, "");
  const std::filesystem::path dir = std::filesystem::path(dir_.path()) / "bulk_load";
  EXPECT_TRUE(!std::filesystem::exists(dir) || std::filesystem::is_empty(dir));
}

TEST_F(BulkLoadTest, FileWriterRejectsKeysOutOfOrderAndLeavesNoFile) {
  const std::string prefix = ProjectionPrefix("p", 1);
  const std::filesystem::path dir = std::filesystem::path(dir_.path()) / "bulk_load";
  {
    BulkLoadFileWriter writer(*db_, prefix, prefix);
    ASSERT_TRUE(writer.Put("b", "v").ok());
    EXPECT_EQ(writer.Put("a", "v").code(), absl::StatusCode::kInvalidArgument);
    // Every later call returns the first error.
    EXPECT_EQ(writer.Put("c", "v").code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(writer.Finish().status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_FALSE(std::filesystem::is_empty(dir));  // the partial file, until the writer goes
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  EXPECT_TRUE(GenerationState(*db_, "p", 1).empty());
}

TEST_F(BulkLoadTest, RemoveBulkLoadFilesRemovesOnlyTheTagsUnderThePrefix) {
  const std::filesystem::path dir = std::filesystem::path(dir_.path()) / "bulk_load";
  std::filesystem::create_directories(dir);
  auto file = [&dir](absl::string_view tag) {
    return dir / absl::StrCat(absl::BytesToHexString(tag), "-9.sst");
  };
  const std::string generation_zero("p\0", 2);
  for (absl::string_view tag : {absl::string_view("p\x01g1"), absl::string_view("p\x01g2"),
                                absl::string_view(generation_zero), absl::string_view("q\x01g1")}) {
    std::ofstream(file(tag)) << "partial";
  }
  ASSERT_TRUE(RemoveBulkLoadFiles(*db_, "p\x01g1").ok());
  EXPECT_FALSE(std::filesystem::exists(file("p\x01g1")));
  EXPECT_TRUE(std::filesystem::exists(file("p\x01g2")));
  ASSERT_TRUE(RemoveBulkLoadFiles(*db_, "p\x01").ok());
  EXPECT_FALSE(std::filesystem::exists(file("p\x01g2")));
  EXPECT_TRUE(std::filesystem::exists(file(generation_zero)));
  EXPECT_TRUE(std::filesystem::exists(file("q\x01g1")));
}

// Random Gets, Puts and Deletes over a few keys, event by event, through a
// plain transaction committed per event and a bulk one committed at random
// chunk ends with a tiny buffer: every read and the final state agree.
TEST_F(BulkLoadTest, RandomOperationsReadAndEndAsThePlainTransaction) {
  int files_total = 0;
  for (uint32_t seed = 1; seed <= kOpsCases; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&rng](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    const std::string plain_name = absl::StrCat("plain", seed);
    const std::string bulk_name = absl::StrCat("bulk", seed);
    ProjectionTxn bulk(db_.get(), bulk_name, 1, Bulk(200 + pick(1000)));
    const int events = 1 + pick(40);
    for (int e = 1; e <= events; ++e) {
      ProjectionTxn plain(db_.get(), plain_name, 0);
      const int ops = 1 + pick(4);
      for (int op = 0; op < ops; ++op) {
        const std::string key = absl::StrCat("k", pick(12));
        switch (pick(3)) {
          case 0:
            ASSERT_EQ(GetOk(bulk, key), GetOk(plain, key)) << "seed " << seed << " event " << e;
            break;
          case 1: {
            const std::string value = absl::StrCat(e, ".", op, std::string(pick(30), 'x'));
            plain.Put(key, value);
            bulk.Put(key, value);
            break;
          }
          default:
            plain.Delete(key);
            bulk.Delete(key);
        }
      }
      ASSERT_TRUE(plain.Commit(e).ok());
      if (pick(3) == 0 || e == events) {
        ASSERT_TRUE(bulk.Commit(e).ok()) << "seed " << seed;
      } else {
        bulk.EndEvent();
      }
    }
    ASSERT_TRUE(bulk.Flush().ok());
    files_total += bulk.files_ingested();
    ASSERT_EQ(GenerationState(*db_, bulk_name, 1), GenerationState(*db_, plain_name, 0))
        << "seed " << seed;
  }
  // Reads went to ingested files, not only to the buffer.
  EXPECT_GT(files_total, kOpsCases * 3 / 2);
}

// The stake-ownership fold of randomized histories (random_history.h), as
// the live engine writes it (a commit per event) and in bulk with a tiny
// buffer (many files, chunks of 1 to 4 events): the same keys and values,
// checkpoint included. Equal state answers every query equally.
class StakeHistory : public testing::RandomHistory {
 public:
  explicit StakeHistory(uint32_t seed) : RandomHistory(seed, 2015, 5) {}
  void Fact(v1::Fact* fact) {
    v1::StakeChange* change = fact->mutable_stake_change();
    change->set_holder(Holder(Pick(3)));
    change->set_target(Target(Pick(3)));
    if (Pick(3) > 0) change->mutable_resulting_stake()->set_ppm(Pick(1000001));
    if (!change->has_resulting_stake() || Pick(2) > 0) {
      change->mutable_change()->set_ppm(Pick(400001) - 200000);
    }
    if (Pick(4) > 0) change->set_effective_date(Date());
  }
};

v1::RecordedEvent Recorded(const LoggedAnnouncement& logged) {
  v1::RecordedEvent event;
  event.set_position(logged.position);
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_payload(domain::ToPayloadJson(logged.announcement));
  event.mutable_recorded_at()->set_seconds(logged.recorded_at_us / 1'000'000);
  event.mutable_recorded_at()->set_nanos(logged.recorded_at_us % 1'000'000 * 1000);
  return event;
}

absl::Status FoldPlain(const Database& db, const std::vector<LoggedAnnouncement>& log,
                       Projection* projection, absl::string_view name) {
  for (const LoggedAnnouncement& logged : log) {
    ProjectionTxn txn(&db, name, 0);
    absl::Status status = projection->Apply(Recorded(logged), &txn);
    if (status.ok()) status = txn.Commit(logged.position);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Returns the number of files ingested.
absl::StatusOr<int> FoldBulk(const Database& db, const std::vector<LoggedAnnouncement>& log,
                             Projection* projection, absl::string_view name, std::mt19937* rng) {
  ProjectionTxn txn(&db, name, 1, Bulk(kTinyBufferBytes));
  int chunk_left = 1 + (*rng)() % 4;
  for (const LoggedAnnouncement& logged : log) {
    absl::Status status = projection->Apply(Recorded(logged), &txn);
    if (!status.ok()) return status;
    txn.EndEvent();
    if (--chunk_left == 0) {
      status = txn.Commit(logged.position);
      if (!status.ok()) return status;
      chunk_left = 1 + (*rng)() % 4;
    }
  }
  absl::Status status = txn.Commit(log.back().position);
  if (status.ok()) status = txn.Flush();
  if (!status.ok()) return status;
  return txn.files_ingested();
}

TEST_F(BulkLoadTest, BulkFoldOfRandomHistoriesEqualsThePlainFold) {
  StakeOwnershipProjection projection;
  int several_files = 0;
  for (uint32_t seed = 1; seed <= kHistoryCases; ++seed) {
    StakeHistory maker(seed);
    const std::vector<LoggedAnnouncement> log =
        maker.MakeHistory(20, /*may_correct_itself=*/false, /*date_odds=*/2,
                          [&maker](v1::Fact* fact) { maker.Fact(fact); });
    const std::string plain_name = absl::StrCat("plain", seed);
    const std::string bulk_name = absl::StrCat("bulk", seed);
    ASSERT_TRUE(FoldPlain(*db_, log, &projection, plain_name).ok()) << "seed " << seed;
    std::mt19937 rng(seed);
    absl::StatusOr<int> files = FoldBulk(*db_, log, &projection, bulk_name, &rng);
    ASSERT_TRUE(files.ok()) << "seed " << seed << ": " << files.status();
    if (*files >= 2) ++several_files;
    const auto plain_state = GenerationState(*db_, plain_name, 0);
    ASSERT_FALSE(plain_state.empty());
    ASSERT_EQ(GenerationState(*db_, bulk_name, 1), plain_state) << "seed " << seed;
  }
  // The tiny buffer did split most histories into several files.
  EXPECT_GT(several_files, kHistoryCases / 2);
}

}  // namespace
}  // namespace stakeledger::storage
