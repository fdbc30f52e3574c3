// stakeledger.v1.Announcements over gRPC's callback API: thin unary
// methods over DomainState's queries, one status conversion each.
#ifndef STAKELEDGER_SERVICE_ANNOUNCEMENTS_SERVICE_H_
#define STAKELEDGER_SERVICE_ANNOUNCEMENTS_SERVICE_H_

#include <atomic>

#include "service/domain_state.h"
#include "stakeledger/v1/announcements_service.grpc.pb.h"

namespace stakeledger::service {

class AnnouncementsService final : public v1::Announcements::CallbackService {
 public:
  // REQUIRES: `state` outlives the service.
  explicit AnnouncementsService(const DomainState* state) : state_(state) {}

  // After this every new call is refused with UNAVAILABLE. Thread-safe.
  void BeginShutdown() { shutting_down_.store(true); }

  grpc::ServerUnaryReactor* ListAnnouncements(grpc::CallbackServerContext* context,
                                              const v1::ListAnnouncementsRequest* request,
                                              v1::ListAnnouncementsResponse* response) override;
  grpc::ServerUnaryReactor* ListEntities(grpc::CallbackServerContext* context,
                                         const v1::ListEntitiesRequest* request,
                                         v1::ListEntitiesResponse* response) override;
  grpc::ServerUnaryReactor* ResolveEntity(grpc::CallbackServerContext* context,
                                          const v1::ResolveEntityRequest* request,
                                          v1::Entity* response) override;

 private:
  const DomainState* const state_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_ANNOUNCEMENTS_SERVICE_H_
