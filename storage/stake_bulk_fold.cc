#include "storage/stake_bulk_fold.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "google/protobuf/util/time_util.h"
#include "storage/check.h"
#include "storage/keys.h"
#include "storage/stake_keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

using Version = StakeBulkFold::Version;
using Announcement = StakeBulkFold::Announcement;

// The events of one range of the log, decoded on one thread.
struct StakeBatch : BulkBatch {
  struct Event {
    uint64_t position = 0;
    // Why the event cannot be folded (a payload or a date that does not
    // parse): the fold fails there, as the event-by-event fold does.
    absl::Status status;
    absl::string_view id;
    uint32_t fact_count = 0;
    // Ends of this event's items in the vectors below (they begin where
    // the previous event's end).
    uint32_t versions_end = 0;
    uint32_t corrections_end = 0;
    uint32_t funds_end = 0;
  };
  void Decode(const v1::RecordedEvent& event) override;

  std::vector<Event> events;
  std::vector<Version> versions;
  std::vector<StakeCorrection> corrections;
  std::vector<std::pair<std::string, std::string>> funds;  // (fund, sponsor)
  ByteArena bytes;
};

namespace {

// What a version and an announcement cost in memory besides the bytes of
// their strings, about: the version and its index; the hash slot and the
// inline vector of version indexes.
constexpr size_t kVersionBytes = sizeof(Version) + 8;
constexpr size_t kAnnouncementBytes = 96;

constexpr char kEntryWhat[] = "a stake-ownership entry";

uint64_t IdHash(absl::string_view id) { return absl::Hash<absl::string_view>()(id); }

Version ToVersion(const v1::StakeEntry& entry, int start_day, ByteArena* arena) {
  Version version;
  version.holder = arena->Copy(entry.holder());
  version.target = arena->Copy(entry.target());
  version.announcement_id = arena->Copy(entry.announcement_id());
  version.quote = arena->Copy(entry.quote());
  version.effective_date = arena->Copy(entry.effective_date());
  version.position = entry.position();
  version.recorded_at_us = entry.recorded_at_us();
  version.known_from = entry.known_from();
  version.known_until = entry.known_until();
  version.ppm = entry.ppm();
  version.fact_index = entry.fact_index();
  version.part = entry.part();
  version.start_day = start_day;
  version.qualifier = entry.qualifier();
  version.absolute = entry.absolute();
  return version;
}

// Proto3 writes no field at its default, so the bytes are those of the
// message the event-by-event fold serializes.
void ToEntry(const Version& version, v1::StakeEntry* entry) {
  entry->set_holder(version.holder.data(), version.holder.size());
  entry->set_target(version.target.data(), version.target.size());
  entry->set_announcement_id(version.announcement_id.data(), version.announcement_id.size());
  entry->set_fact_index(version.fact_index);
  entry->set_part(version.part);
  entry->set_effective_date(version.effective_date.data(), version.effective_date.size());
  entry->set_absolute(version.absolute);
  entry->set_ppm(version.ppm);
  entry->set_qualifier(static_cast<v1::Qualifier>(version.qualifier));
  entry->set_quote(version.quote.data(), version.quote.size());
  entry->set_position(version.position);
  entry->set_recorded_at_us(version.recorded_at_us);
  entry->set_known_from(version.known_from);
  entry->set_known_until(version.known_until);
}

void EntryKeyInto(const Version& version, std::string* key) {
  if (!version.key.empty()) {
    key->assign(version.key.data(), version.key.size());
    return;
  }
  StakeEntryKeyInto(version.holder, version.target, version.start_day, version.position,
                    version.fact_index, version.part, version.known_from, key);
}

// What the runs of one TakeRuns write, shared by their builders.
struct Held {
  std::vector<ByteArena> arenas;
  std::deque<Version> versions;
  absl::flat_hash_map<absl::string_view, Announcement> announcements;
  absl::flat_hash_map<std::string, uint64_t> funds;
};

// Sorts `run` and keeps the last change of each key, as the last write of
// a key wins in the event-by-event fold.
void SortKeepingLast(SortedRun* run) {
  SortChanges(&run->changes);
  std::vector<BulkChange>& changes = run->changes;
  size_t kept = 0;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (kept > 0 && changes[kept - 1].key == changes[i].key) {
      changes[kept - 1] = changes[i];
    } else {
      changes[kept++] = changes[i];
    }
  }
  changes.resize(kept);
}

void Add(absl::string_view key, absl::string_view value, SortedRun* run) {
  run->changes.push_back({run->arena.Copy(key), run->arena.Copy(value)});
}

