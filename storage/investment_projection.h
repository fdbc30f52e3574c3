// The `investments` projection and its query (docs/projections.md
// "investments"). The index holds every version of every investment fact
// twice over where needed: by (holder, year, target) for the capital sums
// and by (holder, target, period start) for the acquisitions and joint
// ventures, each version with the transaction-time interval
// [known_from, known_until) in which it was current. A correction closes
// the versions it names and, for a corrected date, opens one at the new
// date (possibly another year). A query reads only the holder's own
// entries, so its cost does not grow with the log.
#ifndef STAKELEDGER_STORAGE_INVESTMENT_PROJECTION_H_
#define STAKELEDGER_STORAGE_INVESTMENT_PROJECTION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "stakeledger/v1/projections.pb.h"
#include "storage/db.h"
#include "storage/investment_facts.h"
#include "storage/projection.h"

namespace stakeledger::storage {

inline constexpr char kInvestmentsProjection[] = "investments";

class InvestmentsProjection : public Projection {
 public:
  absl::string_view name() const override { return kInvestmentsProjection; }
  // 2: one record of versions per announcement ('f' id; 1 had a location
  // per fact and an 'n' count).
  uint32_t layout_version() const override { return 2; }
  // Folds announcement events; every other event changes nothing.
  // Errors: INVALID_ARGUMENT for a payload that does not parse or a date
  // that does not; as RocksDB reads; DATA_LOSS for a corrupt entry.
  // Thread-safe (no state of its own).
  absl::Status Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) override;
};

// The investments of `holder` known at `known_at`: capital, totals,
// acquisitions and joint ventures of `InvestmentsResponse`, the other
// fields left unset. year 0 = every year. Answers as NaiveInvestments.
// Cost: the versions of the holder's capital entries (of that year) plus,
// per deal of the holder, a seek and the versions it skips.
// Errors: RESOURCE_EXHAUSTED past kInvestmentRowsMax; as RocksDB reads;
// DATA_LOSS for a corrupt entry. Thread-safe.
absl::StatusOr<v1::InvestmentsResponse> QueryInvestments(const Database& db,
                                                         absl::string_view holder, uint32_t year,
                                                         uint64_t known_at);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_INVESTMENT_PROJECTION_H_
