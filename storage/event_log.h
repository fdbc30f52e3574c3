// The event log: an append-only store of events on RocksDB with a single
// group-committing writer, stream and event-id indexes, chunked reads and
// live subscriptions. The one entry point the service uses.
#ifndef STAKELEDGER_STORAGE_EVENT_LOG_H_
#define STAKELEDGER_STORAGE_EVENT_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/db.h"
#include "storage/limits.h"
#include "storage/merkle_store.h"
#include "storage/reader.h"
#include "storage/subscription.h"
#include "storage/writer.h"

namespace stakeledger::storage {

class EventLog {
 public:
  // Opens (creating if needed) the log in `dir` and starts its writer and
  // publisher threads. Errors: as Database::Open; DATA_LOSS when the last
  // record does not decode.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(const std::string& dir,
                                                        const Limits& limits);
  // Benchmarks only: as Open, but the writer keeps no Merkle tree (no
  // nodes written, no tree head computed per batch), so that a benchmark
  // can measure what the tree costs the write path against Open. Such a
  // log's tree_head() stays at its opening value and proofs past it fail;
  // opening the directory again with Open rebuilds the missing tree from
  // the records (EnsureTree). Not offered by ledgerd: a log without its
  // tree breaks the audit guarantees.
  static absl::StatusOr<std::unique_ptr<EventLog>> OpenWithoutTreeForBenchmark(
      const std::string& dir, const Limits& limits);
  // Shuts down (see Shutdown) and closes the database.
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Validates `request` (validate.h) and queues it for the writer. `done`
  // runs exactly once: inline for invalid input, otherwise on the writer
  // thread once the events are durable (or refused). Errors: those of
  // PrepareAppend, Writer::Submit and Sequencer::Add. Thread-safe.
  void Append(v1::AppendRequest request, AppendDone done);
  // Append, waiting for the result. Thread-safe.
  absl::StatusOr<v1::AppendResponse> AppendAndWait(v1::AppendRequest request);

  // One chunk of the whole log; see ScanLog. Thread-safe.
  absl::StatusOr<ScanResult> ReadAllChunk(uint64_t from, bool backwards, const EventFilter& filter,
                                          bool include_record, const ChunkBounds& bounds,
                                          EventList* out) const;
  // One chunk of a stream; see ScanStream. Thread-safe.
  absl::StatusOr<ScanResult> ReadStreamChunk(uint64_t stream_id, uint64_t from_revision,
                                             bool backwards, bool include_record,
                                             const ChunkBounds& bounds, EventList* out) const;

  // Errors: NOT_FOUND for a stream with no events; INVALID_ARGUMENT or
  // RESOURCE_EXHAUSTED for a malformed name. Thread-safe.
  absl::StatusOr<StreamHead> GetStreamHead(absl::string_view stream) const;
  // Errors: INVALID_ARGUMENT for an over-long page token or prefix,
  // RESOURCE_EXHAUSTED for a page size over list_streams_page_max.
  absl::StatusOr<v1::ListStreamsResponse> ListStreams(const v1::ListStreamsRequest& request) const;
  v1::LogInfo GetInfo() const;

  // Errors: as SubscriptionHub::Subscribe. `wake` must stay callable until
  // the subscription's Close() returns.
  absl::StatusOr<std::shared_ptr<Subscription>> Subscribe(SubscriptionOptions options,
                                                          std::function<void()> wake);

  // Refuses new appends (UNAVAILABLE), commits and acknowledges the queued
  // ones, publishes them, then ends every subscription. Idempotent.
  void Shutdown();

  uint64_t head_position() const { return writer_->head_position(); }
  // A counter WakeHeadWaiters advances; read it before deciding to wait.
  uint64_t head_wake_epoch() const;
  // Waits until head_position() > `position`, head_wake_epoch() differs
  // from `epoch`, or `timeout` passed; returns head_position() then.
  // Woken by every commit, so a follower of the log need not poll.
  // Thread-safe.
  uint64_t WaitForHeadAfter(uint64_t position, uint64_t epoch, absl::Duration timeout) const;
  // Wakes every WaitForHeadAfter (e.g. to let a follower stop). Thread-safe.
  void WakeHeadWaiters() const;
  // The committed tree size and root, without reading. Thread-safe.
  TreeHead tree_head() const { return writer_->tree_head(); }
  // Proofs over the committed tree (sizes up to tree_head().size).
  const MerkleStore& merkle() const { return merkle_; }
  const Limits& limits() const { return limits_; }
  // The database, for the projection engine's own column family.
  const Database& database() const { return *db_; }
  size_t subscriber_count() const { return hub_->subscriber_count(); }

 private:
  static absl::StatusOr<std::unique_ptr<EventLog>> OpenWithTreeMode(const std::string& dir,
                                                                    const Limits& limits,
                                                                    MerkleTreeMode tree_mode);
  EventLog(std::unique_ptr<Database> db, const Limits& limits, const LogTail& tail,
           MerkleTreeMode tree_mode);

  const Limits limits_;
  std::unique_ptr<Database> db_;
  const MerkleStore merkle_;
  // Signals commits to WaitForHeadAfter (the writer stores the head before
  // it publishes a batch).
  mutable std::mutex head_mu_;
  mutable std::condition_variable head_advanced_;
  mutable uint64_t head_wake_epoch_ ABSL_GUARDED_BY(head_mu_) = 0;
  // Declared after db_ so that they stop before it closes.
  std::unique_ptr<SubscriptionHub> hub_;
  std::unique_ptr<Writer> writer_;
};

// Reads the durable tail of the log in `db`: next position and stream id,
// last commit time, Merkle frontier (rebuilding the tree of a log written
// before it existed, see EnsureTree). Errors: DATA_LOSS for an undecodable
// last record or a missing tree node.
absl::StatusOr<LogTail> ReadLogTail(const Database& db);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_EVENT_LOG_H_