// The 'S' fund keys and the 'f' locations: each fact's versions' keys, in
// the order they were written.
absl::StatusOr<SortedRun> FundsAndLocations(const Held& held) {
  SortedRun run;
  for (const auto& [key, position] : held.funds) Add(key, EncodePosition(position), &run);
  std::vector<std::pair<uint32_t, uint32_t>> facts;  // (fact, version)
  v1::StakeFactLocation location;
  std::string key;
  std::string value;
  for (const auto& [id, announcement] : held.announcements) {
    facts.clear();
    bool sorted = true;
    for (uint32_t index : announcement.versions) {
      const uint32_t fact = held.versions[index].fact_index;
      sorted = sorted && (facts.empty() || facts.back().first <= fact);
      facts.emplace_back(fact, index);
    }
    // Nearly always one fact, or facts in order: no sort, no buffer.
    if (!sorted) {
      std::stable_sort(facts.begin(), facts.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    for (size_t i = 0; i < facts.size();) {
      const uint32_t fact = facts[i].first;
      location.Clear();
      for (; i < facts.size() && facts[i].first == fact; ++i) {
        EntryKeyInto(held.versions[facts[i].second], &key);
        location.add_keys(key);
      }
      location.SerializeToString(&value);
      Add(StakeLocationKey(id, fact), value, &run);
    }
  }
  SortKeepingLast(&run);
  return run;
}

// The member keys of tag 'h' (the targets of a holder) or 't' (the
// holders of a target), once each.
void AddMembers(const Held& held, char tag, SortedRun* run) {
  absl::flat_hash_set<std::pair<absl::string_view, absl::string_view>> pairs;
  for (const Version& version : held.versions) {
    pairs.emplace(tag == 'h' ? std::make_pair(version.holder, version.target)
                             : std::make_pair(version.target, version.holder));
  }
  std::string key;
  for (const auto& [first, second] : pairs) {
    StakeMemberKeyInto(tag, first, second, &key);
    Add(key, "", run);
  }
}

// The 'h' members.
absl::StatusOr<SortedRun> Holdings(const Held& held) {
  SortedRun run;
  AddMembers(held, 'h', &run);
  SortKeepingLast(&run);
  return run;
}

// The 'n' fact counts.
absl::StatusOr<SortedRun> Counts(const Held& held) {
  SortedRun run;
  std::string count;
  for (const auto& [id, announcement] : held.announcements) {
    if (!announcement.counted) continue;
    count.clear();
    AppendBigEndian32(announcement.fact_count, &count);
    Add(StakeCountKey(id), count, &run);
  }
  SortKeepingLast(&run);
  return run;
}

// The 'p' entries: every version, the last written of each key.
absl::StatusOr<SortedRun> Entries(const Held& held) {
  SortedRun run;
  run.changes.reserve(held.versions.size());
  v1::StakeEntry entry;
  std::string key;
  std::string value;
  for (const Version& version : held.versions) {
    EntryKeyInto(version, &key);
    ToEntry(version, &entry);
    entry.SerializeToString(&value);
    Add(key, value, &run);
  }
  SortKeepingLast(&run);
  return run;
}

// The 't' members.
absl::StatusOr<SortedRun> Holders(const Held& held) {
  SortedRun run;
  AddMembers(held, 't', &run);
  SortKeepingLast(&run);
  return run;
}

}  // namespace

void DecodeStakeEvent(const v1::RecordedEvent& event, DecodedStakeEvent* decoded) {
  absl::StatusOr<v1::Announcement> announcement =
      domain::DecodeAnnouncement(event.content_type(), event.payload());
  if (!announcement.ok()) {
    decoded->decode_status = absl::InvalidArgumentError(
        absl::StrCat("position ", event.position(), ": ", announcement.status().message()));
    return;
  }
  const int64_t recorded_at_us =
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.recorded_at());
  decoded->facts = ExtractFacts(*announcement, event.position(), recorded_at_us);
  decoded->announcement_id = std::move(*announcement->mutable_announcement_id());
}

