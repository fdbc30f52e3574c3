// The projections family's table options as queries depend on them: the
// (holder, target) prefix extractor behind the pair queries' prefix Bloom
// filters, and the bounded block cache (db.h).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/fact_versions.h"
#include "storage/investment_keys.h"
#include "storage/investment_projection.h"
#include "storage/keys.h"
#include "storage/projection.h"
#include "storage/stake_keys.h"
#include "storage/stake_projection.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

using testing::TempDir;

constexpr int kStartDay = 20200101;

v1::StakeEntry Entry(const std::string& holder, const std::string& target, uint64_t position,
                     bool absolute, int64_t ppm) {
  v1::StakeEntry entry;
  entry.set_holder(holder);
  entry.set_target(target);
  entry.set_announcement_id(absl::StrCat("a", position));
  entry.set_effective_date("2020-01-01");
  entry.set_absolute(absolute);
  entry.set_ppm(ppm);
  entry.set_position(position);
  entry.set_known_from(position);
  return entry;
}

TEST(PairPrefixExtractorTest, ThePrefixOfAnEntryKeyIsItsPairInEveryGeneration) {
  const auto extractor = NewPairPrefixExtractor();
  const v1::StakeEntry entry = Entry("h1", "t1", 7, true, 10);
  // Generation 0x0100 encodes bytes 0x00 and 0x01, which also end names.
  for (uint64_t generation : {uint64_t{0}, uint64_t{1}, uint64_t{0x0100}}) {
    const std::string base = ProjectionPrefix(kStakeOwnershipProjection, generation);
    const std::string pair = base + StakePairPrefix("h1", "t1");
    const std::string key = base + StakeEntryKey(entry, kStartDay);
    ASSERT_TRUE(extractor->InDomain(key)) << generation;
    EXPECT_EQ(extractor->Transform(key).ToString(), pair) << generation;
    ASSERT_TRUE(extractor->InDomain(pair)) << generation;
    EXPECT_EQ(extractor->Transform(pair).ToString(), pair) << generation;
  }
}

TEST(PairPrefixExtractorTest, ThePrefixOfADealKeyIsItsKindAndPair) {
  const auto extractor = NewPairPrefixExtractor();
  for (uint64_t generation : {uint64_t{0}, uint64_t{0x0100}}) {
    const std::string pair = ProjectionPrefix(kInvestmentsProjection, generation) +
                             DealPairPrefix(kAcquisitionDealTag, "h1", "t1");
    const std::string key = pair + std::string(4 + kInvestmentVersionBytes, '\x07');
    ASSERT_TRUE(extractor->InDomain(key)) << generation;
    EXPECT_EQ(extractor->Transform(key).ToString(), pair) << generation;
  }
  const std::string base = ProjectionPrefix(kInvestmentsProjection, 0);
  EXPECT_FALSE(extractor->InDomain(base + CapitalHolderPrefix("h1")));
  EXPECT_FALSE(extractor->InDomain(base + DealMemberKey(kAcquisitionDealTag, "h1", "t1")));
}

TEST(PairPrefixExtractorTest, APairIsNotThePrefixOfALongerName) {
  const auto extractor = NewPairPrefixExtractor();
  const std::string base = ProjectionPrefix(kStakeOwnershipProjection, 0);
  const std::string t1 = base + StakeEntryKey(Entry("h1", "t1", 7, true, 10), kStartDay);
  const std::string t10 = base + StakeEntryKey(Entry("h1", "t10", 7, true, 10), kStartDay);
  EXPECT_NE(extractor->Transform(t1).ToString(), extractor->Transform(t10).ToString());
}

TEST(PairPrefixExtractorTest, OtherKeysOfTheFamilyAreOutOfItsDomain) {
  const auto extractor = NewPairPrefixExtractor();
  const std::string base = ProjectionPrefix(kStakeOwnershipProjection, 0);
  for (const std::string& key : {
           base + StakeMemberKey('t', "t1", "h1"),
           base + StakeHolderPrefix("h1"),
           base + AnnouncementVersionsKey("a1"),
           base + StakeFundKey("s1", "f1"),
           CheckpointKey(kStakeOwnershipProjection, 0),
           base + "p" + "holder-without-target",
           std::string(kStakeOwnershipProjection),
           ProjectionPrefix("investments", 0) + StakePairPrefix("h1", "t1"),
           ProjectionPrefix("stake-ownership-2", 0) + StakePairPrefix("h1", "t1"),
       }) {
    EXPECT_FALSE(extractor->InDomain(key)) << key;
  }
}

