#include "storage/projection.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rocksdb/convenience.h"
#include "rocksdb/metadata.h"
#include "storage/bulk_fold.h"
#include "storage/bulk_load.h"
#include "storage/check.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

std::string ProjectionPrefix(absl::string_view name, uint64_t generation) {
  std::string prefix(name);
  if (generation == 0) {
    prefix.push_back('\0');
  } else {
    prefix.push_back('\x01');
    prefix.append(EncodePosition(generation));
  }
  return prefix;
}

// The checkpoint sorts before every state key: a NUL follows the prefix,
// and state keys start with a printable tag.
std::string CheckpointKey(absl::string_view name, uint64_t generation) {
  std::string key = ProjectionPrefix(name, generation);
  key.push_back('\0');
  key.append("checkpoint");
  return key;
}

// Projection names are printable, so a leading NUL is nobody's prefix.
std::string ActiveGenerationKey(absl::string_view name) {
  return absl::StrCat(absl::string_view("\0active-generation\0", 19), name);
}

absl::StatusOr<uint64_t> ReadActiveGeneration(const Database& db, absl::string_view name,
                                              const rocksdb::ReadOptions& options) {
  std::string value;
  rocksdb::Status status =
      db.db()->Get(options, db.projections(), ActiveGenerationKey(name), &value);
  if (status.IsNotFound()) return 0;
  if (!status.ok()) return FromRocksStatus(status, "reading a projection generation");
  if (value.size() != kPositionBytes) {
    return absl::DataLossError(absl::StrCat("projection '", name, "' generation has ", value.size(),
                                            " bytes, expected ", kPositionBytes));
  }
  return ReadBigEndian64(value);
}

std::string LayoutVersionKey(absl::string_view name) {
  return absl::StrCat(absl::string_view("\0layout-version\0", 16), name);
}

// 8 bytes big-endian, as positions and generations are.
std::string EncodeLayoutVersion(uint32_t version) { return EncodePosition(version); }

absl::StatusOr<uint32_t> ReadLayoutVersion(const Database& db, absl::string_view name) {
  std::string value;
  rocksdb::Status status =
      db.db()->Get(rocksdb::ReadOptions(), db.projections(), LayoutVersionKey(name), &value);
  if (status.IsNotFound()) return 1;
  if (!status.ok()) return FromRocksStatus(status, "reading a projection's layout version");
  if (value.size() != kPositionBytes || ReadBigEndian64(value) > UINT32_MAX) {
    return absl::DataLossError(absl::StrCat("projection '", name, "' layout version is malformed (",
                                            value.size(),
                                            " bytes; 8, at most 2^32 - 1, expected)"));
  }
  return static_cast<uint32_t>(ReadBigEndian64(value));
}

namespace {

absl::Status DeleteKeyRange(const Database& db, const std::string& begin, const std::string& end) {
  if (begin >= end) return absl::OkStatus();
  return FromRocksStatus(
      db.db()->DeleteRange(rocksdb::WriteOptions(), db.projections(), begin, end),
      "deleting a projection generation");
}

// The first key of generations >= 1 of `name`, and the first key after.
std::string GenerationsBegin(absl::string_view name) { return absl::StrCat(name, "\x01"); }
std::string GenerationsEnd(absl::string_view name) { return absl::StrCat(name, "\x02"); }

}  // namespace

std::pair<std::string, std::string> GenerationRange(absl::string_view name, uint64_t generation) {
  if (generation == 0) return {ProjectionPrefix(name, 0), GenerationsBegin(name)};
  return {ProjectionPrefix(name, generation),
          generation == UINT64_MAX ? GenerationsEnd(name) : ProjectionPrefix(name, generation + 1)};
}

absl::Status DeleteGeneration(const Database& db, absl::string_view name, uint64_t generation) {
  const auto [begin, end] = GenerationRange(name, generation);
  return DeleteKeyRange(db, begin, end);
}

absl::Status CompactGeneration(const Database& db, absl::string_view name, uint64_t generation,
                               std::atomic<bool>* canceled, int threads) {
  const auto [begin, end] = GenerationRange(name, generation);
  return CompactKeyRange(db, begin, end, canceled, threads);
}