void StakeBatch::Decode(const v1::RecordedEvent& event) {
  DecodedStakeEvent decoded;
  DecodeStakeEvent(event, &decoded);
  Event out;
  out.position = event.position();
  if (!decoded.decode_status.ok()) {
    out.status = decoded.decode_status;
  } else if (!decoded.facts.ok()) {
    out.status = decoded.facts.status();
  } else {
    AnnouncementFacts& facts = *decoded.facts;
    out.id = bytes.Copy(decoded.announcement_id);
    out.fact_count = facts.fact_count;
    for (const v1::StakeEntry& entry : facts.stakes) {
      // ExtractFacts checked that every date parses.
      const absl::StatusOr<std::pair<int, int>> period = DatePeriod(entry.effective_date());
      versions.push_back(ToVersion(entry, period.ok() ? period->first : 0, &bytes));
    }
    std::move(facts.corrections.begin(), facts.corrections.end(), std::back_inserter(corrections));
    std::move(facts.funds.begin(), facts.funds.end(), std::back_inserter(funds));
  }
  CHECK(versions.size() < UINT32_MAX);
  out.versions_end = static_cast<uint32_t>(versions.size());
  out.corrections_end = static_cast<uint32_t>(corrections.size());
  out.funds_end = static_cast<uint32_t>(funds.size());
  events.push_back(std::move(out));
}

std::unique_ptr<BulkBatch> StakeBulkFold::NewBatch() const {
  return std::make_unique<StakeBatch>();
}

absl::Status StakeBulkFold::Fold(std::unique_ptr<BulkBatch> batch) {
  auto* stake = static_cast<StakeBatch*>(batch.get());
  for (size_t i = 0; i < stake->events.size(); ++i) {
    const absl::Status status = FoldEvent(*stake, i);
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat("at position ", stake->events[i].position,
                                                      ": ", status.message()));
    }
  }
  // The versions and ids folded view the batch's blocks: kept, the rest
  // of the batch goes.
  held_bytes_ += stake->bytes.bytes();
  arenas_.push_back(std::move(stake->bytes));
  return absl::OkStatus();
}

absl::Status StakeBulkFold::FoldEvent(const StakeBatch& batch, size_t index) {
  const StakeBatch::Event& event = batch.events[index];
  RETURN_IF_ERROR(event.status);
  const StakeBatch::Event* before = index > 0 ? &batch.events[index - 1] : nullptr;
  // As the event-by-event fold: the count, the versions of its own facts,
  // its funds, then its corrections (which may name its own facts).
  ASSIGN_OR_RETURN(Announcement * own, Find(event.id));
  if (own == nullptr) {
    own = &announcements_[event.id];
    held_bytes_ += kAnnouncementBytes;
  }
  own->fact_count = event.fact_count;
  own->counted = true;
  for (uint32_t i = before != nullptr ? before->versions_end : 0; i < event.versions_end; ++i) {
    const Version& version = batch.versions[i];
    if (own->from_state) RETURN_IF_ERROR(ReadFact(event.id, version.fact_index, own));
    PutVersion(version, own);
  }
  // `own` may move when Correct adds an announcement: not used below.
  for (uint32_t i = before != nullptr ? before->funds_end : 0; i < event.funds_end; ++i) {
    const auto& [fund, sponsor] = batch.funds[i];
    std::string key = StakeFundKey(sponsor, fund);
    held_bytes_ += kAnnouncementBytes + key.size();
    funds_[std::move(key)] = event.position;
  }
  for (uint32_t i = before != nullptr ? before->corrections_end : 0; i < event.corrections_end;
       ++i) {
    RETURN_IF_ERROR(Correct(batch.corrections[i], event.position));
  }
  return absl::OkStatus();
}

absl::StatusOr<Announcement*> StakeBulkFold::Find(absl::string_view id) {
  auto it = announcements_.find(id);
  if (it != announcements_.end()) return &it->second;
  if (written_ids_.empty() || !written_ids_.contains(IdHash(id))) return nullptr;
  ASSIGN_OR_RETURN(std::optional<std::string> count, state_->Get(StakeCountKey(id)));
  // The id may view a correction that goes with its batch: keep a copy.
  Announcement& announcement = announcements_[arena_.Copy(id)];
  held_bytes_ += kAnnouncementBytes;
  announcement.from_state = true;
  // As the event-by-event fold reads a count: anything but 4 bytes is none.
  if (count.has_value() && count->size() == 4) {
    announcement.fact_count = ReadBigEndian32(*count);
    announcement.counted = true;
  }
  return &announcement;
}

