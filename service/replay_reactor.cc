// Replay's reactor (replay_reactor.h). Every step happens under mu_: gRPC
// may run OnWriteDone, OnCancel and the alarm's callback on different
// threads, and the reactor is at any time in exactly one of three states
// (writing, waiting for the alarm, finished), which keeps Finish to one
// call and the alarm from outliving the reactor.
#include "service/replay_reactor.h"

#include <deque>
#include <memory>
#include <mutex>

#include "absl/status/statusor.h"
#include "grpcpp/alarm.h"
#include "service/grpc_status.h"
#include "service/request_codec.h"

namespace stakeledger::service {
namespace {

class ReplayReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  ReplayReactor(const ProjectionQueries* queries, ReplayRange range,
                const std::atomic<bool>* shutting_down)
      : queries_(queries),
        range_(std::move(range)),
        shutting_down_(shutting_down),
        next_from_(range_.from) {
    std::lock_guard<std::mutex> lock(mu_);
    AdvanceLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;
    AdvanceLocked();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    // The alarm's callback runs with ok = false and finishes the call.
    if (waiting_) alarm_->Cancel();
  }

  void OnDone() override { delete this; }

 private:
  void OnAlarm(bool fired) {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_ = false;
    if (!fired) cancelled_ = true;
    AdvanceLocked();
  }

  // Moves the call on by one step: finish, write the next message, or
  // wait for the projection.
  void AdvanceLocked() {
    if (finished_ || writing_ || waiting_) return;
    if (cancelled_) return FinishLocked(grpc::Status::CANCELLED);
    if (shutting_down_->load()) {
      return FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                       "the server is shutting down; resume replay from "
                                       "position " +
                                           std::to_string(next_from_)));
    }
    if (!pending_.empty()) return WriteLocked();
    absl::StatusOr<uint64_t> applied = queries_->AppliedPosition();
    if (!applied.ok()) return FinishLocked(ToGrpcStatus(applied.status()));
    const uint64_t limit = range_.follow ? *applied : std::min(*applied, range_.to);
    if (next_from_ <= limit) {
      absl::StatusOr<std::vector<v1::ReplayStep>> steps =
          queries_->ReplaySteps(range_, next_from_, limit, kReplayPageStepsMax);
      if (!steps.ok()) return FinishLocked(ToGrpcStatus(steps.status()));
      next_from_ = steps->empty() ? limit + 1 : steps->back().position() + 1;
      for (v1::ReplayStep& step : *steps) *pending_.emplace_back().mutable_step() = std::move(step);
      if (!pending_.empty()) return WriteLocked();
    }
    // Everything up to `limit` has been sent.
    if (!range_.follow && limit >= range_.to) return FinishLocked(grpc::Status::OK);
    if (range_.follow && !caught_up_sent_ && limit >= range_.to) {
      caught_up_sent_ = true;
      pending_.emplace_back().set_caught_up_position(limit);
      return WriteLocked();
    }
    WaitLocked();
  }

  void WriteLocked() {
    const absl::Status encoded = EncodeMessage(pending_.front(), &current_);
    pending_.pop_front();
    if (!encoded.ok()) return FinishLocked(ToGrpcStatus(encoded));
    writing_ = true;
    StartWrite(&current_);
  }

  void WaitLocked() {
    waiting_ = true;
    // A fresh alarm each time; the previous one has fired, and is kept
    // until now because its callback may still have been on the stack.
    previous_alarm_ = std::move(alarm_);
    alarm_ = std::make_unique<grpc::Alarm>();
    alarm_->Set(absl::ToChronoTime(absl::Now() + kReplayPollInterval),
                [this](bool fired) { OnAlarm(fired); });
  }

  void FinishLocked(const grpc::Status& status) {
    finished_ = true;
    Finish(status);
  }

  const ProjectionQueries* const queries_;
  const ReplayRange range_;
  const std::atomic<bool>* const shutting_down_;
  std::mutex mu_;
  uint64_t next_from_;
  bool writing_ = false;
  bool waiting_ = false;
  bool cancelled_ = false;
  bool finished_ = false;
  bool caught_up_sent_ = false;
  std::deque<v1::ReplayResponse> pending_;
  grpc::ByteBuffer current_;
  std::unique_ptr<grpc::Alarm> alarm_;
  std::unique_ptr<grpc::Alarm> previous_alarm_;
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* NewReplayReactor(
    const ProjectionQueries* queries, ReplayRange range, const std::atomic<bool>* shutting_down) {
  return new ReplayReactor(queries, std::move(range), shutting_down);
}

}  // namespace stakeledger::service
