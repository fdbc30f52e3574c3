#include "service/projections_service.h"

#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/grpc_status.h"
#include "service/replay_reactor.h"
#include "service/request_codec.h"
#include "stakeledger/internal/unchecked.pb.h"

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
  out.set_index_keys_written(progress.index_keys_written);
  switch (progress.stage) {
    case storage::RebuildStage::kFolding:
      out.set_stage(v1::RebuildProgress::STAGE_FOLDING);
      break;
    case storage::RebuildStage::kWriting:
      out.set_stage(v1::RebuildProgress::STAGE_WRITING);
      break;
    case storage::RebuildStage::kCompacting:
      out.set_stage(v1::RebuildProgress::STAGE_COMPACTING);
      break;
    case storage::RebuildStage::kSwitching:
      out.set_stage(v1::RebuildProgress::STAGE_SWITCHING);
      break;
  }
  return out;
}

// Runs one rebuild on its own thread. At most one write is in flight; a
// report arriving meanwhile replaces the one waiting, so a slow client
// sees the latest progress and never holds the rebuild up. Finishes once
// the rebuild has returned and the last report is written.
class RebuildReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
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
      const absl::Status encoded = EncodeMessage(*pending_, &current_);
      pending_.reset();
      if (encoded.ok()) {
        writing_ = true;
        StartWrite(&current_);
        return;
      }
      // Cannot happen for a well-formed message; end the rebuild's reports.
      cancelled_ = true;
      final_status_ = ToGrpcStatus(encoded);
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
  grpc::ByteBuffer current_;
  std::optional<v1::RebuildProgress> pending_;
  std::optional<grpc::Status> final_status_;
};

// NOT_FOUND for a name that is not one of the engine's projections,
// listing those (the set is fixed once the server has started).
absl::Status KnownProjection(const storage::ProjectionEngine& engine, const std::string& name) {
  std::vector<std::string> names;
  for (const storage::ProjectionStatus& status : engine.Status()) {
    if (status.name == name) return absl::OkStatus();
    names.push_back(status.name);
  }
  return absl::NotFoundError(absl::StrCat("no projection named '", name,
                                          "'; the projections are: ", absl::StrJoin(names, ", ")));
}

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

grpc::ServerWriteReactor<grpc::ByteBuffer>* ProjectionsService::Rebuild(
    grpc::CallbackServerContext*, const grpc::ByteBuffer* request) {
  if (shutting_down_.load()) return FinishedNow<grpc::ByteBuffer>(kShuttingDown);
  auto decoded = DecodeRequestAs<internal::UncheckedRebuildRequest, v1::RebuildRequest>(*request);
  if (!decoded.ok()) return FinishedNow<grpc::ByteBuffer>(ToGrpcStatus(decoded.status()));
  if (absl::Status known = KnownProjection(*engine_, decoded->projection()); !known.ok()) {
    return FinishedNow<grpc::ByteBuffer>(ToGrpcStatus(known));
  }
  return new RebuildReactor(engine_, decoded->projection());
}

grpc::ServerUnaryReactor* ProjectionsService::GetStake(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  if (shutting_down_.load()) return Refuse(context);
  return AnswerRawUnary<internal::UncheckedStakeRequest, v1::StakeRequest>(
      context, *request, response,
      [this](const v1::StakeRequest& decoded) { return prover_->Stake(decoded); });
}

grpc::ServerUnaryReactor* ProjectionsService::ListHolders(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  if (shutting_down_.load()) return Refuse(context);
  return AnswerRawUnary<internal::UncheckedHoldersRequest, v1::HoldersRequest>(
      context, *request, response,
      [this](const v1::HoldersRequest& decoded) { return prover_->Holders(decoded); });
}

grpc::ServerUnaryReactor* ProjectionsService::GetPortfolio(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request,
                                                           grpc::ByteBuffer* response) {
  if (shutting_down_.load()) return Refuse(context);
  return AnswerRawUnary<internal::UncheckedPortfolioRequest, v1::PortfolioRequest>(
      context, *request, response,
      [this](const v1::PortfolioRequest& decoded) { return prover_->Portfolio(decoded); });
}

grpc::ServerUnaryReactor* ProjectionsService::GetTimeline(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  if (shutting_down_.load()) return Refuse(context);
  return AnswerRawUnary<internal::UncheckedTimelineRequest, v1::TimelineRequest>(
      context, *request, response,
      [this](const v1::TimelineRequest& decoded) { return queries_->Timeline(decoded); });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* ProjectionsService::Replay(
    grpc::CallbackServerContext*, const grpc::ByteBuffer* request) {
  if (shutting_down_.load()) return FinishedNow<grpc::ByteBuffer>(kShuttingDown);
  auto decoded = DecodeRequestAs<internal::UncheckedReplayRequest, v1::ReplayRequest>(*request);
  if (!decoded.ok()) return FinishedNow<grpc::ByteBuffer>(ToGrpcStatus(decoded.status()));
  absl::StatusOr<ReplayRange> range = queries_->StartReplay(*decoded);
  if (!range.ok()) return FinishedNow<grpc::ByteBuffer>(ToGrpcStatus(range.status()));
  return NewReplayReactor(queries_, *std::move(range), &shutting_down_);
}

grpc::ServerUnaryReactor* ProjectionsService::ListProjections(
    grpc::CallbackServerContext* context, const v1::ListProjectionsRequest*,
    v1::ListProjectionsResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, absl::StatusOr<v1::ListProjectionsResponse>(queries_->List()), response);
}

grpc::ServerUnaryReactor* ProjectionsService::GetInvestments(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  if (shutting_down_.load()) return Refuse(context);
  return AnswerRawUnary<internal::UncheckedInvestmentsRequest, v1::InvestmentsRequest>(
      context, *request, response,
      [this](const v1::InvestmentsRequest& decoded) { return investments_->Investments(decoded); });
}

grpc::ServerUnaryReactor* ProjectionsService::ListStakes(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  if (shutting_down_.load()) return Refuse(context);
  return AnswerRawUnary<internal::UncheckedListStakesRequest, v1::ListStakesRequest>(
      context, *request, response,
      [this](const v1::ListStakesRequest& decoded) { return prover_->ListStakes(decoded); });
}

}  // namespace stakeledger::service
