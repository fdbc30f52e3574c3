// ProjectionEngine::Rebuild on the stake-ownership projection: the rebuilt
// generation answers as the live one did, the live one keeps answering
// during the rebuild, and a rebuild interrupted by Stop leaves the live
// generation intact and is discarded on the next start.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/events.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/metadata.h"
#include "storage/projection_engine.h"
#include "storage/random_history.h"
#include "storage/stake_projection.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

using testing::Event;
using testing::EventLogTest;

constexpr absl::Duration kWait = absl::Seconds(20);
constexpr int kAnnouncements = 3000;
constexpr int kHolders = 3;
constexpr int kTargets = 4;
constexpr int kAsOfDays[] = {20101231, 20130630, 20161231, 20200101};
// A rebuild buffer this small writes the shadow in many files, a few
// chunks each, so that a rebuild held up halfway has written some.
constexpr size_t kSmallBufferBytes = 64 << 10;

std::string Holder(int i) { return absl::StrCat("h", i); }
std::string Target(int i) { return absl::StrCat("t", i); }

// Stake changes over the pairs, every 50th retracting an earlier one.
v1::ProposedEvent Announcement(int i) {
  v1::Announcement announcement;
  announcement.set_announcement_id(absl::StrCat("a", i));
  const std::string date =
      absl::StrFormat("%04d-%02d-%02d", 2010 + i * 10 / kAnnouncements, 1 + i % 12, 1 + i % 28);
  announcement.set_announced_date(date);
  v1::Fact* fact = announcement.add_facts();
  fact->set_quote(absl::StrCat("quote ", i));
  if (i % 50 == 49) {
    v1::Correction* correction = fact->mutable_correction();
    correction->set_announcement_id(absl::StrCat("a", i - 7));
    correction->set_action(v1::Correction::RETRACT);
  } else {
    v1::StakeChange* change = fact->mutable_stake_change();
    change->set_holder(Holder(i % kHolders));
    change->set_target(Target(i % kTargets));
    change->mutable_resulting_stake()->set_ppm((i * 7919) % 1000000);
    change->set_effective_date(date);
  }
  return Event(domain::kAnnouncementEventType, domain::ToPayloadJson(announcement));
}

// The stake-ownership fold, with a gate: once armed, the Apply of the
// event at the gate's position waits until the gate is opened.
class GatedProjection : public Projection {
 public:
  absl::string_view name() const override { return inner_.name(); }
  uint32_t layout_version() const override { return inner_.layout_version(); }
  absl::Status Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (armed_ && event.position() == gate_position_) {
        reached_ = true;
        changed_.notify_all();
        changed_.wait(lock, [this] { return open_; });
      }
    }
    return inner_.Apply(event, txn);
  }
  void Arm(uint64_t position) {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = true;
    gate_position_ = position;
  }
  void WaitReached() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return reached_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  StakeOwnershipProjection inner_;
  std::mutex mu_;
  std::condition_variable changed_;
  bool armed_ = false;
  bool reached_ = false;
  bool open_ = false;
  uint64_t gate_position_ = 0;
};

