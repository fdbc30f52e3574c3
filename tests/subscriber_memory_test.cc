// A subscriber that stops reading must not grow ledgerd's memory: its live
// buffer is bounded (subscriber_buffer_events_max), past that it is served
// from storage again, and at most one response waits in gRPC for it. Once
// it reads again it gets every event exactly once and in order.
//
// How memory is measured: RocksDB's memtables (64 MiB each by default, one
// active plus one being flushed), gRPC's buffers and malloc's arenas grow
// with the first few hundred MiB written whether anyone subscribes or not.
// So a warm-up writes kWarmUpBytes first, with no subscriber, and the test
// compares the peak RSS (VmHWM) after the stalled phase with the peak after
// the warm-up. What is left is what the stalled subscriber costs.
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using grpc::StatusCode;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kPayloadBytes = 64 << 10;
constexpr int kEventsPerAppend = 16;  // 1 MiB of payload per append
constexpr uint64_t kAppendBytes = kPayloadBytes * kEventsPerAppend;
constexpr int kAppenders = 2;
constexpr uint64_t kWarmUpBytes = 192 * kMiB;
constexpr uint64_t kStalledBytes = 256 * kMiB;
static_assert(kWarmUpBytes % (kAppendBytes * kAppenders) == 0);
static_assert(kStalledBytes % (kAppendBytes * kAppenders) == 0);

// The stalled subscriber's memory bound, from ledgerd's design:
// - its live buffer: kBufferEventsMax events. Each buffered event is held
//   twice, parsed and encoded (storage/committed.h), and pins the whole
//   group-commit batch it came in (at most kAppenders appends here, as each
//   appender waits for its append): 2 * 100 * 64 KiB + 2 * 2 MiB = 16.5 MiB;
// - one response in flight, capped near response_bytes_max: 1 MiB, plus
//   its copy in gRPC's send buffers: 1 MiB;
// - HTTP/2 flow control: what the client's window lets through sits in the
//   client, not the server.
// 1/3 of what was written in the stalled phase (85 MiB) leaves room for
// malloc's slack while still failing clearly for a subscriber that keeps
// everything (2 * 256 MiB).
constexpr int kBufferEventsMax = 100;
constexpr uint64_t kGrowthBytesMax = kStalledBytes / 3;

// Payload bytes that do not compress (RocksDB compresses its files), with
// the event's number up front so that each payload is distinct.
std::string Payload(uint64_t number) {
  std::string payload(kPayloadBytes, '\0');
  uint64_t state = number * 0x9e3779b97f4a7c15ULL + 1;
  for (char& c : payload) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state);
  }
  const std::string tag = absl::StrCat(number, ":");
  payload.replace(0, tag.size(), tag);
  return payload;
}

class StalledSubscriberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started =
        ledgerd_.Start({"--subscriber-buffer-events-max", absl::StrCat(kBufferEventsMax)});
    ASSERT_TRUE(started.ok()) << started;
  }

  uint64_t PeakRss() {
    absl::StatusOr<uint64_t> rss = ledgerd_.PeakRssBytes();
    EXPECT_TRUE(rss.ok()) << rss.status();
    return rss.value_or(0);
  }

  // Appends `bytes` of payload from kAppenders threads, each waiting for
  // its append before the next. Returns the number of refused appends.
  int AppendBytes(uint64_t bytes) {
    const uint64_t appends_per_thread = bytes / (kAppendBytes * kAppenders);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kAppenders; ++t) {
      threads.emplace_back([&, t] {
        std::unique_ptr<v1::EventStore::Stub> stub = ledgerd_.NewStub();
        for (uint64_t a = 0; a < appends_per_thread; ++a) {
          std::vector<v1::ProposedEvent> events;
          for (int e = 0; e < kEventsPerAppend; ++e) {
            events.push_back(MakeEvent("blob", Payload(next_number_++)));
          }
          const grpc::Status status =
              Append(*stub, MakeAppend(absl::StrCat("blob-", t), std::move(events)));
          if (!status.ok()) {
            ADD_FAILURE() << StatusCodeName(status.error_code()) << " " << status.error_message();
            ++failures;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    return failures.load();
  }

  LedgerdProcess ledgerd_;
  std::atomic<uint64_t> next_number_{0};
};

TEST_F(StalledSubscriberTest, DoesNotGrowServerMemoryAndLaterCatchesUpFromStorage) {
  ASSERT_EQ(AppendBytes(kWarmUpBytes), 0);
  const uint64_t warm_peak = PeakRss();
  const uint64_t first = kWarmUpBytes / kPayloadBytes + 1;
  const uint64_t last = first + kStalledBytes / kPayloadBytes - 1;
  {
    // Live first (the caught_up message is read), then not read again
    // until every stalled-phase event is written.
    v1::SubscribeRequest request;
    request.set_from_position(first);
    SubscriptionReader stalled(ledgerd_.stub(), request);
    Received received;
    ASSERT_TRUE(ReadUntil(stalled, &received, [](const Received& r) { return r.caught_up; }));
    const absl::Time start = absl::Now();
    ASSERT_EQ(AppendBytes(kStalledBytes), 0);
    const absl::Duration append_time = absl::Now() - start;
    const uint64_t stalled_peak = PeakRss();
    const uint64_t growth = stalled_peak > warm_peak ? stalled_peak - warm_peak : 0;
    std::fprintf(stderr,
                 "peak RSS after %llu MiB warm-up: %.1f MiB; after %llu MiB more with a stalled "
                 "subscriber (%s): %.1f MiB; growth %.1f MiB, bound %llu MiB\n",
                 static_cast<unsigned long long>(kWarmUpBytes / kMiB), warm_peak / double(kMiB),
                 static_cast<unsigned long long>(kStalledBytes / kMiB),
                 absl::FormatDuration(append_time).c_str(), stalled_peak / double(kMiB),
                 growth / double(kMiB), static_cast<unsigned long long>(kGrowthBytesMax / kMiB));
    EXPECT_LT(growth, kGrowthBytesMax);

    ASSERT_TRUE(ReadUntil(stalled, &received, [last](const Received& r) {
      return !r.events.empty() && r.events.back().position() >= last;
    }));
    EXPECT_TRUE(IsRange(received.positions(), first, last));
  }
  // The stalled socket may have started gRPC's TCP backup poller, which
  // can hold ledgerd's exit for up to 10 s (LedgerdProcess::kStopTimeout).
  const absl::Time stop_start = absl::Now();
  const absl::StatusOr<ExitInfo> exit = ledgerd_.Stop();
  std::fprintf(stderr, "ledgerd stopped in %s\n",
               absl::FormatDuration(absl::Now() - stop_start).c_str());
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_TRUE(exit->clean()) << exit->ToString();
}

}  // namespace
}  // namespace stakeledger::tests
