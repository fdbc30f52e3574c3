#include "storage/projection_engine.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"
#include "storage/bulk_fold.h"
#include "storage/bulk_load.h"
#include "storage/keys.h"
#include "storage/log_readahead.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

// Events/s is the number of events applied over the last second, counted
// in kRateSlices slices of kRateSlice: a slice older than that stops
// counting, so the rate falls to 0 within a second of the last event
// applied instead of keeping the value of the last busy second.
constexpr absl::Duration kRateSlice = absl::Milliseconds(100);
constexpr int kRateSlices = 10;

class EventRate {
 public:
  void Add(uint64_t events, absl::Time now) {
    const int64_t slice = SliceOf(now);
    Slot& slot = slots_[slice % kRateSlices];
    if (slot.slice != slice) slot = Slot{slice, 0};
    slot.events += events;
  }

  // Events per second over the kRateSlices slices up to `now`.
  double PerSecond(absl::Time now) const {
    const int64_t current = SliceOf(now);
    uint64_t events = 0;
    for (const Slot& slot : slots_) {
      if (slot.slice > current - kRateSlices && slot.slice <= current) events += slot.events;
    }
    // The window covers the earlier slices whole and the current one up
    // to `now`.
    const absl::Duration covered =
        (kRateSlices - 1) * kRateSlice + (now - absl::FromUnixNanos(current * SliceNanos()));
    return events / absl::ToDoubleSeconds(covered);
  }

 private:
  struct Slot {
    int64_t slice = std::numeric_limits<int64_t>::min();
    uint64_t events = 0;
  };
  static int64_t SliceNanos() { return absl::ToInt64Nanoseconds(kRateSlice); }
  static int64_t SliceOf(absl::Time now) { return absl::ToUnixNanos(now) / SliceNanos(); }

  std::array<Slot, kRateSlices> slots_;
};

}  // namespace

struct ProjectionEngine::Runner {
  std::unique_ptr<Projection> projection;
  ProjectionStatus status;  // guarded by the engine's mu_
  bool rebuilding = false;  // guarded by the engine's mu_
  EventRate rate;           // guarded by the engine's mu_
  std::thread thread;
  // Held while events are applied to the active generation or it is
  // switched; guards the two fields below.
  std::mutex apply_mu;
  uint64_t generation = 0;    // the active generation
  uint64_t applied = 0;       // its checkpoint
  absl::Status start_status;  // set before the thread starts
};

namespace {

ProjectionStatus Reported(const ProjectionStatus& status, bool rebuilding, const EventRate& rate) {
  ProjectionStatus result = status;
  result.events_per_second = rate.PerSecond(absl::Now());
  if (rebuilding && result.state != ProjectionState::kFailed) {
    result.state = ProjectionState::kRebuilding;
  }
  return result;
}

}  // namespace

const char* ProjectionStateName(ProjectionState state) {
  switch (state) {
    case ProjectionState::kCatchingUp:
      return "catching up";
    case ProjectionState::kLive:
      return "live";
    case ProjectionState::kRebuilding:
      return "rebuilding";
    case ProjectionState::kFailed:
      return "failed";
  }
  return "unknown";
}

ProjectionEngine::ProjectionEngine(EventLog* log, size_t rebuild_buffer_bytes_max,
                                   uint64_t bulk_catch_up_lag_events_min,
                                   uint64_t bulk_fold_batch_events_max)
    : log_(log),
      rebuild_buffer_bytes_max_(rebuild_buffer_bytes_max),
      bulk_catch_up_lag_events_min_(bulk_catch_up_lag_events_min),
      bulk_fold_batch_events_max_(std::max<uint64_t>(1, bulk_fold_batch_events_max)) {}

ProjectionEngine::~ProjectionEngine() { Stop(); }

namespace {

// An empty active generation (nothing folded yet) takes the projection's
// layout. When the active generation was written in another layout than
// the projection's, makes the generation after it active, recording the
// projection's layout, so that the runner folds the whole log again
// into it (the caller then deletes every other generation, the old one
// and a shadow an interrupted rebuild may have left at that number);
// returns the active generation, and the layout replaced in *replaced.
// Errors: as RocksDB reads and writes.
absl::StatusOr<uint64_t> AdoptLayout(const Database& db, const Projection& projection,
                                     uint64_t generation, uint32_t* replaced) {
  const std::string name(projection.name());
  ASSIGN_OR_RETURN(const uint32_t stored, ReadLayoutVersion(db, name));
  if (stored == projection.layout_version()) return generation;
  ASSIGN_OR_RETURN(const bool empty, GenerationIsEmpty(db, name, generation));
  if (empty) {
    // Nothing folded yet (a new data directory): it takes this layout.
    RETURN_IF_ERROR(FromRocksStatus(
        db.db()->Put(rocksdb::WriteOptions(), db.projections(), LayoutVersionKey(name),
                     EncodeLayoutVersion(projection.layout_version())),
        absl::StrCat("recording the layout version of projection '", name, "'")));
    return generation;
  }
  RETURN_IF_ERROR(DeleteOtherGenerations(db, name, generation));
  *replaced = stored;
  rocksdb::WriteBatch batch;
  rocksdb::Status status =
      batch.Put(db.projections(), ActiveGenerationKey(name), EncodePosition(generation + 1));
  if (status.ok()) {
    status = batch.Put(db.projections(), LayoutVersionKey(name),
                       EncodeLayoutVersion(projection.layout_version()));
  }
  if (status.ok()) status = db.db()->Write(rocksdb::WriteOptions(), &batch);
  RETURN_IF_ERROR(
      FromRocksStatus(status, absl::StrCat("switching projection '", name, "' to layout version ",
                                           projection.layout_version())));
  return generation + 1;
}

}  // namespace

