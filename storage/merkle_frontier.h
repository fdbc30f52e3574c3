// The right edge of the RFC 6962 tree over the log (a "compact range"):
// for a tree of n leaves, the root of each perfect subtree that n's binary
// form names, one per set bit. It is all the state needed to append a leaf
// in O(log n) and to compute the root of the n-leaf tree without reading
// the store. Pure: no I/O. Not thread-safe; copyable.
//
// Nodes are named (level, index): level 0 holds the leaf hashes, and the
// node (l, i) is the root of the perfect subtree over leaves
// [i * 2^l, (i + 1) * 2^l). Such a node never changes once complete.
#ifndef STAKELEDGER_STORAGE_MERKLE_FRONTIER_H_
#define STAKELEDGER_STORAGE_MERKLE_FRONTIER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace stakeledger::storage {

// The levels a uint64_t leaf count can name.
inline constexpr int kMerkleLevelsMax = 64;

// A tree size and its root: what a signed tree head signs.
struct TreeHead {
  uint64_t size = 0;
  std::string root;  // 32 bytes; SHA-256("") for the empty tree
};

class MerkleFrontier {
 public:
  // Called for every node that becomes complete: the leaf itself (level 0)
  // and each parent it completes.
  using EmitFn = std::function<void(int level, uint64_t index, absl::string_view hash)>;

  // The empty tree.
  MerkleFrontier();
  // A tree of `size` leaves from its perfect-subtree roots, highest level
  // first (the order in which they cover the leaves). REQUIRES:
  // roots.size() == number of set bits of size; each root 32 bytes.
  MerkleFrontier(uint64_t size, const std::vector<std::string>& roots_high_first);

  // Appends one leaf hash, calling `emit` for each completed node.
  // REQUIRES: leaf_hash is 32 bytes; size() < UINT64_MAX.
  void Append(absl::string_view leaf_hash, const EmitFn& emit);

  uint64_t size() const { return size_; }
  // The RFC 6962 root of the size()-leaf tree: O(log n) hashes, no reads.
  std::string Root() const;
  TreeHead Head() const { return TreeHead{size_, Root()}; }

 private:
  uint64_t size_;
  // by_level_[l] is the perfect subtree root of 2^l leaves when bit l of
  // size_ is set, empty otherwise.
  std::vector<std::string> by_level_;
};

// The (level, index) of the perfect subtrees that make up a tree of `size`
// leaves, highest level first. Used to load a frontier from the store.
struct MerkleNodeId {
  int level;
  uint64_t index;
};
std::vector<MerkleNodeId> FrontierNodes(uint64_t size);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_MERKLE_FRONTIER_H_
