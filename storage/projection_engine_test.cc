#include "storage/projection_engine.h"

#include <atomic>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "rocksdb/db.h"
#include "storage/stake_projection.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

using testing::Event;
using testing::EventLogTest;

constexpr absl::Duration kWait = absl::Seconds(10);

// Counts the events it folds in one key; fails on payload `fail_on`.
class CountingProjection : public Projection {
 public:
  CountingProjection(std::string name, std::string fail_on = "")
      : name_(std::move(name)), fail_on_(std::move(fail_on)) {}
  absl::string_view name() const override { return name_; }
  absl::Status Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) override {
    auto count = txn->Get("count");
    if (!count.ok()) return count.status();
    int value = 0;
    if (count->has_value() && !absl::SimpleAtoi(**count, &value)) {
      return absl::DataLossError("count");
    }
    // Written before failing, to show that a failed event writes nothing.
    txn->Put("count", absl::StrCat(value + 1));
    if (event.payload() == fail_on_) return absl::InvalidArgumentError("poisoned event");
    return absl::OkStatus();
  }

 private:
  const std::string name_;
  const std::string fail_on_;
};

// Counts only the events of type "counted".
class TypedCountingProjection : public CountingProjection {
 public:
  using CountingProjection::CountingProjection;
  std::vector<std::string> event_types() const override { return {"counted"}; }
  absl::Status Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) override {
    if (event.event_type() != "counted") return absl::InternalError("handed an event of its type");
    return CountingProjection::Apply(event, txn);
  }
};

// CountingProjection in a given layout version.
class VersionedCountingProjection : public CountingProjection {
 public:
  explicit VersionedCountingProjection(uint32_t version)
      : CountingProjection("count"), version_(version) {}
  uint32_t layout_version() const override { return version_; }

 private:
  const uint32_t version_;
};

class ProjectionEngineTest : public EventLogTest {
 protected:
  int Count(absl::string_view name) {
    ProjectionTxn txn(&log_->database(), name);
    auto value = txn.Get("count");
    int count = 0;
    if (value.ok() && value->has_value()) {
      EXPECT_TRUE(absl::SimpleAtoi(**value, &count));
    }
    return count;
  }
  // The count in the active generation, and that generation.
  std::pair<int, uint64_t> ActiveCount(absl::string_view name) {
    auto generation = ReadActiveGeneration(log_->database(), name, rocksdb::ReadOptions());
    EXPECT_TRUE(generation.ok()) << generation.status();
    ProjectionTxn txn(&log_->database(), name, generation.value_or(0));
    auto value = txn.Get("count");
    int count = 0;
    if (value.ok() && value->has_value()) {
      EXPECT_TRUE(absl::SimpleAtoi(**value, &count));
    }
    return {count, generation.value_or(0)};
  }
  // Folds 10 events with layout version `version`, then overwrites the
  // count with 100, so that a resumed fold and a fold from the start of
  // the log end with different counts.
  void FoldTenThenTamper(uint32_t version) {
    AppendOk("s", 10);
    ProjectionEngine engine(log_.get());
    engine.Add(std::make_unique<VersionedCountingProjection>(version));
    ASSERT_TRUE(engine.WaitFor("count", 10, kWait));
    engine.Stop();
    const uint64_t generation = ActiveCount("count").second;
    ASSERT_TRUE(log_->database()
                    .db()
                    ->Put(rocksdb::WriteOptions(), log_->database().projections(),
                          ProjectionPrefix("count", generation) + "count", "100")
                    .ok());
  }
  uint64_t Checkpoint(absl::string_view name) {
    auto checkpoint = ReadCheckpoint(log_->database(), name);
    EXPECT_TRUE(checkpoint.ok());
    return checkpoint.ok() ? *checkpoint : 0;
  }
};

TEST_F(ProjectionEngineTest, CatchesUpThenFollowsLive) {
  AppendOk("s", 10);
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<CountingProjection>("count"));
  ASSERT_TRUE(engine.WaitFor("count", 10, kWait));
  AppendOk("s", 5);
  ASSERT_TRUE(engine.WaitFor("count", 15, kWait));
  EXPECT_EQ(Count("count"), 15);
  EXPECT_EQ(Checkpoint("count"), 15u);
}

