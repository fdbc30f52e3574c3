// Sorting many small integers: a bulk fold's member pairs (millions of
// 64-bit pairs of name ranks, most of their bits zero).
#ifndef STAKELEDGER_STORAGE_RADIX_SORT_H_
#define STAKELEDGER_STORAGE_RADIX_SORT_H_

#include <cstdint>
#include <vector>

#include "storage/large_blocks.h"

namespace stakeledger::storage {

// Sorts *values ascending and removes repeats, as std::sort then
// std::unique would. A least-significant-digit radix sort, 11 bits a pass
// (the counts stay in the first-level cache), skipping a digit that is
// zero in every value: values of 22 bits take two passes, each a read and
// a write of the values. Uses a scratch copy of
// *values. Not thread-safe on one vector.
// Values on large blocks (large_blocks.h): millions of them.
using RadixValues = std::vector<uint64_t, LargeAllocator<uint64_t>>;
void RadixSortUnique(RadixValues* values);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_RADIX_SORT_H_
