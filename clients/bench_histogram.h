// A latency histogram of fixed size for ledger-bench: every sample is kept as
// a count in a log-linear bucket, so memory does not grow with the run length
// and quantiles are exact to within the bucket width (under 0.8 %).
#ifndef STAKELEDGER_CLIENTS_BENCH_HISTOGRAM_H_
#define STAKELEDGER_CLIENTS_BENCH_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stakeledger::bench {

// Counts of non-negative integer samples (ledger-bench records nanoseconds).
//
// Values below 2^kSubBucketBits get a bucket each; above that, every power of
// two is split into 2^(kSubBucketBits-1) equal buckets, so a bucket is at most
// 1/128 of the values it holds wide.
//
// Thread safety: none; each thread records into its own histogram and the
// histograms are merged once the threads have been joined.
class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 8;
  static constexpr uint64_t kSubBucketHalf = uint64_t{1} << (kSubBucketBits - 1);  // 128
  // Index of the largest value (2^64 - 1) is (66 - kSubBucketBits) * half - 1:
  // shift 56, mantissa 255, so 56 * 128 + 255 = 7423.
  static constexpr size_t kBucketCount = (66 - kSubBucketBits) * kSubBucketHalf;
  static_assert(kBucketCount == 7424, "bucket arithmetic changed");

  LatencyHistogram();

  void Record(uint64_t value);
  // Adds every sample of `other` to this histogram.
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }

  // The value below or at which a fraction `quantile` of the samples lie: the
  // upper end of the bucket holding that sample, never above max().
  // REQUIRES: 0 <= quantile <= 1. Returns 0 when empty.
  uint64_t ValueAtQuantile(double quantile) const;

  // Bucket arithmetic, public for tests.
  static size_t BucketIndex(uint64_t value);
  static uint64_t BucketUpperBound(size_t index);

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace stakeledger::bench

#endif  // STAKELEDGER_CLIENTS_BENCH_HISTOGRAM_H_