TEST_F(ProjectionEngineTest, SameLayoutVersionResumesFromTheCheckpoint) {
  FoldTenThenTamper(1);
  AppendOk("s", 5);
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<VersionedCountingProjection>(1));
  ASSERT_TRUE(engine.WaitFor("count", 15, kWait));
  EXPECT_EQ(ActiveCount("count"), std::make_pair(105, uint64_t{0}));
}

// A build whose projection keeps another layout cannot read the stored
// generation: it folds the whole log again into a fresh one, records the
// new version, and deletes the old generation; the next start resumes.
TEST_F(ProjectionEngineTest, AnotherLayoutVersionFoldsTheLogAgainIntoAFreshGeneration) {
  FoldTenThenTamper(1);
  AppendOk("s", 5);
  {
    ProjectionEngine engine(log_.get());
    engine.Add(std::make_unique<VersionedCountingProjection>(2));
    ASSERT_TRUE(engine.WaitFor("count", 15, kWait));
    EXPECT_EQ(ActiveCount("count"), std::make_pair(15, uint64_t{1}));
    // The status says why it folded again (ledgerd prints it at start).
    const auto status = engine.StatusOf("count");
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(status->layout_version, 2u);
    EXPECT_EQ(status->replaced_layout_version, 1u);
  }
  EXPECT_EQ(ReadLayoutVersion(log_->database(), "count").value_or(0), 2u);
  EXPECT_TRUE(GenerationIsEmpty(log_->database(), "count", 0).value_or(false));
  AppendOk("s", 1);
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<VersionedCountingProjection>(2));
  ASSERT_TRUE(engine.WaitFor("count", 16, kWait));
  EXPECT_EQ(ActiveCount("count"), std::make_pair(16, uint64_t{1}));
  EXPECT_EQ(engine.StatusOf("count")->replaced_layout_version, 0u);
}

// A projection of another layout version than 1 on a new data directory
// folds into generation 0 and records its version there: nothing to fold
// again, and the next start resumes.
TEST_F(ProjectionEngineTest, NewDataDirectoryTakesTheLayoutVersionInGenerationZero) {
  AppendOk("s", 4);
  {
    ProjectionEngine engine(log_.get());
    engine.Add(std::make_unique<VersionedCountingProjection>(3));
    ASSERT_TRUE(engine.WaitFor("count", 4, kWait));
    EXPECT_EQ(ActiveCount("count"), std::make_pair(4, uint64_t{0}));
    EXPECT_EQ(engine.StatusOf("count")->replaced_layout_version, 0u);
  }
  EXPECT_EQ(ReadLayoutVersion(log_->database(), "count").value_or(0), 3u);
  AppendOk("s", 2);
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<VersionedCountingProjection>(3));
  ASSERT_TRUE(engine.WaitFor("count", 6, kWait));
  EXPECT_EQ(ActiveCount("count"), std::make_pair(6, uint64_t{0}));
}

TEST_F(ProjectionEngineTest, RestartResumesFromCheckpointWithoutReapplying) {
  AppendOk("s", 7);
  {
    ProjectionEngine engine(log_.get());
    engine.Add(std::make_unique<CountingProjection>("count"));
    ASSERT_TRUE(engine.WaitFor("count", 7, kWait));
  }
  AppendOk("s", 3);
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<CountingProjection>("count"));
  ASSERT_TRUE(engine.WaitFor("count", 10, kWait));
  EXPECT_EQ(Count("count"), 10);
}

TEST_F(ProjectionEngineTest, StopMidCatchUpThenRestartAppliesEveryEventOnce) {
  for (int i = 0; i < 5; ++i) AppendOk("s", 1000);
  for (int round = 0; round < 3; ++round) {
    ProjectionEngine engine(log_.get());
    engine.Add(std::make_unique<CountingProjection>("count"));
    absl::SleepFor(absl::Milliseconds(2 * round));
  }
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<CountingProjection>("count"));
  ASSERT_TRUE(engine.WaitFor("count", 5000, kWait));
  EXPECT_EQ(Count("count"), 5000);
  EXPECT_EQ(Checkpoint("count"), 5000u);
}

// Engines that catch up in bulk (ingested files, a tiny buffer: a file
// per chunk) from 1,500 events behind.
constexpr size_t kTinyBufferBytes = 256;
constexpr uint64_t kBulkLagEventsMin = 1500;

