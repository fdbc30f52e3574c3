#include "clients/text.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

TEST(IsValidUtf8, AcceptsAsciiAndMultiByteText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
}

TEST(IsValidUtf8, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));              // Stray continuation byte.
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // Truncated.
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // Overlong '/'.
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // Surrogate U+D800.
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // Above U+10FFFF.
}

TEST(DisplayWidth, CountsCodePoints) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("caf\xc3\xa9"), 4u);
  EXPECT_EQ(DisplayWidth("\xe2\x80\x94"), 1u);
}

TEST(FitToWidth, ShortTextIsUnchanged) { EXPECT_EQ(FitToWidth("abc", 3), "abc"); }

TEST(FitToWidth, LongTextEndsInAnEllipsisAtTheWidth) {
  const std::string fitted = FitToWidth("abcdef", 4);
  EXPECT_EQ(fitted, "abc\u2026");
  EXPECT_EQ(DisplayWidth(fitted), 4u);
}

TEST(FitToWidth, NeverSplitsACodePoint) {
  EXPECT_EQ(FitToWidth("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\u2026");
}

TEST(FitToWidth, TinyWidths) {
  EXPECT_EQ(FitToWidth("abc", 1), "\u2026");
  EXPECT_EQ(FitToWidth("abc", 0), "");
}

TEST(CountText, SingularForOneOnly) {
  EXPECT_EQ(CountText(0, "file", "files"), "0 files");
  EXPECT_EQ(CountText(1, "file", "files"), "1 file");
  EXPECT_EQ(CountText(2, "entity", "entities"), "2 entities");
}

constexpr uint64_t kUint64Max = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kUint32Max = std::numeric_limits<uint32_t>::max();

TEST(CheckUnsignedText, AcceptsEachTypesLargestValue) {
  EXPECT_TRUE(CheckUnsignedText("0", kUint64Max).ok());
  EXPECT_TRUE(CheckUnsignedText("18446744073709551615", kUint64Max).ok());
  EXPECT_TRUE(CheckUnsignedText("4294967295", kUint32Max).ok());
}

TEST(CheckUnsignedText, RefusesOnePastTheLargestValue) {
  EXPECT_EQ(CheckUnsignedText("18446744073709551616", kUint64Max).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckUnsignedText("99999999999999999999", kUint64Max).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckUnsignedText("4294967296", kUint32Max).code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckUnsignedText, RefusesSignsSpacesAndOtherBases) {
  for (const char* text : {"-1", "-3", "+1", " 1", "1 ", "0x10", "", "1e3", "abc"}) {
    const absl::Status status = CheckUnsignedText(text, kUint64Max);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("expected a whole number from 0 to"), absl::string_view::npos);
  }
}

TEST(CheckKnownAtText, TakesAPositionOrAnRfc3339Time) {
  for (const char* text : {"0", "53", "2026-11-24T05:41:45.505597Z", "2026-11-24T05:41:45Z",
                           "2026-11-24T07:41:45+02:00"}) {
    EXPECT_TRUE(CheckKnownAtText(text).ok()) << text;
  }
}

TEST(CheckKnownAtText, RefusesOtherTextWithAnExampleOfEach) {
  for (const char* text : {"abc", "-1", "2026-11-24", "yesterday", ""}) {
    const absl::Status status = CheckKnownAtText(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("expected a log position or an RFC 3339 time, e.g. 53 or "
                                    "2026-11-24T05:41:45.505597Z"),
              absl::string_view::npos);
  }
}

TEST(CheckYearText, TakesFourDigitsOnly) {
  EXPECT_TRUE(CheckYearText("2024").ok());
  for (const char* text : {"abc", "24", "2024-05", "20245", ""}) {
    const absl::Status status = CheckYearText(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("expected a year, e.g. 2024"), absl::string_view::npos);
  }
}

}  // namespace
}  // namespace stakeledger::clients
