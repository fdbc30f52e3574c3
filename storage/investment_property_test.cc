// Property test: the investments index answers as the naive replay of the
// log prefix does (investment_facts.h NaiveInvestments), for every holder,
// every year and every known_at, on randomized histories of funding
// rounds, acquisitions in every stage, joint ventures, corrections,
// retractions and corrected dates (which move facts across years). Each
// case is a fixed seed; a failure prints it.
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/db.h"
#include "storage/investment_projection.h"
#include "storage/random_history.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

constexpr int kCases = 2000;
constexpr int kHolders = 3;
constexpr int kTargets = 3;
constexpr int kAnnouncementsMax = 14;
constexpr int kFirstYear = 2015;
constexpr int kYears = 4;

class HistoryMaker : public testing::RandomHistory {
 public:
  explicit HistoryMaker(uint32_t seed) : RandomHistory(seed, kFirstYear, kYears) {}

  v1::Money Money() {
    static const char* const kCurrencies[] = {"USD", "JPY", "KRW"};
    v1::Money money;
    // Now and then an amount near the top of int64, so that sums saturate.
    money.set_minor_units(Pick(8) == 0 ? std::numeric_limits<int64_t>::max() / 2 + Pick(1000)
                                       : Pick(1'000'000));
    money.set_currency(kCurrencies[Pick(3)]);
    money.set_qualifier(static_cast<v1::Qualifier>(Pick(5)));
    return money;
  }
  v1::Stake Share() {
    v1::Stake stake;
    stake.set_ppm(Pick(1'000'001));
    stake.set_qualifier(static_cast<v1::Qualifier>(Pick(5)));
    return stake;
  }
  void Round(v1::FundingRound* round) {
    round->set_company(Target(Pick(kTargets)));
    if (Pick(2) > 0) round->set_round_name("Series A");
    const int participants = Pick(3) + 1;
    for (int i = 0; i < participants; ++i) {
      v1::FundingParticipation* participation = round->add_participants();
      participation->set_participant(Holder(Pick(kHolders)));
      if (Pick(3) > 0) *participation->mutable_amount() = Money();
      participation->set_lead(Pick(2) == 0);
    }
    if (Pick(2) > 0) round->set_effective_date(Date());
  }
  void InvestmentFact(v1::Fact* fact) {
    switch (Pick(5)) {
      case 0:
      case 1:
        Round(fact->mutable_funding_round());
        break;
      case 2: {
        v1::Acquisition* deal = fact->mutable_acquisition();
        deal->set_stage(static_cast<v1::Acquisition::Stage>(1 + Pick(3)));
        deal->set_acquirer(Holder(Pick(kHolders)));
        deal->set_target(Target(Pick(kTargets)));
        if (Pick(3) > 0) *deal->mutable_price() = Money();
        if (Pick(2) > 0) deal->set_effective_date(Date());
        break;
      }
      case 3: {
        v1::JointVentureFormed* venture = fact->mutable_joint_venture_formed();
        venture->set_venture(Target(Pick(kTargets)));
        for (int i = 0; i < kHolders; ++i) {
          if (Pick(2) == 0) continue;
          v1::JointVenturePartner* partner = venture->add_partners();
          partner->set_partner(Holder(i));
          if (Pick(3) > 0) *partner->mutable_share() = Share();
        }
        if (Pick(3) == 0) *venture->mutable_committed_capital() = Money();
        if (Pick(2) > 0) venture->set_effective_date(Date());
        break;
      }
      default: {
        v1::StakeChange* change = fact->mutable_stake_change();
        change->set_holder(Holder(Pick(kHolders)));
        change->set_target(Target(Pick(kTargets)));
        *change->mutable_resulting_stake() = Share();
      }
    }
  }
  // A correction may correct its own announcement.
  std::vector<LoggedAnnouncement> History() {
    return MakeHistory(kAnnouncementsMax, /*may_correct_itself=*/true, /*date_odds=*/3,
                       [this](v1::Fact* fact) { InvestmentFact(fact); });
  }
};

// The answer as text, without the governing versions' transaction-time
// interval: the index keeps versions (a moved fact is known from its
// correction), the naive replay only the corrected facts.
std::string Describe(v1::InvestmentsResponse response) {
  for (auto& status : *response.mutable_acquisitions()) {
    status.mutable_governing()->clear_known_from();
    status.mutable_governing()->clear_known_until();
  }
  for (auto& venture : *response.mutable_joint_ventures()) {
    venture.mutable_governing()->clear_known_from();
    venture.mutable_governing()->clear_known_until();
  }
  return response.DebugString();
}

void CheckCase(const Database& db, uint32_t seed) {
  HistoryMaker maker(seed);
  const std::vector<LoggedAnnouncement> log = maker.History();
  InvestmentsProjection projection;
  // Odd seeds fold the whole history as one engine chunk.
  ASSERT_TRUE(testing::IndexHistory(db, log, &projection, /*chunked=*/seed % 2 == 1).ok())
      << "seed " << seed;
  const uint64_t head = log.back().position;
  for (uint64_t known_at = 0; known_at <= head + 1; ++known_at) {
    for (int h = 0; h < kHolders; ++h) {
      // Every year (0) and one year, each year in turn along known_at.
      const uint32_t one_year = kFirstYear + static_cast<uint32_t>(known_at + h) % kYears;
      for (const uint32_t asked : {0u, one_year}) {
        auto naive = NaiveInvestments(log, maker.Holder(h), asked, known_at);
        auto indexed = QueryInvestments(db, maker.Holder(h), asked, known_at);
        ASSERT_TRUE(naive.ok()) << naive.status();
        ASSERT_TRUE(indexed.ok()) << indexed.status();
        ASSERT_EQ(Describe(*indexed), Describe(*naive))
            << "seed " << seed << " known_at " << known_at << " h" << h << " year " << asked;
      }
    }
  }
}

TEST(InvestmentProperty, IndexAnswersAsNaiveReplayOnRandomHistories) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path());
  ASSERT_TRUE(db.ok()) << db.status();
  for (uint32_t seed = 1; seed <= kCases; ++seed) {
    CheckCase(**db, seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace stakeledger::storage
