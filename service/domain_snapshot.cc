// DomainState's snapshot: writing the state to the log's database and
// starting from it (see "The snapshot" in domain_state.h).
//
// Why it is safe to start from: the store checks the snapshot's format
// version, its checksums, and the log's leaf hash and Merkle root at the
// position it covers (so the log up to there is the one it was taken of);
// here each stream's last event it covers must be at the recorded
// revision and position, and the arrays must describe a consistent state.
// It was taken with the write gate held, so it holds exactly the events of
// the two streams up to their recorded revisions; folding the events after
// those revisions, as a full load would, gives the state a full load gives.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/events.h"
#include "service/domain_state.h"
#include "stakeledger/v1/domain_snapshot.pb.h"
#include "storage/check.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

absl::Status Inconsistent(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("its ", what));
}

// The revision to fold `stream` from after a snapshot that recorded
// `recorded` of it and covers the log up to `position`. Errors:
// FAILED_PRECONDITION when the log's stream does not match the record.
absl::StatusOr<uint64_t> CheckStream(const storage::EventLog& log, absl::string_view stream,
                                     const v1::DomainSnapshotStream& recorded, uint64_t position) {
  if (recorded.revisions() == 0) return 0;
  const std::string where = absl::StrCat("stream '", stream, "' ");
  absl::StatusOr<storage::StreamHead> head = log.GetStreamHead(stream);
  if (absl::IsNotFound(head.status())) {
    return absl::FailedPreconditionError(absl::StrCat(where, "is not in the log"));
  }
  RETURN_IF_ERROR(head.status());
  if (head->last_revision + 1 < recorded.revisions() || recorded.last_position() > position) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, "has ", head->last_revision + 1, " events, the snapshot covers ",
                     recorded.revisions(), " (to position ", recorded.last_position(), ")"));
  }
  storage::EventList events;
  const storage::ChunkBounds one{1, log.limits().response_bytes_max, 1};
  RETURN_IF_ERROR(log.ReadStreamChunk(head->stream_id, recorded.revisions() - 1,
                                      /*backwards=*/false, /*include_record=*/false, one, &events)
                      .status());
  if (events.empty() || events[0].position() != recorded.last_position()) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, "revision ", recorded.revisions() - 1, " is at position ",
                     events.empty() ? 0 : events[0].position(), ", the snapshot recorded ",
                     recorded.last_position()));
  }
  return recorded.revisions();
}

v1::DomainSnapshotStream RecordStream(const storage::EventLog& log, absl::string_view stream,
                                      absl::Status* status) {
  v1::DomainSnapshotStream recorded;
  absl::StatusOr<storage::StreamHead> head = log.GetStreamHead(stream);
  if (head.ok()) {
    recorded.set_revisions(head->last_revision + 1);
    recorded.set_last_position(head->last_position);
  } else if (!absl::IsNotFound(head.status())) {
    *status = head.status();
  }
  return recorded;
}

}  // namespace

void DomainState::ClearLocked() {
  registry_ = domain::EntityRegistry();
  json_entities_.clear();
  announcements_.clear();
  by_id_key_.clear();
  colliding_ids_.clear();
  entity_codes_.clear();
  entity_pool_.clear();
  corrects_.clear();
  by_entity_.clear();
  id_keys_.clear();
  id_keys_begin_ = 0;
  snapshot_chunks_ = 0;
  announcements_since_snapshot_ = 0;
  events_since_snapshot_ = 0;
}

absl::Status DomainState::LoadFromSnapshot(const storage::EventLog& log, DomainLoadReport* report) {
  const storage::DomainSnapshotStore store(&log.database());
  ASSIGN_OR_RETURN(const storage::DomainSnapshotRead read,
                   store.Read(kDomainSnapshotFormatVersion, log.head_position()));
  v1::DomainSnapshotHead head;
  if (!head.ParseFromString(read.head)) return Inconsistent("head does not parse");
  ASSIGN_OR_RETURN(
      const uint64_t entities_from,
      CheckStream(log, domain::kEntitiesStream, head.entities_stream(), read.position));
  ASSIGN_OR_RETURN(
      const uint64_t announcements_from,
      CheckStream(log, domain::kAnnouncementsStream, head.announcements_stream(), read.position));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (absl::Status restored = RestoreLocked(head, store, read); !restored.ok()) {
      ClearLocked();
      return restored;
    }
  }
  absl::Status folded = LoadEntities(log, entities_from, report);
  if (folded.ok()) folded = LoadAnnouncements(log, announcements_from, report);
  std::lock_guard<std::mutex> lock(mu_);
  if (!folded.ok()) {
    ClearLocked();
    return folded;
  }
  report->from_snapshot = true;
  report->snapshot_position = read.position;
  report->folded_events = events_since_snapshot_;
  return absl::OkStatus();
}

