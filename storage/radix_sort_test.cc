#include "storage/radix_sort.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace stakeledger::storage {
namespace {

RadixValues SortedUnique(RadixValues values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

TEST(RadixSortTest, SortsAndDropsRepeatsAsSortThenUniqueDo) {
  std::mt19937_64 rng(7);
  // Values of every width: one digit, a pair of small ranks, a full word.
  for (const int bits : {1, 5, 11, 12, 22, 33, 43, 63, 64}) {
    for (const size_t count : {size_t{0}, size_t{1}, size_t{2}, size_t{1000}, size_t{50000}}) {
      RadixValues values(count);
      for (uint64_t& value : values) {
        value = bits == 64 ? rng() : rng() & ((uint64_t{1} << bits) - 1);
      }
      const RadixValues expected = SortedUnique(values);
      RadixSortUnique(&values);
      EXPECT_EQ(values, expected) << bits << " bits, " << count << " values";
    }
  }
}

TEST(RadixSortTest, PairsOfRanksKeepTheirHighHalfFirst) {
  // As Members builds them: target rank above, holder rank below.
  RadixValues pairs = {uint64_t{2} << 32 | 1, uint64_t{1} << 32 | 7, uint64_t{2} << 32 | 1,
                       uint64_t{1} << 32 | 3, 0};
  RadixSortUnique(&pairs);
  EXPECT_EQ(pairs,
            (RadixValues{0, uint64_t{1} << 32 | 3, uint64_t{1} << 32 | 7, uint64_t{2} << 32 | 1}));
}

}  // namespace
}  // namespace stakeledger::storage