void ProjectionEngine::Add(std::unique_ptr<Projection> projection) {
  auto runner = std::make_unique<Runner>();
  runner->status.name = std::string(projection->name());
  runner->projection = std::move(projection);
  // Find the active generation and discard any other (a shadow left by an
  // interrupted rebuild) before anything can start a rebuild.
  const Database& db = log_->database();
  const std::string& name = runner->status.name;
  absl::StatusOr<uint64_t> generation = ReadActiveGeneration(db, name, rocksdb::ReadOptions());
  runner->status.layout_version = runner->projection->layout_version();
  if (generation.ok()) {
    generation =
        AdoptLayout(db, *runner->projection, *generation, &runner->status.replaced_layout_version);
  }
  runner->start_status = generation.status();
  if (generation.ok()) {
    runner->generation = *generation;
    runner->start_status = DeleteOtherGenerations(db, name, *generation);
    // Files of deleted generations a stop kept from being compacted away.
    auto others = OtherGenerationRanges(name, *generation);
    if (runner->start_status.ok() && StoredBytes(db, others) > 0) {
      StartReclaim(std::move(others), ProjectionPrefix(name, *generation));
    }
    // Files a crash left between writing and ingesting, of any generation.
    for (const std::string& tag : {ProjectionPrefix(name, 0), absl::StrCat(name, "\x01")}) {
      if (runner->start_status.ok()) runner->start_status = RemoveBulkLoadFiles(db, tag);
    }
    absl::StatusOr<uint64_t> checkpoint = ReadCheckpoint(db, name, *generation);
    if (runner->start_status.ok()) runner->start_status = checkpoint.status();
    if (checkpoint.ok()) runner->applied = *checkpoint;
  }
  std::lock_guard<std::mutex> lock(mu_);
  Runner* raw = runner.get();
  runners_.push_back(std::move(runner));
  raw->thread = std::thread([this, raw] { Run(raw); });
}

void ProjectionEngine::Stop() {
  std::vector<std::thread*> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    stop_requested_ = true;
    for (auto& runner : runners_) threads.push_back(&runner->thread);
  }
  changed_.notify_all();
  log_->WakeHeadWaiters();
  for (std::thread* thread : threads) {
    if (thread->joinable()) thread->join();
  }
  // Rebuilds run on their callers' threads; they notice stopping_ within a
  // chunk.
  std::thread reclaim;
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return rebuilds_running_ == 0; });
    // No rebuild runs and stopping_ is set: no reclaim starts after this.
    reclaim_canceled_ = true;
    reclaim = std::move(reclaim_thread_);
  }
  if (reclaim.joinable()) reclaim.join();
}

void ProjectionEngine::WaitForReclaim() {
  std::thread reclaim;
  {
    std::lock_guard<std::mutex> lock(mu_);
    reclaim = std::move(reclaim_thread_);
  }
  if (reclaim.joinable()) reclaim.join();
}

void ProjectionEngine::StartBackground(std::function<void()> work) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  std::thread previous = std::move(reclaim_thread_);
  reclaim_thread_ = std::thread([work = std::move(work), previous = std::move(previous)]() mutable {
    if (previous.joinable()) previous.join();
    work();
  });
}

void ProjectionEngine::StartReclaim(std::vector<std::pair<std::string, std::string>> ranges,
                                    std::string retired_end) {
  // After the ranges' deletion and the swap: a snapshot from before may
  // still read the former active generation.
  const uint64_t deleted_at = log_->database().db()->GetLatestSequenceNumber();
  StartBackground(
      [this, ranges = std::move(ranges), retired_end = std::move(retired_end), deleted_at] {
        const Database& db = log_->database();
        for (const auto& [begin, end] : ranges) {
          const absl::Status reclaimed =
              end <= retired_end ? ReclaimKeyRange(db, begin, end, deleted_at, &reclaim_canceled_)
                                 : CompactKeyRange(db, begin, end, &reclaim_canceled_);
          // A failure leaves the deleted range to ordinary compaction.
          if (!reclaimed.ok()) return;
        }
      });
}

void ProjectionEngine::MaybeSettle(Runner* runner) {
  {
    // A rebuild replaces the generation soon: compacting it would only
    // hold up the reclaim after the swap (the same thread).
    std::lock_guard<std::mutex> lock(mu_);
    if (runner->rebuilding) return;
  }
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> apply(runner->apply_mu);
    generation = runner->generation;
  }
  const std::string name(runner->projection->name());
  const GenerationShape shape = ShapeOf(log_->database(), name, generation);
  const uint64_t total = shape.bottom_bytes + shape.upper_bytes;
  if (shape.sorted_runs < 2 || shape.upper_bytes < settle_.upper_bytes_min ||
      shape.upper_bytes < total / std::max<uint64_t>(1, settle_.upper_share_divisor)) {
    return;
  }
  StartBackground([this, range = GenerationRange(name, generation)] {
    // A failure or a Stop leaves the files to ordinary compaction.
    (void)CompactKeyRange(log_->database(), range.first, range.second, &reclaim_canceled_);
  });
}

