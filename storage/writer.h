// The single writer with group commit. Appends from every caller enter one
// bounded queue; one thread drains it, sequences each request against the
// state left by the previous ones, writes everything it drained as one
// WriteBatch with sync=true, and only then completes the callers and
// publishes the new events. One fsync is shared by many appends, positions
// stay dense, and an acknowledged append is on disk.
#ifndef STAKELEDGER_STORAGE_WRITER_H_
#define STAKELEDGER_STORAGE_WRITER_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "storage/committed.h"
#include "storage/db.h"
#include "storage/limits.h"
#include "storage/sequencer.h"
#include "storage/validate.h"

namespace stakeledger::storage {

using AppendDone = std::function<void(absl::StatusOr<v1::AppendResponse>)>;
// Called on the writer thread after each durable batch, in commit order.
using PublishFn = std::function<void(CommittedBatchPtr)>;

class Writer {
 public:
  // REQUIRES: `db` outlives the writer; `tail` is the durable log's tail.
  // `tree_mode` is kKeep except in benchmarks (see MerkleTreeMode).
  Writer(const Database* db, const LogTail& tail, const Limits& limits, PublishFn publish,
         MerkleTreeMode tree_mode);
  // Stops (see Stop) and joins the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `append`; `done` runs exactly once, on the writer thread after
  // the fsync or inline when refused. Refusals: RESOURCE_EXHAUSTED when
  // append_queue_requests_max requests are already waiting; UNAVAILABLE
  // after Stop() or after a failed write. Thread-safe.
  void Submit(PreparedAppend append, AppendDone done);

  // Refuses new appends, commits every queued one, and joins the writer
  // thread. Idempotent. Thread-safe.
  void Stop();

  // The last durable position (0 for an empty log). Thread-safe.
  uint64_t head_position() const { return head_position_.load(std::memory_order_acquire); }
  int64_t head_recorded_at_us() const {
    return head_recorded_at_us_.load(std::memory_order_acquire);
  }
  // The Merkle tree of the durable log: size == head_position(), once the
  // batch that moved the head has returned. Thread-safe.
  TreeHead tree_head() const {
    std::lock_guard<std::mutex> lock(head_mu_);
    return tree_head_;
  }

 private:
  struct Pending {
    PreparedAppend append;
    AppendDone done;
  };
  void Run();
  std::vector<Pending> TakeBatch();
  void CommitBatch(std::vector<Pending> batch);

  const Database* db_;
  const Limits limits_;
  const PublishFn publish_;
  const MerkleTreeMode tree_mode_;
  // Only the writer thread touches these two.
  LogTail tail_;
  UuidV7Generator ids_;
  std::atomic<uint64_t> head_position_;
  std::atomic<int64_t> head_recorded_at_us_;

  mutable std::mutex head_mu_;
  TreeHead tree_head_ ABSL_GUARDED_BY(head_mu_);

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_WRITER_H_