class PairQueriesAcrossFilesTest : public testing::DatabaseTest {
 protected:
  void Put(const v1::StakeEntry& entry) {
    const std::string key =
        ProjectionPrefix(kStakeOwnershipProjection, 0) + StakeEntryKey(entry, kStartDay);
    ASSERT_TRUE(
        db_->db()
            ->Put(rocksdb::WriteOptions(), db_->projections(), key, entry.SerializeAsString())
            .ok());
  }
  void Flush() { ASSERT_TRUE(db_->db()->Flush(rocksdb::FlushOptions(), db_->projections()).ok()); }
  int64_t Stake(const std::string& holder, const std::string& target) {
    auto answer = QueryStake(*db_, holder, target, 20241231, kKnownAtHead);
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? answer->ppm.value_or(-1) : -2;
  }
};

// A pair's facts spread over SST files that hold other pairs and over the
// memtable: the filters must skip only what holds none of the pair's keys.
TEST_F(PairQueriesAcrossFilesTest, FindsEveryFactOfThePairWhereverItIs) {
  Put(Entry("h1", "t1", 1, true, 100));
  Put(Entry("h1", "t10", 2, true, 900));
  Flush();
  Put(Entry("h2", "t2", 3, true, 200));
  Flush();
  Put(Entry("h1", "t1", 4, false, 5));

  EXPECT_EQ(Stake("h1", "t1"), 105);
  EXPECT_EQ(Stake("h1", "t10"), 900);
  EXPECT_EQ(Stake("h2", "t2"), 200);
  EXPECT_EQ(Stake("h2", "t1"), -1);
  EXPECT_EQ(Stake("h1", "t"), -1);

  auto timeline = QueryTimeline(*db_, "h1", "t1", kKnownAtHead);
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  ASSERT_EQ(timeline->size(), 2u);
  EXPECT_EQ((*timeline)[0].ppm, 100);
  EXPECT_EQ((*timeline)[1].ppm, 105);
  auto versions = QueryPairVersions(*db_, "h1", "t10");
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].position(), 2u);
}

uint64_t ProjectionCacheCapacity(const Database& db) {
  uint64_t capacity = 0;
  EXPECT_TRUE(db.db()->GetIntProperty(db.projections(), "rocksdb.block-cache-capacity", &capacity));
  return capacity;
}

// ledgerd's default rebuild buffer follows the machine: a quarter of its
// memory, never above 4 GiB (a 10M log in one write) nor below the floor.
TEST(RebuildBufferTest, DefaultIsAQuarterOfTheMachinesMemoryAtMostFourGiB) {
  const size_t memory_bytes =
      static_cast<size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t buffer_bytes = DefaultRebuildBufferBytes();
  EXPECT_GE(buffer_bytes, kRebuildBufferBytesFloor);
  EXPECT_LE(buffer_bytes, kRebuildBufferBytesDefaultCeiling);
  EXPECT_LE(buffer_bytes, std::max(memory_bytes / 4, kRebuildBufferBytesFloor));
  if (memory_bytes >= 4 * kRebuildBufferBytesDefaultCeiling) {
    EXPECT_EQ(buffer_bytes, kRebuildBufferBytesDefaultCeiling);
  } else {
    EXPECT_GE(buffer_bytes, std::min(memory_bytes / 4 - 1, kRebuildBufferBytesDefaultCeiling));
  }
}

TEST(ProjectionCacheTest, OpensWithTheDefaultCapacity) {
  TempDir dir;
  auto db = Database::Open(dir.path());
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(ProjectionCacheCapacity(**db), kProjectionCacheBytesDefault);
}

TEST(ProjectionCacheTest, OpensWithACapacityAtTheCeiling) {
  TempDir dir;
  auto db = Database::Open(dir.path(), kProjectionCacheBytesCeiling);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(ProjectionCacheCapacity(**db), kProjectionCacheBytesCeiling);
}

TEST(ProjectionCacheTest, RefusesACapacityOnePastTheCeilingAndCreatesNothing) {
  TempDir dir;
  const std::string path = dir.path() + "/log";
  auto db = Database::Open(path, kProjectionCacheBytesCeiling + 1);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument) << db.status();
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace stakeledger::storage
