// Announcements and entities stored as binary protobuf (domain/events.h):
// binary and JSON input, corrupt binary refused, a data directory an
// earlier build wrote (JSON payloads) still loading, folding and taking
// retries beside new binary events, and ledgerctl showing binary payloads
// as JSON.
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/announcement_check.h"
#include "domain/entity_registry.h"
#include "domain/events.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/announcements_service.grpc.pb.h"
#include "storage/event_log.h"
#include "storage/limits.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Entity Company(const std::string& id, const std::string& name) {
  v1::Entity entity;
  entity.set_entity_id(id);
  entity.set_display_name(name);
  entity.set_kind(v1::Entity::COMPANY);
  return entity;
}

// SoftBank's stake in Arm, `ppm` from `date` on.
v1::Announcement ArmStake(const std::string& id, int64_t ppm, const std::string& date) {
  v1::Announcement announcement;
  announcement.set_announcement_id(id);
  announcement.set_announced_date(date);
  announcement.mutable_source()->set_outlet("Reuters");
  v1::Fact* fact = announcement.add_facts();
  fact->set_quote("SoftBank holds Arm");
  v1::StakeChange* change = fact->mutable_stake_change();
  change->set_holder("softbank-group");
  change->set_target("arm");
  change->mutable_resulting_stake()->set_ppm(ppm);
  change->set_effective_date(date);
  return announcement;
}

// An event as a client sends it in protobuf's JSON mapping.
v1::ProposedEvent JsonEvent(absl::string_view type, const google::protobuf::Message& message) {
  v1::ProposedEvent event = MakeEvent(type, domain::ToPayloadJson(message));
  event.set_content_type(domain::kJsonContentType);
  return event;
}

v1::ProposedEvent BinaryEvent(absl::string_view type, absl::string_view content_type,
                              std::string bytes) {
  v1::ProposedEvent event = MakeEvent(type, bytes);
  event.set_content_type(std::string(content_type));
  return event;
}

class BinaryPayloadTest : public ::testing::Test {
 protected:
  void Start() {
    const absl::Status started = ledgerd_.Start();
    ASSERT_TRUE(started.ok()) << started;
    Connect();
  }
  void Connect() {
    channel_ = ledgerd_.NewChannel();
    announcements_ = v1::Announcements::NewStub(channel_);
  }

  // Registers SoftBank and Arm through the service, in binary.
  void RegisterEntities() {
    const grpc::Status status =
        Append(ledgerd_.stub(),
               MakeAppend(domain::kEntitiesStream,
                          {domain::MakeEntityEvent(Company("softbank-group", "SoftBank Group")),
                           domain::MakeEntityEvent(Company("arm", "Arm Holdings"))}));
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Writes, with ledgerd stopped, the log an earlier build would have
  // written for SoftBank, Arm and `announcement`: each canonicalized as
  // the service does, stored as protobuf's JSON mapping under
  // "application/json" with the derived event id.
  void WriteAsAnEarlierBuild(const v1::Announcement& announcement) {
    auto log = storage::EventLog::Open(ledgerd_.data_dir(), storage::Limits());
    ASSERT_TRUE(log.ok()) << log.status();
    domain::EntityRegistry registry;
    v1::AppendRequest entities;
    entities.set_stream(domain::kEntitiesStream);
    for (const v1::Entity& entity :
         {Company("softbank-group", "SoftBank Group"), Company("arm", "Arm Holdings")}) {
      absl::StatusOr<v1::Entity> canonical = registry.Check(entity);
      ASSERT_TRUE(canonical.ok()) << canonical.status();
      ASSERT_TRUE(registry.Add(*canonical).ok());
      *entities.add_events() = AsEarlierBuild(domain::MakeEntityEvent(*canonical), *canonical);
    }
    ASSERT_TRUE((*log)->AppendAndWait(entities).ok());
    absl::StatusOr<v1::Announcement> canonical = domain::CanonicalizeAnnouncement(
        announcement, registry, [](absl::string_view) { return std::nullopt; });
    ASSERT_TRUE(canonical.ok()) << canonical.status();
    v1::AppendRequest announcements;
    announcements.set_stream(domain::kAnnouncementsStream);
    *announcements.add_events() =
        AsEarlierBuild(domain::MakeAnnouncementEvent(*canonical), *canonical);
    ASSERT_TRUE((*log)->AppendAndWait(announcements).ok());
  }

  static v1::ProposedEvent AsEarlierBuild(v1::ProposedEvent event,
                                          const google::protobuf::Message& canonical) {
    event.set_content_type(domain::kJsonContentType);
    event.set_payload(domain::ToPayloadJson(canonical));
    return event;
  }

  uint64_t HeadPosition() {
    v1::LogInfo info;
    EXPECT_TRUE(GetLogInfo(ledgerd_.stub(), &info).ok());
    return info.head_position();
  }

  // The ids of the announcements naming Arm, in log order.
  std::vector<std::string> AnnouncementsNamingArm() {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListAnnouncementsRequest request;
    request.set_entity("arm");
    request.set_page_size(100);
    v1::ListAnnouncementsResponse response;
    const grpc::Status status = announcements_->ListAnnouncements(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const v1::RecordedAnnouncement& record : response.announcements()) {
      ids.push_back(record.announcement().announcement_id());
    }
    return ids;
  }

  LedgerctlResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", ledgerd_.address()});
    return RunLedgerctl(args);
  }

