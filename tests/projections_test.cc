// Projections end to end (issue 4) against a real ledgerd loaded with the
// curated data set: `ledgerctl stake/holders/timeline/projections`, the
// bitemporal answers the seeds give, and a correction seen through
// --known-at before and after it was recorded; `ledgerctl rebuild`.
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/event_store.grpc.pb.h"
#include "stakeledger/v1/projections.grpc.pb.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerctl_test.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using ::testing::ContainsRegex;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

uint64_t JsonNumber(const std::string& json, const std::string& field) {
  std::smatch match;
  const std::regex pattern("\"" + field + "\":\"?([0-9]+)");
  uint64_t value = 0;
  if (std::regex_search(json, match, pattern)) {
    EXPECT_TRUE(absl::SimpleAtoi(match[1].str(), &value));
  }
  return value;
}

class ProjectionsTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    LedgerctlTest::SetUp();
    ImportDataSet();
  }

  // `stake --json ...`, retried until the projection has caught up with
  // the position the answer is known at.
  std::string Stake(std::vector<std::string> args) {
    args.insert(args.begin(), {"--json", "stake"});
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    for (;;) {
      const LedgerctlResult result = Ctl(args);
      EXPECT_EQ(result.exit_code, 0) << result.err;
      const bool caught_up = JsonNumber(result.out, "projection_position") >=
                             JsonNumber(result.out, "known_at_position");
      if (caught_up || absl::Now() > deadline) return result.out;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  // The status of each Projections call that takes known_at, asked at
  // `known_at` (ListStakes with and without proofs).
  std::vector<grpc::Status> CallsAtKnownAt(const std::string& known_at) {
    auto stub = ProjectionsStub();
    std::vector<grpc::Status> statuses;
    {
      grpc::ClientContext context;
      SetDeadline(&context);
      v1::StakeRequest request;
      request.set_holder("softbank-group");
      request.set_target("nvidia");
      request.set_as_of("2018-06-30");
      request.set_known_at(known_at);
      v1::StakeResponse response;
      statuses.push_back(stub->GetStake(&context, request, &response));
      grpc::ClientContext proof_context;
      SetDeadline(&proof_context);
      request.set_include_proof(true);
      statuses.push_back(stub->GetStake(&proof_context, request, &response));
    }
    {
      grpc::ClientContext context;
      SetDeadline(&context);
      v1::HoldersRequest request;
      request.set_target("nvidia");
      request.set_as_of("2018");
      request.set_known_at(known_at);
      v1::HoldingsResponse response;
      statuses.push_back(stub->ListHolders(&context, request, &response));
    }
    {
      grpc::ClientContext context;
      SetDeadline(&context);
      v1::PortfolioRequest request;
      request.set_holder("softbank-group");
      request.set_as_of("2018");
      request.set_known_at(known_at);
      v1::HoldingsResponse response;
      statuses.push_back(stub->GetPortfolio(&context, request, &response));
    }
    {
      grpc::ClientContext context;
      SetDeadline(&context);
      v1::TimelineRequest request;
      request.set_holder("softbank-group");
      request.set_target("arm");
      request.set_known_at(known_at);
      v1::TimelineResponse response;
      statuses.push_back(stub->GetTimeline(&context, request, &response));
    }
    for (const bool proof : {false, true}) {
      grpc::ClientContext context;
      SetDeadline(&context);
      v1::ListStakesRequest request;
      request.set_as_of("2018");
      request.set_known_at(known_at);
      request.set_include_proof(proof);
      v1::ListStakesResponse response;
      statuses.push_back(stub->ListStakes(&context, request, &response));
    }
    return statuses;
  }

  uint64_t Head() {
    auto channel = ledgerd_.NewChannel();
    auto store = v1::EventStore::NewStub(channel);
    v1::LogInfo info;
    EXPECT_TRUE(GetLogInfo(*store, &info).ok());
    return info.head_position();
  }
};

TEST_F(ProjectionsTest, SoftbankNvidiaStakeIsAboutFivePercentIn2018AndNoneIn2020) {
  const std::string in_2018 = Stake({"softbank-group", "nvidia", "--as-of", "2018-06-30"});
  EXPECT_THAT(in_2018, HasSubstr("\"ppm\":50000"));
  EXPECT_THAT(in_2018, HasSubstr("\"qualifier\":\"APPROXIMATELY\""));
  EXPECT_THAT(in_2018, HasSubstr("\"within_precision\":false"));
  EXPECT_THAT(Stake({"소프트뱅크", "엔비디아", "--as-of", "2020-01-01"}), HasSubstr("\"ppm\":0"));
}

TEST_F(ProjectionsTest, ArmIsNinetyPercentAfterTheIpo) {
  EXPECT_THAT(Stake({"softbank-group", "arm", "--as-of", "2023-12-31"}),
              HasSubstr("\"ppm\":900000"));
  EXPECT_THAT(Stake({"softbank-group", "arm", "--as-of", "2020"}), HasSubstr("\"ppm\":1000000"));
}

TEST_F(ProjectionsTest, NoStakeIsJsonNull) {
  EXPECT_THAT(Stake({"softbank-group", "nvidia", "--as-of", "2010"}), HasSubstr("\"ppm\":null"));
}

TEST_F(ProjectionsTest, CrystalIntelligenceCorrectionIsVisibleOnlyAfterItWasKnown) {
  const std::string now = Stake({"softbank-group", "SB OpenAI Japan", "--as-of", "2024-12-31"});
  EXPECT_THAT(now, HasSubstr("\"ppm\":null"));
  // The correction is the last announcement imported: just before it, the
  // ledger believed seed 003's date (2024-02).
  const uint64_t head = JsonNumber(now, "known_at_position");
  ASSERT_GT(head, 1u);
  const std::string before = Stake({"softbank-group", "SB OpenAI Japan", "--as-of", "2024-12-31",
                                    "--known-at", absl::StrCat(head - 1)});
  EXPECT_THAT(before, HasSubstr("\"ppm\":500000"));
  EXPECT_THAT(Stake({"softbank-group", "SB OpenAI Japan", "--as-of", "2025-02"}),
              HasSubstr("\"ppm\":500000"));
}

// A stake resting on a fact whose date a correction moved says so, and
// where, since its quote still gives the date first announced.
TEST_F(ProjectionsTest, MovedDateNamesTheCorrectionInStakeAndTimeline) {
  const std::string json = Stake({"softbank-group", "SB OpenAI Japan", "--as-of", "2025-06"});
  const uint64_t corrected_at = JsonNumber(json, "known_from");
  const uint64_t position = JsonNumber(json, "position");
  ASSERT_GT(corrected_at, position) << json;
  const std::string expected = absl::StrCat("date corrected at position ", corrected_at);
  const LedgerctlResult text =
      Ctl({"stake", "softbank-group", "SB OpenAI Japan", "--as-of", "2025-06"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr(expected));
  const LedgerctlResult timeline = Ctl({"timeline", "softbank-group", "SB OpenAI Japan"});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_THAT(timeline.out, HasSubstr(absl::StrCat("(", expected, ")")));
  // A fact no correction moved says nothing of the kind.
  const LedgerctlResult arm = Ctl({"stake", "softbank-group", "arm", "--as-of", "2024"});
  ASSERT_EQ(arm.exit_code, 0) << arm.err;
  EXPECT_THAT(arm.out, Not(HasSubstr("date corrected")));
}

TEST_F(ProjectionsTest, KnownAtTimestampMapsToTheLastPositionRecordedByThen) {
  const std::string now = Stake({"softbank-group", "arm", "--as-of", "2024"});
  const std::string before_log =
      Stake({"softbank-group", "arm", "--as-of", "2024", "--known-at", "2000-01-01T00:00:00Z"});
  EXPECT_THAT(before_log, HasSubstr("\"ppm\":null"));
  EXPECT_EQ(JsonNumber(before_log, "known_at_position"), 0u);
  // Everything was recorded before this moment.
  const std::string just_now =
      Stake({"softbank-group", "arm", "--as-of", "2024", "--known-at",
             absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())});
  EXPECT_THAT(just_now, HasSubstr("\"ppm\":900000"));
  EXPECT_EQ(JsonNumber(just_now, "known_at_position"), JsonNumber(now, "known_at_position"));
}

TEST_F(ProjectionsTest, KnownAtTheHeadAnswers) {
  Stake({"softbank-group", "arm", "--as-of", "2024"});  // waits for the projection
  for (const grpc::Status& status : CallsAtKnownAt(absl::StrCat(Head()))) {
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::OK));
  }
}

