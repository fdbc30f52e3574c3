// The single writer behind EventLog: concurrent appends and the bounded
// append queue.
#include "storage/writer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/event_log.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::Event;
using ::stakeledger::storage::testing::Events;
using ::stakeledger::storage::testing::Iota;
using ::stakeledger::storage::testing::IsOk;
using ::stakeledger::storage::testing::PositionsOf;
using ::stakeledger::storage::testing::Request;
using ::stakeledger::storage::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr auto kWaitMax = std::chrono::seconds(20);

// Results of asynchronous appends, keyed by a request number.
class Results {
 public:
  AppendDone Callback(int request) {
    return [this, request](absl::StatusOr<v1::AppendResponse> result) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!result.ok()) ++refused_;
      results_.emplace(request, std::move(result));
      changed_.notify_all();
    };
  }
  // Waits until `count` results are in; false after kWaitMax.
  bool WaitForCount(size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kWaitMax, [&] { return results_.size() >= count; });
  }
  bool WaitForRefusal() {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kWaitMax, [&] { return refused_ > 0; });
  }
  // The result of `request` if it is in: refusals are in as soon as
  // Append returns.
  std::optional<absl::Status> Find(int request) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = results_.find(request);
    if (it == results_.end()) return std::nullopt;
    return it->second.status();
  }
  std::map<int, absl::StatusOr<v1::AppendResponse>> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(results_);
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<int, absl::StatusOr<v1::AppendResponse>> results_;
  size_t refused_ = 0;
};

class WriterTest : public testing::EventLogTest {
 protected:
  WriterTest() { limits_.append_queue_requests_max = 4; }

  // Blocks the writer thread inside the done callback of one append, so
  // that the queue fills deterministically. The writer is released by
  // ReleaseWriter or, at the latest, when `release_` goes away.
  void BlockWriter() {
    auto entered = std::make_shared<std::promise<void>>();
    std::future<void> entered_future = entered->get_future();
    std::shared_future<void> release = release_.get_future().share();
    log_->Append(Request("blocker", Events(1)),
                 [entered, release](absl::StatusOr<v1::AppendResponse> result) {
                   EXPECT_THAT(result, IsOk());
                   entered->set_value();
                   release.wait();
                 });
    ASSERT_EQ(entered_future.wait_for(kWaitMax), std::future_status::ready);
  }
  void ReleaseWriter() {
    if (released_) return;
    released_ = true;
    release_.set_value();
  }
  void TearDown() override { ReleaseWriter(); }

  // Expects every accepted append in `results` to be in the log with the
  // payload it was sent with ("<request>").
  void ExpectAcceptedAreReadable(const std::map<int, absl::StatusOr<v1::AppendResponse>>& results);

  std::promise<void> release_;
  bool released_ = false;
};

void WriterTest::ExpectAcceptedAreReadable(
    const std::map<int, absl::StatusOr<v1::AppendResponse>>& results) {
  std::map<uint64_t, std::string> payload_at;
  for (const v1::RecordedEvent& event : ReadAll()) payload_at[event.position()] = event.payload();
  for (const auto& [request, result] : results) {
    if (!result.ok()) continue;
    ASSERT_EQ(result->first_position(), result->last_position());
    EXPECT_EQ(payload_at[result->first_position()], absl::StrCat(request))
        << "request " << request << " acknowledged at " << result->first_position();
  }
}

// Default limits: the queue holds every thread's request.
using ConcurrentAppendTest = testing::EventLogTest;

TEST_F(ConcurrentAppendTest, AppendsGetDenseUniquePositionsAndRevisions) {
  constexpr int kThreads = 8;
  constexpr int kAppendsPerThread = 200;
  std::vector<std::vector<v1::AppendResponse>> responses(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &responses] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        // Half to the thread's own stream, half to one all threads share.
        const std::string stream = i % 2 == 0 ? absl::StrCat("own-", t) : "shared";
        absl::StatusOr<v1::AppendResponse> response =
            log_->AppendAndWait(Request(stream, Events(1 + i % 3)));
        EXPECT_THAT(response, IsOk());
        if (response.ok()) responses[t].push_back(*response);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<uint64_t> acknowledged;
  for (const auto& per_thread : responses) {
    for (const v1::AppendResponse& response : per_thread) {
      for (uint64_t p = response.first_position(); p <= response.last_position(); ++p) {
        acknowledged.push_back(p);
      }
    }
  }
  std::sort(acknowledged.begin(), acknowledged.end());
  const uint64_t total = acknowledged.size();
  EXPECT_THAT(acknowledged, ElementsAreArray(Iota(1, total)));  // dense, no duplicates
  EXPECT_EQ(log_->head_position(), total);

  const std::vector<v1::RecordedEvent> events = ReadAll();
  EXPECT_THAT(PositionsOf(events), ElementsAreArray(Iota(1, total)));
  std::map<std::string, uint64_t> next_revision;
  for (const v1::RecordedEvent& event : events) {
    EXPECT_EQ(event.revision(), next_revision[event.stream()]++)
        << event.stream() << " at position " << event.position();
  }
  EXPECT_EQ(next_revision.size(), static_cast<size_t>(kThreads + 1));
}