absl::Status StakeBulkFold::ReadFact(absl::string_view id, uint32_t fact,
                                     Announcement* announcement) {
  std::vector<uint32_t>& read = announcement->facts_read;
  if (std::find(read.begin(), read.end(), fact) != read.end()) return absl::OkStatus();
  read.push_back(fact);
  ASSIGN_OR_RETURN(std::optional<std::string> value, state_->Get(StakeLocationKey(id, fact)));
  if (!value.has_value()) return absl::OkStatus();
  v1::StakeFactLocation location;
  if (!location.ParseFromString(*value)) {
    return absl::DataLossError(absl::StrCat(kEntryWhat, " does not parse"));
  }
  // A key listed twice is one version, as a read of it gives one value.
  absl::flat_hash_map<std::string, uint32_t> indexes;
  for (const std::string& key : location.keys()) {
    auto [it, added] = indexes.try_emplace(key, 0);
    if (added) {
      if (key.size() < kStakeEntrySuffixBytes) {
        return absl::DataLossError(absl::StrCat(kEntryWhat, " key is too short"));
      }
      ASSIGN_OR_RETURN(std::optional<std::string> bytes, state_->Get(key));
      v1::StakeEntry entry;
      if (bytes.has_value() && !entry.ParseFromString(*bytes)) {
        return absl::DataLossError(absl::StrCat(kEntryWhat, " does not parse"));
      }
      const int start_day = static_cast<int>(
          ReadBigEndian32(absl::string_view(key).substr(key.size() - kStakeEntrySuffixBytes)));
      Version version = ToVersion(entry, start_day, &arena_);
      version.key = arena_.Copy(key);
      CHECK(versions_.size() < UINT32_MAX);
      it->second = static_cast<uint32_t>(versions_.size());
      held_bytes_ += kVersionBytes;
      versions_.push_back(version);
    }
    announcement->versions.push_back(it->second);
  }
  return absl::OkStatus();
}

void StakeBulkFold::PutVersion(const Version& version, Announcement* owner) {
  CHECK(versions_.size() < UINT32_MAX);
  held_bytes_ += kVersionBytes;
  owner->versions.push_back(static_cast<uint32_t>(versions_.size()));
  versions_.push_back(version);
}

absl::Status StakeBulkFold::Correct(const StakeCorrection& correction, uint64_t position) {
  ASSIGN_OR_RETURN(Announcement * announcement, Find(correction.announcement_id));
  // A correction of an announcement the projection never saw changes
  // nothing.
  if (announcement == nullptr || !announcement->counted) return absl::OkStatus();
  std::vector<uint32_t> facts = correction.fact_indexes;
  if (facts.empty()) {
    for (uint32_t i = 0; i < announcement->fact_count; ++i) facts.push_back(i);
  }
  for (uint32_t fact : facts) {
    RETURN_IF_ERROR(CorrectFact(correction.announcement_id, fact, correction.corrected_date,
                                position, announcement));
  }
  return absl::OkStatus();
}

// fact_versions.h CorrectFact, on the versions in memory.
absl::Status StakeBulkFold::CorrectFact(absl::string_view id, uint32_t fact,
                                        const std::string& date, uint64_t position,
                                        Announcement* announcement) {
  if (announcement->from_state) RETURN_IF_ERROR(ReadFact(id, fact, announcement));
  std::vector<uint32_t> location;
  for (uint32_t index : announcement->versions) {
    if (versions_[index].fact_index == fact) location.push_back(index);
  }
  absl::string_view kept_date;
  int start_day = 0;
  for (uint32_t index : location) {
    if (versions_[index].known_until != 0) continue;
    versions_[index].known_until = position;
    if (date.empty()) continue;
    if (kept_date.empty()) {
      ASSIGN_OR_RETURN(const auto period, DatePeriod(date));
      start_day = period.first;
      // The correction goes with its batch: its date is kept here.
      kept_date = arena_.Copy(date);
    }
    Version next = versions_[index];
    next.effective_date = kept_date;
    next.start_day = start_day;
    next.key = absl::string_view();
    next.known_from = position;
    next.known_until = 0;
    PutVersion(next, announcement);
  }
  return absl::OkStatus();
}

std::vector<RunBuilder> StakeBulkFold::TakeRuns() {
  auto held = std::make_shared<Held>();
  held->arenas = std::move(arenas_);
  arenas_.clear();
  held->arenas.push_back(std::move(arena_));
  arena_ = ByteArena();
  held->versions.swap(versions_);
  held->announcements.swap(announcements_);
  held->funds.swap(funds_);
  for (const auto& [id, announcement] : held->announcements) written_ids_.insert(IdHash(id));
  held_bytes_ = 0;
  // Key order: 'S' < 'f' < 'h' < 'n' < 'p' < 't'.
  return {
      [held] { return FundsAndLocations(*held); },
      [held] { return Holdings(*held); },
      [held] { return Counts(*held); },
      [held] { return Entries(*held); },
      [held] { return Holders(*held); },
  };
}

}  // namespace stakeledger::storage
