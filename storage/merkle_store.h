// Reads of the Merkle tree kept in the `merkle` column family (keys.h):
// roots, inclusion proofs and consistency proofs for any tree size up to
// the committed one, each from O(log n) stored nodes (every subtree a proof
// names is either a stored perfect node or the right edge, which splits
// into at most log n of them). Thread-safe: stored nodes never change.
//
// Proofs keep the nodes they read of the upper levels in memory, up to a
// bound: every proof needs one node of each upper level and there are few
// of them (under 2n / 2^l at level l and above), so once warm a proof reads
// only its lowest levels from RocksDB, which lie in neighbouring entries.
// The cached levels are the most that fit the bound whole, and never below
// kMerkleCacheLevelMin; as the tree grows the lowest cached level rises
// and the nodes below it are dropped.
#ifndef STAKELEDGER_STORAGE_MERKLE_STORE_H_
#define STAKELEDGER_STORAGE_MERKLE_STORE_H_

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/write_batch.h"
#include "storage/db.h"
#include "storage/merkle_frontier.h"

namespace stakeledger::storage {

// Lowest level whose nodes proofs keep in memory. Below it a node covers
// fewer than 16 leaves; those levels hold 15/16 of all nodes and are read
// from the store.
inline constexpr int kMerkleCacheLevelMin = 4;
// Nodes proofs keep in memory (about 80 bytes each with the map's own,
// about 20 MiB in all): every node of level 4 and above up to about 2M
// records, of level 7 and above up to about 16M, of level 10 and above up
// to about 134M.
inline constexpr size_t kMerkleCacheNodesMax = 262'144;

// Node (level, index) out of `entry`, the stored entry of the leaf that
// holds it (MerkleEntryLeaf), or nullopt when that entry is missing: what
// MerkleStore::Node returns for it, for a reader of the entries in order.
// Errors: DATA_LOSS when the entry is missing or has the wrong size.
absl::StatusOr<std::string> MerkleNodeInEntry(std::optional<absl::string_view> entry, int level,
                                              uint64_t index);

class MerkleStore {
 public:
  // REQUIRES: `db` outlives the store.
  explicit MerkleStore(const Database* db, size_t cache_nodes_max = kMerkleCacheNodesMax)
      : db_(db), cache_nodes_max_(cache_nodes_max) {}
  MerkleStore(const MerkleStore&) = delete;
  MerkleStore& operator=(const MerkleStore&) = delete;

  // Errors, for every method: DATA_LOSS when a node the answer needs is
  // missing or has the wrong size; UNAVAILABLE on a failed read. The caller
  // keeps sizes within the committed tree (nodes beyond it do not exist).

  // The stored node (level, index).
  absl::StatusOr<std::string> Node(int level, uint64_t index) const;
  // MTH of leaves [begin, end). REQUIRES: begin < end.
  absl::StatusOr<std::string> SubtreeHash(uint64_t begin, uint64_t end) const;
  // MTH of the first `size` leaves (SHA-256("") for 0).
  absl::StatusOr<std::string> Root(uint64_t size) const;
  // RFC 9162 PATH for 0-based leaf `index`. REQUIRES: index < size.
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size) const;
  // RFC 9162 PROOF(size1, size2); empty when size1 == 0 or size1 == size2.
  // REQUIRES: size1 <= size2.
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t size1, uint64_t size2) const;

  // Nodes kept in memory now (at most cache_nodes_max).
  size_t cached_nodes() const;

 private:
  // A range of leaves [begin, end) whose MTH a proof needs.
  struct Range {
    uint64_t begin;
    uint64_t end;
  };
  // The MTH of each range, reading every stored node they need with one
  // MultiGet (a proof's nodes lie in different SST blocks; batching the
  // lookups is what keeps a proof at 10M leaves in tens of microseconds).
  absl::StatusOr<std::vector<std::string>> HashRanges(const std::vector<Range>& ranges) const;
  void SubProof(uint64_t begin, uint64_t m, uint64_t end, bool whole,
                std::vector<Range>* out) const;
  // The cached hash of `id`, or an empty string.
  std::string Cached(const MerkleNodeId& id) const;
  // Keeps `hash` of `id` when its level is cached and there is room.
  void Keep(const MerkleNodeId& id, const std::string& hash) const;
  // Raises the lowest cached level to the lowest whose nodes, and those
  // of every level above, all fit the bound in a tree of `size` leaves.
  void RaiseCacheLevel(uint64_t size) const;

  const Database* db_;
  const size_t cache_nodes_max_;
  // (level << 58 | index) -> hash. Complete nodes never change, so an
  // entry is never stale. Index < 2^58 holds for any node of level >= 4
  // up to 2^62 leaves.
  mutable std::shared_mutex cache_mu_;
  mutable absl::flat_hash_map<uint64_t, std::string> cache_;  // guarded by cache_mu_
  mutable int cache_level_ = kMerkleCacheLevelMin;            // guarded by cache_mu_
};

// The merkle entries (keys.h) that one WriteBatch adds, gathered from the
// nodes a MerkleFrontier completes: one entry per appended leaf, holding
// the leaf and every parent it completes. Not thread-safe.
//
// Why one entry per leaf rather than one per node: each RocksDB entry costs
// the writer a memtable insert and the flushes an index entry, and nodes
// one at a time made the tree about a quarter of the write path's CPU in
// 4 x 1000-event group commits (docs/performance.md, "Merkle tree").
class MerkleNodeBuffer {
 public:
  // REQUIRES: nodes come in the order MerkleFrontier::Append emits them: a
  // leaf (level 0), then each parent it completes, level by level; hash is
  // 32 bytes.
  void Add(int level, uint64_t index, absl::string_view hash);
  // Puts every gathered entry into `batch` (the merkle family of `db`), in
  // leaf order, and empties the buffer.
  void WriteTo(const Database& db, rocksdb::WriteBatch* batch);
  size_t entries() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t leaf;
    size_t offset;  // into hashes_
    int levels;
  };
  std::string hashes_;
  std::vector<Entry> entries_;
};

// True when the merkle family holds the earlier layout of one entry per
// node (9-byte keys), which EnsureTree replaces when the log is next
// opened. Errors: UNAVAILABLE on a failed read.
absl::StatusOr<bool> HasEarlierMerkleLayout(const Database& db);

// The frontier of the stored tree of `size` leaves. Errors: as above.
absl::StatusOr<MerkleFrontier> LoadFrontier(const Database& db, uint64_t size);

// Brings the merkle column family level with a log of `size` records:
// when the last leaf is missing (a log written before the tree existed),
// rebuilds every node from the log's leaf hashes, in batches. Returns the
// frontier. Errors: DATA_LOSS when a record is missing or out of order.
absl::StatusOr<MerkleFrontier> EnsureTree(const Database& db, uint64_t size);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_MERKLE_STORE_H_
