#include "storage/utf8.h"

#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace stakeledger::storage {
namespace {

bool ProtobufSays(const std::string& text) {
  return google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                             static_cast<int>(text.size()));
}

TEST(IsValidUtf8, AsciiOfEveryLengthAroundTheWordIsValid) {
  for (size_t size = 0; size <= 33; ++size) {
    const std::string text(size, 'a');
    EXPECT_TRUE(IsValidUtf8(text)) << size;
  }
  EXPECT_TRUE(IsValidUtf8(std::string("\0\x01\x7f", 3)));
}

TEST(IsValidUtf8, AHighByteAnywhereGoesToTheFullCheck) {
  // A lone continuation byte at each offset, in the 8-byte words and in
  // the tail: never valid, wherever it falls.
  for (size_t size = 1; size <= 20; ++size) {
    for (size_t at = 0; at < size; ++at) {
      std::string text(size, 'x');
      text[at] = '\x80';
      EXPECT_FALSE(IsValidUtf8(text)) << size << " " << at;
    }
  }
  EXPECT_TRUE(IsValidUtf8("소프트뱅크가 엔비디아 지분을 매각했다"));
  EXPECT_TRUE(IsValidUtf8("2018-06-30 \xe2\x80\x94 ~5%"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("abcdefgh\xe2\x80"));  // cut short
}

TEST(IsValidUtf8, AgreesWithProtobufOnRandomBytes) {
  // Mostly ASCII with a few high bytes: the mix the fast path must not
  // decide wrongly.
  std::mt19937 rng(20261124);
  for (int i = 0; i < 20000; ++i) {
    std::string text(rng() % 40, ' ');
    for (char& c : text) {
      const uint32_t roll = rng() % 16;
      c = static_cast<char>(roll < 12 ? 0x20 + rng() % 0x5f : rng() % 256);
    }
    ASSERT_EQ(IsValidUtf8(text), ProtobufSays(text)) << absl::CEscape(text);
  }
}

}  // namespace
}  // namespace stakeledger::storage
