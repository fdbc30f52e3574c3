// Projections: named, deterministic folds over the log, each kept in the
// `projections` column family under the key prefix of its active
// generation (ProjectionPrefix). A rebuild folds into a new generation and
// then switches the active one (projection_engine.h). The state changes of
// a chunk of events and the projection's checkpoint (the chunk's last
// position) are written in one WriteBatch, so a crash never applies an
// event twice or skips one.
#ifndef STAKELEDGER_STORAGE_PROJECTION_H_
#define STAKELEDGER_STORAGE_PROJECTION_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/byte_arena.h"
#include "storage/db.h"

namespace stakeledger::storage {

// The key prefix of generation `generation` of projection `name` in the
// projections family: "name" NUL for generation 0, "name" \x01 and the
// generation as 8 big-endian bytes after that. No generation's prefix is a
// prefix of another's or of another projection's.
std::string ProjectionPrefix(absl::string_view name, uint64_t generation = 0);
// The checkpoint key of a generation of `name`: the last position applied.
std::string CheckpointKey(absl::string_view name, uint64_t generation = 0);
// Reads the checkpoint of a generation of `name`; 0 when it has none.
// Errors: as RocksDB reads; DATA_LOSS for a malformed value.
absl::StatusOr<uint64_t> ReadCheckpoint(const Database& db, absl::string_view name,
                                        uint64_t generation = 0);
// The key holding the active generation of `name`, outside every prefix.
std::string ActiveGenerationKey(absl::string_view name);
// The active generation of `name` as seen by `options` (e.g. a snapshot);
// 0 when none was recorded. Errors: as RocksDB reads; DATA_LOSS for a
// malformed value.
absl::StatusOr<uint64_t> ReadActiveGeneration(const Database& db, absl::string_view name,
                                              const rocksdb::ReadOptions& options);
// The key holding the layout version (Projection::layout_version) the
// active generation of `name` was written in, outside every prefix.
std::string LayoutVersionKey(absl::string_view name);
std::string EncodeLayoutVersion(uint32_t version);
// The layout version of the active generation of `name`; 1 when none was
// recorded (generations written before versions were). Errors: as
// RocksDB reads; DATA_LOSS for a malformed value.
absl::StatusOr<uint32_t> ReadLayoutVersion(const Database& db, absl::string_view name);
// Deletes (DeleteRange) the keys of every generation of `name` except
// `keep`. Errors: as RocksDB writes.
absl::Status DeleteOtherGenerations(const Database& db, absl::string_view name, uint64_t keep);
// True when generation `generation` of `name` holds no key. Errors: as
// RocksDB reads.
absl::StatusOr<bool> GenerationIsEmpty(const Database& db, absl::string_view name,
                                       uint64_t generation);
// Deletes (DeleteRange) the keys of one generation of `name`.
absl::Status DeleteGeneration(const Database& db, absl::string_view name, uint64_t generation);
// Compacts the key range of one generation of `name` down to one level:
// the files of a generation deleted with DeleteGeneration are dropped
// instead of staying on disk (and in every seek's way) until compaction
// reaches them, and a generation bulk-loaded in several writes (whose
// files overlap, one level above the other) becomes one sorted run, so
// that a query seeks once. Blocks until done, on up to `threads` threads;
// setting *canceled (may be null) stops it early.
// Errors: CANCELLED when *canceled stopped it; as RocksDB compactions.
absl::Status CompactGeneration(const Database& db, absl::string_view name, uint64_t generation,
                               std::atomic<bool>* canceled, int threads = 1);
// The keys of one generation of `name`: [first, second).
std::pair<std::string, std::string> GenerationRange(absl::string_view name, uint64_t generation);
// The key ranges of every generation of `name` but `keep`: what
// DeleteOtherGenerations deletes.
std::vector<std::pair<std::string, std::string>> OtherGenerationRanges(absl::string_view name,
                                                                       uint64_t keep);
// The bytes of SST files in the projections family within `ranges`,
// approximately (deleted keys count until compaction drops their files).
uint64_t StoredBytes(const Database& db,
                     const std::vector<std::pair<std::string, std::string>>& ranges);
// Compacts [begin, end) of the projections family as CompactGeneration
// does its generation's range. Errors: as CompactGeneration.
absl::Status CompactKeyRange(const Database& db, const std::string& begin, const std::string& end,
                             std::atomic<bool>* canceled, int threads = 1);

// Reclaims the disk of [begin, end) of the projections family, a range
// whose keys were all deleted at `deleted_at_sequence` (a former
// generation; DB::GetLatestSequenceNumber after the deletion and the
// swap). Once no snapshot older than that remains (waiting at most
// kReclaimSnapshotWaitMax), drops the SST files wholly inside the range
// without reading them and deletes the range again (what a dropped file
// held may uncover older values); then compacts what is left as
// CompactKeyRange does. Blocks until done.
// REQUIRES: nothing reads [begin, end) at a snapshot taken after
// `deleted_at_sequence`, and nothing writes it again.
// Errors: as CompactKeyRange; as RocksDB writes.
absl::Status ReclaimKeyRange(const Database& db, const std::string& begin, const std::string& end,
                             uint64_t deleted_at_sequence, std::atomic<bool>* canceled);
// How long ReclaimKeyRange waits for the readers of a former generation
// (a cursor holds its snapshot while it streams an answer) before it
// leaves the range to the compaction alone, and how often it looks.
inline constexpr absl::Duration kReclaimSnapshotWaitMax = absl::Seconds(10);
inline constexpr absl::Duration kReclaimSnapshotPollInterval = absl::Milliseconds(10);

// Where the SST files holding keys of one generation lie: the sorted runs
// a seek may consult (each level-0 file one, each other level one), the
// bytes of the bottom one (the oldest) and of those above it. A file that
// also holds other keys counts whole.
struct GenerationShape {
  uint64_t bottom_bytes = 0;
  uint64_t upper_bytes = 0;
  int sorted_runs = 0;
};
GenerationShape ShapeOf(const Database& db, absl::string_view name, uint64_t generation);

// A bulk transaction (a rebuild's shadow generation) keeps the changes of
// many chunks in memory up to this many bytes (BufferedChangeBytes) before
// it writes them as one SST file. The stake-ownership fold keeps about
// 480 bytes per announcement (measured at 100k), so 1 GiB holds a
// rebuild of about 2M announcements, ingested as a single file at the
// bottom of the tree and read back from memory throughout (a smaller
// buffer sends the reads to RocksDB after the first file: 256 MiB took a
// third longer at 1M). About as much again goes to the hash table and the
// sort while it is written: well under a tenth of the 24 GiB machine the
// service is sized for. A bulk fold (bulk_fold.h) holds up to this many
// bytes (BulkFold::held_bytes) before it writes its runs: about 285 bytes
// per stake-ownership announcement, so about 3.7M announcements a write.
// ledgerd --rebuild-buffer-bytes-max sets it, from the floor to the
// ceiling below (memory is taken only as a rebuild fills it).
inline constexpr size_t kRebuildBufferBytesMax = size_t{1} << 30;
inline constexpr size_t kRebuildBufferBytesFloor = size_t{1} << 20;
inline constexpr size_t kRebuildBufferBytesCeiling = size_t{64} << 30;
// ledgerd's default buffer (DefaultRebuildBufferBytes): a quarter of the
// machine's physical memory, at most 4 GiB (about 14M announcements, so a
// 10M log rebuilds in one write: half the time of several writes and the
// compaction they need, docs/performance.md).
inline constexpr size_t kRebuildBufferMemoryDivisor = 4;
inline constexpr size_t kRebuildBufferBytesDefaultCeiling = size_t{4} << 30;
// Physical memory / kRebuildBufferMemoryDivisor, clamped to
// [kRebuildBufferBytesFloor, kRebuildBufferBytesDefaultCeiling];
// kRebuildBufferBytesMax when the memory cannot be read.
size_t DefaultRebuildBufferBytes();
// Counted per buffered change besides its key and value bytes: its hash
// map slot (two views) and its share of the sort, about.
inline constexpr size_t kBufferedChangeOverheadBytes = 64;
// The bytes a buffered change counts against a bulk transaction's limit
// (an overwrite adds the new value's bytes: the old ones stay allocated).
inline size_t BufferedChangeBytes(absl::string_view key, absl::string_view value) {
  return key.size() + value.size() + kBufferedChangeOverheadBytes;
}

// How a bulk transaction writes (ProjectionTxn's second constructor).
struct BulkTxnOptions {
  // Commit writes once the changes kept exceed this many bytes.
  size_t buffer_bytes_max = kRebuildBufferBytesMax;
  // The generation holds no keys when the transaction starts (a fresh
  // shadow): reads the buffer cannot answer then need no RocksDB lookup
  // until the first file is ingested.
  bool generation_empty = false;
};

// The changes events make to one projection's state. Keys are relative
// to the prefix of the generation written. Reads see this transaction's own
// writes. A projection's Apply sees one event's changes; the engine may
// keep several events' changes in one transaction (EndEvent) and write
// them with the checkpoint of the last in one batch. Not thread-safe.
//
// A bulk transaction instead keeps the changes of many commits in memory
// and writes them, with the checkpoint of the last commit, as one sorted
// SST file ingested into RocksDB (bulk_load.h): no write-ahead log, no
// memtable. It must be the only writer of its generation.
class ProjectionTxn {
 public:
  ProjectionTxn(const Database* db, absl::string_view name, uint64_t generation = 0);
  // A bulk transaction.
  ProjectionTxn(const Database* db, absl::string_view name, uint64_t generation,
                const BulkTxnOptions& bulk);

