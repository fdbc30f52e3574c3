// The stake-ownership fold of a whole log prefix in memory (bulk_fold.h),
// for a rebuild. Decoding threads visit each announcement's facts
// (VisitFacts, which the event-by-event fold's ExtractFacts runs too) into
// batches of versions whose entry bytes (Version::head) live in the
// batch's blocks; the fold keeps those blocks and every version, each
// announcement's versions as a list from its first, and writes the keys the
// event-by-event fold (stake_projection.cc) would have written, with the
// same values, as sorted runs built on threads of their own (funds and
// records, records, two of entries, members).
//
// Past the rebuild buffer's limit the engine writes what the fold holds;
// the fold then remembers only which announcement ids it wrote a record of
// versions for (fact_versions.h; a 32-bit hash each, StakeFoldIdHash), and
// a later correction of one of them, or a repeat of its id, first reads
// that record and its versions back from the generation (an id that only
// shares the hash finds no record there).
#ifndef STAKELEDGER_STORAGE_STAKE_BULK_FOLD_H_
#define STAKELEDGER_STORAGE_STAKE_BULK_FOLD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "storage/bulk_fold.h"
#include "storage/chunked_vector.h"
#include "storage/large_blocks.h"
#include "storage/projection.h"
#include "storage/stake_facts.h"

namespace stakeledger::storage {

// What StakeOwnershipProjection::Decode makes of an announcement event.
struct DecodedStakeEvent : DecodedEvent {
  // INVALID_ARGUMENT naming the position when the payload did not decode.
  absl::Status decode_status;
  std::string announcement_id;
  // ExtractFacts's result.
  absl::StatusOr<AnnouncementFacts> facts = AnnouncementFacts();
};

// Decodes an announcement event as StakeOwnershipProjection::Decode does:
// a binary payload straight into views where it can
// (ParseAnnouncementView), else through the message.
// REQUIRES: an announcement event.
void DecodeStakeEvent(const v1::RecordedEvent& event, DecodedStakeEvent* decoded);

// The version stored at entry key `key` of `state` (an empty one when the
// key is absent), as both folds read one back. Errors: DATA_LOSS ("a
// stake-ownership entry does not parse"); reading as ProjectionTxn::Get.
absl::StatusOr<v1::StakeEntry> GetStakeEntry(const ProjectionTxn& state, const std::string& key);

struct StakeBatch;  // stake_bulk_fold.cc

// The hash StakeBulkFold finds an announcement's id by: 32 bits, so that
// its table's slot is 8 bytes (this hash and a version's index). Distinct
// ids that share it (at 10M, about ten thousand) are told apart by the id
// their first version holds. Thread-safe; the same within a process.
uint32_t StakeFoldIdHash(absl::string_view id);

// The log length from which the fold sizes its announcement table for the
// whole log up front. Growing the table rehashes every id in it on the
// fold's thread while the decoders wait: at 10M, twice for about half a
// second with one core busy. A table sized for the whole log misses the
// cache on every insert from the first on instead: at 1M that cost more
// (5-10% of the fold) than the growing it saves.
inline constexpr uint64_t kStakeFoldReserveEventsMin = 4'000'000;

// The most memory the runs mark the (target, holder) pairs of names that
// have a version in, a bit per pair of names, to write the member keys.
// So small a bitmap stays in the second-level cache while each of
// millions of versions marks its pair, and is then read in key order (at
// 10M, with 2,000 names, 0.5 MB). With more names (past 4,096) the pairs
// are radix sorted instead: 160 MB touched for the first time at 10M.
inline constexpr size_t kStakeMemberBitsBytesMax = size_t{2} << 20;

class StakeBulkFold : public BulkFold {
 public:
  // No version (the end of an announcement's list).
  static constexpr uint32_t kNoVersion = UINT32_MAX;
  // Version::fact_count of every version but an announcement's first.
  static constexpr uint32_t kNotFirst = UINT32_MAX;

  // One version of a fact, in one cache line: the runs read millions of
  // them in key order, from all over memory. An announcement is its first
  // version: the versions of its facts are a list from there (next), in
  // the order they were written, as its record lists their keys. There is
  // no table of announcements besides (at 10M it was 480 MB of memory
  // touched for the first time on the fold's thread).
  struct Version {
    // Its entry's value (StakeEntryValue, stake_keys.h: no field its key
    // holds) but for known_until (field 14, which a later correction
    // sets): fields 3 (the announcement id, first), 6 to 10 and 12, as
    // SerializeToString writes them. Written where the version is made,
    // on a decoding thread with its strings in cache, in blocks the fold
    // keeps: the entries runs then write a value without reading the
    // strings from all over memory.
    const char* head_data = nullptr;
    uint32_t head_bytes = 0;
    // The next version of its announcement, or kNoVersion.
    uint32_t next = kNoVersion;
    uint64_t position = 0;
    uint64_t known_from = 0;
    uint64_t known_until = 0;
    // The first day of its period.
    int32_t start_day = 0;
    uint32_t fact_index = 0;
    uint32_t part = 0;
    // The fold's ids of holder and target.
    uint32_t holder_id = 0;
    uint32_t target_id = 0;
    // In an announcement's first version, the announcement's fact count
    // (what its record says); kNotFirst in every other.
    uint32_t fact_count = kNotFirst;

    absl::string_view head() const { return absl::string_view(head_data, head_bytes); }
    void set_head(absl::string_view head) {
      head_data = head.data();
      head_bytes = static_cast<uint32_t>(head.size());
    }
  };
  // A version as decoded, before the fold interns its names.
  struct NamedVersion {
    Version version;
    absl::string_view holder;
    absl::string_view target;
  };

