// How entities and announcements are stored as events: their streams,
// event types, payloads and name-based event ids. Importing the same
// announcement twice yields the same event id and the same payload, which
// the log answers with idempotent_replay instead of a second copy.
//
// The stored (canonical) payload is the deterministic binary protobuf
// serialization of stakeledger.v1.Announcement / stakeledger.v1.Entity,
// under the content type kAnnouncementContentType / kEntityContentType.
// Logs written before that kept protobuf's JSON mapping under
// "application/json"; every reader decodes both through DecodeAnnouncement
// and DecodeEntity, so those logs still load, fold and verify.
#ifndef STAKELEDGER_DOMAIN_EVENTS_H_
#define STAKELEDGER_DOMAIN_EVENTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "stakeledger/v1/announcement.pb.h"
#include "stakeledger/v1/event_store.pb.h"

namespace stakeledger::domain {

inline constexpr char kAnnouncementsStream[] = "announcements";
inline constexpr char kEntitiesStream[] = "entities";
inline constexpr char kAnnouncementEventType[] = "stakeledger.v1.Announcement";
inline constexpr char kEntityEventType[] = "stakeledger.v1.Entity";
inline constexpr char kJsonContentType[] = "application/json";
// The binary content types: the media type protobuf's own tools use for the
// wire format, with a parameter naming the message (the full name, as in
// the event type). Compared exactly, byte for byte.
inline constexpr char kAnnouncementContentType[] =
    "application/x-protobuf; messageType=stakeledger.v1.Announcement";
inline constexpr char kEntityContentType[] =
    "application/x-protobuf; messageType=stakeledger.v1.Entity";

// Name-based UUIDs (RFC 9562 version 8): the first 16 bytes of
// SHA-256("stakeledger:announcement:" + id), resp. "stakeledger:entity:",
// with the version and variant bits set; canonical lower-case text. The
// same id always gives the same event id.
std::string AnnouncementEventId(absl::string_view announcement_id);
std::string EntityEventId(absl::string_view entity_id);

// Parses one message from protobuf's JSON mapping, strictly: an unknown
// field is an error. Errors: INVALID_ARGUMENT with protobuf's reason.
absl::StatusOr<v1::Announcement> ParseAnnouncementJson(absl::string_view json);
absl::StatusOr<v1::Entity> ParseEntityJson(absl::string_view json);

// The payload of logs written before the binary form, and the form people
// read: protobuf's JSON mapping with proto field names, no default values,
// no white space. Deterministic for equal messages.
std::string ToPayloadJson(const google::protobuf::Message& message);

// The stored payload: the binary serialization, deterministic (equal
// messages give equal bytes, so a retried import is an idempotent replay).
std::string ToPayloadBinary(const google::protobuf::Message& message);

// The one way to read a payload of an announcement / entity event, whatever
// build wrote it: `content_type` kAnnouncementContentType (resp.
// kEntityContentType) decodes the binary form; "application/json", or the
// empty string (the log's default content type), protobuf's JSON mapping,
// strictly as ParseAnnouncementJson. Unknown fields in the binary form are
// kept (a newer build may have written them); see HasUnknownFields.
// Errors: INVALID_ARGUMENT naming the content type when it is neither;
// INVALID_ARGUMENT when the bytes do not decode. Thread-safe.
absl::StatusOr<v1::Announcement> DecodeAnnouncement(absl::string_view content_type,
                                                    absl::string_view payload);
// DecodeAnnouncement into *announcement, whatever it held before: a caller
// decoding many announcements reuses one message and its strings' storage.
// Errors: as DecodeAnnouncement (*announcement is then unspecified).
absl::Status DecodeAnnouncementInto(absl::string_view content_type, absl::string_view payload,
                                    v1::Announcement* announcement);
absl::StatusOr<v1::Entity> DecodeEntity(absl::string_view content_type, absl::string_view payload);

// Whether `message` or any message inside it holds fields its schema does
// not know: binary input carrying them is refused at append, as the JSON
// parser refuses unknown names.
bool HasUnknownFields(const google::protobuf::Message& message);

// The event that records a canonical announcement or entity (stream aside:
// kAnnouncementsStream / kEntitiesStream), payload in the binary form.
v1::ProposedEvent MakeAnnouncementEvent(const v1::Announcement& canonical);
// The same with its event id already derived (AnnouncementEventId of the
// canonical announcement's id), to spare a second SHA-256.
v1::ProposedEvent MakeAnnouncementEvent(const v1::Announcement& canonical, std::string event_id);
v1::ProposedEvent MakeEntityEvent(const v1::Entity& canonical);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_EVENTS_H_
