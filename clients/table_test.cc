#include "clients/table.h"

#include <sstream>

#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

std::vector<Column> TwoColumns() {
  return {{"NAME", Align::kLeft, 8}, {"N", Align::kRight, 4}, {"NOTE", Align::kLeft, 6}};
}

TEST(TablePrinter, WidthsFitTheWidestCellOrHeader) {
  std::ostringstream out;
  TablePrinter table(TwoColumns(), &out);
  table.AddRow({"a", "10", "x"});
  table.AddRow({"abcde", "7", "yy"});
  table.Flush();
  EXPECT_EQ(out.str(),
            "NAME    N  NOTE\n"
            "a      10  x\n"
            "abcde   7  yy\n");
}

TEST(TablePrinter, LongTextIsCutAtWidthMaxButNumbersAreNot) {
  std::ostringstream out;
  TablePrinter table(TwoColumns(), &out);
  table.AddRow({"abcdefghijkl", "123456", "n"});
  table.Flush();
  EXPECT_EQ(out.str(),
            "NAME           N  NOTE\n"
            "abcdefg\u2026  123456  n\n");
}

TEST(TablePrinter, PrintsNothingWithoutRows) {
  std::ostringstream out;
  TablePrinter table(TwoColumns(), &out);
  table.Flush();
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(table.row_count(), 0u);
}

TEST(TablePrinter, FullBlockIsPrintedWithItsOwnHeader) {
  std::ostringstream out;
  TablePrinter table(TwoColumns(), &out, /*block_rows_max=*/2);
  table.AddRow({"a", "1", ""});
  table.AddRow({"b", "2", ""});
  EXPECT_EQ(out.str(), "NAME  N  NOTE\na     1\nb     2\n");
  table.AddRow({"c", "3", ""});
  table.Flush();
  EXPECT_EQ(out.str(), "NAME  N  NOTE\na     1\nb     2\n\nNAME  N  NOTE\nc     3\n");
  EXPECT_EQ(table.row_count(), 3u);
}

TEST(FormatFixedRow, PadsEveryColumnToWidthMax) {
  EXPECT_EQ(FormatFixedHeader(TwoColumns()), "NAME         N  NOTE");
  EXPECT_EQ(FormatFixedRow(TwoColumns(), {"ab", "5", "too long"}), "ab           5  too l\u2026");
}

TEST(FormatKeyValues, AlignsValuesAfterTheLongestKey) {
  EXPECT_EQ(FormatKeyValues({{"a", "1"}, {"long key", "2"}}), "a         1\nlong key  2\n");
}

TEST(FormatRowDeathTest, WrongCellCountIsABug) {
  EXPECT_DEATH(FormatFixedRow(TwoColumns(), {"only one"}), "table row has 1 cells for 3");
}

}  // namespace
}  // namespace stakeledger::clients
