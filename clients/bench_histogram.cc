#include "clients/bench_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace stakeledger::bench {

namespace {

// Index of the highest set bit. REQUIRES: value != 0.
int HighestBit(uint64_t value) { return 63 - __builtin_clzll(value); }

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBucketCount, 0) {}

size_t LatencyHistogram::BucketIndex(uint64_t value) {
  if (value < 2 * kSubBucketHalf) return static_cast<size_t>(value);
  // Keep the top kSubBucketBits bits (the mantissa, in [half, 2 * half)) and
  // give each shift its own run of `half` buckets.
  const int shift = HighestBit(value) - (kSubBucketBits - 1);
  const uint64_t mantissa = value >> shift;
  return static_cast<size_t>(static_cast<uint64_t>(shift) * kSubBucketHalf + mantissa);
}

uint64_t LatencyHistogram::BucketUpperBound(size_t index) {
  if (index < 2 * kSubBucketHalf) return index;
  const uint64_t shift = index / kSubBucketHalf - 1;
  const uint64_t mantissa = index - shift * kSubBucketHalf;
  // The last bucket ends at 2^64 - 1; computing (mantissa + 1) << shift there
  // would overflow, so subtract first.
  return (mantissa << shift) + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::Record(uint64_t value) {
  ++buckets_[BucketIndex(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::ValueAtQuantile(double quantile) const {
  if (!(quantile >= 0.0 && quantile <= 1.0)) {
    std::fprintf(stderr, "ValueAtQuantile: quantile %f outside [0, 1]\n", quantile);
    std::abort();
  }
  if (count_ == 0) return 0;
  // The rank of the sample asked for, 1-based: p99 of 1000 samples is the
  // 990th smallest.
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(quantile * count_)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(BucketUpperBound(i), max_);
  }
  return max_;
}

}  // namespace stakeledger::bench
