// Bulk loading into the projections column family: a sorted run of changes
// written as one SST file (rocksdb::SstFileWriter) and ingested whole
// (IngestExternalFile), bypassing the write-ahead log and the memtable.
// An ingested file becomes visible atomically, so a generation's state and
// its checkpoint written in one file arrive together or not at all.
#ifndef STAKELEDGER_STORAGE_BULK_LOAD_H_
#define STAKELEDGER_STORAGE_BULK_LOAD_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/db.h"

namespace rocksdb {
class SstFileWriter;
}  // namespace rocksdb

namespace stakeledger::storage {

// One change of a bulk load: a key relative to the load's prefix, and its
// new value or nullopt for a delete. Views of bytes the caller keeps.
struct BulkChange {
  absl::string_view key;
  std::optional<absl::string_view> value;
};

// Writes prefix + key of every change, in the order given, as one SST file
// in the bulk-load directory inside the database directory, syncs it, and
// ingests it into the projections family (the file is moved, not copied).
// A delete shadows the key in everything written before, ingested or not.
// `file_tag` names the file (one tag per concurrent load; a projection
// transaction uses its generation's prefix). REQUIRES: the
// keys strictly ascending; `changes` not empty. Errors: INVALID_ARGUMENT
// for keys out of order; UNAVAILABLE for I/O errors; as RocksDB ingests.
// Nothing is visible after an error. Thread-safe for distinct tags.
absl::Status BulkLoad(const Database& db, absl::string_view prefix,
                      const std::vector<BulkChange>& changes, absl::string_view file_tag);

// One bulk-load file written a change at a time, for a caller that makes
// its sorted changes as it goes instead of holding them: the same file
// WriteBulkLoadFile writes (prefix + key of each change, in the order
// given, synced at Finish). The file is opened at the first change; a
// writer destroyed before Finish removes its file.
// REQUIRES: keys strictly ascending. Errors (Write, Finish): as
// WriteBulkLoadFile; after an error every later call returns it. Not
// thread-safe; distinct writers (of distinct tags) may run on threads of
// their own, and may share `keys_written`.
class BulkLoadFileWriter {
 public:
  // How many changes a writer counts before it adds them to
  // `keys_written`: one shared counter, touched once per this many.
  static constexpr uint64_t kKeysWrittenBatch = 4096;

  // A `keys_written` that is not null is advanced by the changes written,
  // in batches of kKeysWrittenBatch and the rest at Finish (a progress
  // report reads it); it must outlive the writer.
  BulkLoadFileWriter(const Database& db, absl::string_view prefix, absl::string_view file_tag,
                     std::atomic<uint64_t>* keys_written = nullptr);
  ~BulkLoadFileWriter();
  BulkLoadFileWriter(const BulkLoadFileWriter&) = delete;
  BulkLoadFileWriter& operator=(const BulkLoadFileWriter&) = delete;

  // Writes `key` with `value`, or a delete of it when nullopt.
  absl::Status Write(absl::string_view key, std::optional<absl::string_view> value);
  absl::Status Put(absl::string_view key, absl::string_view value) {
    return Write(key, std::optional<absl::string_view>(value));
  }
  // Finishes and syncs the file and returns its path (the caller ingests
  // it, IngestBulkLoadFiles); an empty path when nothing was written.
  absl::StatusOr<std::string> Finish();

 private:
  absl::Status Open();

  const Database& db_;
  // The prefix, then the key being written.
  std::string key_;
  const size_t prefix_bytes_;
  const std::string file_tag_;
  std::string path_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  absl::Status status_;
  std::atomic<uint64_t>* const keys_written_;
  // Written and not yet added to *keys_written_.
  uint64_t keys_unreported_ = 0;
};

// BulkLoad in two steps, so that several files can be written on threads
// of their own and then ingested together. WriteBulkLoadFile writes (and
// syncs) the file and returns its path; IngestBulkLoadFiles ingests files
// written so, all at once: they become visible together or not at all, and
// each is removed after a failure. REQUIRES (ingest): the files' key ranges
// do not overlap. Errors: as BulkLoad. Thread-safe for distinct tags.
absl::StatusOr<std::string> WriteBulkLoadFile(const Database& db, absl::string_view prefix,
                                              const std::vector<BulkChange>& changes,
                                              absl::string_view file_tag);
absl::Status IngestBulkLoadFiles(const Database& db, const std::vector<std::string>& paths);

// Bytes `offset` to `offset` + 8 of `key` as a big-endian integer, zero
// past its end: where two of these differ, they order the keys as their
// bytes do (a cheap first comparison before comparing the keys).
uint64_t KeyWord(absl::string_view key, size_t offset);

// Sorts `changes` into key order (stable for equal keys, which a bulk
// load then rejects). Compares the first 16 bytes of each key as two
// integers first: most comparisons end there, without touching the keys.
void SortChanges(std::vector<BulkChange>* changes);

// Removes the files that interrupted loads (a crash between writing a file
// and ingesting it) of every tag starting with `tag_prefix` left behind.
// Errors: UNAVAILABLE for I/O errors. REQUIRES: no load of such a tag is
// running.
absl::Status RemoveBulkLoadFiles(const Database& db, absl::string_view tag_prefix);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_BULK_LOAD_H_
