#include "storage/merkle_frontier.h"

#include <utility>

#include "storage/check.h"
#include "verify/merkle_hash.h"

namespace stakeledger::storage {

MerkleFrontier::MerkleFrontier() : size_(0), by_level_(kMerkleLevelsMax) {}

MerkleFrontier::MerkleFrontier(uint64_t size, const std::vector<std::string>& roots_high_first)
    : size_(size), by_level_(kMerkleLevelsMax) {
  const std::vector<MerkleNodeId> nodes = FrontierNodes(size);
  CHECK(nodes.size() == roots_high_first.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    CHECK(roots_high_first[i].size() == verify::kHashBytes);
    by_level_[nodes[i].level] = roots_high_first[i];
  }
}

void MerkleFrontier::Append(absl::string_view leaf_hash, const EmitFn& emit) {
  CHECK(leaf_hash.size() == verify::kHashBytes);
  CHECK(size_ < UINT64_MAX);
  const uint64_t index = size_;
  std::string hash(leaf_hash);
  emit(0, index, hash);
  // Each set low bit of the old size is a pending left sibling: the new
  // node completes it, and the carry moves one level up, as in binary
  // addition of 1.
  int level = 0;
  while ((index >> level) & 1) {
    hash = verify::HashChildren(by_level_[level], hash);
    by_level_[level].clear();
    ++level;
    emit(level, index >> level, hash);
  }
  by_level_[level] = std::move(hash);
  ++size_;
}

std::string MerkleFrontier::Root() const {
  if (size_ == 0) return verify::EmptyRoot();
  // Fold from the smallest subtree (rightmost) up: each larger subtree on
  // the left is the left child of the RFC's split.
  std::string root;
  for (int level = 0; level < kMerkleLevelsMax; ++level) {
    if (((size_ >> level) & 1) == 0) continue;
    root = root.empty() ? by_level_[level] : verify::HashChildren(by_level_[level], root);
  }
  return root;
}

std::vector<MerkleNodeId> FrontierNodes(uint64_t size) {
  std::vector<MerkleNodeId> nodes;
  for (int level = kMerkleLevelsMax - 1; level >= 0; --level) {
    if (((size >> level) & 1) == 0) continue;
    // The subtree ends where the bits of size at this level and above end.
    nodes.push_back(MerkleNodeId{level, (size >> level) - 1});
  }
  return nodes;
}

}  // namespace stakeledger::storage