absl::Status DomainState::RestoreLocked(const v1::DomainSnapshotHead& head,
                                        const storage::DomainSnapshotStore& store,
                                        const storage::DomainSnapshotRead& read) {
  for (const v1::Entity& entity : head.entities()) {
    if (!registry_.Add(entity).ok()) return Inconsistent("registry is refused");
  }
  json_entities_.insert(head.json_entity_ids().begin(), head.json_entity_ids().end());
  for (const std::string& id : head.entity_code_ids()) {
    if (!entity_codes_.emplace(id, static_cast<uint32_t>(entity_codes_.size())).second) {
      return Inconsistent("entity codes repeat an id");
    }
  }
  if (head.chunk_announcements() != kDomainSnapshotChunkAnnouncements) {
    return Inconsistent("chunks are of another size");
  }
  const uint64_t count = head.announcement_count();
  if (count >= std::numeric_limits<uint32_t>::max() ||
      read.chunks.size() !=
          (count + kDomainSnapshotChunkAnnouncements - 1) / kDomainSnapshotChunkAnnouncements) {
    return Inconsistent("chunks do not hold its announcement count");
  }
  announcements_.reserve(count);
  by_id_key_.reserve(count);
  for (size_t i = 0; i < read.chunks.size(); ++i) {
    ASSIGN_OR_RETURN(const std::string bytes, store.ReadChunk(read, i));
    v1::DomainSnapshotChunk chunk;
    if (!chunk.ParseFromString(bytes)) return Inconsistent("chunk does not parse");
    RETURN_IF_ERROR(RestoreChunkLocked(chunk));
  }
  if (announcements_.size() != count) return Inconsistent("announcement count is wrong");
  for (const v1::DomainSnapshotCorrection& correction : head.corrections()) {
    for (uint32_t earlier : correction.corrected()) {
      if (earlier >= correction.index()) return Inconsistent("corrections point forward");
    }
    if (correction.index() >= count || correction.corrected().empty() ||
        !corrects_
             .emplace(correction.index(), std::vector<uint32_t>(correction.corrected().begin(),
                                                                correction.corrected().end()))
             .second) {
      return Inconsistent("corrections are not of its announcements");
    }
  }
  for (const v1::DomainSnapshotCollidingId& colliding : head.colliding_ids()) {
    auto keyed = by_id_key_.find(IdKey(colliding.announcement_id()));
    if (colliding.index() >= count || keyed == by_id_key_.end() ||
        keyed->second == colliding.index() ||
        !colliding_ids_.emplace(colliding.announcement_id(), colliding.index()).second) {
      return Inconsistent("colliding ids do not collide");
    }
  }
  IndexEntitiesLocked();
  // The last chunk, when not full, is written again by the next snapshot:
  // keep the keys it needs.
  snapshot_chunks_ = count / kDomainSnapshotChunkAnnouncements;
  const size_t keep_from = snapshot_chunks_ * kDomainSnapshotChunkAnnouncements - id_keys_begin_;
  id_keys_.erase(id_keys_.begin(), id_keys_.begin() + keep_from);
  id_keys_begin_ += keep_from;
  announcements_since_snapshot_ = 0;
  events_since_snapshot_ = 0;
  return absl::OkStatus();
}

