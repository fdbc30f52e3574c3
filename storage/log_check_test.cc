// CheckLog against a log changed behind the writer's back, as an attacker
// with disk access would: each kind of damage is reported at its position.
#include "storage/log_check.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "storage/record.h"
#include "storage/test_util.h"
#include "storage/uuid.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::EventLogTest;
using ::testing::HasSubstr;

class LogCheckTest : public EventLogTest {
 protected:
  void SetUp() override {
    EventLogTest::SetUp();
    for (int i = 0; i < 10; ++i) AppendOk(i % 2 == 0 ? "even" : "odd", 1);
  }
  const Database& db() { return log_->database(); }
  std::string Value(uint64_t position) {
    std::string value;
    EXPECT_TRUE(
        db().db()->Get(rocksdb::ReadOptions(), db().log(), EncodePosition(position), &value).ok());
    return value;
  }
  void Put(uint64_t position, const std::string& value) {
    ASSERT_TRUE(
        db().db()->Put(rocksdb::WriteOptions(), db().log(), EncodePosition(position), value).ok());
  }
  CheckReport Check() {
    absl::StatusOr<CheckReport> report = CheckLog(db());
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : CheckReport();
  }
};

TEST_F(LogCheckTest, SoundLogPassesWithTheSameHead) {
  const CheckReport report = Check();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.records, 10u);
  EXPECT_EQ(report.head.root, log_->tree_head().root);
}

TEST_F(LogCheckTest, ChangedRecordBytesAreNamed) {
  std::string value = Value(7);
  value.back() ^= 1;
  Put(7, value);
  EXPECT_EQ(Check().problem_position, 7u);
  EXPECT_THAT(Check().problem, HasSubstr("position 7: record changed"));
}

TEST_F(LogCheckTest, ChangedRecordWithRecomputedLeafHashIsCaughtByTheTree) {
  v1::RecordedEvent event;
  ASSERT_TRUE(DecodeLogValue(Value(7), false, &event).ok());
  event.clear_leaf_hash();
  event.set_payload("{\"forged\":true}");
  const std::string record = SerializeRecord(event);
  Put(7, EncodeLogValue(LeafHash(record), record));
  EXPECT_EQ(Check().problem_position, 7u);
  EXPECT_THAT(Check().problem, HasSubstr("merkle node"));
}

TEST_F(LogCheckTest, MissingRecordIsNamed) {
  ASSERT_TRUE(db().db()->Delete(rocksdb::WriteOptions(), db().log(), EncodePosition(4)).ok());
  EXPECT_THAT(Check().problem, HasSubstr("position 4: record missing"));
}

TEST_F(LogCheckTest, MissingLastRecordIsNamed) {
  ASSERT_TRUE(db().db()->Delete(rocksdb::WriteOptions(), db().log(), EncodePosition(10)).ok());
  EXPECT_THAT(Check().problem, HasSubstr("position 10: record missing"));
}

TEST_F(LogCheckTest, SwappedRecordsAreReportedAsReordered) {
  const std::string third = Value(3);
  Put(3, Value(4));
  Put(4, third);
  EXPECT_THAT(Check().problem, HasSubstr("position 3: record reordered"));
}

TEST_F(LogCheckTest, WrongEventIdIndexIsNamed) {
  v1::RecordedEvent event;
  ASSERT_TRUE(DecodeLogValue(Value(5), false, &event).ok());
  std::string id_bytes;
  ASSERT_TRUE(ParseUuid(event.event_id(), &id_bytes));
  ASSERT_TRUE(
      db().db()->Put(rocksdb::WriteOptions(), db().event_ids(), id_bytes, EncodePosition(6)).ok());
  EXPECT_THAT(Check().problem, HasSubstr("position 5: event id index"));
}

// The check reads the tree's entries in leaf order: a missing or
// malformed entry is named at its leaf's record, and the entries after it
// are still found.
TEST_F(LogCheckTest, MissingMerkleEntryIsNamed) {
  ASSERT_TRUE(db().db()->Delete(rocksdb::WriteOptions(), db().merkle(), EncodeMerkleKey(5)).ok());
  const CheckReport report = Check();
  EXPECT_EQ(report.problem_position, 6u);
  EXPECT_THAT(report.problem, HasSubstr("position 6: merkle node (level 0, index 5) is missing"));
}

TEST_F(LogCheckTest, MalformedMerkleEntryIsNamed) {
  // Leaf 3's entry holds three nodes (levels 0 to 2); one byte short.
  std::string entry;
  ASSERT_TRUE(
      db().db()->Get(rocksdb::ReadOptions(), db().merkle(), EncodeMerkleKey(3), &entry).ok());
  entry.pop_back();
  ASSERT_TRUE(
      db().db()->Put(rocksdb::WriteOptions(), db().merkle(), EncodeMerkleKey(3), entry).ok());
  const CheckReport report = Check();
  EXPECT_EQ(report.problem_position, 4u);
  EXPECT_THAT(report.problem, HasSubstr("the entry of leaf 3 has"));
}

TEST_F(LogCheckTest, AStrayMerkleKeyBetweenEntriesHidesNoEntry) {
  // A key no leaf has, between the entries of leaves 4 and 5: as the
  // check reads entries in order it steps over it.
  ASSERT_TRUE(db().db()
                  ->Put(rocksdb::WriteOptions(), db().merkle(), EncodeMerkleKey(4) + "x", "stray")
                  .ok());
  const CheckReport report = Check();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.records, 10u);
}

}  // namespace
}  // namespace stakeledger::storage
