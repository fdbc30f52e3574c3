// RFC 6962 section 2.1 hashes, shared by the tree builder (storage/) and
// the verifiers (clients/):
//
//   leaf hash  = SHA-256(0x00 || leaf bytes)
//   node hash  = SHA-256(0x01 || left hash || right hash)
//   empty tree = SHA-256("")
//
// All hashes are kHashBytes raw bytes held in std::string. Thread-safe.
#ifndef STAKELEDGER_VERIFY_MERKLE_HASH_H_
#define STAKELEDGER_VERIFY_MERKLE_HASH_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace stakeledger::verify {

inline constexpr size_t kHashBytes = 32;
inline constexpr unsigned char kLeafPrefix = 0x00;
inline constexpr unsigned char kNodePrefix = 0x01;

std::string HashLeaf(absl::string_view leaf);
// REQUIRES: left.size() == right.size() == kHashBytes.
std::string HashChildren(absl::string_view left, absl::string_view right);
std::string EmptyRoot();

// The largest power of two strictly below n: the RFC's split point k.
// REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n);

// Lower-case hex of `bytes`, and its inverse (false on bad input).
std::string ToHex(absl::string_view bytes);
bool FromHex(absl::string_view hex, std::string* bytes);

}  // namespace stakeledger::verify

#endif  // STAKELEDGER_VERIFY_MERKLE_HASH_H_
