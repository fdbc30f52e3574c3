// ledgerctl's command line against a real ledgerd holding only the entity
// registry: every unsigned integer option refuses a negative or too large
// value as a usage error naming the option, and takes its type's largest;
// and the messages of commands that fail or find nothing.
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerctl_test.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitUsageError = 2;   // clients/exit_code.h
constexpr int kExitUnreachable = 3;  // clients/exit_code.h
constexpr char kUint64Max[] = "18446744073709551615";
constexpr char kUint64PastMax[] = "18446744073709551616";
constexpr char kUint32Max[] = "4294967295";
constexpr char kUint32PastMax[] = "4294967296";

class LedgerctlOptionsTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    LedgerctlTest::SetUp();
    ImportEntities();
  }

  // `args` followed by `option value` is a usage error naming the option.
  void ExpectRefused(std::vector<std::string> args, const std::string& option,
                     const std::string& value) {
    args.push_back(option);
    args.push_back(value);
    const LedgerctlResult result = Ctl(args);
    EXPECT_EQ(result.exit_code, kExitUsageError) << option << " " << value << ": " << result.out;
    EXPECT_THAT(result.err, HasSubstr(absl::StrCat(option, ": expected a whole number from 0 to")))
        << value;
  }
};

TEST_F(LedgerctlOptionsTest, NegativeUnsignedOptionsAreUsageErrors) {
  ExpectRefused({"replay", "softbank-group", "nvidia"}, "--from", "-3");
  ExpectRefused({"replay", "softbank-group", "nvidia"}, "--to", "-1");
  ExpectRefused({"read", "--all"}, "--from", "-1");
  ExpectRefused({"read", "--all"}, "--count", "-1");
  ExpectRefused({"read", "announcements"}, "--from", "-1");
  ExpectRefused({"subscribe"}, "--from", "-5");
  ExpectRefused({"subscribe"}, "--checkpoint-interval", "-1");
  ExpectRefused({"verify"}, "--position", "-1");
  ExpectRefused({"verify", "--position", "1"}, "--position", "-1");
  ExpectRefused({"streams"}, "--page-size", "-1");
}

TEST_F(LedgerctlOptionsTest, UnsignedOptionsOnePastTheirTypeAreUsageErrors) {
  ExpectRefused({"read", "--all"}, "--count", "99999999999999999999");
  ExpectRefused({"read", "--all"}, "--count", kUint64PastMax);
  ExpectRefused({"read", "--all"}, "--from", kUint64PastMax);
  ExpectRefused({"replay", "softbank-group", "nvidia"}, "--from", kUint64PastMax);
  ExpectRefused({"replay", "softbank-group", "nvidia"}, "--to", kUint64PastMax);
  ExpectRefused({"subscribe"}, "--from", kUint64PastMax);
  ExpectRefused({"verify"}, "--position", kUint64PastMax);
  ExpectRefused({"subscribe"}, "--checkpoint-interval", kUint32PastMax);
  ExpectRefused({"streams"}, "--page-size", kUint32PastMax);
}

TEST_F(LedgerctlOptionsTest, UnsignedOptionsTakeTheirTypesLargestValue) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"read", "--all", "--from", kUint64Max}, {"read", "--all", "--count", kUint64Max}}) {
    const LedgerctlResult result = Ctl(args);
    EXPECT_EQ(result.exit_code, 0) << args[1] << ": " << result.err;
  }
  // Past the head: taken as given (not wrapped or clamped), then refused.
  const LedgerctlResult replay = Ctl({"replay", "softbank-group", "nvidia", "--from", kUint64Max});
  EXPECT_THAT(replay.err, Not(HasSubstr("expected a whole number")));
  EXPECT_THAT(replay.err, HasSubstr(absl::StrCat("from_position: ", kUint64Max, " is after")));
  const LedgerctlResult streams = Ctl({"streams", "--page-size", kUint32Max});
  EXPECT_THAT(streams.err,
              HasSubstr(absl::StrCat("page_size is ", kUint32Max, ", over the limit")));
  const LedgerctlResult verify = Ctl({"verify", "--position", kUint64Max});
  EXPECT_THAT(verify.err, HasSubstr(absl::StrCat("position ", kUint64Max, " is not in the tree")));
}