class ProjectionRebuildTest : public EventLogTest, public ::testing::WithParamInterface<size_t> {
 protected:
  void AppendAnnouncements(int first, int count) {
    for (int i = first; i < first + count;) {
      std::vector<v1::ProposedEvent> batch;
      for (; i < first + count && batch.size() < 100; ++i) batch.push_back(Announcement(i));
      AppendOk("announcements", std::move(batch));
    }
  }
  // Every pair's stake and every cap table at a few dates, as text.
  std::vector<std::string> Answers(uint64_t known_at) {
    std::vector<std::string> answers;
    for (int day : kAsOfDays) {
      for (int h = 0; h < kHolders; ++h) {
        for (int t = 0; t < kTargets; ++t) {
          auto answer = QueryStake(log_->database(), Holder(h), Target(t), day, known_at);
          EXPECT_TRUE(answer.ok()) << answer.status();
          if (!answer.ok()) continue;
          answers.push_back(
              absl::StrCat(day, " ", h, " ", t, " ",
                           answer->ppm.has_value() ? absl::StrCat(*answer->ppm) : "none", " ",
                           answer->governing.announcement_id()));
        }
      }
      for (int t = 0; t < kTargets; ++t) {
        auto holders = QueryHolders(log_->database(), Target(t), day, known_at);
        EXPECT_TRUE(holders.ok());
        if (!holders.ok()) continue;
        std::string line = absl::StrCat(day, " holders of ", t, ":");
        for (const StakeHolding& holding : *holders) absl::StrAppend(&line, " ", holding.other);
        answers.push_back(line);
      }
    }
    return answers;
  }
  uint64_t ActiveGeneration() {
    auto generation =
        ReadActiveGeneration(log_->database(), kStakeOwnershipProjection, rocksdb::ReadOptions());
    EXPECT_TRUE(generation.ok());
    return generation.value_or(0);
  }
  // The LSM levels holding files with keys of one generation.
  int LevelsHolding(uint64_t generation) {
    const std::string begin = ProjectionPrefix(kStakeOwnershipProjection, generation);
    const std::string end = ProjectionPrefix(kStakeOwnershipProjection, generation + 1);
    rocksdb::ColumnFamilyMetaData meta;
    log_->database().db()->GetColumnFamilyMetaData(log_->database().projections(), &meta);
    int levels = 0;
    for (const rocksdb::LevelMetaData& level : meta.levels) {
      for (const rocksdb::SstFileMetaData& file : level.files) {
        if (file.largestkey >= begin && file.smallestkey < end) {
          ++levels;
          break;
        }
      }
    }
    return levels;
  }
  // Adds stake-ownership to `engine`, waits until it is at the head and
  // its start's reclaim is done, and rebuilds it.
  void FoldThenRebuild(ProjectionEngine* engine) {
    engine->Add(std::make_unique<StakeOwnershipProjection>());
    ASSERT_TRUE(engine->WaitFor(kStakeOwnershipProjection, log_->head_position(), kWait));
    engine->WaitForReclaim();
    ASSERT_TRUE(
        engine->Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; })
            .ok());
  }
  // The number of keys of one generation.
  int KeysOf(uint64_t generation) {
    const std::string prefix = ProjectionPrefix(kStakeOwnershipProjection, generation);
    std::unique_ptr<rocksdb::Iterator> it(
        log_->database().db()->NewIterator(rocksdb::ReadOptions(), log_->database().projections()));
    int keys = 0;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++keys;
    return keys;
  }
};

// Parameter: the rebuild buffer's limit (one file at the end, or many).
TEST_P(ProjectionRebuildTest, RebuildAnswersAsLiveAndLiveAnswersThroughout) {
  AppendAnnouncements(0, kAnnouncements);
  const uint64_t head = log_->head_position();
  ProjectionEngine engine(log_.get(), GetParam());
  auto owned = std::make_unique<GatedProjection>();
  GatedProjection* gated = owned.get();
  engine.Add(std::move(owned));
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
  const std::vector<std::string> before = Answers(kKnownAtHead);
  const std::vector<std::string> before_middle = Answers(head / 2);
  const int live_keys = KeysOf(0);
  ASSERT_GT(live_keys, 0);

  gated->Arm(head / 2);
  std::vector<RebuildProgress> reports;
  absl::StatusOr<RebuildProgress> result;
  std::thread rebuild([&] {
    result = engine.Rebuild(kStakeOwnershipProjection, [&](const RebuildProgress& progress) {
      reports.push_back(progress);
      return true;
    });
  });
  gated->WaitReached();
  // Mid-rebuild: status says so, the live generation still answers.
  auto status = engine.StatusOf(kStakeOwnershipProjection);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, ProjectionState::kRebuilding);
  EXPECT_GT(status->rebuild_position, 0u);
  EXPECT_LT(status->rebuild_position, head / 2);
  EXPECT_EQ(status->position, head);
  EXPECT_EQ(Answers(kKnownAtHead), before);
  EXPECT_EQ(engine.Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; })
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  // Live keeps following the log while the shadow is held up.
  AppendAnnouncements(kAnnouncements, 100);
  const uint64_t new_head = log_->head_position();
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, new_head, kWait));
  const std::vector<std::string> after_append = Answers(kKnownAtHead);
  gated->Open();
  rebuild.join();

  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->done);
  EXPECT_GE(result->position, new_head);
  ASSERT_FALSE(reports.empty());
  EXPECT_TRUE(reports.back().done);
  EXPECT_EQ(ActiveGeneration(), 1u);
  EXPECT_EQ(KeysOf(0), 0);
  EXPECT_EQ(Answers(kKnownAtHead), after_append);
  EXPECT_EQ(Answers(head / 2), before_middle);
  status = engine.StatusOf(kStakeOwnershipProjection);
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->state, ProjectionState::kRebuilding);

  // The swapped-in generation follows the log live, each event once.
  AppendAnnouncements(kAnnouncements + 100, 100);
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, log_->head_position(), kWait));
  const std::vector<std::string> live_after = Answers(kKnownAtHead);
  ASSERT_TRUE(
      engine.Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; }).ok());
  EXPECT_EQ(ActiveGeneration(), 2u);
  EXPECT_EQ(KeysOf(1), 0);
  EXPECT_EQ(Answers(kKnownAtHead), live_after);
}

