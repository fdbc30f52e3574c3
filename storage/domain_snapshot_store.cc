#include "storage/domain_snapshot_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/write_batch.h"
#include "stakeledger/v1/domain_snapshot.pb.h"
#include "storage/check.h"
#include "storage/keys.h"
#include "storage/merkle_store.h"
#include "storage/status_macros.h"
#include "verify/merkle_hash.h"

namespace stakeledger::storage {
namespace {

constexpr char kManifestName[] = "manifest";
constexpr char kChunkName[] = "chunk/";

std::string ChunkPrefix() { return absl::StrCat(kDomainSnapshotKeyPrefix, kChunkName); }

std::string ChunkKey(uint64_t index, uint64_t generation) {
  std::string key = ChunkPrefix();
  AppendBigEndian64(index, &key);
  AppendBigEndian64(generation, &key);
  return key;
}

// The generation a chunk key names, or 0 when it is not a chunk key.
uint64_t GenerationOf(absl::string_view key) {
  const std::string prefix = ChunkPrefix();
  if (key.size() != prefix.size() + 16 || !absl::StartsWith(key, prefix)) return 0;
  return ReadBigEndian64(key.substr(prefix.size() + 8));
}

std::string Sha256(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  CHECK(EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) == 1);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// The stored manifest. Errors: NOT_FOUND, DATA_LOSS, UNAVAILABLE.
absl::StatusOr<v1::DomainSnapshotManifest> ReadManifest(const Database& db) {
  std::string bytes;
  RETURN_IF_ERROR(FromRocksStatus(
      db.db()->Get(rocksdb::ReadOptions(), db.meta(), DomainSnapshotStore::ManifestKey(), &bytes),
      "reading the domain snapshot's manifest"));
  v1::DomainSnapshotManifest manifest;
  if (!manifest.ParseFromString(bytes)) {
    return absl::DataLossError("the domain snapshot's manifest does not parse");
  }
  return manifest;
}

// Every chunk key stored, named by a manifest or not.
absl::StatusOr<std::vector<std::string>> ListChunkKeys(const Database& db) {
  const std::string prefix = ChunkPrefix();
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions(), db.meta()));
  std::vector<std::string> keys;
  for (it->Seek(prefix); it->Valid() && absl::StartsWith(View(it->key()), prefix); it->Next()) {
    keys.push_back(it->key().ToString());
  }
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "listing the domain snapshot's chunks"));
  return keys;
}

// Writes the new chunks under the keys `manifest` names for them (its
// refs from `first_new` on), in batches of kDomainSnapshotBatchBytesMax.
absl::Status WriteChunks(const Database& db, const DomainSnapshotWrite& snapshot,
                         const v1::DomainSnapshotManifest& manifest) {
  rocksdb::WriteBatch batch;
  for (size_t i = 0; i < snapshot.new_chunks.size(); ++i) {
    const v1::DomainSnapshotChunkRef& ref = manifest.chunks(snapshot.kept_chunks + i);
    CHECK(batch.Put(db.meta(), ref.key(), snapshot.new_chunks[i]).ok());
    if (batch.GetDataSize() >= kDomainSnapshotBatchBytesMax) {
      RETURN_IF_ERROR(FromRocksStatus(db.db()->Write(rocksdb::WriteOptions(), &batch),
                                      "writing the domain snapshot's chunks"));
      batch.Clear();
    }
  }
  return FromRocksStatus(db.db()->Write(rocksdb::WriteOptions(), &batch),
                         "writing the domain snapshot's chunks");
}

}  // namespace

std::string DomainSnapshotStore::ManifestKey() {
  return absl::StrCat(kDomainSnapshotKeyPrefix, kManifestName);
}

absl::Status DomainSnapshotStore::ReadLogAt(uint64_t position, std::string* leaf_hash,
                                            std::string* root) const {
  std::string value;
  RETURN_IF_ERROR(FromRocksStatus(
      db_->db()->Get(rocksdb::ReadOptions(), db_->log(), EncodePosition(position), &value),
      absl::StrCat("reading log position ", position)));
  if (value.size() < kLeafHashBytes) {
    return absl::DataLossError(absl::StrCat("log position ", position, " has no leaf hash"));
  }
  *leaf_hash = value.substr(0, kLeafHashBytes);
  MerkleStore merkle(db_);
  ASSIGN_OR_RETURN(*root, merkle.Root(position));
  return absl::OkStatus();
}

