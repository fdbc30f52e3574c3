#include "service/projections_service.h"

#include "service/grpc_status.h"

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

}  // namespace

grpc::ServerUnaryReactor* ProjectionsService::GetStake(grpc::CallbackServerContext* context,
                                                       const v1::StakeRequest* request,
                                                       v1::StakeResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, queries_->Stake(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::ListHolders(grpc::CallbackServerContext* context,
                                                          const v1::HoldersRequest* request,
                                                          v1::HoldingsResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, queries_->Holders(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::GetPortfolio(grpc::CallbackServerContext* context,
                                                           const v1::PortfolioRequest* request,
                                                           v1::HoldingsResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, queries_->Portfolio(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::GetTimeline(grpc::CallbackServerContext* context,
                                                          const v1::TimelineRequest* request,
                                                          v1::TimelineResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, queries_->Timeline(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::Replay(grpc::CallbackServerContext* context,
                                                     const v1::ReplayRequest* request,
                                                     v1::ReplayResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, queries_->Replay(*request), response);
}

grpc::ServerUnaryReactor* ProjectionsService::ListProjections(
    grpc::CallbackServerContext* context, const v1::ListProjectionsRequest*,
    v1::ListProjectionsResponse* response) {
  if (shutting_down_.load()) return Refuse(context);
  return Finish(context, absl::StatusOr<v1::ListProjectionsResponse>(queries_->List()), response);
}

}  // namespace stakeledger::service
