// Runs projections (projection.h) over an EventLog: each on its own
// thread, catching up from its checkpoint in chunks and then following the
// log live, woken by every commit (EventLog::WaitForHeadAfter). Each chunk's
// state changes and checkpoint are written in one WriteBatch. A projection
// whose Apply fails stops at that event and reports it; the others and the
// log go on.
//
// Rebuild folds a projection again from position 0 into a shadow
// generation (projection.h) while the live generation keeps answering and
// following the log. A projection with a bulk fold (bulk_fold.h) folds the
// log up to the head in memory, decoded on kBulkDecodeThreads threads, and
// writes sorted runs as SST files (a shadow written more than once is then
// compacted into one level); the events appended meanwhile, and every
// event of a projection without one, go through a bulk ProjectionTxn:
// chunks kept in memory and written, with the shadow's checkpoint, as
// sorted SST files ingested whole (BulkTxnOptions, bulk_load.h). Once the
// shadow has caught up with the head, the live runner is paused for the
// last events, one WriteBatch switches the active generation, and the old
// generation's keys are deleted with DeleteRange.
// A crash or Stop mid-rebuild leaves the live generation active; inactive
// generations are discarded when the projection is next started (or
// rebuilt), so an interrupted rebuild is simply run again.
#ifndef STAKELEDGER_STORAGE_PROJECTION_ENGINE_H_
#define STAKELEDGER_STORAGE_PROJECTION_ENGINE_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storage/bulk_fold.h"
#include "storage/event_log.h"
#include "storage/projection.h"

namespace stakeledger::storage {

// A live runner waits at most this long for a commit before it looks at
// the head again; commits and Stop wake it sooner.
inline constexpr absl::Duration kProjectionIdleWait = absl::Milliseconds(100);
// Events read from the log, applied and committed (one WriteBatch) per
// chunk.
inline constexpr size_t kProjectionChunkEventsMax = 1024;
// The payload bytes a thread keeps allocated for its next chunk's events
// (ApplyChunk reuses the messages of the last one); past it they are freed.
inline constexpr size_t kProjectionChunkKeptBytesMax = size_t{4} << 20;
// Chunks of at least this many events are decoded (Projection::Decode) on
// a second thread while they are applied; smaller ones (a live projection
// following a trickle of appends) are not worth a thread.
inline constexpr int kDecodeAheadEventsMin = 64;
// A projection at least this many events behind the head (e.g. one added
// to a big log) catches up in bulk, as a rebuild writes: chunks kept in
// memory, written as sorted SST files with their checkpoint. Its status
// position then moves a file at a time (up to kRebuildBufferBytesMax of
// changes, about 2M announcements), not a chunk at a time; closer to the
// head, chunk by chunk keeps the lag of a live projection low.
inline constexpr uint64_t kBulkCatchUpLagEventsMin = 100000;
// Threads a bulk-folded generation written in several steps is compacted
// on before it answers (the machine's two cores; the live runner waits
// for one while it runs).
inline constexpr int kBulkCompactionThreads = 2;
// At most this long between two rebuild progress reports.
inline constexpr absl::Duration kRebuildProgressInterval = absl::Milliseconds(200);

// Settling: a live projection that has been idle (no event to apply) for
// `idle` compacts its active generation into one level when the files
// above its bottom level hold at least `upper_bytes_min` and a
// `1 / upper_share_divisor` share of it. Folded event by event, a big
// history lies in level 0, 1 and 2 (at 10M, an as-of query's p99 was
// 1.48x that of 100k; 1.23x once in one level); the share keeps a trickle
// of appends from rewriting a big generation each time it pauses (the
// rewrites then cost about as much as RocksDB's own levels do).
struct SettleOptions {
  absl::Duration idle = absl::Seconds(2);
  uint64_t upper_bytes_min = uint64_t{1} << 20;
  uint64_t upper_share_divisor = 10;
};

enum class ProjectionState { kCatchingUp, kLive, kRebuilding, kFailed };
const char* ProjectionStateName(ProjectionState state);

struct ProjectionStatus {
  std::string name;
  ProjectionState state = ProjectionState::kCatchingUp;
  // The last position applied, and the log head when it was read.
  uint64_t position = 0;
  uint64_t head = 0;
  uint64_t lag_events = 0;
  // Events applied over the last second, per second: 0 once the
  // projection has applied nothing for a second.
  double events_per_second = 0;
  // kFailed only: why, and the event that failed.
  std::string error;
  uint64_t error_position = 0;
  // kRebuilding only: the last position the shadow generation applied.
  uint64_t rebuild_position = 0;
  // kCatchingUp in bulk only: the last position folded in memory and not
  // yet written (position is what has been written, what queries see; a
  // bulk catch-up writes when its buffer fills, which may be only at the
  // end). 0 otherwise.
  uint64_t folded_position = 0;
  // The layout the projection writes (Projection::layout_version), and the
  // one its stored state had when this start found it in another layout
  // (0: it did not), so that it folds the whole log again.
  uint32_t layout_version = 0;
  uint32_t replaced_layout_version = 0;
};

// What a rebuild is doing: folding the log (also the events appended
// meanwhile, after a write), writing what it folded as sorted files (a
// 10M log takes about 10 s, with no report meanwhile), compacting several
// writes into one level, or applying the last events and switching.
enum class RebuildStage { kFolding, kWriting, kCompacting, kSwitching };

struct RebuildProgress {
  RebuildStage stage = RebuildStage::kFolding;
  // The last position the shadow applied, and the head when last read.
  uint64_t position = 0;
  uint64_t head = 0;
  // Over the whole rebuild so far.
  double events_per_second = 0;
  // Time left at that rate; absl::InfiniteDuration() while unknown.
  absl::Duration eta = absl::InfiniteDuration();
  absl::Duration elapsed;
  // The keys the bulk fold's writes have written so far, each write's
  // checkpoint included (0 without a bulk fold): while writing, how far
  // the write is.
  uint64_t index_keys_written = 0;
  // True for the final report, after the swap.
  bool done = false;
};
// Receives rebuild progress; returning false cancels the rebuild.
using RebuildProgressFn = std::function<bool(const RebuildProgress&)>;

class ProjectionEngine {
 public:
  // REQUIRES: `log` outlives the engine. A rebuild, or a catch-up from at
  // least `bulk_catch_up_lag_events_min` events behind, keeps up to
  // `rebuild_buffer_bytes_max` of changes in memory before it writes them
  // (BulkTxnOptions); a bulk fold reads the log in batches of
  // `bulk_fold_batch_events_max` events (tests pass small values).
  explicit ProjectionEngine(EventLog* log, size_t rebuild_buffer_bytes_max = kRebuildBufferBytesMax,
                            uint64_t bulk_catch_up_lag_events_min = kBulkCatchUpLagEventsMin,
                            uint64_t bulk_fold_batch_events_max = kBulkFoldBatchEventsMax);
  // Stops every runner.
  ~ProjectionEngine();
  ProjectionEngine(const ProjectionEngine&) = delete;
  ProjectionEngine& operator=(const ProjectionEngine&) = delete;