std::vector<std::pair<std::string, std::string>> OtherGenerationRanges(absl::string_view name,
                                                                       uint64_t keep) {
  std::vector<std::pair<std::string, std::string>> ranges;
  if (keep != 0) ranges.push_back(GenerationRange(name, 0));
  if (keep <= 1) {
    ranges.emplace_back(keep == 0 ? GenerationsBegin(name) : ProjectionPrefix(name, 2),
                        GenerationsEnd(name));
    return ranges;
  }
  ranges.emplace_back(GenerationsBegin(name), ProjectionPrefix(name, keep));
  if (keep != UINT64_MAX)
    ranges.emplace_back(ProjectionPrefix(name, keep + 1), GenerationsEnd(name));
  return ranges;
}

uint64_t StoredBytes(const Database& db,
                     const std::vector<std::pair<std::string, std::string>>& ranges) {
  std::vector<rocksdb::Range> slices;
  for (const auto& [begin, end] : ranges) slices.emplace_back(begin, end);
  std::vector<uint64_t> sizes(slices.size(), 0);
  rocksdb::SizeApproximationOptions options;
  options.include_files = true;
  options.include_memtables = false;
  if (!db.db()
           ->GetApproximateSizes(options, db.projections(), slices.data(),
                                 static_cast<int>(slices.size()), sizes.data())
           .ok()) {
    return 0;
  }
  uint64_t total = 0;
  for (uint64_t size : sizes) total += size;
  return total;
}

absl::Status CompactKeyRange(const Database& db, const std::string& begin, const std::string& end,
                             std::atomic<bool>* canceled, int threads) {
  rocksdb::CompactRangeOptions options;
  // Other compactions (the live generation's) go on meanwhile.
  options.exclusive_manual_compaction = false;
  options.canceled = canceled;
  options.max_subcompactions = static_cast<uint32_t>(std::max(1, threads));
  const rocksdb::Slice first(begin), last(end);
  const rocksdb::Status status = db.db()->CompactRange(options, db.projections(), &first, &last);
  if (status.IsIncomplete() && canceled != nullptr && canceled->load()) {
    return absl::CancelledError("compacting a projection generation was cancelled");
  }
  return FromRocksStatus(status, "compacting a projection generation");
}

namespace {

// True once every snapshot taken before `sequence` is released (a reader
// of the projections' previous state); false after `wait`, or once
// *canceled is set.
bool SnapshotsReleasedBefore(const Database& db, uint64_t sequence, absl::Duration wait,
                             const std::atomic<bool>* canceled) {
  const absl::Time deadline = absl::Now() + wait;
  for (;;) {
    uint64_t count = 0, oldest = 0;
    if (!db.db()->GetIntProperty(rocksdb::DB::Properties::kNumSnapshots, &count)) return false;
    if (count == 0) return true;
    if (!db.db()->GetIntProperty(rocksdb::DB::Properties::kOldestSnapshotSequence, &oldest)) {
      return false;
    }
    if (oldest >= sequence) return true;
    if (absl::Now() >= deadline || (canceled != nullptr && canceled->load())) return false;
    absl::SleepFor(kReclaimSnapshotPollInterval);
  }
}

}  // namespace

absl::Status ReclaimKeyRange(const Database& db, const std::string& begin, const std::string& end,
                             uint64_t deleted_at_sequence, std::atomic<bool>* canceled) {
  if (begin >= end) return absl::OkStatus();
  // Files wholly inside the range go at once, without being read: a
  // compaction alone reads every deleted key to drop it (at 1M, seconds
  // of a core beside the next rebuild). Level 0 is left to the compaction.
  // Dropping files ignores snapshots, and a cursor whose snapshot predates
  // the swap still reads the old generation (ProjectionCursor): wait for
  // those, or leave everything to the compaction.
  if (SnapshotsReleasedBefore(db, deleted_at_sequence, kReclaimSnapshotWaitMax, canceled)) {
    const rocksdb::Slice first(begin), last(end);
    RETURN_IF_ERROR(
        FromRocksStatus(rocksdb::DeleteFilesInRange(db.db(), db.projections(), &first, &last,
                                                    /*include_end=*/false),
                        "dropping the files of a deleted projection generation"));
    // Dropping a file can uncover older values of its keys in a lower
    // level, and the dropped file may have held the range's tombstone:
    // delete the range again so that nothing in it is ever seen, and the
    // compaction below drops what is left.
    RETURN_IF_ERROR(DeleteKeyRange(db, begin, end));
  }
  return CompactKeyRange(db, begin, end, canceled);
}

