#include "service/event_store_service.h"

#include "service/grpc_status.h"
#include "service/read_reactors.h"
#include "service/request_codec.h"
#include "service/subscribe_reactor.h"
#include "stakeledger/internal/unchecked.pb.h"

namespace stakeledger::service {
namespace {

const grpc::Status kShuttingDown(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");

class RefusedStream : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit RefusedStream(const grpc::Status& status) { Finish(status); }
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
    if (status.ok()) status = EncodeMessage(*result, response);
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
    if (status.ok()) status = EncodeMessage(*result, response);
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* EventStoreService::ReadStream(
    grpc::CallbackServerContext*, const grpc::ByteBuffer* request) {
  if (shutting_down()) return new RefusedStream(kShuttingDown);
  auto decoded =
      DecodeRequestAs<internal::UncheckedReadStreamRequest, v1::ReadStreamRequest>(*request);
  if (!decoded.ok()) return new RefusedStream(ToGrpcStatus(decoded.status()));
  return NewReadStreamReactor(log_, *decoded);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* EventStoreService::ReadAll(
    grpc::CallbackServerContext*, const grpc::ByteBuffer* request) {
  if (shutting_down()) return new RefusedStream(kShuttingDown);
  auto decoded = DecodeRequestAs<internal::UncheckedReadAllRequest, v1::ReadAllRequest>(*request);
  if (!decoded.ok()) return new RefusedStream(ToGrpcStatus(decoded.status()));
  return NewReadAllReactor(log_, *decoded);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* EventStoreService::Subscribe(
    grpc::CallbackServerContext*, const grpc::ByteBuffer* request) {
  if (shutting_down()) return new RefusedStream(kShuttingDown);
  auto decoded =
      DecodeRequestAs<internal::UncheckedSubscribeRequest, v1::SubscribeRequest>(*request);
  if (!decoded.ok()) return new RefusedStream(ToGrpcStatus(decoded.status()));
  return NewSubscribeReactor(log_, *decoded);
}

grpc::ServerUnaryReactor* EventStoreService::GetStream(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  if (shutting_down()) return FinishUnary(context, kShuttingDown);
  auto decoded =
      DecodeRequestAs<internal::UncheckedGetStreamRequest, v1::GetStreamRequest>(*request);
  if (!decoded.ok()) return FinishUnary(context, ToGrpcStatus(decoded.status()));
  absl::StatusOr<storage::StreamHead> head = log_->GetStreamHead(decoded->stream());
  absl::Status status = head.status();
  if (status.ok())
    status = EncodeMessage(storage::ToStreamInfo(decoded->stream(), *head), response);
  return FinishUnary(context, ToGrpcStatus(status));
}

grpc::ServerUnaryReactor* EventStoreService::ListStreams(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  if (shutting_down()) return FinishUnary(context, kShuttingDown);
  auto decoded =
      DecodeRequestAs<internal::UncheckedListStreamsRequest, v1::ListStreamsRequest>(*request);
  if (!decoded.ok()) return FinishUnary(context, ToGrpcStatus(decoded.status()));
  absl::StatusOr<v1::ListStreamsResponse> page = log_->ListStreams(*decoded);
  absl::Status status = page.status();
  if (status.ok()) status = EncodeMessage(*page, response);
  return FinishUnary(context, ToGrpcStatus(status));
}

grpc::ServerUnaryReactor* EventStoreService::GetLogInfo(grpc::CallbackServerContext* context,
                                                        const v1::GetLogInfoRequest*,
                                                        v1::LogInfo* response) {
  if (shutting_down()) return FinishUnary(context, kShuttingDown);
  *response = log_->GetInfo();
  return FinishUnary(context, grpc::Status::OK);
}

}  // namespace stakeledger::service