INSTANTIATE_TEST_SUITE_P(Buffers, ProjectionRebuildTest,
                         ::testing::Values(kRebuildBufferBytesMax, kSmallBufferBytes));

// The stake-ownership projection rebuilds through its bulk fold
// (stake_bulk_fold.h): decoded on threads, folded in memory, written as
// sorted runs; with the small buffer, in many steps that read earlier runs
// back. The new generation holds the live one's keys and values exactly.
TEST_P(ProjectionRebuildTest, BulkFoldRebuildWritesTheLiveGenerationsKeys) {
  AppendAnnouncements(0, kAnnouncements);
  const uint64_t head = log_->head_position();
  // Batches of 64 events: with the small buffer the fold writes its runs
  // after nearly every batch, and the corrections read earlier runs back.
  ProjectionEngine engine(log_.get(), GetParam(), kBulkCatchUpLagEventsMin, 64);
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
  const auto live = testing::GenerationState(log_->database(), kStakeOwnershipProjection, 0);
  ASSERT_GT(live.size(), static_cast<size_t>(kAnnouncements));

  std::vector<RebuildProgress> reports;
  auto result = engine.Rebuild(kStakeOwnershipProjection, [&](const RebuildProgress& progress) {
    reports.push_back(progress);
    return true;
  });
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->position, head);
  ASSERT_FALSE(reports.empty());
  EXPECT_TRUE(reports.back().done);
  // Each stage is reported as it begins: the writes, the compaction of
  // several writes (the small buffer), then the switch.
  auto reported = [&](RebuildStage stage) {
    return std::count_if(reports.begin(), reports.end(),
                         [stage](const RebuildProgress& p) { return p.stage == stage; });
  };
  EXPECT_GE(reported(RebuildStage::kWriting), 1);
  EXPECT_EQ(reported(RebuildStage::kCompacting) > 0, GetParam() == kSmallBufferBytes);
  EXPECT_EQ(reports.back().stage, RebuildStage::kSwitching);
  // With the small buffer the fold writes and goes on folding: it says so
  // at once, not "writing" until the next write.
  const auto first_write =
      std::find_if(reports.begin(), reports.end(),
                   [](const RebuildProgress& p) { return p.stage == RebuildStage::kWriting; });
  const bool folded_after_a_write =
      std::any_of(first_write, reports.end(),
                  [](const RebuildProgress& p) { return p.stage == RebuildStage::kFolding; });
  EXPECT_EQ(folded_after_a_write, GetParam() == kSmallBufferBytes);
  // The keys written only grow, to every key of the new generation in one
  // write (its checkpoint included), and more in many (each write has its
  // checkpoint, and a record read back is written again).
  for (size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].index_keys_written, reports[i - 1].index_keys_written) << i;
  }
  if (GetParam() == kSmallBufferBytes) {
    EXPECT_GT(reports.back().index_keys_written, live.size());
  } else {
    EXPECT_EQ(reports.back().index_keys_written, live.size());
  }
  EXPECT_EQ(ActiveGeneration(), 1u);
  EXPECT_EQ(testing::GenerationState(log_->database(), kStakeOwnershipProjection, 1), live);
  // Written in one step or many, the new generation sits in one level
  // (many writes are compacted into one run before the swap).
  EXPECT_EQ(LevelsHolding(1), 1);

  // The rebuilt generation follows the log live, to the state a rebuild
  // of the longer log writes.
  AppendAnnouncements(kAnnouncements, 100);
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, log_->head_position(), kWait));
  const auto followed = testing::GenerationState(log_->database(), kStakeOwnershipProjection, 1);
  EXPECT_GT(followed.size(), live.size());
  ASSERT_TRUE(
      engine.Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; }).ok());
  EXPECT_EQ(testing::GenerationState(log_->database(), kStakeOwnershipProjection, 2), followed);
}