TEST_F(ProjectionEngineTest, StopMidBulkCatchUpThenRestartAppliesEveryEventOnce) {
  for (int i = 0; i < 5; ++i) AppendOk("s", 1000);
  for (int round = 0; round < 3; ++round) {
    ProjectionEngine engine(log_.get(), kTinyBufferBytes, kBulkLagEventsMin);
    engine.Add(std::make_unique<CountingProjection>("count"));
    absl::SleepFor(absl::Milliseconds(2 * round));
  }
  ProjectionEngine engine(log_.get(), kTinyBufferBytes, kBulkLagEventsMin);
  engine.Add(std::make_unique<CountingProjection>("count"));
  ASSERT_TRUE(engine.WaitFor("count", 5000, kWait));
  EXPECT_EQ(Count("count"), 5000);
  EXPECT_EQ(Checkpoint("count"), 5000u);
}

TEST_F(ProjectionEngineTest, FailedApplyInBulkCatchUpWritesTheEventsBeforeIt) {
  for (int i = 0; i < 3; ++i) AppendOk("s", 1000);  // payloads "0".."999" each
  ProjectionEngine engine(log_.get(), size_t{1} << 20, kBulkLagEventsMin);
  engine.Add(std::make_unique<CountingProjection>("bad", "700"));
  EXPECT_FALSE(engine.WaitFor("bad", 3000, kWait));
  auto bad = engine.StatusOf("bad");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->state, ProjectionState::kFailed);
  EXPECT_EQ(bad->error_position, 701u);
  EXPECT_EQ(bad->position, 700u);
  EXPECT_EQ(Count("bad"), 700);
  EXPECT_EQ(Checkpoint("bad"), 700u);
}

// A rebuild without a bulk fold reads each chunk while the one before it
// is applied: over several chunks, with events of other types passed over
// and more appended during the rebuild, it counts every event once.
TEST_F(ProjectionEngineTest, EventByEventRebuildAppliesEveryEventOnceAcrossChunks) {
  std::vector<v1::ProposedEvent> events;
  for (int i = 0; i < 3500; ++i) events.push_back(Event(i % 3 == 0 ? "other" : "counted"));
  AppendOk("s", std::move(events));  // three chunks and a half, a third passed over
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<TypedCountingProjection>("typed"));
  ASSERT_TRUE(engine.WaitFor("typed", 3500, kWait));
  ASSERT_EQ(Count("typed"), 3500 - 1167);
  int reports = 0;
  auto rebuilt = engine.Rebuild("typed", [&](const RebuildProgress&) {
    // More events while the rebuild runs: the rebuild catches up on them.
    if (++reports == 1) AppendOk("s", {Event("counted"), Event("other"), Event("counted")});
    return true;
  });
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_GE(rebuilt->position, 3503u);
  ASSERT_TRUE(engine.WaitFor("typed", 3503, kWait));
  const auto [count, generation] = ActiveCount("typed");
  EXPECT_EQ(generation, 1u);
  EXPECT_EQ(count, 3500 - 1167 + 2);
}

// Fails from Arm on: the live fold passes, a rebuild after Arm fails.
class ArmedCountingProjection : public CountingProjection {
 public:
  using CountingProjection::CountingProjection;
  absl::Status Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) override {
    if (armed_.load() && event.payload() == "2600") {
      return absl::InvalidArgumentError("poisoned event");
    }
    return CountingProjection::Apply(event, txn);
  }
  void Arm() { armed_ = true; }

 private:
  std::atomic<bool> armed_{false};
};

TEST_F(ProjectionEngineTest, EventByEventRebuildFailingAtAnEventNamesItAndKeepsTheLive) {
  AppendOk("s", 4000);  // payloads "0".."3999": "2600" is in the third chunk
  ProjectionEngine engine(log_.get());
  auto owned = std::make_unique<ArmedCountingProjection>("armed");
  ArmedCountingProjection* armed = owned.get();
  engine.Add(std::move(owned));
  ASSERT_TRUE(engine.WaitFor("armed", 4000, kWait));
  armed->Arm();
  auto rebuilt = engine.Rebuild("armed", [](const RebuildProgress&) { return true; });
  ASSERT_EQ(rebuilt.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rebuilt.status().message(), "rebuilding 'armed' at position 2601: poisoned event");
  // The live generation answers as before, and stays live.
  const auto [count, generation] = ActiveCount("armed");
  EXPECT_EQ(generation, 0u);
  EXPECT_EQ(count, 4000);
  auto status = engine.StatusOf("armed");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, ProjectionState::kLive);
}

