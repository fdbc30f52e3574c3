// Subscriptions through EventLog: catch-up, the switch to live, filters and
// checkpoints, slow consumers, limits and shutdown. Each test drives Next()
// itself and sleeps on the wake callback in between.
#include "storage/subscription.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "storage/event_log.h"
#include "storage/record.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::Event;
using ::stakeledger::storage::testing::Iota;
using ::stakeledger::storage::testing::IsOk;
using ::stakeledger::storage::testing::PositionsOf;
using ::stakeledger::storage::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr auto kWaitMax = std::chrono::seconds(20);
// Bounds the Next() calls of one poll; far above what any test needs.
constexpr int kNextCallsMax = 100'000;

// The subscription's wake callback: remembers that it ran until waited for.
class Waker {
 public:
  std::function<void()> Callback() {
    return [this] {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = true;
      woken_changed_.notify_all();
    };
  }
  // Waits for a wake since the last one consumed; false at the deadline.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    const bool woken = woken_changed_.wait_until(lock, deadline, [this] { return woken_; });
    woken_ = false;
    return woken;
  }

 private:
  std::mutex mu_;
  std::condition_variable woken_changed_;
  bool woken_ = false;
};

// Everything one consumer has received.
struct Received {
  std::vector<v1::RecordedEvent> events;
  std::vector<uint64_t> checkpoints;
  int caught_up_messages = 0;
  // Events received up to and including the first caught-up message.
  size_t events_at_caught_up = 0;
  uint64_t checkpoint_at_caught_up = 0;
};

// One subscriber. Used by one thread at a time.
class Consumer {
 public:
  // REQUIRES: called once, before anything else but waker().
  void Attach(std::shared_ptr<Subscription> subscription) {
    subscription_ = std::move(subscription);
  }

  Subscription& subscription() { return *subscription_; }
  Waker& waker() { return waker_; }
  const Received& received() const { return received_; }

  // Calls Next() until it has nothing to send now.
  absl::Status Poll() {
    for (int i = 0; i < kNextCallsMax; ++i) {
      v1::SubscribeResponse response;
      absl::StatusOr<bool> sent = subscription_->Next(&response);
      if (!sent.ok()) return sent.status();
      if (!*sent) return absl::OkStatus();
      Record(response);
    }
    return absl::DeadlineExceededError("Next() never ran out of messages");
  }

  // Polls, sleeping on wakes in between, until `done` holds. False when it
  // does not hold within kWaitMax.
  bool PollUntil(const std::function<bool(const Received&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
    for (;;) {
      const absl::Status polled = Poll();
      EXPECT_THAT(polled, IsOk());
      if (!polled.ok()) return false;
      if (done(received_)) return true;
      if (!waker_.WaitUntil(deadline)) return done(received_);
    }
  }
  bool PollUntilEvents(size_t count) {
    return PollUntil([count](const Received& r) { return r.events.size() >= count; });
  }
  bool PollUntilCaughtUp() {
    return PollUntil([](const Received& r) { return r.caught_up_messages > 0; });
  }

  void Close() { subscription_->Close(); }

 private:
  void Record(const v1::SubscribeResponse& response) {
    EXPECT_TRUE(response.events_size() > 0 || response.has_checkpoint() || response.caught_up())
        << "Next() returned true with an empty message";
    for (const v1::RecordedEvent& event : response.events()) received_.events.push_back(event);
    if (response.has_checkpoint()) {
      received_.checkpoints.push_back(response.checkpoint().position());
    }
    if (response.caught_up()) {
      if (received_.caught_up_messages == 0) {
        received_.events_at_caught_up = received_.events.size();
        received_.checkpoint_at_caught_up = response.checkpoint().position();
      }
      ++received_.caught_up_messages;
    }
  }

  std::shared_ptr<Subscription> subscription_;
  Waker waker_;
  Received received_;
};

SubscriptionOptions From(uint64_t position) {
  SubscriptionOptions options;
  options.from_position = position;
  return options;
}

SubscriptionOptions Filtered(std::string prefix, uint32_t checkpoint_interval_events) {
  v1::Filter filter;
  filter.set_stream_prefix(std::move(prefix));
  SubscriptionOptions options;
  absl::StatusOr<EventFilter> parsed = EventFilter::FromProto(filter, Limits());
  EXPECT_THAT(parsed, IsOk());
  if (parsed.ok()) options.filter = *parsed;
  options.checkpoint_interval_events = checkpoint_interval_events;
  return options;
}

class SubscriptionTest : public testing::EventLogTest {
 protected:
  // A consumer on a new subscription; closed in TearDown.
  Consumer* Subscribe(SubscriptionOptions options) {
    // The waker must exist before the subscription that calls it.
    auto consumer = std::make_unique<Consumer>();
    absl::StatusOr<std::shared_ptr<Subscription>> subscription =
        log_->Subscribe(std::move(options), consumer->waker().Callback());
    EXPECT_THAT(subscription, IsOk());
    if (!subscription.ok()) return nullptr;
    consumer->Attach(*std::move(subscription));
    std::lock_guard<std::mutex> lock(consumers_mu_);
    consumers_.push_back(std::move(consumer));
    return consumers_.back().get();
  }