TEST_F(ProjectionRebuildTest, StopMidRebuildLeavesLiveIntactAndRestartDiscardsShadow) {
  AppendAnnouncements(0, kAnnouncements);
  const uint64_t head = log_->head_position();
  std::vector<std::string> before;
  {
    ProjectionEngine engine(log_.get(), kSmallBufferBytes);
    auto owned = std::make_unique<GatedProjection>();
    GatedProjection* gated = owned.get();
    engine.Add(std::move(owned));
    ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
    before = Answers(kKnownAtHead);
    gated->Arm(head / 2);
    absl::StatusOr<RebuildProgress> result;
    std::thread rebuild([&] {
      result =
          engine.Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; });
    });
    gated->WaitReached();
    EXPECT_GT(KeysOf(1), 0);  // the shadow has been written to
    std::thread stopper([&] { engine.Stop(); });
    absl::SleepFor(absl::Milliseconds(100));  // Stop has marked the engine stopping
    gated->Open();
    stopper.join();
    rebuild.join();
    EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled) << result.status();
    EXPECT_EQ(ActiveGeneration(), 0u);
    EXPECT_EQ(Answers(kKnownAtHead), before);
  }
  // Restart: the live generation is still the active one, any shadow is
  // gone, and a new rebuild completes.
  ProjectionEngine engine(log_.get(), kSmallBufferBytes);
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
  EXPECT_EQ(ActiveGeneration(), 0u);
  EXPECT_EQ(KeysOf(1), 0);
  EXPECT_EQ(Answers(kKnownAtHead), before);
  ASSERT_TRUE(
      engine.Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; }).ok());
  EXPECT_EQ(ActiveGeneration(), 1u);
  EXPECT_EQ(Answers(kKnownAtHead), before);
}

// A stop cancels the reclaim of a deleted generation (or leaves a
// shadow): the next start finds files in the ranges of generations other
// than the active one and compacts them away, so the disk does not keep
// them until ordinary compaction happens to get there. Answers unchanged.
TEST_F(ProjectionRebuildTest, AStartCompactsAwayTheFilesOfDeletedGenerations) {
  AppendAnnouncements(0, kAnnouncements);
  const uint64_t head = log_->head_position();
  std::vector<std::string> before;
  {
    ProjectionEngine engine(log_.get());
    engine.Add(std::make_unique<StakeOwnershipProjection>());
    ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
    before = Answers(kKnownAtHead);
  }
  // What a stale shadow leaves: keys of generation 7, flushed into files.
  const Database& db = log_->database();
  const std::string stale = ProjectionPrefix(kStakeOwnershipProjection, 7);
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(db.db()
                    ->Put(rocksdb::WriteOptions(), db.projections(), absl::StrCat(stale, "k", i),
                          std::string(100, 'v'))
                    .ok());
  }
  ASSERT_TRUE(db.db()->Flush(rocksdb::FlushOptions(), db.projections()).ok());
  const auto others = OtherGenerationRanges(kStakeOwnershipProjection, 0);
  ASSERT_GT(StoredBytes(db, others), 0u);

  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  engine.WaitForReclaim();
  EXPECT_EQ(StoredBytes(db, others), 0u);
  EXPECT_EQ(KeysOf(7), 0);
  EXPECT_EQ(ActiveGeneration(), 0u);
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
  EXPECT_EQ(Answers(kKnownAtHead), before);
}

