#include "domain/date.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace stakeledger::domain {
namespace {

using ::testing::HasSubstr;

void ExpectNotADate(absl::string_view text, absl::string_view why) {
  const absl::StatusOr<Date> date = ParseDate(text);
  ASSERT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument) << text;
  EXPECT_THAT(date.status().message(), HasSubstr(why)) << text;
}

TEST(ParseDate, YearFormHasYearPrecision) {
  const absl::StatusOr<Date> date = ParseDate("2017");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->precision, DatePrecision::kYear);
  EXPECT_EQ(date->year, 2017);
  EXPECT_EQ(date->FirstDayKey(), 20170101);
  EXPECT_EQ(date->LastDayKey(), 20171231);
}

TEST(ParseDate, MonthFormHasMonthPrecision) {
  const absl::StatusOr<Date> date = ParseDate("2024-02");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->precision, DatePrecision::kMonth);
  EXPECT_EQ(date->FirstDayKey(), 20240201);
  EXPECT_EQ(date->LastDayKey(), 20240229);  // a leap year
}

TEST(ParseDate, DayFormHasDayPrecision) {
  const absl::StatusOr<Date> date = ParseDate("2025-01-21");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->precision, DatePrecision::kDay);
  EXPECT_EQ(date->FirstDayKey(), 20250121);
  EXPECT_EQ(date->LastDayKey(), 20250121);
  EXPECT_EQ(date->ToString(), "2025-01-21");
}

TEST(ParseDate, LeapDayExistsOnlyInLeapYears) {
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
  EXPECT_TRUE(ParseDate("2000-02-29").ok());
  ExpectNotADate("2023-02-29", "February 2023 has 28 days");
  ExpectNotADate("1900-02-29", "February 1900 has 28 days");
}

TEST(ParseDate, ImpossibleDatesAreRefused) {
  ExpectNotADate("2024-04-31", "April 2024 has 30 days");
  ExpectNotADate("2024-13", "month must be 01..12");
  ExpectNotADate("2024-00-10", "month must be 01..12");
  ExpectNotADate("2024-01-00", "January 2024 has 31 days");
  ExpectNotADate("0000", "no year 0000");
}

TEST(ParseDate, OtherFormsAreRefused) {
  for (const char* text : {"", "24", "2024-1", "2024-01-1", "2024/01/01", " 2024", "2024 ",
                           "２０２４", "2024-01-01T00:00", "20240101", "year"}) {
    ExpectNotADate(text, "expected YYYY, YYYY-MM or YYYY-MM-DD");
  }
}

TEST(ParseDate, ToStringKeepsThePrecision) {
  EXPECT_EQ(ParseDate("2017")->ToString(), "2017");
  EXPECT_EQ(ParseDate("2023-09")->ToString(), "2023-09");
}

}  // namespace
}  // namespace stakeledger::domain