TEST_F(ProjectionsTest, KnownAtBeyondTheHeadIsOutOfRangeNamingTheHead) {
  const uint64_t head = Head();
  for (const std::string& known_at :
       {absl::StrCat(head + 1), std::string("999999"), std::string("18446744073709551615"),
        std::string("18446744073709551616")}) {
    for (const grpc::Status& status : CallsAtKnownAt(known_at)) {
      EXPECT_TRUE(HasCode(status, grpc::StatusCode::OUT_OF_RANGE)) << known_at;
      // "... beyond the log head H", or with proofs "... whose size is H".
      EXPECT_THAT(status.error_message(), EndsWith(absl::StrCat(" ", head)));
    }
  }
  const LedgerctlResult stake =
      Ctl({"stake", "softbank-group", "nvidia", "--as-of", "2018-06-30", "--known-at", "999999"});
  EXPECT_NE(stake.exit_code, 0);
  EXPECT_THAT(stake.err, HasSubstr(absl::StrCat(head)));
}

TEST_F(ProjectionsTest, KnownAtATimeInTheFutureIsOutOfRange) {
  const std::string tomorrow =
      absl::FormatTime(absl::RFC3339_full, absl::Now() + absl::Hours(24), absl::UTCTimeZone());
  for (const std::string& known_at : {tomorrow, std::string("2999-01-01T00:00:00Z")}) {
    for (const grpc::Status& status : CallsAtKnownAt(known_at)) {
      EXPECT_TRUE(HasCode(status, grpc::StatusCode::OUT_OF_RANGE)) << known_at;
      EXPECT_THAT(status.error_message(), HasSubstr("in the future"));
    }
  }
}

