#include "service/request_codec.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/common.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "stakeledger/internal/unchecked.pb.h"

namespace stakeledger::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool Parse(const grpc::ByteBuffer& buffer, google::protobuf::MessageLite* message) {
  grpc::ByteBuffer copy(buffer);  // shares the slices; the reader consumes the copy
  grpc::ProtoBufferReader reader(&copy);
  return reader.status().ok() && message->ParseFromZeroCopyStream(&reader);
}

bool IsValidUtf8(const std::string& text) {
  // The check protobuf itself applies when it refuses a string field.
  return google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                             static_cast<int>(text.size()));
}

std::string FindInvalidUtf8(const Message& unchecked, const Descriptor& checked_type,
                            const std::string& prefix);

// Checks one field of the twin against the v1 field of the same number.
std::string FindInvalidUtf8InField(const Message& unchecked, const FieldDescriptor& field,
                                   const FieldDescriptor& checked, const std::string& path) {
  const Reflection& reflection = *unchecked.GetReflection();
  const bool is_string = checked.type() == FieldDescriptor::TYPE_STRING;
  const bool is_message = field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                          checked.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
  if (!field.is_repeated()) {
    if (is_string && !IsValidUtf8(reflection.GetString(unchecked, &field))) return path;
    if (is_message) {
      return FindInvalidUtf8(reflection.GetMessage(unchecked, &field), *checked.message_type(),
                             path + ".");
    }
    return "";
  }
  const int size = reflection.FieldSize(unchecked, &field);
  for (int i = 0; i < size; ++i) {
    const std::string element = absl::StrCat(path, "[", i, "]");
    if (is_string && !IsValidUtf8(reflection.GetRepeatedString(unchecked, &field, i))) {
      return element;
    }
    if (is_message) {
      std::string found = FindInvalidUtf8(reflection.GetRepeatedMessage(unchecked, &field, i),
                                          *checked.message_type(), element + ".");
      if (!found.empty()) return found;
    }
  }
  return "";
}

// The path of the first string field of `checked_type` that `unchecked`
// holds as invalid UTF-8, or "" if there is none.
std::string FindInvalidUtf8(const Message& unchecked, const Descriptor& checked_type,
                            const std::string& prefix) {
  std::vector<const FieldDescriptor*> fields;
  unchecked.GetReflection()->ListFields(unchecked, &fields);  // in field-number order
  for (const FieldDescriptor* field : fields) {
    const FieldDescriptor* checked = checked_type.FindFieldByNumber(field->number());
    if (checked == nullptr) continue;
    std::string found =
        FindInvalidUtf8InField(unchecked, *field, *checked, prefix + std::string(checked->name()));
    if (!found.empty()) return found;
  }
  return "";
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

absl::Status NotWellFormed(const Descriptor& type) {
  return absl::InvalidArgumentError(
      absl::StrCat("the request is not a well-formed ", std::string(type.name())));
}

}  // namespace

absl::Status DecodeRequest(const grpc::ByteBuffer& buffer, Message* request,
                           const Message& unchecked) {
  if (Parse(buffer, request)) return absl::OkStatus();
  // Rare: parse again, leniently, only to say which field was at fault.
  std::unique_ptr<Message> lenient(unchecked.New());
  if (!Parse(buffer, lenient.get())) return NotWellFormed(*request->GetDescriptor());
  const std::string field = FindInvalidUtf8(*lenient, *request->GetDescriptor(), "");
  if (field.empty()) return NotWellFormed(*request->GetDescriptor());
  return absl::InvalidArgumentError(absl::StrCat(field, " is not valid UTF-8"));
}

absl::StatusOr<v1::AppendRequest> DecodeAppendRequest(const grpc::ByteBuffer& buffer) {
  v1::AppendRequest request;
  if (Parse(buffer, &request)) return request;
  internal::UncheckedAppendRequest unchecked;
  if (Parse(buffer, &unchecked)) return FromUnchecked(std::move(unchecked));
  return NotWellFormed(*v1::AppendRequest::descriptor());
}

absl::Status EncodeMessage(const google::protobuf::MessageLite& message, grpc::ByteBuffer* buffer) {
  buffer->Clear();  // the writer below requires an empty buffer
  bool own_buffer = false;
  const grpc::Status status =
      grpc::GenericSerialize<grpc::ProtoBufferWriter, google::protobuf::MessageLite>(
          message, buffer, &own_buffer);
  if (status.ok()) return absl::OkStatus();
  return absl::InternalError(status.error_message());
}

}  // namespace stakeledger::service