absl::Status DomainState::RestoreChunkLocked(const v1::DomainSnapshotChunk& chunk) {
  const size_t n = chunk.position_size();
  if (chunk.first_index() != announcements_.size() || n == 0 ||
      n > kDomainSnapshotChunkAnnouncements || chunk.first_day_size() != static_cast<int>(n) ||
      chunk.last_day_size() != static_cast<int>(n) ||
      chunk.facts_and_json_size() != static_cast<int>(n) ||
      chunk.entity_code_count_size() != static_cast<int>(n) ||
      chunk.id_key_size() != static_cast<int>(n)) {
    return Inconsistent("chunk arrays are not of one length");
  }
  size_t code_index = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t position = chunk.position(i);
    if (position == 0 || (!announcements_.empty() && position <= announcements_.back().position)) {
      return Inconsistent("positions are not ascending");
    }
    Compact compact;
    compact.position = position;
    compact.first_day = chunk.first_day(i);
    compact.last_day = chunk.last_day(i);
    compact.entities_begin = static_cast<uint32_t>(entity_pool_.size());
    compact.fact_count = chunk.facts_and_json(i) >> 1;
    compact.stored_as_json = chunk.facts_and_json(i) & 1;
    const uint32_t codes = chunk.entity_code_count(i);
    if (codes > static_cast<size_t>(chunk.entity_codes_size()) - code_index) {
      return Inconsistent("entity codes are too few");
    }
    for (uint32_t c = 0; c < codes; ++c) {
      const uint32_t code = chunk.entity_codes(code_index++);
      if (code >= entity_codes_.size()) return Inconsistent("entity codes are unknown");
      entity_pool_.push_back(code);
    }
    const uint32_t index = static_cast<uint32_t>(announcements_.size());
    announcements_.push_back(compact);
    id_keys_.push_back(chunk.id_key(i));
    // A key taken already is a collision; its id is in colliding_ids.
    by_id_key_.emplace(chunk.id_key(i), index);
  }
  if (code_index != static_cast<size_t>(chunk.entity_codes_size())) {
    return Inconsistent("entity codes are too many");
  }
  return absl::OkStatus();
}

void DomainState::IndexEntitiesLocked() {
  std::vector<uint32_t> codes;
  for (uint32_t index = 0; index < announcements_.size(); ++index) {
    codes.clear();
    CollectNamed(index, 0, &codes);
    if (corrects_.contains(index)) {
      std::sort(codes.begin(), codes.end());
      codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    }
    for (uint32_t code : codes) by_entity_[code].push_back(index);
  }
}

void DomainState::RecoverIdKeysLocked() {
  std::vector<uint64_t> keys(announcements_.size());
  for (const auto& [key, index] : by_id_key_) keys[index] = key;
  for (const auto& [id, index] : colliding_ids_) keys[index] = IdKey(id);
  id_keys_ = std::move(keys);
  id_keys_begin_ = 0;
  snapshot_chunks_ = 0;
}

absl::StatusOr<v1::DomainSnapshotHead> DomainState::SnapshotHeadLocked() const {
  v1::DomainSnapshotHead head;
  absl::Status status;
  *head.mutable_entities_stream() = RecordStream(*log_, domain::kEntitiesStream, &status);
  *head.mutable_announcements_stream() = RecordStream(*log_, domain::kAnnouncementsStream, &status);
  RETURN_IF_ERROR(status);
  head.set_announcement_count(announcements_.size());
  head.set_chunk_announcements(kDomainSnapshotChunkAnnouncements);
  for (const v1::Entity& entity : registry_.entities()) *head.add_entities() = entity;
  for (const std::string& id : json_entities_) head.add_json_entity_ids(id);
  head.mutable_entity_code_ids()->Reserve(entity_codes_.size());
  for (size_t i = 0; i < entity_codes_.size(); ++i) head.add_entity_code_ids();
  for (const auto& [id, code] : entity_codes_) *head.mutable_entity_code_ids(code) = id;
  for (const auto& [index, corrected] : corrects_) {
    v1::DomainSnapshotCorrection* correction = head.add_corrections();
    correction->set_index(index);
    correction->mutable_corrected()->Add(corrected.begin(), corrected.end());
  }
  for (const auto& [id, index] : colliding_ids_) {
    v1::DomainSnapshotCollidingId* colliding = head.add_colliding_ids();
    colliding->set_announcement_id(id);
    colliding->set_index(index);
  }
  return head;
}

v1::DomainSnapshotChunk DomainState::SnapshotChunkLocked(size_t begin, size_t end) const {
  CHECK(id_keys_begin_ <= begin);
  CHECK(begin <= end);
  CHECK(end <= announcements_.size());
  v1::DomainSnapshotChunk chunk;
  chunk.set_first_index(begin);
  const size_t n = end - begin;
  chunk.mutable_position()->Reserve(n);
  chunk.mutable_first_day()->Reserve(n);
  chunk.mutable_last_day()->Reserve(n);
  chunk.mutable_facts_and_json()->Reserve(n);
  chunk.mutable_entity_code_count()->Reserve(n);
  for (size_t i = begin; i < end; ++i) {
    const Compact& compact = announcements_[i];
    chunk.add_position(compact.position);
    chunk.add_first_day(compact.first_day);
    chunk.add_last_day(compact.last_day);
    chunk.add_facts_and_json(compact.fact_count << 1 | compact.stored_as_json);
    const uint32_t codes_end = i + 1 < announcements_.size()
                                   ? announcements_[i + 1].entities_begin
                                   : static_cast<uint32_t>(entity_pool_.size());
    chunk.add_entity_code_count(codes_end - compact.entities_begin);
  }
  chunk.mutable_id_key()->Add(id_keys_.begin() + (begin - id_keys_begin_),
                              id_keys_.begin() + (end - id_keys_begin_));
  if (n > 0) {
    const uint32_t codes_begin = announcements_[begin].entities_begin;
    const uint32_t codes_end = end < announcements_.size()
                                   ? announcements_[end].entities_begin
                                   : static_cast<uint32_t>(entity_pool_.size());
    chunk.mutable_entity_codes()->Add(entity_pool_.begin() + codes_begin,
                                      entity_pool_.begin() + codes_end);
  }
  return chunk;
}

