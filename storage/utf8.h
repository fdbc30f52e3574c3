// The UTF-8 check protobuf's parser makes of every proto3 string field,
// with a fast path for ASCII.
#ifndef STAKELEDGER_STORAGE_UTF8_H_
#define STAKELEDGER_STORAGE_UTF8_H_

#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"
#include "google/protobuf/stubs/common.h"

namespace stakeledger::storage {

// Whether `text` is well-formed UTF-8, exactly as protobuf decides it
// (google::protobuf::internal::IsStructurallyValidUTF8). Thread-safe.
//
// A rebuild checks every string of every event again (ten a log record
// and its announcement): most are ASCII ids and dates of a few dozen
// bytes, for which the call into protobuf's checker cost more than the
// check. ASCII is valid UTF-8, so a string without a byte above 0x7f is
// decided here, eight bytes at a time; any other goes to protobuf.
inline bool IsValidUtf8(absl::string_view text) {
  const char* const data = text.data();
  const size_t size = text.size();
  // The bytes or'ed together, read in words: the last word overlaps the
  // one before it rather than ending byte by byte (most strings are 8 to
  // 16 bytes long).
  uint64_t bits = 0;
  if (size >= 8) {
    uint64_t word;
    for (size_t at = 0; at + 8 <= size; at += 8) {
      std::memcpy(&word, data + at, sizeof(word));
      bits |= word;
    }
    std::memcpy(&word, data + size - 8, sizeof(word));
    bits |= word;
  } else if (size >= 4) {
    uint32_t first;
    uint32_t last;
    std::memcpy(&first, data, sizeof(first));
    std::memcpy(&last, data + size - 4, sizeof(last));
    bits = first | last;
  } else {
    for (size_t at = 0; at < size; ++at) bits |= static_cast<uint8_t>(data[at]);
  }
  constexpr uint64_t kHighBits = 0x8080808080808080u;
  if ((bits & kHighBits) == 0) return true;
  return google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                             static_cast<int>(text.size()));
}

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_UTF8_H_
