#include "storage/subscription.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "storage/check.h"
#include "storage/record.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

// Bounds one storage scan while catching up, so that a filter matching
// nothing still yields (and checks for shutdown) regularly.
constexpr size_t kCatchUpScanEventsMax = 65'536;

}  // namespace

Subscription::Subscription(SubscriptionHub* hub, SubscriptionOptions options,
                           std::function<void()> wake)
    : hub_(hub),
      options_(std::move(options)),
      delivered_through_(std::max<uint64_t>(options_.from_position, 1) - 1),
      scanned_through_(delivered_through_),
      wake_(std::move(wake)) {}

absl::StatusOr<bool> Subscription::Next(v1::SubscribeResponse* out) {
  out->Clear();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) {
      return absl::UnavailableError(absl::StrCat(
          "the server is shutting down; resubscribe from position ", delivered_through_ + 1));
    }
    if (mode_ == Mode::kLive) return NextFromBuffer(out);
  }
  return NextFromStorage(out);
}

absl::StatusOr<bool> Subscription::NextFromStorage(v1::SubscribeResponse* out) {
  const Limits& limits = hub_->limits();
  for (;;) {
    ChunkBounds bounds;
    uint64_t from = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shut_down_) return absl::UnavailableError("the server is shutting down");
      from = delivered_through_ + 1;
      bounds.events_max = limits.response_events_max;
      bounds.bytes_max = limits.response_bytes_max;
      // Stop exactly where the next checkpoint is due.
      bounds.scanned_max = std::min<uint64_t>(
          kCatchUpScanEventsMax, options_.checkpoint_interval_events - scanned_since_checkpoint_);
    }
    ReadAhead(from);
    ASSIGN_OR_RETURN(ScanResult scan,
                     ScanLog(hub_->db(), from, /*backwards=*/false, options_.filter,
                             options_.include_record, bounds, out->mutable_events()));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (scan.scanned > 0) delivered_through_ = scan.last_scanned;
      scanned_since_checkpoint_ += scan.scanned;
    }
    if (scan.reached_end) TryGoLive(out);
    std::lock_guard<std::mutex> lock(mu_);
    MaybeCheckpoint(out->caught_up(), out);
    if (out->events_size() > 0 || out->has_checkpoint()) return true;
  }
}

void Subscription::ReadAhead(uint64_t from) {
  std::shared_ptr<LogReadahead> readahead;
  {
    std::lock_guard<std::mutex> lock(mu_);
    readahead = readahead_;
  }
  if (readahead == nullptr || from > readahead->last()) {
    uint64_t head = 0;
    {
      std::lock_guard<std::mutex> hub_lock(hub_->mu_);
      head = hub_->published_head_;
    }
    if (from > head) return;
    readahead = std::make_shared<LogReadahead>(hub_->db(), from, head);
    std::lock_guard<std::mutex> lock(mu_);
    readahead_ = readahead;
  }
  readahead->Reached(from);
}

// The switch to live happens under the hub's lock: if nothing has been
// published past what storage gave us, every later event will be offered
// to this subscription in order, so nothing can fall between the two.
void Subscription::TryGoLive(v1::SubscribeResponse* out) {
  std::lock_guard<std::mutex> hub_lock(hub_->mu_);
  std::lock_guard<std::mutex> lock(mu_);
  if (hub_->published_head_ > delivered_through_) return;  // more to read first
  mode_ = Mode::kLive;
  scanned_through_ = delivered_through_;
  readahead_.reset();
  out->set_caught_up(true);
}

bool Subscription::NextFromBuffer(v1::SubscribeResponse* out) {
  const Limits& limits = hub_->limits();
  size_t bytes = 0;
  while (!buffer_.empty() && static_cast<size_t>(out->events_size()) < limits.response_events_max &&
         bytes < limits.response_bytes_max) {
    const CommittedEvent& committed = *buffer_.front();
    v1::RecordedEvent* event = out->add_events();
    *event = committed.event;
    if (options_.include_record) {
      const absl::string_view record = RecordBytes(committed.value);
      event->set_record(record.data(), record.size());
    }
    bytes += committed.value.size();
    delivered_through_ = committed.event.position();
    buffer_bytes_ -= BufferedBytes(committed);
    buffer_.pop_front();
  }
  if (buffer_.empty()) {
    delivered_through_ = scanned_through_;
    MaybeCheckpoint(false, out);
  }
  if (out->events_size() > 0 || out->has_checkpoint()) return true;
  waiting_ = true;
  return false;
}

void Subscription::MaybeCheckpoint(bool force, v1::SubscribeResponse* out) {
  if (!force && scanned_since_checkpoint_ < options_.checkpoint_interval_events) return;
  out->mutable_checkpoint()->set_position(delivered_through_);
  scanned_since_checkpoint_ = 0;
}

