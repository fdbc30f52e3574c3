#include "service/announcements_service.h"

#include "service/grpc_status.h"
#include "service/request_codec.h"
#include "stakeledger/internal/unchecked.pb.h"

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
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  return AnswerRawUnary<internal::UncheckedListAnnouncementsRequest, v1::ListAnnouncementsRequest>(
      context, *request, response, [this](const v1::ListAnnouncementsRequest& decoded) {
        return state_->ListAnnouncements(decoded);
      });
}

grpc::ServerUnaryReactor* AnnouncementsService::ListEntities(grpc::CallbackServerContext* context,
                                                             const v1::ListEntitiesRequest*,
                                                             v1::ListEntitiesResponse* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  for (v1::Entity& entity : state_->ListEntities()) *response->add_entities() = std::move(entity);
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AnnouncementsService::ResolveEntity(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  return AnswerRawUnary<internal::UncheckedResolveEntityRequest, v1::ResolveEntityRequest>(
      context, *request, response, [this](const v1::ResolveEntityRequest& decoded) {
        return state_->ResolveEntity(decoded.name());
      });
}

}  // namespace stakeledger::service
