// Folding a whole log prefix in memory, for a rebuild. Event by event, a
// fold reads and rewrites its state through a ProjectionTxn: string keys,
// a hash map of changes, a value serialized for every change. A projection
// that knows its state's shape can instead keep it as plain data while it
// folds, and write each key once, in sorted runs built on several threads
// and ingested as SST files (bulk_load.h). The engine reads and decodes the
// log on several threads ahead of the fold (DecodeInParallel), so a
// rebuild uses every core: docs/projections.md, "Rebuild".
//
// The result must be the event-by-event fold's, key for key: each
// projection's test folds random histories both ways and compares.
#ifndef STAKELEDGER_STORAGE_BULK_FOLD_H_
#define STAKELEDGER_STORAGE_BULK_FOLD_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/bulk_load.h"
#include "storage/db.h"
#include "storage/log_readahead.h"
#include "storage/projection.h"
#include "storage/reader.h"

namespace stakeledger::storage {

// Log positions per batch of a bulk fold: each is read and decoded on one
// thread, while the fold takes the batches before it.
inline constexpr uint64_t kBulkFoldBatchEventsMax = 8192;
// Threads that read and decode batches of the log.
inline constexpr int kBulkDecodeThreads = 2;
// Batches decoded ahead of the fold at most (decoding, or decoded and not
// yet taken): about this many times kBulkFoldBatchEventsMax decoded events
// are held at once (at 10M, about 1.4 MB a batch besides what the fold
// keeps). Decoding is the pipeline's larger half: when the fold stalls
// (its first inserts into a table sized for 10M touch every page of it,
// for half a second), the decoders go on into these slots instead of
// waiting; with 4 a 10M rebuild began with half a second on one core.
inline constexpr uint64_t kBulkDecodeBatchesAhead = 64;
// The bytes of decoded batches not yet taken, at most
// (BulkBatch::held_bytes):
// batches of large events (long quotes, many facts) would hold gigabytes
// at 64 ahead, none of it counted in the rebuild buffer yet. A thread
// starts a batch only below it (or with none ahead of the fold).
inline constexpr size_t kBulkDecodeBytesAheadMax = size_t{256} << 20;
// The nice value the decoding threads take (Linux: a thread's own). The
// fold takes their batches in order, one at a time: with two decoding
// threads and the fold on two cores, fair scheduling gave the fold two
// thirds of a core, and the decoders then waited on it. Niced, they leave
// the fold a whole core and take what it leaves; with more cores than
// threads it changes nothing.
inline constexpr int kBulkDecodeThreadNice = 10;

// Builds one run: writes its changes to `out` in strictly ascending key
// order (relative to the generation's prefix), as it makes them. Called
// once, on a thread of its own. Errors: the builder's, or `out`'s.
using RunBuilder = std::function<absl::Status(BulkLoadFileWriter* out)>;

// Events of a range of the log, decoded on a thread of their own into a
// form the projection's fold takes without further parsing. A batch holds
// its bytes in a few large blocks, so that the thousands of events it
// carries cost few allocations, none of them freed on another thread.
class BulkBatch {
 public:
  virtual ~BulkBatch() = default;
  // Decodes one event (of the projection's types), in position order.
  // Keeps nothing `event` views.
  virtual void Decode(const LogEventView& event) = 0;
  // The same of a decoded event (tests build their events so).
  void Decode(const v1::RecordedEvent& event) { Decode(ViewOf(event)); }
  // Makes room for up to `events_max` events (fewer if the filter skips
  // some), before the first Decode: growing while decoding would copy.
  virtual void Reserve(size_t events_max) { (void)events_max; }
  // The memory the batch holds, about, once decoded.
  virtual size_t held_bytes() const { return 0; }
};

// A projection's fold of events in position order into memory.
// NewBatch is thread-safe; the rest is called from one thread.
class BulkFold {
 public:
  virtual ~BulkFold() = default;
  // An empty batch, for a decoding thread.
  virtual std::unique_ptr<BulkBatch> NewBatch() const = 0;
  // Told before the first Fold: the events to come lie at log positions
  // up to `last_position` (fewer when the filter skips some), and the
  // engine writes what the fold holds once held_bytes passes `bytes_max`.
  // A fold may size its tables for them up front, within that.
  virtual void Expect(uint64_t last_position, size_t bytes_max) {
    (void)last_position;
    (void)bytes_max;
  }
  // Folds the events of `batch` (one of NewBatch's), in order; batches
  // come in position order. Errors: the code and message of the
  // projection's Apply of the event that failed, the message prefixed
  // with "at position N: "; the fold must not be used after one.
  virtual absl::Status Fold(std::unique_ptr<BulkBatch> batch) = 0;
  // The bytes the fold holds, about: past the rebuild buffer's limit the
  // engine writes what it holds (TakeRuns).
  virtual size_t held_bytes() const = 0;
  // Hands over everything folded since the last call as builders of
  // sorted runs whose key ranges ascend and do not overlap (a builder may
  // write nothing and only do some of the fold's own work), and keeps only
  // what it needs to go on: from then on it reads the state the runs hold
  // through the reader it was made with; `last`: no Fold follows, so it
  // need keep nothing. REQUIRES: the runs are ingested before the next
  // Fold.
  virtual std::vector<RunBuilder> TakeRuns(bool last) = 0;
};

// Builds every run on a thread of its own, writes each as an SST file and
// ingests them with the checkpoint `position` of generation `generation`
// of `name`, all at once. A `keys_written` that is not null counts the
// keys as they are written, the checkpoint included (BulkLoadFileWriter).
// Errors: as the builders, WriteBulkLoadFile and IngestBulkLoadFiles;
// nothing is visible then.
absl::Status WriteRuns(const Database& db, absl::string_view name, uint64_t generation,
                       std::vector<RunBuilder> builders, uint64_t position,
                       std::atomic<uint64_t>* keys_written = nullptr);

// Reads the events at positions first..last that `filter` passes and
// decodes them into batches of `fold`, `batch_events_max` positions each,
// on `threads` threads that run up to kBulkDecodeBatchesAhead batches
// (and `bytes_ahead_max` bytes of decoded batches) ahead of the caller: a continuous pipeline, with
// no wait for the slowest thread at the end of each batch. The log's files are read ahead of the
// batches claimed (LogReadahead), so that a log not in the page cache does not leave the threads
// waiting on each read, and released behind the oldest batch still being decoded
// (LogPagesPassed::kRelease). Next hands the batches over in position
// order. Destroying the decoder stops and joins its threads. REQUIRES: db, fold and filter outlive
// it. Next is called from one thread.
class BulkDecoder {
 public:
  BulkDecoder(const Database& db, const BulkFold& fold, const EventFilter& filter, uint64_t first,
              uint64_t last, uint64_t batch_events_max, int threads,
              size_t bytes_ahead_max = kBulkDecodeBytesAheadMax);
  ~BulkDecoder();
  BulkDecoder(const BulkDecoder&) = delete;
  BulkDecoder& operator=(const BulkDecoder&) = delete;

