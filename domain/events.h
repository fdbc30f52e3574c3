// How entities and announcements are stored as events: their streams,
// event types, JSON payloads and name-based event ids. Importing the same
// announcement twice yields the same event id and the same payload, which
// the log answers with idempotent_replay instead of a second copy.
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

// The stored payload: protobuf's JSON mapping with proto field names, no
// default values, no white space. Deterministic for equal messages.
std::string ToPayloadJson(const google::protobuf::Message& message);

// The event that records a canonical announcement or entity (stream aside:
// kAnnouncementsStream / kEntitiesStream).
v1::ProposedEvent MakeAnnouncementEvent(const v1::Announcement& canonical);
v1::ProposedEvent MakeEntityEvent(const v1::Entity& canonical);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_EVENTS_H_