  void TearDown() override {
    std::lock_guard<std::mutex> lock(consumers_mu_);
    for (const auto& consumer : consumers_) consumer->Close();
  }

  // Appends `count` single-event requests alternating between streams
  // "a-1" and "b-1", starting with "a-1".
  void AppendAlternating(int count) {
    for (int i = 0; i < count; ++i) AppendOk(i % 2 == 0 ? "a-1" : "b-1", 1);
  }

  std::mutex consumers_mu_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
};

TEST_F(SubscriptionTest, CatchesUpFromTheStartThenFollowsLive) {
  AppendOk("a", 5);
  AppendOk("b", 5);
  Consumer* consumer = Subscribe(From(1));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());
  EXPECT_THAT(PositionsOf(consumer->received().events), ElementsAreArray(Iota(1, 10)));
  EXPECT_EQ(consumer->received().events_at_caught_up, 10u);
  EXPECT_EQ(consumer->received().checkpoint_at_caught_up, 10u);

  AppendOk("a", 3);
  AppendOk("c", 2);
  ASSERT_TRUE(consumer->PollUntilEvents(15));
  EXPECT_THAT(PositionsOf(consumer->received().events), ElementsAreArray(Iota(1, 15)));
  EXPECT_EQ(consumer->received().caught_up_messages, 1);
}

TEST_F(SubscriptionTest, EmptyLogIsCaughtUpAtOnce) {
  Consumer* consumer = Subscribe(From(1));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());
  EXPECT_THAT(consumer->received().events, IsEmpty());
  AppendOk("a", 2);
  ASSERT_TRUE(consumer->PollUntilEvents(2));
  EXPECT_THAT(PositionsOf(consumer->received().events), ElementsAre(1, 2));
}

TEST_F(SubscriptionTest, StartsAtTheRequestedPosition) {
  AppendOk("a", 10);
  Consumer* consumer = Subscribe(From(6));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());
  EXPECT_THAT(PositionsOf(consumer->received().events), ElementsAre(6, 7, 8, 9, 10));
}

TEST_F(SubscriptionTest, FromAFuturePositionSkipsEverythingBeforeIt) {
  AppendOk("a", 10);
  Consumer* consumer = Subscribe(From(13));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());
  EXPECT_THAT(consumer->received().events, IsEmpty());
  AppendOk("a", 5);  // positions 11 to 15
  ASSERT_TRUE(consumer->PollUntilEvents(3));
  EXPECT_THAT(PositionsOf(consumer->received().events), ElementsAre(13, 14, 15));
}