// A recorded time as ledgerctl prints it, pasted back as --known-at,
// includes the event it was printed for: `read` shows the head event's
// time, and the answer known at that time is known at the head.
TEST_F(ProjectionsTest, PrintedRecordedTimeAsKnownAtIncludesThatEvent) {
  const std::string now = Stake({"softbank-group", "SB OpenAI Japan", "--as-of", "2024-12-31"});
  const uint64_t head = JsonNumber(now, "known_at_position");
  const LedgerctlResult read = Ctl({"read", "--all", "--from", absl::StrCat(head), "--count", "1"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  std::smatch match;
  const std::regex row(absl::StrCat(" ", head, R"( .* (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) )"));
  ASSERT_TRUE(std::regex_search(read.out, match, row)) << read.out;
  // The correction at the head is in: the joint venture not yet effective.
  const std::string at_read_time = Stake(
      {"softbank-group", "SB OpenAI Japan", "--as-of", "2024-12-31", "--known-at", match[1].str()});
  EXPECT_EQ(JsonNumber(at_read_time, "known_at_position"), head);
  EXPECT_THAT(at_read_time, HasSubstr("\"ppm\":null"));

  // `stake` prints its governing fact's position and time the same way.
  const LedgerctlResult stake = Ctl({"stake", "softbank-group", "arm", "--as-of", "2024"});
  ASSERT_EQ(stake.exit_code, 0) << stake.err;
  const std::regex recorded(R"(recorded at position (\d+), (\S+Z)\n)");
  ASSERT_TRUE(std::regex_search(stake.out, match, recorded)) << stake.out;
  const std::string position = match[1].str();
  const LedgerctlResult then =
      Ctl({"stake", "softbank-group", "arm", "--as-of", "2024", "--known-at", match[2].str()});
  ASSERT_EQ(then.exit_code, 0) << then.err;
  EXPECT_THAT(then.out, HasSubstr(absl::StrCat("recorded at position ", position, ", ")));
}

// --json: timeline's ppm is an integer as in stake, holders and replay; an
// empty cap table or portfolio is still one object saying its position.
TEST_F(ProjectionsTest, JsonTimelinePpmIsAnIntegerAndEmptyHoldingsAreAnObject) {
  const uint64_t head =
      JsonNumber(Stake({"softbank-group", "nvidia", "--as-of", "2018"}), "known_at_position");
  const LedgerctlResult timeline = Ctl({"--json", "timeline", "softbank-group", "nvidia"});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_THAT(timeline.out, HasSubstr(",\"ppm\":50000}\n"));
  EXPECT_THAT(timeline.out, Not(HasSubstr("},\"ppm\":\"")));
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--json", "holders", "nvidia", "--as-of", "2010"},
           {"--json", "portfolio", "softbank-group", "--as-of", "1990"}}) {
    const LedgerctlResult empty = Ctl(args);
    ASSERT_EQ(empty.exit_code, 0) << empty.err;
    EXPECT_THAT(empty.out, HasSubstr("\"holdings\":[]")) << args[1];
    EXPECT_THAT(empty.out, HasSubstr(absl::StrCat("\"known_at_position\":\"", head, "\"")))
        << args[1];
  }
}