  // REQUIRES: no projection was added yet.
  void set_settle_options(const SettleOptions& options) { settle_ = options; }

  // Starts folding `projection` from its checkpoint. REQUIRES: no
  // projection of the same name was added. Thread-safe.
  void Add(std::unique_ptr<Projection> projection);
  // Stops and joins every runner. Idempotent. Thread-safe.
  void Stop();

  // One status per projection, in the order added. Thread-safe.
  std::vector<ProjectionStatus> Status() const;
  // Errors: NOT_FOUND for an unknown name.
  absl::StatusOr<ProjectionStatus> StatusOf(absl::string_view name) const;
  // Waits until projection `name` has applied `position` (true), has
  // failed, or `timeout` passed (false). For tests and read-your-writes.
  bool WaitFor(absl::string_view name, uint64_t position, absl::Duration timeout) const;

  // Rebuilds projection `name` into a shadow generation and swaps it in
  // (see the top of this file), on the calling thread. `on_progress` is
  // called after at most every kRebuildProgressInterval of work and once
  // with done = true at the end; it runs without engine locks held.
  // Returns the final progress. Thread-safe.
  // Errors: NOT_FOUND for an unknown name; FAILED_PRECONDITION when a
  // rebuild of it is already running or the projection has failed;
  // CANCELLED when `on_progress` returned false or the engine stopped
  // (the live generation stays active and the shadow is deleted);
  // an Apply error of the shadow (likewise); as RocksDB reads and writes.
  absl::StatusOr<RebuildProgress> Rebuild(absl::string_view name,
                                          const RebuildProgressFn& on_progress);

