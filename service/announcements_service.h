// stakeledger.v1.Announcements over gRPC's callback API: thin unary
// methods over DomainState's queries, one status conversion each. The
// methods whose request holds a string are raw (ByteBuffer) methods that
// decode their own request and encode their own response
// (request_codec.h), so that invalid UTF-8 gets INVALID_ARGUMENT naming the
// field instead of gRPC's UNIMPLEMENTED with an empty message.
#ifndef STAKELEDGER_SERVICE_ANNOUNCEMENTS_SERVICE_H_
#define STAKELEDGER_SERVICE_ANNOUNCEMENTS_SERVICE_H_

#include <atomic>

#include "service/domain_state.h"
#include "stakeledger/v1/announcements_service.grpc.pb.h"

namespace stakeledger::service {

// The generated service with every method that takes a string made raw.
using AnnouncementsRawBase = v1::Announcements::WithRawCallbackMethod_ListAnnouncements<
    v1::Announcements::WithRawCallbackMethod_ResolveEntity<v1::Announcements::CallbackService>>;

class AnnouncementsService final : public AnnouncementsRawBase {
 public:
  // REQUIRES: `state` outlives the service.
  explicit AnnouncementsService(const DomainState* state) : state_(state) {}

  // After this every new call is refused with UNAVAILABLE. Thread-safe.
  void BeginShutdown() { shutting_down_.store(true); }

  grpc::ServerUnaryReactor* ListAnnouncements(grpc::CallbackServerContext* context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListEntities(grpc::CallbackServerContext* context,
                                         const v1::ListEntitiesRequest* request,
                                         v1::ListEntitiesResponse* response) override;
  grpc::ServerUnaryReactor* ResolveEntity(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;

 private:
  const DomainState* const state_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_ANNOUNCEMENTS_SERVICE_H_