std::vector<ProjectionStatus> ProjectionEngine::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ProjectionStatus> result;
  for (const auto& runner : runners_) {
    result.push_back(Reported(runner->status, runner->rebuilding, runner->rate));
  }
  return result;
}

absl::StatusOr<ProjectionStatus> ProjectionEngine::StatusOf(absl::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& runner : runners_) {
    if (runner->status.name == name) {
      return Reported(runner->status, runner->rebuilding, runner->rate);
    }
  }
  return absl::NotFoundError(absl::StrCat("no projection named '", name, "'"));
}

bool ProjectionEngine::WaitFor(absl::string_view name, uint64_t position,
                               absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    for (const auto& runner : runners_) {
      if (runner->status.name != name) continue;
      if (runner->status.position >= position) return true;
      if (runner->status.state == ProjectionState::kFailed) return false;
    }
    if (absl::Now() >= deadline) return false;
    changed_.wait_for(lock, absl::ToChronoMilliseconds(kProjectionIdleWait));
  }
}

void ProjectionEngine::Run(Runner* runner) {
  uint64_t position = 0;
  absl::Status status;
  {
    std::lock_guard<std::mutex> apply(runner->apply_mu);
    position = runner->applied;
    status = runner->start_status;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    runner->status.position = position;
  }
  // Once per idle spell, after settle_.idle of it, the runner looks at
  // whether its generation should settle (SettleOptions).
  absl::Time idle_since = absl::Now();
  bool settle_looked = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_ && status.ok()) {
    const uint64_t head = log_->head_position();
    runner->status.head = head;
    runner->status.lag_events = head - std::min(head, position);
    if (position >= head) {
      runner->status.state = ProjectionState::kLive;
      changed_.notify_all();
      if (!settle_looked && absl::Now() - idle_since >= settle_.idle) {
        settle_looked = true;
        lock.unlock();
        MaybeSettle(runner);
        lock.lock();
        continue;
      }
      // Read under mu_: a Stop after this wakes the wait below.
      const uint64_t epoch = log_->head_wake_epoch();
      lock.unlock();
      log_->WaitForHeadAfter(position, epoch, kProjectionIdleWait);
      lock.lock();
      continue;
    }
    if (runner->status.state != ProjectionState::kLive ||
        runner->status.lag_events > kProjectionChunkEventsMax) {
      runner->status.state = ProjectionState::kCatchingUp;
    }
    // More than a chunk behind, so that CatchUpInBulk folds at least one.
    const bool bulk = runner->status.lag_events >= bulk_catch_up_lag_events_min_ &&
                      runner->status.lag_events > kProjectionChunkEventsMax;
    lock.unlock();
    status = bulk ? CatchUpInBulk(runner, &position) : RunChunk(runner, &position);
    idle_since = absl::Now();
    settle_looked = false;
    lock.lock();
    changed_.notify_all();
  }
  if (!status.ok()) {
    runner->status.state = ProjectionState::kFailed;
    runner->status.error = std::string(status.message());
    if (runner->status.error_position == 0) runner->status.error_position = position + 1;
    changed_.notify_all();
  }
}

// Applies one chunk to the active generation, continuing from its
// checkpoint (a rebuild swap may have moved it past *position).
absl::Status ProjectionEngine::RunChunk(Runner* runner, uint64_t* position) {
  std::lock_guard<std::mutex> apply(runner->apply_mu);
  *position = runner->applied;
  uint64_t events = 0;
  uint64_t failed_at = 0;
  ProjectionTxn txn(&log_->database(), runner->projection->name(), runner->generation);
  absl::Status status = ApplyChunk(runner->projection.get(), &txn, position, &events, &failed_at);
  runner->applied = *position;
  std::lock_guard<std::mutex> lock(mu_);
  runner->status.position = *position;
  if (!status.ok()) {
    runner->status.error_position = failed_at;
    return status;
  }
  CountEvents(runner, events);
  return absl::OkStatus();
}

void ProjectionEngine::CountEvents(Runner* runner, uint64_t events) {
  runner->rate.Add(events, absl::Now());
}

