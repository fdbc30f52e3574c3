#include "storage/radix_sort.h"

#include <algorithm>

namespace stakeledger::storage {

void RadixSortUnique(RadixValues* values) {
  RadixSortBy(values, [](uint64_t value) { return value; });
  values->erase(std::unique(values->begin(), values->end()), values->end());
}

}  // namespace stakeledger::storage
