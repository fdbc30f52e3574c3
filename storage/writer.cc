#include "storage/writer.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/check.h"

namespace stakeledger::storage {

Writer::Writer(const Database* db, const LogTail& tail, const Limits& limits, PublishFn publish,
               MerkleTreeMode tree_mode)
    : db_(db),
      limits_(limits),
      publish_(std::move(publish)),
      tree_mode_(tree_mode),
      tail_(tail),
      head_position_(tail.next_position - 1),
      head_recorded_at_us_(tail.last_recorded_at_us),
      tree_head_(tail.merkle.Head()),
      thread_([this] { Run(); }) {}

Writer::~Writer() { Stop(); }

void Writer::Submit(PreparedAppend append, AppendDone done) {
  absl::Status refusal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refusal = absl::UnavailableError("the log is shutting down");
    } else if (!failure_.ok()) {
      refusal = absl::UnavailableError(
          absl::StrCat("the log stopped writing after an error: ", failure_.message()));
    } else if (queue_.size() >= limits_.append_queue_requests_max) {
      refusal = absl::ResourceExhaustedError(absl::StrCat(
          "the append queue is full: append_queue_requests_max=", limits_.append_queue_requests_max,
          "; retry later"));
    } else {
      queue_.push_back(Pending{std::move(append), std::move(done)});
    }
  }
  if (!refusal.ok()) {
    done(refusal);
    return;
  }
  wake_.notify_one();
}

void Writer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Writer::Run() {
  for (;;) {
    std::vector<Pending> batch = TakeBatch();
    if (batch.empty()) return;  // stopping and drained
    CommitBatch(std::move(batch));
  }
}

// Takes whole requests, oldest first, until writer_batch_events_max events;
// the first request is always taken, however large.
std::vector<Writer::Pending> Writer::TakeBatch() {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
  std::vector<Pending> batch;
  size_t events = 0;
  while (!queue_.empty()) {
    const size_t next = queue_.front().append.events.size();
    if (!batch.empty() && events + next > limits_.writer_batch_events_max) break;
    events += next;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void Writer::CommitBatch(std::vector<Pending> batch) {
  Sequencer sequencer(db_, tail_, absl::ToUnixMicros(absl::Now()), &ids_, tree_mode_);
  std::vector<absl::StatusOr<v1::AppendResponse>> results;
  results.reserve(batch.size());
  for (Pending& pending : batch) results.push_back(sequencer.Add(std::move(pending.append)));
  rocksdb::WriteBatch* write_batch = sequencer.FinishBatch();
  if (!sequencer.empty()) {
    rocksdb::WriteOptions options;
    options.sync = true;  // acknowledged means on disk
    const absl::Status written =
        FromRocksStatus(db_->db()->Write(options, write_batch), "committing a batch");
    if (!written.ok()) {
      // After a failed sync write the state of the WAL is unknown: stop
      // writing rather than risk a gap or a reused position.
      {
        std::lock_guard<std::mutex> lock(mu_);
        failure_ = written;
      }
      for (auto& result : results) {
        if (result.ok()) result = absl::UnavailableError(written.message());
      }
    } else {
      tail_ = sequencer.tail_after();
      if (tree_mode_ == MerkleTreeMode::kKeep) {
        // The root costs O(log n) hashes, once per batch rather than per
        // tree head request.
        TreeHead head = tail_.merkle.Head();
        std::lock_guard<std::mutex> lock(head_mu_);
        tree_head_ = std::move(head);
      }
      head_recorded_at_us_.store(tail_.last_recorded_at_us, std::memory_order_release);
      head_position_.store(tail_.next_position - 1, std::memory_order_release);
    }
    if (written.ok()) {
      for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
      publish_(sequencer.TakeCommitted());
      return;
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
}

}  // namespace stakeledger::storage