// Folds chunk after chunk into one bulk transaction of the active
// generation, so that a projection far behind (added to a big log) is
// written as sorted files, each ingested with its checkpoint. The apply
// lock is taken per chunk, as RunChunk does: a rebuild's swap may come
// between two chunks, and then the buffer (of the old generation) is
// dropped, since the swap brought the runner past it. What the status
// reports, and what queries see, is the last checkpoint written.
absl::Status ProjectionEngine::CatchUpInBulk(Runner* runner, uint64_t* position) {
  Projection* const projection = runner->projection.get();
  const Database& db = log_->database();
  uint64_t generation = 0;
  uint64_t folded = 0;
  {
    std::lock_guard<std::mutex> apply(runner->apply_mu);
    generation = runner->generation;
    folded = runner->applied;
  }
  BulkTxnOptions bulk;
  bulk.buffer_bytes_max = rebuild_buffer_bytes_max_;
  if (folded == 0) {
    ASSIGN_OR_RETURN(bulk.generation_empty, GenerationIsEmpty(db, projection->name(), generation));
  }
  if (bulk.generation_empty) {
    const uint64_t written = FoldEmptyInBulk(runner, generation);
    if (written > 0) {
      std::lock_guard<std::mutex> apply(runner->apply_mu);
      if (runner->generation == generation && written > runner->applied) {
        runner->applied = written;
        std::lock_guard<std::mutex> lock(mu_);
        runner->status.position = written;
      }
      folded = written;
      bulk.generation_empty = false;
    }
  }
  ProjectionTxn txn(&db, projection->name(), generation, bulk);
  // Publishes what the transaction has written. REQUIRES: apply_mu held.
  auto publish = [&] {
    if (txn.written_position() <= runner->applied) return;
    runner->applied = txn.written_position();
    std::lock_guard<std::mutex> lock(mu_);
    runner->status.position = runner->applied;
  };
  absl::Status status;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    // The last events go the ordinary way (Run), a chunk at a time.
    if (folded + kProjectionChunkEventsMax >= log_->head_position()) break;
    std::lock_guard<std::mutex> apply(runner->apply_mu);
    if (runner->generation != generation) {
      *position = runner->applied;
      return absl::OkStatus();
    }
    uint64_t events = 0;
    uint64_t failed_at = 0;
    status = ApplyChunk(projection, &txn, &folded, &events, &failed_at);
    publish();
    std::lock_guard<std::mutex> lock(mu_);
    runner->status.folded_position = folded;
    CountEvents(runner, events);
    if (!status.ok()) {
      runner->status.error_position = failed_at;
      break;
    }
  }
  // Also after a failed Apply: the events before it are written, as
  // RunChunk writes them.
  std::lock_guard<std::mutex> apply(runner->apply_mu);
  if (runner->generation == generation) {
    const absl::Status flushed = txn.Flush();
    if (status.ok()) status = flushed;
    publish();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    runner->status.folded_position = 0;
  }
  *position = runner->applied;
  return status;
}

// Whatever ends the bulk fold (done, a failing event, a stop, a rebuild's
// swap), its last checkpoint tells what it wrote, each write atomic with
// its checkpoint; the caller goes on event by event from there, so a
// failing event is reported, with the events before it written, as the
// event-by-event way does.
uint64_t ProjectionEngine::FoldEmptyInBulk(Runner* runner, uint64_t generation) {
  Projection* const projection = runner->projection.get();
  const Database& db = log_->database();
  ProjectionTxn state(&db, projection->name(), generation);
  std::unique_ptr<BulkFold> fold = projection->NewBulkFold(&state);
  if (fold == nullptr) return 0;
  int writes = 0;
  (void)FoldInBulk(
      projection, fold.get(), generation, log_->head_position(),
      [&](uint64_t position, uint64_t events) -> absl::Status {
        std::lock_guard<std::mutex> apply(runner->apply_mu);
        if (runner->generation != generation) {
          return absl::AbortedError("a rebuild swapped the generation");
        }
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return absl::CancelledError("the engine is stopping");
        runner->status.folded_position = position;
        CountEvents(runner, events);
        return absl::OkStatus();
      },
      [](uint64_t) {}, &writes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    runner->status.folded_position = 0;
  }
  // Written in several steps, the generation's files overlap: make them
  // one run for the queries (see RebuildInto); a failure only leaves them.
  if (writes > 1) {
    (void)CompactGeneration(db, projection->name(), generation, &stop_requested_,
                            kBulkCompactionThreads);
  }
  const absl::StatusOr<uint64_t> written = ReadCheckpoint(db, projection->name(), generation);
  return written.ok() ? *written : 0;
}

namespace {

// Runs projection->Decode over `events` on a thread of its own, in order,
// so that ApplyDecoded of one event overlaps the decoding of the next.
class DecodeAhead {
 public:
  DecodeAhead(const Projection* projection, const EventList& events) : decoded_(events.size()) {
    if (events.size() < kDecodeAheadEventsMin) return;
    thread_ = std::thread([this, projection, &events] {
      for (int i = 0; i < events.size() && !stop_.load(std::memory_order_relaxed); ++i) {
        decoded_[i] = projection->Decode(events[i]);
        {
          std::lock_guard<std::mutex> lock(mu_);
          ready_ = i + 1;
        }
        // Glibc's notify_one makes no system call when nobody waits.
        decoded_one_.notify_one();
      }
    });
  }
  ~DecodeAhead() {
    stop_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
  }
  // What Decode made of event `i`; nullptr when the chunk is decoded inline.
  const DecodedEvent* Get(int i) {
    if (!thread_.joinable()) return nullptr;
    // Block rather than spin: on a busy machine a spinning applier takes
    // the core the decoder needs.
    std::unique_lock<std::mutex> lock(mu_);
    decoded_one_.wait(lock, [&] { return ready_ > i; });
    return decoded_[i].get();
  }

