// Projections.Replay end to end: the stream pages through every change of
// a pair (at the page size and one past it), follows live after its
// caught-up mark, ends with UNAVAILABLE when the server stops, and answers
// bad ranges with their codes. Also `stake --look-through`, which needs a
// fund holding a stake, something the curated data set does not have.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/replay_reactor.h"
#include "stakeledger/v1/projections.grpc.pb.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerctl_test.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAnnouncementType[] = "stakeledger.v1.Announcement";

// An announcement of one absolute stake of `holder` in `target`.
std::string StakeAnnouncement(const std::string& id, const std::string& holder,
                              const std::string& target, int64_t ppm,
                              const std::string& date = "2024-01-01") {
  return absl::StrCat(R"({"announcement_id":")", id, R"(","announced_date":")", date,
                      R"(","source":{"outlet":"test"},"facts":[{"quote":"q","stake_change":{)",
                      R"("holder":")", holder, R"(","target":")", target,
                      R"(","resulting_stake":{"ppm":")", ppm, R"("},"effective_date":")", date,
                      R"("}}]})");
}

class ReplayTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    LedgerctlTest::SetUp();
    // The entities only: the pairs below are not in the data set.
    ImportEntities();
    channel_ = ledgerd_.NewChannel();
    projections_ = v1::Projections::NewStub(channel_);
  }

  // Appends `count` stake announcements of graphcore in perplexity in one
  // request; the i-th (from 1) says i ppm. Returns the last position.
  uint64_t AppendStakes(int count, int first = 1) {
    v1::AppendRequest request = MakeAppend("announcements", {});
    for (int i = first; i < first + count; ++i) {
      *request.add_events() =
          MakeEvent(kAnnouncementType,
                    StakeAnnouncement(absl::StrCat("replay-", i), "graphcore", "perplexity", i));
    }
    v1::AppendResponse response;
    const grpc::Status status = Append(ledgerd_.stub(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.last_position();
  }

  struct Replayed {
    grpc::Status status;
    std::vector<v1::ReplayStep> steps;
  };
  Replayed Replay(const v1::ReplayRequest& request) {
    grpc::ClientContext context;
    SetDeadline(&context);
    auto reader = projections_->Replay(&context, request);
    Replayed result;
    v1::ReplayResponse response;
    while (reader->Read(&response)) {
      EXPECT_TRUE(response.has_step()) << "a caught-up mark without follow";
      result.steps.push_back(response.step());
    }
    result.status = reader->Finish();
    return result;
  }

  v1::ReplayRequest Request(uint64_t from = 0, uint64_t to = 0) {
    v1::ReplayRequest request;
    request.set_holder("graphcore");
    request.set_target("perplexity");
    request.set_from_position(from);
    request.set_to_position(to);
    return request;
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Projections::Stub> projections_;
};

// Every step once, in position order, each saying the stake after it.
void ExpectSteps(const std::vector<v1::ReplayStep>& steps, uint64_t first_position, int count) {
  ASSERT_EQ(steps.size(), static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(steps[i].position(), first_position + i);
    EXPECT_EQ(steps[i].change(), "fact");
    EXPECT_EQ(steps[i].ppm().value(), i + 1);
  }
}

TEST_F(ReplayTest, StreamsAPageExactlyAndOnePastIt) {
  constexpr int kPage = static_cast<int>(service::kReplayPageStepsMax);
  const uint64_t last = AppendStakes(kPage + 1);
  const uint64_t first = last - kPage;
  // The range is sent once the projection has applied it: no retry needed.
  const Replayed page = Replay(Request(0, last - 1));
  ASSERT_TRUE(page.status.ok()) << page.status.error_message();
  ExpectSteps(page.steps, first, kPage);
  const Replayed all = Replay(Request());
  ASSERT_TRUE(all.status.ok()) << all.status.error_message();
  ExpectSteps(all.steps, first, kPage + 1);
  const Replayed tail = Replay(Request(last, last));
  ASSERT_TRUE(tail.status.ok());
  ASSERT_EQ(tail.steps.size(), 1u);
  EXPECT_EQ(tail.steps[0].position(), last);
}

TEST_F(ReplayTest, FollowSendsCaughtUpThenEachLaterChange) {
  const uint64_t last = AppendStakes(2);
  grpc::ClientContext context;
  SetDeadline(&context, kSubscribeTimeout);
  v1::ReplayRequest request = Request();
  request.set_follow(true);
  auto reader = projections_->Replay(&context, request);
  v1::ReplayResponse response;
  std::vector<uint64_t> positions;
  while (reader->Read(&response) && response.has_step()) {
    positions.push_back(response.step().position());
  }
  EXPECT_EQ(positions, (std::vector<uint64_t>{last - 1, last}));
  ASSERT_EQ(response.kind_case(), v1::ReplayResponse::kCaughtUpPosition);
  EXPECT_GE(response.caught_up_position(), last);

  const uint64_t live = AppendStakes(1, 3);
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_TRUE(response.has_step());
  EXPECT_EQ(response.step().position(), live);
  EXPECT_EQ(response.step().ppm().value(), 3);

  context.TryCancel();
  while (reader->Read(&response)) {
  }
  EXPECT_TRUE(HasCode(reader->Finish(), grpc::StatusCode::CANCELLED));
}

TEST_F(ReplayTest, ServerStopEndsAFollowingReplayWithUnavailable) {
  AppendStakes(1);
  grpc::ClientContext context;
  SetDeadline(&context, kSubscribeTimeout);
  v1::ReplayRequest request = Request();
  request.set_follow(true);
  auto reader = projections_->Replay(&context, request);
  v1::ReplayResponse response;
  while (reader->Read(&response) && response.has_step()) {
  }
  ASSERT_EQ(response.kind_case(), v1::ReplayResponse::kCaughtUpPosition);
  ASSERT_TRUE(ledgerd_.Stop().ok());
  while (reader->Read(&response)) {
  }
  const grpc::Status status = reader->Finish();
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
}

TEST_F(ReplayTest, BadRangesAndNamesHaveTheirCodes) {
  const uint64_t last = AppendStakes(1);
  EXPECT_TRUE(HasCode(Replay(Request(last, last - 1)).status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(HasCode(Replay(Request(0, last + 1)).status, grpc::StatusCode::OUT_OF_RANGE));
  v1::ReplayRequest follow_to = Request(0, last);
  follow_to.set_follow(true);
  EXPECT_TRUE(HasCode(Replay(follow_to).status, grpc::StatusCode::INVALID_ARGUMENT));
  v1::ReplayRequest unknown = Request();
  unknown.set_holder("no-such-holder");
  EXPECT_TRUE(HasCode(Replay(unknown).status, grpc::StatusCode::NOT_FOUND));
  // The same for the point query, which resolves names the same way.
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::StakeRequest stake;
  stake.set_holder("no-such-holder");
  stake.set_target("perplexity");
  stake.set_as_of("2024");
  v1::StakeResponse answer;
  const grpc::Status status = projections_->GetStake(&context, stake, &answer);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(status.error_message(), HasSubstr("unknown entity 'no-such-holder'"));
  // At the head itself: fine.
  EXPECT_TRUE(Replay(Request(0, last)).status.ok());
}

TEST_F(ReplayTest, LedgerctlReplayPrintsEachChange) {
  const uint64_t last = AppendStakes(2);
  const LedgerctlResult replay = Ctl({"replay", "graphcore", "perplexity"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_THAT(replay.out, HasSubstr(absl::StrCat("position ", last, ": fact replay-2 #0")));
  const LedgerctlResult json =
      Ctl({"--json", "replay", "graphcore", "perplexity", "--from", absl::StrCat(last)});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr(absl::StrCat("\"position\":\"", last, "\"")));
  EXPECT_THAT(json.out, Not(HasSubstr("replay-1\"")));
  const LedgerctlResult bad = Ctl({"replay", "graphcore", "perplexity", "--to", "999999"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("beyond the log head"));
}

// SoftBank's stake through Vision Fund 2 counts with --look-through only.
TEST_F(ReplayTest, LookThroughAddsTheFundsStakes) {
  v1::AppendRequest request = MakeAppend("announcements", {});
  *request.add_events() =
      MakeEvent(kAnnouncementType,
                StakeAnnouncement("lt-direct", "softbank-group", "perplexity", 20000, "2024-06"));
  *request.add_events() =
      MakeEvent(kAnnouncementType,
                StakeAnnouncement("lt-fund", "vision-fund-2", "perplexity", 100000, "2024-06"));
  ASSERT_TRUE(Append(ledgerd_.stub(), request).ok());
  // Replay waits for the projection, so the stake below sees both facts.
  ASSERT_TRUE(Replay(Request()).status.ok());

  const LedgerctlResult direct =
      Ctl({"--json", "stake", "소프트뱅크", "perplexity", "--as-of", "2024-12-31"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_THAT(direct.out, HasSubstr("\"ppm\":20000"));
  const LedgerctlResult through = Ctl({"--json", "stake", "softbank-group", "perplexity", "--as-of",
                                       "2024-12-31", "--look-through"});
  ASSERT_EQ(through.exit_code, 0) << through.err;
  EXPECT_THAT(through.out, HasSubstr("\"ppm\":120000"));
  EXPECT_THAT(through.out, HasSubstr("vision-fund-2"));
  // Before either stake took effect: none.
  const LedgerctlResult before = Ctl({"--json", "stake", "softbank-group", "perplexity", "--as-of",
                                      "2024-05-31", "--look-through"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_THAT(before.out, HasSubstr("\"ppm\":null"));
  const LedgerctlResult text =
      Ctl({"stake", "softbank-group", "perplexity", "--as-of", "2024-12-31", "--look-through"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("governed by lt-direct fact 0"));
  EXPECT_THAT(text.out, HasSubstr("    directly: 2% (lt-direct fact 0)\n"));
  EXPECT_THAT(text.out, HasSubstr("    through vision-fund-2: 10% (lt-fund fact 0)\n"));
}

// Only the fund holds a stake: the text names the fund's part and no empty
// "governing" fact of the sponsor (there is none).
TEST_F(ReplayTest, LookThroughWithOnlyAFundsStakeShowsNoEmptyGoverningFact) {
  v1::AppendRequest request = MakeAppend("announcements", {});
  *request.add_events() =
      MakeEvent(kAnnouncementType,
                StakeAnnouncement("fund-only", "vision-fund-2", "perplexity", 100000, "2024-06"));
  ASSERT_TRUE(Append(ledgerd_.stub(), request).ok());
  ASSERT_TRUE(Replay(Request()).status.ok());

  const LedgerctlResult text =
      Ctl({"stake", "softbank-group", "perplexity", "--as-of", "2024-12-31", "--look-through"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("): 10%\n"));
  EXPECT_THAT(text.out, HasSubstr("  no direct stake\n"));
  EXPECT_THAT(text.out,
              HasSubstr("  made up of:\n    through vision-fund-2: 10% (fund-only fact 0)"));
  EXPECT_THAT(text.out, Not(HasSubstr("governed by")));
  EXPECT_THAT(text.out, Not(HasSubstr("1970-01-01")));
  EXPECT_THAT(text.out, Not(HasSubstr("quote: \n")));
}

// Holders whose stakes add up to more than the whole (reports that
// disagree) are all listed, with a note that says so.
TEST_F(ReplayTest, HoldersAddingUpToMoreThanTheWholeAreListedWithANote) {
  const LedgerctlResult before = Ctl({"holders", "arm", "--as-of", "2024-12-31"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_THAT(before.out, Not(HasSubstr("more than the whole")));
  v1::AppendRequest request = MakeAppend("announcements", {});
  *request.add_events() = MakeEvent(
      kAnnouncementType, StakeAnnouncement("arm-most", "softbank-group", "arm", 950000, "2024-03"));
  *request.add_events() = MakeEvent(
      kAnnouncementType, StakeAnnouncement("arm-also", "vision-fund-2", "arm", 200000, "2024-06"));
  ASSERT_TRUE(Append(ledgerd_.stub(), request).ok());
  ASSERT_TRUE(Replay(Request()).status.ok());  // the projection has caught up

  const LedgerctlResult after = Ctl({"holders", "arm", "--as-of", "2024-12-31"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_THAT(after.out, HasSubstr("softbank-group"));
  EXPECT_THAT(after.out, HasSubstr("vision-fund-2"));
  EXPECT_THAT(after.out, HasSubstr("note: these stakes add up to 115%, more than the whole"));
}

}  // namespace
}  // namespace stakeledger::tests
