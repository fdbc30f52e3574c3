#include "domain/stake_statement.h"

#include "gtest/gtest.h"

namespace stakeledger::domain {
namespace {

v1::Announcement WithFact(const v1::Fact& fact) {
  v1::Announcement announcement;
  announcement.set_announcement_id("a");
  announcement.set_announced_date("2019");
  *announcement.add_facts() = fact;
  return announcement;
}

TEST(StakeStatement, ResultingStakeIsAbsoluteAndDateFallsBackToTheAnnouncement) {
  v1::Fact fact;
  fact.set_quote("q");
  v1::StakeChange* change = fact.mutable_stake_change();
  change->set_holder("h");
  change->set_target("t");
  change->mutable_resulting_stake()->set_ppm(0);
  change->mutable_change()->set_ppm(-50'000);
  const auto statement = StakeStatementOf(WithFact(fact), 0, 0);
  ASSERT_TRUE(statement.has_value());
  EXPECT_TRUE(statement->absolute);
  EXPECT_EQ(statement->ppm, 0);
  EXPECT_EQ(statement->effective_date, "2019");
  EXPECT_EQ(statement->quote, "q");
}

TEST(StakeStatement, ChangeAloneIsADelta) {
  v1::Fact fact;
  fact.mutable_stake_change()->mutable_change()->set_ppm(-50'000);
  const auto statement = StakeStatementOf(WithFact(fact), 0, 0);
  ASSERT_TRUE(statement.has_value());
  EXPECT_FALSE(statement->absolute);
  EXPECT_EQ(statement->ppm, -50'000);
}

TEST(StakeStatement, OnlyACompletedAcquisitionIsOwnershipAndWithoutStakeTheWhole) {
  v1::Fact fact;
  fact.mutable_acquisition()->set_stage(v1::Acquisition::ANNOUNCED);
  EXPECT_FALSE(StakeStatementOf(WithFact(fact), 0, 0).has_value());
  fact.mutable_acquisition()->set_stage(v1::Acquisition::COMPLETED);
  const auto statement = StakeStatementOf(WithFact(fact), 0, 0);
  ASSERT_TRUE(statement.has_value());
  EXPECT_EQ(statement->ppm, kWholeCompanyPpm);
  EXPECT_EQ(statement->qualifier, v1::EXACT);
}

TEST(StakeStatement, JointVenturePartIsOnePartnersShare) {
  v1::Fact fact;
  v1::JointVentureFormed* venture = fact.mutable_joint_venture_formed();
  venture->set_venture("jv");
  venture->add_partners()->set_partner("a");  // no share stated
  v1::JointVenturePartner* b = venture->add_partners();
  b->set_partner("b");
  b->mutable_share()->set_ppm(500'000);
  EXPECT_FALSE(StakeStatementOf(WithFact(fact), 0, 0).has_value());
  const auto statement = StakeStatementOf(WithFact(fact), 0, 1);
  ASSERT_TRUE(statement.has_value());
  EXPECT_EQ(statement->holder, "b");
  EXPECT_EQ(statement->target, "jv");
  EXPECT_FALSE(StakeStatementOf(WithFact(fact), 0, 2).has_value());
}

TEST(StakeStatement, FactIndexPastTheFactsOrAWarrantStatesNothing) {
  v1::Fact fact;
  fact.mutable_warrant_granted()->mutable_potential_stake()->set_ppm(100'000);
  EXPECT_FALSE(StakeStatementOf(WithFact(fact), 0, 0).has_value());
  EXPECT_FALSE(StakeStatementOf(WithFact(fact), 1, 0).has_value());
}

}  // namespace
}  // namespace stakeledger::domain
