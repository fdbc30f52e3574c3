// Signed tree heads: the byte string an Ed25519 signature covers, and its
// check. The signed message is fixed-length, 72 bytes:
//
//   offset  bytes  field
//        0     24  kTreeHeadContext, ASCII "stakeledger/tree-head/v1"
//       24      8  tree size, unsigned, big-endian
//       32     32  root hash (RFC 6962 MTH of the first `tree size` records)
//       64      8  timestamp, microseconds since the Unix epoch, signed
//                  (two's complement), big-endian
//
// The context string keeps a signature over a tree head from being taken
// for one over anything else signed with the same key. Thread-safe.
#ifndef STAKELEDGER_VERIFY_TREE_HEAD_H_
#define STAKELEDGER_VERIFY_TREE_HEAD_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace stakeledger::verify {

inline constexpr char kTreeHeadContext[] = "stakeledger/tree-head/v1";
inline constexpr size_t kTreeHeadContextBytes = sizeof(kTreeHeadContext) - 1;
inline constexpr size_t kTreeHeadMessageBytes = kTreeHeadContextBytes + 8 + 32 + 8;
static_assert(kTreeHeadContextBytes == 24, "the context is 24 ASCII bytes");
static_assert(kTreeHeadMessageBytes == 72, "context, size, root, timestamp");

inline constexpr size_t kPublicKeyBytes = 32;  // Ed25519
inline constexpr size_t kSignatureBytes = 64;  // Ed25519

// REQUIRES: root.size() == 32.
std::string EncodeTreeHead(uint64_t tree_size, absl::string_view root, int64_t timestamp_us);

// OK when `signature` is `public_key`'s Ed25519 signature of the encoded
// head. Errors: INVALID_ARGUMENT for a key, root or signature of the wrong
// length; UNAUTHENTICATED when the signature does not verify.
absl::Status VerifyTreeHeadSignature(absl::string_view public_key, uint64_t tree_size,
                                     absl::string_view root, int64_t timestamp_us,
                                     absl::string_view signature);

}  // namespace stakeledger::verify

#endif  // STAKELEDGER_VERIFY_TREE_HEAD_H_
