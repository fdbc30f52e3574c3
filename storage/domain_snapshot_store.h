// Where the service keeps the snapshot of its domain state (derived data:
// see service/domain_state.h): chunks of bytes, opaque here, and a
// manifest (proto/stakeledger/v1/domain_snapshot.proto) naming them with
// their SHA-256, the log position the snapshot covers and that position's
// leaf hash and tree root.
//
// Layout, in the `meta` family:
//   domain_snapshot/manifest             -> DomainSnapshotManifest
//   domain_snapshot/chunk/ index(8) generation(8) -> chunk bytes
// Why `meta` under a key prefix rather than a column family of its own: a
// new family would have to be listed by every later Open, and a build
// that does not know it could no longer open the directory (RocksDB
// refuses unlisted families); keys in `meta` are invisible to everything
// else (the log, its checks and the projections never iterate `meta`).
//
// Atomicity: a write puts the new chunks under keys no manifest names yet
// (a fresh generation), in batches of at most kDomainSnapshotBatchBytesMax,
// then, in one last WriteBatch, the manifest and the deletion of the
// chunks it no longer names. A crash before that batch leaves the old
// snapshot whole (and orphan chunks the next write deletes); after it, the
// new one. Chunks the new manifest takes over unchanged from the old one
// (the state only grows, so full chunks never change) are not rewritten.
//
// Thread safety: Read may run concurrently with anything; Write calls must
// not overlap each other (the service has one writer at a time).
#ifndef STAKELEDGER_STORAGE_DOMAIN_SNAPSHOT_STORE_H_
#define STAKELEDGER_STORAGE_DOMAIN_SNAPSHOT_STORE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/db.h"

namespace stakeledger::storage {

inline constexpr char kDomainSnapshotKeyPrefix[] = "domain_snapshot/";
// The largest snapshot (manifest plus every chunk) Write accepts: about
// 25M announcements at the service's ~40 bytes each. Past it the snapshot
// is not written and starts rebuild the state from the log.
inline constexpr size_t kDomainSnapshotBytesMax = size_t{1} << 30;
// Chunk bytes written per WriteBatch (a chunk larger than this gets a
// batch of its own).
inline constexpr size_t kDomainSnapshotBatchBytesMax = size_t{64} << 20;
// Chunks one snapshot may have (each is named in the manifest).
inline constexpr size_t kDomainSnapshotChunksMax = 100'000;

// A snapshot to write. Chunks [0, kept_chunks) are those of the stored
// snapshot, unchanged; `new_chunks` follow them.
struct DomainSnapshotWrite {
  uint32_t format_version = 0;
  // The last log position the state covers. REQUIRES: 1 <= position <=
  // the committed head.
  uint64_t position = 0;
  std::string head;
  size_t kept_chunks = 0;
  std::vector<std::string> new_chunks;
};

// What Write did.
struct DomainSnapshotWritten {
  // Manifest plus every chunk it names.
  size_t total_bytes = 0;
  // Of which written now.
  size_t written_bytes = 0;
  size_t chunks = 0;
};

// One chunk a manifest names.
struct DomainSnapshotChunkInfo {
  std::string key;
  uint64_t size_bytes = 0;
  std::string sha256;
};

// A snapshot whose manifest checked out against the log; its chunks are
// read one at a time (ReadChunk), so a start never holds them all.
struct DomainSnapshotRead {
  uint64_t position = 0;
  std::string head;
  std::vector<DomainSnapshotChunkInfo> chunks;
};

class DomainSnapshotStore {
 public:
  // REQUIRES: `db` outlives the store.
  explicit DomainSnapshotStore(const Database* db) : db_(db) {}

  // Writes `snapshot` (see the layout above). Errors, with nothing of the
  // stored snapshot changed: RESOURCE_EXHAUSTED when the snapshot would
  // exceed `bytes_max` or kDomainSnapshotChunksMax chunks;
  // FAILED_PRECONDITION when kept_chunks exceeds the stored snapshot's
  // chunks; NOT_FOUND / DATA_LOSS when `position` is not in the log;
  // UNAVAILABLE when RocksDB fails.
  absl::StatusOr<DomainSnapshotWritten> Write(const DomainSnapshotWrite& snapshot,
                                              size_t bytes_max = kDomainSnapshotBytesMax) const;

  // Reads the stored snapshot and checks it against the log, whose
  // committed head is `head_position`. Errors: NOT_FOUND when there is
  // none; FAILED_PRECONDITION when it has another format version than
  // `format_version`, covers a position past the head, or the log's leaf
  // hash or tree root at its position differ from the recorded ones;
  // DATA_LOSS when the manifest does not parse or its head does not match
  // its checksum; UNAVAILABLE when RocksDB fails.
  absl::StatusOr<DomainSnapshotRead> Read(uint32_t format_version, uint64_t head_position) const;

  // The bytes of chunk `index` of `snapshot`. REQUIRES: index <
  // snapshot.chunks.size(). Errors: DATA_LOSS when the chunk is missing or
  // does not match its checksum; UNAVAILABLE when RocksDB fails.
  absl::StatusOr<std::string> ReadChunk(const DomainSnapshotRead& snapshot, size_t index) const;

  // Deletes the stored snapshot (manifest and chunks). Errors: UNAVAILABLE.
  absl::Status Delete() const;

  // Raw access to the snapshot's keys, for tests that spoil a snapshot.
  // The key of the manifest, the keys of the stored chunks (named by the
  // manifest or not), and the bytes under one of them. Errors: NOT_FOUND,
  // UNAVAILABLE; INVALID_ARGUMENT for a key outside the snapshot's prefix.
  static std::string ManifestKey();
  absl::StatusOr<std::vector<std::string>> ChunkKeys() const;
  absl::StatusOr<std::string> ReadRaw(const std::string& key) const;
  absl::Status WriteRaw(const std::string& key, const std::string& bytes) const;

 private:
  // The leaf hash and the tree root at `position`. Errors: NOT_FOUND,
  // DATA_LOSS, UNAVAILABLE.
  absl::Status ReadLogAt(uint64_t position, std::string* leaf_hash, std::string* root) const;

  const Database* db_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_DOMAIN_SNAPSHOT_STORE_H_