bool Subscription::Offer(const CommittedBatchPtr& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (mode_ != Mode::kLive || shut_down_) return false;
  const Limits& limits = hub_->limits();
  for (const std::shared_ptr<const CommittedEvent>& shared : *batch) {
    const CommittedEvent& committed = *shared;
    const uint64_t position = committed.event.position();
    if (position <= scanned_through_) continue;  // already read from storage
    if (position != scanned_through_ + 1) {
      FallBehind();
      break;
    }
    if (options_.filter.Matches(committed.event)) {
      const size_t bytes = BufferedBytes(committed);
      if (buffer_.size() >= limits.subscriber_buffer_events_max ||
          buffer_bytes_ + bytes > limits.subscriber_buffer_bytes_max) {
        FallBehind();
        break;
      }
      buffer_.push_back(shared);
      buffer_bytes_ += bytes;
    }
    scanned_through_ = position;
    ++scanned_since_checkpoint_;
  }
  const bool has_news = mode_ == Mode::kCatchingUp || !buffer_.empty() ||
                        scanned_since_checkpoint_ >= options_.checkpoint_interval_events;
  if (!waiting_ || !has_news) return false;
  waiting_ = false;
  return true;
}

// Drops the buffer; the next Next() reads storage from the last position
// handed out, so nothing is lost and nothing is sent twice.
void Subscription::FallBehind() {
  buffer_.clear();
  buffer_bytes_ = 0;
  mode_ = Mode::kCatchingUp;
  scanned_through_ = delivered_through_;
  ++fallbacks_;
}

void Subscription::Wake() {
  std::lock_guard<std::mutex> lock(wake_mu_);
  if (wake_) wake_();
}

void Subscription::Close() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    wake_ = nullptr;
  }
  hub_->Remove(this);
}

size_t Subscription::buffered_events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buffer_.size();
}

uint64_t Subscription::fallbacks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fallbacks_;
}

SubscriptionHub::SubscriptionHub(const Database* db, const Limits& limits, uint64_t head_position)
    : db_(db), limits_(limits), published_head_(head_position), thread_([this] { Run(); }) {}

SubscriptionHub::~SubscriptionHub() { Shutdown(); }

absl::StatusOr<std::shared_ptr<Subscription>> SubscriptionHub::Subscribe(
    SubscriptionOptions options, std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return absl::UnavailableError("the server is shutting down");
  if (subscriptions_.size() >= limits_.subscribers_max) {
    return absl::ResourceExhaustedError(
        absl::StrCat("there are already ", subscriptions_.size(),
                     " subscribers, the limit subscribers_max=", limits_.subscribers_max));
  }
  auto subscription = std::make_shared<Subscription>(this, std::move(options), std::move(wake));
  subscriptions_.push_back(subscription);
  return subscription;
}

void SubscriptionHub::Remove(Subscription* subscription) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                         [subscription](const auto& s) { return s.get() == subscription; });
  if (it != subscriptions_.end()) subscriptions_.erase(it);
}

size_t SubscriptionHub::subscriber_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscriptions_.size();
}

void SubscriptionHub::Publish(CommittedBatchPtr batch) {
  CHECK(batch != nullptr);
  CHECK(!batch->empty());
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_changed_.wait(
      lock, [this] { return queue_.size() < limits_.publish_queue_batches_max || stopping_; });
  queue_.push_back(std::move(batch));
  queue_changed_.notify_all();
}

void SubscriptionHub::Run() {
  for (;;) {
    CommittedBatchPtr batch;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_changed_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping and drained
      batch = std::move(queue_.front());
      queue_.pop_front();
      queue_changed_.notify_all();
    }
    // Wake outside the hub's lock: a woken consumer may call Next(), which
    // can take that lock to go live.
    for (const auto& subscription : Deliver(batch)) subscription->Wake();
  }
}

std::vector<std::shared_ptr<Subscription>> SubscriptionHub::Deliver(
    const CommittedBatchPtr& batch) {
  std::vector<std::shared_ptr<Subscription>> to_wake;
  std::lock_guard<std::mutex> lock(mu_);
  published_head_ = batch->back()->event.position();
  for (const auto& subscription : subscriptions_) {
    if (subscription->Offer(batch)) to_wake.push_back(subscription);
  }
  return to_wake;
}

void SubscriptionHub::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
    queue_changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::vector<std::shared_ptr<Subscription>> to_wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shut_down_ = true;
    for (const auto& subscription : subscriptions_) {
      std::lock_guard<std::mutex> sub_lock(subscription->mu_);
      subscription->shut_down_ = true;
      subscription->waiting_ = false;
      to_wake.push_back(subscription);
    }
  }
  for (const auto& subscription : to_wake) subscription->Wake();
}

}  // namespace stakeledger::storage
