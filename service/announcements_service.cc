#include "service/announcements_service.h"

#include "service/grpc_status.h"

namespace stakeledger::service {
namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

const grpc::Status kShuttingDown(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");

}  // namespace

grpc::ServerUnaryReactor* AnnouncementsService::ListAnnouncements(
    grpc::CallbackServerContext* context, const v1::ListAnnouncementsRequest* request,
    v1::ListAnnouncementsResponse* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  absl::StatusOr<v1::ListAnnouncementsResponse> page = state_->ListAnnouncements(*request);
  if (page.ok()) *response = *std::move(page);
  return Finish(context, ToGrpcStatus(page.status()));
}

grpc::ServerUnaryReactor* AnnouncementsService::ListEntities(grpc::CallbackServerContext* context,
                                                             const v1::ListEntitiesRequest*,
                                                             v1::ListEntitiesResponse* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  for (v1::Entity& entity : state_->ListEntities()) *response->add_entities() = std::move(entity);
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AnnouncementsService::ResolveEntity(
    grpc::CallbackServerContext* context, const v1::ResolveEntityRequest* request,
    v1::Entity* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  absl::StatusOr<v1::Entity> entity = state_->ResolveEntity(request->name());
  if (entity.ok()) *response = *std::move(entity);
  return Finish(context, ToGrpcStatus(entity.status()));
}

}  // namespace stakeledger::service
