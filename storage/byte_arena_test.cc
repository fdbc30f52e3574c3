// ByteArena: every view stays valid and unchanged across block growth,
// large copies and a move of the arena; Clear frees and starts over.
#include "storage/byte_arena.h"

#include <cstring>
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

// Reserve and Commit, as a writer of bytes of unknown size uses them,
// between copies: each keeps what it committed, small reservations share
// blocks (the rest of the room is given back), a large one gets a block
// of its own without losing the current block's rest.
TEST(ByteArenaTest, ReservedRoomKeepsWhatWasCommittedAndGivesBackTheRest) {
  ByteArena arena;
  std::vector<std::string> kept;
  std::vector<absl::string_view> views;
  size_t total = 0;
  for (int i = 0; i < 5000; ++i) {
    const size_t room = i % 700 == 0 ? kByteArenaBlockBytesMax : 8 + i % 91;
    const size_t used = i % 3 == 0 ? 0 : room / (1 + i % 4);
    char* at = arena.Reserve(room);
    const std::string bytes(used, static_cast<char>('A' + i % 26));
    std::memcpy(at, bytes.data(), used);
    views.push_back(arena.Commit(used));
    kept.push_back(bytes);
    total += used;
    views.push_back(arena.Copy("between"));
    kept.push_back("between");
    total += 7;
  }
  EXPECT_EQ(arena.bytes(), total);
  for (size_t i = 0; i < views.size(); ++i) ASSERT_EQ(views[i], kept[i]) << i;
  // Committed room of consecutive small reservations is packed: a copy
  // starts right after the bytes committed before it.
  char* at = arena.Reserve(64);
  std::memcpy(at, "abc", 3);
  const absl::string_view abc = arena.Commit(3);
  const absl::string_view next = arena.Copy("d");
  EXPECT_EQ(next.data(), abc.data() + 3);
}

}  // namespace
}  // namespace stakeledger::storage
