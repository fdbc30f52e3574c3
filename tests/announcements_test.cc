// Announcements end to end against a real ledgerd: `ledgerctl import` is
// all-or-nothing and idempotent, EventStore.Append refuses invalid domain
// events, and the Announcements service answers by alias.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/data_set.h"
#include "domain/entity_fields.h"
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

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A copy of data/ in a temporary folder, to spoil lines of.
class DataCopy {
 public:
  DataCopy() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/stakeledger-data-XXXXXX";
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
    fs::copy(STAKELEDGER_DATA_DIR, path_, fs::copy_options::recursive);
  }
  ~DataCopy() { fs::remove_all(path_); }

  // Replaces `from` by `to` in line `line` (1-based) of `file`.
  void Spoil(const std::string& file, size_t line, const std::string& from, const std::string& to) {
    std::ifstream in(path_ / file);
    std::vector<std::string> lines;
    for (std::string text; std::getline(in, text);) lines.push_back(text);
    ASSERT_LT(line - 1, lines.size());
    ASSERT_THAT(lines[line - 1], HasSubstr(from));
    lines[line - 1] = absl::StrReplaceAll(lines[line - 1], {{from, to}});
    std::ofstream out(path_ / file, std::ios::trunc);
    for (const std::string& text : lines) out << text << "\n";
  }

  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// The curated data set, read with the domain rules, to compare answers with.
domain::DataSetChecker ReadDataSet() {
  domain::DataSetChecker checker(domain::EntityRegistry(), {});
  checker.CheckFiles(*domain::ListDataFiles({STAKELEDGER_DATA_DIR}));
  return checker;
}

class AnnouncementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledgerd_.Start().ok());
    Connect();
  }
  void Connect() {
    channel_ = ledgerd_.NewChannel();
    announcements_ = v1::Announcements::NewStub(channel_);
  }

  LedgerctlResult Import(const std::string& path) {
    return RunLedgerctl({"--server", ledgerd_.address(), "import", path});
  }

  uint64_t HeadPosition() {
    v1::LogInfo info;
    EXPECT_TRUE(GetLogInfo(ledgerd_.stub(), &info).ok());
    return info.head_position();
  }

  grpc::Status List(const std::string& entity, v1::ListAnnouncementsResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListAnnouncementsRequest request;
    request.set_entity(entity);
    request.set_page_size(1000);
    return announcements_->ListAnnouncements(&context, request, response);
  }

  grpc::Status Resolve(const std::string& name, v1::Entity* entity) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ResolveEntityRequest request;
    request.set_name(name);
    return announcements_->ResolveEntity(&context, request, entity);
  }

  v1::AppendRequest AnnouncementAppend(const std::string& json) {
    return MakeAppend(domain::kAnnouncementsStream,
                      {MakeEvent(domain::kAnnouncementEventType, json)});
  }

  // Declared first: destroyed last, after the channel below is gone.
  LedgerdProcess ledgerd_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Announcements::Stub> announcements_;
};

const char kBadTarget[] =
    R"({"announcement_id":"bad-1","announced_date":"2024","source":{"outlet":"X"},)"
    R"("facts":[{"quote":"q","stake_change":{"holder":"소프트뱅크","target":"nvidiaa",)"
    R"("resulting_stake":{"ppm":"1000"}}}]})";

TEST_F(AnnouncementsTest, ImportWithABadLineWritesNothingAndReportsEveryBadLine) {
  DataCopy data;
  data.Spoil("announcements/000_f926cd409fda6242.jsonl", 2, R"("target":"nvidia")",
             R"("target":"nvidiaa")");
  data.Spoil("announcements/001_1c609544bcf5d08a.jsonl", 1, R"("currency":"USD")",
             R"("currency":"USX")");
  data.Spoil("entities.jsonl", 3, R"("kind":"PERSON")", R"("kind":"ROBOT")");

  const LedgerctlResult result = Import(data.path());

  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("entities.jsonl:3: "));
  EXPECT_THAT(result.err, HasSubstr("000_f926cd409fda6242.jsonl:2: facts[0].stake_change.target: "
                                    "unknown entity 'nvidiaa'; closest: nvidia"));
  EXPECT_THAT(result.err, HasSubstr("001_1c609544bcf5d08a.jsonl:1: "));
  EXPECT_THAT(result.err, HasSubstr("unknown currency 'USX'"));
  EXPECT_THAT(result.err, HasSubstr("3 bad lines"));
  EXPECT_EQ(HeadPosition(), 0u);
}