// A bulk catch-up writes when its buffer fills (here only at the end):
// until then the status says how far it has folded, beside the position
// queries see, so that an operator sees it move.
TEST_F(ProjectionRebuildTest, BulkCatchUpReportsHowFarItFoldedBeforeItWrites) {
  AppendAnnouncements(0, kAnnouncements);
  const uint64_t head = log_->head_position();
  // In the second chunk: the last chunk's worth of events goes the
  // ordinary way (CatchUpInBulk).
  const uint64_t gate = kProjectionChunkEventsMax + kProjectionChunkEventsMax / 2;
  ASSERT_LT(gate + kProjectionChunkEventsMax, head);
  ProjectionEngine engine(log_.get(), kRebuildBufferBytesMax, /*bulk_catch_up_lag_events_min=*/1);
  auto owned = std::make_unique<GatedProjection>();
  GatedProjection* gated = owned.get();
  gated->Arm(gate);
  engine.Add(std::move(owned));
  gated->WaitReached();
  const auto folding = engine.StatusOf(kStakeOwnershipProjection);
  ASSERT_TRUE(folding.ok());
  EXPECT_EQ(folding->state, ProjectionState::kCatchingUp);
  EXPECT_EQ(folding->position, 0u);
  EXPECT_GE(folding->folded_position, kProjectionChunkEventsMax);
  EXPECT_LT(folding->folded_position, gate);
  gated->Open();
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
  const auto done = engine.StatusOf(kStakeOwnershipProjection);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->position, head);
  EXPECT_EQ(done->folded_position, 0u);
}

// The writes of the projections family in its active memtable (since
// the last flush).
uint64_t MemtableEntries(const Database& db) {
  uint64_t entries = 0;
  EXPECT_TRUE(
      db.db()->GetIntProperty(db.projections(), "rocksdb.num-entries-active-mem-table", &entries));
  return entries;
}

// A projection far behind the head (here: its state deleted, as for a
// projection added to an existing log) catches up in bulk, as ingested
// files rather than through the memtable, and answers as the plain
// catch-up did; then it follows the log live.
TEST_F(ProjectionRebuildTest, FarBehindProjectionCatchesUpInBulkAndAnswersTheSame) {
  AppendAnnouncements(0, kAnnouncements);
  const uint64_t head = log_->head_position();
  const Database& db = log_->database();
  std::vector<std::string> before;
  uint64_t plain_entries = 0;
  {
    ASSERT_TRUE(db.db()->Flush(rocksdb::FlushOptions(), db.projections()).ok());
    ProjectionEngine engine(log_.get());
    engine.Add(std::make_unique<StakeOwnershipProjection>());
    ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
    before = Answers(kKnownAtHead);
    plain_entries = MemtableEntries(db);
  }
  const int keys = KeysOf(0);
  ASSERT_TRUE(DeleteGeneration(db, kStakeOwnershipProjection, 0).ok());
  ASSERT_EQ(KeysOf(0), 0);
  ASSERT_TRUE(db.db()->Flush(rocksdb::FlushOptions(), db.projections()).ok());
  ProjectionEngine engine(log_.get(), kSmallBufferBytes, /*bulk_catch_up_lag_events_min=*/2000);
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, head, kWait));
  EXPECT_EQ(Answers(kKnownAtHead), before);
  EXPECT_EQ(KeysOf(0), keys);
  // Only the last events (under a chunk) went through the memtable.
  EXPECT_LT(MemtableEntries(db), plain_entries / 2);
  AppendAnnouncements(kAnnouncements, 100);
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, log_->head_position(), kWait));
  auto checkpoint = ReadCheckpoint(db, kStakeOwnershipProjection, 0);
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, log_->head_position());
}

// The bytes of SST files within one generation's key range.
uint64_t GenerationFileBytes(const Database& db, uint64_t generation) {
  const std::string begin = ProjectionPrefix(kStakeOwnershipProjection, generation);
  const std::string end = ProjectionPrefix(kStakeOwnershipProjection, generation + 1);
  rocksdb::Range range(begin, end);
  rocksdb::SizeApproximationOptions options;
  options.include_files = true;
  options.include_memtables = false;
  options.files_size_error_margin = 0;
  uint64_t bytes = 0;
  EXPECT_TRUE(db.db()->GetApproximateSizes(options, db.projections(), &range, 1, &bytes).ok());
  return bytes;
}

