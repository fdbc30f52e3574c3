// Subscriptions: catch up from a position by reading storage, then follow
// live from an in-memory buffer, with no gap and no duplicate at the switch.
//
// Every decision is keyed on positions. A subscription remembers the last
// position it has handed out (delivered_through). While catching up it
// reads storage from there. It goes live only when, under the hub's lock,
// nothing has been published beyond what it has read; from then on each
// published event must be the very next position, or the subscription
// falls back to storage. A live buffer that would exceed
// subscriber_buffer_events_max events or subscriber_buffer_bytes_max bytes
// is dropped and the subscription catches up from storage again: a slow
// reader never grows server memory. Each buffered event is owned on its
// own, so the bound covers everything the buffer keeps alive.
#ifndef STAKELEDGER_STORAGE_SUBSCRIPTION_H_
#define STAKELEDGER_STORAGE_SUBSCRIPTION_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "storage/committed.h"
#include "storage/db.h"
#include "storage/limits.h"
#include "storage/log_readahead.h"
#include "storage/reader.h"

namespace stakeledger::storage {

class SubscriptionHub;

struct SubscriptionOptions {
  uint64_t from_position = 1;
  EventFilter filter;
  uint32_t checkpoint_interval_events = 1000;
  bool include_record = false;
};

// One subscriber's state. Next() is called by one consumer at a time;
// Offer() by the hub's publisher thread. Thread-safe.
class Subscription {
 public:
  Subscription(SubscriptionHub* hub, SubscriptionOptions options, std::function<void()> wake);

  // Fills `out` (cleared first) with what to send next: events, a
  // checkpoint, the caught-up mark. Returns false when there is nothing to
  // send now; wake() will be called once there may be.
  // Errors: UNAVAILABLE once the hub shuts down; as storage reads.
  absl::StatusOr<bool> Next(v1::SubscribeResponse* out);

  // Stops wake() calls; returns once no wake() is running.
  // REQUIRES: the hub (the EventLog) is still alive.
  void Close();

  // Live events the buffer holds now (for tests and stats).
  size_t buffered_events() const;
  // Times the subscription fell behind and went back to storage.
  uint64_t fallbacks() const;

 private:
  friend class SubscriptionHub;
  enum class Mode { kCatchingUp, kLive };

  absl::StatusOr<bool> NextFromStorage(v1::SubscribeResponse* out);
  // Asks for the log's files ahead of `from` (LogReadahead).
  void ReadAhead(uint64_t from);
  bool NextFromBuffer(v1::SubscribeResponse* out);
  void MaybeCheckpoint(bool force, v1::SubscribeResponse* out);
  // Called by the hub with its lock held. Returns true when wake() is due.
  bool Offer(const CommittedBatchPtr& batch);
  void FallBehind();
  void TryGoLive(v1::SubscribeResponse* out);
  void Wake();

  SubscriptionHub* const hub_;
  const SubscriptionOptions options_;

  mutable std::mutex mu_;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kCatchingUp;
  uint64_t delivered_through_ ABSL_GUARDED_BY(mu_);
  uint64_t scanned_through_ ABSL_GUARDED_BY(mu_);
  uint64_t scanned_since_checkpoint_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::shared_ptr<const CommittedEvent>> buffer_ ABSL_GUARDED_BY(mu_);
  // Sum of BufferedBytes over buffer_.
  size_t buffer_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool waiting_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t fallbacks_ ABSL_GUARDED_BY(mu_) = 0;
  // While catching up: reads the log's files ahead of the scan up to the
  // head as it was when the catch-up began (a catch-up from a log not in
  // the page cache read it in small pieces, waiting on each); past that
  // head, another. None while live.
  std::shared_ptr<LogReadahead> readahead_ ABSL_GUARDED_BY(mu_);

  std::mutex wake_mu_;
  std::function<void()> wake_ ABSL_GUARDED_BY(wake_mu_);
};

// Fans committed batches out to live subscriptions on its own thread, so
// the writer never waits for a subscriber. Thread-safe.
class SubscriptionHub {
 public:
  // REQUIRES: `db` outlives the hub. `head_position` is the last durable
  // position at start.
  SubscriptionHub(const Database* db, const Limits& limits, uint64_t head_position);
  ~SubscriptionHub();

  // Errors: RESOURCE_EXHAUSTED over subscribers_max; UNAVAILABLE after
  // Shutdown.
  absl::StatusOr<std::shared_ptr<Subscription>> Subscribe(SubscriptionOptions options,
                                                          std::function<void()> wake);
  // Queues a durable batch for fan-out. Blocks while
  // publish_queue_batches_max batches wait (the publisher only copies
  // pointers, so this is brief).
  void Publish(CommittedBatchPtr batch);
  // Ends every subscription (their Next() returns UNAVAILABLE) and stops
  // the publisher thread after it has published what was queued.
  void Shutdown();

  size_t subscriber_count() const;
  const Limits& limits() const { return limits_; }
  const Database& db() const { return *db_; }

 private:
  friend class Subscription;
  void Run();
  void Remove(Subscription* subscription);
  std::vector<std::shared_ptr<Subscription>> Deliver(const CommittedBatchPtr& batch);

  const Database* db_;
  const Limits limits_;

  // Lock order: hub mu_ before any Subscription::mu_.
  mutable std::mutex mu_;
  uint64_t published_head_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Subscription>> subscriptions_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;

  std::mutex queue_mu_;
  std::condition_variable queue_changed_;
  std::deque<CommittedBatchPtr> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread thread_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_SUBSCRIPTION_H_
