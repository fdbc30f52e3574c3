#include "domain/announcement_check.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "domain/events.h"
#include "domain/test_registry.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace stakeledger::domain {
namespace {

using ::testing::HasSubstr;

// One announcement around one fact (JSON), from seed 000.
std::string WithFact(absl::string_view fact_json) {
  return absl::StrCat(R"({"announcement_id":"test-1","announced_date":"2024-10",)"
                      R"("source":{"seed_file":"000_f926cd409fda6242.txt","language":"ko"},)"
                      R"("facts":[{"quote":"소프트뱅크는 엔비디아 주식을 인수",)",
                      fact_json, "}]}");
}

// A valid fact of every kind, naming entities by alias.
const char* const kFacts[] = {
    R"("stake_change":{"holder":"소프트뱅크","target":"NVIDIA","resulting_stake":{"ppm":"50000","qualifier":"APPROXIMATELY"},"change":{"ppm":"-50000"},"method":"MARKET_PURCHASE","effective_date":"2017"})",
    R"("acquisition":{"stage":"ANNOUNCED","acquirer":"SoftBank","target":"암","price":{"minor_units":"3200000000000","currency":"USD"},"stake":{"ppm":"1000000"},"effective_date":"2016-07-18"})",
    R"("funding_round":{"company":"오픈AI","round_name":"Series X","round_size":{"minor_units":"660000000000","currency":"USD"},"participants":[{"participant":"ソフトバンク","amount":{"minor_units":"50000000000","currency":"USD"},"lead":true}],"post_money_valuation":{"minor_units":"15700000000000","currency":"USD"},"effective_date":"2024-10"})",
    R"("joint_venture_formed":{"venture":"SB 오픈AI 재팬","partners":[{"partner":"softbank-group","share":{"ppm":"500000"}},{"partner":"openai","share":{"ppm":"500000"}}],"committed_capital":{"minor_units":"1","currency":"JPY"},"effective_date":"2025-02"})",
    R"("fund_established":{"fund":"비전펀드 2호","sponsor":"SoftBank Group","size":{"minor_units":"10000000000000","currency":"USD"},"effective_date":"2019"})",
    R"("warrant_granted":{"holder":"openai","issuer":"arm holdings","shares":"160000000","potential_stake":{"ppm":"100000","qualifier":"EXACT"},"conditions":"특정 조건만 충족되면","effective_date":"2025-10"})",
    R"("valuation_reported":{"company":"n8n","valuation":{"minor_units":"250000000000","currency":"USD","qualifier":"AT_LEAST"},"effective_date":"2025"})",
    R"("financial_results":{"company":"엔비디아","period":"2024-Q3","revenue":{"minor_units":"1","currency":"USD"},"operating_income":{"minor_units":"0","currency":"USD"},"net_loss":{"minor_units":"5","currency":"USD"}})",
    R"("correction":{"action":"SUPERSEDE","announcement_id":"earlier-2","fact_indexes":[1],"reason":"a later report","corrected_date":"2025-02"})",
};

class AnnouncementCheckTest : public ::testing::Test {
 protected:
  absl::StatusOr<v1::Announcement> Check(const std::string& json) {
    absl::StatusOr<v1::Announcement> parsed = ParseAnnouncementJson(json);
    if (!parsed.ok()) return parsed.status();
    return CanonicalizeAnnouncement(*parsed, registry_, [](absl::string_view id) {
      return id == "earlier-2" ? std::optional<size_t>(2) : std::nullopt;
    });
  }

  // Replaces `from` by `to` in the fact of kind `index` and checks the
  // result is refused naming `text`.
  void ExpectRefused(size_t index, absl::string_view from, absl::string_view to,
                     absl::string_view text) {
    const std::string fact = kFacts[index];
    ASSERT_THAT(fact, HasSubstr(std::string(from)));
    const std::string json = WithFact(absl::StrReplaceAll(fact, {{from, to}}));
    const absl::StatusOr<v1::Announcement> result = Check(json);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(result.status().message(), HasSubstr(text)) << json;
  }

  void ExpectRefused(const std::string& json, absl::string_view text) {
    const absl::StatusOr<v1::Announcement> result = Check(json);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(result.status().message(), HasSubstr(text)) << json;
  }

  EntityRegistry registry_ = testing::TestRegistry();
};

TEST_F(AnnouncementCheckTest, EveryFactKindRoundTripsThroughJson) {
  for (const char* fact : kFacts) {
    const absl::StatusOr<v1::Announcement> first = ParseAnnouncementJson(WithFact(fact));
    ASSERT_TRUE(first.ok()) << first.status();
    const absl::StatusOr<v1::Announcement> second = ParseAnnouncementJson(ToPayloadJson(*first));
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*first, *second)) << fact;
    EXPECT_EQ(ToPayloadJson(*first), ToPayloadJson(*second));
  }
}

