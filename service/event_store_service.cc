#include "service/event_store_service.h"

#include "service/append_codec.h"
#include "service/grpc_status.h"
#include "service/read_reactors.h"
#include "service/subscribe_reactor.h"

namespace stakeledger::service {
namespace {

const grpc::Status kShuttingDown(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");

template <typename Response>
class RefusedStream : public grpc::ServerWriteReactor<Response> {
 public:
  explicit RefusedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                      const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* EventStoreService::Append(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  if (shutting_down()) return FinishUnary(context, kShuttingDown);
  absl::StatusOr<v1::AppendRequest> decoded = DecodeAppendRequest(*request);
  if (!decoded.ok()) return FinishUnary(context, ToGrpcStatus(decoded.status()));
  if (DomainState::IsDomainAppend(*decoded)) {
    return AppendDomain(context, *std::move(decoded), response);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  log_->Append(*std::move(decoded), [reactor, response](absl::StatusOr<v1::AppendResponse> result) {
    absl::Status status = result.status();
    if (status.ok()) status = EncodeAppendResponse(*result, response);
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerUnaryReactor* EventStoreService::AppendDomain(grpc::CallbackServerContext* context,
                                                          v1::AppendRequest request,
                                                          grpc::ByteBuffer* response) {
  // Waiting here blocks a gRPC thread for at most one commit of the domain
  // append before it: domain appends are rare and small.
  if (!domain_->gate().Enter(kDomainAppendWaitMax)) {
    return FinishUnary(context, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                             "another append to the domain streams is in "
                                             "progress; retry"));
  }
  absl::StatusOr<DomainBatch> batch = domain_->Prepare(&request);
  if (!batch.ok()) {
    domain_->gate().Leave();
    return FinishUnary(context, ToGrpcStatus(batch.status()));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  log_->Append(std::move(request), [this, reactor, response, batch = *std::move(batch)](
                                       absl::StatusOr<v1::AppendResponse> result) {
    if (result.ok()) domain_->Apply(batch, *result);
    domain_->gate().Leave();
    absl::Status status = result.status();
    if (status.ok()) status = EncodeAppendResponse(*result, response);
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerWriteReactor<v1::ReadResponse>* EventStoreService::ReadStream(
    grpc::CallbackServerContext*, const v1::ReadStreamRequest* request) {
  if (shutting_down()) return new RefusedStream<v1::ReadResponse>(kShuttingDown);
  return NewReadStreamReactor(log_, *request);
}

grpc::ServerWriteReactor<v1::ReadResponse>* EventStoreService::ReadAll(
    grpc::CallbackServerContext*, const v1::ReadAllRequest* request) {
  if (shutting_down()) return new RefusedStream<v1::ReadResponse>(kShuttingDown);
  return NewReadAllReactor(log_, *request);
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* EventStoreService::Subscribe(
    grpc::CallbackServerContext*, const v1::SubscribeRequest* request) {
  if (shutting_down()) return new RefusedStream<v1::SubscribeResponse>(kShuttingDown);
  return NewSubscribeReactor(log_, *request);
}

grpc::ServerUnaryReactor* EventStoreService::GetStream(grpc::CallbackServerContext* context,
                                                       const v1::GetStreamRequest* request,
                                                       v1::StreamInfo* response) {
  if (shutting_down()) return FinishUnary(context, kShuttingDown);
  absl::StatusOr<storage::StreamHead> head = log_->GetStreamHead(request->stream());
  if (head.ok()) *response = storage::ToStreamInfo(request->stream(), *head);
  return FinishUnary(context, ToGrpcStatus(head.status()));
}

grpc::ServerUnaryReactor* EventStoreService::ListStreams(grpc::CallbackServerContext* context,
                                                         const v1::ListStreamsRequest* request,
                                                         v1::ListStreamsResponse* response) {
  if (shutting_down()) return FinishUnary(context, kShuttingDown);
  absl::StatusOr<v1::ListStreamsResponse> page = log_->ListStreams(*request);
  if (page.ok()) *response = *std::move(page);
  return FinishUnary(context, ToGrpcStatus(page.status()));
}

grpc::ServerUnaryReactor* EventStoreService::GetLogInfo(grpc::CallbackServerContext* context,
                                                        const v1::GetLogInfoRequest*,
                                                        v1::LogInfo* response) {
  if (shutting_down()) return FinishUnary(context, kShuttingDown);
  *response = log_->GetInfo();
  return FinishUnary(context, grpc::Status::OK);
}

}  // namespace stakeledger::service