 private:
  std::vector<std::unique_ptr<DecodedEvent>> decoded_;
  std::mutex mu_;
  std::condition_variable decoded_one_;
  int ready_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Only the events `projection` folds; the others are decoded from the log
// but never copied out, applied or parsed.
absl::StatusOr<EventFilter> TypeFilter(const Projection& projection, const Limits& limits) {
  v1::Filter filter;
  for (std::string& type : projection.event_types()) filter.add_event_types(std::move(type));
  return EventFilter::FromProto(filter, limits);
}

// Reads the chunk of events `filter` passes from position `from` on into
// *events (empty). Errors: as the log's read.
absl::StatusOr<ScanResult> ReadChunk(const EventLog& log, const EventFilter& filter, uint64_t from,
                                     EventList* events) {
  ChunkBounds bounds;
  bounds.events_max = kProjectionChunkEventsMax;
  return log.ReadAllChunk(from, /*backwards=*/false, filter, /*include_record=*/false, bounds,
                          events);
}

// Clears *events for the next chunk, keeping the messages (and up to
// kProjectionChunkKeptBytesMax of their payloads' storage) for reuse.
void ClearForReuse(EventList* events) {
  size_t kept_bytes = 0;
  for (const v1::RecordedEvent& event : *events) kept_bytes += event.payload().capacity();
  events->Clear();
  if (kept_bytes > kProjectionChunkKeptBytesMax) *events = EventList();
}

// Reads the chunks of the log from a position up to a last one, on a
// thread of its own, up to kChunksAhead ahead of Next: while one chunk is
// applied the next is read (reading, decompressing and parsing the events
// was about a third of an event-by-event rebuild, on one core).
// Destroying it stops and joins the thread. REQUIRES: log and filter
// outlive it; Next and Recycle are called from one thread.
class ChunkReadAhead {
 public:
  static constexpr size_t kChunksAhead = 2;

  struct Chunk {
    // The position the chunk was read from.
    uint64_t from = 0;
    std::unique_ptr<EventList> events;
    ScanResult scan;
  };

  ChunkReadAhead(const EventLog& log, const EventFilter& filter, uint64_t from, uint64_t last)
      : log_(log), filter_(filter), next_(from), last_(last) {
    // The log's files are read a window ahead of the chunks and released
    // behind them, as for a bulk fold's decoders.
    if (from <= last) {
      readahead_.emplace(log.database(), from, last, LogReadaheadOptions::Releasing());
    }
    for (size_t i = 0; i < kChunksAhead + 1; ++i) free_.push_back(std::make_unique<EventList>());
    thread_ = std::thread([this] { Work(); });
  }
  ~ChunkReadAhead() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ChunkReadAhead(const ChunkReadAhead&) = delete;
  ChunkReadAhead& operator=(const ChunkReadAhead&) = delete;

  // The next chunk, waiting for it to be read; its events are empty once
  // the chunks up to the last position were all handed over. Errors: the
  // read's; the reading stops then.
  absl::StatusOr<Chunk> Next() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return !ready_.empty() || done_; });
    if (ready_.empty()) {
      if (!status_.ok()) return status_;
      return Chunk{0, std::make_unique<EventList>(), ScanResult()};
    }
    Chunk chunk = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return chunk;
  }
  // Gives the events of a chunk Next returned back, for a later chunk.
  void Recycle(std::unique_ptr<EventList> events) {
    ClearForReuse(events.get());
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(std::move(events));
    }
    changed_.notify_all();
  }

 private:
  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (next_ <= last_) {
      changed_.wait(lock,
                    [this] { return stop_ || (!free_.empty() && ready_.size() < kChunksAhead); });
      if (stop_) break;
      std::unique_ptr<EventList> events = std::move(free_.back());
      free_.pop_back();
      const uint64_t from = next_;
      lock.unlock();
      // The chunks before this one are read whole.
      readahead_->Reached(from);
      readahead_->Passed(from);
      absl::StatusOr<ScanResult> scan = ReadChunk(log_, filter_, from, events.get());
      lock.lock();
      if (!scan.ok()) {
        status_ = scan.status();
        break;
      }
      if (scan->scanned == 0) break;
      next_ = scan->last_scanned + 1;
      ready_.push_back(Chunk{from, std::move(events), *scan});
      changed_.notify_all();
    }
    done_ = true;
    changed_.notify_all();
  }

  const EventLog& log_;
  const EventFilter& filter_;
  std::optional<LogReadahead> readahead_;
  std::mutex mu_;
  std::condition_variable changed_;
  uint64_t next_ ABSL_GUARDED_BY(mu_);
  const uint64_t last_;
  std::deque<Chunk> ready_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<EventList>> free_ ABSL_GUARDED_BY(mu_);
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

absl::Status ProjectionEngine::ApplyChunk(Projection* projection, ProjectionTxn* txn,
                                          uint64_t* position, uint64_t* events_read,
                                          uint64_t* failed_at) {
  // The chunk's events, read into the messages of the thread's previous
  // chunk: a cleared message keeps its strings' storage, where a fresh
  // one allocated and freed every string of every event (about a fifth of
  // an event-by-event rebuild). What they keep is bounded.
  thread_local EventList events;
  struct Reuse {
    ~Reuse() { ClearForReuse(events); }
    EventList* events;
  } reuse{&events};
  ASSIGN_OR_RETURN(EventFilter filter, TypeFilter(*projection, log_->limits()));
  ASSIGN_OR_RETURN(ScanResult scan, ReadChunk(*log_, filter, *position + 1, &events));
  return ApplyEvents(projection, txn, events, scan, position, events_read, failed_at);
}