TEST_F(SubscriptionTest, LiveEventsEqualStoredOnesAndCarryVerifiableRecords) {
  AppendOk("a", 3);
  SubscriptionOptions options = From(1);
  options.include_record = true;
  Consumer* consumer = Subscribe(std::move(options));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());
  std::vector<v1::ProposedEvent> live = testing::Events(3);
  (*live[0].mutable_metadata())["k"] = "v";
  AppendOk("b", live);
  ASSERT_TRUE(consumer->PollUntilEvents(6));

  const std::vector<v1::RecordedEvent> stored = ReadAll(false, {}, /*include_record=*/true);
  const std::vector<v1::RecordedEvent>& received = consumer->received().events;
  ASSERT_EQ(received.size(), stored.size());
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(LeafHash(received[i].record()), received[i].leaf_hash()) << " at index " << i;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(received[i], stored[i]))
        << received[i].DebugString() << " vs " << stored[i].DebugString() << " at index " << i;
  }
}

class ConcurrentSubscriptionTest : public SubscriptionTest {
 protected:
  // Small responses: catching up takes many Next() calls, so the switch to
  // live overlaps the appends.
  ConcurrentSubscriptionTest() { limits_.response_events_max = 5; }

  // Appends on one thread while three subscribers, joining at different
  // points, each expect exactly positions 1..N.
  // Returns the consumers for further checks.
  std::vector<Consumer*> ExpectEveryEventOnceWhileAppending() {
    constexpr uint64_t kBefore = 30;
    constexpr int kLiveAppends = 100;
    constexpr uint64_t kLiveEventsPerAppend = 3;
    constexpr uint64_t kTotal = kBefore + kLiveAppends * kLiveEventsPerAppend;
    AppendOk("before", kBefore);

    std::thread appender([this] {
      for (int i = 0; i < kLiveAppends; ++i) {
        AppendOk(absl::StrCat("live-", i % 4), kLiveEventsPerAppend);
      }
    });
    std::vector<std::thread> readers;
    std::vector<Consumer*> consumers;
    for (const uint64_t join_at : {kBefore, kBefore + 60, kBefore + 180}) {
      const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
      while (log_->head_position() < join_at && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      Consumer* consumer = Subscribe(From(1));
      if (consumer == nullptr) break;  // failure recorded; still join below
      consumers.push_back(consumer);
      readers.emplace_back([consumer] { EXPECT_TRUE(consumer->PollUntilEvents(kTotal)); });
    }
    appender.join();
    for (std::thread& reader : readers) reader.join();

    EXPECT_EQ(consumers.size(), 3u);
    for (Consumer* consumer : consumers) {
      EXPECT_THAT(PositionsOf(consumer->received().events), ElementsAreArray(Iota(1, kTotal)));
      EXPECT_GE(consumer->received().caught_up_messages, 1);
    }
    return consumers;
  }
};

TEST_F(ConcurrentSubscriptionTest, NoGapOrDuplicateAcrossTheSwitchToLive) {
  for (Consumer* consumer : ExpectEveryEventOnceWhileAppending()) {
    // With room to buffer, the one switch to live is the only one.
    EXPECT_EQ(consumer->received().caught_up_messages, 1);
    EXPECT_EQ(consumer->subscription().fallbacks(), 0u);
  }
}

class TinyBufferSubscriptionTest : public ConcurrentSubscriptionTest {
 protected:
  // Subscribers overflow all the time and go back and forth between storage
  // and live.
  TinyBufferSubscriptionTest() { limits_.subscriber_buffer_events_max = 4; }
};

TEST_F(TinyBufferSubscriptionTest, NoGapOrDuplicateWhileFallingBehindAndCatchingUp) {
  ExpectEveryEventOnceWhileAppending();
}

TEST_F(SubscriptionTest, FilterMatchingNothingCheckpointsWhileLive) {
  Consumer* consumer = Subscribe(Filtered("nothing-", 5));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());
  AppendOk("a", 12);
  ASSERT_TRUE(consumer->PollUntil(
      [](const Received& r) { return !r.checkpoints.empty() && r.checkpoints.back() == 12; }));
  EXPECT_THAT(consumer->received().events, IsEmpty());
}

