// Decoding Append requests and encoding their responses for the raw
// (ByteBuffer) Append method. See proto/stakeledger/internal/unchecked.proto
// for why Append decodes its own request.
#ifndef STAKELEDGER_SERVICE_APPEND_CODEC_H_
#define STAKELEDGER_SERVICE_APPEND_CODEC_H_

#include "absl/status/statusor.h"
#include "grpcpp/support/byte_buffer.h"
#include "stakeledger/v1/event_store.pb.h"

namespace stakeledger::service {

// Parses `buffer` as an AppendRequest. A request whose only fault is
// invalid UTF-8 in a string field is still returned, unchecked, so that
// validation can refuse it naming the field. Errors: INVALID_ARGUMENT when
// the bytes are not an AppendRequest at all.
absl::StatusOr<v1::AppendRequest> DecodeAppendRequest(const grpc::ByteBuffer& buffer);

// Serializes `response` into `buffer`. Errors: INTERNAL if serialization
// fails (it does not for a well-formed message).
absl::Status EncodeAppendResponse(const v1::AppendResponse& response, grpc::ByteBuffer* buffer);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_APPEND_CODEC_H_