  // Errors: as RocksDB reads. nullopt when the key is absent.
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const;
  void Put(absl::string_view key, absl::string_view value);
  void Delete(absl::string_view key);
  // True when the current event changed nothing.
  bool empty() const { return event_.empty(); }

  // Keeps the current event's changes for the next Commit and starts the
  // next event.
  void EndEvent();
  // Drops the current event's changes (e.g. after its Apply failed).
  void DiscardEvent() { event_.clear(); }

  // Writes every change (kept and current) and the checkpoint `position`
  // in one batch. Errors: as RocksDB writes (UNAVAILABLE for I/O errors);
  // nothing is written then.
  // Bulk: keeps the changes and `position` instead, and writes them as
  // Flush does once buffered_bytes() exceeds the limit (a buffer exactly
  // at the limit is kept). Errors: as Flush.
  absl::Status Commit(uint64_t position);
  // Bulk: writes every change kept and the checkpoint of the last Commit as
  // one ingested SST file; nothing when nothing was committed since the
  // last write. Errors: as BulkLoad (bulk_load.h); nothing is written then
  // and the changes stay kept. REQUIRES: a bulk transaction.
  absl::Status Flush();

  // Bulk: the bytes kept (BufferedChangeBytes of each change).
  size_t buffered_bytes() const { return buffered_bytes_; }
  // Bulk: the checkpoint last written, and the number of files ingested.
  uint64_t written_position() const { return written_position_; }
  int files_ingested() const { return files_ingested_; }

