// Decoding of raw EventStore requests: a valid request parses as the
// generated code would; invalid UTF-8 names its field; other bad bytes are
// refused; responses encode into a reused buffer.
#include "service/request_codec.h"

#include <string>
#include <vector>

#include "grpcpp/impl/codegen/proto_utils.h"
#include "gtest/gtest.h"
#include "stakeledger/internal/unchecked.pb.h"

namespace stakeledger::service {
namespace {

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

grpc::ByteBuffer BufferOf(const google::protobuf::MessageLite& message) {
  return BufferOf(message.SerializeAsString());
}

TEST(DecodeRequest, ValidRequestParsesUnchanged) {
  v1::ReadAllRequest request;
  request.set_from_position(7);
  request.set_direction(v1::BACKWARDS);
  request.mutable_filter()->set_stream_prefix("order-");
  request.mutable_filter()->add_event_types("paid");
  const auto decoded =
      DecodeRequestAs<internal::UncheckedReadAllRequest, v1::ReadAllRequest>(BufferOf(request));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->SerializeAsString(), request.SerializeAsString());
}

TEST(DecodeRequest, NamesARepeatedStringInANestedMessage) {
  internal::UncheckedSubscribeRequest unchecked;
  unchecked.mutable_filter()->add_event_types("paid");
  unchecked.mutable_filter()->add_event_types("bad\xff");
  const auto decoded = DecodeRequestAs<internal::UncheckedSubscribeRequest, v1::SubscribeRequest>(
      BufferOf(unchecked));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "filter.event_types[1] is not valid UTF-8");
}

TEST(DecodeRequest, NamesTheFirstInvalidFieldInFieldOrder) {
  internal::UncheckedListStreamsRequest unchecked;
  unchecked.set_page_token("\xc3");  // a truncated sequence
  unchecked.set_prefix("\xfe");
  const auto decoded =
      DecodeRequestAs<internal::UncheckedListStreamsRequest, v1::ListStreamsRequest>(
          BufferOf(unchecked));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "prefix is not valid UTF-8");
}

TEST(DecodeRequest, BytesThatAreNotTheRequestAreInvalidArgument) {
  // Field 1 with wire type 2 (length-delimited) claiming 100 bytes, then 1.
  const auto decoded = DecodeRequestAs<internal::UncheckedGetStreamRequest, v1::GetStreamRequest>(
      BufferOf(std::string("\x0a\x64x", 3)));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "the request is not a well-formed GetStreamRequest");
}

TEST(DecodeAppendRequest, InvalidUtf8IsReturnedForValidationToName) {
  internal::UncheckedAppendRequest unchecked;
  unchecked.set_stream("s\xff");
  unchecked.add_events()->set_event_type("t");
  const auto decoded = DecodeAppendRequest(BufferOf(unchecked));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->stream(), "s\xff");
  EXPECT_EQ(decoded->events(0).event_type(), "t");
}

TEST(EncodeMessage, ReplacesWhatTheBufferHeld) {
  grpc::ByteBuffer buffer;
  v1::ReadResponse first;
  // Both past the inlined-slice size, so both go through gRPC's buffer
  // writer, which requires an empty buffer.
  first.add_events()->set_stream(std::string(4096, 'a'));
  ASSERT_TRUE(EncodeMessage(first, &buffer).ok());
  v1::ReadResponse second;
  second.add_events()->set_stream(std::string(2048, 'b'));
  ASSERT_TRUE(EncodeMessage(second, &buffer).ok());
  v1::ReadResponse read;
  ASSERT_TRUE(grpc::SerializationTraits<v1::ReadResponse>::Deserialize(&buffer, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), second.SerializeAsString());
}

}  // namespace
}  // namespace stakeledger::service
