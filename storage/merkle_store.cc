#include "storage/merkle_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "storage/check.h"
#include "storage/keys.h"
#include "storage/record.h"
#include "storage/status_macros.h"
#include "verify/merkle_hash.h"

namespace stakeledger::storage {
namespace {

// Records per WriteBatch when rebuilding the tree of an older log.
constexpr uint64_t kRebuildBatchLeavesMax = 10'000;

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

int Log2(uint64_t power_of_two) {
  int level = 0;
  while ((uint64_t{1} << level) < power_of_two) ++level;
  return level;
}

}  // namespace

namespace {

// MerkleNodeInEntry on a read of the entry.
absl::StatusOr<std::string> NodeInEntry(const rocksdb::Status& read, const std::string& entry,
                                        int level, uint64_t index) {
  if (read.IsNotFound()) return MerkleNodeInEntry(std::nullopt, level, index);
  RETURN_IF_ERROR(FromRocksStatus(read, "reading a merkle node"));
  return MerkleNodeInEntry(entry, level, index);
}

}  // namespace

absl::StatusOr<std::string> MerkleNodeInEntry(std::optional<absl::string_view> entry, int level,
                                              uint64_t index) {
  if (!entry.has_value()) {
    return absl::DataLossError(
        absl::StrCat("merkle node (level ", level, ", index ", index, ") is missing"));
  }
  const uint64_t leaf = MerkleEntryLeaf(level, index);
  if (entry->size() != MerkleEntryLevels(leaf) * verify::kHashBytes) {
    return absl::DataLossError(absl::StrCat("merkle node (level ", level, ", index ", index,
                                            "): the entry of leaf ", leaf, " has ", entry->size(),
                                            " bytes"));
  }
  return std::string(entry->substr(level * verify::kHashBytes, verify::kHashBytes));
}

absl::StatusOr<std::string> MerkleStore::Node(int level, uint64_t index) const {
  std::string entry;
  const rocksdb::Status status =
      db_->db()->Get(rocksdb::ReadOptions(), db_->merkle(),
                     EncodeMerkleKey(MerkleEntryLeaf(level, index)), &entry);
  return NodeInEntry(status, entry, level, index);
}

// The stored perfect nodes that make up leaves [begin, end), left to
// right: the RFC recursion splits off the largest power of two below the
// count each time, and every piece starts at a multiple of its own size.
std::vector<MerkleNodeId> Pieces(uint64_t begin, uint64_t end) {
  std::vector<MerkleNodeId> pieces;
  while (begin < end) {
    const uint64_t count = end - begin;
    const uint64_t piece = IsPowerOfTwo(count) ? count : verify::SplitPoint(count);
    const int level = Log2(piece);
    CHECK(begin % piece == 0);
    pieces.push_back(MerkleNodeId{level, begin >> level});
    begin += piece;
  }
  return pieces;
}

namespace {

uint64_t CacheKey(const MerkleNodeId& id) {
  return (static_cast<uint64_t>(id.level) << 58) | id.index;
}

bool IsCacheableLevel(const MerkleNodeId& id) {
  return id.level >= kMerkleCacheLevelMin && (id.index >> 58) == 0;
}

// The complete nodes of level `level` and above in a tree of `size` leaves.
uint64_t NodesFromLevel(uint64_t size, int level) {
  uint64_t nodes = 0;
  for (int l = level; l < kMerkleLevelsMax; ++l) nodes += size >> l;
  return nodes;
}

}  // namespace

std::string MerkleStore::Cached(const MerkleNodeId& id) const {
  if (!IsCacheableLevel(id)) return std::string();
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  if (id.level < cache_level_) return std::string();
  auto it = cache_.find(CacheKey(id));
  return it == cache_.end() ? std::string() : it->second;
}

void MerkleStore::Keep(const MerkleNodeId& id, const std::string& hash) const {
  if (!IsCacheableLevel(id)) return;
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  if (id.level < cache_level_ || cache_.size() >= cache_nodes_max_) return;
  cache_.emplace(CacheKey(id), hash);
}

void MerkleStore::RaiseCacheLevel(uint64_t size) const {
  int level = kMerkleCacheLevelMin;
  while (level < kMerkleLevelsMax && NodesFromLevel(size, level) > cache_nodes_max_) ++level;
  {
    std::shared_lock<std::shared_mutex> lock(cache_mu_);
    if (level <= cache_level_) return;
  }
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  if (level <= cache_level_) return;
  cache_level_ = level;
  // The nodes below the new level would take the room of those above it.
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (static_cast<int>(it->first >> 58) < level) {
      cache_.erase(it++);
    } else {
      ++it;
    }
  }
}