TEST_F(WriterTest, FullQueueRefusesWithResourceExhausted) {
  ASSERT_NO_FATAL_FAILURE(BlockWriter());
  Results results;
  constexpr int kSubmitted = 10;
  for (int i = 0; i < kSubmitted; ++i) {
    log_->Append(Request("a", {Event("t", absl::StrCat(i))}), results.Callback(i));
  }
  // While the writer is stuck, exactly the queue's capacity is accepted.
  ASSERT_TRUE(results.WaitForCount(kSubmitted - limits_.append_queue_requests_max));
  ReleaseWriter();
  ASSERT_TRUE(results.WaitForCount(kSubmitted));

  const auto all = results.Take();
  int accepted = 0;
  for (const auto& [request, result] : all) {
    if (result.ok()) {
      ++accepted;
      EXPECT_LT(request, 4) << "the first requests fill the queue";
    } else {
      EXPECT_THAT(result, StatusIs(absl::StatusCode::kResourceExhausted,
                                   HasSubstr("append_queue_requests_max=4")));
    }
  }
  EXPECT_EQ(accepted, 4);
  EXPECT_EQ(log_->head_position(), 1u + accepted);  // the blocker and the accepted
  ExpectAcceptedAreReadable(all);
}

TEST_F(WriterTest, FloodNeverLosesAnAcceptedAppend) {
  // Start with a stuck writer so that the flood is sure to hit a full queue,
  // then let it run while the flood goes on.
  ASSERT_NO_FATAL_FAILURE(BlockWriter());
  Results results;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &results] {
      for (int i = 0; i < kPerThread; ++i) {
        const int request = t * kPerThread + i;
        log_->Append(Request(absl::StrCat("flood-", t), {Event("t", absl::StrCat(request))}),
                     results.Callback(request));
      }
    });
  }
  EXPECT_TRUE(results.WaitForRefusal());
  ReleaseWriter();
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(results.WaitForCount(kThreads * kPerThread));

  const auto all = results.Take();
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  uint64_t accepted = 0;
  uint64_t refused = 0;
  for (const auto& [request, result] : all) {
    if (result.ok()) {
      ++accepted;
    } else {
      ++refused;
      EXPECT_THAT(result, StatusIs(absl::StatusCode::kResourceExhausted,
                                   HasSubstr("append_queue_requests_max")));
    }
  }
  EXPECT_EQ(accepted + refused, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_GE(refused, 1u);
  EXPECT_GE(accepted, 1u);
  EXPECT_EQ(log_->head_position(), 1 + accepted);
  EXPECT_THAT(PositionsOf(ReadAll()), ElementsAreArray(Iota(1, 1 + accepted)));
  ExpectAcceptedAreReadable(all);
}

// Requests queued behind a stuck writer are sequenced as one group commit,
// each seeing the effects of the ones before it.
TEST_F(WriterTest, RetryInTheSameBatchIsAReplayOfTheOriginal) {
  ASSERT_NO_FATAL_FAILURE(BlockWriter());
  Results results;
  const std::string id = testing::Uuid(1);
  log_->Append(Request("a", {Event("t", "x", id)}), results.Callback(0));
  log_->Append(Request("a", {Event("t", "x", id)}), results.Callback(1));
  log_->Append(Request("a", {Event("t", "other", id)}), results.Callback(2));
  ReleaseWriter();
  ASSERT_TRUE(results.WaitForCount(3));
  const auto all = results.Take();
  ASSERT_THAT(all.at(0), IsOk());
  ASSERT_THAT(all.at(1), IsOk());
  EXPECT_FALSE(all.at(0)->idempotent_replay());
  EXPECT_TRUE(all.at(1)->idempotent_replay());
  EXPECT_EQ(all.at(1)->first_position(), all.at(0)->first_position());
  EXPECT_THAT(all.at(2), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr(id)));
  EXPECT_EQ(log_->head_position(), 2u);  // the blocker and one event
}

