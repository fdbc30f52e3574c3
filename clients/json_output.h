// ledgerctl's --json output: protobuf's JSON mapping, one object per line,
// with every field present (proto3 would otherwise drop zeros, and scripts
// rely on positions and revisions always being there).
#ifndef STAKELEDGER_CLIENTS_JSON_OUTPUT_H_
#define STAKELEDGER_CLIENTS_JSON_OUTPUT_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "stakeledger/v1/event_store.pb.h"

namespace stakeledger::clients {

// `message` as one line of JSON: field names as in the .proto
// (preserve_proto_field_names), fields with default values printed
// (always_print_primitive_fields), 64-bit integers as strings and bytes as
// base64 per the mapping. No trailing newline.
// Errors: INTERNAL when protobuf refuses (a message that is not valid, which
// a parsed server response never is).
// Thread-safe.
absl::StatusOr<std::string> ToJsonLine(const google::protobuf::Message& message);

// An announcement or entity event's payload in protobuf's JSON mapping
// (domain::ToPayloadJson, the form earlier builds stored), whether stored
// in binary or as JSON; nullopt for other events and for a payload that
// does not decode. Thread-safe.
std::optional<std::string> DecodedPayloadJson(const v1::RecordedEvent& event);

// An event as ToJsonLine prints it, `payload` in base64, plus
// "decoded_payload": DecodedPayloadJson(event) as a JSON object, when it
// has a value. Errors: as ToJsonLine. Thread-safe.
absl::StatusOr<std::string> EventJsonLine(const v1::RecordedEvent& event);

// {"checkpoint":{"position":"N"}} for a subscription checkpoint.
absl::StatusOr<std::string> CheckpointJsonLine(const v1::Checkpoint& checkpoint);

// {"caught_up":true}: the subscription has delivered everything committed
// before it and now follows live.
std::string CaughtUpJsonLine();

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_JSON_OUTPUT_H_