size_t MerkleStore::cached_nodes() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  return cache_.size();
}

absl::StatusOr<std::vector<std::string>> MerkleStore::HashRanges(
    const std::vector<Range>& ranges) const {
  // Every node the ranges need, in fold order, from the cache or else from
  // one MultiGet.
  std::vector<std::vector<MerkleNodeId>> pieces;
  std::vector<std::string> nodes;
  std::vector<size_t> missing;  // indexes into nodes
  std::vector<MerkleNodeId> missing_ids;
  std::vector<std::string> keys;
  uint64_t size = 0;
  for (const Range& range : ranges) size = std::max(size, range.end);
  RaiseCacheLevel(size);
  for (const Range& range : ranges) {
    CHECK(range.begin < range.end);
    pieces.push_back(Pieces(range.begin, range.end));
    for (const MerkleNodeId& id : pieces.back()) {
      nodes.push_back(Cached(id));
      if (!nodes.back().empty()) continue;
      missing.push_back(nodes.size() - 1);
      missing_ids.push_back(id);
      keys.push_back(EncodeMerkleKey(MerkleEntryLeaf(id.level, id.index)));
    }
  }
  if (!keys.empty()) {
    const std::vector<rocksdb::Slice> key_slices(keys.begin(), keys.end());
    std::vector<std::string> values;
    const std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), db_->merkle());
    const std::vector<rocksdb::Status> statuses =
        db_->db()->MultiGet(rocksdb::ReadOptions(), families, key_slices, &values);
    for (size_t k = 0; k < keys.size(); ++k) {
      const MerkleNodeId& id = missing_ids[k];
      ASSIGN_OR_RETURN(nodes[missing[k]], NodeInEntry(statuses[k], values[k], id.level, id.index));
      Keep(id, nodes[missing[k]]);
    }
  }
  std::vector<std::string> hashes;
  size_t next = 0;
  for (const std::vector<MerkleNodeId>& range_pieces : pieces) {
    std::string hash;
    // Fold from the right: each piece is the left child of the split.
    for (size_t i = range_pieces.size(); i-- > 0;) {
      std::string& node = nodes[next + i];
      hash = hash.empty() ? std::move(node) : verify::HashChildren(node, hash);
    }
    next += range_pieces.size();
    hashes.push_back(std::move(hash));
  }
  return hashes;
}

absl::StatusOr<std::string> MerkleStore::SubtreeHash(uint64_t begin, uint64_t end) const {
  ASSIGN_OR_RETURN(std::vector<std::string> hashes, HashRanges({Range{begin, end}}));
  return std::move(hashes[0]);
}

absl::StatusOr<std::string> MerkleStore::Root(uint64_t size) const {
  if (size == 0) return verify::EmptyRoot();
  return SubtreeHash(0, size);
}

absl::StatusOr<std::vector<std::string>> MerkleStore::InclusionProof(uint64_t index,
                                                                     uint64_t size) const {
  CHECK(index < size);
  // Walk down from the root; each step names the sibling subtree, and the
  // path is returned leaf first.
  std::vector<Range> siblings;
  uint64_t begin = 0;
  uint64_t end = size;
  while (end - begin > 1) {
    const uint64_t k = verify::SplitPoint(end - begin);
    if (index < begin + k) {
      siblings.push_back(Range{begin + k, end});
      end = begin + k;
    } else {
      siblings.push_back(Range{begin, begin + k});
      begin += k;
    }
  }
  std::vector<Range> leaf_first(siblings.rbegin(), siblings.rend());
  if (leaf_first.empty()) return std::vector<std::string>();
  return HashRanges(leaf_first);
}

// The ranges of SUBPROOF(m, D[begin:end], whole) of RFC 9162 2.1.4.1.
void MerkleStore::SubProof(uint64_t begin, uint64_t m, uint64_t end, bool whole,
                           std::vector<Range>* out) const {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!whole) out->push_back(Range{begin, end});
    return;
  }
  const uint64_t k = verify::SplitPoint(n);
  if (m <= k) {
    SubProof(begin, m, begin + k, whole, out);
    out->push_back(Range{begin + k, end});
  } else {
    SubProof(begin + k, m - k, end, /*whole=*/false, out);
    out->push_back(Range{begin, begin + k});
  }
}

