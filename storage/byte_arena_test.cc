// ByteArena: every view stays valid and unchanged across block growth,
// large copies and a move of the arena; Clear frees and starts over.
#include "storage/byte_arena.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace stakeledger::storage {
namespace {

TEST(ByteArenaTest, ViewsSurviveGrowthLargeCopiesAndMoves) {
  ByteArena arena;
  std::vector<std::string> copied;
  std::vector<absl::string_view> views;
  size_t total = 0;
  // Small copies fill several doubling blocks; every 500th is larger than
  // a quarter of any block and gets one of its own.
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(i % 500 == 0 ? kByteArenaBlockBytesMax / 2 : 1 + i % 37,
                      static_cast<char>('a' + i % 26));
    views.push_back(arena.Copy(bytes));
    total += bytes.size();
    copied.push_back(std::move(bytes));
  }
  EXPECT_EQ(arena.bytes(), total);
  ByteArena moved = std::move(arena);
  views.push_back(moved.Copy("after the move"));
  copied.push_back("after the move");
  ASSERT_EQ(views.size(), copied.size());
  for (size_t i = 0; i < views.size(); ++i) ASSERT_EQ(views[i], copied[i]) << i;
  EXPECT_TRUE(moved.Copy("").empty());
  moved.Clear();
  EXPECT_EQ(moved.bytes(), 0u);
  EXPECT_EQ(moved.Copy("again"), "again");
}

}  // namespace
}  // namespace stakeledger::storage
