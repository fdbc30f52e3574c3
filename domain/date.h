// Date strings of the schema: "YYYY", "YYYY-MM" or "YYYY-MM-DD". The form is
// the precision: "2017" says only the year. Sources are often that vague,
// so a date stands for a period (a year, a month or a day), not a point.
#ifndef STAKELEDGER_DOMAIN_DATE_H_
#define STAKELEDGER_DOMAIN_DATE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace stakeledger::domain {

enum class DatePrecision { kYear, kMonth, kDay };

// A parsed date string. Fields finer than the precision are 0.
struct Date {
  int year = 0;   // 1..9999
  int month = 0;  // 1..12, or 0 at year precision
  int day = 0;    // 1..31, or 0 unless day precision
  DatePrecision precision = DatePrecision::kYear;

  // The first and the last day of the period, as YYYYMMDD integers, which
  // order like the days they name: "2024-02" is 20240201..20240229.
  int FirstDayKey() const;
  int LastDayKey() const;
  // The date string again, in its own precision.
  std::string ToString() const;
};

// Parses a date string. Exactly four year digits, two month and two day
// digits, ASCII dashes, nothing else (no spaces, no time).
// Errors: INVALID_ARGUMENT for any other form, year 0000, month outside
// 1..12, or a day the month does not have ("2023-02-29"); the message
// quotes the text and says what is wrong, without a field path (the caller
// adds it).
absl::StatusOr<Date> ParseDate(absl::string_view text);

// Days in `month` of `year` (Gregorian). REQUIRES: 1 <= month <= 12.
int DaysInMonth(int year, int month);

const char* PrecisionName(DatePrecision precision);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_DATE_H_
