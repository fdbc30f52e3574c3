// The RocksDB database behind the event log: its column families, options
// and the one conversion from rocksdb::Status to absl::Status. This and the
// other storage files are the only code that includes RocksDB.
#ifndef STAKELEDGER_STORAGE_DB_H_
#define STAKELEDGER_STORAGE_DB_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"

namespace stakeledger::storage {

// Debian's Abseil keeps its own string_view, distinct from std::string_view.
inline absl::string_view View(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view context);

// The projections family's block cache: uncompressed blocks of the query
// indexes, kept in memory as queries and folds read them (memory is taken
// as blocks are read, up to the capacity). The default holds the whole
// stake index of about 10 million announcements (docs/performance.md).
inline constexpr size_t kProjectionCacheBytesDefault = size_t{1} << 30;
// The largest projections block cache Open accepts.
inline constexpr size_t kProjectionCacheBytesCeiling = size_t{64} << 30;
// RocksDB's diagnostic log (LOG in the directory): the files kept (the
// current one and those of earlier starts or past the size), and the
// size at which a new one begins.
inline constexpr size_t kInfoLogFilesKept = 5;
inline constexpr size_t kInfoLogBytesMax = size_t{64} << 20;

// Owns the DB and one handle per column family (keys.h). Not copyable.
// Thread-safe as rocksdb::DB is.
class Database {
 public:
  // Opens or creates the database in `dir`, creating missing column
  // families. Errors: UNAVAILABLE when the directory is locked by another
  // process or cannot be opened; FAILED_PRECONDITION on an unknown format;
  // INVALID_ARGUMENT (nothing opened or created) when
  // projection_cache_bytes_max is above kProjectionCacheBytesCeiling.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const std::string& dir, size_t projection_cache_bytes_max = kProjectionCacheBytesDefault);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* log() const { return handles_[kLog]; }
  rocksdb::ColumnFamilyHandle* streams() const { return handles_[kStreams]; }
  rocksdb::ColumnFamilyHandle* stream_heads() const { return handles_[kStreamHeads]; }
  rocksdb::ColumnFamilyHandle* event_ids() const { return handles_[kEventIds]; }
  rocksdb::ColumnFamilyHandle* meta() const { return handles_[kMeta]; }
  // Projection state and checkpoints (projection.h).
  rocksdb::ColumnFamilyHandle* projections() const { return handles_[kProjections]; }
  // Complete Merkle tree nodes (keys.h, merkle_store.h).
  rocksdb::ColumnFamilyHandle* merkle() const { return handles_[kMerkle]; }

 private:
  enum Family {
    kDefault,
    kLog,
    kStreams,
    kStreamHeads,
    kEventIds,
    kMeta,
    kProjections,
    kMerkle,
    kFamilyCount
  };
  Database() = default;
  absl::Status CheckFormatVersion();

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_DB_H_
