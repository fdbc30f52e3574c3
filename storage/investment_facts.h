// The investment facts of an announcement, the money arithmetic over them,
// and the naive replay the `investments` index is tested against. Pure
// functions, no storage. docs/projections.md "investments" states the
// semantics; investment_projection.h answers them from the index.
#ifndef STAKELEDGER_STORAGE_INVESTMENT_FACTS_H_
#define STAKELEDGER_STORAGE_INVESTMENT_FACTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/announcement.pb.h"
#include "stakeledger/v1/projections.pb.h"
#include "storage/stake_facts.h"

namespace stakeledger::storage {

// Rows (capital or totals), acquisitions and joint ventures one answer may
// hold, each. A holder past it must be asked about one year at a time.
inline constexpr size_t kInvestmentRowsMax = 4096;
// The valid-time day that stands for "the end of time" (no year asked).
inline constexpr int kEndOfTimeDay = 99991231;

struct InvestmentFacts {
  // One entry per participant of a round, acquisition, and partner of a
  // joint venture; known_from = position, known_until 0.
  std::vector<v1::InvestmentEntry> entries;
  // As the stake-ownership projection reads them (stake_facts.h).
  std::vector<StakeCorrection> corrections;
  uint32_t fact_count = 0;
};

// Extracts the investment facts: FundingRound participants (INVESTED when
// the round has an effective_date, COMMITTED when not), acquisitions
// (ANNOUNCED: COMMITTED, COMPLETED: INVESTED, TERMINATED: NOT_COUNTED) and
// joint-venture partners (not counted as capital). A fact without
// effective_date takes the announcement's announced_date.
// Errors: INVALID_ARGUMENT for an unparseable date.
absl::StatusOr<InvestmentFacts> ExtractInvestmentFacts(const v1::Announcement& announcement,
                                                       uint64_t position, int64_t recorded_at_us);

// The year (1..9999) of an entry's effective date.
// Errors: INVALID_ARGUMENT for an unparseable date.
absl::StatusOr<int> EntryYear(const v1::InvestmentEntry& entry);

// The qualifier of a sum of two qualified amounts: EXACT (or unspecified)
// parts change nothing, equal qualifiers stay, different ones give
// APPROXIMATELY. Commutative and associative, so a sum's qualifier does
// not depend on the order of its parts.
v1::Qualifier JoinQualifiers(v1::Qualifier a, v1::Qualifier b);

// Adds `part` to `sum` (same currency; an unset sum is 0 EXACT). A sum
// past INT64_MAX stays INT64_MAX, qualified AT_LEAST (joined as above).
// REQUIRES: part.minor_units() >= 0 (domain/money.h).
void AddMoney(const v1::Money& part, v1::Money* sum);

// Adds the sums and counts of `part` to `sum` (same year and currency;
// AddMoney for each sum), leaving `sum`'s target as it is.
void AddCapitalRow(const v1::CapitalRow& part, v1::CapitalRow* sum);

// Adds one visible entry, when COMMITTED or INVESTED, to the row of its (target, year,
// currency) in `capital` and of its (year, currency) in `totals`, keyed
// in the order the answer lists them.
struct CapitalKey {
  uint32_t year = 0;
  std::string target;
  std::string currency;
  bool operator<(const CapitalKey& other) const;
};
void AddToCapital(const v1::InvestmentEntry& entry, uint32_t year,
                  std::map<CapitalKey, v1::CapitalRow>* capital,
                  std::map<CapitalKey, v1::CapitalRow>* totals);

// Fills capital and totals of `response` from the maps, in key order.
// Errors: RESOURCE_EXHAUSTED when a list of `response` (with these) holds
// more than kInvestmentRowsMax entries, naming the holder and the list.
absl::Status FinishInvestments(absl::string_view holder,
                               const std::map<CapitalKey, v1::CapitalRow>& capital,
                               const std::map<CapitalKey, v1::CapitalRow>& totals,
                               v1::InvestmentsResponse* response);

// The reference semantics: takes the events at positions <= known_at,
// applies the corrections among them in log order and sums, lists and
// orders the holder's facts with no index. Cost grows with the log; for
// tests only. year 0 = every year.
// Errors: INVALID_ARGUMENT for an unparseable date; RESOURCE_EXHAUSTED
// past kInvestmentRowsMax (as QueryInvestments).
absl::StatusOr<v1::InvestmentsResponse> NaiveInvestments(const std::vector<LoggedAnnouncement>& log,
                                                         absl::string_view holder, uint32_t year,
                                                         uint64_t known_at);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_INVESTMENT_FACTS_H_