TEST_F(SubscriptionTest, FilterDeliversOnlyMatchingEventsAndCheckpointsByScannedCount) {
  AppendAlternating(20);  // "a-1" at odd positions, "b-1" at even ones
  Consumer* consumer = Subscribe(Filtered("a-", 4));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());
  EXPECT_THAT(PositionsOf(consumer->received().events),
              ElementsAre(1, 3, 5, 7, 9, 11, 13, 15, 17, 19));
  EXPECT_THAT(consumer->received().checkpoints, ElementsAre(4, 8, 12, 16, 20));
  EXPECT_EQ(consumer->received().checkpoint_at_caught_up, 20u);

  AppendAlternating(10);  // "a-1" at 21, 23, ..., 29
  ASSERT_TRUE(consumer->PollUntilEvents(15));
  for (const v1::RecordedEvent& event : consumer->received().events) {
    EXPECT_EQ(event.stream(), "a-1") << "position " << event.position();
  }
  EXPECT_EQ(consumer->received().events.back().position(), 29u);
  // Live checkpoints keep at least the interval between them.
  const std::vector<uint64_t>& checkpoints = consumer->received().checkpoints;
  for (size_t i = 1; i < checkpoints.size(); ++i) {
    EXPECT_GE(checkpoints[i], checkpoints[i - 1] + 4) << "checkpoint " << i;
    EXPECT_LE(checkpoints[i], log_->head_position());
  }
}

TEST_F(SubscriptionTest, FilterMatchingNothingStillCheckpoints) {
  AppendOk("a", 10);
  AppendOk("b", 10);
  Consumer* consumer = Subscribe(Filtered("nothing-", 5));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());
  EXPECT_THAT(consumer->received().events, IsEmpty());
  EXPECT_THAT(consumer->received().checkpoints, ElementsAre(5, 10, 15, 20));
  EXPECT_EQ(consumer->received().caught_up_messages, 1);
}

class SlowConsumerTest : public SubscriptionTest {
 protected:
  SlowConsumerTest() { limits_.subscriber_buffer_events_max = 16; }
};

TEST_F(SlowConsumerTest, BufferStaysBoundedAndEveryEventArrivesOnceInOrder) {
  Consumer* consumer = Subscribe(From(1));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());

  // The consumer stops calling Next() while 200 events are appended.
  constexpr int kAppends = 20;
  constexpr size_t kEventsPerAppend = 10;
  for (int i = 0; i < kAppends; ++i) {
    AppendOk(absl::StrCat("s-", i % 3), kEventsPerAppend);
    EXPECT_LE(consumer->subscription().buffered_events(), limits_.subscriber_buffer_events_max);
  }
  // Fan-out runs on its own thread: give it until the deadline to notice.
  const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
  while (consumer->subscription().fallbacks() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(consumer->subscription().fallbacks(), 1u);
  EXPECT_LE(consumer->subscription().buffered_events(), limits_.subscriber_buffer_events_max);

  constexpr size_t kTotal = kAppends * kEventsPerAppend;
  ASSERT_TRUE(consumer->PollUntilEvents(kTotal));
  EXPECT_THAT(PositionsOf(consumer->received().events), ElementsAreArray(Iota(1, kTotal)));
  // And it follows live again afterwards.
  AppendOk("s-0", 1);
  ASSERT_TRUE(consumer->PollUntilEvents(kTotal + 1));
  EXPECT_EQ(consumer->received().events.back().position(), kTotal + 1);
}

class SubscriberLimitTest : public SubscriptionTest {
 protected:
  SubscriberLimitTest() { limits_.subscribers_max = 2; }
};