  // Chunks of whole huge pages (large_blocks.h): 2 MiB of versions.
  using Versions = ChunkedVector<Version, 15>;
  // An announcement's slot in the fold's table: its id's hash
  // (StakeFoldIdHash) in the high 32 bits, its first version's index in
  // the low. Slots compare and hash by the id's hash alone, so that a slot
  // with any index finds the one of its hash.
  using HashSlot = uint64_t;
  struct SlotHash {
    size_t operator()(HashSlot slot) const {
      return absl::Hash<uint32_t>()(static_cast<uint32_t>(slot >> 32));
    }
  };
  struct SlotEq {
    bool operator()(HashSlot a, HashSlot b) const { return a >> 32 == b >> 32; }
  };
  using ByHash = absl::flat_hash_set<HashSlot, SlotHash, SlotEq, LargeAllocator<HashSlot>>;

  // `state` reads the generation the runs go to. REQUIRES: it outlives
  // the fold.
  explicit StakeBulkFold(const ProjectionTxn* state) : state_(state) {}

  std::unique_ptr<BulkBatch> NewBatch() const override;
  // From kStakeFoldReserveEventsMin positions on, reserves the
  // announcement table for an announcement per position, as many as
  // `bytes_max` holds at the bytes the fold counts for each.
  void Expect(uint64_t last_position, size_t bytes_max) override;
  absl::Status Fold(std::unique_ptr<BulkBatch> batch) override;
  size_t held_bytes() const override { return held_bytes_ + arena_.bytes() + names_arena_.bytes(); }
  std::vector<RunBuilder> TakeRuns(bool last) override;

 private:
  // Folds event `index` of `batch`. Errors: as Fold, without the prefix.
  absl::Status FoldEvent(const StakeBatch& batch, size_t index);
  // The first version of announcement `id`, read back from the generation
  // when an earlier run wrote its record; kNoVersion when it has none.
  // Errors: DATA_LOSS for a malformed record or entry. `hash` is
  // StakeFoldIdHash(id).
  absl::StatusOr<uint32_t> Find(absl::string_view id, uint32_t hash);
  // The first version of announcement `id`; when the fold has none, lists
  // `first` as its first version (the caller adds it next) and returns
  // kNoVersion. REQUIRES: written_ids_ is empty (no record to read back).
  uint32_t FindOrList(absl::string_view id, uint32_t hash, uint32_t first);
  // Lists `first` as the first version of `id`. REQUIRES: Find found none.
  void List(absl::string_view id, uint32_t hash, uint32_t first);
  // The same for an id whose hash another id's first version holds.
  void ListCollided(absl::string_view id, uint32_t first);
  // Reads the record of `id` and its versions back from the generation;
  // kNoVersion when there is none. Errors: as Find.
  absl::StatusOr<uint32_t> ReadBack(absl::string_view id, uint32_t hash);
  // The announcement id of version `index` (from its head).
  absl::string_view IdOf(uint32_t index) const;
  // The last version of the list that starts at `first`.
  uint32_t Last(uint32_t first) const;
  // `named`'s version with its names' ids.
  Version Interned(const NamedVersion& named);
  // Adds `version` to versions_, after version `last` of its announcement
  // (kNoVersion: none); returns its index.
  uint32_t AddVersion(const Version& version, uint32_t last);
  uint32_t Intern(absl::string_view name);
  absl::Status Correct(const StakeCorrection& correction, uint64_t position);
  absl::Status CorrectFact(uint32_t fact, const std::string& date, uint64_t position,
                           uint32_t first);

  const ProjectionTxn* const state_;
  // The blocks the versions' and ids' views point into: the batches', and
  // the fold's own (arena_) for what it reads back or makes.
  std::vector<ByteArena> arenas_;
  ByteArena arena_;
  // Chunked: growing it copies nothing (a rebuild holds millions), and the
  // runs find a version by index without a cache miss on the way.
  Versions versions_;
  // The announcements' first versions, found by their ids' hashes: a slot
  // of 8 bytes that growing rehashes without reading the id, where a map
  // by id would read every id again (tens of millions of cache misses at
  // 10M). At 10M the table is 150 MB touched for the first time on the
  // fold's thread (with 16-byte slots of a 64-bit hash, 285 MB). An id
  // whose hash an earlier id's slot holds goes to collided_.
  ByHash announcement_by_hash_;
  absl::flat_hash_map<absl::string_view, uint32_t> collided_;
  // Fund key (StakeFundKey) -> the position that established it last.
  absl::flat_hash_map<std::string, uint64_t> funds_;
  // Holder and target names, each once, kept across runs: a version holds
  // their ids, and the runs sort pairs by the names' ranks, as integers.
  ByteArena names_arena_;
  std::vector<absl::string_view> names_;
  absl::flat_hash_map<absl::string_view, uint32_t> name_ids_;
  // The table of the announcements the last runs wrote records of (its
  // keys are their ids' hashes), until the next Fold adds the hashes to
  // written_ids_; none after the last runs. Copying ten million hashes out
  // during the write cost a third of a second at 10M.
  ByHash written_table_;
  // Hashes of the announcement ids earlier runs wrote records of (a hash
  // another id shares only costs a read that finds no record).
  absl::flat_hash_set<uint32_t> written_ids_;
  // Besides arena_'s.
  size_t held_bytes_ = 0;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_STAKE_BULK_FOLD_H_