// DeleteRange alone leaves the old generation's files on disk until
// compaction reaches them; the reclaim after the swap drops them.
TEST_F(ProjectionRebuildTest, RebuildReclaimsTheOldGenerationsFiles) {
  AppendAnnouncements(0, kAnnouncements);
  ProjectionEngine engine(log_.get(), kSmallBufferBytes);
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, log_->head_position(), kWait));
  const Database& db = log_->database();
  ASSERT_TRUE(db.db()->Flush(rocksdb::FlushOptions(), db.projections()).ok());
  const uint64_t old_generation = ActiveGeneration();
  ASSERT_GT(GenerationFileBytes(db, old_generation), 0u);
  const std::vector<std::string> before = Answers(log_->head_position());

  ASSERT_TRUE(
      engine.Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; }).ok());
  engine.WaitForReclaim();
  EXPECT_EQ(KeysOf(old_generation), 0);
  EXPECT_EQ(GenerationFileBytes(db, old_generation), 0u);
  EXPECT_GT(GenerationFileBytes(db, ActiveGeneration()), 0u);
  EXPECT_EQ(Answers(log_->head_position()), before);
}

// The SST files holding keys of one generation, by level.
std::vector<std::pair<int, std::string>> GenerationFiles(const Database& db, uint64_t generation) {
  const std::string begin = ProjectionPrefix(kStakeOwnershipProjection, generation);
  const std::string end = ProjectionPrefix(kStakeOwnershipProjection, generation + 1);
  rocksdb::ColumnFamilyMetaData meta;
  db.db()->GetColumnFamilyMetaData(db.projections(), &meta);
  std::vector<std::pair<int, std::string>> files;
  for (const rocksdb::LevelMetaData& level : meta.levels) {
    for (const rocksdb::SstFileMetaData& file : level.files) {
      if (file.largestkey >= begin && file.smallestkey < end) {
        files.emplace_back(level.level, file.name);
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// After a restart, a rebuild's files still go below level 0 (a start
// writes no tombstone over the next generation's empty range, which the
// files would overlap), and the reclaim of the old generation drops its
// files without compacting the new generation's: they stay as ingested.
TEST_F(ProjectionRebuildTest, ARebuildAfterARestartStaysAsIngestedThroughTheReclaim) {
  AppendAnnouncements(0, kAnnouncements);
  const Database& db = log_->database();
  {
    ProjectionEngine engine(log_.get());
    ASSERT_NO_FATAL_FAILURE(FoldThenRebuild(&engine));
    engine.WaitForReclaim();
  }
  ASSERT_EQ(ActiveGeneration(), 1u);
  const std::vector<std::string> before = Answers(kKnownAtHead);

  ProjectionEngine engine(log_.get());
  ASSERT_NO_FATAL_FAILURE(FoldThenRebuild(&engine));
  ASSERT_EQ(ActiveGeneration(), 2u);
  // Taken before the reclaim of generation 1 runs its course.
  const auto ingested = GenerationFiles(db, 2);
  ASSERT_FALSE(ingested.empty());
  for (const auto& [level, name] : ingested) EXPECT_GT(level, 0) << name;
  engine.WaitForReclaim();
  EXPECT_EQ(GenerationFiles(db, 2), ingested);
  EXPECT_EQ(GenerationFileBytes(db, 1), 0u);
  EXPECT_EQ(KeysOf(1), 0);
  EXPECT_EQ(Answers(kKnownAtHead), before);
}

// A reader whose snapshot predates a swap (a cursor opening as the swap
// happens) still reads the old generation whole: the reclaim drops its
// files only once that snapshot is released.
TEST_F(ProjectionRebuildTest, AReaderFromBeforeTheSwapReadsTheOldGenerationWhole) {
  AppendAnnouncements(0, kAnnouncements);
  const Database& db = log_->database();
  ProjectionEngine engine(log_.get());
  // Generation 1 is ingested below level 0, where whole files are dropped.
  ASSERT_NO_FATAL_FAILURE(FoldThenRebuild(&engine));
  engine.WaitForReclaim();
  const int keys = KeysOf(1);
  ASSERT_GT(keys, 0);

  const rocksdb::Snapshot* before_swap = db.db()->GetSnapshot();
  ASSERT_TRUE(
      engine.Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; }).ok());
  ASSERT_EQ(ActiveGeneration(), 2u);
  absl::SleepFor(absl::Milliseconds(300));  // the reclaim is under way
  rocksdb::ReadOptions options;
  options.snapshot = before_swap;
  const std::string prefix = ProjectionPrefix(kStakeOwnershipProjection, 1);
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(options, db.projections()));
  int read = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++read;
  ASSERT_TRUE(it->status().ok());
  EXPECT_EQ(read, keys);
  it.reset();
  db.db()->ReleaseSnapshot(before_swap);
  engine.WaitForReclaim();
  EXPECT_EQ(GenerationFileBytes(db, 1), 0u);
}

// Folded event by event, a generation lies in several sorted runs (here
// level-0 files, one per flush); once the projection has been idle long
// enough, it is compacted into one, and answers as before.
TEST_F(ProjectionRebuildTest, AnIdleProjectionSettlesIntoOneLevel) {
  const Database& db = log_->database();
  ProjectionEngine engine(log_.get());
  SettleOptions settle;
  settle.idle = absl::Milliseconds(300);
  settle.upper_bytes_min = 0;
  settle.upper_share_divisor = 1000;
  engine.set_settle_options(settle);
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  constexpr int kBursts = 3;
  for (int burst = 0; burst < kBursts; ++burst) {
    AppendAnnouncements(burst * kAnnouncements / kBursts, kAnnouncements / kBursts);
    ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, log_->head_position(), kWait));
    ASSERT_TRUE(db.db()->Flush(rocksdb::FlushOptions(), db.projections()).ok());
  }
  const std::vector<std::string> before = Answers(kKnownAtHead);
  // Each flush wrote a level-0 file, unless a settle came between.
  ASSERT_GE(ShapeOf(db, kStakeOwnershipProjection, 0).sorted_runs, 1);

  const absl::Time deadline = absl::Now() + kWait;
  while (ShapeOf(db, kStakeOwnershipProjection, 0).sorted_runs > 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  const GenerationShape shape = ShapeOf(db, kStakeOwnershipProjection, 0);
  EXPECT_EQ(shape.sorted_runs, 1);
  EXPECT_EQ(shape.upper_bytes, 0u);
  EXPECT_GT(shape.bottom_bytes, 0u);
  EXPECT_EQ(Answers(kKnownAtHead), before);
}

