#include "service/subscribe_reactor.h"

#include <memory>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "service/grpc_status.h"
#include "service/request_codec.h"

namespace stakeledger::service {
namespace {

absl::StatusOr<storage::SubscriptionOptions> ToOptions(const v1::SubscribeRequest& request,
                                                       const storage::Limits& limits,
                                                       uint64_t head) {
  // head + 1 is the next position to be written: a subscriber may wait for
  // it. Beyond it, the subscription would report checkpoints at positions
  // that do not exist yet and skip the events written before it got there.
  if (request.from_position() > head + 1) {
    return absl::OutOfRangeError(absl::StrCat("from_position: ", request.from_position(),
                                              " is beyond the log head ", head,
                                              " (the next position is ", head + 1, ")"));
  }
  storage::SubscriptionOptions options;
  auto filter = storage::EventFilter::FromProto(request.filter(), limits);
  if (!filter.ok()) return filter.status();
  options.filter = *std::move(filter);
  options.from_position = request.from_position();
  options.include_record = request.include_record();
  options.checkpoint_interval_events = request.checkpoint_interval_events();
  if (options.checkpoint_interval_events == 0) {
    options.checkpoint_interval_events = limits.checkpoint_interval_events_default;
  }
  if (options.checkpoint_interval_events > limits.checkpoint_interval_events_max) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "checkpoint_interval_events is ", options.checkpoint_interval_events,
        ", over the limit checkpoint_interval_events_max=", limits.checkpoint_interval_events_max));
  }
  return options;
}

class SubscribeReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  SubscribeReactor(storage::EventLog* log, const v1::SubscribeRequest& request) {
    absl::StatusOr<storage::SubscriptionOptions> options =
        ToOptions(request, log->limits(), log->head_position());
    if (!options.ok()) {
      Finish(ToGrpcStatus(options.status()));
      return;
    }
    auto subscription = log->Subscribe(*std::move(options), [this] { Kick(); });
    if (!subscription.ok()) {
      Finish(ToGrpcStatus(subscription.status()));
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    subscription_ = *std::move(subscription);
    Pump();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading"));
      return;
    }
    Pump();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled"));
  }

  void OnDone() override {
    // After Close() returns no wake is running or will run, so the reactor
    // can go.
    if (subscription_ != nullptr) subscription_->Close();
    delete this;
  }

 private:
  // Called by the subscription from the publisher thread.
  void Kick() {
    std::lock_guard<std::mutex> lock(mu_);
    Pump();
  }

  void Pump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // A shutdown wake can come before the constructor has stored the
    // subscription; the constructor pumps right after.
    if (writing_ || finished_ || subscription_ == nullptr) return;
    absl::StatusOr<bool> ready = subscription_->Next(&response_);
    if (!ready.ok()) {
      FinishOnce(ToGrpcStatus(ready.status()));
      return;
    }
    if (!*ready) return;  // the subscription will Kick() when there is more
    const absl::Status encoded = EncodeMessage(response_, &buffer_);
    if (!encoded.ok()) {
      FinishOnce(ToGrpcStatus(encoded));
      return;
    }
    writing_ = true;
    StartWrite(&buffer_);
  }

  void FinishOnce(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  std::mutex mu_;
  std::shared_ptr<storage::Subscription> subscription_;
  v1::SubscribeResponse response_ ABSL_GUARDED_BY(mu_);
  // response_ serialized; gRPC reads it until OnWriteDone.
  grpc::ByteBuffer buffer_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* NewSubscribeReactor(
    storage::EventLog* log, const v1::SubscribeRequest& request) {
  return new SubscribeReactor(log, request);
}

}  // namespace stakeledger::service
