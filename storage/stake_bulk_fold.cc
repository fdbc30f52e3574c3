#include "storage/stake_bulk_fold.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "storage/bulk_load.h"
#include "storage/check.h"
#include "storage/fact_versions.h"
#include "storage/keys.h"
#include "storage/radix_sort.h"
#include "storage/stake_keys.h"
#include "storage/status_macros.h"
#include "storage/wire_bytes.h"
#include "storage/wire_reader.h"

namespace stakeledger::storage {

using Version = StakeBulkFold::Version;
using NamedVersion = StakeBulkFold::NamedVersion;
using Versions = StakeBulkFold::Versions;
constexpr uint32_t kNoVersion = StakeBulkFold::kNoVersion;
constexpr uint32_t kNotFirst = StakeBulkFold::kNotFirst;

// The events of one range of the log, decoded on one thread.
struct StakeBatch : BulkBatch {
  struct Event {
    uint64_t position = 0;
    // Why the event cannot be folded (a payload or a date that does not
    // parse): the fold fails there, as the event-by-event fold does.
    absl::Status status;
    absl::string_view id;
    // StakeFoldIdHash(id), taken on the decoding thread: the fold's
    // thread is the pipeline's busiest.
    uint32_t id_hash = 0;
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
  size_t held_bytes() const override {
    return bytes.bytes() + names.bytes() + events.capacity() * sizeof(Event) +
           versions.capacity() * sizeof(NamedVersion) +
           corrections.capacity() * sizeof(StakeCorrection) + funds.capacity() * sizeof(funds[0]);
  }

  std::vector<Event> events;
  std::vector<NamedVersion> versions;
  std::vector<StakeCorrection> corrections;
  std::vector<std::pair<std::string, std::string>> funds;  // (fund, sponsor)
  // Ids and heads, kept by the fold with the versions that view them.
  ByteArena bytes;
  // Holder and target names: the fold interns them and keeps its own copy
  // of each, so these go with the batch (at 10M, 200 MB less memory
  // touched for the first time).
  ByteArena names;
  // Decode's scratch space: kept from one event to the next, with their
  // strings' and vectors' storage.
  AnnouncementView view;
  v1::Announcement announcement;
};

namespace {

// What a version and an announcement cost in memory besides the bytes of
// their strings, about: the version; the announcement's slot in the table
// (8 bytes and a control byte, at most 7/8 full).
constexpr size_t kVersionBytes = sizeof(Version);
static_assert(sizeof(Version) == 64, "a version fills a cache line");
static_assert(Versions::kChunkBytes % kLargeBlockBytesMin == 0);
static_assert(sizeof(StakeBulkFold::HashSlot) == 8);
constexpr size_t kAnnouncementBytes = 11;
// known_until of a read-back version whose key its record lists again
// later: closed for corrections, and never written (the runs write the
// last version of a key).
constexpr uint64_t kShadowedKnownUntil = UINT64_MAX;
// How many events ahead of the one folded the fold fetches the table's
// slot for: a probe's latency is several events' folding.
constexpr size_t kProbeAhead = 8;

using HashSlot = StakeBulkFold::HashSlot;
HashSlot SlotOf(uint32_t hash, uint32_t first) { return uint64_t{hash} << 32 | first; }
uint32_t HashOf(HashSlot slot) { return static_cast<uint32_t>(slot >> 32); }
uint32_t IndexOf(HashSlot slot) { return static_cast<uint32_t>(slot); }

// The announcement id a version's head starts with (field 3; proto3
// leaves an empty one out, so empty when the head does not start so).
absl::string_view HeadId(absl::string_view head) {
  WireReader reader(head);
  WireField field;
  if (reader.done() || !reader.Next(&field) || field.number != 3 ||
      field.wire_type != kWireDelimited) {
    return absl::string_view();
  }
  return field.bytes;
}

// The head (Version) of `entry`: its value (StakeEntryValue) without
// known_until, which proto3 then leaves out. For what the fold reads back
// and what a correction dates anew: rare, so through the message.
absl::string_view HeadOf(v1::StakeEntry entry, ByteArena* arena) {
  entry.set_known_until(0);
  return arena->Copy(StakeEntryValue(std::move(entry)));
}

// A version read back from the generation, its names copied into `arena`.
NamedVersion ToVersion(const v1::StakeEntry& entry, int start_day, ByteArena* arena) {
  NamedVersion named;
  named.holder = arena->Copy(entry.holder());
  named.target = arena->Copy(entry.target());
  Version& version = named.version;
  version.set_head(HeadOf(entry, arena));
  version.position = entry.position();
  version.known_from = entry.known_from();
  version.known_until = entry.known_until();
  version.start_day = start_day;
  version.fact_index = entry.fact_index();
  version.part = entry.part();
  return named;
}

// A version of `fact` (announcement `id`, at `position`), its head
// written into `arena` and its names into `names`: the head as HeadOf
// writes that of the entry ExtractFacts makes of the fact (wire_bytes.h;
// the key-for-key test compares the values).
NamedVersion ToVersion(const StakeFactView& fact, absl::string_view id, uint64_t position,
                       int64_t recorded_at_us, ByteArena* arena, ByteArena* names) {
  NamedVersion named;
  named.holder = names->Copy(fact.holder);
  named.target = names->Copy(fact.target);
  constexpr size_t kNumbersMax = 4;
  char* const head_start = arena->Reserve(
      WireCursor::StringBytesMax(id) + WireCursor::StringBytesMax(fact.effective_date) +
      WireCursor::StringBytesMax(fact.quote) + kNumbersMax * WireCursor::kNumberBytesMax);
  WireCursor head(head_start);
  head.String(3, id);
  head.String(6, fact.effective_date);
  head.Number(7, fact.absolute ? 1 : 0);
  head.Number(8, static_cast<uint64_t>(fact.ppm));
  head.Number(9, static_cast<uint64_t>(static_cast<int64_t>(fact.qualifier)));
  head.String(10, fact.quote);
  head.Number(12, static_cast<uint64_t>(recorded_at_us));
  Version& version = named.version;
  version.set_head(arena->Commit(static_cast<size_t>(head.at() - head_start)));
  version.position = position;
  version.known_from = position;
  version.start_day = fact.start_day;
  version.fact_index = fact.fact_index;
  version.part = fact.part;
  return named;
}

// What the runs of one TakeRuns write, shared by their builders.
struct Held {
  std::vector<ByteArena> arenas;
  Versions versions;
  // How many announcements the versions hold (about: ids of one hash
  // count once).
  size_t announcements = 0;
  absl::flat_hash_map<std::string, uint64_t> funds;
  // By name id: the name's place in byte order. Keys start with names
  // ended by NUL (which no name holds), so ordering pairs of ranks orders
  // their keys.
  std::vector<uint32_t> ranks;
  // By rank: the name.
  std::vector<absl::string_view> names;

