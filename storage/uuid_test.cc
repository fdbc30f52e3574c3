#include "storage/uuid.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace stakeledger::storage {
namespace {

constexpr char kLower[] = "0123abcd-ef01-4a2b-8c3d-456789abcdef";
constexpr char kUpper[] = "0123ABCD-EF01-4A2B-8C3D-456789ABCDEF";
constexpr char kBytes[] = "\x01\x23\xab\xcd\xef\x01\x4a\x2b\x8c\x3d\x45\x67\x89\xab\xcd\xef";

TEST(Uuid, ParsesLowerCase) {
  std::string bytes;
  ASSERT_TRUE(ParseUuid(kLower, &bytes));
  EXPECT_EQ(bytes, std::string(kBytes, 16));
}

TEST(Uuid, ParsesUpperAndMixedCaseToTheSameBytes) {
  std::string upper;
  std::string mixed;
  ASSERT_TRUE(ParseUuid(kUpper, &upper));
  ASSERT_TRUE(ParseUuid("0123AbCd-eF01-4a2B-8C3d-456789aBcDeF", &mixed));
  EXPECT_EQ(upper, std::string(kBytes, 16));
  EXPECT_EQ(mixed, std::string(kBytes, 16));
}

TEST(Uuid, RejectsEveryOtherShape) {
  const char* const kBad[] = {
      "",
      "0123abcdef014a2b8c3d456789abcdef",        // no dashes
      "{0123abcd-ef01-4a2b-8c3d-456789abcdef}",  // braces
      "urn:uuid:0123abcd-ef01-4a2b-8c3d-456789abcdef",
      "0123abcd-ef01-4a2b-8c3d-456789abcde",    // 35 characters
      "0123abcd-ef01-4a2b-8c3d-456789abcdef0",  // 37 characters
      "0123abcd-ef01-4a2b-8c3d-456789abcdeg",   // not hexadecimal
      "0123abcd-ef01-4a2b-8c3d-456789abcde ",   // trailing space
      "0123abc-def01-4a2b-8c3d-456789abcdef",   // dash in the wrong place
      "0123abcd_ef01_4a2b_8c3d_456789abcdef",   // wrong separator
      "0123abcd-ef01-4a2b-8c3d-456789abcd-f",   // extra dash for a digit
      "+123abcd-ef01-4a2b-8c3d-456789abcdef",
  };
  for (const char* text : kBad) {
    std::string bytes = "untouched";
    EXPECT_FALSE(ParseUuid(text, &bytes)) << "'" << text << "'";
    EXPECT_EQ(bytes, "untouched") << "'" << text << "'";
  }
}

TEST(Uuid, FormatIsCanonicalLowerCase) {
  EXPECT_EQ(FormatUuid(std::string(kBytes, 16)), kLower);
  std::string bytes;
  ASSERT_TRUE(ParseUuid(kUpper, &bytes));
  EXPECT_EQ(FormatUuid(bytes), kLower);
}

TEST(Uuid, FormatRoundTripsExtremeBytes) {
  for (const char fill : {'\x00', '\x0f', '\xf0', '\xff'}) {
    const std::string bytes(16, fill);
    std::string parsed;
    ASSERT_TRUE(ParseUuid(FormatUuid(bytes), &parsed));
    EXPECT_EQ(parsed, bytes);
  }
  EXPECT_EQ(FormatUuid(std::string(16, '\xff')), "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(Uuid, RandomIdsAreVersion4AndDistinct) {
  constexpr int kCount = 1000;
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < kCount; ++i) {
    const std::string bytes = RandomUuidBytes();
    ASSERT_EQ(bytes.size(), 16u);
    EXPECT_EQ(static_cast<uint8_t>(bytes[6]) >> 4, 4) << FormatUuid(bytes);
    EXPECT_EQ(static_cast<uint8_t>(bytes[8]) >> 6, 0b10) << FormatUuid(bytes);  // RFC 4122
    const std::string text = FormatUuid(bytes);
    EXPECT_EQ(text[14], '4') << text;
    std::string parsed;
    EXPECT_TRUE(ParseUuid(text, &parsed)) << text;
    EXPECT_EQ(parsed, bytes);
    seen.insert(bytes);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kCount));
}

uint64_t MillisOf(const std::string& bytes) {
  uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | static_cast<uint8_t>(bytes[i]);
  return ms;
}

TEST(UuidV7, CarriesTheMillisecondsVersionAndVariant) {
  UuidV7Generator generator;
  const int64_t ms = 1'735'689'600'123;  // 2025-01-01T00:00:00.123Z
  const std::string bytes = generator.Next(ms);
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(MillisOf(bytes), static_cast<uint64_t>(ms));
  EXPECT_EQ(static_cast<uint8_t>(bytes[6]) >> 4, 7) << FormatUuid(bytes);
  EXPECT_EQ(static_cast<uint8_t>(bytes[8]) >> 6, 0b10) << FormatUuid(bytes);
  std::string parsed;
  EXPECT_TRUE(ParseUuid(FormatUuid(bytes), &parsed));
  EXPECT_EQ(parsed, bytes);
}

TEST(UuidV7, IdsIncreaseWithinAndAcrossMilliseconds) {
  UuidV7Generator generator;
  std::string previous = generator.Next(1000);
  for (int64_t ms = 1000; ms < 1010; ++ms) {
    for (int i = 0; i < 500; ++i) {
      const std::string next = generator.Next(ms);
      ASSERT_LT(previous, next) << FormatUuid(previous) << " then " << FormatUuid(next);
      previous = next;
    }
  }
}

TEST(UuidV7, IdsStillIncreaseWhenTheClockStepsBack) {
  UuidV7Generator generator;
  std::string previous = generator.Next(5000);
  for (const int64_t ms : {4000, 4999, 5000, 1}) {
    const std::string next = generator.Next(ms);
    EXPECT_LT(previous, next) << "at " << ms;
    EXPECT_EQ(MillisOf(next), 5000u) << "the last millisecond is kept";
    previous = next;
  }
}

}  // namespace
}  // namespace stakeledger::storage