  // `stake --json softbank-group arm --as-of DATE`, retried (bounded) until
  // the projection has folded the whole log.
  std::string StakeAsOf(const std::string& date, uint64_t head) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    const std::regex caught_up(absl::StrCat("\"projection_position\":\"?", head, "\\b"));
    for (;;) {
      const LedgerctlResult result =
          Ctl({"--json", "stake", "softbank-group", "arm", "--as-of", date});
      EXPECT_EQ(result.exit_code, 0) << result.err;
      if (std::regex_search(result.out, caught_up) || absl::Now() > deadline) return result.out;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  // Declared first: destroyed last, after the channel below is gone.
  LedgerdProcess ledgerd_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Announcements::Stub> announcements_;
};

TEST_F(BinaryPayloadTest, JsonInputIsStoredAsCanonicalBinary) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(RegisterEntities());
  v1::Announcement named = ArmStake("arm-2023", 900000, "2023-09-14");
  named.mutable_facts(0)->mutable_stake_change()->set_holder("SoftBank Group");  // a name
  v1::AppendResponse response;
  ASSERT_TRUE(Append(ledgerd_.stub(),
                     MakeAppend(domain::kAnnouncementsStream,
                                {JsonEvent(domain::kAnnouncementEventType, named)}),
                     &response)
                  .ok());

  v1::ReadStreamRequest read;
  read.set_stream(domain::kAnnouncementsStream);
  const ReadResult stored = ReadStream(ledgerd_.stub(), read);
  ASSERT_TRUE(stored.status.ok());
  ASSERT_EQ(stored.events.size(), 1u);
  EXPECT_EQ(stored.events[0].content_type(), domain::kAnnouncementContentType);
  const absl::StatusOr<v1::Announcement> decoded =
      domain::DecodeAnnouncement(stored.events[0].content_type(), stored.events[0].payload());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->facts(0).stake_change().holder(), "softbank-group") << "named by id";
  EXPECT_EQ(stored.events[0].payload(), domain::ToPayloadBinary(*decoded)) << "deterministic";
}

TEST_F(BinaryPayloadTest, BinaryInputIsAcceptedAndARetryIsAnIdempotentReplay) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(RegisterEntities());
  const v1::AppendRequest request = MakeAppend(
      domain::kAnnouncementsStream,
      {BinaryEvent(domain::kAnnouncementEventType, domain::kAnnouncementContentType,
                   domain::ToPayloadBinary(ArmStake("arm-2023", 900000, "2023-09-14")))});
  v1::AppendResponse first;
  ASSERT_TRUE(Append(ledgerd_.stub(), request, &first).ok());
  EXPECT_FALSE(first.idempotent_replay());
  v1::AppendResponse again;
  ASSERT_TRUE(Append(ledgerd_.stub(), request, &again).ok());
  EXPECT_TRUE(again.idempotent_replay());
  EXPECT_EQ(again.first_position(), first.first_position());
  EXPECT_EQ(AnnouncementsNamingArm(), std::vector<std::string>{"arm-2023"});
}

TEST_F(BinaryPayloadTest, CorruptBinaryIsInvalidArgumentAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(RegisterEntities());
  const uint64_t head = HeadPosition();
  std::string cut = domain::ToPayloadBinary(ArmStake("arm-2023", 900000, "2023-09-14"));
  cut.resize(cut.size() - 3);
  // An Entity's bytes read as an Announcement: its kind (field 3, a
  // varint) does not fit Announcement.source (field 3, a message).
  const std::string entity = domain::ToPayloadBinary(Company("x", "X"));
  struct Case {
    std::string bytes;
    std::string reason;
  };
  for (const Case& bad : {Case{cut, "payload: not a binary stakeledger.v1.Announcement"},
                          Case{entity,
                               "payload: the binary stakeledger.v1.Announcement holds fields its "
                               "schema does not know"}}) {
    // A good event first: the request is refused as a whole.
    const grpc::Status status =
        Append(ledgerd_.stub(),
               MakeAppend(domain::kAnnouncementsStream,
                          {domain::MakeAnnouncementEvent(ArmStake("good-1", 900000, "2023-09-14")),
                           BinaryEvent(domain::kAnnouncementEventType,
                                       domain::kAnnouncementContentType, bad.bytes)}));
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::INVALID_ARGUMENT)) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("events[1]: " + bad.reason));
  }
  EXPECT_EQ(HeadPosition(), head);
  EXPECT_TRUE(AnnouncementsNamingArm().empty());
}

