// Unit tests of the investments projection's arithmetic and limits
// (investment_facts.h, investment_projection.h).
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "gtest/gtest.h"
#include "storage/investment_projection.h"
#include "storage/projection.h"
#include "storage/stake_projection.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

v1::Money Usd(int64_t minor_units, v1::Qualifier qualifier = v1::EXACT) {
  v1::Money money;
  money.set_minor_units(minor_units);
  money.set_currency("USD");
  money.set_qualifier(qualifier);
  return money;
}

TEST(InvestmentMoney, SumOfExactAmountsIsExact) {
  v1::Money sum;
  AddMoney(Usd(50'000'000'000), &sum);
  AddMoney(Usd(3'200'000'000'000), &sum);
  EXPECT_EQ(sum.minor_units(), 3'250'000'000'000);
  EXPECT_EQ(sum.currency(), "USD");
  EXPECT_EQ(sum.qualifier(), v1::EXACT);
}

TEST(InvestmentMoney, AnUpToPartMakesTheSumUpTo) {
  v1::Money sum;
  AddMoney(Usd(1), &sum);
  AddMoney(Usd(2, v1::UP_TO), &sum);
  EXPECT_EQ(sum.qualifier(), v1::UP_TO);
}

TEST(InvestmentMoney, DifferentHedgesGiveApproximately) {
  EXPECT_EQ(JoinQualifiers(v1::UP_TO, v1::AT_LEAST), v1::APPROXIMATELY);
  EXPECT_EQ(JoinQualifiers(v1::QUALIFIER_UNSPECIFIED, v1::AT_LEAST), v1::AT_LEAST);
  EXPECT_EQ(JoinQualifiers(v1::APPROXIMATELY, v1::APPROXIMATELY), v1::APPROXIMATELY);
}

TEST(InvestmentMoney, SumReachingInt64MaxIsExact) {
  v1::Money sum;
  AddMoney(Usd(kInt64Max - 1), &sum);
  AddMoney(Usd(1), &sum);
  EXPECT_EQ(sum.minor_units(), kInt64Max);
  EXPECT_EQ(sum.qualifier(), v1::EXACT);
}

TEST(InvestmentMoney, SumPastInt64MaxSaturatesAtLeast) {
  v1::Money sum;
  AddMoney(Usd(kInt64Max), &sum);
  AddMoney(Usd(1), &sum);
  EXPECT_EQ(sum.minor_units(), kInt64Max);
  EXPECT_EQ(sum.qualifier(), v1::AT_LEAST);
}

// Look-through's combined totals: sums of each kind add with their
// qualifiers, counts add, a kind no part states stays unset.
TEST(InvestmentMoney, CapitalRowsAddSumsAndCounts) {
  v1::CapitalRow own;
  own.set_year(2024);
  own.set_currency("USD");
  *own.mutable_invested() = Usd(500);
  own.set_invested_facts(2);
  v1::CapitalRow fund = own;
  *fund.mutable_invested() = Usd(kInt64Max, v1::UP_TO);
  fund.set_invested_facts(1);
  v1::CapitalRow sum;
  AddCapitalRow(own, &sum);
  AddCapitalRow(fund, &sum);
  EXPECT_EQ(sum.year(), 2024u);
  EXPECT_EQ(sum.currency(), "USD");
  EXPECT_EQ(sum.invested().minor_units(), kInt64Max);
  // UP_TO joined with the AT_LEAST of a saturated sum.
  EXPECT_EQ(sum.invested().qualifier(), v1::APPROXIMATELY);
  EXPECT_EQ(sum.invested_facts(), 3u);
  EXPECT_FALSE(sum.has_committed());
  EXPECT_EQ(sum.committed_facts(), 0u);
}

// An index holding one holder's participations in `targets` companies,
// all in one announcement.
class InvestmentLimitTest : public testing::DatabaseTest {
 protected:
  void IndexParticipations(size_t targets) {
    v1::Announcement announcement;
    announcement.set_announcement_id("many-rounds");
    announcement.set_announced_date("2024");
    for (size_t i = 0; i < targets; ++i) {
      v1::FundingRound* round = announcement.add_facts()->mutable_funding_round();
      round->set_company(absl::StrCat("company-", i));
      round->add_participants()->set_participant("fund");
    }
    v1::RecordedEvent event;
    event.set_position(1);
    event.set_event_type(domain::kAnnouncementEventType);
    event.set_content_type(domain::kAnnouncementContentType);
    event.set_payload(domain::ToPayloadBinary(announcement));
    InvestmentsProjection projection;
    ProjectionTxn txn(db_.get(), projection.name());
    ASSERT_TRUE(projection.Apply(event, &txn).ok());
    ASSERT_TRUE(txn.Commit(1).ok());
  }
};

TEST_F(InvestmentLimitTest, AnswerAtTheRowLimitIsGiven) {
  IndexParticipations(kInvestmentRowsMax);
  auto answer = QueryInvestments(*db_, "fund", 0, kKnownAtHead);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->capital_size(), static_cast<int>(kInvestmentRowsMax));
  ASSERT_EQ(answer->totals_size(), 1);
  EXPECT_EQ(answer->totals(0).committed_facts(), kInvestmentRowsMax);
}

TEST_F(InvestmentLimitTest, AnswerPastTheRowLimitIsResourceExhausted) {
  IndexParticipations(kInvestmentRowsMax + 1);
  auto answer = QueryInvestments(*db_, "fund", 0, kKnownAtHead);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace stakeledger::storage
