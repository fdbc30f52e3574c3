#include "clients/announcement_text.h"

#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

v1::Money MakeMoney(int64_t minor_units, const std::string& currency,
                    v1::Qualifier qualifier = v1::EXACT) {
  v1::Money money;
  money.set_minor_units(minor_units);
  money.set_currency(currency);
  money.set_qualifier(qualifier);
  return money;
}

v1::Stake MakeStake(int64_t ppm, v1::Qualifier qualifier = v1::EXACT) {
  v1::Stake stake;
  stake.set_ppm(ppm);
  stake.set_qualifier(qualifier);
  return stake;
}

TEST(FormatMoney, ShowsMajorUnitsWithThousands) {
  EXPECT_EQ(FormatMoney(MakeMoney(650000000000, "USD")), "USD 6,500,000,000");
  EXPECT_EQ(FormatMoney(MakeMoney(270000050, "USD")), "USD 2,700,000.50");
  EXPECT_EQ(FormatMoney(MakeMoney(114100000000, "JPY")), "JPY 114,100,000,000");
  EXPECT_EQ(FormatMoney(MakeMoney(1234, "KWD")), "KWD 1.234");
  EXPECT_EQ(FormatMoney(MakeMoney(0, "USD")), "USD 0");
}

TEST(FormatMoney, MarksTheQualifier) {
  EXPECT_EQ(FormatMoney(MakeMoney(3000000000000, "USD", v1::UP_TO)), "≤USD 30,000,000,000");
  EXPECT_EQ(FormatMoney(MakeMoney(100, "USD", v1::APPROXIMATELY)), "~USD 1");
  EXPECT_EQ(FormatMoney(MakeMoney(100, "USD", v1::AT_LEAST)), "≥USD 1");
}

TEST(FormatMoney, UnknownCurrencyShowsMinorUnits) {
  EXPECT_EQ(FormatMoney(MakeMoney(12, "XXX")), "XXX 12 (minor units)");
}

TEST(FormatStake, ShowsPercent) {
  EXPECT_EQ(FormatStake(MakeStake(50000, v1::APPROXIMATELY)), "~5%");
  EXPECT_EQ(FormatStake(MakeStake(900000)), "90%");
  EXPECT_EQ(FormatStake(MakeStake(123456)), "12.3456%");
  EXPECT_EQ(FormatStake(MakeStake(-50000)), "-5%");
  EXPECT_EQ(FormatStake(MakeStake(5)), "0.0005%");
}

TEST(FormatFact, SummarizesAStakeChange) {
  v1::Fact fact;
  v1::StakeChange* change = fact.mutable_stake_change();
  change->set_holder("softbank-group");
  change->set_target("nvidia");
  *change->mutable_resulting_stake() = MakeStake(0);
  change->set_effective_date("2019");
  EXPECT_EQ(FormatFact(fact), "stake softbank-group in nvidia: now 0% (2019)");
}

TEST(FormatFact, SummarizesARound) {
  v1::Fact fact;
  v1::FundingRound* round = fact.mutable_funding_round();
  round->set_company("openai");
  *round->mutable_round_size() = MakeMoney(660000000000, "USD");
  v1::FundingParticipation* participant = round->add_participants();
  participant->set_participant("softbank-group");
  participant->set_lead(true);
  EXPECT_EQ(FormatFact(fact), "round openai of USD 6,600,000,000: softbank-group (lead)");
}

TEST(FormatFact, FactWithoutKindSaysSo) { EXPECT_EQ(FormatFact(v1::Fact()), "(no kind)"); }

TEST(AnnouncementCells, MatchTheColumns) {
  v1::RecordedAnnouncement record;
  record.set_position(7);
  record.mutable_announcement()->set_announcement_id("a-1");
  record.mutable_announcement()->set_announced_date("2024-07");
  const std::vector<std::string> cells = AnnouncementCells(record);
  ASSERT_EQ(cells.size(), AnnouncementColumns().size());
  EXPECT_EQ(cells[0], "7");
  EXPECT_EQ(cells[1], "2024-07");
  EXPECT_EQ(cells[2], "a-1");
}

TEST(EntityCells, MatchTheColumns) {
  v1::Entity entity;
  entity.set_entity_id("vision-fund-2");
  entity.set_kind(v1::Entity::FUND);
  entity.set_parent("softbank-group");
  entity.add_aliases("SVF2");
  entity.add_aliases("비전펀드 2호");
  EXPECT_EQ(EntityCells(entity),
            (std::vector<std::string>{"vision-fund-2", "FUND", "softbank-group", "",
                                      "SVF2, 비전펀드 2호"}));
  EXPECT_EQ(EntityColumns().size(), 5u);
}

}  // namespace
}  // namespace stakeledger::clients
