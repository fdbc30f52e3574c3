#include "storage/log_check.h"

#include <memory>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/merkle_store.h"
#include "storage/record.h"
#include "storage/status_macros.h"
#include "storage/uuid.h"

namespace stakeledger::storage {
namespace {

// Checks one record and its tree nodes and index entries against what its
// bytes say. Returns the problem text, empty when all agree.
class RecordChecker {
 public:
  explicit RecordChecker(const Database& db)
      : db_(db), merkle_(db.db()->NewIterator(ScanOptions(), db.merkle())) {}

  absl::StatusOr<std::string> Check(uint64_t position, absl::string_view value);
  const MerkleFrontier& frontier() const { return frontier_; }

 private:
  static rocksdb::ReadOptions ScanOptions() {
    rocksdb::ReadOptions options;
    options.fill_cache = false;
    return options;
  }
  absl::StatusOr<std::string> CheckTree(uint64_t leaf, absl::string_view leaf_hash);
  // The stored merkle entry of `leaf`, nullopt when there is none; valid
  // until the next call. REQUIRES: leaves asked for in ascending order.
  absl::StatusOr<std::optional<absl::string_view>> MerkleEntry(uint64_t leaf);
  absl::StatusOr<std::string> CheckIndexes(const v1::RecordedEvent& event);
  absl::StatusOr<std::optional<std::string>> Get(rocksdb::ColumnFamilyHandle* family,
                                                 const std::string& key) const;

  const Database& db_;
  // The merkle family read in leaf order, as the records are: a Get per
  // node was a third of a check's time.
  const std::unique_ptr<rocksdb::Iterator> merkle_;
  MerkleFrontier frontier_;
  absl::flat_hash_map<std::string, uint64_t> stream_ids_;
};

absl::StatusOr<std::optional<std::string>> RecordChecker::Get(rocksdb::ColumnFamilyHandle* family,
                                                              const std::string& key) const {
  std::string value;
  const rocksdb::Status status = db_.db()->Get(rocksdb::ReadOptions(), family, key, &value);
  if (status.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocksStatus(status, "reading an index"));
  return value;
}

absl::StatusOr<std::string> RecordChecker::Check(uint64_t position, absl::string_view value) {
  if (value.size() < kLeafHashBytes) return std::string("record is shorter than its leaf hash");
  const std::string leaf_hash = LeafHash(RecordBytes(value));
  if (leaf_hash != StoredLeafHash(value)) {
    return std::string("record changed: its bytes no longer hash to the leaf hash stored with it");
  }
  v1::RecordedEvent event;
  if (!event.ParseFromArray(RecordBytes(value).data(), RecordBytes(value).size())) {
    return std::string("record does not parse");
  }
  if (event.position() != position) {
    return absl::StrCat("record reordered: it says position ", event.position());
  }
  ASSIGN_OR_RETURN(std::string tree_problem, CheckTree(position - 1, leaf_hash));
  if (!tree_problem.empty()) return tree_problem;
  return CheckIndexes(event);
}

absl::StatusOr<std::optional<absl::string_view>> RecordChecker::MerkleEntry(uint64_t leaf) {
  const std::string key = EncodeMerkleKey(leaf);
  // Most often the next entry; past a key no leaf has, a seek.
  if (merkle_->Valid() && merkle_->key().compare(key) < 0) merkle_->Next();
  if (!merkle_->Valid() || merkle_->key().compare(key) < 0) merkle_->Seek(key);
  RETURN_IF_ERROR(FromRocksStatus(merkle_->status(), "reading the merkle tree"));
  if (!merkle_->Valid() || merkle_->key() != key) return std::nullopt;
  return View(merkle_->value());
}

// Appends the recomputed leaf and compares every node it completes with
// the stored one: a changed record with a recomputed stored leaf hash
// still shows here, since the tree was built from the original bytes.
// The nodes a leaf completes are all in that leaf's entry.
absl::StatusOr<std::string> RecordChecker::CheckTree(uint64_t leaf, absl::string_view leaf_hash) {
  ASSIGN_OR_RETURN(const std::optional<absl::string_view> entry, MerkleEntry(leaf));
  std::string problem;
  frontier_.Append(leaf_hash, [&](int level, uint64_t index, absl::string_view hash) {
    if (!problem.empty()) return;
    // Its only errors are DATA_LOSS: the entry missing or malformed.
    const absl::StatusOr<std::string> stored = MerkleNodeInEntry(entry, level, index);
    if (!stored.ok()) {
      problem = std::string(stored.status().message());
    } else if (*stored != hash) {
      problem = absl::StrCat("record changed: merkle node (level ", level, ", index ", index,
                             ") differs from the tree signed so far");
    }
  });
  return problem;
}

absl::StatusOr<std::string> RecordChecker::CheckIndexes(const v1::RecordedEvent& event) {
  std::string id_bytes;
  if (!ParseUuid(event.event_id(), &id_bytes)) return std::string("event id does not parse");
  ASSIGN_OR_RETURN(std::optional<std::string> by_id, Get(db_.event_ids(), id_bytes));
  if (!by_id.has_value() || by_id->size() != kPositionBytes ||
      ReadBigEndian64(*by_id) != event.position()) {
    return absl::StrCat("event id index does not point at this record (event ", event.event_id(),
                        ")");
  }
  auto known = stream_ids_.find(event.stream());
  if (known == stream_ids_.end()) {
    ASSIGN_OR_RETURN(std::optional<std::string> head_bytes,
                     Get(db_.stream_heads(), event.stream()));
    StreamHead head;
    if (!head_bytes.has_value() || !DecodeStreamHead(*head_bytes, &head)) {
      return absl::StrCat("stream '", event.stream(), "' has no stream head");
    }
    known = stream_ids_.emplace(event.stream(), head.stream_id).first;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> by_revision,
                   Get(db_.streams(), EncodeStreamKey(known->second, event.revision())));
  if (!by_revision.has_value() || by_revision->size() != kPositionBytes ||
      ReadBigEndian64(*by_revision) != event.position()) {
    return absl::StrCat("stream index of '", event.stream(), "' revision ", event.revision(),
                        " does not point at this record");
  }
  return std::string();
}

}  // namespace

absl::StatusOr<CheckReport> CheckLog(const Database& db) {
  CheckReport report;
  RecordChecker checker(db);
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions(), db.log()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t expected = report.records + 1;
    const uint64_t position =
        it->key().size() == kPositionBytes ? ReadBigEndian64(View(it->key())) : 0;
    if (position != expected) {
      report.problem = absl::StrCat("position ", expected, ": record missing (the next key is ",
                                    position == 0 ? "malformed" : absl::StrCat(position), ")");
      report.problem_position = expected;
      return report;
    }
    ASSIGN_OR_RETURN(std::string problem, checker.Check(position, View(it->value())));
    if (!problem.empty()) {
      report.problem = absl::StrCat("position ", position, ": ", problem);
      report.problem_position = position;
      return report;
    }
    ++report.records;
  }
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "reading the log"));
  // A stored leaf past the end means records were removed from the end.
  if (MerkleStore(&db).Node(0, report.records).ok()) {
    report.problem = absl::StrCat("position ", report.records + 1,
                                  ": record missing (the tree has a leaf for it)");
    report.problem_position = report.records + 1;
  }
  report.head = checker.frontier().Head();
  return report;
}

}  // namespace stakeledger::storage