// Timeline text: STAKE AFTER keeps the fact's qualifier ("~5%" as in
// CHANGE), and the table ends with the position it is known at, as
// holders does.
TEST_F(ProjectionsTest, TimelineTextKeepsTheQualifierAndSaysItsPosition) {
  const uint64_t head =
      JsonNumber(Stake({"softbank-group", "nvidia", "--as-of", "2018"}), "known_at_position");
  const LedgerctlResult timeline = Ctl({"timeline", "softbank-group", "nvidia"});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_TRUE(std::regex_search(timeline.out, std::regex("= ~5% +~5% "))) << timeline.out;
  EXPECT_THAT(timeline.out, HasSubstr(absl::StrCat("\nknown at position ", head, "\n")));
  const LedgerctlResult before = Ctl({"timeline", "softbank-group", "nvidia", "--known-at", "1"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_THAT(before.out, HasSubstr("(no stake facts)\nknown at position 1\n"));
}

TEST_F(ProjectionsTest, TimelineHoldersAndStatusAnswer) {
  Stake({"softbank-group", "arm", "--as-of", "2024"});  // waits for the projection
  const LedgerctlResult timeline = Ctl({"timeline", "softbank-group", "arm"});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_THAT(timeline.out, HasSubstr("seed001-softbank-arm-ipo-2023-09"));
  const LedgerctlResult holders = Ctl({"holders", "nvidia", "--as-of", "2018"});
  ASSERT_EQ(holders.exit_code, 0) << holders.err;
  EXPECT_THAT(holders.out, HasSubstr("softbank-group"));
  const LedgerctlResult status = Ctl({"projections"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("stake-ownership"));
  EXPECT_THAT(status.out, HasSubstr("live"));
}

TEST_F(ProjectionsTest, ReplayShowsTheCorrectionMovingTheJointVenture) {
  Stake({"softbank-group", "arm", "--as-of", "2024"});  // waits for the projection
  const LedgerctlResult replay = Ctl({"replay", "softbank-group", "SB OpenAI Japan"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_THAT(replay.out, HasSubstr("fact seed003-softbank-openai-sb-openai-japan-2024-02 #0 "
                                    "(effective 2024-02) -> latest stake 50%"));
  EXPECT_THAT(replay.out, HasSubstr("moved seed003-softbank-openai-sb-openai-japan-2024-02 #0 "
                                    "(effective 2025-02) -> latest stake 50%"));
}

TEST_F(ProjectionsTest, RebuildSwapsInACopyThatAnswersTheSame) {
  Stake({"softbank-group", "arm", "--as-of", "2024"});  // waits for the projection
  const LedgerctlResult rebuilt = Ctl({"rebuild", "stake-ownership"});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  // Not a terminal: plain lines, then the summary.
  EXPECT_THAT(rebuilt.out, HasSubstr("events"));
  // The write's stage is printed as it begins (a long write then adds the
  // keys written so far: "writing the index: N keys").
  EXPECT_THAT(rebuilt.out, HasSubstr("  writing the index\n"));
  EXPECT_THAT(rebuilt.out, HasSubstr("rebuilt stake-ownership: "));
  EXPECT_THAT(rebuilt.out, HasSubstr("now live at"));
  const std::string in_2018 = Stake({"softbank-group", "nvidia", "--as-of", "2018-06-30"});
  EXPECT_THAT(in_2018, HasSubstr("\"ppm\":50000"));
  EXPECT_THAT(in_2018, HasSubstr("\"qualifier\":\"APPROXIMATELY\""));
  const LedgerctlResult status = Ctl({"projections"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("live"));

  const LedgerctlResult json = Ctl({"--json", "rebuild", "stake-ownership"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"stage\":\"STAGE_WRITING\""));
  EXPECT_THAT(json.out, HasSubstr("\"done\":true"));
  EXPECT_THAT(json.out, HasSubstr("\"stage\":\"STAGE_SWITCHING\""));
  // The whole index written: the seed data set's keys, as a JSON string.
  EXPECT_THAT(json.out, ContainsRegex("\"index_keys_written\":\"[1-9][0-9]*\""));
  EXPECT_THAT(Stake({"softbank-group", "nvidia", "--as-of", "2018-06-30"}),
              HasSubstr("\"ppm\":50000"));
}

TEST_F(ProjectionsTest, RebuildOfAnUnknownProjectionIsNotFoundListingTheProjections) {
  auto stub = ProjectionsStub();
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::RebuildRequest request;
  request.set_projection("no-such-projection");
  auto reader = stub->Rebuild(&context, request);
  v1::RebuildProgress progress;
  EXPECT_FALSE(reader->Read(&progress));
  const grpc::Status status = reader->Finish();
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(status.error_message(), HasSubstr("no-such-projection"));
  EXPECT_THAT(status.error_message(), HasSubstr("stake-ownership"));
  EXPECT_THAT(status.error_message(), HasSubstr("investments"));
  const LedgerctlResult unknown = Ctl({"rebuild", "no-such-projection"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("no projection named"));
  EXPECT_THAT(unknown.err, HasSubstr("stake-ownership"));
}

// The server refuses a malformed as_of naming the field (ledgerctl refuses
// it before calling: tests/ledgerctl_options_test.cc).
TEST_F(ProjectionsTest, MalformedAsOfIsInvalidNamingTheField) {
  auto stub = ProjectionsStub();
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::StakeRequest request;
  request.set_holder("softbank-group");
  request.set_target("arm");
  request.set_as_of("2024-13");
  v1::StakeResponse response;
  const grpc::Status status = stub->GetStake(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("as_of: '2024-13' is not a date"));
}

}  // namespace
}  // namespace stakeledger::tests
