#include "storage/stake_bulk_fold.h"

#include <algorithm>
#include <mutex>
#include <tuple>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "google/protobuf/util/time_util.h"
#include "storage/bulk_load.h"
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
  using BulkBatch::Decode;
  void Decode(const LogEventView& event) override;
  void Reserve(size_t events_max) override {
    events.reserve(events_max);
    versions.reserve(events_max);
  }

  std::vector<Event> events;
  std::vector<Version> versions;
  std::vector<StakeCorrection> corrections;
  std::vector<std::pair<std::string, std::string>> funds;  // (fund, sponsor)
  ByteArena bytes;
  // DecodeStakeEvent's scratch space.
  v1::Announcement announcement;
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

// A version of `fact`, its strings copied into `arena` but for `id` (the
// announcement's, already there).
Version ToVersion(const StakeFactView& fact, absl::string_view id, uint64_t position,
                  int64_t recorded_at_us, ByteArena* arena) {
  Version version;
  version.holder = arena->Copy(fact.holder);
  version.target = arena->Copy(fact.target);
  version.announcement_id = id;
  version.quote = arena->Copy(fact.quote);
  version.effective_date = arena->Copy(fact.effective_date);
  version.position = position;
  version.recorded_at_us = recorded_at_us;
  version.known_from = position;
  version.ppm = fact.ppm;
  version.fact_index = fact.fact_index;
  version.part = fact.part;
  version.start_day = fact.start_day;
  version.qualifier = fact.qualifier;
  version.absolute = fact.absolute;
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
  StakeEntryKeyInto(version.holder, version.target, version.start_day, version.position,
                    version.fact_index, version.part, version.known_from, key);
}

// What the runs of one TakeRuns write, shared by their builders.
struct Held {
  std::vector<ByteArena> arenas;
  std::deque<Version> versions;
  absl::flat_hash_map<absl::string_view, Announcement> announcements;
  absl::flat_hash_map<std::string, uint64_t> funds;
  // By name id: the name's place in byte order. Keys start with names
  // ended by NUL (which no name holds), so ordering pairs of ranks orders
  // their keys.
  std::vector<uint32_t> ranks;
  // By rank: the name.
  std::vector<absl::string_view> names;
  // The announcements in id order, sorted once for the two runs that
  // need them (locations and counts).
  std::once_flag ids_sorted;
  std::vector<std::pair<absl::string_view, const Announcement*>> by_id;
};

// Announcement ids hold no NUL (domain/announcement_check.h), so the
// keys 'f' id NUL fact and 'n' id sort as their ids do.
const std::vector<std::pair<absl::string_view, const Announcement*>>& ById(Held& held) {
  std::call_once(held.ids_sorted, [&held] {
    struct Item {
      uint64_t head;
      absl::string_view id;
      const Announcement* announcement;
    };
    std::vector<Item> items;
    items.reserve(held.announcements.size());
    for (const auto& [id, announcement] : held.announcements) {
      items.push_back({KeyWord(id, 0), id, &announcement});
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return a.head != b.head ? a.head < b.head : a.id < b.id;
    });
    held.by_id.reserve(items.size());
    for (const Item& item : items) held.by_id.emplace_back(item.id, item.announcement);
  });
  return held.by_id;
}

// How many items ahead of the one written a run fetches into the cache:
// in key order the versions, the announcements and the strings they view
// are read from all over memory.
constexpr size_t kPrefetchAhead = 16;

void PrefetchStrings(const Version& version) {
  __builtin_prefetch(version.announcement_id.data());
  __builtin_prefetch(version.quote.data());
  __builtin_prefetch(version.effective_date.data());
  __builtin_prefetch(version.holder.data());
  __builtin_prefetch(version.target.data());
}

// The 'S' fund keys and the 'f' locations: each fact's versions' keys, in
// the order they were written.
absl::Status FundsAndLocations(Held& held, BulkLoadFileWriter* out) {
  std::vector<std::pair<absl::string_view, uint64_t>> funds(held.funds.begin(), held.funds.end());
  std::sort(funds.begin(), funds.end());
  for (const auto& [key, position] : funds) {
    RETURN_IF_ERROR(out->Put(key, EncodePosition(position)));
  }
  std::vector<std::pair<uint32_t, uint32_t>> facts;  // (fact, version)
  v1::StakeFactLocation location;
  std::string key;
  std::string value;
  const auto& by_id = ById(held);
  for (size_t a = 0; a < by_id.size(); ++a) {
    if (a + kPrefetchAhead < by_id.size()) __builtin_prefetch(by_id[a + kPrefetchAhead].second);
    if (a + kPrefetchAhead / 2 < by_id.size()) {
      for (uint32_t index : by_id[a + kPrefetchAhead / 2].second->versions) {
        __builtin_prefetch(&held.versions[index]);
      }
    }
    const auto& [id, announcement] = by_id[a];
    facts.clear();
    bool sorted = true;
    for (uint32_t index : announcement->versions) {
      const uint32_t fact = held.versions[index].fact_index;
      sorted = sorted && (facts.empty() || facts.back().first <= fact);
      facts.emplace_back(fact, index);
    }
    // Nearly always one fact, or facts in order: no sort (a stable sort
    // allocates a buffer even for one item).
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
      RETURN_IF_ERROR(out->Put(StakeLocationKey(id, fact), value));
    }
  }
  return absl::OkStatus();
}

