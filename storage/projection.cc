#include "storage/projection.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
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

absl::Status DeleteGeneration(const Database& db, absl::string_view name, uint64_t generation) {
  if (generation == 0) return DeleteKeyRange(db, ProjectionPrefix(name, 0), GenerationsBegin(name));
  const std::string end =
      generation == UINT64_MAX ? GenerationsEnd(name) : ProjectionPrefix(name, generation + 1);
  return DeleteKeyRange(db, ProjectionPrefix(name, generation), end);
}

absl::Status DeleteOtherGenerations(const Database& db, absl::string_view name, uint64_t keep) {
  const std::string generations_begin = GenerationsBegin(name);
  if (keep != 0) RETURN_IF_ERROR(DeleteGeneration(db, name, 0));
  if (keep <= 1) {
    return DeleteKeyRange(db, keep == 0 ? generations_begin : ProjectionPrefix(name, 2),
                          GenerationsEnd(name));
  }
  RETURN_IF_ERROR(DeleteKeyRange(db, generations_begin, ProjectionPrefix(name, keep)));
  if (keep == UINT64_MAX) return absl::OkStatus();
  return DeleteKeyRange(db, ProjectionPrefix(name, keep + 1), GenerationsEnd(name));
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

absl::StatusOr<std::optional<std::string>> ProjectionTxn::Get(absl::string_view key) const {
  auto it = event_.find(key);
  if (it != event_.end()) return it->second;
  it = pending_.find(key);
  if (it != pending_.end()) return it->second;
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

void ProjectionTxn::EndEvent() {
  if (pending_.empty()) {
    pending_.swap(event_);
    return;
  }
  for (auto& [key, value] : event_) pending_[key] = std::move(value);
  event_.clear();
}

absl::Status ProjectionTxn::Commit(uint64_t position) {
  EndEvent();
  // In key order: the memtable's skip list inserts a key next to the one
  // before it almost for free, where random order costs a search each.
  std::vector<const Changes::value_type*> sorted;
  sorted.reserve(pending_.size());
  for (const auto& change : pending_) sorted.push_back(&change);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  rocksdb::WriteBatch batch;
  std::string full = prefix_;
  for (const auto* change : sorted) {
    const auto& [key, value] = *change;
    full.resize(prefix_.size());
    full.append(key);
    rocksdb::Status status = value.has_value() ? batch.Put(db_->projections(), full, *value)
                                               : batch.Delete(db_->projections(), full);
    if (!status.ok()) return FromRocksStatus(status, "building a projection batch");
  }
  rocksdb::Status status =
      batch.Put(db_->projections(), CheckpointKey(name_, generation_), EncodePosition(position));
  if (!status.ok()) return FromRocksStatus(status, "building a projection batch");
  status = db_->db()->Write(rocksdb::WriteOptions(), &batch);
  pending_.clear();
  return FromRocksStatus(status, absl::StrCat("writing projection '", name_, "'"));
}

}  // namespace stakeledger::storage
