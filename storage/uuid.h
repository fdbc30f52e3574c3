// Event ids: RFC 4122 UUIDs, 16 bytes on disk, canonical lower-case text
// (8-4-4-4-12) on the wire.
#ifndef STAKELEDGER_STORAGE_UUID_H_
#define STAKELEDGER_STORAGE_UUID_H_

#include <cstdint>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/string_view.h"

namespace stakeledger::storage {

// Parses 8-4-4-4-12 hex text in either case into 16 bytes. Returns false on
// any other shape (no braces, no "urn:uuid:", no missing dashes).
bool ParseUuid(absl::string_view text, std::string* bytes);

// REQUIRES: bytes.size() == 16. Lower-case 8-4-4-4-12.
std::string FormatUuid(absl::string_view bytes);

// A random version-4 UUID as 16 bytes. Thread-safe.
std::string RandomUuidBytes();

// Makes version-7 UUIDs (RFC 9562): 48 bits of Unix milliseconds, then a
// counter that starts at a random value each millisecond and counts up
// within it. Each id is greater than the one before, so server-made ids
// follow log order and land at the end of the event-id index, where
// inserting is cheapest. Not thread-safe: the writer owns one.
class UuidV7Generator {
 public:
  // Returns 16 bytes. A clock that steps back keeps the last millisecond,
  // so ids still increase.
  std::string Next(int64_t unix_ms);

 private:
  static constexpr uint64_t kLowBits = 62;  // rand_b
  int64_t last_ms_ = -1;
  uint64_t high_ = 0;  // rand_a, 12 bits
  uint64_t low_ = 0;   // rand_b, 62 bits
  absl::BitGen generator_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_UUID_H_