// The member keys of tag 'h' (the targets of a holder) or 't' (the
// holders of a target), once each: pairs of name ranks, sorted as
// integers.
absl::Status Members(const Held& held, char tag, BulkLoadFileWriter* out) {
  std::vector<uint64_t> pairs;
  pairs.reserve(held.versions.size());
  for (const Version& version : held.versions) {
    const uint64_t holder = held.ranks[version.holder_id];
    const uint64_t target = held.ranks[version.target_id];
    pairs.push_back(tag == 'h' ? holder << 32 | target : target << 32 | holder);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::string key;
  for (const uint64_t pair : pairs) {
    StakeMemberKeyInto(tag, held.names[pair >> 32], held.names[pair & UINT32_MAX], &key);
    RETURN_IF_ERROR(out->Put(key, ""));
  }
  return absl::OkStatus();
}

// The 'n' fact counts.
absl::Status Counts(Held& held, BulkLoadFileWriter* out) {
  std::string count;
  const auto& by_id = ById(held);
  for (size_t a = 0; a < by_id.size(); ++a) {
    if (a + kPrefetchAhead < by_id.size()) __builtin_prefetch(by_id[a + kPrefetchAhead].second);
    const auto& [id, announcement] = by_id[a];
    if (!announcement->counted) continue;
    count.clear();
    AppendBigEndian32(announcement->fact_count, &count);
    RETURN_IF_ERROR(out->Put(StakeCountKey(id), count));
  }
  return absl::OkStatus();
}

// A version's place in key order (StakeEntryKey's fields, the pair as
// name ranks), then its index: of versions with one key, the last written
// is the one kept, as the last write of a key wins event by event.
struct EntrySlot {
  uint64_t pair;
  uint64_t position;
  uint64_t known_from;
  uint32_t start;
  uint32_t fact;
  uint32_t part;
  uint32_t index;

  auto Key() const { return std::tie(pair, start, position, fact, part, known_from); }
};

// The 'p' entries: every version, the last written of each key.
absl::Status Entries(const Held& held, BulkLoadFileWriter* out) {
  std::vector<EntrySlot> slots;
  slots.reserve(held.versions.size());
  for (uint32_t i = 0; i < held.versions.size(); ++i) {
    const Version& version = held.versions[i];
    slots.push_back({uint64_t{held.ranks[version.holder_id]} << 32 | held.ranks[version.target_id],
                     version.position, version.known_from, static_cast<uint32_t>(version.start_day),
                     version.fact_index, version.part, i});
  }
  std::sort(slots.begin(), slots.end(), [](const EntrySlot& a, const EntrySlot& b) {
    return a.Key() != b.Key() ? a.Key() < b.Key() : a.index < b.index;
  });
  v1::StakeEntry entry;
  std::string key;
  std::string value;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (i + kPrefetchAhead < slots.size()) {
      __builtin_prefetch(&held.versions[slots[i + kPrefetchAhead].index]);
    }
    if (i + kPrefetchAhead / 2 < slots.size()) {
      PrefetchStrings(held.versions[slots[i + kPrefetchAhead / 2].index]);
    }
    if (i + 1 < slots.size() && slots[i + 1].Key() == slots[i].Key()) continue;
    const Version& version = held.versions[slots[i].index];
    EntryKeyInto(version, &key);
    ToEntry(version, &entry);
    entry.SerializeToString(&value);
    RETURN_IF_ERROR(out->Put(key, value));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// Decodes the announcement of `event` into *announcement. Errors:
// INVALID_ARGUMENT naming the position when the payload does not decode.
absl::Status DecodeAnnouncementAt(const LogEventView& event, v1::Announcement* announcement) {
  const absl::Status status =
      domain::DecodeAnnouncementInto(event.content_type, event.payload, announcement);
  if (status.ok()) return status;
  return absl::InvalidArgumentError(
      absl::StrCat("position ", event.position, ": ", status.message()));
}

int64_t RecordedAtUs(const LogEventView& event) {
  google::protobuf::Timestamp recorded_at;
  recorded_at.set_seconds(event.recorded_at_seconds);
  recorded_at.set_nanos(event.recorded_at_nanos);
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(recorded_at);
}

// Appends the facts of one announcement to a batch's vectors.
class BatchSink : public StakeFactSink {
 public:
  BatchSink(StakeBatch* batch, absl::string_view id, uint64_t position, int64_t recorded_at_us)
      : batch_(batch), id_(id), position_(position), recorded_at_us_(recorded_at_us) {}

  void Stake(const StakeFactView& stake) override {
    batch_->versions.push_back(ToVersion(stake, id_, position_, recorded_at_us_, &batch_->bytes));
  }
  void Correction(StakeCorrection correction) override {
    batch_->corrections.push_back(std::move(correction));
  }
  void Fund(absl::string_view fund, absl::string_view sponsor) override {
    batch_->funds.emplace_back(std::string(fund), std::string(sponsor));
  }

 private:
  StakeBatch* const batch_;
  const absl::string_view id_;
  const uint64_t position_;
  const int64_t recorded_at_us_;
};

}  // namespace

void DecodeStakeEvent(const v1::RecordedEvent& event, v1::Announcement* announcement,
                      DecodedStakeEvent* decoded) {
  DecodeStakeEvent(ViewOf(event), announcement, decoded);
}

void DecodeStakeEvent(const LogEventView& event, v1::Announcement* announcement,
                      DecodedStakeEvent* decoded) {
  decoded->decode_status = DecodeAnnouncementAt(event, announcement);
  if (!decoded->decode_status.ok()) return;
  decoded->facts = ExtractFacts(*announcement, event.position, RecordedAtUs(event));
  decoded->announcement_id = announcement->announcement_id();
}

void StakeBatch::Decode(const LogEventView& event) {
  Event out;
  out.position = event.position;
  out.status = DecodeAnnouncementAt(event, &announcement);
  const size_t versions_begin = versions.size();
  const size_t corrections_begin = corrections.size();
  const size_t funds_begin = funds.size();
  if (out.status.ok()) {
    const absl::string_view id = bytes.Copy(announcement.announcement_id());
    BatchSink sink(this, id, event.position, RecordedAtUs(event));
    const absl::StatusOr<uint32_t> fact_count = VisitFacts(announcement, &sink);
    if (fact_count.ok()) {
      out.id = id;
      out.fact_count = *fact_count;
    } else {
      // The fold fails at this event: it keeps none of its facts.
      out.status = fact_count.status();
      versions.resize(versions_begin);
      corrections.resize(corrections_begin);
      funds.resize(funds_begin);
    }
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
      it->second = AddVersion(ToVersion(entry, start_day, &arena_));
    }
    announcement->versions.push_back(it->second);
  }
  return absl::OkStatus();
}