TEST_F(AnnouncementsTest, SecondImportWritesNothing) {
  const domain::DataSetChecker data = ReadDataSet();
  const size_t events = data.entities().size() + data.announcements().size();

  const LedgerctlResult first = Import(STAKELEDGER_DATA_DIR);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr(absl::StrCat(data.entities().size(), " new")));
  EXPECT_EQ(HeadPosition(), events);

  const LedgerctlResult second = Import(STAKELEDGER_DATA_DIR);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr(absl::StrCat("(0 new, ", data.announcements().size(),
                                                 " already present)")));
  EXPECT_EQ(HeadPosition(), events);
}

TEST_F(AnnouncementsTest, AppendOfAnAnnouncementNamingAnUnknownEntityIsInvalid) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  const uint64_t head = HeadPosition();

  const grpc::Status status = Append(ledgerd_.stub(), AnnouncementAppend(kBadTarget));

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(),
              HasSubstr("facts[0].stake_change.target: unknown entity 'nvidiaa'; closest: nvidia"));
  EXPECT_EQ(HeadPosition(), head);
}

TEST_F(AnnouncementsTest, AppendOfAnOutOfRangeStakeIsInvalidAndWritesNothing) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  const uint64_t head = HeadPosition();
  const std::string good =
      absl::StrReplaceAll(kBadTarget, {{"nvidiaa", "엔비디아"}, {"bad-1", "good-1"}});
  const std::string bad =
      absl::StrReplaceAll(good, {{R"("ppm":"1000")", R"("ppm":"1000001")"}, {"good-1", "bad-2"}});

  // Two events in one request, the second bad: neither is written.
  v1::AppendRequest request = AnnouncementAppend(good);
  *request.add_events() = MakeEvent(domain::kAnnouncementEventType, bad);
  const grpc::Status status = Append(ledgerd_.stub(), request);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(),
              HasSubstr("events[1]: facts[0].stake_change.resulting_stake.ppm: 1000001"));
  EXPECT_EQ(HeadPosition(), head);
}

TEST_F(AnnouncementsTest, AppendOfAnAnnouncementAnnouncedInTheFutureIsInvalidAndWritesNothing) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  const uint64_t head = HeadPosition();
  const std::string good = absl::StrReplaceAll(kBadTarget, {{"nvidiaa", "엔비디아"}});
  for (const char* date : {"2099", "2099-01", "2099-01-01"}) {
    const grpc::Status status =
        Append(ledgerd_.stub(), AnnouncementAppend(absl::StrReplaceAll(
                                    good, {{R"("announced_date":"2024")",
                                            absl::StrCat(R"("announced_date":")", date, "\"")},
                                           {"bad-1", "future-1"}})));
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::INVALID_ARGUMENT)) << date;
    EXPECT_THAT(status.error_message(), HasSubstr("events[0]: announced_date:")) << date;
  }
  EXPECT_EQ(HeadPosition(), head);
}

TEST_F(AnnouncementsTest, AppendOfAFactTakingEffectInTheFutureIsRecorded) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  const uint64_t head = HeadPosition();
  // Announced today (UTC), completing in 2099: a scheduled completion.
  const std::string today = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
  const std::string scheduled = absl::StrReplaceAll(
      kBadTarget,
      {{"nvidiaa", "엔비디아"},
       {"bad-1", "scheduled-1"},
       {R"("announced_date":"2024")", absl::StrCat(R"("announced_date":")", today, "\"")},
       {R"("ppm":"1000"})", R"("ppm":"1000"},"effective_date":"2099-06")"}});
  EXPECT_TRUE(HasCode(Append(ledgerd_.stub(), AnnouncementAppend(scheduled)), grpc::StatusCode::OK))
      << scheduled;
  EXPECT_EQ(HeadPosition(), head + 1);
}

