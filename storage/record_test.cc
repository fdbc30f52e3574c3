#include "storage/record.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
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

TEST(Record, RecordedAtUsIsTimeUtilsMicroseconds) {
  const int64_t seconds[] = {0, 1, 1732406400, -1, -62135596800, 253402300799};
  const int32_t nanos[] = {0, 1, 999, 1000, 1001, 123456789, 999999999, -1, -1500, -999999999};
  for (const int64_t s : seconds) {
    for (const int32_t n : nanos) {
      google::protobuf::Timestamp at;
      at.set_seconds(s);
      at.set_nanos(n);
      LogEventView view;
      view.recorded_at_seconds = s;
      view.recorded_at_nanos = n;
      EXPECT_EQ(RecordedAtUs(view), google::protobuf::util::TimeUtil::TimestampToMicroseconds(at))
          << s << " " << n;
    }
  }
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

// The view DecodeLogView gives of `value`, or its error.
absl::StatusOr<LogEventView> View(absl::string_view value) {
  LogEventView view;
  const absl::Status status = DecodeLogView(value, &view);
  if (!status.ok()) return status;
  return view;
}

// The view of what DecodeLogValue decodes from `value`, or its error;
// `event` holds the strings the view points into.
absl::StatusOr<LogEventView> ViewOfDecoded(absl::string_view value, v1::RecordedEvent* event) {
  const absl::Status status = DecodeLogValue(value, /*include_record=*/false, event);
  if (!status.ok()) return status;
  return ViewOf(*event);
}

std::string Fields(const LogEventView& view) {
  return absl::StrCat(view.position, "|", view.stream, "|", view.event_type, "|", view.content_type,
                      "|", absl::BytesToHexString(view.payload), "|", view.recorded_at_seconds, "|",
                      view.recorded_at_nanos);
}

// DecodeLogView accepts `value` exactly when DecodeLogValue does, and then
// gives the fields it gives.
void ExpectViewAsDecoded(absl::string_view value) {
  v1::RecordedEvent event;
  const absl::StatusOr<LogEventView> decoded = ViewOfDecoded(value, &event);
  const absl::StatusOr<LogEventView> view = View(value);
  ASSERT_EQ(view.ok(), decoded.ok()) << absl::BytesToHexString(value) << ": " << view.status();
  if (!view.ok()) {
    EXPECT_THAT(view, StatusIs(absl::StatusCode::kDataLoss));
    return;
  }
  EXPECT_EQ(Fields(*view), Fields(*decoded)) << absl::BytesToHexString(value);
}

TEST(RecordView, GivesTheFieldsOfTheDecodedEvent) {
  const std::string value = SampleLogValue();
  const absl::StatusOr<LogEventView> view = View(value);
  ASSERT_THAT(view, testing::IsOk());
  EXPECT_EQ(view->position, 42u);
  EXPECT_EQ(view->stream, "company-softbank");
  EXPECT_EQ(view->event_type, "stake.changed");
  EXPECT_EQ(view->content_type, "application/json");
  EXPECT_EQ(view->payload, R"({"ppm":49000})");
  EXPECT_EQ(view->recorded_at_seconds, 1'700'000'000);
  EXPECT_EQ(view->recorded_at_nanos, 123'000);
  // Views into the value itself: nothing copied.
  EXPECT_GE(view->payload.data(), value.data());
  EXPECT_LE(view->payload.data() + view->payload.size(), value.data() + value.size());
  ExpectViewAsDecoded(value);
}

TEST(RecordView, OfAShortValueIsDataLoss) {
  EXPECT_THAT(View(std::string(kLeafHashBytes - 1, 'x')),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("shorter")));
}

TEST(RecordView, OfInvalidUtf8InAStringFieldIsDataLoss) {
  std::string value = SampleLogValue();
  value[value.find("stake.changed")] = '\xff';
  EXPECT_THAT(View(value), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("does not parse")));
  ExpectViewAsDecoded(value);
}

TEST(RecordView, SkipsUnknownFieldsAndMergesRepeatedTimestampsAsProtobufDoes) {
  // Field 20 (varint 5); field 5 as a varint (not its wire type: an
  // unknown field); recorded_at again, nanos only (merged); field 2
  // again (the last one counts).
  const std::string extra(
      "\xa0\x01\x05"
      "\x28\x07"
      "\x4a\x02\x10\x09"
      "\x12\x01z",
      12);
  const std::string record = SerializeRecord(SampleEvent()) + extra;
  const std::string value = EncodeLogValue(LeafHash(record), record);
  const absl::StatusOr<LogEventView> view = View(value);
  ASSERT_THAT(view, testing::IsOk());
  EXPECT_EQ(view->event_type, "stake.changed");
  EXPECT_EQ(view->stream, "z");
  EXPECT_EQ(view->recorded_at_seconds, 1'700'000'000);
  EXPECT_EQ(view->recorded_at_nanos, 9);
  ExpectViewAsDecoded(value);
}

// Every truncation of a record and every byte of it replaced by a few
// others: the view and the full parse agree, the damaged record refused
// with DATA_LOSS by both or read the same by both.
TEST(RecordView, AgreesWithTheFullParseOnDamagedRecords) {
  const std::string value = SampleLogValue();
  // Tags of field number 0 (no field has it), of each wire type; an end
  // of group without its start; a group that never ends.
  for (const std::string& tail : {std::string("\x00", 1),
                                  std::string("\x01"
                                              "12345678"),
                                  std::string("\x02\x00", 2),
                                  std::string("\x05"
                                              "1234"),
                                  std::string("\x0c"), std::string("\x0b")}) {
    ASSERT_NO_FATAL_FAILURE(ExpectViewAsDecoded(value + tail));
  }
  for (size_t size = kLeafHashBytes; size < value.size(); ++size) {
    ASSERT_NO_FATAL_FAILURE(ExpectViewAsDecoded(value.substr(0, size)));
  }
  for (size_t i = kLeafHashBytes; i < value.size(); ++i) {
    for (const char replacement : {'\x00', '\x01', '\x7f', '\x80', '\xff', '\x0a', '\x3a'}) {
      std::string damaged = value;
      damaged[i] = replacement;
      ASSERT_NO_FATAL_FAILURE(ExpectViewAsDecoded(damaged)) << "byte " << i;
    }
  }
}

}  // namespace
}  // namespace stakeledger::storage