  // After a swap, a background thread reclaims the old generation's
  // deleted range (ReclaimKeyRange: its files are dropped unread, what is
  // left is compacted), so its files leave the disk and the queries'
  // seeks soon instead of whenever compaction gets there; Stop cancels
  // it. A start (Add) that finds files in the ranges of generations other
  // than the active one (a reclaim a stop cancelled) reclaims them the
  // same way, and compacts a shadow an interrupted rebuild left. Waits
  // until the reclaims started so far are done (for tests and
  // benchmarks). Thread-safe.
  void WaitForReclaim();

 private:
  struct Runner;
  void Run(Runner* runner);
  absl::Status RunChunk(Runner* runner, uint64_t* position);
  // Catches the active generation up in bulk, until close to the head.
  absl::Status CatchUpInBulk(Runner* runner, uint64_t* position);
  // Compacts generation `shadow` of `name` into one level, calling
  // `advanced` (progress, cancellation) meanwhile; its error, or a Stop,
  // cancels the compaction. Errors: `advanced`'s; as CompactGeneration.
  absl::Status CompactShadow(const std::string& name, uint64_t shadow,
                             const std::function<absl::Status()>& advanced);
  // Folds the log up to the head into `generation`, empty, with the
  // projection's bulk fold, if it has one; returns the checkpoint written
  // (0 for none).
  uint64_t FoldEmptyInBulk(Runner* runner, uint64_t generation);
  // Counts `events`, applied now, into the runner's events/s.
  // REQUIRES: mu_ held.
  void CountEvents(Runner* runner, uint64_t events);
  // Applies the events after *position, up to one chunk, through `txn`
  // and commits them. *events_read counts the events read; *failed_at
  // names the event whose Apply failed.
  absl::Status ApplyChunk(Projection* projection, ProjectionTxn* txn, uint64_t* position,
                          uint64_t* events_read, uint64_t* failed_at);
  // ApplyChunk's applying: `events`, read from *position + 1 on with
  // result `scan`, through `txn`, and commits them.
  absl::Status ApplyEvents(Projection* projection, ProjectionTxn* txn, const EventList& events,
                           const ScanResult& scan, uint64_t* position, uint64_t* events_read,
                           uint64_t* failed_at);
  absl::StatusOr<RebuildProgress> RebuildInto(Runner* runner, uint64_t shadow,
                                              const RebuildProgressFn& on_progress);
  // Folds positions 1..head into generation `shadow` with `fold` (the
  // projection's BulkFold), writing its runs past the rebuild buffer's
  // limit and at the end; *writes counts the writes. Calls `advanced`
  // after each batch with the last position folded and the events read;
  // its error stops the fold. Errors: as the log's reads, the fold's Fold
  // (naming the position) and WriteRuns; `advanced`'s.
  // `writing` is called as each write begins and then about every
  // kRebuildProgressInterval / 4 until it ends, with the keys written so
  // far by every write (RebuildProgress::index_keys_written).
  absl::Status FoldInBulk(
      Projection* projection, BulkFold* fold, uint64_t shadow, uint64_t head,
      const std::function<absl::Status(uint64_t position, uint64_t events)>& advanced,
      const std::function<void(uint64_t index_keys_written)>& writing, int* writes);
  // Starts reclaiming `ranges` of the projections family on a thread that
  // first waits for the reclaim started before it. A range that ends at or
  // before `retired_end` holds generations older than the active one, never
  // written again: its files are dropped (ReclaimKeyRange). One after it
  // may hold the next shadow, which a rebuild may be writing meanwhile:
  // it is only compacted (CompactKeyRange).
  void StartReclaim(std::vector<std::pair<std::string, std::string>> ranges,
                    std::string retired_end);
  // Runs `work` on the background thread, after the work started before
  // it. Does nothing once the engine is stopping.
  void StartBackground(std::function<void()> work);
  // Settles the runner's active generation (SettleOptions) on the
  // background thread if its files call for it.
  void MaybeSettle(Runner* runner);

  EventLog* const log_;
  const size_t rebuild_buffer_bytes_max_;
  const uint64_t bulk_catch_up_lag_events_min_;
  const uint64_t bulk_fold_batch_events_max_;
  SettleOptions settle_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int rebuilds_running_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::unique_ptr<Runner>> runners_ ABSL_GUARDED_BY(mu_);
  // The last reclaim started (it joins the one before it), and Stop's
  // cancellation of it.
  std::thread reclaim_thread_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> reclaim_canceled_{false};
  // Set when Stop begins: cancels a rebuild's compaction of its shadow.
  std::atomic<bool> stop_requested_{false};
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_PROJECTION_ENGINE_H_