uint32_t StakeBulkFold::Intern(absl::string_view name) {
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  CHECK(names_.size() < UINT32_MAX);
  const uint32_t id = static_cast<uint32_t>(names_.size());
  names_.push_back(names_arena_.Copy(name));
  name_ids_.emplace(names_.back(), id);
  return id;
}

uint32_t StakeBulkFold::AddVersion(const Version& version) {
  CHECK(versions_.size() < UINT32_MAX);
  held_bytes_ += kVersionBytes;
  const uint32_t index = static_cast<uint32_t>(versions_.size());
  versions_.push_back(version);
  versions_.back().holder_id = Intern(version.holder);
  versions_.back().target_id = Intern(version.target);
  return index;
}

void StakeBulkFold::PutVersion(const Version& version, Announcement* owner) {
  owner->versions.push_back(AddVersion(version));
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
  held_bytes_ = 0;
  std::vector<uint32_t> by_rank(names_.size());
  for (uint32_t id = 0; id < by_rank.size(); ++id) by_rank[id] = id;
  std::sort(by_rank.begin(), by_rank.end(),
            [this](uint32_t a, uint32_t b) { return names_[a] < names_[b]; });
  held->ranks.resize(names_.size());
  for (uint32_t rank = 0; rank < by_rank.size(); ++rank) {
    held->ranks[by_rank[rank]] = rank;
    held->names.push_back(names_[by_rank[rank]]);
  }
  // Key order: 'S' < 'f' < 'h' < 'n' < 'p' < 't'.
  return {
      [held](BulkLoadFileWriter* out) { return FundsAndLocations(*held, out); },
      [held](BulkLoadFileWriter* out) { return Members(*held, 'h', out); },
      [held](BulkLoadFileWriter* out) { return Counts(*held, out); },
      [held](BulkLoadFileWriter* out) { return Entries(*held, out); },
      [held](BulkLoadFileWriter* out) { return Members(*held, 't', out); },
      // Writes nothing: records which ids the runs hold, beside them
      // (WriteRuns returns before the next Fold, the only reader).
      [this, held](BulkLoadFileWriter*) {
        written_ids_.reserve(written_ids_.size() + held->announcements.size());
        for (const auto& [id, announcement] : held->announcements) written_ids_.insert(IdHash(id));
        return absl::OkStatus();
      },
  };
}

}  // namespace stakeledger::storage