absl::StatusOr<DomainSnapshotWritten> DomainSnapshotStore::Write(
    const DomainSnapshotWrite& snapshot, size_t bytes_max) const {
  CHECK(snapshot.position >= 1);
  v1::DomainSnapshotManifest old;
  if (absl::StatusOr<v1::DomainSnapshotManifest> stored = ReadManifest(*db_); stored.ok()) {
    old = *std::move(stored);
  } else if (!absl::IsNotFound(stored.status()) && !absl::IsDataLoss(stored.status())) {
    return stored.status();
  }
  if (snapshot.kept_chunks > static_cast<size_t>(old.chunks_size())) {
    return absl::FailedPreconditionError(absl::StrCat("the stored domain snapshot has ",
                                                      old.chunks_size(), " chunks; cannot keep ",
                                                      snapshot.kept_chunks));
  }
  const size_t chunks = snapshot.kept_chunks + snapshot.new_chunks.size();
  if (chunks > kDomainSnapshotChunksMax) {
    return absl::ResourceExhaustedError(absl::StrCat("a domain snapshot of ", chunks,
                                                     " chunks is over the limit of ",
                                                     kDomainSnapshotChunksMax));
  }
  v1::DomainSnapshotManifest manifest;
  manifest.set_format_version(snapshot.format_version);
  manifest.set_position(snapshot.position);
  manifest.set_head(snapshot.head);
  manifest.set_head_sha256(Sha256(snapshot.head));
  RETURN_IF_ERROR(
      ReadLogAt(snapshot.position, manifest.mutable_leaf_hash(), manifest.mutable_tree_root()));
  DomainSnapshotWritten written;
  written.chunks = chunks;
  uint64_t generation = 1;
  for (size_t i = 0; i < static_cast<size_t>(old.chunks_size()); ++i) {
    generation = std::max(generation, GenerationOf(old.chunks(i).key()) + 1);
    if (i >= snapshot.kept_chunks) continue;
    *manifest.add_chunks() = old.chunks(i);
    written.total_bytes += old.chunks(i).size_bytes();
  }
  for (size_t i = 0; i < snapshot.new_chunks.size(); ++i) {
    const std::string& bytes = snapshot.new_chunks[i];
    v1::DomainSnapshotChunkRef* ref = manifest.add_chunks();
    ref->set_key(ChunkKey(snapshot.kept_chunks + i, generation));
    ref->set_size_bytes(bytes.size());
    ref->set_sha256(Sha256(bytes));
    written.total_bytes += bytes.size();
    written.written_bytes += bytes.size();
  }
  const std::string manifest_bytes = manifest.SerializeAsString();
  written.total_bytes += manifest_bytes.size();
  written.written_bytes += manifest_bytes.size();
  if (written.total_bytes > bytes_max) {
    return absl::ResourceExhaustedError(absl::StrCat("the domain snapshot would take ",
                                                     written.total_bytes,
                                                     " bytes, over the limit of ", bytes_max));
  }
  RETURN_IF_ERROR(WriteChunks(*db_, snapshot, manifest));

  absl::flat_hash_set<std::string> named;
  for (const v1::DomainSnapshotChunkRef& ref : manifest.chunks()) named.insert(ref.key());
  ASSIGN_OR_RETURN(const std::vector<std::string> stored_keys, ListChunkKeys(*db_));
  rocksdb::WriteBatch last;
  for (const std::string& key : stored_keys) {
    if (!named.contains(key)) CHECK(last.Delete(db_->meta(), key).ok());
  }
  CHECK(last.Put(db_->meta(), ManifestKey(), manifest_bytes).ok());
  RETURN_IF_ERROR(FromRocksStatus(db_->db()->Write(rocksdb::WriteOptions(), &last),
                                  "writing the domain snapshot's manifest"));
  return written;
}