// The whole chunk's changes and its last position commit in one batch;
// an event whose Apply fails is dropped and the events before it commit.
absl::Status ProjectionEngine::ApplyEvents(Projection* projection, ProjectionTxn* txn,
                                           const EventList& events, const ScanResult& scan,
                                           uint64_t* position, uint64_t* events_read,
                                           uint64_t* failed_at) {
  *events_read = scan.scanned;
  if (scan.scanned == 0) return absl::OkStatus();
  DecodeAhead decoded(projection, events);
  const uint64_t first = *position;
  uint64_t applied = first;
  for (int i = 0; i < events.size(); ++i) {
    const v1::RecordedEvent& event = events[i];
    const DecodedEvent* ahead = decoded.Get(i);
    absl::Status status = ahead != nullptr ? projection->ApplyDecoded(event, ahead, txn)
                                           : projection->Apply(event, txn);
    if (!status.ok()) {
      *failed_at = event.position();
      txn->DiscardEvent();
      // Every event before this one was applied or passed over.
      applied = event.position() - 1;
      if (applied != first) RETURN_IF_ERROR(txn->Commit(applied));
      *position = applied;
      return status;
    }
    txn->EndEvent();
    applied = event.position();
  }
  // Events the filter passed over after the last one applied are done too.
  applied = std::max(applied, scan.last_scanned);
  RETURN_IF_ERROR(txn->Commit(applied));
  *position = applied;
  return absl::OkStatus();
}

namespace {

// Runs `work` on a thread of its own and calls `report` on this one about
// every kRebuildProgressInterval / 4 until it ends (a write or a
// compaction of a 10M rebuild takes seconds, and the rebuild goes on
// reporting meanwhile). Returns what `work` returns.
absl::Status RunReporting(const std::function<absl::Status()>& work,
                          const std::function<void()>& report) {
  std::mutex mu;
  std::condition_variable ended;
  bool done = false;
  absl::Status status;
  std::thread worker([&] {
    absl::Status result = work();
    std::lock_guard<std::mutex> lock(mu);
    status = std::move(result);
    done = true;
    ended.notify_one();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    while (!ended.wait_for(lock, absl::ToChronoMilliseconds(kRebuildProgressInterval / 4),
                           [&] { return done; })) {
      lock.unlock();
      report();
      lock.lock();
    }
  }
  worker.join();
  return status;
}

}  // namespace

// Batches of the log are read and decoded on kBulkDecodeThreads threads
// (BulkDecoder), ahead of the fold on this thread: decoding is most of the
// work and needs no state, folding must go in order.
absl::Status ProjectionEngine::FoldInBulk(
    Projection* projection, BulkFold* fold, uint64_t shadow, uint64_t head,
    const std::function<absl::Status(uint64_t position, uint64_t events)>& advanced,
    const std::function<void(uint64_t index_keys_written)>& writing, int* writes) {
  *writes = 0;
  const Database& db = log_->database();
  const std::string name(projection->name());
  ASSIGN_OR_RETURN(const EventFilter filter, TypeFilter(*projection, log_->limits()));
  uint64_t keys_before = 0;
  // A write of 10M announcements takes seconds: this thread reports how
  // far it is meanwhile.
  auto write = [&](uint64_t position, bool last) -> absl::Status {
    std::atomic<uint64_t> keys{0};
    writing(keys_before);
    const absl::Status status = RunReporting(
        [&] { return WriteRuns(db, name, shadow, fold->TakeRuns(last), position, &keys); },
        [&] { writing(keys_before + keys.load(std::memory_order_relaxed)); });
    keys_before += keys.load(std::memory_order_relaxed);
    writing(keys_before);
    if (status.ok()) ++*writes;
    return status;
  };
  fold->Expect(head, rebuild_buffer_bytes_max_);
  // Declared after `filter`, which it reads: destroyed (stopped) first.
  BulkDecoder decoder(db, *fold, filter, 1, head, bulk_fold_batch_events_max_, kBulkDecodeThreads);
  for (uint64_t folded = 0;;) {
    ASSIGN_OR_RETURN(BulkDecoder::Decoded decoded, decoder.Next());
    if (decoded.batch == nullptr) break;
    const absl::Status status = fold->Fold(std::move(decoded.batch));
    if (!status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat("rebuilding '", name, "' ", status.message()));
    }
    if (fold->held_bytes() > rebuild_buffer_bytes_max_) {
      RETURN_IF_ERROR(write(decoded.last, /*last=*/false));
    }
    RETURN_IF_ERROR(advanced(decoded.last, decoded.last - folded));
    folded = decoded.last;
  }
  return write(head, /*last=*/true);
}

