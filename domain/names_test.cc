#include "domain/names.h"

#include "gtest/gtest.h"

namespace stakeledger::domain {
namespace {

TEST(NormalizeName, LowersLatinCapitals) {
  EXPECT_EQ(NormalizeName("SoftBank Group"), "softbank group");
  EXPECT_EQ(NormalizeName("ÉCOLE Öl"), "école öl");
  EXPECT_EQ(NormalizeName("×"), "×");  // U+00D7 is no letter
}

TEST(NormalizeName, KeepsHangulAndKanaAsTheyAre) {
  EXPECT_EQ(NormalizeName("소프트뱅크"), "소프트뱅크");
  EXPECT_EQ(NormalizeName("ソフトバンク"), "ソフトバンク");
  EXPECT_EQ(NormalizeName("SB 오픈AI 재팬"), "sb 오픈ai 재팬");
}

TEST(NormalizeName, TrimsAndCollapsesWhiteSpace) {
  EXPECT_EQ(NormalizeName("  SoftBank \t  Group \n"), "softbank group");
  EXPECT_EQ(NormalizeName("   "), "");
}

TEST(NormalizeName, IsIdempotent) {
  for (const char* name : {"Arm Holdings plc", "엔비디아", "  X.AI  Corp. "}) {
    EXPECT_EQ(NormalizeName(NormalizeName(name)), NormalizeName(name));
  }
}

TEST(EditDistance, CountsCodePointsNotBytes) {
  EXPECT_EQ(EditDistance("nvidiaa", "nvidia"), 1u);
  EXPECT_EQ(EditDistance("엔비디야", "엔비디아"), 1u);
  EXPECT_EQ(EditDistance("", "arm"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
}

TEST(DecodeUtf8, ReplacesInvalidBytes) {
  EXPECT_EQ(DecodeUtf8("a\xff"), (std::u32string{U'a', U'\uFFFD'}));
  EXPECT_EQ(DecodeUtf8("암"), std::u32string{U'암'});
}

}  // namespace
}  // namespace stakeledger::domain
