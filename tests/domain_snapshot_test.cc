// The domain snapshot end to end (service/domain_state.h): ledgerd writes
// it on a clean stop and in the background, starts from it (saying so),
// and a start from it answers, validates retries and corrections, and
// keeps every acknowledged announcement as a start from the whole log
// would, after a crash too.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/events.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/announcements_service.grpc.pb.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string AnnouncementJson(const std::string& id, int ppm) {
  return absl::StrCat(R"({"announcement_id":")", id,
                      R"(","announced_date":"2024","source":{"outlet":"X"},)",
                      R"("facts":[{"quote":"q","stake_change":{"holder":"softbank-group",)",
                      R"("target":"nvidia","resulting_stake":{"ppm":")", ppm, R"("}}}]})");
}

std::string CorrectionJson(const std::string& id, const std::string& corrected, int index) {
  return absl::StrCat(R"({"announcement_id":")", id,
                      R"(","announced_date":"2025","source":{"outlet":"X"},)",
                      R"("facts":[{"quote":"q","correction":{"action":"RETRACT",)",
                      R"("announcement_id":")", corrected, R"(","fact_indexes":[)", index, "]}}]}");
}

class DomainSnapshotTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {}) {
    ASSERT_TRUE(ledgerd_.Start(std::move(args)).ok());
    Connect();
  }
  void Connect() {
    channel_ = ledgerd_.NewChannel();
    announcements_ = v1::Announcements::NewStub(channel_);
  }
  void Disconnect() {
    announcements_.reset();
    channel_.reset();
  }

  void Import() {
    const LedgerctlResult result =
        RunLedgerctl({"--server", ledgerd_.address(), "import", STAKELEDGER_DATA_DIR});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  grpc::Status AppendAnnouncements(const std::vector<std::string>& payloads,
                                   v1::AppendResponse* response = nullptr) {
    std::vector<v1::ProposedEvent> events;
    for (const std::string& payload : payloads) {
      events.push_back(MakeEvent(domain::kAnnouncementEventType, payload));
    }
    return Append(ledgerd_.stub(), MakeAppend(domain::kAnnouncementsStream, std::move(events)),
                  response);
  }
  // Announcements "PREFIX-first" .. "PREFIX-(first+count-1)", one append.
  void AddAnnouncements(const std::string& prefix, int first, int count) {
    std::vector<std::string> payloads;
    for (int i = first; i < first + count; ++i) {
      payloads.push_back(AnnouncementJson(absl::StrCat(prefix, "-", i), 1000 + i));
    }
    ASSERT_TRUE(AppendAnnouncements(payloads).ok());
  }

  uint64_t HeadPosition() {
    v1::LogInfo info;
    EXPECT_TRUE(GetLogInfo(ledgerd_.stub(), &info).ok());
    return info.head_position();
  }

  // Every page of ListAnnouncements for `entity` (all when empty).
  std::vector<v1::RecordedAnnouncement> ListAnnouncements(const std::string& entity = "") {
    std::vector<v1::RecordedAnnouncement> all;
    v1::ListAnnouncementsRequest request;
    request.set_entity(entity);
    request.set_page_size(1000);
    for (int page = 0; page < 100; ++page) {
      grpc::ClientContext context;
      SetDeadline(&context);
      v1::ListAnnouncementsResponse response;
      const grpc::Status status = announcements_->ListAnnouncements(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      all.insert(all.end(), response.announcements().begin(), response.announcements().end());
      if (!status.ok() || response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return all;
  }

  v1::ListEntitiesResponse ListEntities() {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListEntitiesResponse response;
    EXPECT_TRUE(announcements_->ListEntities(&context, v1::ListEntitiesRequest(), &response).ok());
    return response;
  }

  // What the state answers, as text, to compare before and after a start.
  std::string Answers() {
    std::string text = ListEntities().ShortDebugString();
    for (const char* entity : {"", "nvidia", "softbank-group", "openai"}) {
      absl::StrAppend(&text, "\n", entity, ":");
      for (const v1::RecordedAnnouncement& record : ListAnnouncements(entity)) {
        absl::StrAppend(&text, " ", record.ShortDebugString());
      }
    }
    return text;
  }

  // Declared first: destroyed last, after the channel below is gone.
  LedgerdProcess ledgerd_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Announcements::Stub> announcements_;
};

TEST_F(DomainSnapshotTest, CleanRestartStartsFromTheSnapshotAndAnswersAsBefore) {
  Start();
  Import();
  AddAnnouncements("old", 0, 20);
  const uint64_t head = HeadPosition();
  const std::string before = Answers();
  Disconnect();
  ASSERT_TRUE(ledgerd_.Stop().ok());
  EXPECT_THAT(ledgerd_.output(),
              HasSubstr(absl::StrCat("ledgerd: wrote the domain snapshot at position ", head,
                                     " (clean stop)")));
  Start();

  EXPECT_EQ(Answers(), before);
  // A retry of an old announcement is a replay; other content under its id
  // is a conflict; a correction of it is checked against its facts.
  v1::AppendResponse retry;
  ASSERT_TRUE(AppendAnnouncements({AnnouncementJson("old-3", 1003)}, &retry).ok());
  EXPECT_TRUE(retry.idempotent_replay());
  EXPECT_TRUE(HasCode(AppendAnnouncements({AnnouncementJson("old-3", 7)}),
                      grpc::StatusCode::ALREADY_EXISTS));
  const grpc::Status past = AppendAnnouncements({CorrectionJson("old-3-fix", "old-3", 1)});
  EXPECT_TRUE(HasCode(past, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(past.error_message(), HasSubstr("1 is not a fact of announcement 'old-3'"));
  const size_t listed = ListAnnouncements().size();
  ASSERT_TRUE(AppendAnnouncements({CorrectionJson("old-3-fix", "old-3", 0)}).ok());
  EXPECT_EQ(HeadPosition(), head + 1);
  EXPECT_EQ(ListAnnouncements().size(), listed + 1);
  // The run's output is complete once it stopped.
  Disconnect();
  ASSERT_TRUE(ledgerd_.Stop().ok());
  EXPECT_THAT(ledgerd_.output(),
              HasSubstr(absl::StrCat("ledgerd: loaded the domain snapshot at position ", head,
                                     ", then folded 0 events")));
  EXPECT_THAT(ledgerd_.output(),
              HasSubstr(absl::StrCat("ledgerd: opened the log: head position ", head, ", ")));
}

TEST_F(DomainSnapshotTest, KilledServerKeepsEveryAcknowledgedAnnouncement) {
  // A background snapshot once 10 announcements were appended.
  Start({"--domain-snapshot-every-announcements-min=10"});
  Import();
  Disconnect();
  ASSERT_TRUE(ledgerd_.Restart().ok());
  Connect();
  AddAnnouncements("early", 0, 12);
  const uint64_t covered = HeadPosition();
  // The snapshotter looks every second; the snapshot takes milliseconds.
  absl::SleepFor(absl::Seconds(3));
  AddAnnouncements("late", 0, 3);
  AddAnnouncements("later", 0, 2);
  const std::string before = Answers();
  const uint64_t head = HeadPosition();
  Disconnect();
  ASSERT_TRUE(ledgerd_.Kill().ok());
  EXPECT_THAT(ledgerd_.output(),
              HasSubstr(absl::StrCat("ledgerd: wrote the domain snapshot at position ", covered,
                                     " (10 or more announcements since the last)")));
  Start({"--domain-snapshot-every-announcements-min=10"});

  EXPECT_EQ(HeadPosition(), head);
  EXPECT_EQ(Answers(), before);
  // Each part is known to validation: a retry of it is a replay.
  for (const auto& [id, ppm] :
       {std::pair<std::string, int>{"early-0", 1000}, {"late-2", 1002}, {"later-1", 1001}}) {
    v1::AppendResponse retry;
    ASSERT_TRUE(AppendAnnouncements({AnnouncementJson(id, ppm)}, &retry).ok()) << id;
    EXPECT_TRUE(retry.idempotent_replay()) << id;
  }
  Disconnect();
  ASSERT_TRUE(ledgerd_.Stop().ok());
  EXPECT_THAT(ledgerd_.output(),
              HasSubstr(absl::StrCat("ledgerd: loaded the domain snapshot at position ", covered,
                                     ", then folded 5 events")));
}

TEST_F(DomainSnapshotTest, SnapshotPastItsSizeLimitIsNotWrittenAndTheServerStillWorks) {
  Start({"--domain-snapshot-bytes-max=100"});
  Import();
  AddAnnouncements("old", 0, 5);
  const std::string before = Answers();
  Disconnect();
  ASSERT_TRUE(ledgerd_.Restart().ok());
  Connect();

  EXPECT_EQ(Answers(), before);
  v1::AppendResponse retry;
  ASSERT_TRUE(AppendAnnouncements({AnnouncementJson("old-1", 1001)}, &retry).ok());
  EXPECT_TRUE(retry.idempotent_replay());
  AddAnnouncements("new", 0, 2);
  Disconnect();
  ASSERT_TRUE(ledgerd_.Stop().ok());
  EXPECT_THAT(ledgerd_.output(), HasSubstr("ledgerd: opened the log"));
  EXPECT_THAT(ledgerd_.output(), Not(HasSubstr("loaded the domain snapshot")));
}

}  // namespace
}  // namespace stakeledger::tests
