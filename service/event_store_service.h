// stakeledger.v1.EventStore over gRPC's callback API. Thin: each method
// decodes, calls the event log, and converts the status once. Every method
// that takes a string is a raw (ByteBuffer) method that decodes its own
// request and encodes its own responses (request_codec.h), so that invalid
// UTF-8 gets INVALID_ARGUMENT naming the field instead of gRPC's
// UNIMPLEMENTED with an empty message.
// Appends to the "entities" and "announcements" streams are validated and
// canonicalized by DomainState first (domain_state.h), one at a time.
#ifndef STAKELEDGER_SERVICE_EVENT_STORE_SERVICE_H_
#define STAKELEDGER_SERVICE_EVENT_STORE_SERVICE_H_

#include <atomic>

#include "absl/time/time.h"
#include "service/domain_state.h"
#include "stakeledger/v1/event_store.grpc.pb.h"
#include "storage/event_log.h"

namespace stakeledger::service {

// The generated service with every method that takes a string made raw.
using EventStoreRawBase = v1::EventStore::WithRawCallbackMethod_Append<
    v1::EventStore::WithRawCallbackMethod_ReadStream<v1::EventStore::WithRawCallbackMethod_ReadAll<
        v1::EventStore::WithRawCallbackMethod_Subscribe<
            v1::EventStore::WithRawCallbackMethod_GetStream<
                v1::EventStore::WithRawCallbackMethod_ListStreams<
                    v1::EventStore::CallbackService>>>>>>;

class EventStoreService final : public EventStoreRawBase {
 public:
  // How long a domain append waits for the one before it; past it the
  // call fails with UNAVAILABLE (retry).
  static constexpr absl::Duration kDomainAppendWaitMax = absl::Seconds(10);

  // REQUIRES: `log` and `domain` outlive the service.
  EventStoreService(storage::EventLog* log, DomainState* domain) : log_(log), domain_(domain) {}

  // After this every new call is refused with UNAVAILABLE. Thread-safe.
  void BeginShutdown() { shutting_down_.store(true); }

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* ReadStream(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* ReadAll(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* GetStream(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListStreams(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetLogInfo(grpc::CallbackServerContext* context,
                                       const v1::GetLogInfoRequest* request,
                                       v1::LogInfo* response) override;

 private:
  bool shutting_down() const { return shutting_down_.load(); }
  // Validates, canonicalizes and appends an append to a domain stream,
  // holding the domain write gate until the state has applied it.
  grpc::ServerUnaryReactor* AppendDomain(grpc::CallbackServerContext* context,
                                         v1::AppendRequest request, grpc::ByteBuffer* response);

  storage::EventLog* const log_;
  DomainState* const domain_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_EVENT_STORE_SERVICE_H_
