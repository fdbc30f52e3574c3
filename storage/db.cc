#include "storage/db.h"

#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "storage/check.h"
#include "storage/keys.h"
#include "storage/stake_keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

rocksdb::ColumnFamilyOptions PointLookupOptions() {
  // event_ids and stream_heads are probed once per appended event, nearly
  // always for a key that is absent: whole-key Bloom filters in the SST
  // files and in the memtable answer those misses without a search.
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.05;
  return options;
}

// The merkle family's own block cache. A proof reads one node per tree
// level; the nodes of the levels above the lowest few (about 2n / 2^l
// nodes of ~45 bytes at level l and up) stay cached at this size up to
// tens of millions of records, so a proof touches one or two cold blocks.
constexpr size_t kMerkleBlockCacheBytes = size_t{64} << 20;

rocksdb::ColumnFamilyOptions MerkleOptions() {
  rocksdb::ColumnFamilyOptions options = PointLookupOptions();
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  table.block_cache = rocksdb::NewLRUCache(kMerkleBlockCacheBytes);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Hashes do not compress.
  options.compression = rocksdb::kNoCompression;
  return options;
}

// A fold reads keys that are mostly absent (the first fact of a new
// announcement) and every query reads the active generation key, absent
// until the first rebuild: whole-key Bloom filters answer those misses
// without searching each level. An as-of query seeks within one
// (holder, target) pair: the prefix extractor puts each pair into the same
// filters, so the seek skips the files (and the memtable) without the pair
// instead of reading a data block of each. Data blocks are not compressed:
// a block missing from the block cache then costs one read from the page
// cache (once the filters cut the reads, Snappy and LZ4 measured about the
// same per query, for half the disk; docs/performance.md). The family has
// its own block cache (db.h), so that the blocks queries touch do not
// compete with the log's in the default 8 MiB.
rocksdb::ColumnFamilyOptions ProjectionOptions(size_t cache_bytes) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  table.block_cache = rocksdb::NewLRUCache(cache_bytes);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.prefix_extractor = NewPairPrefixExtractor();
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.05;
  options.compression = rocksdb::kNoCompression;
  return options;
}

// The log is read in ranges: a rebuild or catch-up decodes every event in
// order and a subscription follows it. Blocks of 16 KiB (instead of 4 KiB)
// cut the per-block cost of those scans (finding, checking and copying a
// block), and LZ4 decompresses faster than the default Snappy: a 1M-event
// log decodes in 400 ms on two threads instead of 467 ms
// (docs/performance.md). A point read of one event then decompresses one
// 16 KiB block, about as long as a 4 KiB Snappy block took. Files written
// before keep their format until compaction rewrites them.
constexpr size_t kLogBlockBytes = size_t{16} << 10;

rocksdb::ColumnFamilyOptions LogOptions() {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = kLogBlockBytes;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = rocksdb::kLZ4Compression;
  return options;
}

// The write-ahead log files kept before the families holding the oldest
// back are flushed; bounds what a start replays.
constexpr uint64_t kWalBytesMax = uint64_t{256} << 20;

std::vector<rocksdb::ColumnFamilyDescriptor> Families(size_t projection_cache_bytes) {
  rocksdb::ColumnFamilyOptions plain;
  return {
      {rocksdb::kDefaultColumnFamilyName, plain},
      {kLogFamily, LogOptions()},
      {kStreamsFamily, plain},
      {kStreamHeadsFamily, PointLookupOptions()},
      {kEventIdsFamily, PointLookupOptions()},
      {kMetaFamily, plain},
      {kProjectionsFamily, ProjectionOptions(projection_cache_bytes)},
      {kMerkleFamily, MerkleOptions()},
  };
}

}  // namespace

absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(context, ": ", status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (status.IsBusy() || status.IsTryAgain() || status.IsIOError()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& dir,
                                                         size_t projection_cache_bytes_max) {
  if (projection_cache_bytes_max > kProjectionCacheBytesCeiling) {
    return absl::InvalidArgumentError(
        absl::StrCat("the projection cache of ", projection_cache_bytes_max,
                     " bytes is above the ceiling of ", kProjectionCacheBytesCeiling, " bytes"));
  }
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Two background jobs match the two cores the service is sized for.
  options.max_background_jobs = 2;
  // A write-ahead log file is deleted only once every family with data in
  // it has been flushed. Families written rarely (meta gets one key when
  // the log is created) would otherwise keep every log file since alive,
  // and the next start replays all of them: 1.3 GB and minutes after a
  // million announcements. Past this size RocksDB flushes the families
  // that hold the oldest file back.
  options.max_total_wal_size = kWalBytesMax;
  // RocksDB's own diagnostic log (LOG) is renamed at every start and kept
  // 1,000 times by default: a directory restarted often filled up with
  // them. Keep the last few, each at most kInfoLogBytesMax.
  options.keep_log_file_num = kInfoLogFilesKept;
  options.max_log_file_size = kInfoLogBytesMax;
  const auto families = Families(projection_cache_bytes_max);
  static_assert(kFamilyCount == 8, "Families() lists every column family");
  std::unique_ptr<Database> database(new Database());
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocksStatus(rocksdb::DB::Open(options, dir, families, &database->handles_, &raw),
                      absl::StrCat("opening the log in '", dir, "'")));
  database->db_.reset(raw);
  CHECK(database->handles_.size() == kFamilyCount);
  RETURN_IF_ERROR(database->CheckFormatVersion());
  return database;
}

absl::Status Database::CheckFormatVersion() {
  std::string version;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), meta(), kMetaFormatVersion, &version);
  if (status.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    return FromRocksStatus(db_->Put(sync, meta(), kMetaFormatVersion, kFormatVersion),
                           "writing the format version");
  }
  RETURN_IF_ERROR(FromRocksStatus(status, "reading the format version"));
  if (version != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the log has format version '", version, "', this build reads '", kFormatVersion, "'"));
  }
  return absl::OkStatus();
}

Database::~Database() {
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    // Destroying a handle only releases it; nothing is dropped.
    db_->DestroyColumnFamilyHandle(handle);
  }
  handles_.clear();
  if (db_ != nullptr) db_->Close();
}

}  // namespace stakeledger::storage