TEST_F(AnnouncementsTest, AppendStoresTheCanonicalFormUnderTheDerivedId) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  const std::string json = absl::StrReplaceAll(kBadTarget, {{"nvidiaa", "エヌビディア"}});
  v1::AppendResponse response;
  ASSERT_TRUE(Append(ledgerd_.stub(), AnnouncementAppend(json), &response).ok());

  v1::ReadStreamRequest read;
  read.set_stream(domain::kAnnouncementsStream);
  read.set_from_end(true);
  read.set_direction(v1::BACKWARDS);
  read.set_count(1);
  const ReadResult stored = ReadStream(ledgerd_.stub(), read);
  ASSERT_TRUE(stored.status.ok());
  ASSERT_EQ(stored.events.size(), 1u);
  EXPECT_EQ(stored.events[0].event_id(), domain::AnnouncementEventId("bad-1"));
  EXPECT_EQ(stored.events[0].content_type(), domain::kAnnouncementContentType);
  const absl::StatusOr<v1::Announcement> canonical =
      domain::DecodeAnnouncement(stored.events[0].content_type(), stored.events[0].payload());
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  EXPECT_THAT(domain::ToPayloadJson(*canonical),
              HasSubstr(R"("holder":"softbank-group","target":"nvidia")"));
}

TEST_F(AnnouncementsTest, CorrectionOfAnUnknownAnnouncementIsInvalid) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  const grpc::Status status =
      Append(ledgerd_.stub(),
             AnnouncementAppend(R"({"announcement_id":"c-1","announced_date":"2025","source":)"
                                R"({"outlet":"X"},"facts":[{"quote":"q","correction":{"action":)"
                                R"("RETRACT","announcement_id":"no-such-announcement"}}]})"));
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(),
              HasSubstr("facts[0].correction.announcement_id: no earlier announcement "
                        "'no-such-announcement'"));
}

// The announcements of the data set that name `entity_id` directly.
size_t CountNaming(const domain::DataSetChecker& data, const std::string& entity_id) {
  size_t count = 0;
  for (const auto& record : data.announcements()) {
    bool names = false;
    for (const v1::Fact& fact : record.message.facts()) {
      (void)domain::ForEachEntityName("", fact, [&](const std::string&, const std::string& id) {
        names = names || id == entity_id;
        return absl::OkStatus();
      });
    }
    count += names ? 1 : 0;
  }
  return count;
}

TEST_F(AnnouncementsTest, ListAnnouncementsByKoreanAlias) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  v1::ListAnnouncementsResponse response;
  ASSERT_TRUE(List("엔비디아", &response).ok());

  ASSERT_EQ(static_cast<size_t>(response.announcements_size()),
            CountNaming(ReadDataSet(), "nvidia"));
  for (const v1::RecordedAnnouncement& record : response.announcements()) {
    EXPECT_THAT(domain::ToPayloadJson(record.announcement()), HasSubstr(R"("nvidia")"));
  }
  EXPECT_GT(response.announcements_size(), 0);
}

TEST_F(AnnouncementsTest, ListAnnouncementsByUnknownEntitySuggests) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  v1::ListAnnouncementsResponse response;
  const grpc::Status status = List("nvidiaa", &response);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(status.error_message(), HasSubstr("entity: unknown entity 'nvidiaa'"));
  EXPECT_THAT(status.error_message(), HasSubstr("closest: nvidia"));
}

// The positions of every announcement naming `entity`, read `page_size`
// at a time (at most `pages_max` pages).
std::vector<uint64_t> ListPositionsByPages(v1::Announcements::Stub* stub, const std::string& entity,
                                           uint32_t page_size, int pages_max) {
  std::vector<uint64_t> positions;
  std::string token;
  for (int page = 0; page < pages_max; ++page) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListAnnouncementsRequest request;
    request.set_entity(entity);
    request.set_page_size(page_size);
    request.set_page_token(token);
    v1::ListAnnouncementsResponse response;
    const grpc::Status status = stub->ListAnnouncements(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    EXPECT_LE(static_cast<uint32_t>(response.announcements_size()), page_size);
    for (const v1::RecordedAnnouncement& record : response.announcements()) {
      positions.push_back(record.position());
    }
    token = response.next_page_token();
    if (token.empty()) break;
  }
  return positions;
}

