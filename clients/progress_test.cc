#include "clients/progress.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(FormatProgressLine, ShowsBarCountRateAndEta) {
  const std::string line = FormatProgressLine(50, 100, "events", absl::Seconds(10));
  EXPECT_THAT(line, StartsWith("[###############---------------] 50/100 events"));
  EXPECT_THAT(line, HasSubstr("5.0/s"));
  EXPECT_THAT(line, EndsWith("ETA 10s"));
}

TEST(FormatProgressLine, NoRateBeforeAnythingIsDone) {
  EXPECT_THAT(FormatProgressLine(0, 100, "events", absl::Seconds(1)), EndsWith("-/s  ETA -"));
}

TEST(FormatProgressLine, LongEtaInMinutesAndHours) {
  EXPECT_THAT(FormatProgressLine(1, 100, "x", absl::Seconds(2)), EndsWith("ETA 3m18s"));
  EXPECT_THAT(FormatProgressLine(1, 10000, "x", absl::Seconds(2)), EndsWith("ETA 5h33m"));
}

TEST(FormatProgressLine, EmptyTotalIsAFullBar) {
  EXPECT_THAT(FormatProgressLine(0, 0, "x", absl::ZeroDuration()),
              StartsWith("[" + std::string(kProgressBarWidth, '#') + "] 0/0"));
}

TEST(ProgressReporter, InteractiveRedrawsOneLine) {
  std::ostringstream out;
  ProgressReporter progress(&out, /*interactive=*/true, 3, "events");
  progress.Update(1);
  progress.Update(3);
  progress.Finish();
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 3);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

TEST(ProgressReporter, PlainPrintsLinesWithoutCarriageReturns) {
  std::ostringstream out;
  ProgressReporter progress(&out, /*interactive=*/false, 3, "events");
  progress.Update(1);
  progress.Update(2);  // within kPlainInterval of the first: not printed
  progress.Finish();
  const std::string text = out.str();
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_THAT(text, HasSubstr("2/3 events"));
}

TEST(ProgressReporter, ANewNoteIsPrintedAtOnceAndTheFinalLineHasNone) {
  std::ostringstream out;
  ProgressReporter progress(&out, /*interactive=*/false, 3, "events");
  progress.Update(1);
  progress.Update(3, "writing the index");  // a new note: printed at once
  progress.Update(3, "writing the index");  // the same note: not again
  progress.Finish();
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  EXPECT_THAT(text, HasSubstr("3/3 events"));
  EXPECT_THAT(text, HasSubstr("3/3 events  "));
  EXPECT_THAT(text, HasSubstr("  writing the index\n"));
  EXPECT_EQ(text.find("writing", text.rfind("writing") + 1), std::string::npos);
  const std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  EXPECT_THAT(last, Not(HasSubstr("writing")));
}

TEST(ProgressReporter, ADetailFollowsTheNoteAndAloneIsNotPrintedAtOnce) {
  std::ostringstream out;
  ProgressReporter progress(&out, /*interactive=*/false, 3, "events");
  progress.Update(3, "writing the index", "4096 keys");  // a new note: printed at once
  progress.Update(3, "writing the index", "8192 keys");  // a new detail only: not yet
  progress.Finish();
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_THAT(text, HasSubstr("  writing the index: 4096 keys\n"));
  EXPECT_THAT(text, Not(HasSubstr("8192")));
  const std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  EXPECT_THAT(last, Not(HasSubstr("keys")));
}

TEST(ProgressReporter, ADetailIsDrawnAfterTheNoteOnATerminal) {
  std::ostringstream out;
  ProgressReporter progress(&out, /*interactive=*/true, 3, "events");
  progress.Update(3, "writing the index", "8192 keys");
  EXPECT_THAT(out.str(), HasSubstr("  writing the index: 8192 keys"));
  progress.Update(3);  // no note: no detail either
  progress.Finish();
  const std::string text = out.str();
  const std::string last = text.substr(text.rfind('\r') + 1);
  EXPECT_THAT(last, Not(HasSubstr("keys")));
}

}  // namespace
}  // namespace stakeledger::clients
