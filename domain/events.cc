#include "domain/events.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"

namespace stakeledger::domain {
namespace {

constexpr size_t kUuidBytes = 16;
constexpr size_t kSha256Bytes = 32;
static_assert(kUuidBytes <= kSha256Bytes, "a UUID is cut from one SHA-256 digest");
constexpr char kHexDigits[] = "0123456789abcdef";

std::string FormatUuid(const unsigned char* bytes) {
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < kUuidBytes; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHexDigits[bytes[i] >> 4]);
    text.push_back(kHexDigits[bytes[i] & 0x0f]);
  }
  return text;
}

std::string NameBasedUuid(absl::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_bytes = 0;
  if (EVP_Digest(name.data(), name.size(), digest, &digest_bytes, EVP_sha256(), nullptr) != 1 ||
      digest_bytes != kSha256Bytes) {
    // SHA-256 of a small buffer fails only when OpenSSL itself is broken.
    std::abort();
  }
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x80);  // version 8
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC variant 10xx
  return FormatUuid(digest);
}

template <typename Message>
absl::StatusOr<Message> ParseJson(absl::string_view json) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &message, options);
  if (!status.ok()) {
    // The parser may add a line with a caret under the offending spot;
    // reports here are one line each.
    const std::string reason = status.message().as_string();
    return absl::InvalidArgumentError(
        absl::StrCat("not a ", Message::descriptor()->full_name(),
                     " in protobuf JSON: ", reason.substr(0, reason.find('\n'))));
  }
  return message;
}

// Decodes into *message (cleared first): a caller decoding many reuses one
// message, and with it its strings' storage.
template <typename Message>
absl::Status DecodeInto(absl::string_view binary_content_type, absl::string_view content_type,
                        absl::string_view payload, Message* message) {
  if (content_type == binary_content_type) {
    if (!message->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return absl::InvalidArgumentError(absl::StrCat("not a binary ",
                                                     Message::descriptor()->full_name(), " (",
                                                     payload.size(), " bytes that do not decode)"));
    }
    return absl::OkStatus();
  }
  if (content_type.empty() || content_type == kJsonContentType) {
    absl::StatusOr<Message> parsed = ParseJson<Message>(payload);
    if (!parsed.ok()) return parsed.status();
    *message = *std::move(parsed);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "content_type '", content_type, "' is not one a ", Message::descriptor()->full_name(),
      " is stored in: expected '", binary_content_type, "' or '", kJsonContentType, "'"));
}

template <typename Message>
absl::StatusOr<Message> Decode(absl::string_view binary_content_type,
                               absl::string_view content_type, absl::string_view payload) {
  Message message;
  const absl::Status status = DecodeInto(binary_content_type, content_type, payload, &message);
  if (!status.ok()) return status;
  return message;
}

}  // namespace

std::string AnnouncementEventId(absl::string_view announcement_id) {
  return NameBasedUuid(absl::StrCat("stakeledger:announcement:", announcement_id));
}

std::string EntityEventId(absl::string_view entity_id) {
  return NameBasedUuid(absl::StrCat("stakeledger:entity:", entity_id));
}

absl::StatusOr<v1::Announcement> ParseAnnouncementJson(absl::string_view json) {
  return ParseJson<v1::Announcement>(json);
}

absl::StatusOr<v1::Entity> ParseEntityJson(absl::string_view json) {
  return ParseJson<v1::Entity>(json);
}

std::string ToPayloadJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a message the parser built (or code filled) does not fail.
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) std::abort();
  return json;
}

std::string ToPayloadBinary(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    // Serializing a message code built does not fail (it has no required
    // fields and fits in 2 GiB, as the log's payload limits ensure).
    if (!message.SerializeToCodedStream(&coded)) std::abort();
  }
  return bytes;
}

absl::StatusOr<v1::Announcement> DecodeAnnouncement(absl::string_view content_type,
                                                    absl::string_view payload) {
  return Decode<v1::Announcement>(kAnnouncementContentType, content_type, payload);
}

absl::Status DecodeAnnouncementInto(absl::string_view content_type, absl::string_view payload,
                                    v1::Announcement* announcement) {
  return DecodeInto(kAnnouncementContentType, content_type, payload, announcement);
}

absl::StatusOr<v1::Entity> DecodeEntity(absl::string_view content_type, absl::string_view payload) {
  return Decode<v1::Entity>(kEntityContentType, content_type, payload);
}

bool HasUnknownFields(const google::protobuf::Message& message) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) return true;
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        if (HasUnknownFields(reflection->GetRepeatedMessage(message, field, i))) return true;
      }
    } else if (HasUnknownFields(reflection->GetMessage(message, field))) {
      return true;
    }
  }
  return false;
}

v1::ProposedEvent MakeAnnouncementEvent(const v1::Announcement& canonical) {
  return MakeAnnouncementEvent(canonical, AnnouncementEventId(canonical.announcement_id()));
}

v1::ProposedEvent MakeAnnouncementEvent(const v1::Announcement& canonical, std::string event_id) {
  v1::ProposedEvent event;
  event.set_event_id(std::move(event_id));
  event.set_event_type(kAnnouncementEventType);
  event.set_content_type(kAnnouncementContentType);
  event.set_payload(ToPayloadBinary(canonical));
  return event;
}

v1::ProposedEvent MakeEntityEvent(const v1::Entity& canonical) {
  v1::ProposedEvent event;
  event.set_event_id(EntityEventId(canonical.entity_id()));
  event.set_event_type(kEntityEventType);
  event.set_content_type(kEntityContentType);
  event.set_payload(ToPayloadBinary(canonical));
  return event;
}

}  // namespace stakeledger::domain
