// What the service knows of the domain: the entity registry and the
// recorded announcements, rebuilt from the "entities" and "announcements"
// streams at start and kept current by the appends that touch them.
//
// How it stays current: every append to those streams goes through
// EventStoreService, which holds the DomainWriteGate from validation
// (Prepare) until the state has applied the committed events (Apply), so
// the next domain append is validated against everything acknowledged
// before it. The alternative, a subscription following the log, would
// apply commits asynchronously: an importer that appends an announcement
// and then its correction could have the correction validated before the
// announcement reached the state. Appends to other streams never wait.
#ifndef STAKELEDGER_SERVICE_DOMAIN_STATE_H_
#define STAKELEDGER_SERVICE_DOMAIN_STATE_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/entity_registry.h"
#include "stakeledger/v1/announcements_service.pb.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/domain_snapshot_store.h"
#include "storage/event_log.h"

namespace stakeledger::v1 {
class DomainSnapshotChunk;
class DomainSnapshotHead;
}  // namespace stakeledger::v1

namespace stakeledger::service {

// The layout of the snapshot this build writes and reads
// (stakeledger/v1/domain_snapshot.proto and the IdKey hash); a snapshot of
// another version is ignored.
inline constexpr uint32_t kDomainSnapshotFormatVersion = 1;
// Announcements per snapshot chunk: a full chunk never changes (the state
// only grows), so a snapshot rewrites only the chunks after the last full
// one the stored snapshot holds. About 2.6 MB each (40 bytes an
// announcement).
inline constexpr uint32_t kDomainSnapshotChunkAnnouncements = 65'536;
// ledgerd writes a snapshot in the background once at least this many
// announcements were applied since the last one (about 4 MB of new chunks,
// and what a start then folds at most: about half a second).
inline constexpr uint64_t kDomainSnapshotEveryAnnouncementsMin = 100'000;

// One domain append at a time. Thread-safe.
class DomainWriteGate {
 public:
  // Waits up to `timeout` to enter. Returns false when it timed out.
  bool Enter(absl::Duration timeout);
  // REQUIRES: entered.
  void Leave();

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
};

// The canonical events of one validated domain append, applied once the
// log has committed them.
struct DomainBatch {
  std::vector<v1::Entity> entities;
  std::vector<v1::Announcement> announcements;
  // The event id of each of `announcements` (a SHA-256 each: derived once).
  std::vector<std::string> announcement_event_ids;
};

// What Load found.
struct DomainLoadReport {
  size_t entities = 0;
  size_t announcements = 0;
  // Events of the two streams that could not be used (an undecodable
  // payload, a refused entity), at most kSkippedShownMax of them.
  std::vector<std::string> skipped;
  static constexpr size_t kSkippedShownMax = 100;
  // Whether the state came from the stored snapshot, covering the log up
  // to snapshot_position; folded_events of the two streams followed it.
  // (`skipped` then lists only skipped events after the snapshot.)
  bool from_snapshot = false;
  uint64_t snapshot_position = 0;
  uint64_t folded_events = 0;
  // Why a stored snapshot was not used: empty when there was none or it
  // was used.
  std::string snapshot_ignored;
};

// What WriteSnapshot did.
struct DomainSnapshotReport {
  uint64_t position = 0;
  uint64_t announcements = 0;
  size_t total_bytes = 0;
  size_t written_bytes = 0;
  // How long the write gate was held (appends to the two streams wait
  // that long at most), and the longest single hold of the state's lock
  // (queries wait that long at most).
  absl::Duration gate_held;
  absl::Duration lock_held_max;
  absl::Duration took;
};

// Thread-safe: queries run concurrently with each other and with Apply.
class DomainState {
 public:
  // Named limits of the queries.
  static constexpr uint32_t kPageSizeDefault = 100;
  static constexpr uint32_t kPageSizeMax = 1000;

  // Loads the state of `log`: from its stored snapshot and the events of
  // both streams after it when the snapshot checks out (see above), else
  // from every event of both streams. Errors: as the log's reads (a bad
  // snapshot is not an error).
  absl::StatusOr<DomainLoadReport> Load(const storage::EventLog& log);

  // Writes a snapshot of the state as it is now, keeping the stored
  // snapshot's full chunks that still hold. Holds the write gate (waiting
  // up to `gate_timeout` for it) only to copy the small part of the state
  // and the last chunk, and the state's lock a chunk at a time.
  // REQUIRES: Load succeeded; the caller does not hold the gate; not
  // called concurrently with itself. Errors, with the stored snapshot
  // unchanged: NOT_FOUND when both streams are empty (nothing to keep);
  // DEADLINE_EXCEEDED when the gate was not free in time;
  // RESOURCE_EXHAUSTED when it would exceed `bytes_max`;
  // FAILED_PRECONDITION when the stored snapshot lost chunks this state
  // kept (the next call writes every chunk); as DomainSnapshotStore::Write.
  absl::StatusOr<DomainSnapshotReport> WriteSnapshot(
      size_t bytes_max = storage::kDomainSnapshotBytesMax,
      absl::Duration gate_timeout = absl::Seconds(5));

