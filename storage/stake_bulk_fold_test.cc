// StakeBulkFold (stake_bulk_fold.h): a history folded in memory and written
// as sorted runs leaves the state the event-by-event fold leaves, key for
// key, however often its runs are written midway (later corrections and
// repeated announcement ids then read earlier runs back), with every kind
// of stake fact, funds, corrections of itself and repeated keys.
#include "storage/stake_bulk_fold.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "gtest/gtest.h"
#include "storage/random_history.h"
#include "storage/stake_projection.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

// Each written run costs an ingest with a few fsyncs: the cases are sized
// to a few writes each.
constexpr int kHistoryCases = 160;
constexpr int kAnnouncementsMax = 24;

class Maker : public testing::RandomHistory {
 public:
  explicit Maker(uint32_t seed) : RandomHistory(seed, 2015, 4) {}

  v1::Stake Stake() {
    v1::Stake stake;
    stake.set_ppm(Pick(1000001));
    stake.set_qualifier(static_cast<v1::Qualifier>(Pick(5)));
    return stake;
  }
  void Fact(v1::Fact* fact) {
    switch (Pick(6)) {
      case 0:
      case 1: {
        v1::StakeChange* change = fact->mutable_stake_change();
        change->set_holder(Holder(Pick(3)));
        change->set_target(Target(Pick(3)));
        if (Pick(2) > 0) {
          *change->mutable_resulting_stake() = Stake();
        } else {
          // A change may be a sale: negative ppm (ten bytes on the wire).
          *change->mutable_change() = Stake();
          if (Pick(2) == 0) change->mutable_change()->set_ppm(-change->change().ppm());
        }
        if (Pick(4) > 0) change->set_effective_date(Date());
        break;
      }
      case 2: {
        v1::Acquisition* deal = fact->mutable_acquisition();
        deal->set_stage(static_cast<v1::Acquisition::Stage>(1 + Pick(3)));
        deal->set_acquirer(Holder(Pick(3)));
        deal->set_target(Target(Pick(3)));
        if (Pick(2) > 0) *deal->mutable_stake() = Stake();
        deal->set_effective_date(Date());
        break;
      }
      case 3: {
        // Several parts of one fact: a correction closes and reopens each.
        v1::JointVentureFormed* venture = fact->mutable_joint_venture_formed();
        venture->set_venture(Target(Pick(3)));
        for (int i = 0; i < 3; ++i) {
          v1::JointVenturePartner* partner = venture->add_partners();
          partner->set_partner(Holder(i));
          if (Pick(4) > 0) *partner->mutable_share() = Stake();
        }
        venture->set_effective_date(Date());
        break;
      }
      case 4: {
        v1::FundEstablished* fund = fact->mutable_fund_established();
        fund->set_fund(Target(Pick(2)));
        fund->set_sponsor(Holder(Pick(2)));
        break;
      }
      default: {
        v1::WarrantGranted* warrant = fact->mutable_warrant_granted();
        warrant->set_holder(Holder(Pick(3)));
        warrant->set_issuer(Target(Pick(3)));
        *warrant->mutable_potential_stake() = Stake();
      }
    }
  }
};