absl::StatusOr<DomainSnapshotRead> DomainSnapshotStore::Read(uint32_t format_version,
                                                             uint64_t head_position) const {
  ASSIGN_OR_RETURN(const v1::DomainSnapshotManifest manifest, ReadManifest(*db_));
  if (manifest.format_version() != format_version) {
    return absl::FailedPreconditionError(absl::StrCat(
        "it has format version ", manifest.format_version(), ", this build ", format_version));
  }
  if (manifest.position() == 0 || manifest.position() > head_position) {
    return absl::FailedPreconditionError(absl::StrCat("it covers position ", manifest.position(),
                                                      ", the log's head is ", head_position));
  }
  std::string leaf_hash;
  std::string root;
  if (absl::Status at = ReadLogAt(manifest.position(), &leaf_hash, &root); !at.ok()) {
    // Within the head, so the log should have it.
    return absl::IsNotFound(at) ? absl::DataLossError(at.message()) : at;
  }
  if (leaf_hash != manifest.leaf_hash() || root != manifest.tree_root()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the log at position ", manifest.position(), " has leaf hash ", verify::ToHex(leaf_hash),
        " and tree root ", verify::ToHex(root), ", the snapshot recorded ",
        verify::ToHex(manifest.leaf_hash()), " and ", verify::ToHex(manifest.tree_root())));
  }
  if (Sha256(manifest.head()) != manifest.head_sha256()) {
    return absl::DataLossError("the snapshot's head does not match its checksum");
  }
  DomainSnapshotRead read;
  read.position = manifest.position();
  read.head = manifest.head();
  for (const v1::DomainSnapshotChunkRef& ref : manifest.chunks()) {
    read.chunks.push_back(DomainSnapshotChunkInfo{ref.key(), ref.size_bytes(), ref.sha256()});
  }
  return read;
}

absl::StatusOr<std::string> DomainSnapshotStore::ReadChunk(const DomainSnapshotRead& snapshot,
                                                           size_t index) const {
  CHECK(index < snapshot.chunks.size());
  const DomainSnapshotChunkInfo& chunk = snapshot.chunks[index];
  std::string bytes;
  const rocksdb::Status got =
      db_->db()->Get(rocksdb::ReadOptions(), db_->meta(), chunk.key, &bytes);
  if (got.IsNotFound()) {
    return absl::DataLossError(absl::StrCat("chunk ", index, " of the snapshot is missing"));
  }
  RETURN_IF_ERROR(FromRocksStatus(got, "reading the domain snapshot"));
  if (bytes.size() != chunk.size_bytes || Sha256(bytes) != chunk.sha256) {
    return absl::DataLossError(
        absl::StrCat("chunk ", index, " of the snapshot does not match its checksum"));
  }
  return bytes;
}

absl::Status DomainSnapshotStore::Delete() const {
  ASSIGN_OR_RETURN(const std::vector<std::string> keys, ListChunkKeys(*db_));
  rocksdb::WriteBatch batch;
  CHECK(batch.Delete(db_->meta(), ManifestKey()).ok());
  for (const std::string& key : keys) CHECK(batch.Delete(db_->meta(), key).ok());
  return FromRocksStatus(db_->db()->Write(rocksdb::WriteOptions(), &batch),
                         "deleting the domain snapshot");
}

}  // namespace stakeledger::storage

namespace stakeledger::storage {
namespace {

absl::Status CheckSnapshotKey(absl::string_view key) {
  if (absl::StartsWith(key, kDomainSnapshotKeyPrefix)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("'", key, "' is not a key of the domain snapshot"));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> DomainSnapshotStore::ChunkKeys() const {
  return ListChunkKeys(*db_);
}

absl::StatusOr<std::string> DomainSnapshotStore::ReadRaw(const std::string& key) const {
  RETURN_IF_ERROR(CheckSnapshotKey(key));
  std::string bytes;
  RETURN_IF_ERROR(FromRocksStatus(db_->db()->Get(rocksdb::ReadOptions(), db_->meta(), key, &bytes),
                                  "reading a domain snapshot key"));
  return bytes;
}

absl::Status DomainSnapshotStore::WriteRaw(const std::string& key, const std::string& bytes) const {
  RETURN_IF_ERROR(CheckSnapshotKey(key));
  return FromRocksStatus(db_->db()->Put(rocksdb::WriteOptions(), db_->meta(), key, bytes),
                         "writing a domain snapshot key");
}

}  // namespace stakeledger::storage
