// Money: an integer of minor units of an ISO 4217 currency, never negative
// (a loss is a field of its own, FinancialResults.net_loss), never floating
// point.
#ifndef STAKELEDGER_DOMAIN_MONEY_H_
#define STAKELEDGER_DOMAIN_MONEY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::domain {

// True when `code` is an active ISO 4217 alphabetic code ("USD", "JPY",
// "KRW", ...) in the fixed list of money.cc. Upper case only.
bool IsKnownCurrency(absl::string_view code);

// Digits of the minor unit of a known currency: 2 for USD (cents), 0 for
// JPY and KRW, 3 for BHD. REQUIRES: IsKnownCurrency(code).
int MinorUnitDigits(absl::string_view code);

// Checks one Money value; `path` names it in messages ("facts[0].acquisition.price").
// Errors: INVALID_ARGUMENT for negative minor_units ("PATH.minor_units: -5
// is negative"), an empty or unknown currency ("PATH.currency: unknown
// currency 'USX'"), or a qualifier outside the enum.
absl::Status ValidateMoney(const v1::Money& money, absl::string_view path);

// Checks a qualifier is one of the enum's values. Errors: INVALID_ARGUMENT.
absl::Status ValidateQualifier(int qualifier, absl::string_view path);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_MONEY_H_