absl::StatusOr<DomainSnapshotReport> DomainState::WriteSnapshot(size_t bytes_max,
                                                                absl::Duration gate_timeout) {
  std::lock_guard<std::mutex> one_writer(snapshot_mu_);
  const absl::Time start = absl::Now();
  DomainSnapshotReport report;
  const auto note_lock = [&report](absl::Time locked) {
    report.lock_held_max = std::max(report.lock_held_max, absl::Now() - locked);
  };
  // Under the gate: the head, the count and the last (partial) chunk, so
  // that they and the stream heads describe one moment. Full chunks never
  // change, so they are copied afterwards, a lock at a time.
  if (!gate_.Enter(gate_timeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("the domain write gate was busy for ", absl::FormatDuration(gate_timeout)));
  }
  const absl::Time gated = absl::Now();
  absl::StatusOr<v1::DomainSnapshotHead> head;
  std::vector<std::string> chunks;
  size_t kept_chunks = 0;
  size_t full_chunks = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time locked = absl::Now();
    head = SnapshotHeadLocked();
    const size_t count = announcements_.size();
    kept_chunks = snapshot_chunks_;
    full_chunks = count / kDomainSnapshotChunkAnnouncements;
    if (head.ok() && count % kDomainSnapshotChunkAnnouncements != 0) {
      chunks.push_back(SnapshotChunkLocked(full_chunks * kDomainSnapshotChunkAnnouncements, count)
                           .SerializeAsString());
    }
    announcements_since_snapshot_ = 0;
    events_since_snapshot_ = 0;
    note_lock(locked);
  }
  gate_.Leave();
  report.gate_held = absl::Now() - gated;
  RETURN_IF_ERROR(head.status());
  report.announcements = head->announcement_count();
  report.position = std::max(head->entities_stream().last_position(),
                             head->announcements_stream().last_position());
  if (report.position == 0) return absl::NotFoundError("both domain streams are empty");
  // The full chunks the stored snapshot lacks go before the partial one.
  std::vector<std::string> full;
  for (size_t c = kept_chunks; c < full_chunks; ++c) {
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time locked = absl::Now();
    v1::DomainSnapshotChunk chunk = SnapshotChunkLocked(
        c * kDomainSnapshotChunkAnnouncements, (c + 1) * kDomainSnapshotChunkAnnouncements);
    note_lock(locked);
    full.push_back(chunk.SerializeAsString());
  }
  full.insert(full.end(), std::make_move_iterator(chunks.begin()),
              std::make_move_iterator(chunks.end()));
  storage::DomainSnapshotWrite write;
  write.format_version = kDomainSnapshotFormatVersion;
  write.position = report.position;
  write.head = head->SerializeAsString();
  write.kept_chunks = kept_chunks;
  write.new_chunks = std::move(full);
  const storage::DomainSnapshotStore store(&log_->database());
  absl::StatusOr<storage::DomainSnapshotWritten> written = store.Write(write, bytes_max);
  if (absl::IsFailedPrecondition(written.status())) {
    // The stored snapshot lost chunks it had (deleted while ledgerd ran):
    // the next snapshot writes every chunk again.
    std::lock_guard<std::mutex> lock(mu_);
    RecoverIdKeysLocked();
  }
  RETURN_IF_ERROR(written.status());
  report.total_bytes = written->total_bytes;
  report.written_bytes = written->written_bytes;
  {
    // The full chunks are stored now: their keys are no longer needed.
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time locked = absl::Now();
    snapshot_chunks_ = full_chunks;
    const size_t drop = full_chunks * kDomainSnapshotChunkAnnouncements - id_keys_begin_;
    id_keys_.erase(id_keys_.begin(), id_keys_.begin() + drop);
    id_keys_begin_ += drop;
    note_lock(locked);
  }
  report.took = absl::Now() - start;
  return report;
}

}  // namespace stakeledger::service