namespace {

absl::StatusOr<bool> KeyRangeIsEmpty(const Database& db, const std::string& begin,
                                     const std::string& end) {
  const rocksdb::Slice upper(end);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(options, db.projections()));
  it->Seek(begin);
  if (it->Valid()) return false;
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "reading a projection generation"));
  return true;
}

}  // namespace

absl::StatusOr<bool> GenerationIsEmpty(const Database& db, absl::string_view name,
                                       uint64_t generation) {
  const auto [begin, end] = GenerationRange(name, generation);
  return KeyRangeIsEmpty(db, begin, end);
}

GenerationShape ShapeOf(const Database& db, absl::string_view name, uint64_t generation) {
  const auto [begin, end] = GenerationRange(name, generation);
  rocksdb::ColumnFamilyMetaData family;
  db.db()->GetColumnFamilyMetaData(db.projections(), &family);
  // Sorted runs come top down (level-0 files newest first): the last one
  // holding any of the generation is its bottom.
  GenerationShape shape;
  auto add_run = [&shape](uint64_t bytes) {
    ++shape.sorted_runs;
    shape.upper_bytes += shape.bottom_bytes;
    shape.bottom_bytes = bytes;
  };
  for (const rocksdb::LevelMetaData& level : family.levels) {
    uint64_t bytes = 0;
    for (const rocksdb::SstFileMetaData& file : level.files) {
      if (file.largestkey < begin || file.smallestkey >= end) continue;
      if (level.level == 0) {
        add_run(file.size);
      } else {
        bytes += file.size;
      }
    }
    if (bytes > 0) add_run(bytes);
  }
  return shape;
}

