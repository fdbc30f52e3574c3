// Property test: the stake-ownership index answers every query kind as the
// naive replay of the log prefix does (stake_facts.h NaiveStake), on
// randomized histories with corrections, retractions and corrected dates.
// Each case is a fixed seed; a failure prints it (rerun with that seed).
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/db.h"
#include "storage/random_history.h"
#include "storage/stake_projection.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

constexpr int kCases = 2000;
constexpr int kHolders = 3;
constexpr int kTargets = 3;
constexpr int kAnnouncementsMax = 14;

class HistoryMaker : public testing::RandomHistory {
 public:
  explicit HistoryMaker(uint32_t seed) : RandomHistory(seed, 2015, 5) {}

  v1::Stake Stake(bool delta) {
    v1::Stake stake;
    stake.set_ppm(delta ? Pick(400001) - 200000 : Pick(1000001));
    stake.set_qualifier(static_cast<v1::Qualifier>(Pick(5)));
    return stake;
  }
  void StakeFact(v1::Fact* fact) {
    switch (Pick(5)) {
      case 0:
      case 1: {
        v1::StakeChange* change = fact->mutable_stake_change();
        change->set_holder(Holder(Pick(kHolders)));
        change->set_target(Target(Pick(kTargets)));
        if (Pick(3) > 0) *change->mutable_resulting_stake() = Stake(false);
        if (!change->has_resulting_stake() || Pick(2) > 0) *change->mutable_change() = Stake(true);
        if (Pick(4) > 0) change->set_effective_date(Date());
        break;
      }
      case 2: {
        v1::Acquisition* deal = fact->mutable_acquisition();
        deal->set_stage(static_cast<v1::Acquisition::Stage>(1 + Pick(3)));
        deal->set_acquirer(Holder(Pick(kHolders)));
        deal->set_target(Target(Pick(kTargets)));
        if (Pick(2) > 0) *deal->mutable_stake() = Stake(false);
        deal->set_effective_date(Date());
        break;
      }
      case 3: {
        v1::JointVentureFormed* venture = fact->mutable_joint_venture_formed();
        venture->set_venture(Target(Pick(kTargets)));
        for (int i = 0; i < kHolders; ++i) {
          if (Pick(2) == 0) continue;
          v1::JointVenturePartner* partner = venture->add_partners();
          partner->set_partner(Holder(i));
          if (Pick(4) > 0) *partner->mutable_share() = Stake(false);
        }
        venture->set_effective_date(Date());
        break;
      }
      default: {
        v1::WarrantGranted* warrant = fact->mutable_warrant_granted();
        warrant->set_holder(Holder(Pick(kHolders)));
        warrant->set_issuer(Target(Pick(kTargets)));
        *warrant->mutable_potential_stake() = Stake(false);
      }
    }
  }
  std::vector<LoggedAnnouncement> History() {
    return MakeHistory(kAnnouncementsMax, /*may_correct_itself=*/false, /*date_odds=*/2,
                       [this](v1::Fact* fact) { StakeFact(fact); });
  }
};

std::string Describe(const StakeAnswer& answer) {
  if (!answer.ppm.has_value()) return "none";
  return absl::StrCat(*answer.ppm, " q", answer.qualifier, " by ",
                      answer.governing.announcement_id(), "#", answer.governing.fact_index(), ".",
                      answer.governing.part(), " ", answer.governing.effective_date(),
                      answer.within_precision ? " within" : " after");
}

std::vector<std::string> Others(const absl::StatusOr<std::vector<StakeHolding>>& holdings) {
  std::vector<std::string> names;
  EXPECT_TRUE(holdings.ok());
  if (holdings.ok()) {
    for (const StakeHolding& holding : *holdings) names.push_back(holding.other);
  }
  return names;
}

// Compares every pair's stake, every cap table and every portfolio at one
// (as_of, known_at) with the naive replay.
void CheckPoint(const Database& db, const HistoryMaker& maker,
                const std::vector<LoggedAnnouncement>& log, int as_of, uint64_t known_at,
                const std::string& where) {
  std::vector<std::vector<bool>> holds(kHolders, std::vector<bool>(kTargets));
  for (int h = 0; h < kHolders; ++h) {
    for (int t = 0; t < kTargets; ++t) {
      auto naive = NaiveStake(log, maker.Holder(h), maker.Target(t), as_of, known_at);
      auto indexed = QueryStake(db, maker.Holder(h), maker.Target(t), as_of, known_at);
      ASSERT_TRUE(naive.ok() && indexed.ok()) << where;
      ASSERT_EQ(Describe(*indexed), Describe(*naive)) << where << " h" << h << " t" << t;
      holds[h][t] = naive->ppm.has_value() && *naive->ppm > 0;
    }
  }
  for (int t = 0; t < kTargets; ++t) {
    std::vector<std::string> expected;
    for (int h = 0; h < kHolders; ++h) {
      if (holds[h][t]) expected.push_back(maker.Holder(h));
    }
    ASSERT_EQ(Others(QueryHolders(db, maker.Target(t), as_of, known_at)), expected)
        << where << " holders of t" << t;
  }
  for (int h = 0; h < kHolders; ++h) {
    std::vector<std::string> expected;
    for (int t = 0; t < kTargets; ++t) {
      if (holds[h][t]) expected.push_back(maker.Target(t));
    }
    ASSERT_EQ(Others(QueryPortfolio(db, maker.Holder(h), as_of, known_at)), expected)
        << where << " portfolio of h" << h;
  }
}

