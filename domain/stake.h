// Stakes: integer parts per million of a company's equity, with a
// qualifier. A resulting stake lies in 0..1,000,000; a change (negative for
// a sale) in -1,000,000..1,000,000.
#ifndef STAKELEDGER_DOMAIN_STAKE_H_
#define STAKELEDGER_DOMAIN_STAKE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::domain {

enum class StakeKind {
  // A holding: 0..kPpmWhole.
  kHolding,
  // A change of a holding (StakeChange.change): -kPpmWhole..kPpmWhole.
  kChange,
};

// Checks one Stake; `path` names it in messages.
// Errors: INVALID_ARGUMENT for ppm outside the kind's range ("PATH.ppm:
// 1200000 is outside 0..1000000") or a qualifier outside the enum.
absl::Status ValidateStake(const v1::Stake& stake, StakeKind kind, absl::string_view path);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_STAKE_H_
