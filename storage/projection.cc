#include "storage/projection.h"

#include "absl/strings/str_cat.h"
#include "storage/keys.h"

namespace stakeledger::storage {

std::string ProjectionPrefix(absl::string_view name) {
  std::string prefix(name);
  prefix.push_back('\0');
  return prefix;
}

// The checkpoint sorts before every state key: a second NUL follows the
// prefix, and state keys start with a printable tag.
std::string CheckpointKey(absl::string_view name) {
  std::string key(name);
  key.append(2, '\0');
  key.append("checkpoint");
  return key;
}

absl::StatusOr<uint64_t> ReadCheckpoint(const Database& db, absl::string_view name) {
  std::string value;
  rocksdb::Status status =
      db.db()->Get(rocksdb::ReadOptions(), db.projections(), CheckpointKey(name), &value);
  if (status.IsNotFound()) return 0;
  if (!status.ok()) return FromRocksStatus(status, "reading a projection checkpoint");
  if (value.size() != kPositionBytes) {
    return absl::DataLossError(absl::StrCat("projection '", name, "' checkpoint has ", value.size(),
                                            " bytes, expected ", kPositionBytes));
  }
  return ReadBigEndian64(value);
}

ProjectionTxn::ProjectionTxn(const Database* db, absl::string_view name)
    : db_(db), name_(name), prefix_(ProjectionPrefix(name)) {}

absl::StatusOr<std::optional<std::string>> ProjectionTxn::Get(absl::string_view key) const {
  auto it = overlay_.find(std::string(key));
  if (it != overlay_.end()) return it->second;
  std::string value;
  rocksdb::Status status = db_->db()->Get(rocksdb::ReadOptions(), db_->projections(),
                                          absl::StrCat(prefix_, key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocksStatus(status, "reading projection state");
  return std::optional<std::string>(std::move(value));
}

void ProjectionTxn::Put(absl::string_view key, absl::string_view value) {
  overlay_[std::string(key)] = std::string(value);
}

void ProjectionTxn::Delete(absl::string_view key) { overlay_[std::string(key)] = std::nullopt; }

absl::Status ProjectionTxn::Commit(uint64_t position) {
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : overlay_) {
    const std::string full = absl::StrCat(prefix_, key);
    rocksdb::Status status = value.has_value() ? batch.Put(db_->projections(), full, *value)
                                               : batch.Delete(db_->projections(), full);
    if (!status.ok()) return FromRocksStatus(status, "building a projection batch");
  }
  rocksdb::Status status =
      batch.Put(db_->projections(), CheckpointKey(name_), EncodePosition(position));
  if (!status.ok()) return FromRocksStatus(status, "building a projection batch");
  status = db_->db()->Write(rocksdb::WriteOptions(), &batch);
  overlay_.clear();
  return FromRocksStatus(status, absl::StrCat("writing projection '", name_, "'"));
}

}  // namespace stakeledger::storage