TEST_F(AnnouncementCheckTest, EveryFactKindValidates) {
  for (const char* fact : kFacts) {
    const absl::StatusOr<v1::Announcement> result = Check(WithFact(fact));
    EXPECT_TRUE(result.ok()) << fact << "\n" << result.status();
  }
}

TEST_F(AnnouncementCheckTest, CanonicalFormNamesEntitiesById) {
  const absl::StatusOr<v1::Announcement> stake = Check(WithFact(kFacts[0]));
  ASSERT_TRUE(stake.ok()) << stake.status();
  EXPECT_EQ(stake->facts(0).stake_change().holder(), "softbank-group");
  EXPECT_EQ(stake->facts(0).stake_change().target(), "nvidia");
  const absl::StatusOr<v1::Announcement> round = Check(WithFact(kFacts[2]));
  ASSERT_TRUE(round.ok()) << round.status();
  EXPECT_EQ(round->facts(0).funding_round().company(), "openai");
  EXPECT_EQ(round->facts(0).funding_round().participants(0).participant(), "softbank-group");
  const absl::StatusOr<v1::Announcement> venture = Check(WithFact(kFacts[3]));
  ASSERT_TRUE(venture.ok()) << venture.status();
  EXPECT_EQ(venture->facts(0).joint_venture_formed().venture(), "sb-openai-japan");
}