  // Announcements, and events of both streams, applied since the last
  // snapshot was written or attempted (since Load, when none was: all
  // that Load read from the log rather than the snapshot).
  uint64_t announcements_since_snapshot() const;
  uint64_t events_since_snapshot() const;

  // Whether `request` is a domain append: to stream "entities" or
  // "announcements", or with an event of a domain type.
  static bool IsDomainAppend(const v1::AppendRequest& request);

  // Validates a domain append (payloads in JSON or the binary form) and
  // rewrites it in place: payloads canonical (entities named by id) in the
  // binary form, event ids derived, content type set; a retry of an event
  // an earlier build stored as JSON gets those JSON bytes back. REQUIRES: the caller holds the
  // write gate. Errors: INVALID_ARGUMENT "events[i]: FIELD: reason" for the first bad event (a
  // domain type in another stream, another type in a domain stream, a wrong content type or event
  // id, an invalid entity or announcement, a new announcement whose announced_date is after the
  // day it is recorded); ALREADY_EXISTS for an id recorded with other content.
  absl::StatusOr<DomainBatch> Prepare(v1::AppendRequest* request) const;

  // Applies a batch the log committed as `response` (nothing for an
  // idempotent replay). REQUIRES: the caller holds the write gate.
  void Apply(const DomainBatch& batch, const v1::AppendResponse& response);

  std::vector<v1::Entity> ListEntities() const;
  // The ids of the funds whose sponsor (Entity.parent) is `sponsor`, in the
  // registry's order: what the look-through queries add to a holder.
  std::vector<std::string> FundsOf(absl::string_view sponsor) const;
  // Errors: INVALID_ARGUMENT for an unknown name, listing the closest.
  absl::StatusOr<v1::Entity> ResolveEntity(absl::string_view name) const;
  // Errors: see the Announcements service in announcements_service.proto.
  absl::StatusOr<v1::ListAnnouncementsResponse> ListAnnouncements(
      const v1::ListAnnouncementsRequest& request) const;

  DomainWriteGate& gate() { return gate_; }

 private:
  // What validation and listing need of one recorded announcement (24
  // bytes); the full record stays in the log and is read back by position
  // (ReadRecord) when a page is built or a retry is compared.
  struct Compact {
    uint64_t position = 0;
    // The announced date's first and last day (YYYYMMDD).
    int32_t first_day = 0;
    int32_t last_day = 0;
    // Start of its entity codes in entity_pool_ (they end where the next
    // announcement's start).
    uint32_t entities_begin = 0;
    uint32_t fact_count : 31;
    // Recorded by a build that stored protobuf's JSON mapping.
    uint32_t stored_as_json : 1;
  };

