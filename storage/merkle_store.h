// Reads of the Merkle tree kept in the `merkle` column family (keys.h):
// roots, inclusion proofs and consistency proofs for any tree size up to
// the committed one, each from O(log n) stored nodes (every subtree a proof
// names is either a stored perfect node or the right edge, which splits
// into at most log n of them). Thread-safe: stored nodes never change.
#ifndef STAKELEDGER_STORAGE_MERKLE_STORE_H_
#define STAKELEDGER_STORAGE_MERKLE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rocksdb/write_batch.h"
#include "storage/db.h"
#include "storage/merkle_frontier.h"

namespace stakeledger::storage {

class MerkleStore {
 public:
  // REQUIRES: `db` outlives the store.
  explicit MerkleStore(const Database* db) : db_(db) {}

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
  const Database* db_;
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

// The frontier of the stored tree of `size` leaves. Errors: as above.
absl::StatusOr<MerkleFrontier> LoadFrontier(const Database& db, uint64_t size);

// Brings the merkle column family level with a log of `size` records:
// when the last leaf is missing (a log written before the tree existed),
// rebuilds every node from the log's leaf hashes, in batches. Returns the
// frontier. Errors: DATA_LOSS when a record is missing or out of order.
absl::StatusOr<MerkleFrontier> EnsureTree(const Database& db, uint64_t size);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_MERKLE_STORE_H_