absl::Status FoldEventByEvent(const Database& db, const std::vector<LoggedAnnouncement>& log,
                              Projection* projection, absl::string_view name) {
  for (const LoggedAnnouncement& logged : log) {
    ProjectionTxn txn(&db, name, 0);
    const v1::RecordedEvent event = testing::RecordedAnnouncement(logged);
    const std::unique_ptr<DecodedEvent> decoded = projection->Decode(event);
    absl::Status status = projection->ApplyDecoded(event, decoded.get(), &txn);
    if (status.ok()) status = txn.Commit(logged.position);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Folds `log` with a StakeBulkFold into generation 1 of `name`, writing its
// runs after an event now and then. Returns how many times it wrote runs.
// `long_log`: the fold is told the log is long enough to size its table
// up front (kStakeFoldReserveEventsMin), within a 1 MiB buffer.
absl::StatusOr<int> FoldInBulk(const Database& db, const std::vector<LoggedAnnouncement>& log,
                               const Projection& projection, absl::string_view name,
                               std::mt19937* rng, bool long_log) {
  ProjectionTxn state(&db, name, 1);
  std::unique_ptr<BulkFold> fold = projection.NewBulkFold(&state);
  if (long_log) fold->Expect(kStakeFoldReserveEventsMin + log.size(), size_t{1} << 20);
  int writes = 0;
  std::unique_ptr<BulkBatch> batch = fold->NewBatch();
  for (size_t i = 0; i < log.size(); ++i) {
    const LoggedAnnouncement& logged = log[i];
    batch->Decode(testing::RecordedAnnouncement(logged));
    absl::Status status;
    // Batches of one to a few events.
    if (i + 1 < log.size() && (*rng)() % 3 != 0) continue;
    status = fold->Fold(std::move(batch));
    batch = fold->NewBatch();
    if (status.ok() && (*rng)() % 3 == 0) {
      status = WriteRuns(db, name, 1, fold->TakeRuns(/*last=*/false), logged.position);
      ++writes;
    }
    if (!status.ok()) return status;
  }
  const absl::Status status =
      WriteRuns(db, name, 1, fold->TakeRuns(/*last=*/true), log.back().position);
  if (!status.ok()) return status;
  return writes + 1;
}

class StakeBulkFoldTest : public testing::DatabaseTest {
 protected:
  // Folds `log` event by event into "plain<seed>" and in bulk into
  // "bulk<seed>" (runs written after random events drawn from `seed`;
  // `long_log` as FoldInBulk), and expects the two generations to hold
  // the same keys and values. Returns how many times the bulk fold wrote
  // runs (0 after a failure).
  int FoldBothWaysAndCompare(const std::vector<LoggedAnnouncement>& log, uint32_t seed,
                             bool long_log) {
    const std::string plain = absl::StrCat("plain", seed);
    const std::string bulk = absl::StrCat("bulk", seed);
    const absl::Status folded = FoldEventByEvent(*db_, log, &projection_, plain);
    EXPECT_TRUE(folded.ok()) << "seed " << seed << ": " << folded;
    std::mt19937 rng(seed);
    const absl::StatusOr<int> writes = FoldInBulk(*db_, log, projection_, bulk, &rng, long_log);
    EXPECT_TRUE(writes.ok()) << "seed " << seed << ": " << writes.status();
    if (!folded.ok() || !writes.ok()) return 0;
    const auto expected = testing::GenerationState(*db_, plain, 0);
    EXPECT_FALSE(expected.empty()) << "seed " << seed;
    EXPECT_EQ(testing::GenerationState(*db_, bulk, 1), expected) << "seed " << seed;
    return *writes;
  }

  StakeOwnershipProjection projection_;
};

TEST_F(StakeBulkFoldTest, RandomHistoriesFoldAsEventByEvent) {
  int written_midway = 0;
  int repeated_ids = 0;
  for (uint32_t seed = 1; seed <= kHistoryCases; ++seed) {
    Maker maker(seed);
    std::vector<LoggedAnnouncement> log =
        maker.MakeHistory(kAnnouncementsMax, /*may_correct_itself=*/seed % 2 == 0,
                          /*date_odds=*/3, [&maker](v1::Fact* fact) { maker.Fact(fact); });
    // Now and then an announcement repeats an earlier one's id, as a log
    // written before the domain checks may hold: the folds append its
    // versions to the same facts.
    for (size_t i = 1; i < log.size(); ++i) {
      if (maker.Pick(10) != 0) continue;
      log[i].announcement.set_announcement_id(
          log[maker.Pick(static_cast<int>(i))].announcement.announcement_id());
      ++repeated_ids;
    }
    if (FoldBothWaysAndCompare(log, seed, /*long_log=*/seed % 3 == 0) >= 2) ++written_midway;
    if (HasFailure()) return;
  }
  // Most histories were written in several steps, and ids did repeat.
  EXPECT_GT(written_midway, kHistoryCases / 2);
  EXPECT_GT(repeated_ids, kHistoryCases / 2);
}

// Pairs of distinct ids that share StakeFoldIdHash, found by trying ids
// until `pairs` turn up (about 185 thousand tries for four: the hash has
// 32 bits, and absl seeds it per process, so the pairs differ per run).
std::vector<std::pair<std::string, std::string>> CollidingIds(size_t pairs) {
  std::vector<std::pair<std::string, std::string>> found;
  absl::flat_hash_map<uint32_t, std::string> seen;
  for (uint64_t n = 0; found.size() < pairs && n < 10'000'000; ++n) {
    std::string id = absl::StrCat("collide-", n);
    const auto [it, added] = seen.try_emplace(StakeFoldIdHash(id), id);
    if (!added) found.emplace_back(it->second, std::move(id));
  }
  return found;
}

// Renames the announcements of `log` and the ids their corrections name:
// the i-th distinct id becomes ids[i], the ids past ids.size() stay.
void RenameIds(const std::vector<std::string>& ids, std::vector<LoggedAnnouncement>* log) {
  absl::flat_hash_map<std::string, std::string> renamed;
  const auto rename = [&](const std::string& id) {
    const auto [it, added] = renamed.try_emplace(id, id);
    if (added && renamed.size() <= ids.size()) it->second = ids[renamed.size() - 1];
    return it->second;
  };
  for (LoggedAnnouncement& logged : *log) {
    v1::Announcement& announcement = logged.announcement;
    announcement.set_announcement_id(rename(announcement.announcement_id()));
    for (v1::Fact& fact : *announcement.mutable_facts()) {
      if (fact.has_correction()) {
        fact.mutable_correction()->set_announcement_id(rename(fact.correction().announcement_id()));
      }
    }
  }
}

// Announcements whose ids share the fold's 32-bit hash are told apart by
// their ids: each keeps its own versions, its corrections close its own,
// and a repeat of either id finds its own, in memory and read back.
TEST_F(StakeBulkFoldTest, IdsSharingAHashFoldAsEventByEvent) {
  const std::vector<std::pair<std::string, std::string>> pairs = CollidingIds(4);
  ASSERT_EQ(pairs.size(), 4u);
  std::vector<std::string> ids;
  for (const auto& [a, b] : pairs) {
    ASSERT_NE(a, b);
    ASSERT_EQ(StakeFoldIdHash(a), StakeFoldIdHash(b));
    ids.push_back(a);
    ids.push_back(b);
  }
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    Maker maker(seed);
    std::vector<LoggedAnnouncement> log =
        maker.MakeHistory(12, /*may_correct_itself=*/seed % 2 == 0, /*date_odds=*/3,
                          [&maker](v1::Fact* fact) { maker.Fact(fact); });
    // Half the histories repeat an id now and then (maybe one of a pair).
    for (size_t i = 1; seed % 2 == 1 && i < log.size(); ++i) {
      if (maker.Pick(4) != 0) continue;
      log[i].announcement.set_announcement_id(
          log[maker.Pick(static_cast<int>(i))].announcement.announcement_id());
    }
    RenameIds(ids, &log);
    FoldBothWaysAndCompare(log, seed, /*long_log=*/seed % 3 == 0);
    if (HasFailure()) return;
  }
}

// Past kStakeMemberBitsBytesMax worth of pairs of names (more than 4,096
// names) the runs sort the pairs for the member keys instead of marking
// them in a bitmap: the same keys, as the event-by-event fold writes.
TEST_F(StakeBulkFoldTest, ManyNamesFoldAsEventByEvent) {
  uint64_t holders = 1;
  while (holders * holders <= uint64_t{8} * kStakeMemberBitsBytesMax) ++holders;
  std::vector<LoggedAnnouncement> log;
  for (uint64_t i = 0; i < holders; ++i) {
    LoggedAnnouncement& logged = log.emplace_back();
    logged.position = i + 1;
    logged.recorded_at_us = 1'700'000'000'000'000 + static_cast<int64_t>(i);
    v1::Announcement& announcement = logged.announcement;
    announcement.set_announcement_id(absl::StrCat("many-", i));
    announcement.set_announced_date("2024-05-14");
    v1::Fact* fact = announcement.add_facts();
    fact->set_quote("bought");
    v1::StakeChange* change = fact->mutable_stake_change();
    // Holders in an order of their own, a few targets each shared.
    change->set_holder(absl::StrCat("holder-", (i * 7919) % holders));
    change->set_target(absl::StrCat("target-", i % 5));
    change->mutable_resulting_stake()->set_ppm(static_cast<int64_t>(i % 1000000));
  }
  EXPECT_GT(FoldBothWaysAndCompare(log, /*seed=*/7, /*long_log=*/false), 0);
  // Each holder holds one stake: a member key each.
  uint64_t members = 0;
  for (const auto& [key, value] : testing::GenerationState(*db_, "bulk7", 1)) {
    members += !key.empty() && key[0] == 't';
  }
  EXPECT_EQ(members, holders);
}

TEST_F(StakeBulkFoldTest, UndecodablePayloadFailsNamingItsPosition) {
  StakeOwnershipProjection projection;
  ProjectionTxn state(db_.get(), "bulk", 1);
  std::unique_ptr<BulkFold> fold = projection.NewBulkFold(&state);
  v1::RecordedEvent event;
  event.set_position(7);
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_content_type("application/json");
  event.set_payload("{not json");
  std::unique_ptr<BulkBatch> batch = fold->NewBatch();
  batch->Decode(event);
  const absl::Status status = fold->Fold(std::move(batch));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("at position 7: "), std::string::npos) << status;
}