  // Fold the events of the stream from `from_revision` on.
  // A 64-bit hash of an announcement id, for by_id_key_: FNV-1a, stable
  // across builds and processes because snapshots keep it.
  static uint64_t IdKey(absl::string_view id);
  absl::Status LoadEntities(const storage::EventLog& log, uint64_t from_revision,
                            DomainLoadReport* report) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status LoadAnnouncements(const storage::EventLog& log, uint64_t from_revision,
                                 DomainLoadReport* report) ABSL_LOCKS_EXCLUDED(mu_);
  // One event of a stream, as Load folds it (skipped with the reason when
  // it cannot be used).
  void FoldEntity(const v1::RecordedEvent& event, DomainLoadReport* report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FoldAnnouncement(const v1::RecordedEvent& event, DomainLoadReport* report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The snapshot half of Load (domain_snapshot.cc): restores the stored
  // snapshot and folds what follows it. Errors: why it was not used (the
  // state is then empty again).
  absl::Status LoadFromSnapshot(const storage::EventLog& log, DomainLoadReport* report)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Rebuilds the state from `head` and the chunks of `read`, read one at
  // a time. Errors: DATA_LOSS when a chunk is missing or does not match its
  // checksum, or they do not describe a consistent state; UNAVAILABLE.
  absl::Status RestoreLocked(const v1::DomainSnapshotHead& head,
                             const storage::DomainSnapshotStore& store,
                             const storage::DomainSnapshotRead& read)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RestoreChunkLocked(const v1::DomainSnapshotChunk& chunk)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rebuilds by_entity_ from entity_pool_ and corrects_.
  void IndexEntitiesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sets id_keys_ to every announcement's key again (from by_id_key_ and
  // colliding_ids_) so that the next snapshot writes every chunk.
  void RecoverIdKeysLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Empties the state (after a snapshot that did not check out).
  void ClearLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The head of a snapshot: the small part of the state and the streams.
  absl::StatusOr<v1::DomainSnapshotHead> SnapshotHeadLocked() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Announcements [begin, end) as a chunk. REQUIRES: id_keys_begin_ <=
  // begin <= end <= announcements_.size().
  v1::DomainSnapshotChunk SnapshotChunkLocked(size_t begin, size_t end) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `announcement` may have its facts moved from (it is not needed after).
  void AddAnnouncement(v1::Announcement* announcement, uint64_t position, bool stored_as_json)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t EntityCode(const std::string& entity_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds to `codes` the entities announcement `index` names, directly or
  // through the announcements it corrects (kCorrectionDepthMax deep).
  void CollectNamed(uint32_t index, int depth, std::vector<uint32_t>* codes) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The index of the recorded announcement `id`, or nullopt.
  // Errors: as ReadRecord, when the id's key is recorded.
  absl::StatusOr<std::optional<uint32_t>> FindAnnouncement(absl::string_view id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends to `response` the recorded announcements at `positions`
  // (ascending), read from the log, nearby ones a chunk at a time.
  // Errors: DATA_LOSS when one is not there; as the log's reads.
  absl::Status ReadRecords(const std::vector<uint64_t>& positions,
                           v1::ListAnnouncementsResponse* response) const;
  absl::StatusOr<v1::RecordedAnnouncement> ReadRecord(uint64_t position) const;
  absl::StatusOr<v1::ProposedEvent> PrepareEntity(const v1::ProposedEvent& event,
                                                  domain::EntityRegistry* scratch,
                                                  DomainBatch* batch) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::ProposedEvent> PrepareAnnouncement(
      const v1::ProposedEvent& event, absl::flat_hash_map<std::string, size_t>* batch_facts,
      DomainBatch* batch) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Set once by Load; the log outlives this state.
  const storage::EventLog* log_ = nullptr;
  DomainWriteGate gate_;
  // One WriteSnapshot at a time.
  std::mutex snapshot_mu_;
  mutable std::mutex mu_;
  // The IdKey of announcements [id_keys_begin_, announcements_.size()):
  // those the stored snapshot's full chunks do not hold yet, which the
  // next snapshot writes (a multiple of kDomainSnapshotChunkAnnouncements).
  std::vector<uint64_t> id_keys_ ABSL_GUARDED_BY(mu_);
  size_t id_keys_begin_ ABSL_GUARDED_BY(mu_) = 0;
  // Full chunks of the stored snapshot that hold the state's first
  // announcements (0 when none is known to).
  size_t snapshot_chunks_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t announcements_since_snapshot_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t events_since_snapshot_ ABSL_GUARDED_BY(mu_) = 0;
  domain::EntityRegistry registry_ ABSL_GUARDED_BY(mu_);
  // Ids of the entities an earlier build stored as JSON (a retry of one
  // must send that form again).
  absl::flat_hash_set<std::string> json_entities_ ABSL_GUARDED_BY(mu_);
  // In log order (so by position).
  std::vector<Compact> announcements_ ABSL_GUARDED_BY(mu_);
  // Announcement id, hashed (IdKey) -> index into announcements_: 12 bytes
  // a slot where the id itself would take 40 or more, and the id is in the
  // log. A hit is confirmed there (FindAnnouncement), which only retries
  // and corrections cost.
  absl::flat_hash_map<uint64_t, uint32_t> by_id_key_ ABSL_GUARDED_BY(mu_);
  // The ids whose key an earlier id already had (almost never any).
  absl::flat_hash_map<std::string, uint32_t> colliding_ids_ ABSL_GUARDED_BY(mu_);
  // Entity id -> a small code, for the two tables below.
  absl::flat_hash_map<std::string, uint32_t> entity_codes_ ABSL_GUARDED_BY(mu_);
  // The codes of the entities each announcement's facts name, sorted and
  // unique per announcement, announcements one after another.
  std::vector<uint32_t> entity_pool_ ABSL_GUARDED_BY(mu_);
  // Index -> the indexes of the announcements its facts correct (few
  // announcements correct any).
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> corrects_ ABSL_GUARDED_BY(mu_);
  // Entity code -> the indexes (ascending) of the announcements that name
  // it, directly or through the announcements they correct: what
  // ListAnnouncements for one entity reads instead of every announcement.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> by_entity_ ABSL_GUARDED_BY(mu_);
};

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_DOMAIN_STATE_H_