TEST_F(WriterTest, ExpectedRevisionsInOneBatchSeeEarlierRequests) {
  ASSERT_NO_FATAL_FAILURE(BlockWriter());
  Results results;
  log_->Append(Request("x", testing::Events(2), testing::NoStream()), results.Callback(0));
  log_->Append(Request("x", testing::Events(1), testing::NoStream()), results.Callback(1));
  log_->Append(Request("x", testing::Events(1), testing::Exact(0)), results.Callback(2));
  log_->Append(Request("x", testing::Events(1), testing::Exact(1)), results.Callback(3));
  ReleaseWriter();
  ASSERT_TRUE(results.WaitForCount(4));
  const auto all = results.Take();
  ASSERT_THAT(all.at(0), IsOk());
  EXPECT_THAT(all.at(1), StatusIs(absl::StatusCode::kFailedPrecondition,
                                  HasSubstr("'x' is at revision 1, expected no stream")));
  EXPECT_THAT(all.at(2), StatusIs(absl::StatusCode::kFailedPrecondition,
                                  HasSubstr("'x' is at revision 1, expected revision 0")));
  ASSERT_THAT(all.at(3), IsOk());
  // The refused requests leave no hole: positions stay dense.
  EXPECT_EQ(all.at(0)->first_position(), 2u);
  EXPECT_EQ(all.at(3)->first_position(), 4u);
  EXPECT_EQ(all.at(3)->first_revision(), 2u);
  EXPECT_THAT(PositionsOf(ReadAll()), ElementsAreArray(Iota(1, 4)));
  EXPECT_EQ(Head("x").last_revision, 2u);
}

class SmallWriterBatchTest : public WriterTest {
 protected:
  SmallWriterBatchTest() { limits_.writer_batch_events_max = 3; }
};

TEST_F(SmallWriterBatchTest, RequestsSplitAcrossBatchesStayDenseAndOrdered) {
  ASSERT_NO_FATAL_FAILURE(BlockWriter());
  Results results;
  // 2 + 2 events do not fit one batch of 3; 5 events alone exceed it.
  log_->Append(Request("a", testing::Events(2)), results.Callback(0));
  log_->Append(Request("a", testing::Events(2)), results.Callback(1));
  log_->Append(Request("a", testing::Events(5)), results.Callback(2));
  ReleaseWriter();
  ASSERT_TRUE(results.WaitForCount(3));
  const auto all = results.Take();
  for (int i = 0; i < 3; ++i) ASSERT_THAT(all.at(i), IsOk()) << "request " << i;
  EXPECT_EQ(all.at(0)->first_position(), 2u);
  EXPECT_EQ(all.at(1)->first_position(), 4u);
  EXPECT_EQ(all.at(2)->first_position(), 6u);
  EXPECT_EQ(all.at(2)->last_position(), 10u);
  EXPECT_EQ(all.at(2)->first_revision(), 4u);
  EXPECT_THAT(PositionsOf(ReadAll()), ElementsAreArray(Iota(1, 10)));
}

TEST_F(WriterTest, ShutdownCommitsWhatWasQueuedAndRefusesTheRest) {
  ASSERT_NO_FATAL_FAILURE(BlockWriter());
  Results results;
  int submitted = 0;
  for (; submitted < 3; ++submitted) {
    log_->Append(Request("a", {Event("t", absl::StrCat(submitted))}), results.Callback(submitted));
  }
  std::thread shutdown([this] { log_->Shutdown(); });
  // Probe until the log refuses as shut down, so that the writer is
  // released only once Shutdown has begun. Probes taken before that stay
  // queued and must be committed too.
  bool refusing = false;
  const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
  while (!refusing && std::chrono::steady_clock::now() < deadline) {
    const int probe = submitted++;
    log_->Append(Request("a", {Event("t", absl::StrCat(probe))}), results.Callback(probe));
    const std::optional<absl::Status> refusal = results.Find(probe);
    if (!refusal.has_value()) continue;  // queued
    refusing = refusal->code() == absl::StatusCode::kUnavailable;
    if (!refusing) {
      EXPECT_EQ(refusal->code(), absl::StatusCode::kResourceExhausted) << *refusal;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ReleaseWriter();
  shutdown.join();
  ASSERT_TRUE(refusing);
  ASSERT_TRUE(results.WaitForCount(submitted));

  const auto all = results.Take();
  uint64_t accepted = 0;
  for (const auto& [request, result] : all) {
    if (result.ok()) ++accepted;
    if (request < 3) {
      EXPECT_THAT(result, IsOk()) << "request " << request;
    }
  }
  EXPECT_THAT(all.at(submitted - 1),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
  EXPECT_EQ(log_->head_position(), 1 + accepted);
  ExpectAcceptedAreReadable(all);
}

}  // namespace
}  // namespace stakeledger::storage
