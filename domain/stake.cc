#include "domain/stake.h"

#include "absl/strings/str_cat.h"
#include "domain/limits.h"
#include "domain/money.h"

namespace stakeledger::domain {

absl::Status ValidateStake(const v1::Stake& stake, StakeKind kind, absl::string_view path) {
  const int64_t low = kind == StakeKind::kChange ? -kPpmWhole : 0;
  if (stake.ppm() < low || stake.ppm() > kPpmWhole) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".ppm: ", stake.ppm(), " is outside ", low,
                                                   "..", kPpmWhole, " (parts per million)"));
  }
  return ValidateQualifier(stake.qualifier(), path);
}

}  // namespace stakeledger::domain