TEST_F(BinaryPayloadTest, AnotherMessagesContentTypeIsInvalidArgumentNamingIt) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(RegisterEntities());
  const uint64_t head = HeadPosition();
  const grpc::Status status =
      Append(ledgerd_.stub(),
             MakeAppend(domain::kAnnouncementsStream,
                        {BinaryEvent(domain::kAnnouncementEventType, domain::kEntityContentType,
                                     domain::ToPayloadBinary(ArmStake("a", 900000, "2023")))}));
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(),
              HasSubstr(absl::StrCat("content_type: '", domain::kEntityContentType, "'")));
  EXPECT_EQ(HeadPosition(), head);
}

TEST_F(BinaryPayloadTest, JsonLogOfAnEarlierBuildLoadsFoldsAndTakesBinaryAppends) {
  ASSERT_NO_FATAL_FAILURE(WriteAsAnEarlierBuild(ArmStake("arm-2016", 1000000, "2016-09-05")));
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(AnnouncementsNamingArm(), std::vector<std::string>{"arm-2016"});

  // A new announcement, stored in binary after the JSON one.
  ASSERT_TRUE(
      Append(ledgerd_.stub(), MakeAppend(domain::kAnnouncementsStream,
                                         {JsonEvent(domain::kAnnouncementEventType,
                                                    ArmStake("arm-2023", 900000, "2023-09-14"))}))
          .ok());
  const ReadResult log = ReadWholeLog(ledgerd_.stub());
  ASSERT_TRUE(log.status.ok());
  ASSERT_EQ(log.events.size(), 4u);
  EXPECT_EQ(log.events[2].content_type(), domain::kJsonContentType);
  EXPECT_EQ(log.events[3].content_type(), domain::kAnnouncementContentType);
  EXPECT_EQ(AnnouncementsNamingArm(), (std::vector<std::string>{"arm-2016", "arm-2023"}));

  // The projection folds both.
  EXPECT_THAT(StakeAsOf("2020-01-01", 4), HasSubstr("\"ppm\":1000000"));
  EXPECT_THAT(StakeAsOf("2024-01-01", 4), HasSubstr("\"ppm\":900000"));

  // Importing the old announcement and entity again is a retry, not a
  // conflict with the JSON bytes stored for them.
  for (const auto& [stream, event] :
       {std::pair{
            domain::kAnnouncementsStream,
            JsonEvent(domain::kAnnouncementEventType, ArmStake("arm-2016", 1000000, "2016-09-05"))},
        std::pair{domain::kEntitiesStream,
                  JsonEvent(domain::kEntityEventType, Company("arm", "Arm Holdings"))}}) {
    v1::AppendResponse replay;
    const grpc::Status status = Append(ledgerd_.stub(), MakeAppend(stream, {event}), &replay);
    ASSERT_TRUE(status.ok()) << stream << ": " << status.error_message();
    EXPECT_TRUE(replay.idempotent_replay()) << stream;
  }
  EXPECT_EQ(HeadPosition(), 4u);

  // A restart loads both forms again.
  ASSERT_TRUE(ledgerd_.Restart().ok());
  Connect();
  EXPECT_EQ(AnnouncementsNamingArm(), (std::vector<std::string>{"arm-2016", "arm-2023"}));
  EXPECT_THAT(StakeAsOf("2020-01-01", 4), HasSubstr("\"ppm\":1000000"));
  channel_.reset();
  announcements_.reset();
  ASSERT_TRUE(ledgerd_.Stop().ok());
  EXPECT_THAT(ledgerd_.output(), HasSubstr("2 entities and 2 announcements"));
}

TEST_F(BinaryPayloadTest, LedgerctlReadShowsBinaryPayloadsAsJson) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(RegisterEntities());
  ASSERT_TRUE(Append(ledgerd_.stub(), MakeAppend(domain::kAnnouncementsStream,
                                                 {domain::MakeAnnouncementEvent(
                                                     ArmStake("arm-2023", 900000, "2023-09-14"))}))
                  .ok());

  const LedgerctlResult table = Ctl({"read", "announcements"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr(R"({"announcement_id":"arm-2023")"));
  EXPECT_THAT(table.out, Not(HasSubstr(" bytes>")));

  const LedgerctlResult json = Ctl({"--json", "read", "announcements"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr(R"("decoded_payload":{"announcement_id":"arm-2023",)"));
  EXPECT_THAT(json.out, HasSubstr(R"("holder":"softbank-group","target":"arm")"));

  const LedgerctlResult entities = Ctl({"--json", "read", "entities"});
  ASSERT_EQ(entities.exit_code, 0) << entities.err;
  EXPECT_THAT(entities.out,
              HasSubstr(R"("decoded_payload":{"entity_id":"arm","display_name":"Arm Holdings")"));
}

}  // namespace
}  // namespace stakeledger::tests
