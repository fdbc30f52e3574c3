// What one fact of an announcement says about ownership, read from the
// announcement alone: the rules of docs/projections.md ("Stake facts"),
// for a client that checks a server's answer against the record it rests
// on (clients/audit_report.h). Pure; thread-safe.
#ifndef STAKELEDGER_DOMAIN_STAKE_STATEMENT_H_
#define STAKELEDGER_DOMAIN_STAKE_STATEMENT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::domain {

inline constexpr int64_t kWholeCompanyPpm = 1'000'000;

struct StakeStatement {
  std::string holder;
  std::string target;
  // The fact's effective date, else the announcement's announced_date.
  std::string effective_date;
  // True: ppm is the stake after the fact; false: a change.
  bool absolute = false;
  int64_t ppm = 0;
  v1::Qualifier qualifier = v1::QUALIFIER_UNSPECIFIED;
  std::string quote;
};

// The statement of fact `fact_index` (and for a joint venture, partner
// `part`): a StakeChange (resulting_stake absolute, else change a delta),
// a COMPLETED acquisition (no stake: the whole company), a joint-venture
// partner's share. nullopt when the fact, or the part, states no stake.
std::optional<StakeStatement> StakeStatementOf(const v1::Announcement& announcement,
                                               uint32_t fact_index, uint32_t part);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_STAKE_STATEMENT_H_
