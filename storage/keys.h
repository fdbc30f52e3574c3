// On-disk layout of the event log: column family names, key and value
// encodings. Integers are big-endian so that RocksDB's bytewise order is
// numeric order (log order for positions, revision order within a stream).
//
//   log           position(8)                  -> leaf_hash(32) record(n)
//   streams       stream_id(8) revision(8)     -> position(8)
//   stream_heads  stream name (UTF-8)          -> StreamHead (32, below)
//   event_ids     event id (16, binary UUID)   -> position(8)
//   meta          ASCII name                   -> value
//   merkle        leaf(8)                      -> node hashes(32 each)
//
// merkle holds every complete node of the RFC 6962 tree over the leaf
// hashes (merkle_frontier.h): level 0 the leaf hashes, node (l, i) the root
// over leaves [i * 2^l, (i + 1) * 2^l). Appending leaf n completes the
// nodes (l, n >> l) for l = 0 .. t, where t is the number of trailing one
// bits of n; they are stored together under n, level 0 first, so node
// (l, i) is the 32 bytes at 32 * l in the entry of its last leaf
// (i + 1) * 2^l - 1. One entry per record, keyed in the order records are
// appended, and a proof's low nodes are neighbours on disk. Written in the
// same WriteBatch as the record; an entry never changes.
//   projections   name NUL key                 -> state (projection.h)
//
// Nothing here is ever overwritten except stream_heads and meta entries,
// which are indexes, not the log.
#ifndef STAKELEDGER_STORAGE_KEYS_H_
#define STAKELEDGER_STORAGE_KEYS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace stakeledger::storage {

inline constexpr char kLogFamily[] = "log";
inline constexpr char kStreamsFamily[] = "streams";
inline constexpr char kStreamHeadsFamily[] = "stream_heads";
inline constexpr char kEventIdsFamily[] = "event_ids";
inline constexpr char kMetaFamily[] = "meta";
inline constexpr char kMerkleFamily[] = "merkle";
inline constexpr char kProjectionsFamily[] = "projections";

inline constexpr size_t kPositionBytes = 8;
inline constexpr size_t kLeafHashBytes = 32;
inline constexpr size_t kEventIdBytes = 16;
inline constexpr size_t kStreamKeyBytes = 8 + 8;   // stream id, revision
inline constexpr size_t kStreamHeadBytes = 4 * 8;  // id, revision, first, last
static_assert(kStreamKeyBytes == 16, "stream id and revision are 8 bytes each");
static_assert(kStreamHeadBytes == 32, "four 8-byte fields");
inline constexpr size_t kMerkleKeyBytes = 8;  // leaf index
static_assert(kMerkleKeyBytes == 8, "an 8-byte leaf index");

// meta keys.
inline constexpr char kMetaFormatVersion[] = "format_version";
inline constexpr char kMetaNextStreamId[] = "next_stream_id";
inline constexpr char kFormatVersion[] = "1";

void AppendBigEndian64(uint64_t value, std::string* out);
// REQUIRES: bytes.size() >= 8. Reads the first 8 bytes.
uint64_t ReadBigEndian64(absl::string_view bytes);

std::string EncodePosition(uint64_t position);
std::string EncodeStreamKey(uint64_t stream_id, uint64_t revision);
// The key of the merkle entry of `leaf`.
std::string EncodeMerkleKey(uint64_t leaf);
// The leaf whose entry holds node (level, index): its last leaf.
// REQUIRES: 0 <= level < 64 and (index + 1) * 2^level <= 2^64.
uint64_t MerkleEntryLeaf(int level, uint64_t index);
// The nodes the entry of `leaf` holds: 1 + the trailing one bits of leaf.
// REQUIRES: leaf < 2^64 - 1.
int MerkleEntryLevels(uint64_t leaf);

// The index entry for one stream, kept current by the indexer.
struct StreamHead {
  uint64_t stream_id = 0;
  uint64_t last_revision = 0;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
};

std::string EncodeStreamHead(const StreamHead& head);
// Returns false when `bytes` is not kStreamHeadBytes long.
bool DecodeStreamHead(absl::string_view bytes, StreamHead* head);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_KEYS_H_
