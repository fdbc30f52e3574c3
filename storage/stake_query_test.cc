// The stake-ownership queries that walk several pairs, on hand-made logs:
// a portfolio finds a holder's targets from the entries' keys alone
// (stake_query.cc), so names that extend one another must stay apart.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/random_history.h"
#include "storage/stake_projection.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

constexpr int kAsOf = 20241231;

LoggedAnnouncement Stake(uint64_t position, const std::string& holder, const std::string& target,
                         int64_t ppm) {
  LoggedAnnouncement logged;
  logged.position = position;
  logged.announcement.set_announcement_id(absl::StrCat("a", position));
  logged.announcement.set_announced_date("2024");
  v1::StakeChange* change = logged.announcement.add_facts()->mutable_stake_change();
  change->set_holder(holder);
  change->set_target(target);
  change->mutable_resulting_stake()->set_ppm(ppm);
  change->set_effective_date("2024-01-01");
  return logged;
}

std::vector<std::string> Names(const absl::StatusOr<std::vector<StakeHolding>>& holdings) {
  std::vector<std::string> names;
  EXPECT_TRUE(holdings.ok()) << holdings.status();
  if (holdings.ok()) {
    for (const StakeHolding& holding : *holdings) names.push_back(holding.other);
  }
  return names;
}

class StakeQueryTest : public testing::DatabaseTest {};

// Targets "t1", "t1 x", "t10" and "t2" of one holder, several facts per
// pair, and holders whose names extend the holder's: each target once, in
// name order, and only the holder's own.
TEST_F(StakeQueryTest, PortfolioListsEveryTargetOnceWhenNamesExtendOneAnother) {
  const std::vector<LoggedAnnouncement> log = {
      Stake(1, "h", "t1", 100),  Stake(2, "h", "t10", 200),  Stake(3, "h", "t1", 150),
      Stake(4, "h", "t1 x", 50), Stake(5, "h1", "t1", 300),  Stake(6, "h", "t2", 10),
      Stake(7, "h", "t10", 250), Stake(8, "h x", "t3", 400), Stake(9, "h", "t0", 0),
  };
  StakeOwnershipProjection projection;
  ASSERT_TRUE(testing::IndexHistory(*db_, log, &projection).ok());

  EXPECT_EQ(Names(QueryPortfolio(*db_, "h", kAsOf, kKnownAtHead)),
            (std::vector<std::string>{"t1", "t1 x", "t10", "t2"}));
  EXPECT_EQ(Names(QueryPortfolio(*db_, "h1", kAsOf, kKnownAtHead)),
            (std::vector<std::string>{"t1"}));
  // Known at position 2: only the first two facts.
  EXPECT_EQ(Names(QueryPortfolio(*db_, "h", kAsOf, 2)), (std::vector<std::string>{"t1", "t10"}));
  EXPECT_TRUE(Names(QueryPortfolio(*db_, "nobody", kAsOf, kKnownAtHead)).empty());
}

}  // namespace
}  // namespace stakeledger::storage
