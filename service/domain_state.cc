#include "service/domain_state.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "domain/entity_fields.h"
#include "domain/events.h"
#include "storage/check.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

// Calls `visit` for every event of `stream` from revision `from_revision`
// on, in order, and adds their number to `*visited`. A stream that does not
// exist has no events.
absl::Status ForEachStreamEvent(const storage::EventLog& log, absl::string_view stream,
                                uint64_t from_revision, uint64_t* visited,
                                const std::function<void(const v1::RecordedEvent&)>& visit) {
  absl::StatusOr<storage::StreamHead> head = log.GetStreamHead(stream);
  if (absl::IsNotFound(head.status())) return absl::OkStatus();
  RETURN_IF_ERROR(head.status());
  if (from_revision > head->last_revision) return absl::OkStatus();
  const storage::ChunkBounds bounds{log.limits().response_events_max,
                                    log.limits().response_bytes_max, 4096};
  uint64_t next_revision = from_revision;
  while (true) {
    storage::EventList events;
    ASSIGN_OR_RETURN(const storage::ScanResult result,
                     log.ReadStreamChunk(head->stream_id, next_revision, /*backwards=*/false,
                                         /*include_record=*/false, bounds, &events));
    for (const v1::RecordedEvent& event : events) visit(event);
    *visited += events.size();
    if (result.reached_end || result.scanned == 0) return absl::OkStatus();
    next_revision = result.last_scanned + 1;
  }
}

void Skip(DomainLoadReport* report, const v1::RecordedEvent& event, absl::string_view why) {
  if (report->skipped.size() >= DomainLoadReport::kSkippedShownMax) return;
  report->skipped.push_back(
      absl::StrCat("position ", event.position(), " (stream '", event.stream(), "'): ", why));
}

// Corrections of corrections are followed this deep, no further.
constexpr int kCorrectionDepthMax = 16;
// Positions to be listed that lie at most this many events (plus two per
// position) apart are read in one chunk rather than one seek each.
constexpr uint64_t kReadGapMax = 64;

void SortUnique(std::vector<uint32_t>* values) {
  std::sort(values->begin(), values->end());
  values->erase(std::unique(values->begin(), values->end()), values->end());
}

// The recorded announcement `event` holds (its fields moved from).
// Errors: DATA_LOSS when it is not a decodable announcement.
absl::StatusOr<v1::RecordedAnnouncement> ToRecord(v1::RecordedEvent* event) {
  if (event->stream() != domain::kAnnouncementsStream) {
    return absl::DataLossError(absl::StrCat("position ", event->position(),
                                            " holds no announcement but an event of stream '",
                                            event->stream(), "'"));
  }
  absl::StatusOr<v1::Announcement> announcement =
      domain::DecodeAnnouncement(event->content_type(), event->payload());
  if (!announcement.ok()) {
    return absl::DataLossError(
        absl::StrCat("the announcement at position ", event->position(),
                     " no longer decodes: ", announcement.status().message()));
  }
  v1::RecordedAnnouncement record;
  record.set_position(event->position());
  *record.mutable_recorded_at() = std::move(*event->mutable_recorded_at());
  record.set_event_id(std::move(*event->mutable_event_id()));
  *record.mutable_announcement() = *std::move(announcement);
  return record;
}

}  // namespace

uint64_t DomainState::IdKey(absl::string_view id) {
  // FNV-1a (64-bit offset basis and prime). Its spread is poor for a hash
  // table's buckets, but flat_hash_map hashes the key again; collisions are
  // what matter here, and colliding_ids_ handles them.
  uint64_t hash = 14695981039346656037ull;
  for (const char c : id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

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
  log_ = &log;
  absl::Status snapshot = LoadFromSnapshot(log, &report);
  if (!snapshot.ok()) {
    report = DomainLoadReport();
    if (!absl::IsNotFound(snapshot)) report.snapshot_ignored = std::string(snapshot.message());
    RETURN_IF_ERROR(LoadEntities(log, 0, &report));
    RETURN_IF_ERROR(LoadAnnouncements(log, 0, &report));
  }
  std::lock_guard<std::mutex> lock(mu_);
  report.entities = registry_.size();
  report.announcements = announcements_.size();
  return report;
}

uint64_t DomainState::announcements_since_snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return announcements_since_snapshot_;
}

uint64_t DomainState::events_since_snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_since_snapshot_;
}

