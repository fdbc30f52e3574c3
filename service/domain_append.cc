// DomainState::Prepare: validating and canonicalizing an append to the
// "entities" or "announcements" stream before it reaches the log.
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/announcement_check.h"
#include "domain/events.h"
#include "google/protobuf/util/message_differencer.h"
#include "service/domain_state.h"

namespace stakeledger::service {
namespace {

absl::Status Invalid(size_t index, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("events[", index, "]: ", message));
}

// Prefixes `status` with the event's index, keeping its code.
absl::Status AtEvent(size_t index, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("events[", index, "]: ", status.message()));
}

// The content types a client may send: the stored binary form of the
// stream's message, or protobuf's JSON mapping (empty means JSON, the
// log's default).
absl::Status CheckContentType(const v1::ProposedEvent& event, absl::string_view binary_type) {
  const std::string& type = event.content_type();
  if (type.empty() || type == domain::kJsonContentType || type == binary_type) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("content_type: '", type, "', expected ",
                                                 domain::kJsonContentType, " or '", binary_type,
                                                 "'"));
}

// Decoded payload errors name the field; binary input may not carry fields
// the schema does not know, as JSON input may not.
template <typename Message>
absl::Status CheckDecoded(const v1::ProposedEvent& event, absl::string_view binary_type,
                          const absl::StatusOr<Message>& decoded) {
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("payload: ", decoded.status().message()));
  }
  if (event.content_type() == binary_type && domain::HasUnknownFields(*decoded)) {
    return absl::InvalidArgumentError(
        absl::StrCat("payload: the binary ", Message::descriptor()->full_name(),
                     " holds fields its schema does not know (wrong message type or "
                     "corrupt bytes?)"));
  }
  return absl::OkStatus();
}

// The checks every domain event shares: the type fits the stream and the
// event id (when given) is the derived one.
absl::Status CheckEnvelope(const v1::ProposedEvent& event, absl::string_view stream,
                           absl::string_view type, const std::string& derived_id) {
  if (event.event_type() != type) {
    return absl::InvalidArgumentError(absl::StrCat("event_type: '", event.event_type(),
                                                   "' does not belong in stream '", stream,
                                                   "', which holds only ", type, " events"));
  }
  if (!event.event_id().empty() && absl::AsciiStrToLower(event.event_id()) != derived_id) {
    return absl::InvalidArgumentError(absl::StrCat("event_id: '", event.event_id(),
                                                   "' is not the id derived from the payload's "
                                                   "id; leave it empty or send ",
                                                   derived_id));
  }
  return absl::OkStatus();
}

// A retry of an event an earlier build stored as JSON must send the stored
// bytes again, or the log would see other content under the same id.
v1::ProposedEvent AsStoredJson(v1::ProposedEvent event,
                               const google::protobuf::Message& canonical) {
  event.set_content_type(domain::kJsonContentType);
  event.set_payload(domain::ToPayloadJson(canonical));
  return event;
}

// The day (YYYYMMDD) an announcement appended now is recorded on, for
// domain::CheckAnnouncedBy: the latest calendar day anywhere (UTC+14), so
// that a deal announced today in Tokyo is not refused while it is still
// yesterday in UTC.
int RecordingDay() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(14 * 60 * 60));
  return static_cast<int>(day.year() * 10000 + day.month() * 100 + day.day());
}

v1::ProposedEvent Rewrite(const v1::ProposedEvent& original, v1::ProposedEvent canonical) {
  *canonical.mutable_metadata() = original.metadata();
  return canonical;
}

}  // namespace

absl::StatusOr<v1::ProposedEvent> DomainState::PrepareEntity(const v1::ProposedEvent& event,
                                                             domain::EntityRegistry* scratch,
                                                             DomainBatch* batch) const {
  if (absl::Status type = CheckContentType(event, domain::kEntityContentType); !type.ok()) {
    return type;
  }
  absl::StatusOr<v1::Entity> entity = domain::DecodeEntity(event.content_type(), event.payload());
  if (absl::Status decoded = CheckDecoded(event, domain::kEntityContentType, entity);
      !decoded.ok()) {
    return decoded;
  }
  absl::Status envelope = CheckEnvelope(event, domain::kEntitiesStream, domain::kEntityEventType,
                                        domain::EntityEventId(entity->entity_id()));
  if (!envelope.ok()) return envelope;
  const v1::Entity* known = scratch->Find(entity->entity_id());
  const bool recorded = known != nullptr && known->entity_id() == entity->entity_id();
  absl::StatusOr<v1::Entity> canonical = scratch->Check(*entity);
  if (!canonical.ok()) return canonical.status();
  if (!recorded) {
    if (absl::Status added = scratch->Add(*canonical); !added.ok()) return added;
    batch->entities.push_back(*canonical);
  } else if (json_entities_.contains(canonical->entity_id())) {
    return Rewrite(event, AsStoredJson(domain::MakeEntityEvent(*canonical), *canonical));
  }
  return Rewrite(event, domain::MakeEntityEvent(*canonical));
}

