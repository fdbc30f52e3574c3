// Verifiers for RFC 9162 section 2.1.3.2 (inclusion) and 2.1.4.2
// (consistency) proofs over an RFC 6962 tree. Pure functions, no I/O:
// a client checks a server's answer with these alone. Thread-safe.
//
// Indexes are 0-based leaf indexes (the log's position p is leaf p - 1).
// Proof hashes are ordered from the leaf (or the smaller tree) upward, as
// the RFC produces them.
//
// Errors, for all functions: INVALID_ARGUMENT when the inputs cannot form
// a proof (index >= size, size 0, a hash of the wrong length);
// DATA_LOSS ("does not verify") when the proof is well formed but does
// not lead to the given root(s): the caller must not trust the answer.
#ifndef STAKELEDGER_VERIFY_MERKLE_VERIFY_H_
#define STAKELEDGER_VERIFY_MERKLE_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace stakeledger::verify {

// The root that `proof` leads to from `leaf_hash` at `index` in a tree of
// `tree_size` leaves. Errors: INVALID_ARGUMENT as above, and DATA_LOSS
// when the proof has the wrong number of hashes for (index, tree_size).
absl::StatusOr<std::string> RootFromInclusionProof(uint64_t index, uint64_t tree_size,
                                                   absl::string_view leaf_hash,
                                                   absl::Span<const std::string> proof);

// OK when `proof` shows that `leaf_hash` is leaf `index` of the tree of
// `tree_size` leaves whose root is `root`.
absl::Status VerifyInclusion(uint64_t index, uint64_t tree_size, absl::string_view leaf_hash,
                             absl::Span<const std::string> proof, absl::string_view root);

// OK when `proof` shows that the tree of `size1` leaves with root `root1`
// is a prefix of the tree of `size2` leaves with root `root2`.
// Sizes equal: the proof must be empty and the roots equal. size1 == 0:
// the proof must be empty (every tree extends the empty tree).
// INVALID_ARGUMENT when size1 > size2.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, absl::Span<const std::string> proof,
                               absl::string_view root1, absl::string_view root2);

}  // namespace stakeledger::verify

#endif  // STAKELEDGER_VERIFY_MERKLE_VERIFY_H_
