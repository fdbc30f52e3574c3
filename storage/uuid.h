// Event ids: RFC 4122 UUIDs, 16 bytes on disk, canonical lower-case text
// (8-4-4-4-12) on the wire.
#ifndef STAKELEDGER_STORAGE_UUID_H_
#define STAKELEDGER_STORAGE_UUID_H_

#include <string>

#include "absl/strings/string_view.h"

namespace stakeledger::storage {

// Parses 8-4-4-4-12 hex text in either case into 16 bytes. Returns false on
// any other shape (no braces, no "urn:uuid:", no missing dashes).
bool ParseUuid(absl::string_view text, std::string* bytes);

// REQUIRES: bytes.size() == 16. Lower-case 8-4-4-4-12.
std::string FormatUuid(absl::string_view bytes);

// A random version-4 UUID as 16 bytes. Thread-safe.
std::string RandomUuidBytes();

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_UUID_H_
