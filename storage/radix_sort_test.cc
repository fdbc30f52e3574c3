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

struct Item {
  uint64_t key;
  uint32_t minor;
  uint32_t order;  // its place in the input
};
bool operator==(const Item& a, const Item& b) {
  return a.key == b.key && a.minor == b.minor && a.order == b.order;
}

TEST(RadixSortTest, SortsByKeyStablyAsStableSortDoes) {
  std::mt19937_64 rng(11);
  // Keys with few distinct values (many ties), with high bits the same in
  // every key (text after a shared prefix), and full words.
  const uint64_t kText = 0x3130000000000000;
  for (const int kind : {0, 1, 2}) {
    for (const size_t count : {size_t{0}, size_t{1}, size_t{3}, size_t{1000}, size_t{40000}}) {
      std::vector<Item> items(count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t random = rng();
        const uint64_t key = kind == 0   ? random % 7
                             : kind == 1 ? kText | (random & 0x0f0f0f0f0f0f)
                                         : random;
        items[i] = {key, 0, i};
      }
      std::vector<Item> expected = items;
      std::stable_sort(expected.begin(), expected.end(),
                       [](const Item& a, const Item& b) { return a.key < b.key; });
      RadixSortBy(&items, [](const Item& item) { return item.key; });
      EXPECT_EQ(items, expected) << "kind " << kind << ", " << count << " items";
    }
  }
}

TEST(RadixSortTest, SortingByTheMinorKeyThenTheMajorOneSortsByBoth) {
  // As Entries sorts its slots: by period start, then by pair.
  std::mt19937_64 rng(13);
  std::vector<Item> items(20000);
  for (uint32_t i = 0; i < items.size(); ++i) {
    items[i] = {rng() % 50 << 32 | rng() % 40, static_cast<uint32_t>(rng() % 9000), i};
  }
  std::vector<Item> expected = items;
  std::stable_sort(expected.begin(), expected.end(), [](const Item& a, const Item& b) {
    return a.key != b.key ? a.key < b.key : a.minor < b.minor;
  });
  // One scratch for both sorts, holding anything to begin with.
  std::vector<Item> scratch(5, Item{7, 7, 7});
  RadixSortBy(
      &items, [](const Item& item) { return uint64_t{item.minor}; }, &scratch);
  RadixSortBy(
      &items, [](const Item& item) { return item.key; }, &scratch);
  EXPECT_EQ(items, expected);
}

TEST(RadixSortTest, SortRunsOrdersTheItemsThatShareAKeyAndNoOthers) {
  // As the runs break ties: sorted by key, then each run of one key by the
  // rest; an item never leaves its run.
  std::mt19937_64 rng(17);
  std::vector<Item> items(5000);
  for (uint32_t i = 0; i < items.size(); ++i) {
    items[i] = {rng() % 300, static_cast<uint32_t>(rng() % 1000), i};
  }
  std::vector<Item> expected = items;
  std::sort(expected.begin(), expected.end(), [](const Item& a, const Item& b) {
    return a.key != b.key       ? a.key < b.key
           : a.minor != b.minor ? a.minor < b.minor
                                : a.order < b.order;
  });
  RadixSortBy(&items, [](const Item& item) { return item.key; });
  SortRuns(
      &items, [](const Item& a, const Item& b) { return a.key == b.key; },
      [](const Item& a, const Item& b) {
        return a.minor != b.minor ? a.minor < b.minor : a.order < b.order;
      });
  EXPECT_EQ(items, expected);
  // Items alike by `same` only next to each other: each stays in its run.
  std::vector<Item> apart = {{2, 9, 0}, {1, 5, 1}, {2, 3, 2}, {2, 1, 3}};
  SortRuns(
      &apart, [](const Item& a, const Item& b) { return a.key == b.key; },
      [](const Item& a, const Item& b) { return a.minor < b.minor; });
  EXPECT_EQ(apart, (std::vector<Item>{{2, 9, 0}, {1, 5, 1}, {2, 1, 3}, {2, 3, 2}}));
}

}  // namespace
}  // namespace stakeledger::storage