  struct Decoded {
    // nullptr once every batch was handed over.
    std::unique_ptr<BulkBatch> batch;
    // The last log position the batch covers.
    uint64_t last = 0;
  };
  // The next batch, waiting for it to be decoded. Errors: as
  // ForEachLogEventView; the decoder stops then.
  absl::StatusOr<Decoded> Next();

 private:
  struct Slot {
    std::unique_ptr<BulkBatch> batch;
    absl::Status status;
    bool ready = false;
    size_t bytes = 0;  // batch->held_bytes() once ready
  };
  void Work();
  uint64_t LastOf(uint64_t index) const;

  const Database& db_;
  const BulkFold& fold_;
  const EventFilter& filter_;
  const uint64_t first_;
  const uint64_t last_;
  const uint64_t batch_events_max_;
  const uint64_t batches_;
  const size_t bytes_ahead_max_;
  // Reads the log's files ahead of the batches claimed (none for an
  // empty range).
  std::optional<LogReadahead> readahead_;
  std::mutex mu_;
  std::condition_variable changed_;
  // By batch index modulo kBulkDecodeBatchesAhead; guarded by mu_.
  std::vector<Slot> slots_;
  uint64_t claimed_ = 0;  // batches a thread has started; guarded by mu_
  uint64_t taken_ = 0;    // batches handed over; guarded by mu_
  // The batches threads are decoding (at most one each); guarded by mu_.
  std::vector<uint64_t> decoding_;
  // The bytes of the ready batches not yet taken; guarded by mu_.
  size_t ready_bytes_ = 0;
  bool stop_ = false;  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_BULK_FOLD_H_
