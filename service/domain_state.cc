#include "service/domain_state.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/entity_fields.h"
#include "domain/events.h"
#include "storage/check.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

// Calls `visit` for every event of `stream`, in order. A stream that does
// not exist has no events.
absl::Status ForEachStreamEvent(const storage::EventLog& log, absl::string_view stream,
                                const std::function<void(const v1::RecordedEvent&)>& visit) {
  absl::StatusOr<storage::StreamHead> head = log.GetStreamHead(stream);
  if (absl::IsNotFound(head.status())) return absl::OkStatus();
  RETURN_IF_ERROR(head.status());
  const storage::ChunkBounds bounds{log.limits().response_events_max,
                                    log.limits().response_bytes_max, 4096};
  uint64_t next_revision = 0;
  while (true) {
    storage::EventList events;
    ASSIGN_OR_RETURN(const storage::ScanResult result,
                     log.ReadStreamChunk(head->stream_id, next_revision, /*backwards=*/false,
                                         /*include_record=*/false, bounds, &events));
    for (const v1::RecordedEvent& event : events) visit(event);
    if (result.reached_end || result.scanned == 0) return absl::OkStatus();
    next_revision = result.last_scanned + 1;
  }
}

void Skip(DomainLoadReport* report, const v1::RecordedEvent& event, absl::string_view why) {
  if (report->skipped.size() >= DomainLoadReport::kSkippedShownMax) return;
  report->skipped.push_back(
      absl::StrCat("position ", event.position(), " (stream '", event.stream(), "'): ", why));
}

std::vector<std::string> SortedUnique(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

}  // namespace

bool DomainWriteGate::Enter(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!changed_.wait_for(lock, absl::ToChronoSeconds(timeout), [this] { return !busy_; })) {
    return false;
  }
  busy_ = true;
  return true;
}

void DomainWriteGate::Leave() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    CHECK(busy_);
    busy_ = false;
  }
  changed_.notify_one();
}

bool DomainState::IsDomainAppend(const v1::AppendRequest& request) {
  if (request.stream() == domain::kAnnouncementsStream ||
      request.stream() == domain::kEntitiesStream) {
    return true;
  }
  for (const v1::ProposedEvent& event : request.events()) {
    if (event.event_type() == domain::kAnnouncementEventType ||
        event.event_type() == domain::kEntityEventType) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<DomainLoadReport> DomainState::Load(const storage::EventLog& log) {
  DomainLoadReport report;
  RETURN_IF_ERROR(LoadEntities(log, &report));
  RETURN_IF_ERROR(LoadAnnouncements(log, &report));
  std::lock_guard<std::mutex> lock(mu_);
  report.entities = registry_.size();
  report.announcements = announcements_.size();
  return report;
}

absl::Status DomainState::LoadEntities(const storage::EventLog& log, DomainLoadReport* report) {
  std::lock_guard<std::mutex> lock(mu_);
  return ForEachStreamEvent(log, domain::kEntitiesStream, [&](const v1::RecordedEvent& event) {
    absl::StatusOr<v1::Entity> entity = domain::DecodeEntity(event.content_type(), event.payload());
    if (!entity.ok()) return Skip(report, event, entity.status().message());
    const std::string id = entity->entity_id();
    absl::Status added = registry_.Add(*std::move(entity));
    if (!added.ok()) return Skip(report, event, added.message());
    if (event.content_type() != domain::kEntityContentType) json_entities_.insert(id);
  });
}

absl::Status DomainState::LoadAnnouncements(const storage::EventLog& log,
                                            DomainLoadReport* report) {
  std::lock_guard<std::mutex> lock(mu_);
  return ForEachStreamEvent(log, domain::kAnnouncementsStream, [&](const v1::RecordedEvent& event) {
    // Validated when it was appended; the rules may since have grown
    // stricter, and a recorded announcement stays recorded.
    absl::StatusOr<v1::Announcement> announcement =
        domain::DecodeAnnouncement(event.content_type(), event.payload());
    if (!announcement.ok()) return Skip(report, event, announcement.status().message());
    if (by_id_.contains(announcement->announcement_id())) {
      return Skip(report, event, "repeats an earlier announcement id");
    }
    v1::RecordedAnnouncement record;
    record.set_position(event.position());
    *record.mutable_recorded_at() = event.recorded_at();
    record.set_event_id(event.event_id());
    *record.mutable_announcement() = *std::move(announcement);
    AddAnnouncement(std::move(record), event.content_type() != domain::kAnnouncementContentType);
  });
}

void DomainState::AddAnnouncement(v1::RecordedAnnouncement record, bool stored_as_json) {
  Stored stored;
  stored.stored_as_json = stored_as_json;
  std::vector<std::string> entity_ids;
  for (v1::Fact& fact : *record.mutable_announcement()->mutable_facts()) {
    // Stored announcements name entities by id; the visitor cannot fail
    // and changes nothing. The mutable walk, on this record we own, saves
    // the copy of each fact ForEachEntityName makes (a tenth of a start).
    (void)domain::ForEachEntityField("", &fact, [&](const std::string&, std::string* id) {
      entity_ids.push_back(*id);
      return absl::OkStatus();
    });
    if (fact.has_correction()) stored.corrects.push_back(fact.correction().announcement_id());
  }
  stored.entity_ids = SortedUnique(std::move(entity_ids));
  by_id_.emplace(record.announcement().announcement_id(), announcements_.size());
  stored.record = std::move(record);
  announcements_.push_back(std::move(stored));
}

void DomainState::Apply(const DomainBatch& batch, const v1::AppendResponse& response) {
  if (response.idempotent_replay()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const v1::Entity& entity : batch.entities) {
    // Prepare checked each against the registry as it is now.
    CHECK(registry_.Add(entity).ok());
  }
  for (size_t i = 0; i < batch.announcements.size(); ++i) {
    v1::RecordedAnnouncement record;
    record.set_position(response.first_position() + i);
    *record.mutable_recorded_at() = response.recorded_at();
    record.set_event_id(batch.announcement_event_ids[i]);
    *record.mutable_announcement() = batch.announcements[i];
    AddAnnouncement(std::move(record), /*stored_as_json=*/false);
  }
}

}  // namespace stakeledger::service