// A --known-at that is neither a position nor an RFC 3339 time, and a
// --year that is not a year, are usage errors showing what is expected.
TEST_F(LedgerctlOptionsTest, MalformedKnownAtAndYearShowWhatIsExpected) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"stake", "softbank-group", "nvidia", "--as-of", "2018"},
           {"holders", "nvidia", "--as-of", "2018"},
           {"portfolio", "softbank-group", "--as-of", "2018"},
           {"timeline", "softbank-group", "nvidia"},
           {"investments", "softbank-group"},
           {"audit", "--as-of", "2018"}}) {
    std::vector<std::string> with_known_at = args;
    with_known_at.insert(with_known_at.end(), {"--known-at", "abc"});
    const LedgerctlResult result = Ctl(with_known_at);
    EXPECT_EQ(result.exit_code, kExitUsageError) << args[0] << ": " << result.out;
    EXPECT_THAT(result.err, HasSubstr("--known-at: expected a log position or an RFC 3339 time, "
                                      "e.g. 53 or 2026-11-24T05:41:45.505597Z, got \"abc\""))
        << args[0];
  }
  const LedgerctlResult year = Ctl({"investments", "softbank-group", "--year", "abc"});
  EXPECT_EQ(year.exit_code, kExitUsageError) << year.out;
  EXPECT_THAT(year.err, HasSubstr("--year: expected a year, e.g. 2024, got \"abc\""));
  EXPECT_THAT(year.err, Not(HasSubstr("YYYY-MM")));
}

// A date that does not parse is the same usage error (exit 2, naming the
// option and why) on every command that takes one, found before any call;
// the server would refuse it too, but as exit 1.
TEST_F(LedgerctlOptionsTest, MalformedDatesAreUsageErrorsOnEveryCommand) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"stake", "softbank-group", "nvidia", "--as-of", "2018-13-01"},
           {"holders", "nvidia", "--as-of", "2018-13-01"},
           {"portfolio", "softbank-group", "--as-of", "2018-13-01"},
           {"audit", "--as-of", "2018-13-01"},
           {"announcements", "--from", "2018-13-01"},
           {"announcements", "--to", "2018-13-01"}}) {
    const LedgerctlResult result = Ctl(args);
    EXPECT_EQ(result.exit_code, kExitUsageError) << args[0] << ": " << result.out;
    EXPECT_THAT(result.err, HasSubstr(absl::StrCat(args[args.size() - 2],
                                                   ": '2018-13-01' is not a date: month must be "
                                                   "01..12")))
        << args[0];
  }
  const LedgerctlResult february =
      Ctl({"stake", "softbank-group", "nvidia", "--as-of", "2018-02-30"});
  EXPECT_EQ(february.exit_code, kExitUsageError);
  EXPECT_THAT(february.err, HasSubstr("February 2018 has 28 days"));
  const LedgerctlResult good = Ctl({"stake", "softbank-group", "nvidia", "--as-of", "2018-02-28"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
}

// import counts in proper English, and a folder without .jsonl files says
// so (exit 0: an empty data set is nothing to do, not a mistake).
TEST_F(LedgerctlOptionsTest, ImportSaysOneFileAndNamesAFolderWithoutDataFiles) {
  const LedgerctlResult again =
      Ctl({"import", absl::StrCat(STAKELEDGER_DATA_DIR, "/entities.jsonl")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("imported 1 file: "));
  EXPECT_THAT(again.out, HasSubstr(" 0 announcements (0 new, 0 already present)"));

  const std::filesystem::path empty =
      std::filesystem::path(::testing::TempDir()) / "ledgerctl-import-empty";
  std::filesystem::create_directories(empty);
  const LedgerctlResult result = Ctl({"import", empty.string()});
  std::filesystem::remove_all(empty);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            absl::StrCat("no .jsonl files found in ", empty.string(), "; nothing was imported\n"));
}

// A subscriber whose server stops was connected: it is told the server is
// shutting down and where to resume, not that it cannot reach it.
TEST_F(LedgerctlOptionsTest, SubscriberOfAStoppingServerIsToldWhereToResume) {
  const LedgerctlResult info = Ctl({"--json", "info"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(info.out, match, std::regex(R"re("head_position":"(\d+)")re")));
  uint64_t head = 0;
  ASSERT_TRUE(absl::SimpleAtoi(match[1].str(), &head));
  const std::string address = ledgerd_.address();
  LedgerctlResult subscribed;
  std::thread subscriber([&] {
    subscribed = RunLedgerctl({"--server", address, "subscribe"}, absl::Seconds(60));
  });
  // Time to connect and catch up (the log is a few dozen events); the stop
  // then ends the live subscription.
  absl::SleepFor(absl::Seconds(2));
  EXPECT_TRUE(ledgerd_.Stop().ok());
  subscriber.join();
  EXPECT_EQ(subscribed.exit_code, kExitUnreachable) << subscribed.err;
  EXPECT_THAT(subscribed.err,
              HasSubstr(absl::StrCat("ledgerctl: UNAVAILABLE: the server at ", address,
                                     " is shutting down; resume with --from ", head + 1, "\n")));
  EXPECT_THAT(subscribed.err, Not(HasSubstr("cannot reach")));
}

}  // namespace
}  // namespace stakeledger::tests