// Without the idle spell (or below the share), nothing settles: the
// shape the flushes left stays.
TEST_F(ProjectionRebuildTest, ABusyOrSettledProjectionIsLeftAlone) {
  const Database& db = log_->database();
  ProjectionEngine engine(log_.get());
  SettleOptions settle;
  settle.upper_bytes_min = uint64_t{1} << 40;
  engine.set_settle_options(settle);
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  for (int burst = 0; burst < 2; ++burst) {
    AppendAnnouncements(burst * kAnnouncements / 2, kAnnouncements / 2);
    ASSERT_TRUE(engine.WaitFor(kStakeOwnershipProjection, log_->head_position(), kWait));
    ASSERT_TRUE(db.db()->Flush(rocksdb::FlushOptions(), db.projections()).ok());
  }
  const GenerationShape shape = ShapeOf(db, kStakeOwnershipProjection, 0);
  EXPECT_EQ(shape.sorted_runs, 2);
  EXPECT_GT(shape.upper_bytes, 0u);
  absl::SleepFor(settle.idle + absl::Milliseconds(500));
  engine.WaitForReclaim();
  EXPECT_EQ(ShapeOf(db, kStakeOwnershipProjection, 0).sorted_runs, 2);
}

TEST_F(ProjectionRebuildTest, UnknownProjectionIsNotFound) {
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  EXPECT_EQ(engine.Rebuild("nope", [](const RebuildProgress&) { return true; }).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace stakeledger::storage
