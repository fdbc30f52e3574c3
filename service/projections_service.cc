#include "service/projections_service.h"

#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "service/grpc_status.h"
#include "service/replay_reactor.h"

namespace stakeledger::service {
namespace {

const grpc::Status kShuttingDown(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");

template <typename Response>
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                 absl::StatusOr<Response> result, Response* response) {
  if (result.ok()) *response = *std::move(result);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(kShuttingDown);
  return reactor;
}

v1::RebuildProgress ToProto(const storage::RebuildProgress& progress) {
  v1::RebuildProgress out;
  out.set_position(progress.position);
  out.set_head(progress.head);
  out.set_events_per_second(progress.events_per_second);
  out.set_eta_seconds(
      progress.eta == absl::InfiniteDuration() ? -1 : absl::ToDoubleSeconds(progress.eta));
  out.set_elapsed_seconds(absl::ToDoubleSeconds(progress.elapsed));
  out.set_done(progress.done);
  return out;
}

// Runs one rebuild on its own thread. At most one write is in flight; a
// report arriving meanwhile replaces the one waiting, so a slow client
// sees the latest progress and never holds the rebuild up. Finishes once
// the rebuild has returned and the last report is written.
class RebuildReactor : public grpc::ServerWriteReactor<v1::RebuildProgress> {
 public:
  RebuildReactor(storage::ProjectionEngine* engine, std::string name) {
    thread_ = std::thread([this, engine, name = std::move(name)] {
      absl::StatusOr<storage::RebuildProgress> result =
          engine->Rebuild(name, [this](const storage::RebuildProgress& progress) {
            std::lock_guard<std::mutex> lock(mu_);
            if (cancelled_) return false;
            pending_ = ToProto(progress);
            WriteNextLocked();
            return true;
          });
      std::lock_guard<std::mutex> lock(mu_);
      final_status_ = ToGrpcStatus(result.status());
      if (!result.ok()) pending_.reset();  // nothing more to say but the error
      WriteNextLocked();
    });
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      cancelled_ = true;
      pending_.reset();
    }
    WriteNextLocked();
  }
  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
  }
  void OnDone() override {
    thread_.join();
    delete this;
  }

 private:
  // Starts the next write, or finishes once the rebuild is over and
  // nothing is left to write.
  void WriteNextLocked() {
    if (writing_ || finished_) return;
    if (pending_.has_value()) {
      current_ = *std::move(pending_);
      pending_.reset();
      writing_ = true;
      StartWrite(&current_);
      return;
    }
    if (final_status_.has_value()) {
      finished_ = true;
      Finish(*final_status_);
    }
  }

  std::mutex mu_;
  std::thread thread_;
  bool writing_ = false;
  bool finished_ = false;
  bool cancelled_ = false;
  v1::RebuildProgress current_;
  std::optional<v1::RebuildProgress> pending_;
  std::optional<grpc::Status> final_status_;
};

// A reactor finished as soon as it is created.
template <typename Message>
class FinishedReactor : public grpc::ServerWriteReactor<Message> {
 public:
  void OnDone() override { delete this; }
};

template <typename Message>
grpc::ServerWriteReactor<Message>* FinishedNow(const grpc::Status& status) {
  auto* reactor = new FinishedReactor<Message>();
  reactor->Finish(status);
  return reactor;
}

}  // namespace

grpc::ServerWriteReactor<v1::RebuildProgress>* ProjectionsService::Rebuild(
    grpc::CallbackServerContext*, const v1::RebuildRequest* request) {
  if (shutting_down_.load()) return FinishedNow<v1::RebuildProgress>(kShuttingDown);
  return new RebuildReactor(engine_, request->projection());
}

grpc::ServerUnaryReactor* ProjectionsService::GetStake(grpc::CallbackServerContext* context,
                                                       const v1::StakeRequest* request,
                                                       v1::StakeResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, prover_->Stake(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::ListHolders(grpc::CallbackServerContext* context,
                                                          const v1::HoldersRequest* request,
                                                          v1::HoldingsResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, prover_->Holders(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::GetPortfolio(grpc::CallbackServerContext* context,
                                                           const v1::PortfolioRequest* request,
                                                           v1::HoldingsResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, prover_->Portfolio(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::GetTimeline(grpc::CallbackServerContext* context,
                                                          const v1::TimelineRequest* request,
                                                          v1::TimelineResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, queries_->Timeline(*request), response);
}

grpc::ServerWriteReactor<v1::ReplayResponse>* ProjectionsService::Replay(
    grpc::CallbackServerContext*, const v1::ReplayRequest* request) {
  if (shutting_down_.load()) return FinishedNow<v1::ReplayResponse>(kShuttingDown);
  absl::StatusOr<ReplayRange> range = queries_->StartReplay(*request);
  if (!range.ok()) return FinishedNow<v1::ReplayResponse>(ToGrpcStatus(range.status()));
  return NewReplayReactor(queries_, *std::move(range), &shutting_down_);
}

grpc::ServerUnaryReactor* ProjectionsService::ListProjections(
    grpc::CallbackServerContext* context, const v1::ListProjectionsRequest*,
    v1::ListProjectionsResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, absl::StatusOr<v1::ListProjectionsResponse>(queries_->List()), response);
}

grpc::ServerUnaryReactor* ProjectionsService::GetInvestments(grpc::CallbackServerContext* context,
                                                             const v1::InvestmentsRequest* request,
                                                             v1::InvestmentsResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, investments_->Investments(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::ListStakes(grpc::CallbackServerContext* context,
                                                         const v1::ListStakesRequest* request,
                                                         v1::ListStakesResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, prover_->ListStakes(*request), response);
}

}  // namespace stakeledger::service
