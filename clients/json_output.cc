#include "clients/json_output.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace stakeledger::clients {

absl::StatusOr<std::string> ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ", message.GetTypeName(),
                                            " as JSON: ", status.message().ToString()));
  }
  return json;
}

absl::StatusOr<std::string> CheckpointJsonLine(const v1::Checkpoint& checkpoint) {
  absl::StatusOr<std::string> json = ToJsonLine(checkpoint);
  if (!json.ok()) return json.status();
  return absl::StrCat("{\"checkpoint\":", *json, "}");
}

std::string CaughtUpJsonLine() { return "{\"caught_up\":true}"; }

}  // namespace stakeledger::clients