// The compaction runs on a thread of its own so that the rebuild keeps
// reporting (a client sees it alive for the half minute it takes at 10M)
// and a cancelled client or a Stop ends it within a report interval.
absl::Status ProjectionEngine::CompactShadow(const std::string& name, uint64_t shadow,
                                             const std::function<absl::Status()>& advanced) {
  std::atomic<bool> cancel{false};
  absl::Status reported;
  const absl::Status compacted = RunReporting(
      [&] {
        return CompactGeneration(log_->database(), name, shadow, &cancel, kBulkCompactionThreads);
      },
      [&] {
        if (reported.ok()) reported = advanced();
        if (!reported.ok() || stop_requested_) cancel = true;
      });
  RETURN_IF_ERROR(reported);
  return compacted;
}

namespace {

// Deletes what an earlier rebuild left of the shadow generation. An empty
// shadow gets no DeleteRange: its tombstone in the memtable would overlap
// the first ingested file's range and force a memtable flush before it.
absl::Status ClearShadow(const Database& db, absl::string_view name, uint64_t shadow) {
  RETURN_IF_ERROR(RemoveBulkLoadFiles(db, ProjectionPrefix(name, shadow)));
  ASSIGN_OR_RETURN(const bool empty, GenerationIsEmpty(db, name, shadow));
  return empty ? absl::OkStatus() : DeleteGeneration(db, name, shadow);
}

}  // namespace

absl::StatusOr<RebuildProgress> ProjectionEngine::Rebuild(absl::string_view name,
                                                          const RebuildProgressFn& on_progress) {
  Runner* runner = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& candidate : runners_) {
      if (candidate->status.name == name) runner = candidate.get();
    }
    if (runner == nullptr) {
      return absl::NotFoundError(absl::StrCat("no projection named '", name, "'"));
    }
    if (runner->rebuilding) {
      return absl::FailedPreconditionError(
          absl::StrCat("projection '", name, "' is already being rebuilt"));
    }
    if (runner->status.state == ProjectionState::kFailed) {
      return absl::FailedPreconditionError(
          absl::StrCat("projection '", name, "' has failed at position ",
                       runner->status.error_position, "; fix the cause and restart the server"));
    }
    if (stopping_) return absl::CancelledError("the projection engine is stopping");
    runner->rebuilding = true;
    runner->status.rebuild_position = 0;
    ++rebuilds_running_;
  }
  uint64_t shadow = 0;
  {
    std::lock_guard<std::mutex> apply(runner->apply_mu);
    shadow = runner->generation + 1;
  }
  const Database& db = log_->database();
  absl::Status cleared = ClearShadow(db, name, shadow);
  absl::StatusOr<RebuildProgress> result = cleared.ok() ? RebuildInto(runner, shadow, on_progress)
                                                        : absl::StatusOr<RebuildProgress>(cleared);
  if (!result.ok()) (void)DeleteGeneration(db, name, shadow);
  {
    std::lock_guard<std::mutex> lock(mu_);
    runner->rebuilding = false;
    runner->status.rebuild_position = 0;
    --rebuilds_running_;
  }
  changed_.notify_all();
  if (result.ok()) on_progress(*result);
  return result;
}

