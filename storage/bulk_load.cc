#include "storage/bulk_load.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/sst_file_writer.h"
#include "storage/check.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

// Inside the database directory: ingesting with move_files hard-links the
// file into RocksDB's directory, which needs the same file system.
std::filesystem::path BulkLoadDir(const Database& db) {
  return std::filesystem::path(db.db()->GetName()) / "bulk_load";
}

// Tags are key prefixes: hex keeps any byte out of the path syntax, and
// hex(a) starts with hex(b) exactly when a starts with b.
std::string FilePrefix(absl::string_view file_tag) { return absl::BytesToHexString(file_tag); }

absl::Status FromErrorCode(const std::error_code& error, absl::string_view context) {
  if (!error) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(context, ": ", error.message()));
}

absl::Status WriteFile(const Database& db, absl::string_view prefix,
                       const std::vector<BulkChange>& changes, const std::string& path) {
  const rocksdb::Options options =
      rocksdb::Options(db.db()->GetDBOptions(), db.db()->GetOptions(db.projections()));
  // Queries read the file soon after: keep its pages cached.
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, db.projections(),
                                /*invalidate_page_cache=*/false);
  RETURN_IF_ERROR(FromRocksStatus(writer.Open(path), "opening a bulk-load file"));
  std::string key(prefix);
  for (const BulkChange& change : changes) {
    key.resize(prefix.size());
    key.append(change.key.data(), change.key.size());
    const rocksdb::Status status =
        change.value.has_value()
            ? writer.Put(key, rocksdb::Slice(change.value->data(), change.value->size()))
            : writer.Delete(key);
    RETURN_IF_ERROR(FromRocksStatus(status, "writing a bulk-load file"));
  }
  // Finish syncs the file before it returns: the file is durable before
  // the ingest records it in the MANIFEST.
  return FromRocksStatus(writer.Finish(), "finishing a bulk-load file");
}

}  // namespace

absl::StatusOr<std::string> WriteBulkLoadFile(const Database& db, absl::string_view prefix,
                                              const std::vector<BulkChange>& changes,
                                              absl::string_view file_tag) {
  if (changes.empty()) return absl::InvalidArgumentError("a bulk load of no changes");
  static std::atomic<uint64_t> next_file{0};
  const std::filesystem::path dir = BulkLoadDir(db);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  RETURN_IF_ERROR(FromErrorCode(error, "creating the bulk-load directory"));
  const std::string path =
      (dir / absl::StrCat(FilePrefix(file_tag), "-", next_file.fetch_add(1), ".sst")).string();
  const absl::Status status = WriteFile(db, prefix, changes, path);
  if (!status.ok()) {
    std::filesystem::remove(path, error);
    return status;
  }
  return path;
}

absl::Status IngestBulkLoadFiles(const Database& db, const std::vector<std::string>& paths) {
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  // The sequence number lives in the MANIFEST only (file format >= 5.16),
  // so the file is not rewritten after it was synced.
  ingest.write_global_seqno = false;
  // A memtable holding keys of the file's range (e.g. a DeleteRange of
  // the generation) is flushed first, so that the file sorts after it.
  ingest.allow_blocking_flush = true;
  const absl::Status status = FromRocksStatus(
      db.db()->IngestExternalFile(db.projections(), paths, ingest), "ingesting bulk-load files");
  // After a successful ingest only RocksDB's links remain; after a failure
  // ours must go.
  if (!status.ok()) {
    for (const std::string& path : paths) {
      std::error_code error;
      std::filesystem::remove(path, error);
    }
  }
  return status;
}

absl::Status BulkLoad(const Database& db, absl::string_view prefix,
                      const std::vector<BulkChange>& changes, absl::string_view file_tag) {
  ASSIGN_OR_RETURN(std::string path, WriteBulkLoadFile(db, prefix, changes, file_tag));
  return IngestBulkLoadFiles(db, {path});
}

namespace {

// Bytes `offset` to `offset` + 8 of `key` as a big-endian integer, zero
// past its end: comparing two of these orders keys as comparing the bytes.
uint64_t KeyWord(absl::string_view key, size_t offset) {
  uint64_t word = 0;
  for (size_t i = offset; i < offset + 8; ++i) {
    word = (word << 8) | (i < key.size() ? static_cast<uint8_t>(key[i]) : 0);
  }
  return word;
}

}  // namespace

void SortChanges(std::vector<BulkChange>* changes) {
  // Most comparisons end within the first 16 bytes (a projection's keys
  // start with a tag and a name or two), compared as two integers without
  // touching the keys; sorting 24-byte items moves less than sorting the
  // changes would. Equal keys keep their order by index.
  struct Item {
    uint64_t head;
    uint64_t next;
    uint32_t index;
  };
  CHECK(changes->size() < UINT32_MAX);
  std::vector<Item> items(changes->size());
  for (size_t i = 0; i < items.size(); ++i) {
    const absl::string_view key = (*changes)[i].key;
    items[i] = {KeyWord(key, 0), KeyWord(key, 8), static_cast<uint32_t>(i)};
  }
  std::sort(items.begin(), items.end(), [changes](const Item& a, const Item& b) {
    if (a.head != b.head) return a.head < b.head;
    if (a.next != b.next) return a.next < b.next;
    const int order = (*changes)[a.index].key.compare((*changes)[b.index].key);
    if (order != 0) return order < 0;
    return a.index < b.index;
  });
  std::vector<BulkChange> sorted;
  sorted.reserve(items.size());
  for (const Item& item : items) sorted.push_back((*changes)[item.index]);
  changes->swap(sorted);
}

absl::Status RemoveBulkLoadFiles(const Database& db, absl::string_view tag_prefix) {
  const std::filesystem::path dir = BulkLoadDir(db);
  const std::string prefix = FilePrefix(tag_prefix);
  std::error_code error;
  if (!std::filesystem::exists(dir, error))
    return FromErrorCode(error, "reading the bulk-load directory");
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (!absl::StartsWith(it->path().filename().string(), prefix)) continue;
    std::error_code removed;
    std::filesystem::remove(it->path(), removed);
    RETURN_IF_ERROR(FromErrorCode(removed, "removing a bulk-load file"));
  }
  return FromErrorCode(error, "reading the bulk-load directory");
}

}  // namespace stakeledger::storage
