#include "clients/progress.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
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

}  // namespace
}  // namespace stakeledger::clients
