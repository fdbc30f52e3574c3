#include "storage/projection_cursor.h"

#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/projection.h"

namespace stakeledger::storage {

ProjectionCursor::ProjectionCursor(const Database& db, absl::string_view projection,
                                   const std::string& prefix, CursorScope scope)
    : projection_(projection), snapshot_(db.db()) {
  options_.snapshot = snapshot_.snapshot();
  absl::StatusOr<uint64_t> generation = ReadActiveGeneration(db, projection, options_);
  init_status_ = generation.status();
  prefix_ = ProjectionPrefix(projection, generation.value_or(0)) + prefix;
  // A pair cursor stays within one prefix of the family's prefix
  // extractor, so it may use the prefix Bloom filters; any other cursor
  // crosses prefixes and must not.
  options_.total_order_seek = scope == CursorScope::kRange;
  options_.prefix_same_as_start = scope == CursorScope::kPair;
  // The first key after every key under the prefix: the prefix with its
  // last byte incremented (trailing 0xFF bytes dropped first). The
  // projection's own prefix never ends in 0xFF bytes only.
  upper_ = prefix_;
  while (!upper_.empty() && upper_.back() == '\xff') upper_.pop_back();
  upper_.back() = static_cast<char>(static_cast<uint8_t>(upper_.back()) + 1);
  upper_slice_ = rocksdb::Slice(upper_);
  lower_slice_ = rocksdb::Slice(prefix_);
  options_.iterate_upper_bound = &upper_slice_;
  options_.iterate_lower_bound = &lower_slice_;
  it_.reset(db.db()->NewIterator(options_, db.projections()));
}

absl::Status ProjectionCursor::status() const {
  if (!init_status_.ok()) return init_status_;
  return FromRocksStatus(it_->status(), absl::StrCat("reading ", projection_));
}

}  // namespace stakeledger::storage
