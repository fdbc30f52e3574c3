// Entry keys and values of the stake-ownership projection (stake_keys.h):
// a value leaves out what its key holds, and key and value read back as
// the whole entry.
#include "storage/stake_keys.h"

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace stakeledger::storage {
namespace {

v1::StakeEntry FullEntry() {
  v1::StakeEntry entry;
  entry.set_holder("softbank-group");
  entry.set_target("arm");
  entry.set_announcement_id("arm-ipo-2023");
  entry.set_fact_index(2);
  entry.set_part(1);
  entry.set_effective_date("2023-09");
  entry.set_absolute(true);
  entry.set_ppm(900000);
  entry.set_qualifier(v1::APPROXIMATELY);
  entry.set_quote("about 90%");
  entry.set_position(53);
  entry.set_recorded_at_us(1700000000000000);
  entry.set_known_from(60);
  entry.set_known_until(71);
  return entry;
}

TEST(StakeEntryValueTest, LeavesOutEveryFieldItsKeyHolds) {
  const v1::StakeEntry entry = FullEntry();
  const std::string value = StakeEntryValue(entry);
  v1::StakeEntry stored;
  ASSERT_TRUE(stored.ParseFromString(value));
  EXPECT_EQ(stored.holder(), "");
  EXPECT_EQ(stored.target(), "");
  EXPECT_EQ(stored.position(), 0u);
  EXPECT_EQ(stored.fact_index(), 0u);
  EXPECT_EQ(stored.part(), 0u);
  EXPECT_EQ(stored.known_from(), 0u);
  // What the key does not hold stays.
  EXPECT_EQ(stored.announcement_id(), "arm-ipo-2023");
  EXPECT_EQ(stored.effective_date(), "2023-09");
  EXPECT_EQ(stored.ppm(), 900000);
  EXPECT_EQ(stored.quote(), "about 90%");
  EXPECT_EQ(stored.recorded_at_us(), 1700000000000000);
  EXPECT_EQ(stored.known_until(), 71u);
  EXPECT_LT(value.size(), entry.ByteSizeLong());
}

TEST(StakeEntryValueTest, KeyAndValueReadBackAsTheWholeEntry) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    v1::StakeEntry entry = FullEntry();
    // Names that extend one another, and numbers of every width.
    entry.set_holder(absl::StrCat("h", rng() % 7, i % 3 == 0 ? "x" : ""));
    entry.set_target(absl::StrCat("t", rng() % 5));
    entry.set_position(rng() >> (rng() % 64));
    entry.set_fact_index(static_cast<uint32_t>(rng() >> (32 + rng() % 32)));
    entry.set_part(static_cast<uint32_t>(rng() >> (32 + rng() % 32)));
    entry.set_known_from(rng() >> (rng() % 64));
    const std::string key = StakeEntryKey(entry, 20230901);
    const std::string value = StakeEntryValue(entry);
    v1::StakeEntry read;
    ASSERT_TRUE(ParseStakeEntry(key, value, &read)) << i;
    EXPECT_EQ(read.SerializeAsString(), entry.SerializeAsString()) << read.ShortDebugString();
    const std::string prefix = StakePairPrefix(entry.holder(), entry.target());
    ASSERT_EQ(key.substr(0, prefix.size()), prefix);
    v1::StakeEntry from_suffix;
    ASSERT_TRUE(ParseStakeEntry(entry.holder(), entry.target(), key.substr(prefix.size()), value,
                                &from_suffix));
    EXPECT_EQ(from_suffix.SerializeAsString(), entry.SerializeAsString());
  }
}

TEST(StakeEntryValueTest, RefusesWhatIsNotAnEntryKeyOrValue) {
  const v1::StakeEntry entry = FullEntry();
  const std::string key = StakeEntryKey(entry, 20230901);
  const std::string value = StakeEntryValue(entry);
  v1::StakeEntry read;
  EXPECT_FALSE(ParseStakeEntry(key, "\xff\xff", &read)) << "a value that does not parse";
  EXPECT_FALSE(ParseStakeEntry(absl::StrCat("t", key.substr(1)), value, &read)) << "not 'p'";
  EXPECT_FALSE(ParseStakeEntry(key.substr(0, key.size() - 1), value, &read)) << "a byte short";
  // "p" holder NUL and a suffix: no target.
  EXPECT_FALSE(ParseStakeEntry(
      absl::StrCat(StakeHolderPrefix("h"), key.substr(key.size() - kStakeEntrySuffixBytes)), value,
      &read));
  EXPECT_FALSE(
      ParseStakeEntry("h", "t", std::string(kStakeEntrySuffixBytes - 1, '\0'), value, &read));
  EXPECT_FALSE(
      ParseStakeEntry("h", "t", std::string(kStakeEntrySuffixBytes + 1, '\0'), value, &read));
  EXPECT_TRUE(ParseStakeEntry("h", "t", std::string(kStakeEntrySuffixBytes, '\0'), value, &read));
}

}  // namespace
}  // namespace stakeledger::storage