  // The interned name of name id `id`: a few thousand names, in cache,
  // where a version's own views point all over the batches' blocks.
  absl::string_view Name(uint32_t id) const { return names[ranks[id]]; }
  bool First(uint32_t index) const { return versions[index].fact_count != kNotFirst; }
  absl::string_view Id(uint32_t index) const { return HeadId(versions[index].head()); }
};

void EntryKeyInto(const Held& held, const Version& version, std::string* key) {
  StakeEntryKeyInto(held.Name(version.holder_id), held.Name(version.target_id), version.start_day,
                    version.position, version.fact_index, version.part, version.known_from, key);
}

// An announcement (the index of its first version) and the word of its id
// that sorts it (KeyWord after the prefix every id of the run shares).
struct IdSlot {
  uint64_t word;
  uint32_t index;
  // The id's bytes after the shared prefix: when there are at most 8, the
  // word holds them all, and the record's key is written without reading
  // the id from the version's head, in id order from all over memory.
  uint32_t tail_bytes;
};
using IdSlots = std::vector<IdSlot, LargeAllocator<IdSlot>>;

IdSlot IdSlotOf(absl::string_view id, size_t shared, uint32_t index) {
  return {KeyWord(id, shared), index, static_cast<uint32_t>(id.size() - shared)};
}

// The announcements whose ids lie in [first, last) (an empty `last`: no
// bound), in id order, and the prefix all their ids share.
// Announcement ids hold no NUL (domain/announcement_check.h), so their
// records' keys sort as the ids do.
IdSlots ById(const Held& held, absl::string_view first, absl::string_view last,
             std::string* shared_prefix) {
  IdSlots slots;
  slots.reserve(held.announcements);
  // Ids often share a prefix (a source's name, a run's): the word is
  // taken after it, so that most ids differ within it. Taken from the
  // start, the word of "r10m-a1234567" held two digits. The prefix is
  // found as the ids are read; the slots made before it last grew shorter
  // (the first few, most often) are made again after.
  absl::string_view first_id;
  size_t shared = 0;
  size_t made_again = 0;
  for (uint32_t i = 0; i < held.versions.size(); ++i) {
    if (!held.First(i)) continue;
    const absl::string_view id = held.Id(i);
    if (id < first || (!last.empty() && id >= last)) continue;
    if (slots.empty()) {
      first_id = id;
      shared = id.size();
    }
    size_t same = 0;
    while (same < shared && same < id.size() && id[same] == first_id[same]) ++same;
    if (same < shared) {
      shared = same;
      made_again = slots.size();
    }
    slots.push_back(IdSlotOf(id, shared, i));
  }
  for (size_t i = 0; i < made_again; ++i) {
    slots[i] = IdSlotOf(held.Id(slots[i].index), shared, slots[i].index);
  }
  *shared_prefix = std::string(first_id.substr(0, shared));
  // std::sort on the ids of a 10M log in log order fell back to its heap
  // sort for a second of the run's CPU.
  RadixSortBy(&slots, [](const IdSlot& slot) { return slot.word; });
  // Ids that share the word too sort by the rest. The fold holds one
  // announcement per id: no two compare equal.
  SortRuns(
      &slots, [](const IdSlot& a, const IdSlot& b) { return a.word == b.word; },
      [&held](const IdSlot& a, const IdSlot& b) { return held.Id(a.index) < held.Id(b.index); });
  return slots;
}

// The id of `slot`, from its word when that holds the whole id after
// `shared_prefix`, else from the head of its first version. `buffer` is
// scratch the result may view.
absl::string_view IdOfSlot(const Held& held, const IdSlot& slot, absl::string_view shared_prefix,
                           std::string* buffer) {
  if (slot.tail_bytes > sizeof(slot.word)) return held.Id(slot.index);
  buffer->assign(shared_prefix.data(), shared_prefix.size());
  for (uint32_t i = 0; i < slot.tail_bytes; ++i) {
    buffer->push_back(static_cast<char>(slot.word >> (56 - 8 * i)));
  }
  return *buffer;
}

// How many items ahead of the one written a run fetches into the cache:
// in key order the versions, the announcements and the strings they view
// are read from all over memory.
constexpr size_t kPrefetchAhead = 16;

// The 'S' fund keys.
absl::Status Funds(const Held& held, BulkLoadFileWriter* out) {
  std::vector<std::pair<absl::string_view, uint64_t>> funds(held.funds.begin(), held.funds.end());
  std::sort(funds.begin(), funds.end());
  for (const auto& [key, position] : funds) {
    RETURN_IF_ERROR(out->Put(key, EncodePosition(position)));
  }
  return absl::OkStatus();
}

// How many ids RecordSplit samples.
constexpr size_t kRecordSplitSamples = 1024;

// An id about in the middle of the announcements' ids, from an even
// sample of them: the records are written as two runs split there, one a
// core each (at 10M the records were the last run to end, alone on a core
// for two of the write's ten seconds). Empty when there are too few
// announcements to bother.
std::string RecordSplit(const Held& held) {
  if (held.announcements < kRecordSplitSamples) return "";
  // The first announcement at or after each of evenly spaced versions.
  const size_t count = held.versions.size();
  std::vector<absl::string_view> sample;
  sample.reserve(kRecordSplitSamples);
  for (size_t i = 0; i < kRecordSplitSamples; ++i) {
    uint32_t index = static_cast<uint32_t>(i * count / kRecordSplitSamples);
    while (index < count && !held.First(index)) ++index;
    if (index < count) sample.push_back(held.Id(index));
  }
  if (sample.empty()) return "";
  std::nth_element(sample.begin(), sample.begin() + sample.size() / 2, sample.end());
  return std::string(sample[sample.size() / 2]);
}

// An announcement's AnnouncementVersions wire bytes (wire_bytes.h), as
// AddFactVersionKey builds the message: per fact index up to the last one
// with a version, that fact's versions' keys in the order written (an
// empty FactVersionKeys for a fact without). `keys` is scratch.
void RecordValueInto(const Held& held, uint32_t first, std::vector<uint32_t>* versions,
                     std::vector<std::string>* keys, std::string* value) {
  versions->clear();
  for (uint32_t index = first; index != kNoVersion; index = held.versions[index].next) {
    versions->push_back(index);
  }
  const size_t count = versions->size();
  if (keys->size() < count) keys->resize(count);
  uint32_t facts = 0;
  for (size_t i = 0; i < count; ++i) {
    const Version& version = held.versions[(*versions)[i]];
    EntryKeyInto(held, version, &(*keys)[i]);
    facts = std::max(facts, version.fact_index + 1);
  }
  value->clear();
  WireBytes bytes(value);
  bytes.Number(1, held.versions[first].fact_count);
  for (uint32_t fact = 0; fact < facts; ++fact) {
    size_t size = 0;
    for (size_t i = 0; i < count; ++i) {
      if (held.versions[(*versions)[i]].fact_index == fact) {
        size += WireBytes::BytesSize((*keys)[i]);
      }
    }
    bytes.Length(2, size);
    for (size_t i = 0; i < count; ++i) {
      if (held.versions[(*versions)[i]].fact_index == fact) bytes.Bytes(1, (*keys)[i]);
    }
  }
}

// The 'f' records of the ids in [first, last) (an empty `last`: no bound):
// each announcement's fact count and its facts' versions' keys, in the
// order they were written.
absl::Status Records(const Held& held, absl::string_view first, absl::string_view last,
                     BulkLoadFileWriter* out) {
  std::vector<uint32_t> versions;
  std::vector<std::string> keys;
  std::string key;
  std::string value;
  std::string id;
  std::string shared_prefix;
  const IdSlots by_id = ById(held, first, last, &shared_prefix);
  for (size_t a = 0; a < by_id.size(); ++a) {
    // The first version was read for its id while sorting: its list's
    // next versions are most often the ones written right after it.
    if (a + kPrefetchAhead < by_id.size()) {
      __builtin_prefetch(&held.versions[by_id[a + kPrefetchAhead].index]);
    }
    if (a + kPrefetchAhead / 2 < by_id.size() &&
        by_id[a + kPrefetchAhead / 2].tail_bytes > sizeof(uint64_t)) {
      __builtin_prefetch(held.versions[by_id[a + kPrefetchAhead / 2].index].head_data);
    }
    const IdSlot& slot = by_id[a];
    RecordValueInto(held, slot.index, &versions, &keys, &value);
    AnnouncementVersionsKeyInto(IdOfSlot(held, slot, shared_prefix, &id), &key);
    RETURN_IF_ERROR(out->Put(key, value));
  }
  return absl::OkStatus();
}

// The 't' member keys when the pairs of names fit kStakeMemberBitsBytesMax
// as bits: bit target * names + holder (by rank) of a bitmap.
absl::Status MembersFromBits(const Held& held, BulkLoadFileWriter* out) {
  const uint64_t names = held.names.size();
  std::vector<uint64_t> bits((names * names + 63) / 64);
  for (const Version& version : held.versions) {
    const uint64_t bit =
        uint64_t{held.ranks[version.target_id]} * names + held.ranks[version.holder_id];
    bits[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  std::string key;
  for (size_t word = 0; word < bits.size(); ++word) {
    for (uint64_t set = bits[word]; set != 0; set &= set - 1) {
      const uint64_t bit = word * 64 + static_cast<uint64_t>(__builtin_ctzll(set));
      StakeMemberKeyInto('t', held.names[bit / names], held.names[bit % names], &key);
      RETURN_IF_ERROR(out->Put(key, ""));
    }
  }
  return absl::OkStatus();
}

// The 't' member keys (the holders of a target), once each: pairs of name
// ranks packed into integers (target above holder), radix sorted, repeats
// dropped. A pair may have many versions (ten on average in the
// benchmark's 10M history over a million pairs); a hash set of the pairs
// missed the cache on every version, where the radix sort's two passes
// read and write its integers in order.
absl::Status Members(const Held& held, BulkLoadFileWriter* out) {
  const uint64_t names = held.names.size();
  if (names * names <= uint64_t{8} * kStakeMemberBitsBytesMax) return MembersFromBits(held, out);
  int rank_bits = 1;
  while (rank_bits < 32 && (uint64_t{1} << rank_bits) < held.names.size()) ++rank_bits;
  RadixValues pairs;
  pairs.reserve(held.versions.size());
  for (const Version& version : held.versions) {
    pairs.push_back(uint64_t{held.ranks[version.target_id]} << rank_bits |
                    held.ranks[version.holder_id]);
  }
  RadixSortUnique(&pairs);
  const uint64_t holder_mask = (uint64_t{1} << rank_bits) - 1;
  std::string key;
  for (const uint64_t pair : pairs) {
    StakeMemberKeyInto('t', held.names[pair >> rank_bits], held.names[pair & holder_mask], &key);
    RETURN_IF_ERROR(out->Put(key, ""));
  }
  return absl::OkStatus();
}

// The holder rank that splits the versions about in half: the entries
// go to two runs, built on two threads (the entries are the largest run).
uint32_t HolderSplit(const Held& held) {
  std::vector<uint32_t> versions_by_holder(held.names.size() + 1, 0);
  for (const Version& version : held.versions) ++versions_by_holder[held.ranks[version.holder_id]];
  size_t seen = 0;
  for (uint32_t rank = 0; rank < versions_by_holder.size(); ++rank) {
    seen += versions_by_holder[rank];
    if (2 * seen >= held.versions.size()) return rank + 1;
  }
  return static_cast<uint32_t>(versions_by_holder.size());
}

// A version's place in key order: its pair as name ranks and its period
// start, then (read from the version, for the few that share both) the
// rest of its key, then its index: of versions with one key, the last
// written is the one kept, as the last write of a key wins event by event.
// Sixteen bytes: at 10M a run sorts five million of them, and slots
// carrying the whole key and the head (64 bytes) made the sort and the
// zeroing of their fresh memory a third of the run's CPU.
struct EntrySlot {
  uint64_t pair;
  uint32_t start;
  uint32_t index;
};

// The rest of a version's entry key, after its pair and period start.
auto KeyTail(const Version& version) {
  return std::tie(version.position, version.fact_index, version.part, version.known_from);
}

bool SameKey(const Held& held, const EntrySlot& a, const EntrySlot& b) {
  return a.pair == b.pair && a.start == b.start &&
         KeyTail(held.versions[a.index]) == KeyTail(held.versions[b.index]);
}

// The 'p' entries: every version, the last written of each key.
// Of the holders whose ranks are in [holders_begin, holders_end): a run
// of its own for each range, the ranges ascending, since entry keys start
// with the holder.
absl::Status Entries(const Held& held, uint32_t holders_begin, uint32_t holders_end,
                     BulkLoadFileWriter* out) {
  std::vector<EntrySlot, LargeAllocator<EntrySlot>> slots;
  slots.reserve(held.versions.size());
  for (uint32_t i = 0; i < held.versions.size(); ++i) {
    const Version& version = held.versions[i];
    const uint32_t holder = held.ranks[version.holder_id];
    if (holder < holders_begin || holder >= holders_end) continue;
    slots.push_back({uint64_t{holder} << 32 | held.ranks[version.target_id],
                     static_cast<uint32_t>(version.start_day), i});
  }
  // By pair and period start (the latter first: each pass is stable),
  // then, for the few that share both, by the rest of the key and index.
  {
    std::vector<EntrySlot, LargeAllocator<EntrySlot>> scratch;
    RadixSortBy(
        &slots, [](const EntrySlot& slot) { return uint64_t{slot.start}; }, &scratch);
    RadixSortBy(
        &slots, [](const EntrySlot& slot) { return slot.pair; }, &scratch);
  }
  SortRuns(
      &slots,
      [](const EntrySlot& a, const EntrySlot& b) { return a.pair == b.pair && a.start == b.start; },
      [&held](const EntrySlot& a, const EntrySlot& b) {
        const auto a_tail = KeyTail(held.versions[a.index]);
        const auto b_tail = KeyTail(held.versions[b.index]);
        return a_tail != b_tail ? a_tail < b_tail : a.index < b.index;
      });
  std::string key;
  std::string value;
  for (size_t i = 0; i < slots.size(); ++i) {
    // In key order the versions, and the heads they view, lie all over
    // memory: a version is fetched kPrefetchAhead slots ahead, its head
    // (which may span two cache lines) half as far ahead, by then read.
    if (i + kPrefetchAhead < slots.size()) {
      __builtin_prefetch(&held.versions[slots[i + kPrefetchAhead].index]);
    }
    if (i + kPrefetchAhead / 2 < slots.size()) {
      const absl::string_view head = held.versions[slots[i + kPrefetchAhead / 2].index].head();
      if (!head.empty()) {
        __builtin_prefetch(head.data());
        __builtin_prefetch(head.data() + head.size() - 1);
      }
    }
    const EntrySlot& slot = slots[i];
    if (i + 1 < slots.size() && SameKey(held, slots[i + 1], slot)) continue;
    const Version& version = held.versions[slot.index];
    const absl::string_view holder = held.names[slot.pair >> 32];
    const absl::string_view target = held.names[slot.pair & UINT32_MAX];
    StakeEntryKeyInto(holder, target, version.start_day, version.position, version.fact_index,
                      version.part, version.known_from, &key);
    // StakeEntryValue's fields in number order: the head, known_until.
    value.assign(version.head_data, version.head_bytes);
    WireBytes bytes(&value);
    bytes.Number(14, version.known_until);
    RETURN_IF_ERROR(out->Put(key, value));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// Reads the announcement of `event` into *view: straight from a binary
// payload where ParseAnnouncementView can, else through *message (scratch
// space), which also gives the error of a payload that does not decode.
// Errors: INVALID_ARGUMENT naming the position when the payload does not
// decode.
absl::Status DecodeAnnouncementAt(const LogEventView& event, v1::Announcement* message,
                                  AnnouncementView* view) {
  if (event.content_type == domain::kAnnouncementContentType &&
      ParseAnnouncementView(event.payload, view)) {
    return absl::OkStatus();
  }
  const absl::Status status =
      domain::DecodeAnnouncementInto(event.content_type, event.payload, message);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("position ", event.position, ": ", status.message()));
  }
  ViewOfAnnouncement(*message, view);
  return absl::OkStatus();
}

// Appends the facts of one announcement to a batch's vectors.
class BatchSink : public StakeFactSink {
 public:
  BatchSink(StakeBatch* batch, absl::string_view id, uint64_t position, int64_t recorded_at_us)
      : batch_(batch), id_(id), position_(position), recorded_at_us_(recorded_at_us) {}

  void Stake(const StakeFactView& stake) override {
    batch_->versions.push_back(
        ToVersion(stake, id_, position_, recorded_at_us_, &batch_->bytes, &batch_->names));
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

uint32_t StakeFoldIdHash(absl::string_view id) {
  return static_cast<uint32_t>(absl::Hash<absl::string_view>()(id) >> 32);
}

absl::StatusOr<v1::StakeEntry> GetStakeEntry(const ProjectionTxn& state, const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, state.Get(key));
  v1::StakeEntry entry;
  if (value.has_value() && !ParseStakeEntry(key, *value, &entry)) {
    return absl::DataLossError(absl::StrCat(kStakeEntryWhat, " does not parse"));
  }
  return entry;
}

void DecodeStakeEvent(const v1::RecordedEvent& event, DecodedStakeEvent* decoded) {
  const LogEventView view = ViewOf(event);
  v1::Announcement message;
  AnnouncementView announcement;
  decoded->decode_status = DecodeAnnouncementAt(view, &message, &announcement);
  if (!decoded->decode_status.ok()) return;
  decoded->facts = ExtractFacts(announcement, view.position, RecordedAtUs(view));
  decoded->announcement_id = std::string(announcement.announcement_id);
}

void StakeBatch::Decode(const LogEventView& event) {
  Event out;
  out.position = event.position;
  out.status = DecodeAnnouncementAt(event, &announcement, &view);
  const size_t versions_begin = versions.size();
  const size_t corrections_begin = corrections.size();
  const size_t funds_begin = funds.size();
  if (out.status.ok()) {
    // The heads copy the id from the payload, which is valid until Decode
    // returns.
    BatchSink sink(this, view.announcement_id, event.position, RecordedAtUs(event));
    const absl::StatusOr<uint32_t> fact_count = VisitFacts(view, &sink);
    if (fact_count.ok()) {
      // The id the fold keeps: that of the event's first head, which the
      // fold keeps anyway, or a copy of its own (at 10M, 150 MB less
      // memory touched for the first time).
      out.id = versions.size() > versions_begin ? HeadId(versions[versions_begin].version.head())
                                                : bytes.Copy(view.announcement_id);
      out.id_hash = StakeFoldIdHash(out.id);
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

void StakeBulkFold::Expect(uint64_t last_position, size_t bytes_max) {
  if (last_position < kStakeFoldReserveEventsMin) return;
  announcement_by_hash_.reserve(std::min<uint64_t>(last_position, bytes_max / kAnnouncementBytes));
}

absl::Status StakeBulkFold::Fold(std::unique_ptr<BulkBatch> batch) {
  if (!written_table_.empty()) {
    // From the table's keys: a hash of every id would read each from all
    // over memory again.
    written_ids_.reserve(written_ids_.size() + written_table_.size());
    for (const HashSlot slot : written_table_) written_ids_.insert(HashOf(slot));
    written_table_ = ByHash();
  }
  auto* stake = static_cast<StakeBatch*>(batch.get());
  const size_t count = stake->events.size();
  for (size_t i = 0; i < count; ++i) {
    // At 10M the table is hundreds of megabytes and a probe missed the
    // cache every time, with the fold's thread stalled on it.
    if (i + kProbeAhead < count) {
      announcement_by_hash_.prefetch(SlotOf(stake->events[i + kProbeAhead].id_hash, 0));
    }
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
  // As the event-by-event fold: the record and the versions of its own
  // facts, its funds, then its corrections (which may name its own facts).
  const uint32_t first_version = before != nullptr ? before->versions_end : 0;
  const bool has_versions = first_version < event.versions_end;
  uint32_t first = kNoVersion;
  if (has_versions && written_ids_.empty()) {
    // Nothing to read back: one probe of the table finds it or lists the
    // version added next as its first.
    first = FindOrList(event.id, event.id_hash, static_cast<uint32_t>(versions_.size()));
  } else {
    ASSIGN_OR_RETURN(first, Find(event.id, event.id_hash));
    if (first == kNoVersion && has_versions) {
      List(event.id, event.id_hash, static_cast<uint32_t>(versions_.size()));
    }
  }
  uint32_t last = first == kNoVersion ? kNoVersion : Last(first);
  for (uint32_t i = first_version; i < event.versions_end; ++i) {
    last = AddVersion(Interned(batch.versions[i]), last);
    if (first == kNoVersion) first = last;
  }
  if (first != kNoVersion) versions_[first].fact_count = event.fact_count;
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

absl::string_view StakeBulkFold::IdOf(uint32_t index) const {
  return HeadId(versions_[index].head());
}

uint32_t StakeBulkFold::Last(uint32_t first) const {
  uint32_t last = first;
  while (versions_[last].next != kNoVersion) last = versions_[last].next;
  return last;
}

absl::StatusOr<uint32_t> StakeBulkFold::Find(absl::string_view id, uint32_t hash) {
  const auto it = announcement_by_hash_.find(SlotOf(hash, 0));
  if (it != announcement_by_hash_.end()) {
    if (IdOf(IndexOf(*it)) == id) return IndexOf(*it);
    const auto collided = collided_.find(id);
    if (collided != collided_.end()) return collided->second;
  }
  if (written_ids_.empty() || !written_ids_.contains(hash)) return kNoVersion;
  return ReadBack(id, hash);
}

uint32_t StakeBulkFold::FindOrList(absl::string_view id, uint32_t hash, uint32_t first) {
  const auto [it, added] = announcement_by_hash_.insert(SlotOf(hash, first));
  if (added) {
    held_bytes_ += kAnnouncementBytes;
    return kNoVersion;
  }
  if (IdOf(IndexOf(*it)) == id) return IndexOf(*it);
  const auto collided = collided_.find(id);
  if (collided != collided_.end()) return collided->second;
  ListCollided(id, first);
  return kNoVersion;
}

void StakeBulkFold::List(absl::string_view id, uint32_t hash, uint32_t first) {
  const auto [it, added] = announcement_by_hash_.insert(SlotOf(hash, first));
  if (added) {
    held_bytes_ += kAnnouncementBytes;
  } else {
    ListCollided(id, first);
  }
}

void StakeBulkFold::ListCollided(absl::string_view id, uint32_t first) {
  // The id may view a batch's block the fold does not keep (a
  // correction's): a copy.
  collided_.emplace(arena_.Copy(id), first);
  held_bytes_ += kAnnouncementBytes + id.size();
}

absl::StatusOr<uint32_t> StakeBulkFold::ReadBack(absl::string_view id, uint32_t hash) {
  ASSIGN_OR_RETURN(std::optional<v1::AnnouncementVersions> record,
                   ReadAnnouncementVersions(*state_, id));
  if (!record.has_value()) return kNoVersion;
  // Every record lists a version (PutAnnouncementVersions writes none
  // without).
  const uint32_t first = static_cast<uint32_t>(versions_.size());
  uint32_t last = kNoVersion;
  // A key listed twice is one value, as a read of it gives one: the
  // version of its last listing is that value, and those of the listings
  // before it are born closed, so that a correction closes the key once,
  // as the event-by-event fold does. The runs write only the last version
  // of a key (the highest index).
  absl::flat_hash_map<std::string, uint32_t> listed;
  for (const v1::FactVersionKeys& fact : record->facts()) {
    for (const std::string& key : fact.keys()) {
      auto [it, added] = listed.try_emplace(key, 0);
      Version version;
      if (added) {
        if (key.size() < kStakeEntrySuffixBytes) {
          return absl::DataLossError(absl::StrCat(kStakeEntryWhat, " key is too short"));
        }
        ASSIGN_OR_RETURN(const v1::StakeEntry entry, GetStakeEntry(*state_, key));
        const int start_day = static_cast<int>(
            ReadBigEndian32(absl::string_view(key).substr(key.size() - kStakeEntrySuffixBytes)));
        version = Interned(ToVersion(entry, start_day, &arena_));
      } else {
        Version& earlier = versions_[it->second];
        version = earlier;
        if (earlier.known_until == 0) earlier.known_until = kShadowedKnownUntil;
      }
      it->second = last = AddVersion(version, last);
    }
  }
  if (last == kNoVersion) {
    return absl::DataLossError("an announcement's versions record lists no version");
  }
  versions_[first].fact_count = record->fact_count();
  List(id, hash, first);
  return first;
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

Version StakeBulkFold::Interned(const NamedVersion& named) {
  Version version = named.version;
  version.holder_id = Intern(named.holder);
  version.target_id = Intern(named.target);
  return version;
}

uint32_t StakeBulkFold::AddVersion(const Version& version, uint32_t last) {
  CHECK(versions_.size() < kNoVersion);
  held_bytes_ += kVersionBytes;
  const uint32_t index = static_cast<uint32_t>(versions_.size());
  versions_.push_back(version);
  Version& added = versions_.back();
  added.next = kNoVersion;
  added.fact_count = kNotFirst;
  if (last != kNoVersion) versions_[last].next = index;
  return index;
}

absl::Status StakeBulkFold::Correct(const StakeCorrection& correction, uint64_t position) {
  ASSIGN_OR_RETURN(const uint32_t first,
                   Find(correction.announcement_id, StakeFoldIdHash(correction.announcement_id)));
  // A correction of an announcement without versions changes nothing.
  if (first == kNoVersion) return absl::OkStatus();
  std::vector<uint32_t> facts = correction.fact_indexes;
  if (facts.empty()) {
    for (uint32_t i = 0; i < versions_[first].fact_count; ++i) facts.push_back(i);
  }
  for (uint32_t fact : facts) {
    RETURN_IF_ERROR(CorrectFact(fact, correction.corrected_date, position, first));
  }
  return absl::OkStatus();
}

// fact_versions.h CorrectFact, on the versions in memory.
absl::Status StakeBulkFold::CorrectFact(uint32_t fact, const std::string& date, uint64_t position,
                                        uint32_t first) {
  std::vector<uint32_t> known;
  uint32_t last = first;
  for (uint32_t index = first; index != kNoVersion; index = versions_[index].next) {
    if (versions_[index].fact_index == fact) known.push_back(index);
    last = index;
  }
  int start_day = 0;
  for (uint32_t index : known) {
    if (versions_[index].known_until != 0) continue;
    versions_[index].known_until = position;
    if (date.empty()) continue;
    if (start_day == 0) {
      ASSIGN_OR_RETURN(const auto period, DatePeriod(date));
      start_day = period.first;
    }
    Version next = versions_[index];
    v1::StakeEntry entry;
    if (!entry.ParseFromArray(next.head_data, static_cast<int>(next.head_bytes))) {
      return absl::InternalError("a version's head does not parse");
    }
    entry.set_effective_date(date);
    entry.set_known_from(position);
    next.set_head(HeadOf(std::move(entry), &arena_));
    next.start_day = start_day;
    next.known_from = position;
    next.known_until = 0;
    last = AddVersion(next, last);
  }
  return absl::OkStatus();
}

std::vector<RunBuilder> StakeBulkFold::TakeRuns(bool last) {
  auto held = std::make_shared<Held>();
  held->arenas = std::move(arenas_);
  arenas_.clear();
  held->arenas.push_back(std::move(arena_));
  arena_ = ByteArena();
  held->versions.swap(versions_);
  const size_t announcements = announcement_by_hash_.size();
  // After the last runs no correction or repeated id comes to look for
  // them: the table goes now (285 MB at 10M), not at the fold's end.
  written_table_ = last ? ByHash() : std::move(announcement_by_hash_);
  announcement_by_hash_ = ByHash();
  // Ids that collided have their hash in the table already.
  collided_.clear();
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
  const uint32_t split = HolderSplit(*held);
  held->announcements = announcements;
  auto record_split = std::make_shared<const std::string>(RecordSplit(*held));
  // Key order: 'S' < 'f' < 'p' < 't'.
  return {
      [held, record_split](BulkLoadFileWriter* out) {
        RETURN_IF_ERROR(Funds(*held, out));
        return Records(*held, "", *record_split, out);
      },
      [held, record_split](BulkLoadFileWriter* out) {
        return record_split->empty() ? absl::OkStatus() : Records(*held, *record_split, "", out);
      },
      [held, split](BulkLoadFileWriter* out) { return Entries(*held, 0, split, out); },
      [held, split](BulkLoadFileWriter* out) { return Entries(*held, split, UINT32_MAX, out); },
      [held](BulkLoadFileWriter* out) { return Members(*held, out); },
  };
}

}  // namespace stakeledger::storage