// The timeline's last step is the stake as of the end of time.
void CheckTimelines(const Database& db, const HistoryMaker& maker,
                    const std::vector<LoggedAnnouncement>& log, uint64_t known_at,
                    const std::string& where) {
  constexpr int kEndOfTime = 99991231;
  for (int h = 0; h < kHolders; ++h) {
    for (int t = 0; t < kTargets; ++t) {
      auto naive = NaiveStake(log, maker.Holder(h), maker.Target(t), kEndOfTime, known_at);
      auto timeline = QueryTimeline(db, maker.Holder(h), maker.Target(t), known_at);
      ASSERT_TRUE(naive.ok() && timeline.ok()) << where;
      ASSERT_EQ(timeline->empty(), !naive->ppm.has_value()) << where;
      if (timeline->empty()) continue;
      ASSERT_EQ(timeline->back().ppm, *naive->ppm) << where << " timeline h" << h << " t" << t;
    }
  }
}

// Replay lists a transition at every position where the latest known
// stake changes, and each says the stake the naive replay gives there.
void CheckReplay(const Database& db, const HistoryMaker& maker,
                 const std::vector<LoggedAnnouncement>& log, uint32_t seed) {
  constexpr int kEndOfTime = 99991231;
  const uint64_t head = log.back().position;
  for (int h = 0; h < kHolders; ++h) {
    for (int t = 0; t < kTargets; ++t) {
      auto transitions = QueryTransitions(db, maker.Holder(h), maker.Target(t), 0, head);
      ASSERT_TRUE(transitions.ok());
      std::set<uint64_t> positions;
      for (const StakeTransition& transition : *transitions) {
        positions.insert(transition.position);
        auto naive =
            NaiveStake(log, maker.Holder(h), maker.Target(t), kEndOfTime, transition.position);
        ASSERT_TRUE(naive.ok());
        ASSERT_EQ(Describe(transition.after), Describe(*naive))
            << "seed " << seed << " replay h" << h << " t" << t << " at " << transition.position;
      }
      // Paging (steps_max) resumes after the last position of each page
      // and loses and repeats nothing.
      const size_t page_steps_max = 1 + seed % 3;
      std::vector<StakeTransition> paged;
      for (uint64_t from = 0; from <= head;) {
        auto page =
            QueryTransitions(db, maker.Holder(h), maker.Target(t), from, head, page_steps_max);
        ASSERT_TRUE(page.ok());
        if (page->empty()) break;
        paged.insert(paged.end(), page->begin(), page->end());
        from = page->back().position + 1;
      }
      ASSERT_EQ(paged.size(), transitions->size()) << "seed " << seed << " h" << h << " t" << t;
      for (size_t i = 0; i < paged.size(); ++i) {
        ASSERT_EQ(paged[i].position, (*transitions)[i].position) << "seed " << seed;
        ASSERT_EQ(paged[i].kind, (*transitions)[i].kind) << "seed " << seed;
      }
      std::string previous = "none";
      for (uint64_t p = 1; p <= head; ++p) {
        auto naive = NaiveStake(log, maker.Holder(h), maker.Target(t), kEndOfTime, p);
        ASSERT_TRUE(naive.ok());
        const std::string now = Describe(*naive);
        if (now != previous) {
          ASSERT_TRUE(positions.count(p) == 1)
              << "seed " << seed << " replay h" << h << " t" << t << " misses " << p;
        }
        previous = now;
      }
    }
  }
}

void CheckCase(const Database& db, uint32_t seed) {
  HistoryMaker maker(seed);
  const std::vector<LoggedAnnouncement> log = maker.History();
  StakeOwnershipProjection projection;
  // Odd seeds fold the whole history as one engine chunk.
  ASSERT_TRUE(testing::IndexHistory(db, log, &projection, /*chunked=*/seed % 2 == 1).ok())
      << "seed " << seed;
  CheckReplay(db, maker, log, seed);
  if (::testing::Test::HasFatalFailure()) return;
  const uint64_t head = log.back().position;
  for (uint64_t known_at = 0; known_at <= head + 1; ++known_at) {
    const std::string where = absl::StrCat("seed ", seed, " known_at ", known_at);
    CheckTimelines(db, maker, log, known_at, where);
    if (::testing::Test::HasFatalFailure()) return;
    for (int round = 0; round < 3; ++round) {
      const auto period = DatePeriod(maker.Date());
      const int as_of = round == 0 ? period->first : period->second;
      CheckPoint(db, maker, log, as_of, known_at, absl::StrCat(where, " as_of ", as_of));
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(StakeProperty, IndexAnswersAsNaiveReplayOnRandomHistories) {
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