// An announcement "a" dated announced_date whose fact 0 is a stake change
// effective on `stake_date` (none: the announcement's date).
v1::Announcement OneStake(const std::string& announced_date, const std::string& stake_date) {
  v1::Announcement announcement;
  announcement.set_announcement_id("a");
  announcement.set_announced_date(announced_date);
  v1::Fact* fact = announcement.add_facts();
  fact->set_quote("bought half");
  v1::StakeChange* change = fact->mutable_stake_change();
  change->set_holder("h");
  change->set_target("t");
  change->set_effective_date(stake_date);
  change->mutable_resulting_stake()->set_ppm(500000);
  return announcement;
}

// Collects what VisitFacts hands over.
struct Collected : StakeFactSink {
  void Stake(const StakeFactView& stake) override {
    stakes.push_back(absl::StrCat(stake.fact_index, " ", stake.holder, ">", stake.target, " ",
                                  stake.effective_date, " ", stake.start_day, " ", stake.ppm));
  }
  void Correction(StakeCorrection correction) override {
    corrections.push_back(correction.announcement_id);
  }
  void Fund(absl::string_view fund, absl::string_view sponsor) override {
    funds.push_back(absl::StrCat(fund, "/", sponsor));
  }
  std::vector<std::string> stakes;
  std::vector<std::string> corrections;
  std::vector<std::string> funds;
};

