#include "storage/record.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::StatusIs;
using ::testing::HasSubstr;

// RFC 6962's hash of an empty leaf: SHA-256 of the single byte 0x00.
constexpr char kEmptyLeafHash[] =
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
// SHA-256 of the bytes 0x00 'a' 'b' 'c'.
constexpr char kAbcLeafHash[] = "609f6e36d2405585188d5cfd761f407c7cc46a7d3f314c88270469dde315fcd1";

v1::RecordedEvent SampleEvent() {
  v1::RecordedEvent event;
  event.set_position(42);
  event.set_stream("company-softbank");
  event.set_revision(3);
  event.set_event_id("0123abcd-ef01-4a2b-8c3d-456789abcdef");
  event.set_event_type("stake.changed");
  event.set_content_type("application/json");
  event.set_payload(R"({"ppm":49000})");
  (*event.mutable_metadata())["source"] = "seed-01.txt";
  (*event.mutable_metadata())["lang"] = "ko";
  event.mutable_recorded_at()->set_seconds(1'700'000'000);
  event.mutable_recorded_at()->set_nanos(123'000);
  return event;
}

std::string SampleLogValue() {
  const std::string record = SerializeRecord(SampleEvent());
  return EncodeLogValue(LeafHash(record), record);
}

TEST(Record, LeafHashOfEmptyRecordIsTheRfc6962EmptyLeaf) {
  EXPECT_EQ(absl::BytesToHexString(LeafHash("")), kEmptyLeafHash);
}

TEST(Record, LeafHashIsSha256OfZeroByteThenRecord) {
  EXPECT_EQ(absl::BytesToHexString(LeafHash("abc")), kAbcLeafHash);
  EXPECT_EQ(LeafHash("abc").size(), kLeafHashBytes);
}

TEST(Record, LogValueIsHashThenRecordBytes) {
  const std::string record = SerializeRecord(SampleEvent());
  const std::string hash = LeafHash(record);
  const std::string value = EncodeLogValue(hash, record);
  EXPECT_EQ(value, hash + record);
  EXPECT_EQ(StoredLeafHash(value), hash);
  EXPECT_EQ(RecordBytes(value), record);
  EXPECT_TRUE(VerifyLogValue(value));
}

TEST(Record, VerifyDetectsAFlippedRecordByte) {
  const std::string value = SampleLogValue();
  for (size_t i = kLeafHashBytes; i < value.size(); ++i) {
    std::string corrupt = value;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x01);
    EXPECT_FALSE(VerifyLogValue(corrupt)) << "byte " << i;
  }
}

TEST(Record, VerifyDetectsAFlippedHashByte) {
  const std::string value = SampleLogValue();
  for (size_t i = 0; i < kLeafHashBytes; ++i) {
    std::string corrupt = value;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x80);
    EXPECT_FALSE(VerifyLogValue(corrupt)) << "byte " << i;
  }
}

TEST(Record, VerifyRejectsAValueShorterThanAHash) {
  EXPECT_FALSE(VerifyLogValue(std::string(kLeafHashBytes - 1, '\0')));
}

TEST(Record, SerializationIsDeterministicWhateverTheMapOrder) {
  v1::RecordedEvent forwards = SampleEvent();
  v1::RecordedEvent backwards = SampleEvent();
  forwards.mutable_metadata()->clear();
  backwards.mutable_metadata()->clear();
  constexpr int kEntries = 50;
  for (int i = 0; i < kEntries; ++i) {
    (*forwards.mutable_metadata())[absl::StrCat("key", i)] = absl::StrCat("value", i);
    (*backwards.mutable_metadata())[absl::StrCat("key", kEntries - 1 - i)] =
        absl::StrCat("value", kEntries - 1 - i);
  }
  const std::string bytes = SerializeRecord(forwards);
  EXPECT_EQ(SerializeRecord(backwards), bytes);
  EXPECT_EQ(SerializeRecord(forwards), bytes);
  // Deterministic means sorted by key.
  EXPECT_LT(bytes.find("key0"), bytes.find("key1"));
  EXPECT_LT(bytes.find("key10"), bytes.find("key2"));
}

TEST(Record, DecodeRestoresTheEventAndItsHash) {
  const std::string value = SampleLogValue();
  v1::RecordedEvent decoded;
  ASSERT_THAT(DecodeLogValue(value, /*include_record=*/false, &decoded), testing::IsOk());
  EXPECT_EQ(decoded.leaf_hash(), StoredLeafHash(value));
  EXPECT_TRUE(decoded.record().empty());
  v1::RecordedEvent stripped = decoded;
  stripped.clear_leaf_hash();
  EXPECT_EQ(SerializeRecord(stripped), RecordBytes(value));
  EXPECT_EQ(decoded.metadata().at("lang"), "ko");
}

TEST(Record, DecodeWithRecordKeepsTheStoredBytes) {
  const std::string value = SampleLogValue();
  v1::RecordedEvent decoded;
  ASSERT_THAT(DecodeLogValue(value, /*include_record=*/true, &decoded), testing::IsOk());
  EXPECT_EQ(decoded.record(), RecordBytes(value));
  EXPECT_EQ(LeafHash(decoded.record()), decoded.leaf_hash());
}

TEST(Record, DecodeOfAShortValueIsDataLoss) {
  v1::RecordedEvent decoded;
  EXPECT_THAT(DecodeLogValue(std::string(kLeafHashBytes - 1, 'x'), false, &decoded),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("shorter")));
}

TEST(Record, DecodeOfAnUnparsableRecordIsDataLoss) {
  // Field 2 (length-delimited) claims 100 bytes but none follow.
  const std::string value = LeafHash("\x12\x64") + std::string("\x12\x64");
  v1::RecordedEvent decoded;
  EXPECT_THAT(DecodeLogValue(value, false, &decoded),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("does not parse")));
}

}  // namespace
}  // namespace stakeledger::storage
