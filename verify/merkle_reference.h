// The naive recursive definitions of RFC 6962 section 2.1 (MTH, PATH,
// PROOF / SUBPROOF) over leaf hashes held in memory. O(n) per call: for
// tests and cross-checks only, never for serving.
#ifndef STAKELEDGER_VERIFY_MERKLE_REFERENCE_H_
#define STAKELEDGER_VERIFY_MERKLE_REFERENCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace stakeledger::verify {

// MTH over leaf hashes (not leaf inputs).
std::string ReferenceRoot(absl::Span<const std::string> leaf_hashes);
// PATH(index, leaves). REQUIRES: index < leaf_hashes.size().
std::vector<std::string> ReferenceInclusionProof(absl::Span<const std::string> leaf_hashes,
                                                 uint64_t index);
// PROOF(size1, leaves). REQUIRES: 0 < size1 < leaf_hashes.size().
std::vector<std::string> ReferenceConsistencyProof(absl::Span<const std::string> leaf_hashes,
                                                   uint64_t size1);

}  // namespace stakeledger::verify

#endif  // STAKELEDGER_VERIFY_MERKLE_REFERENCE_H_
