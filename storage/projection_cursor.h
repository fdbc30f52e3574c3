// Reads one projection's keys for queries: an iterator over the keys under
// a prefix of the projection's active generation, from one RocksDB
// snapshot, so that a concurrent rebuild swap cannot pull the keys from
// under it (docs/projections.md "Rebuild").
#ifndef STAKELEDGER_STORAGE_PROJECTION_CURSOR_H_
#define STAKELEDGER_STORAGE_PROJECTION_CURSOR_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "storage/db.h"

namespace stakeledger::storage {

// How a cursor may move. kRange: anywhere under its prefix, in key order
// (SeekToFirst, Seek, Next, ...). kPair: its prefix is one pair
// (StakePairPrefix, DealPairPrefix), and the cursor is positioned only with Seek or
// SeekForPrev to a key under it; RocksDB then skips every SST file and
// memtable whose prefix Bloom filter (stake_keys.h, the family's prefix
// extractor) says the pair is absent.
enum class CursorScope { kRange, kPair };

// Not thread-safe; one per query. REQUIRES: `db` outlives the cursor.
class ProjectionCursor {
 public:
  // `prefix` is relative to the projection's generation prefix.
  ProjectionCursor(const Database& db, absl::string_view projection, const std::string& prefix,
                   CursorScope scope = CursorScope::kRange);

  rocksdb::Iterator* it() { return it_.get(); }
  // The absolute prefix iterated.
  const std::string& prefix() const { return prefix_; }
  // The current key after prefix(), and its value. REQUIRES: it()->Valid().
  absl::string_view Suffix() const { return View(it_->key()).substr(prefix_.size()); }
  absl::string_view Value() const { return View(it_->value()); }
  // Errors: reading the active generation or iterating, as RocksDB reads
  // ("reading <projection>").
  absl::Status status() const;

 private:
  const std::string projection_;
  rocksdb::ManagedSnapshot snapshot_;
  absl::Status init_status_;
  std::string prefix_;
  std::string upper_;
  rocksdb::Slice upper_slice_, lower_slice_;
  rocksdb::ReadOptions options_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_PROJECTION_CURSOR_H_
