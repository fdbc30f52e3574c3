#include "domain/date.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace stakeledger::domain {
namespace {

constexpr size_t kYearDigits = 4;
constexpr size_t kYearTextBytes = 4;   // YYYY
constexpr size_t kMonthTextBytes = 7;  // YYYY-MM
constexpr size_t kDayTextBytes = 10;   // YYYY-MM-DD
constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int ToInt(absl::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

absl::Status NotADate(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a date: ", why));
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

}  // namespace

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

const char* PrecisionName(DatePrecision precision) {
  switch (precision) {
    case DatePrecision::kYear:
      return "year";
    case DatePrecision::kMonth:
      return "month";
    case DatePrecision::kDay:
      return "day";
  }
  return "?";
}

int Date::FirstDayKey() const {
  return year * 10000 + (month == 0 ? 1 : month) * 100 + (day == 0 ? 1 : day);
}

int Date::LastDayKey() const {
  const int last_month = month == 0 ? 12 : month;
  const int last_day = day == 0 ? DaysInMonth(year, last_month) : day;
  return year * 10000 + last_month * 100 + last_day;
}

std::string Date::ToString() const {
  switch (precision) {
    case DatePrecision::kYear:
      return absl::StrFormat("%04d", year);
    case DatePrecision::kMonth:
      return absl::StrFormat("%04d-%02d", year, month);
    case DatePrecision::kDay:
      return absl::StrFormat("%04d-%02d-%02d", year, month, day);
  }
  return "";
}

absl::StatusOr<Date> ParseDate(absl::string_view text) {
  const size_t size = text.size();
  if (size != kYearTextBytes && size != kMonthTextBytes && size != kDayTextBytes) {
    return NotADate(text, "expected YYYY, YYYY-MM or YYYY-MM-DD");
  }
  if (!AllDigits(text.substr(0, kYearDigits)) || (size > kYearTextBytes && text[4] != '-') ||
      (size > kMonthTextBytes && text[7] != '-') ||
      (size > kYearTextBytes && !AllDigits(text.substr(5, 2))) ||
      (size > kMonthTextBytes && !AllDigits(text.substr(8, 2)))) {
    return NotADate(text, "expected YYYY, YYYY-MM or YYYY-MM-DD");
  }
  Date date;
  date.year = ToInt(text.substr(0, kYearDigits));
  if (date.year == 0) return NotADate(text, "there is no year 0000");
  if (size == kYearTextBytes) return date;
  date.month = ToInt(text.substr(5, 2));
  if (date.month < 1 || date.month > 12) return NotADate(text, "month must be 01..12");
  date.precision = DatePrecision::kMonth;
  if (size == kMonthTextBytes) return date;
  date.day = ToInt(text.substr(8, 2));
  const int days = DaysInMonth(date.year, date.month);
  if (date.day < 1 || date.day > days) {
    return NotADate(
        text, absl::StrCat(kMonthNames[date.month - 1], " ", date.year, " has ", days, " days"));
  }
  date.precision = DatePrecision::kDay;
  return date;
}

}  // namespace stakeledger::domain