TEST_F(AnnouncementsTest, CorrectionsAreListedUnderTheEntitiesOfWhatTheyCorrect) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  v1::ListAnnouncementsResponse before;
  ASSERT_TRUE(List("nvidia", &before).ok());
  // An announcement naming nvidia, a correction of it (naming no entity)
  // and a correction of that correction, in one request.
  v1::AppendRequest append = MakeAppend(
      domain::kAnnouncementsStream,
      {MakeEvent(domain::kAnnouncementEventType,
                 R"({"announcement_id":"link-1","announced_date":"2024","source":{"outlet":"X"},)"
                 R"("facts":[{"quote":"q","stake_change":{"holder":"소프트뱅크","target":"nvidia",)"
                 R"("resulting_stake":{"ppm":"1000"}}}]})"),
       MakeEvent(domain::kAnnouncementEventType,
                 R"({"announcement_id":"link-1-fix","announced_date":"2025","source":)"
                 R"({"outlet":"X"},"facts":[{"quote":"q","correction":{"action":"RETRACT",)"
                 R"("announcement_id":"link-1"}}]})"),
       MakeEvent(domain::kAnnouncementEventType,
                 R"({"announcement_id":"link-1-fix-2","announced_date":"2025","source":)"
                 R"({"outlet":"X"},"facts":[{"quote":"q","correction":{"action":"RETRACT",)"
                 R"("announcement_id":"link-1-fix"}}]})")});
  ASSERT_TRUE(Append(ledgerd_.stub(), append).ok());

  v1::ListAnnouncementsResponse after;
  ASSERT_TRUE(List("엔비디아", &after).ok());
  ASSERT_EQ(after.announcements_size(), before.announcements_size() + 3);
  std::vector<std::string> added;
  for (int i = before.announcements_size(); i < after.announcements_size(); ++i) {
    added.push_back(after.announcements(i).announcement().announcement_id());
  }
  EXPECT_EQ(added, (std::vector<std::string>{"link-1", "link-1-fix", "link-1-fix-2"}));
  // An entity neither names gains nothing.
  v1::ListAnnouncementsResponse other;
  ASSERT_TRUE(List("openai", &other).ok());
  for (const v1::RecordedAnnouncement& record : other.announcements()) {
    EXPECT_THAT(record.announcement().announcement_id(), ::testing::Not(HasSubstr("link-1")));
  }
  std::vector<uint64_t> all;
  for (const v1::RecordedAnnouncement& record : after.announcements()) {
    all.push_back(record.position());
  }
  // Pages of one, of two, and past a restart, give the same positions.
  EXPECT_EQ(ListPositionsByPages(announcements_.get(), "nvidia", 1, 1000), all);
  EXPECT_EQ(ListPositionsByPages(announcements_.get(), "nvidia", 2, 1000), all);
  announcements_.reset();
  channel_.reset();
  ASSERT_TRUE(ledgerd_.Restart().ok());
  Connect();
  v1::ListAnnouncementsResponse restarted;
  ASSERT_TRUE(List("nvidia", &restarted).ok());
  EXPECT_TRUE(SameMessage(after, restarted));
}

// Listed announcements are read back from the log, neighbours a chunk at
// a time: those 66 positions apart (the service's reading gap for a run of
// two) and those further apart must all come back whole.
TEST_F(AnnouncementsTest, AnnouncementsFarApartInTheLogAreListedWhole) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  // This year: after every curated announcement, and not in the future.
  const std::string year = absl::FormatTime("%Y", absl::Now(), absl::UTCTimeZone());
  const auto announce = [&](const std::string& id) {
    ASSERT_TRUE(
        Append(ledgerd_.stub(), AnnouncementAppend(absl::StrCat(
                                    R"({"announcement_id":")", id, R"(","announced_date":")", year,
                                    R"(","source":{"outlet":"X"},"facts":[)",
                                    R"({"quote":"q","stake_change":{"holder":"소프트뱅크",)",
                                    R"("target":"nvidia","resulting_stake":{"ppm":"1000"}}}]})")))
            .ok());
  };
  const auto fill = [&](size_t count) {
    std::vector<v1::ProposedEvent> events;
    for (size_t i = 0; i < count; ++i) events.push_back(MakeEvent("filler", "{}"));
    ASSERT_TRUE(Append(ledgerd_.stub(), MakeAppend("other", events)).ok());
  };
  announce("far-1");
  fill(65);
  announce("far-2");
  fill(70);
  announce("far-3");

  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ListAnnouncementsRequest request;
  request.set_entity("nvidia");
  request.set_from_date(year);
  v1::ListAnnouncementsResponse response;
  ASSERT_TRUE(announcements_->ListAnnouncements(&context, request, &response).ok());
  ASSERT_EQ(response.announcements_size(), 3);
  EXPECT_EQ(response.announcements(1).position() - response.announcements(0).position(), 66u);
  EXPECT_EQ(response.announcements(2).position() - response.announcements(1).position(), 71u);
  for (int i = 0; i < 3; ++i) {
    const v1::RecordedAnnouncement& record = response.announcements(i);
    EXPECT_EQ(record.announcement().announcement_id(), absl::StrCat("far-", i + 1));
    EXPECT_EQ(record.event_id(), domain::AnnouncementEventId(absl::StrCat("far-", i + 1)));
    EXPECT_EQ(record.announcement().facts(0).stake_change().target(), "nvidia");
    EXPECT_GT(record.recorded_at().seconds(), 0);
  }
}