absl::Status DeleteOtherGenerations(const Database& db, absl::string_view name, uint64_t keep) {
  for (const auto& [begin, end] : OtherGenerationRanges(name, keep)) {
    // No tombstone where no key is: one over the range above `keep` would
    // overlap the next rebuild's files and make it ingest them into level
    // 0, to be compacted down again (seconds of a core per million).
    ASSIGN_OR_RETURN(const bool empty, KeyRangeIsEmpty(db, begin, end));
    if (!empty) RETURN_IF_ERROR(DeleteKeyRange(db, begin, end));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ReadCheckpoint(const Database& db, absl::string_view name,
                                        uint64_t generation) {
  std::string value;
  rocksdb::Status status = db.db()->Get(rocksdb::ReadOptions(), db.projections(),
                                        CheckpointKey(name, generation), &value);
  if (status.IsNotFound()) return 0;
  if (!status.ok()) return FromRocksStatus(status, "reading a projection checkpoint");
  if (value.size() != kPositionBytes) {
    return absl::DataLossError(absl::StrCat("projection '", name, "' checkpoint has ", value.size(),
                                            " bytes, expected ", kPositionBytes));
  }
  return ReadBigEndian64(value);
}

ProjectionTxn::ProjectionTxn(const Database* db, absl::string_view name, uint64_t generation)
    : db_(db), name_(name), generation_(generation), prefix_(ProjectionPrefix(name, generation)) {}

ProjectionTxn::ProjectionTxn(const Database* db, absl::string_view name, uint64_t generation,
                             const BulkTxnOptions& bulk)
    : db_(db),
      name_(name),
      generation_(generation),
      prefix_(ProjectionPrefix(name, generation)),
      bulk_(bulk),
      read_db_(!bulk.generation_empty) {}

absl::StatusOr<std::optional<std::string>> ProjectionTxn::Get(absl::string_view key) const {
  auto it = event_.find(key);
  if (it != event_.end()) return it->second;
  auto kept = pending_.find(key);
  if (kept != pending_.end()) {
    if (!kept->second.has_value()) return std::optional<std::string>();
    return std::optional<std::string>(std::string(*kept->second));
  }
  // A bulk transaction of an empty generation holds every key written so
  // far until its first file: most of a rebuild's reads stop here.
  if (!read_db_) return std::optional<std::string>();
  std::string value;
  rocksdb::Status status = db_->db()->Get(rocksdb::ReadOptions(), db_->projections(),
                                          absl::StrCat(prefix_, key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocksStatus(status, "reading projection state");
  return std::optional<std::string>(std::move(value));
}

void ProjectionTxn::Put(absl::string_view key, absl::string_view value) {
  event_[key] = std::string(value);
}

void ProjectionTxn::Delete(absl::string_view key) { event_[key] = std::nullopt; }

void ProjectionTxn::ClearKept() {
  pending_.clear();
  arena_.Clear();
  buffered_bytes_ = 0;
}

void ProjectionTxn::EndEvent() {
  for (const auto& [key, value] : event_) {
    auto it = pending_.find(key);
    if (it == pending_.end()) {
      it = pending_.emplace(arena_.Copy(key), std::nullopt).first;
      buffered_bytes_ += BufferedChangeBytes(key, "");
    }
    if (value.has_value()) {
      it->second = arena_.Copy(*value);
      buffered_bytes_ += value->size();
    } else {
      it->second = std::nullopt;
    }
  }
  event_.clear();
}

namespace {

// In key order: the memtable's skip list inserts a key next to the one
// before it almost for free, where random order costs a search each; an
// SST file must be written in order. `extra` joins the changes.
template <typename Kept>
std::vector<BulkChange> Sorted(const Kept& kept, const BulkChange* extra) {
  std::vector<BulkChange> sorted;
  sorted.reserve(kept.size() + 1);
  for (const auto& [key, value] : kept) sorted.push_back({key, value});
  if (extra != nullptr) sorted.push_back(*extra);
  SortChanges(&sorted);
  return sorted;
}

}  // namespace

absl::Status ProjectionTxn::Commit(uint64_t position) {
  EndEvent();
  if (bulk_.has_value()) {
    committed_position_ = position;
    unwritten_ = true;
    if (buffered_bytes_ <= bulk_->buffer_bytes_max) return absl::OkStatus();
    return Flush();
  }
  rocksdb::WriteBatch batch;
  std::string full = prefix_;
  for (const BulkChange& change : Sorted(pending_, nullptr)) {
    full.resize(prefix_.size());
    full.append(change.key.data(), change.key.size());
    rocksdb::Status status =
        change.value.has_value()
            ? batch.Put(db_->projections(), full,
                        rocksdb::Slice(change.value->data(), change.value->size()))
            : batch.Delete(db_->projections(), full);
    if (!status.ok()) return FromRocksStatus(status, "building a projection batch");
  }
  rocksdb::Status status =
      batch.Put(db_->projections(), CheckpointKey(name_, generation_), EncodePosition(position));
  if (!status.ok()) return FromRocksStatus(status, "building a projection batch");
  status = db_->db()->Write(rocksdb::WriteOptions(), &batch);
  ClearKept();
  return FromRocksStatus(status, absl::StrCat("writing projection '", name_, "'"));
}

absl::Status ProjectionTxn::Flush() {
  CHECK(bulk_.has_value());
  EndEvent();
  if (!unwritten_) return absl::OkStatus();
  // The checkpoint goes into the same file as the state, so both arrive
  // in one ingest. It sorts before every state key (CheckpointKey).
  const std::string checkpoint_key = CheckpointKey(name_, generation_).substr(prefix_.size());
  const std::string checkpoint = EncodePosition(committed_position_);
  const BulkChange checkpoint_change = {checkpoint_key, absl::string_view(checkpoint)};
  RETURN_IF_ERROR(BulkLoad(*db_, prefix_, Sorted(pending_, &checkpoint_change), prefix_));
  ClearKept();
  written_position_ = committed_position_;
  unwritten_ = false;
  read_db_ = true;
  ++files_ingested_;
  return absl::OkStatus();
}

std::unique_ptr<BulkFold> Projection::NewBulkFold(const ProjectionTxn* state) const {
  (void)state;
  return nullptr;
}

size_t DefaultRebuildBufferBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_bytes = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_bytes <= 0) return kRebuildBufferBytesMax;
  const size_t memory_bytes = static_cast<size_t>(pages) * static_cast<size_t>(page_bytes);
  return std::clamp(memory_bytes / kRebuildBufferMemoryDivisor, kRebuildBufferBytesFloor,
                    kRebuildBufferBytesDefaultCeiling);
}

}  // namespace stakeledger::storage