TEST_F(AnnouncementCheckTest, UnknownFieldIsRefusedByTheParser) {
  EXPECT_EQ(ParseAnnouncementJson(R"({"announcement_id":"a","colour":"red"})").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AnnouncementCheckTest, UnknownEntityIsRefusedWithSuggestions) {
  ExpectRefused(0, R"("target":"NVIDIA")", R"("target":"nvidiaa")",
                "facts[0].stake_change.target: unknown entity 'nvidiaa'; closest: nvidia");
  ExpectRefused(2, R"("participant":"ソフトバンク")", R"("participant":"ソフトバソク")",
                "facts[0].funding_round.participants[0].participant: unknown entity");
}

TEST_F(AnnouncementCheckTest, MissingEntityIsRefused) {
  ExpectRefused(1, R"("acquirer":"SoftBank",)", "",
                "facts[0].acquisition.acquirer: missing (an entity id or alias)");
}

TEST_F(AnnouncementCheckTest, StakeOutOfRangeIsRefused) {
  ExpectRefused(0, R"("ppm":"50000")", R"("ppm":"1000001")",
                "facts[0].stake_change.resulting_stake.ppm: 1000001 is outside 0..1000000");
  ExpectRefused(0, R"("ppm":"-50000")", R"("ppm":"-1000001")",
                "facts[0].stake_change.change.ppm: -1000001 is outside -1000000..1000000");
  ExpectRefused(3, R"("ppm":"500000"}},{)", R"("ppm":"600000"}},{)",
                "facts[0].joint_venture_formed.partners: shares add up to 1100000 ppm");
}

TEST_F(AnnouncementCheckTest, NegativeMoneyIsRefused) {
  ExpectRefused(1, R"("minor_units":"3200000000000")", R"("minor_units":"-1")",
                "facts[0].acquisition.price.minor_units: -1 is negative");
}

TEST_F(AnnouncementCheckTest, UnknownCurrencyIsRefused) {
  ExpectRefused(2, R"("amount":{"minor_units":"50000000000","currency":"USD"})",
                R"("amount":{"minor_units":"50000000000","currency":"XYZ"})",
                "facts[0].funding_round.participants[0].amount.currency: unknown currency 'XYZ'");
}

TEST_F(AnnouncementCheckTest, ImpossibleDateIsRefused) {
  ExpectRefused(1, "2016-07-18", "2016-02-30",
                "facts[0].acquisition.effective_date: '2016-02-30' is not a date");
  ExpectRefused(WithFact(kFacts[0]).replace(WithFact(kFacts[0]).find("2024-10"), 7, "2024-13"),
                "announced_date: '2024-13' is not a date");
}

TEST_F(AnnouncementCheckTest, CorrectionOfAnUnknownAnnouncementIsRefused) {
  ExpectRefused(8, "earlier-2", "never-seen",
                "facts[0].correction.announcement_id: no earlier announcement 'never-seen'");
}

TEST_F(AnnouncementCheckTest, CorrectionOfAMissingFactIsRefused) {
  ExpectRefused(8, R"("fact_indexes":[1])", R"("fact_indexes":[2])",
                "facts[0].correction.fact_indexes[0]: 2 is not a fact of announcement "
                "'earlier-2', which has 2 facts");
  ExpectRefused(8, R"("fact_indexes":[1])", R"("fact_indexes":[1,1])",
                "facts[0].correction.fact_indexes[1]: 1 repeats");
}

TEST_F(AnnouncementCheckTest, CorrectedDateOnlyWithSupersede) {
  ExpectRefused(8, "SUPERSEDE", "RETRACT", "facts[0].correction.corrected_date: '2025-02'");
}

TEST_F(AnnouncementCheckTest, FactMissingARequiredFieldIsRefused) {
  ExpectRefused(1, R"("stage":"ANNOUNCED",)", "", "facts[0].acquisition.stage: missing");
  ExpectRefused(
      0,
      R"("resulting_stake":{"ppm":"50000","qualifier":"APPROXIMATELY"},"change":{"ppm":"-50000"},)",
      "", "facts[0].stake_change.resulting_stake: missing");
  ExpectRefused(
      6, R"(,"valuation":{"minor_units":"250000000000","currency":"USD","qualifier":"AT_LEAST"})",
      "", "facts[0].valuation_reported.valuation: missing");
  ExpectRefused(7, R"("period":"2024-Q3",)", "", "facts[0].financial_results.period: missing");
  ExpectRefused(8, R"("action":"SUPERSEDE",)", "", "facts[0].correction.action: missing");
  ExpectRefused(
      3,
      R"("partners":[{"partner":"softbank-group","share":{"ppm":"500000"}},{"partner":"openai","share":{"ppm":"500000"}}],)",
      "", "facts[0].joint_venture_formed.partners: missing");
}

TEST_F(AnnouncementCheckTest, NetIncomeAndNetLossTogetherAreRefused) {
  ExpectRefused(7, R"("net_loss")",
                R"("net_income":{"minor_units":"1","currency":"USD"},"net_loss")",
                "facts[0].financial_results.net_loss: set together with net_income");
}

TEST_F(AnnouncementCheckTest, FactWithoutQuoteIsRefused) {
  std::string json = WithFact(kFacts[4]);
  json = absl::StrReplaceAll(json, {{"소프트뱅크는 엔비디아 주식을 인수", ""}});
  ExpectRefused(json, "facts[0].quote: missing");
}

TEST_F(AnnouncementCheckTest, FactWithoutKindIsRefused) {
  ExpectRefused(R"({"announcement_id":"a","announced_date":"2024","source":{"outlet":"X"},)"
                R"("facts":[{"quote":"q"}]})",
                "facts[0]: no kind");
}

TEST_F(AnnouncementCheckTest, AnnouncementFieldsAreRequired) {
  ExpectRefused(R"({"announced_date":"2024","source":{"outlet":"X"},"facts":[{"quote":"q"}]})",
                "announcement_id: missing");
  ExpectRefused(R"({"announcement_id":"Bad Id","announced_date":"2024","source":{"outlet":"X"}})",
                "announcement_id: 'Bad Id' is not an announcement id");
  ExpectRefused(R"({"announcement_id":"a","source":{"outlet":"X"}})", "announced_date: missing");
  ExpectRefused(R"({"announcement_id":"a","announced_date":"2024"})", "source: missing");
  ExpectRefused(R"({"announcement_id":"a","announced_date":"2024","source":{"outlet":"X"}})",
                "facts: missing");
}

TEST(CheckAnnouncedByTest, AnnouncedDateMayNotStartAfterTheRecordingDay) {
  v1::Announcement announcement;
  // A date of year or month precision may lie in the recording year or
  // month; only a first day after the recording day is refused.
  for (const char* date : {"2026", "2026-11", "2026-11-24", "2026-11-23", "2019"}) {
    announcement.set_announced_date(date);
    EXPECT_TRUE(CheckAnnouncedBy(announcement, 20261124).ok()) << date;
  }
  for (const char* date : {"2026-11-25", "2026-12", "2027", "2099"}) {
    announcement.set_announced_date(date);
    const absl::Status status = CheckAnnouncedBy(announcement, 20261124);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << date;
    EXPECT_THAT(status.message(), HasSubstr("announced_date: '")) << date;
    EXPECT_THAT(status.message(), HasSubstr("2026-11-24")) << date;
  }
}

TEST(CheckAnnouncedByTest, FactsTakingEffectLaterAreNotItsConcern) {
  absl::StatusOr<v1::Announcement> parsed = ParseAnnouncementJson(
      WithFact(R"("acquisition":{"stage":"ANNOUNCED","acquirer":"SoftBank","target":"암",)"
               R"("effective_date":"2099-01"})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(CheckAnnouncedBy(*parsed, 20261124).ok());
}

}  // namespace
}  // namespace stakeledger::domain
