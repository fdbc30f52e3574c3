// The checks of one fact that need neither the registry nor the log: the
// kind is set, the quote is there, required fields are present, and every
// value is in range (money, stakes, dates, enums, text sizes). Entity names
// and corrections are checked by announcement_check.h.
#ifndef STAKELEDGER_DOMAIN_FACT_CHECK_H_
#define STAKELEDGER_DOMAIN_FACT_CHECK_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::domain {

// `path` names the fact ("facts[2]"). Errors: INVALID_ARGUMENT naming the
// field and its value: "facts[2]: no kind (one of stake_change, ...)",
// "facts[2].quote: missing", "facts[2].stake_change.resulting_stake.ppm:
// 1200000 is outside 0..1000000", "facts[2].acquisition.effective_date:
// '2023-02-29' is not a date: February 2023 has 28 days", ...
absl::Status CheckFactFields(const v1::Fact& fact, absl::string_view path);

// Checks an optional date string field: empty passes. Errors:
// INVALID_ARGUMENT "PATH: 'TEXT' is not a date: ...".
absl::Status CheckOptionalDate(absl::string_view text, absl::string_view path);

// Checks a free-text field against kTextBytesMax. Errors: INVALID_ARGUMENT.
absl::Status CheckText(absl::string_view text, absl::string_view path);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_FACT_CHECK_H_
