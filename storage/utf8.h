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
  const char* next = text.data();
  const char* const end = next + text.size();
  uint64_t bits = 0;
  for (; end - next >= 8; next += 8) {
    uint64_t word;
    std::memcpy(&word, next, sizeof(word));
    bits |= word;
  }
  for (; next != end; ++next) bits |= static_cast<uint8_t>(*next);
  constexpr uint64_t kHighBits = 0x8080808080808080u;
  if ((bits & kHighBits) == 0) return true;
  return google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                             static_cast<int>(text.size()));
}

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_UTF8_H_