TEST(StakeFacts, EachStakeComesWithItsEffectiveDateAndPeriodStart) {
  v1::Announcement announcement = OneStake("2024-03", "");
  announcement.add_facts()->mutable_fund_established()->set_fund("f");
  announcement.add_facts()->mutable_correction()->set_announcement_id("b");
  Collected collected;
  const absl::StatusOr<uint32_t> count = VisitFacts(announcement, &collected);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 3u);
  EXPECT_EQ(collected.stakes, std::vector<std::string>{"0 h>t 2024-03 20240301 500000"});
  EXPECT_EQ(collected.funds, std::vector<std::string>{"f/"});
  EXPECT_EQ(collected.corrections, std::vector<std::string>{"b"});
}

TEST(StakeFacts, ABadStakeDateIsReportedOnlyAfterEveryCorrectionWasRead) {
  v1::Announcement announcement = OneStake("2024-03-01", "2024-13");
  absl::StatusOr<AnnouncementFacts> facts = ExtractFacts(announcement, 1, 0);
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(facts.status().message().find("announcement 'a' fact 0: "), std::string::npos)
      << facts.status();
  v1::Correction* correction = announcement.add_facts()->mutable_correction();
  correction->set_action(v1::Correction::SUPERSEDE);
  correction->set_corrected_date("2024-02-30");
  facts = ExtractFacts(announcement, 1, 0);
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(facts.status().message().find("fact 0"), std::string::npos) << facts.status();
}

// An event whose second fact's date does not parse fails the fold there,
// naming the event and the fact, as the event-by-event fold does.
TEST_F(StakeBulkFoldTest, AnEventWithABadDateFailsTheFoldAtItsPosition) {
  StakeOwnershipProjection projection;
  ProjectionTxn state(db_.get(), "bulk", 1);
  std::unique_ptr<BulkFold> fold = projection.NewBulkFold(&state);
  v1::Announcement announcement = OneStake("2024-03-01", "");
  announcement.add_facts()->CopyFrom(OneStake("2024-03-01", "someday").facts(0));
  v1::RecordedEvent event;
  event.set_position(9);
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_content_type(domain::kAnnouncementContentType);
  event.set_payload(domain::ToPayloadBinary(announcement));
  std::unique_ptr<BulkBatch> batch = fold->NewBatch();
  batch->Decode(event);
  const absl::Status status = fold->Fold(std::move(batch));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("at position 9: announcement 'a' fact 1: "), std::string::npos)
      << status;
}

}  // namespace
}  // namespace stakeledger::storage