absl::Status DomainState::LoadEntities(const storage::EventLog& log, uint64_t from_revision,
                                       DomainLoadReport* report) {
  std::lock_guard<std::mutex> lock(mu_);
  return ForEachStreamEvent(log, domain::kEntitiesStream, from_revision, &events_since_snapshot_,
                            [&](const v1::RecordedEvent& event) { FoldEntity(event, report); });
}

absl::Status DomainState::LoadAnnouncements(const storage::EventLog& log, uint64_t from_revision,
                                            DomainLoadReport* report) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t before = announcements_.size();
  absl::Status loaded =
      ForEachStreamEvent(log, domain::kAnnouncementsStream, from_revision, &events_since_snapshot_,
                         [&](const v1::RecordedEvent& event) { FoldAnnouncement(event, report); });
  announcements_since_snapshot_ += announcements_.size() - before;
  return loaded;
}

void DomainState::FoldEntity(const v1::RecordedEvent& event, DomainLoadReport* report) {
  absl::StatusOr<v1::Entity> entity = domain::DecodeEntity(event.content_type(), event.payload());
  if (!entity.ok()) return Skip(report, event, entity.status().message());
  const std::string id = entity->entity_id();
  absl::Status added = registry_.Add(*std::move(entity));
  if (!added.ok()) return Skip(report, event, added.message());
  if (event.content_type() != domain::kEntityContentType) json_entities_.insert(id);
}

void DomainState::FoldAnnouncement(const v1::RecordedEvent& event, DomainLoadReport* report) {
  // Validated when it was appended; the rules may since have grown
  // stricter, and a recorded announcement stays recorded.
  absl::StatusOr<v1::Announcement> announcement =
      domain::DecodeAnnouncement(event.content_type(), event.payload());
  if (!announcement.ok()) return Skip(report, event, announcement.status().message());
  absl::StatusOr<std::optional<uint32_t>> earlier =
      FindAnnouncement(announcement->announcement_id());
  if (!earlier.ok()) return Skip(report, event, earlier.status().message());
  if (earlier->has_value()) return Skip(report, event, "repeats an earlier announcement id");
  AddAnnouncement(&*announcement, event.position(),
                  event.content_type() != domain::kAnnouncementContentType);
}

uint32_t DomainState::EntityCode(const std::string& entity_id) {
  return entity_codes_.try_emplace(entity_id, static_cast<uint32_t>(entity_codes_.size()))
      .first->second;
}

void DomainState::CollectNamed(uint32_t index, int depth, std::vector<uint32_t>* codes) const {
  const uint32_t begin = announcements_[index].entities_begin;
  const uint32_t end = index + 1 < announcements_.size()
                           ? announcements_[index + 1].entities_begin
                           : static_cast<uint32_t>(entity_pool_.size());
  codes->insert(codes->end(), entity_pool_.begin() + begin, entity_pool_.begin() + end);
  if (depth >= kCorrectionDepthMax) return;
  auto corrected = corrects_.find(index);
  if (corrected == corrects_.end()) return;
  for (uint32_t earlier : corrected->second) CollectNamed(earlier, depth + 1, codes);
}

