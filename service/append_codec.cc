#include "service/append_codec.h"

#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "stakeledger/internal/unchecked.pb.h"

namespace stakeledger::service {
namespace {

template <typename Message>
bool Parse(const grpc::ByteBuffer& buffer, Message* message) {
  grpc::ByteBuffer copy(buffer);  // shares the slices; the reader consumes the copy
  grpc::ProtoBufferReader reader(&copy);
  return reader.status().ok() && message->ParseFromZeroCopyStream(&reader);
}

v1::AppendRequest FromUnchecked(internal::UncheckedAppendRequest unchecked) {
  v1::AppendRequest request;
  request.set_stream(std::move(*unchecked.mutable_stream()));
  *request.mutable_expected_revision() = unchecked.expected_revision();
  for (internal::UncheckedProposedEvent& in : *unchecked.mutable_events()) {
    v1::ProposedEvent* out = request.add_events();
    out->set_event_id(std::move(*in.mutable_event_id()));
    out->set_event_type(std::move(*in.mutable_event_type()));
    out->set_content_type(std::move(*in.mutable_content_type()));
    out->set_payload(std::move(*in.mutable_payload()));
    for (const internal::UncheckedMetadataEntry& entry : in.metadata()) {
      (*out->mutable_metadata())[entry.key()] = entry.value();
    }
  }
  return request;
}

}  // namespace

absl::StatusOr<v1::AppendRequest> DecodeAppendRequest(const grpc::ByteBuffer& buffer) {
  v1::AppendRequest request;
  if (Parse(buffer, &request)) return request;
  internal::UncheckedAppendRequest unchecked;
  if (Parse(buffer, &unchecked)) return FromUnchecked(std::move(unchecked));
  return absl::InvalidArgumentError("the request is not a well-formed AppendRequest");
}

absl::Status EncodeAppendResponse(const v1::AppendResponse& response, grpc::ByteBuffer* buffer) {
  bool own_buffer = false;
  const grpc::Status status =
      grpc::SerializationTraits<v1::AppendResponse>::Serialize(response, buffer, &own_buffer);
  if (status.ok()) return absl::OkStatus();
  return absl::InternalError(status.error_message());
}

}  // namespace stakeledger::service
