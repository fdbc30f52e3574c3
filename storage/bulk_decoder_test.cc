// BulkDecoder (bulk_fold.h): the rebuild's decoding pipeline hands every
// event of the range over once, in position order, in batches of the
// size asked, with the event-type filter applied, whatever the number of
// threads; and it stops cleanly when dropped early.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "storage/bulk_fold.h"
#include "storage/event_log.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

// A batch that keeps the positions and types it was given, and says it
// holds a megabyte.
struct RecordingBatch : BulkBatch {
  using BulkBatch::Decode;
  void Decode(const LogEventView& event) override {
    positions.push_back(event.position);
    types.emplace_back(event.event_type);
  }
  size_t held_bytes() const override { return kHeldBytes; }
  static constexpr size_t kHeldBytes = size_t{1} << 20;
  std::vector<uint64_t> positions;
  std::vector<std::string> types;
};

class RecordingFold : public BulkFold {
 public:
  std::unique_ptr<BulkBatch> NewBatch() const override {
    made.fetch_add(1);
    return std::make_unique<RecordingBatch>();
  }
  // Batches made so far (each one a thread started decoding).
  mutable std::atomic<int> made{0};
  absl::Status Fold(std::unique_ptr<BulkBatch>) override { return absl::OkStatus(); }
  size_t held_bytes() const override { return 0; }
  std::vector<RunBuilder> TakeRuns(bool) override { return {}; }
};

class BulkDecoderTest : public testing::EventLogTest {
 protected:
  // Every batch of first..last, in the order handed over.
  std::vector<std::unique_ptr<BulkBatch>> DecodeAll(uint64_t first, uint64_t last,
                                                    uint64_t batch_events_max, int threads,
                                                    const EventFilter& filter = EventFilter()) {
    RecordingFold fold;
    BulkDecoder decoder(log_->database(), fold, filter, first, last, batch_events_max, threads);
    std::vector<std::unique_ptr<BulkBatch>> batches;
    for (;;) {
      auto decoded = decoder.Next();
      EXPECT_TRUE(decoded.ok()) << decoded.status();
      if (!decoded.ok() || decoded->batch == nullptr) break;
      // The last position of each batch, as the fold checkpoints it.
      const uint64_t expected_last =
          std::min(last, first + (batches.size() + 1) * batch_events_max - 1);
      EXPECT_EQ(decoded->last, expected_last);
      batches.push_back(std::move(decoded->batch));
    }
    return batches;
  }
};

TEST_F(BulkDecoderTest, HandsEveryEventOverOnceInPositionOrder) {
  AppendOk("s", 100);
  for (int threads : {1, 2, 3}) {
    for (uint64_t batch_events_max : {1u, 7u, 100u, 1000u}) {
      const auto batches = DecodeAll(1, 100, batch_events_max, threads);
      std::vector<uint64_t> positions;
      for (const auto& batch : batches) {
        const auto& recorded = static_cast<const RecordingBatch&>(*batch).positions;
        EXPECT_LE(recorded.size(), batch_events_max);
        positions.insert(positions.end(), recorded.begin(), recorded.end());
      }
      std::vector<uint64_t> expected;
      for (uint64_t p = 1; p <= 100; ++p) expected.push_back(p);
      EXPECT_EQ(positions, expected) << threads << " threads, batches of " << batch_events_max;
      EXPECT_EQ(batches.size(), (100 + batch_events_max - 1) / batch_events_max);
    }
  }
}

TEST_F(BulkDecoderTest, AppliesTheFilterAndAnEmptyRangeHasNoBatch) {
  AppendOk("s", 10);
  v1::Filter types;
  types.add_event_types("no-such-type");
  auto filter = EventFilter::FromProto(types, Limits());
  ASSERT_TRUE(filter.ok());
  const auto batches = DecodeAll(1, 10, 4, 2, *filter);
  ASSERT_EQ(batches.size(), 3u);
  for (const auto& batch : batches) {
    EXPECT_TRUE(static_cast<const RecordingBatch&>(*batch).positions.empty());
  }
  EXPECT_TRUE(DecodeAll(5, 4, 4, 2).empty());
}

// Dropped after one batch (a failed fold), the decoder stops its threads,
// which were running ahead, without waiting for the rest of the range.
TEST_F(BulkDecoderTest, DroppedEarlyItStopsItsThreads) {
  AppendOk("s", 500);
  RecordingFold fold;
  const EventFilter all;  // outlives the decoder, as it requires
  auto decoder = std::make_unique<BulkDecoder>(log_->database(), fold, all, 1, 500, 1, 2);
  auto first = decoder->Next();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(static_cast<const RecordingBatch&>(*first->batch).positions, std::vector<uint64_t>{1});
  decoder.reset();
}

// Decoded batches wait for the fold up to bytes_ahead_max: a batch is
// started only below it, so at most that much and one batch per thread
// more are held ahead; the fold taking one lets the next start.
TEST_F(BulkDecoderTest, RunsAheadAtMostItsBytes) {
  AppendOk("s", 200);
  RecordingFold fold;
  const EventFilter all;  // outlives the decoder, as it requires
  constexpr int kThreads = 2;
  constexpr size_t kBatchesAheadByBytes = 3;
  BulkDecoder decoder(log_->database(), fold, all, 1, 200, 1, kThreads,
                      kBatchesAheadByBytes * RecordingBatch::kHeldBytes);
  // Wait until the threads stop starting batches (bounded: 2 s).
  int made = -1;
  for (int i = 0; i < 200 && fold.made.load() != made; ++i) {
    made = fold.made.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(made, static_cast<int>(kBatchesAheadByBytes));
  EXPECT_LE(made, static_cast<int>(kBatchesAheadByBytes) + kThreads);
  // Taking every batch lets every position through, in order.
  std::vector<uint64_t> positions;
  for (;;) {
    auto decoded = decoder.Next();
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    if (decoded->batch == nullptr) break;
    const auto& recorded = static_cast<const RecordingBatch&>(*decoded->batch).positions;
    positions.insert(positions.end(), recorded.begin(), recorded.end());
  }
  EXPECT_EQ(positions.size(), 200u);
  EXPECT_EQ(positions.back(), 200u);
  EXPECT_EQ(fold.made.load(), 200);
}

}  // namespace
}  // namespace stakeledger::storage
