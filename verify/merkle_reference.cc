#include "verify/merkle_reference.h"

#include "verify/merkle_hash.h"

namespace stakeledger::verify {
namespace {

void SubProof(absl::Span<const std::string> leaves, uint64_t m, bool whole,
              std::vector<std::string>* out) {
  const uint64_t n = leaves.size();
  if (m == n) {
    if (!whole) out->push_back(ReferenceRoot(leaves));
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(leaves.subspan(0, k), m, whole, out);
    out->push_back(ReferenceRoot(leaves.subspan(k)));
  } else {
    SubProof(leaves.subspan(k), m - k, false, out);
    out->push_back(ReferenceRoot(leaves.subspan(0, k)));
  }
}

}  // namespace

std::string ReferenceRoot(absl::Span<const std::string> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  const uint64_t k = SplitPoint(leaf_hashes.size());
  return HashChildren(ReferenceRoot(leaf_hashes.subspan(0, k)),
                      ReferenceRoot(leaf_hashes.subspan(k)));
}

std::vector<std::string> ReferenceInclusionProof(absl::Span<const std::string> leaf_hashes,
                                                 uint64_t index) {
  const uint64_t n = leaf_hashes.size();
  if (n <= 1) return {};
  const uint64_t k = SplitPoint(n);
  std::vector<std::string> proof;
  if (index < k) {
    proof = ReferenceInclusionProof(leaf_hashes.subspan(0, k), index);
    proof.push_back(ReferenceRoot(leaf_hashes.subspan(k)));
  } else {
    proof = ReferenceInclusionProof(leaf_hashes.subspan(k), index - k);
    proof.push_back(ReferenceRoot(leaf_hashes.subspan(0, k)));
  }
  return proof;
}

std::vector<std::string> ReferenceConsistencyProof(absl::Span<const std::string> leaf_hashes,
                                                   uint64_t size1) {
  std::vector<std::string> proof;
  SubProof(leaf_hashes, size1, /*whole=*/true, &proof);
  return proof;
}

}  // namespace stakeledger::verify
