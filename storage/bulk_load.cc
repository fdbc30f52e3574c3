#include "storage/bulk_load.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>
#include <utility>

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

}  // namespace

BulkLoadFileWriter::BulkLoadFileWriter(const Database& db, absl::string_view prefix,
                                       absl::string_view file_tag,
                                       std::atomic<uint64_t>* keys_written)
    : db_(db),
      key_(prefix),
      prefix_bytes_(prefix.size()),
      file_tag_(file_tag),
      keys_written_(keys_written) {}

BulkLoadFileWriter::~BulkLoadFileWriter() {
  if (path_.empty()) return;
  writer_.reset();
  std::error_code error;
  std::filesystem::remove(path_, error);
}

absl::Status BulkLoadFileWriter::Open() {
  static std::atomic<uint64_t> next_file{0};
  const std::filesystem::path dir = BulkLoadDir(db_);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  RETURN_IF_ERROR(FromErrorCode(error, "creating the bulk-load directory"));
  path_ = (dir / absl::StrCat(FilePrefix(file_tag_), "-", next_file.fetch_add(1), ".sst")).string();
  const rocksdb::Options options =
      rocksdb::Options(db_.db()->GetDBOptions(), db_.db()->GetOptions(db_.projections()));
  // Queries read the file soon after: keep its pages cached.
  writer_ =
      std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options, db_.projections(),
                                               /*invalidate_page_cache=*/false);
  return FromRocksStatus(writer_->Open(path_), "opening a bulk-load file");
}

absl::Status BulkLoadFileWriter::Write(absl::string_view key,
                                       std::optional<absl::string_view> value) {
  if (!status_.ok()) return status_;
  if (writer_ == nullptr) status_ = Open();
  if (status_.ok()) {
    key_.resize(prefix_bytes_);
    key_.append(key.data(), key.size());
    status_ = FromRocksStatus(value.has_value()
                                  ? writer_->Put(key_, rocksdb::Slice(value->data(), value->size()))
                                  : writer_->Delete(key_),
                              "writing a bulk-load file");
  }
  if (status_.ok() && keys_written_ != nullptr && ++keys_unreported_ == kKeysWrittenBatch) {
    keys_written_->fetch_add(std::exchange(keys_unreported_, 0), std::memory_order_relaxed);
  }
  return status_;
}

absl::StatusOr<std::string> BulkLoadFileWriter::Finish() {
  if (!status_.ok()) return status_;
  if (writer_ == nullptr) return std::string();
  // Finish syncs the file before it returns: the file is durable before
  // the ingest records it in the MANIFEST.
  status_ = FromRocksStatus(writer_->Finish(), "finishing a bulk-load file");
  if (!status_.ok()) return status_;
  if (keys_written_ != nullptr) {
    keys_written_->fetch_add(std::exchange(keys_unreported_, 0), std::memory_order_relaxed);
  }
  writer_.reset();
  return std::exchange(path_, std::string());
}

absl::StatusOr<std::string> WriteBulkLoadFile(const Database& db, absl::string_view prefix,
                                              const std::vector<BulkChange>& changes,
                                              absl::string_view file_tag) {
  if (changes.empty()) return absl::InvalidArgumentError("a bulk load of no changes");
  BulkLoadFileWriter writer(db, prefix, file_tag);
  for (const BulkChange& change : changes) RETURN_IF_ERROR(writer.Write(change.key, change.value));
  return writer.Finish();
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

uint64_t KeyWord(absl::string_view key, size_t offset) {
  uint64_t word = 0;
  for (size_t i = offset; i < offset + 8; ++i) {
    word = (word << 8) | (i < key.size() ? static_cast<uint8_t>(key[i]) : 0);
  }
  return word;
}

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
