#include "clients/json_output.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/events.h"
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

std::optional<std::string> DecodedPayloadJson(const v1::RecordedEvent& event) {
  if (event.event_type() == domain::kAnnouncementEventType) {
    absl::StatusOr<v1::Announcement> decoded =
        domain::DecodeAnnouncement(event.content_type(), event.payload());
    if (decoded.ok()) return domain::ToPayloadJson(*decoded);
  } else if (event.event_type() == domain::kEntityEventType) {
    absl::StatusOr<v1::Entity> decoded =
        domain::DecodeEntity(event.content_type(), event.payload());
    if (decoded.ok()) return domain::ToPayloadJson(*decoded);
  }
  return std::nullopt;
}

absl::StatusOr<std::string> EventJsonLine(const v1::RecordedEvent& event) {
  absl::StatusOr<std::string> json = ToJsonLine(event);
  if (!json.ok()) return json.status();
  const std::optional<std::string> decoded = DecodedPayloadJson(event);
  if (!decoded.has_value()) return json;
  // The printer ends every object with '}'; the extra member goes before it.
  json->pop_back();
  return absl::StrCat(*json, ",\"decoded_payload\":", *decoded, "}");
}

absl::StatusOr<std::string> CheckpointJsonLine(const v1::Checkpoint& checkpoint) {
  absl::StatusOr<std::string> json = ToJsonLine(checkpoint);
  if (!json.ok()) return json.status();
  return absl::StrCat("{\"checkpoint\":", *json, "}");
}

std::string CaughtUpJsonLine() { return "{\"caught_up\":true}"; }

}  // namespace stakeledger::clients
