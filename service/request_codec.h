// Decoding requests and encoding responses for the raw (ByteBuffer)
// methods. Every method of EventStore, Projections and Announcements whose
// request holds a string decodes its own request, so that a string field
// holding invalid UTF-8 is answered with INVALID_ARGUMENT naming the field
// rather than gRPC 1.51's UNIMPLEMENTED with an empty message (see
// proto/stakeledger/internal/unchecked.proto). Thread-safe: no state.
#ifndef STAKELEDGER_SERVICE_REQUEST_CODEC_H_
#define STAKELEDGER_SERVICE_REQUEST_CODEC_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"
#include "service/grpc_status.h"
#include "stakeledger/v1/event_store.pb.h"

namespace stakeledger::service {

// Parses `buffer` into `request`. `unchecked` is the default instance of
// the request's twin in unchecked.proto; it is parsed only when `request`
// does not parse. Errors: INVALID_ARGUMENT "<field> is not valid UTF-8",
// naming the first such string field as a path (e.g. "stream",
// "filter.event_types[1]"); INVALID_ARGUMENT when the bytes are not the
// request at all.
absl::Status DecodeRequest(const grpc::ByteBuffer& buffer, google::protobuf::Message* request,
                           const google::protobuf::Message& unchecked);

// The same, returning the request. `Unchecked` is the request's twin.
template <typename Unchecked, typename Request>
absl::StatusOr<Request> DecodeRequestAs(const grpc::ByteBuffer& buffer) {
  Request request;
  absl::Status status = DecodeRequest(buffer, &request, Unchecked::default_instance());
  if (!status.ok()) return status;
  return request;
}

// Parses `buffer` as an AppendRequest. Unlike DecodeRequest, a request
// whose only fault is invalid UTF-8 in a string field is still returned,
// unchecked, so that append validation refuses it naming the field in its
// own words. Errors: INVALID_ARGUMENT when the bytes are not an
// AppendRequest at all.
absl::StatusOr<v1::AppendRequest> DecodeAppendRequest(const grpc::ByteBuffer& buffer);

// Serializes `message` into `buffer`, replacing what it held. Errors:
// INTERNAL if serialization fails (it does not for a well-formed message).
absl::Status EncodeMessage(const google::protobuf::MessageLite& message, grpc::ByteBuffer* buffer);

// A raw unary method's whole answer: decodes `request` as `Request` (twin
// `Unchecked`), calls `answer(const Request&)`, which returns
// absl::StatusOr<Response>, encodes its response into `response` and
// finishes the call with the status converted once. `answer` is not called
// when decoding fails (the call then ends with DecodeRequest's error).
template <typename Unchecked, typename Request, typename Answer>
grpc::ServerUnaryReactor* AnswerRawUnary(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer& request,
                                         grpc::ByteBuffer* response, Answer answer) {
  absl::StatusOr<Request> decoded = DecodeRequestAs<Unchecked, Request>(request);
  absl::Status status = decoded.status();
  if (status.ok()) {
    auto result = answer(static_cast<const Request&>(*decoded));
    status = result.status();
    if (status.ok()) status = EncodeMessage(*result, response);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_REQUEST_CODEC_H_
