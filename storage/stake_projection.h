// The `stake-ownership` projection and its bitemporal queries. The index
// (docs/projections.md) holds every version of every stake fact keyed by
// (holder, target, period start, position, fact, part, known_from), each
// with the transaction-time interval [known_from, known_until) in which it
// was the current version. A correction closes the interval of the versions
// it names and, for a corrected date, opens a new version at the new
// period start. A query seeks to (holder, target, as_of) and walks back
// over that pair's entries only, so its cost does not grow with the log.
#ifndef STAKELEDGER_STORAGE_STAKE_PROJECTION_H_
#define STAKELEDGER_STORAGE_STAKE_PROJECTION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/projection.h"
#include "storage/stake_facts.h"

namespace stakeledger::storage {

inline constexpr char kStakeOwnershipProjection[] = "stake-ownership";
// Known-at meaning "everything in the log".
inline constexpr uint64_t kKnownAtHead = UINT64_MAX;

class StakeOwnershipProjection : public Projection {
 public:
  absl::string_view name() const override { return kStakeOwnershipProjection; }
  // 3: entry values without the fields their keys hold (StakeEntryValue).
  // 2: one record of versions per announcement ('f' id; 1 had a location
  // per fact and an 'n' count), no 'h' member keys.
  uint32_t layout_version() const override { return 3; }
  // Announcements only.
  std::vector<std::string> event_types() const override;
  // Folds announcement events; every other event changes nothing.
  // Errors: INVALID_ARGUMENT for a payload that does not parse or a date
  // that does not; as RocksDB reads; DATA_LOSS for a corrupt entry.
  absl::Status Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) override;
  // Decodes an announcement's payload and extracts its facts
  // (DecodedStakeEvent, stake_bulk_fold.h); nullptr for other events.
  std::unique_ptr<DecodedEvent> Decode(const v1::RecordedEvent& event) const override;
  absl::Status ApplyDecoded(const v1::RecordedEvent& event, const DecodedEvent* decoded,
                            ProjectionTxn* txn) override;
  // StakeBulkFold (stake_bulk_fold.h).
  std::unique_ptr<BulkFold> NewBulkFold(const ProjectionTxn* state) const override;
};

// state(as_of_day, known_at) of (holder, target); as_of_day is YYYYMMDD.
// Errors: as RocksDB reads; DATA_LOSS for a corrupt entry. Thread-safe.
absl::StatusOr<StakeAnswer> QueryStake(const Database& db, absl::string_view holder,
                                       absl::string_view target, int as_of_day, uint64_t known_at);

struct StakeHolding {
  std::string other;  // the holder (Holders) or the target (Portfolio)
  StakeAnswer answer;
};
// Every holder of `target` with a stake above 0 at (as_of_day, known_at),
// in name order. Errors: as QueryStake.
absl::StatusOr<std::vector<StakeHolding>> QueryHolders(const Database& db, absl::string_view target,
                                                       int as_of_day, uint64_t known_at);
// Every target `holder` has a stake above 0 in. Errors: as QueryStake.
absl::StatusOr<std::vector<StakeHolding>> QueryPortfolio(const Database& db,
                                                         absl::string_view holder, int as_of_day,
                                                         uint64_t known_at);

struct StakePair {
  std::string holder;
  std::string target;
  StakeAnswer answer;
};
struct StakePage {
  // Ordered by (target, holder).
  std::vector<StakePair> stakes;
  // Pass as `after` for the next page; empty on the last page.
  std::string next_after;
};
// Every (holder, target) with a stake above 0 at (as_of_day, known_at):
// the pairs after `after` ("target NUL holder" of the last pair of the
// previous page; empty for the first), at most `pairs_max` pairs visited
// (with a stake or not). Cost: one pair query per pair visited, whatever
// the log's length. Errors: as QueryStake.
// REQUIRES: pairs_max > 0.
absl::StatusOr<StakePage> QueryAllStakes(const Database& db, int as_of_day, uint64_t known_at,
                                         absl::string_view after, size_t pairs_max);

struct TimelineStep {
  v1::StakeEntry fact;
  // The stake after folding this fact, clamped to 0..kWholePpm.
  int64_t ppm = 0;
};
// The facts of (holder, target) known at `known_at`, corrected, in valid
// time order, with the stake after each. Errors: as QueryStake.
absl::StatusOr<std::vector<TimelineStep>> QueryTimeline(const Database& db,
                                                        absl::string_view holder,
                                                        absl::string_view target,
                                                        uint64_t known_at);

// Every version of every fact of (holder, target), visible or not, in key
// order. Errors: as QueryStake.
absl::StatusOr<std::vector<v1::StakeEntry>> QueryPairVersions(const Database& db,
                                                              absl::string_view holder,
                                                              absl::string_view target);

struct StakeTransition {
  uint64_t position = 0;
  enum Kind { kFact, kWithdrawn, kMoved } kind = kFact;
  v1::StakeEntry fact;
  // The latest stake known after `position` (as of the end of valid time).
  StakeAnswer after;
};
// The changes to what the index knew about (holder, target) at positions
// from..to (inclusive), in position order: every version opened or closed
// there. At most `steps_max` changes, except that all changes of the last
// position returned are included, so that the next call can start at the
// position after it. Cost grows with the pair's entries, not the log.
// Errors: as QueryStake.
absl::StatusOr<std::vector<StakeTransition>> QueryTransitions(const Database& db,
                                                              absl::string_view holder,
                                                              absl::string_view target,
                                                              uint64_t from, uint64_t to,
                                                              size_t steps_max = SIZE_MAX);

// The funds `sponsor` established (FundEstablished), in name order.
absl::StatusOr<std::vector<std::string>> QueryFunds(const Database& db, absl::string_view sponsor,
                                                    uint64_t known_at);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_STAKE_PROJECTION_H_