absl::StatusOr<std::vector<std::string>> MerkleStore::ConsistencyProof(uint64_t size1,
                                                                       uint64_t size2) const {
  CHECK(size1 <= size2);
  if (size1 == 0 || size1 == size2) return std::vector<std::string>();
  std::vector<Range> ranges;
  SubProof(0, size1, size2, /*whole=*/true, &ranges);
  return HashRanges(ranges);
}

void MerkleNodeBuffer::Add(int level, uint64_t index, absl::string_view hash) {
  CHECK(hash.size() == verify::kHashBytes);
  if (level == 0) {
    entries_.push_back(Entry{index, hashes_.size(), 1});
  } else {
    CHECK(!entries_.empty());
    Entry& entry = entries_.back();
    CHECK(entry.levels == level);
    CHECK(entry.leaf >> level == index);
    ++entry.levels;
  }
  hashes_.append(hash.data(), hash.size());
}

void MerkleNodeBuffer::WriteTo(const Database& db, rocksdb::WriteBatch* batch) {
  for (const Entry& entry : entries_) {
    CHECK(entry.levels == MerkleEntryLevels(entry.leaf));
    CHECK(
        batch
            ->Put(db.merkle(), EncodeMerkleKey(entry.leaf),
                  rocksdb::Slice(hashes_.data() + entry.offset, entry.levels * verify::kHashBytes))
            .ok());
  }
  entries_.clear();
  hashes_.clear();
}

absl::StatusOr<bool> HasEarlierMerkleLayout(const Database& db) {
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions(), db.merkle()));
  it->SeekToFirst();
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "reading the merkle family"));
  return it->Valid() && it->key().size() == kMerkleKeyBytes + 1;
}

absl::StatusOr<MerkleFrontier> LoadFrontier(const Database& db, uint64_t size) {
  const MerkleStore store(&db);
  std::vector<std::string> roots;
  for (const MerkleNodeId& id : FrontierNodes(size)) {
    ASSIGN_OR_RETURN(std::string hash, store.Node(id.level, id.index));
    roots.push_back(std::move(hash));
  }
  return MerkleFrontier(size, roots);
}

absl::StatusOr<MerkleFrontier> EnsureTree(const Database& db, uint64_t size) {
  if (size == 0) return MerkleFrontier();
  if (MerkleStore(&db).Node(0, size - 1).ok()) return LoadFrontier(db, size);
  // No entry for the last leaf: the log was written before the tree
  // existed, or with the earlier one-node-per-key layout, or a rebuild was
  // interrupted. Start from an empty family; every key of either layout is
  // shorter than `end`.
  const std::string end(kMerkleKeyBytes + 1, '\xff');
  RETURN_IF_ERROR(FromRocksStatus(
      db.db()->DeleteRange(rocksdb::WriteOptions(), db.merkle(), rocksdb::Slice(), end),
      "clearing the merkle family"));
  MerkleFrontier frontier;
  rocksdb::WriteBatch batch;
  MerkleNodeBuffer nodes;
  const auto put = [&](int level, uint64_t index, absl::string_view hash) {
    nodes.Add(level, index, hash);
  };
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions(), db.log()));
  for (it->SeekToFirst(); it->Valid() && frontier.size() < size; it->Next()) {
    const uint64_t position = ReadBigEndian64(View(it->key()));
    if (position != frontier.size() + 1) {
      return absl::DataLossError(
          absl::StrCat("expected position ", frontier.size() + 1, " in the log, found ", position));
    }
    if (it->value().size() < kLeafHashBytes) {
      return absl::DataLossError(absl::StrCat("record ", position, " is too short"));
    }
    frontier.Append(StoredLeafHash(View(it->value())), put);
    if (frontier.size() % kRebuildBatchLeavesMax == 0 || frontier.size() == size) {
      nodes.WriteTo(db, &batch);
      RETURN_IF_ERROR(FromRocksStatus(db.db()->Write(rocksdb::WriteOptions(), &batch),
                                      "writing rebuilt merkle nodes"));
      batch.Clear();
    }
  }
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "reading the log"));
  if (frontier.size() != size) {
    return absl::DataLossError(
        absl::StrCat("the log ends at position ", frontier.size(), ", expected ", size));
  }
  return frontier;
}

}  // namespace stakeledger::storage