 private:
  using Changes = absl::flat_hash_map<std::string, std::optional<std::string>>;
  // A kept change: a view of its value in arena_; nullopt for a delete.
  using Kept = absl::flat_hash_map<absl::string_view, std::optional<absl::string_view>>;
  void ClearKept();

  const Database* db_;
  const std::string name_;
  const uint64_t generation_;
  const std::string prefix_;
  // The current event's changes, over those of earlier events kept. The
  // kept keys and values live in arena blocks: a rebuild keeps millions,
  // and one heap block per string cost more to allocate, sort (cache
  // misses) and free than the rest of writing them.
  Changes event_;
  Kept pending_;
  ByteArena arena_;
  size_t buffered_bytes_ = 0;
  // Bulk only.
  const std::optional<BulkTxnOptions> bulk_;
  bool read_db_ = true;
  uint64_t committed_position_ = 0;
  bool unwritten_ = false;  // committed since the last write
  uint64_t written_position_ = 0;
  int files_ingested_ = 0;
};

class BulkFold;  // bulk_fold.h

// What a projection's Decode made of one event, for its ApplyDecoded.
class DecodedEvent {
 public:
  virtual ~DecodedEvent() = default;
};

// A named fold. Apply must be deterministic: the same event on the same
// state makes the same changes. Apply must be safe to call concurrently on
// different transactions (a rebuild folds a shadow next to the live fold).
//
// Optionally, a projection splits off the work on an event that reads no
// state (e.g. parsing its payload) into Decode, which the engine runs on a
// second thread ahead of ApplyDecoded while it folds a chunk. A projection
// that only implements Apply works unchanged.
class Projection {
 public:
  virtual ~Projection() = default;
  virtual absl::string_view name() const = 0;
  // The event types whose events can change the state; the engine does not
  // hand the projection events of other types (it still advances the
  // checkpoint past them). Empty (the default): every event.
  virtual std::vector<std::string> event_types() const { return {}; }
  // The version of the layout of the keys and values the projection
  // writes. A build that changes the layout raises it; a start that finds
  // the active generation written in another version folds the log again
  // into a fresh generation (ProjectionEngine::Add), since this build
  // could not read the old one.
  virtual uint32_t layout_version() const { return 1; }
  // Folds `event` into the state through `txn`. An error fails the
  // projection at this event's position; nothing of it is written.
  virtual absl::Status Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) = 0;
  // Decodes `event` without reading state; nullptr when there is nothing to
  // decode ahead. Thread-safe: called on the engine's decoding thread.
  virtual std::unique_ptr<DecodedEvent> Decode(const v1::RecordedEvent& event) const {
    (void)event;
    return nullptr;
  }
  // Apply, given what this projection's Decode returned for `event`
  // (never nullptr; events Decode returned nullptr for go to Apply).
  virtual absl::Status ApplyDecoded(const v1::RecordedEvent& event, const DecodedEvent* decoded,
                                    ProjectionTxn* txn) {
    (void)decoded;
    return Apply(event, txn);
  }
  // Optional: a fold of a whole log prefix in memory (bulk_fold.h), which
  // a rebuild uses instead of Apply for the events up to the head it
  // starts at; nullptr (the default) when the projection has none. `state`
  // reads the generation being built: what the fold's runs wrote. The
  // fold is then handed the events of event_types() only, decoded (Decode)
  // on other threads.
  virtual std::unique_ptr<BulkFold> NewBulkFold(const ProjectionTxn* state) const;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_PROJECTION_H_