TEST_F(SubscriberLimitTest, SubscribersOverTheLimitAreRefused) {
  Consumer* first = Subscribe(From(1));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(Subscribe(From(1)), nullptr);
  EXPECT_EQ(log_->subscriber_count(), 2u);
  EXPECT_THAT(log_->Subscribe(From(1), [] {}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("subscribers_max=2")));
  // Closing one frees its place.
  first->Close();
  EXPECT_EQ(log_->subscriber_count(), 1u);
  EXPECT_NE(Subscribe(From(1)), nullptr);
}

class PublishQueueTest : public SubscriptionTest {
 protected:
  PublishQueueTest() { limits_.publish_queue_batches_max = 1; }
  void TearDown() override {
    Release();
    SubscriptionTest::TearDown();
  }
  void Release() {
    if (released_) return;
    released_ = true;
    release_.set_value();
  }

  std::promise<void> release_;
  bool released_ = false;
};

// A subscriber whose wake callback is stuck holds up fan-out; committed
// batches then wait in a bounded queue, the writer waits for room, and
// nothing is lost once fan-out resumes.
TEST_F(PublishQueueTest, FullPublishQueueHoldsTheWriterAndLosesNothing) {
  auto first_wake = std::make_shared<std::promise<void>>();
  std::shared_future<void> release = release_.get_future().share();
  auto woken = std::make_shared<std::atomic<bool>>(false);
  absl::StatusOr<std::shared_ptr<Subscription>> subscription =
      log_->Subscribe(From(1), [first_wake, release, woken] {
        if (!woken->exchange(true)) first_wake->set_value();
        release.wait();
      });
  ASSERT_THAT(subscription, IsOk());
  Consumer* healthy = Subscribe(From(1));  // a second subscriber
  ASSERT_NE(healthy, nullptr);
  v1::SubscribeResponse response;
  ASSERT_THAT((*subscription)->Next(&response), IsOk());  // caught up
  ASSERT_TRUE(response.caught_up());
  ASSERT_THAT((*subscription)->Next(&response), IsOk());  // now waiting for a wake

  AppendOk("a", 1);  // its fan-out wakes the stuck callback
  ASSERT_EQ(first_wake->get_future().wait_for(kWaitMax), std::future_status::ready);
  AppendOk("a", 1);  // queued for fan-out: the queue is full
  AppendOk("a", 1);  // acknowledged, then the writer waits for room
  std::promise<absl::StatusOr<v1::AppendResponse>> last;
  log_->Append(
      testing::Request("a", testing::Events(1)),
      [&last](absl::StatusOr<v1::AppendResponse> result) { last.set_value(std::move(result)); });
  std::future<absl::StatusOr<v1::AppendResponse>> last_result = last.get_future();
  EXPECT_EQ(last_result.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout)
      << "the writer should wait while the publish queue is full";

  Release();
  ASSERT_EQ(last_result.wait_for(kWaitMax), std::future_status::ready);
  EXPECT_THAT(last_result.get(), IsOk());
  ASSERT_TRUE(healthy->PollUntilEvents(4));
  EXPECT_THAT(PositionsOf(healthy->received().events), ElementsAre(1, 2, 3, 4));
  (*subscription)->Close();
}

TEST_F(SubscriptionTest, NextAfterShutdownIsUnavailable) {
  AppendOk("a", 2);
  Consumer* consumer = Subscribe(From(1));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->PollUntilCaughtUp());  // now waiting for a wake

  log_->Shutdown();
  EXPECT_TRUE(consumer->waker().WaitUntil(std::chrono::steady_clock::now() + kWaitMax))
      << "shutdown wakes a waiting subscriber";
  v1::SubscribeResponse response;
  EXPECT_THAT(consumer->subscription().Next(&response),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("from position 3")));
  EXPECT_THAT(log_->Subscribe(From(1), [] {}), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace stakeledger::storage