absl::StatusOr<RebuildProgress> ProjectionEngine::RebuildInto(
    Runner* runner, uint64_t shadow, const RebuildProgressFn& on_progress) {
  Projection* const projection = runner->projection.get();
  const std::string name(projection->name());
  const absl::Time start = absl::Now();
  absl::Time last_report = start;
  RebuildProgress progress;
  uint64_t events_total = 0;
  auto measure = [&] {
    progress.elapsed = absl::Now() - start;
    const double seconds = absl::ToDoubleSeconds(progress.elapsed);
    progress.events_per_second = seconds > 0 ? events_total / seconds : 0;
    const uint64_t left = progress.head - std::min(progress.head, progress.position);
    progress.eta = progress.events_per_second > 0 ? absl::Seconds(left / progress.events_per_second)
                                                  : absl::InfiniteDuration();
  };
  // Stops the rebuild when the engine stops or `on_progress` says so;
  // reports progress at most every kRebuildProgressInterval.
  auto advanced = [&]() -> absl::Status {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return absl::CancelledError("the projection engine is stopping");
      runner->status.rebuild_position = progress.position;
    }
    if (absl::Now() - last_report >= kRebuildProgressInterval) {
      last_report = absl::Now();
      measure();
      if (!on_progress(progress)) return absl::CancelledError("the rebuild was cancelled");
    }
    return absl::OkStatus();
  };
  // Reports a new stage at once: a write or a switch sends no report
  // while it runs. A cancellation is seen by the next `advanced`.
  auto entered = [&](RebuildStage stage) {
    progress.stage = stage;
    last_report = absl::Now();
    measure();
    (void)on_progress(progress);
  };
  const Database& db = log_->database();
  // The events up to the head as it is now go through the projection's
  // bulk fold when it has one; the rest (appended meanwhile) event by event.
  ProjectionTxn state(&db, name, shadow);
  std::unique_ptr<BulkFold> fold = projection->NewBulkFold(&state);
  progress.head = log_->head_position();
  const bool folded_in_bulk = fold != nullptr && progress.head > 0;
  if (folded_in_bulk) {
    int writes = 0;
    RETURN_IF_ERROR(FoldInBulk(
        projection, fold.get(), shadow, progress.head,
        [&](uint64_t position, uint64_t events) {
          progress.position = position;
          events_total += events;
          // Folding again after a write (the buffer filled): said at once.
          if (progress.stage != RebuildStage::kFolding) entered(RebuildStage::kFolding);
          return advanced();
        },
        [&](uint64_t index_keys_written) {
          progress.index_keys_written = index_keys_written;
          if (progress.stage != RebuildStage::kWriting) {
            entered(RebuildStage::kWriting);
          } else if (absl::Now() - last_report >= kRebuildProgressInterval) {
            // A cancellation is seen by the next `advanced`, after the write.
            last_report = absl::Now();
            measure();
            (void)on_progress(progress);
          }
        },
        &writes));
    fold.reset();
    // Each write after the first overlaps the ones before and lands a
    // level above them: a query would seek in every one (at 10M, three
    // levels of 730 MB: as-of p99 514 to 580 µs against 350 to 385 µs on
    // one level). One compaction of the shadow, before it answers, makes
    // them one sorted run at the bottom.
    if (writes > 1) {
      entered(RebuildStage::kCompacting);
      RETURN_IF_ERROR(CompactShadow(name, shadow, [&] { return advanced(); }));
    }
    // What was appended meanwhile.
    progress.stage = RebuildStage::kFolding;
  }
  // One bulk transaction for the rest: the shadow is written only by it,
  // in sorted files, when its buffer fills and at the end.
  BulkTxnOptions bulk;
  bulk.buffer_bytes_max = rebuild_buffer_bytes_max_;
  bulk.generation_empty = !folded_in_bulk;
  ProjectionTxn txn(&db, name, shadow, bulk);
  // Counts a chunk's events and names the position of a failed Apply.
  auto applied = [&](absl::Status status, uint64_t events, uint64_t failed_at) -> absl::Status {
    events_total += events;
    if (!status.ok() && failed_at != 0) {
      return absl::Status(status.code(), absl::StrCat("rebuilding '", name, "' at position ",
                                                      failed_at, ": ", status.message()));
    }
    return status;
  };
  auto apply_chunk = [&]() -> absl::Status {
    uint64_t events = 0;
    uint64_t failed_at = 0;
    absl::Status status = ApplyChunk(projection, &txn, &progress.position, &events, &failed_at);
    return applied(std::move(status), events, failed_at);
  };
  // Up to the head as it is now, each chunk is read while the one before
  // it is applied; then a chunk at a time, as the live runner.
  {
    ASSIGN_OR_RETURN(const EventFilter filter, TypeFilter(*projection, log_->limits()));
    ChunkReadAhead ahead(*log_, filter, progress.position + 1, log_->head_position());
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return absl::CancelledError("the projection engine is stopping");
      }
      ASSIGN_OR_RETURN(ChunkReadAhead::Chunk chunk, ahead.Next());
      if (chunk.scan.scanned == 0) break;
      if (chunk.from != progress.position + 1) {
        return absl::InternalError(absl::StrCat("rebuilding '", name, "': a chunk read from ",
                                                chunk.from, " after position ", progress.position));
      }
      progress.head = log_->head_position();
      uint64_t events = 0;
      uint64_t failed_at = 0;
      absl::Status status = ApplyEvents(projection, &txn, *chunk.events, chunk.scan,
                                        &progress.position, &events, &failed_at);
      RETURN_IF_ERROR(applied(std::move(status), events, failed_at));
      ahead.Recycle(std::move(chunk.events));
      RETURN_IF_ERROR(advanced());
    }
  }
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return absl::CancelledError("the projection engine is stopping");
    }
    progress.head = log_->head_position();
    if (progress.position >= progress.head) break;
    RETURN_IF_ERROR(apply_chunk());
    RETURN_IF_ERROR(advanced());
  }
  // Caught up: write the buffer while the live runner goes on, then pause
  // it for the last events (a small file) and the switch.
  entered(RebuildStage::kSwitching);
  RETURN_IF_ERROR(txn.Flush());
  uint64_t old_generation = 0;
  {
    std::lock_guard<std::mutex> apply(runner->apply_mu);
    progress.head = log_->head_position();
    while (progress.position < progress.head) RETURN_IF_ERROR(apply_chunk());
    RETURN_IF_ERROR(txn.Flush());
    rocksdb::WriteBatch batch;
    rocksdb::Status status = batch.Put(log_->database().projections(), ActiveGenerationKey(name),
                                       EncodePosition(shadow));
    // The shadow was written in this build's layout.
    if (status.ok()) {
      status = batch.Put(log_->database().projections(), LayoutVersionKey(name),
                         EncodeLayoutVersion(projection->layout_version()));
    }
    if (status.ok()) status = log_->database().db()->Write(rocksdb::WriteOptions(), &batch);
    RETURN_IF_ERROR(FromRocksStatus(status, absl::StrCat("switching projection '", name, "'")));
    old_generation = runner->generation;
    runner->generation = shadow;
    runner->applied = progress.position;
    std::lock_guard<std::mutex> lock(mu_);
    runner->status.position = progress.position;
  }
  // A failure here only leaves garbage that the next start discards.
  if (DeleteGeneration(log_->database(), name, old_generation).ok()) {
    StartReclaim({GenerationRange(name, old_generation)}, ProjectionPrefix(name, shadow));
  }
  measure();
  progress.eta = absl::ZeroDuration();
  progress.done = true;
  return progress;
}

}  // namespace stakeledger::storage
