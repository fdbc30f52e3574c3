#include "storage/validate.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/status_macros.h"
#include "storage/utf8.h"
#include "storage/uuid.h"

namespace stakeledger::storage {
namespace {

bool HasControlCharacter(absl::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

absl::Status LimitExceeded(absl::string_view what, absl::string_view limit_name, size_t value,
                           size_t limit) {
  return absl::ResourceExhaustedError(
      absl::StrCat(what, " is ", value, ", over the limit ", limit_name, "=", limit));
}

absl::Status ValidateText(absl::string_view field, absl::string_view text, size_t index,
                          const Limits& limits) {
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat("events[", index, "].", field, " is not valid UTF-8"));
  }
  if (text.size() > limits.event_type_bytes_max) {
    return LimitExceeded(absl::StrCat("events[", index, "].", field, " size"),
                         "event_type_bytes_max", text.size(), limits.event_type_bytes_max);
  }
  return absl::OkStatus();
}

absl::Status ValidateMetadata(const v1::ProposedEvent& event, size_t index, const Limits& limits) {
  if (static_cast<size_t>(event.metadata_size()) > limits.metadata_entries_max) {
    return LimitExceeded(absl::StrCat("events[", index, "].metadata entry count"),
                         "metadata_entries_max", event.metadata_size(),
                         limits.metadata_entries_max);
  }
  size_t bytes = 0;
  for (const auto& [key, value] : event.metadata()) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("events[", index, "].metadata is not valid UTF-8"));
    }
    bytes += key.size() + value.size();
  }
  if (bytes > limits.metadata_bytes_max) {
    return LimitExceeded(absl::StrCat("events[", index, "].metadata size"), "metadata_bytes_max",
                         bytes, limits.metadata_bytes_max);
  }
  return absl::OkStatus();
}

absl::Status PrepareEventId(const v1::ProposedEvent& event, size_t index, PreparedEvent* out) {
  if (event.event_id().empty()) return absl::OkStatus();  // the writer makes one
  if (!ParseUuid(event.event_id(), &out->id_bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("events[", index, "].event_id '", event.event_id(),
                     "' is not a UUID (expected 8-4-4-4-12 hexadecimal digits)"));
  }
  out->id_from_client = true;
  return absl::OkStatus();
}

absl::Status PrepareEvent(v1::ProposedEvent event, size_t index, const Limits& limits,
                          PreparedEvent* out) {
  if (event.event_type().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("events[", index, "].event_type is empty"));
  }
  RETURN_IF_ERROR(ValidateText("event_type", event.event_type(), index, limits));
  RETURN_IF_ERROR(ValidateText("content_type", event.content_type(), index, limits));
  if (event.payload().size() > limits.event_payload_bytes_max) {
    return LimitExceeded(absl::StrCat("events[", index, "].payload size"),
                         "event_payload_bytes_max", event.payload().size(),
                         limits.event_payload_bytes_max);
  }
  RETURN_IF_ERROR(ValidateMetadata(event, index, limits));
  RETURN_IF_ERROR(PrepareEventId(event, index, out));
  if (event.content_type().empty()) event.set_content_type(kDefaultContentType);
  out->event = std::move(event);
  return absl::OkStatus();
}

absl::Status PrepareExpected(const v1::ExpectedRevision& expected, PreparedAppend* out) {
  switch (expected.kind()) {
    case v1::ExpectedRevision::KIND_UNSPECIFIED:
    case v1::ExpectedRevision::ANY:
      out->expected_kind = v1::ExpectedRevision::ANY;
      return absl::OkStatus();
    case v1::ExpectedRevision::NO_STREAM:
    case v1::ExpectedRevision::STREAM_EXISTS:
    case v1::ExpectedRevision::EXACT:
      out->expected_kind = expected.kind();
      out->expected_revision = expected.revision();
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("expected_revision.kind ", static_cast<int>(expected.kind()),
                       " is unknown (use ANY, NO_STREAM, STREAM_EXISTS or EXACT)"));
  }
}

absl::Status CheckEventCount(const v1::AppendRequest& request, const Limits& limits) {
  if (request.events().empty()) {
    return absl::InvalidArgumentError("an append needs at least one event");
  }
  if (static_cast<size_t>(request.events_size()) > limits.append_events_max) {
    return LimitExceeded("event count", "append_events_max", request.events_size(),
                         limits.append_events_max);
  }
  size_t payload_bytes = 0;
  for (const auto& event : request.events()) payload_bytes += event.payload().size();
  if (payload_bytes > limits.append_payload_bytes_max) {
    return LimitExceeded("total payload size", "append_payload_bytes_max", payload_bytes,
                         limits.append_payload_bytes_max);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateStreamName(absl::string_view stream, const Limits& limits) {
  if (stream.empty()) return absl::InvalidArgumentError("stream name is empty");
  if (stream.size() > limits.stream_name_bytes_max) {
    return LimitExceeded("stream name size", "stream_name_bytes_max", stream.size(),
                         limits.stream_name_bytes_max);
  }
  if (!IsValidUtf8(stream)) {
    return absl::InvalidArgumentError("stream name is not valid UTF-8");
  }
  if (HasControlCharacter(stream)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream name '", absl::CHexEscape(stream), "' has a control character"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedAppend> PrepareAppend(v1::AppendRequest request, const Limits& limits) {
  RETURN_IF_ERROR(ValidateStreamName(request.stream(), limits));
  RETURN_IF_ERROR(CheckEventCount(request, limits));
  PreparedAppend prepared;
  RETURN_IF_ERROR(PrepareExpected(request.expected_revision(), &prepared));
  prepared.stream = std::move(*request.mutable_stream());
  prepared.events.resize(request.events_size());
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < request.events_size(); ++i) {
    PreparedEvent& out = prepared.events[i];
    RETURN_IF_ERROR(PrepareEvent(std::move(*request.mutable_events(i)), i, limits, &out));
    if (out.id_from_client && !ids.insert(out.id_bytes).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "events[", i, "].event_id ", FormatUuid(out.id_bytes), " repeats an earlier event"));
    }
  }
  return prepared;
}

}  // namespace stakeledger::storage
