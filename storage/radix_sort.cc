#include "storage/radix_sort.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace stakeledger::storage {
namespace {

constexpr int kDigitBits = 11;
constexpr size_t kDigits = size_t{1} << kDigitBits;

// One stable pass on the digit at `shift`, from `in` to `out`.
void Pass(const RadixValues& in, int shift, RadixValues* out) {
  std::array<size_t, kDigits> starts{};
  for (const uint64_t value : in) ++starts[(value >> shift) & (kDigits - 1)];
  size_t start = 0;
  for (size_t& count : starts) {
    const size_t next = start + count;
    count = start;
    start = next;
  }
  for (const uint64_t value : in) (*out)[starts[(value >> shift) & (kDigits - 1)]++] = value;
}

}  // namespace

void RadixSortUnique(RadixValues* values) {
  uint64_t all_bits = 0;
  for (const uint64_t value : *values) all_bits |= value;
  RadixValues scratch(values->size());
  for (int shift = 0; shift < 64; shift += kDigitBits) {
    // A digit that is zero in every value leaves the order as it is.
    if (((all_bits >> shift) & (kDigits - 1)) == 0) continue;
    Pass(*values, shift, &scratch);
    values->swap(scratch);
  }
  values->erase(std::unique(values->begin(), values->end()), values->end());
}

}  // namespace stakeledger::storage
