// Sorting millions of small items by an integer key: a bulk fold's member
// pairs, entry slots and announcements by id.
#ifndef STAKELEDGER_STORAGE_RADIX_SORT_H_
#define STAKELEDGER_STORAGE_RADIX_SORT_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "storage/large_blocks.h"

namespace stakeledger::storage {

namespace radix_internal {

inline constexpr int kDigitBits = 11;
inline constexpr size_t kDigits = size_t{1} << kDigitBits;

// One stable pass on the digit of key_of at `shift`, from `in` to `out`
// (as large as `in`).
template <typename Items, typename KeyOf>
void Pass(const Items& in, int shift, KeyOf key_of, Items* out) {
  std::array<size_t, kDigits> starts{};
  for (const auto& item : in) ++starts[(key_of(item) >> shift) & (kDigits - 1)];
  size_t start = 0;
  for (size_t& count : starts) {
    const size_t next = start + count;
    count = start;
    start = next;
  }
  for (const auto& item : in) (*out)[starts[(key_of(item) >> shift) & (kDigits - 1)]++] = item;
}

}  // namespace radix_internal

// Sorts *items by key_of(item), a uint64_t, stably: items with one key
// keep their order. A least-significant-digit radix sort, 11 bits a pass
// (the counts stay in the first-level cache), skipping a digit that is the
// same in every key: keys of 22 varying bits take two passes, each a read
// and a write of the items. Where std::sort compares each item about
// log2(n) times, missing the cache on the keys it reads, and on some
// orders (ids in log order, at 10M) falls back to a heap sort.
// Uses *scratch (any contents; left unspecified) as a copy of *items:
// sorting one vector twice with one scratch touches its memory once (at
// 10M, 80 MB of fresh pages less a sort). Not thread-safe on one vector.
// REQUIRES: Item is trivially copyable and default-constructible.
template <typename Item, typename Alloc, typename KeyOf>
void RadixSortBy(std::vector<Item, Alloc>* items, KeyOf key_of, std::vector<Item, Alloc>* scratch) {
  uint64_t any = 0;
  uint64_t all = ~uint64_t{0};
  for (const Item& item : *items) {
    any |= key_of(item);
    all &= key_of(item);
  }
  const uint64_t varying = any ^ all;
  for (int shift = 0; shift < 64; shift += radix_internal::kDigitBits) {
    // A digit that is the same in every key leaves the order as it is.
    if (((varying >> shift) & (radix_internal::kDigits - 1)) == 0) continue;
    if (scratch->size() != items->size()) scratch->resize(items->size());
    radix_internal::Pass(*items, shift, key_of, scratch);
    items->swap(*scratch);
  }
}

// The same with a scratch copy of its own.
template <typename Item, typename Alloc, typename KeyOf>
void RadixSortBy(std::vector<Item, Alloc>* items, KeyOf key_of) {
  std::vector<Item, Alloc> scratch;
  RadixSortBy(items, key_of, &scratch);
}

// Sorts each run of adjacent items of *items that `same` says are alike by
// `less`: after RadixSortBy, the items that share a key, by the rest of
// theirs.
template <typename Items, typename Same, typename Less>
void SortRuns(Items* items, Same same, Less less) {
  for (size_t begin = 0; begin < items->size();) {
    size_t end = begin + 1;
    while (end < items->size() && same((*items)[begin], (*items)[end])) ++end;
    if (end - begin > 1) std::sort(items->begin() + begin, items->begin() + end, less);
    begin = end;
  }
}

// Sorts *values ascending and removes repeats, as std::sort then
// std::unique would (RadixSortBy on the values themselves).
// Values on large blocks (large_blocks.h): millions of them.
using RadixValues = std::vector<uint64_t, LargeAllocator<uint64_t>>;
void RadixSortUnique(RadixValues* values);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_RADIX_SORT_H_