// What validation knows of a recorded announcement (that it exists, its
// content for a retry, its fact count for a correction) holds after a
// restart, when the announcement is known only from the log.
TEST_F(AnnouncementsTest, RetriesAndCorrectionsAreCheckedAgainstRecordedAnnouncements) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  const std::string original =
      R"({"announcement_id":"kept-1","announced_date":"2024","source":{"outlet":"X"},)"
      R"("facts":[{"quote":"q","stake_change":{"holder":"소프트뱅크","target":"nvidia",)"
      R"("resulting_stake":{"ppm":"1000"}}}]})";
  ASSERT_TRUE(Append(ledgerd_.stub(), AnnouncementAppend(original)).ok());
  announcements_.reset();
  channel_.reset();
  ASSERT_TRUE(ledgerd_.Restart().ok());
  Connect();

  v1::AppendResponse retry;
  ASSERT_TRUE(Append(ledgerd_.stub(), AnnouncementAppend(original), &retry).ok());
  EXPECT_TRUE(retry.idempotent_replay());
  const grpc::Status other = Append(
      ledgerd_.stub(), AnnouncementAppend(absl::StrReplaceAll(original, {{"1000", "2000"}})));
  EXPECT_TRUE(HasCode(other, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(other.error_message(),
              HasSubstr("announcement 'kept-1' is already recorded with other content"));
  const std::string correction =
      R"({"announcement_id":"kept-1-fix","announced_date":"2025","source":{"outlet":"X"},)"
      R"("facts":[{"quote":"q","correction":{"action":"RETRACT","announcement_id":"kept-1",)"
      R"("fact_indexes":[INDEX]}}]})";
  const grpc::Status past = Append(
      ledgerd_.stub(), AnnouncementAppend(absl::StrReplaceAll(correction, {{"INDEX", "1"}})));
  EXPECT_TRUE(HasCode(past, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(past.error_message(),
              HasSubstr("fact_indexes[0]: 1 is not a fact of announcement 'kept-1', which has 1 "
                        "fact"));
  EXPECT_TRUE(
      Append(ledgerd_.stub(), AnnouncementAppend(absl::StrReplaceAll(correction, {{"INDEX", "0"}})))
          .ok());
}

TEST_F(AnnouncementsTest, ResolveEntityAcceptsJapaneseAndMixedCase) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  v1::Entity entity;
  ASSERT_TRUE(Resolve("ソフトバンク", &entity).ok());
  EXPECT_EQ(entity.entity_id(), "softbank-group");
  ASSERT_TRUE(Resolve("sOfTbAnK gRoUp", &entity).ok());
  EXPECT_EQ(entity.entity_id(), "softbank-group");
}

TEST_F(AnnouncementsTest, RegistryAndAnnouncementsAreRebuiltAfterRestart) {
  ASSERT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  v1::ListAnnouncementsResponse before;
  ASSERT_TRUE(List("오픈AI", &before).ok());
  announcements_.reset();
  channel_.reset();

  ASSERT_TRUE(ledgerd_.Restart().ok());
  Connect();

  v1::ListAnnouncementsResponse after;
  ASSERT_TRUE(List("오픈AI", &after).ok());
  EXPECT_TRUE(SameMessage(before, after));
  EXPECT_EQ(Import(STAKELEDGER_DATA_DIR).exit_code, 0);
  EXPECT_EQ(HeadPosition(), ReadDataSet().entities().size() + ReadDataSet().announcements().size());
}

}  // namespace
}  // namespace stakeledger::tests