TEST_F(ProjectionEngineTest, ReportsLiveStatusWithNoLag) {
  AppendOk("s", 4);
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<CountingProjection>("count"));
  ASSERT_TRUE(engine.WaitFor("count", 4, kWait));
  // The runner reports live once it finds nothing after position 4.
  absl::StatusOr<ProjectionStatus> status;
  for (int i = 0; i < 200; ++i) {
    status = engine.StatusOf("count");
    if (status.ok() && status->state == ProjectionState::kLive) break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, ProjectionState::kLive);
  EXPECT_EQ(status->lag_events, 0u);
  EXPECT_THAT(engine.StatusOf("nope"), testing::StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ProjectionEngineTest, EventsPerSecondFallsToZeroWhenIdle) {
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<CountingProjection>("count"));
  // Events trickle in, over more than a second, until the rate shows them.
  double busy_rate = 0;
  uint64_t appended = 0;
  for (int i = 0; i < 100 && busy_rate == 0; ++i) {
    AppendOk("s", 1);
    ++appended;
    ASSERT_TRUE(engine.WaitFor("count", appended, kWait));
    busy_rate = engine.StatusOf("count")->events_per_second;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_GT(busy_rate, 0);
  // Nothing more is appended: within a few seconds the rate says so.
  double idle_rate = busy_rate;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (idle_rate != 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    idle_rate = engine.StatusOf("count")->events_per_second;
  }
  EXPECT_EQ(idle_rate, 0);
  EXPECT_EQ(engine.StatusOf("count")->position, appended);
}

TEST_F(ProjectionEngineTest, FailedProjectionReportsPositionAndOthersGoOn) {
  std::vector<v1::ProposedEvent> events = testing::Events(6);  // payloads "0".."5"
  AppendOk("s", std::move(events));
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<CountingProjection>("bad", "3"));
  engine.Add(std::make_unique<CountingProjection>("good"));
  EXPECT_FALSE(engine.WaitFor("bad", 6, kWait));
  ASSERT_TRUE(engine.WaitFor("good", 6, kWait));
  auto bad = engine.StatusOf("bad");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->state, ProjectionState::kFailed);
  EXPECT_EQ(bad->error_position, 4u);  // payload "3" is the fourth event
  EXPECT_EQ(bad->position, 3u);
  EXPECT_EQ(bad->error, "poisoned event");
  // Neither the failed event's state change nor its checkpoint was written.
  EXPECT_EQ(Count("bad"), 3);
  EXPECT_EQ(Checkpoint("bad"), 3u);
  EXPECT_EQ(Count("good"), 6);
}

TEST_F(ProjectionEngineTest, EventsOfOtherTypesAreNotHandedOverButPassed) {
  AppendOk("s", {Event("counted"), Event("other"), Event("counted")});
  AppendOk("s", 3000);  // more than one chunk of other types
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<TypedCountingProjection>("typed"));
  ASSERT_TRUE(engine.WaitFor("typed", 3003, kWait));
  AppendOk("s", {Event("other"), Event("counted")});
  ASSERT_TRUE(engine.WaitFor("typed", 3005, kWait));
  EXPECT_EQ(Count("typed"), 3);
  EXPECT_EQ(Checkpoint("typed"), 3005u);
  auto status = engine.StatusOf("typed");
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->state, ProjectionState::kFailed) << status->error;
}

TEST_F(ProjectionEngineTest, StateAndCheckpointCommitTogetherOrNotAtAll) {
  ProjectionTxn uncommitted(&log_->database(), "txn");
  uncommitted.Put("count", "1");
  EXPECT_EQ(Count("txn"), 0);
  EXPECT_EQ(Checkpoint("txn"), 0u);
  ProjectionTxn txn(&log_->database(), "txn");
  txn.Put("count", "1");
  ASSERT_TRUE(txn.Commit(42).ok());
  EXPECT_EQ(Count("txn"), 1);
  EXPECT_EQ(Checkpoint("txn"), 42u);
}

}  // namespace
}  // namespace stakeledger::storage