void DomainState::AddAnnouncement(v1::Announcement* announcement, uint64_t position,
                                  bool stored_as_json) {
  CHECK(announcements_.size() < std::numeric_limits<uint32_t>::max());
  CHECK(entity_pool_.size() < std::numeric_limits<uint32_t>::max());
  const uint32_t index = static_cast<uint32_t>(announcements_.size());
  Compact compact;
  compact.position = position;
  compact.fact_count = static_cast<uint32_t>(announcement->facts_size());
  compact.stored_as_json = stored_as_json ? 1 : 0;
  compact.entities_begin = static_cast<uint32_t>(entity_pool_.size());
  absl::StatusOr<domain::Date> date = domain::ParseDate(announcement->announced_date());
  if (date.ok()) {
    compact.first_day = date->FirstDayKey();
    compact.last_day = date->LastDayKey();
  } else {  // validated on append; cannot happen. Overlaps no range.
    compact.first_day = std::numeric_limits<int32_t>::max();
    compact.last_day = std::numeric_limits<int32_t>::min();
  }
  std::vector<uint32_t> codes;
  std::vector<uint32_t> corrected;
  for (v1::Fact& fact : *announcement->mutable_facts()) {
    // Stored announcements name entities by id; the visitor cannot fail
    // and changes nothing. The mutable walk saves the copy of each fact
    // ForEachEntityName makes.
    (void)domain::ForEachEntityField("", &fact, [&](const std::string&, std::string* id) {
      codes.push_back(EntityCode(*id));
      return absl::OkStatus();
    });
    if (fact.has_correction()) {
      // Corrections point at earlier announcements (checked on append);
      // one that does not is not followed.
      absl::StatusOr<std::optional<uint32_t>> earlier =
          FindAnnouncement(fact.correction().announcement_id());
      if (earlier.ok() && earlier->has_value()) corrected.push_back(**earlier);
    }
  }
  SortUnique(&codes);
  entity_pool_.insert(entity_pool_.end(), codes.begin(), codes.end());
  announcements_.push_back(compact);
  id_keys_.push_back(IdKey(announcement->announcement_id()));
  // REQUIRES (checked by the callers): the id is not yet recorded.
  if (!by_id_key_.emplace(id_keys_.back(), index).second) {
    colliding_ids_.emplace(announcement->announcement_id(), index);
  }
  if (!corrected.empty()) {
    SortUnique(&corrected);
    corrects_.emplace(index, std::move(corrected));
    codes.clear();
    CollectNamed(index, 0, &codes);
    SortUnique(&codes);
  }
  for (uint32_t code : codes) by_entity_[code].push_back(index);
}

absl::StatusOr<std::optional<uint32_t>> DomainState::FindAnnouncement(absl::string_view id) const {
  auto colliding = colliding_ids_.find(id);
  if (colliding != colliding_ids_.end()) return colliding->second;
  auto keyed = by_id_key_.find(IdKey(id));
  if (keyed == by_id_key_.end()) return std::nullopt;
  ASSIGN_OR_RETURN(const v1::RecordedAnnouncement record,
                   ReadRecord(announcements_[keyed->second].position));
  if (record.announcement().announcement_id() != id) return std::nullopt;
  return keyed->second;
}

void DomainState::Apply(const DomainBatch& batch, const v1::AppendResponse& response) {
  if (response.idempotent_replay()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const v1::Entity& entity : batch.entities) {
    // Prepare checked each against the registry as it is now.
    CHECK(registry_.Add(entity).ok());
  }
  for (size_t i = 0; i < batch.announcements.size(); ++i) {
    v1::Announcement announcement = batch.announcements[i];
    AddAnnouncement(&announcement, response.first_position() + i, /*stored_as_json=*/false);
  }
  announcements_since_snapshot_ += batch.announcements.size();
  events_since_snapshot_ += batch.entities.size() + batch.announcements.size();
}

absl::Status DomainState::ReadRecords(const std::vector<uint64_t>& positions,
                                      v1::ListAnnouncementsResponse* response) const {
  size_t next = 0;  // the first of `positions` not yet read
  while (next < positions.size()) {
    // One chunk covers a run of positions close enough that reading the
    // events between them costs less than seeking to each.
    size_t last = next;
    while (last + 1 < positions.size() &&
           positions[last + 1] - positions[next] <= 2 * (last + 1 - next) + kReadGapMax) {
      ++last;
    }
    const size_t span = static_cast<size_t>(positions[last] - positions[next]) + 1;
    const storage::ChunkBounds bounds{span, log_->limits().response_bytes_max, span};
    storage::EventList events;
    ASSIGN_OR_RETURN(
        const storage::ScanResult result,
        log_->ReadAllChunk(positions[next], /*backwards=*/false, storage::EventFilter(),
                           /*include_record=*/false, bounds, &events));
    (void)result;
    const size_t before = next;
    for (v1::RecordedEvent& event : events) {
      if (next > last || event.position() != positions[next]) continue;
      ASSIGN_OR_RETURN(*response->add_announcements(), ToRecord(&event));
      ++next;
    }
    if (next == before) {
      return absl::DataLossError(absl::StrCat("the announcement recorded at position ",
                                              positions[next], " is not in the log"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RecordedAnnouncement> DomainState::ReadRecord(uint64_t position) const {
  v1::ListAnnouncementsResponse one;
  RETURN_IF_ERROR(ReadRecords({position}, &one));
  return std::move(*one.mutable_announcements(0));
}

}  // namespace stakeledger::service