absl::StatusOr<v1::ProposedEvent> DomainState::PrepareAnnouncement(
    const v1::ProposedEvent& event, absl::flat_hash_map<std::string, size_t>* batch_facts,
    DomainBatch* batch) const {
  if (absl::Status type = CheckContentType(event, domain::kAnnouncementContentType); !type.ok()) {
    return type;
  }
  absl::StatusOr<v1::Announcement> parsed =
      domain::DecodeAnnouncement(event.content_type(), event.payload());
  if (absl::Status decoded = CheckDecoded(event, domain::kAnnouncementContentType, parsed);
      !decoded.ok()) {
    return decoded;
  }
  const std::string& id = parsed->announcement_id();
  std::string event_id = domain::AnnouncementEventId(id);
  absl::Status envelope =
      CheckEnvelope(event, domain::kAnnouncementsStream, domain::kAnnouncementEventType, event_id);
  if (!envelope.ok()) return envelope;
  const domain::FactCountLookup earlier = [&](absl::string_view other) -> std::optional<size_t> {
    auto in_batch = batch_facts->find(other);
    if (in_batch != batch_facts->end()) return in_batch->second;
    // A read error is reported as no such announcement: the lookup
    // cannot fail, and the log's reads fail only on a broken disk.
    absl::StatusOr<std::optional<uint32_t>> recorded = FindAnnouncement(other);
    if (!recorded.ok() || !recorded->has_value()) return std::nullopt;
    return announcements_[**recorded].fact_count;
  };
  absl::StatusOr<v1::Announcement> canonical =
      domain::CanonicalizeAnnouncement(*parsed, registry_, earlier);
  if (!canonical.ok()) return canonical.status();
  absl::StatusOr<std::optional<uint32_t>> recorded = FindAnnouncement(id);
  if (!recorded.ok()) return recorded.status();
  if (recorded->has_value()) {
    // The same announcement again is a retry, which the log answers with
    // idempotent_replay; another under the same id is a conflict.
    // Rare (a retry), so the stored content is read back from the log.
    const Compact& stored = announcements_[**recorded];
    absl::StatusOr<v1::RecordedAnnouncement> record = ReadRecord(stored.position);
    if (!record.ok()) return record.status();
    if (!google::protobuf::util::MessageDifferencer::Equals(record->announcement(), *canonical)) {
      return absl::AlreadyExistsError(
          absl::StrCat("announcement '", id, "' is already recorded with other content"));
    }
    if (stored.stored_as_json) {
      return Rewrite(event,
                     AsStoredJson(domain::MakeAnnouncementEvent(*canonical, event_id), *canonical));
    }
  } else {
    // A new announcement only: a retry of a recorded one passed this when
    // it was recorded.
    if (absl::Status by = domain::CheckAnnouncedBy(*canonical, RecordingDay()); !by.ok()) {
      return by;
    }
    if (!batch_facts->emplace(id, canonical->facts_size()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("announcement_id: '", id, "' repeats an earlier event of this request"));
    }
    batch->announcements.push_back(*canonical);
    batch->announcement_event_ids.push_back(event_id);
  }
  return Rewrite(event, domain::MakeAnnouncementEvent(*canonical, std::move(event_id)));
}

absl::StatusOr<DomainBatch> DomainState::Prepare(v1::AppendRequest* request) const {
  const std::string& stream = request->stream();
  const bool entities = stream == domain::kEntitiesStream;
  const bool announcements = stream == domain::kAnnouncementsStream;
  std::lock_guard<std::mutex> lock(mu_);
  DomainBatch batch;
  std::optional<domain::EntityRegistry> scratch;
  if (entities) scratch.emplace(registry_);
  absl::flat_hash_map<std::string, size_t> batch_facts;
  for (int i = 0; i < request->events_size(); ++i) {
    v1::ProposedEvent* event = request->mutable_events(i);
    absl::StatusOr<v1::ProposedEvent> prepared;
    if (entities) {
      prepared = PrepareEntity(*event, &*scratch, &batch);
    } else if (announcements) {
      prepared = PrepareAnnouncement(*event, &batch_facts, &batch);
    } else if (event->event_type() != domain::kEntityEventType &&
               event->event_type() != domain::kAnnouncementEventType) {
      continue;  // an ordinary event beside a misplaced domain one
    } else {
      return Invalid(
          i, absl::StrCat("event_type: '", event->event_type(), "' events belong in stream '",
                          event->event_type() == domain::kEntityEventType
                              ? domain::kEntitiesStream
                              : domain::kAnnouncementsStream,
                          "', not '", stream, "'"));
    }
    if (!prepared.ok()) return AtEvent(i, prepared.status());
    *event = *std::move(prepared);
  }
  return batch;
}

}  // namespace stakeledger::service
