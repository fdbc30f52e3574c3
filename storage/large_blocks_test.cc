#include "storage/large_blocks.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"

namespace stakeledger::storage {
namespace {

TEST(LargeBlocksTest, ASmallBlockIsOrdinaryHeapMemory) {
  void* block = AllocateLarge(100);
  ASSERT_NE(block, nullptr);
  std::memset(block, 0x5a, 100);
  FreeLarge(block, 100);
}

TEST(LargeBlocksTest, LargeBlocksAreAlignedToHugePagesAndWholeWritable) {
  // At the limit, one past it, and one of several pages with a ragged end.
  for (const size_t bytes :
       {kLargeBlockBytesMin, kLargeBlockBytesMin + 1, 3 * kLargeBlockBytesMin + 12345}) {
    auto* block = static_cast<unsigned char*>(AllocateLarge(bytes));
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % kLargeBlockBytesMin, 0u) << bytes;
    // Every byte is writable and keeps what was written.
    for (size_t i = 0; i < bytes; i += 4096) block[i] = static_cast<unsigned char>(i >> 12);
    for (size_t i = 0; i < bytes; i += 4096) {
      ASSERT_EQ(block[i], static_cast<unsigned char>(i >> 12)) << bytes << " at " << i;
    }
    block[bytes - 1] = 0xee;
    EXPECT_EQ(block[bytes - 1], 0xee);
    FreeLarge(block, bytes);
  }
  FreeLarge(nullptr, kLargeBlockBytesMin);  // as delete of nullptr: nothing
}

TEST(LargeBlocksTest, AnImpossibleSizeThrowsAsOperatorNew) {
  LargeAllocator<uint64_t> allocator;
  EXPECT_THROW(allocator.allocate(SIZE_MAX / 4), std::bad_alloc);
  EXPECT_THROW(AllocateLarge(SIZE_MAX - 10), std::bad_alloc);
}

TEST(LargeBlocksTest, ContainersWorkOnTheAllocator) {
  std::vector<uint64_t, LargeAllocator<uint64_t>> numbers;
  numbers.reserve(1 << 20);                                                // 8 MiB: large blocks
  for (uint64_t i = 0; i < (1 << 20) + 10; ++i) numbers.push_back(i * 3);  // and a regrowth
  for (uint64_t i = 0; i < numbers.size(); ++i) ASSERT_EQ(numbers[i], i * 3);

  absl::flat_hash_map<uint64_t, uint32_t, absl::Hash<uint64_t>, std::equal_to<uint64_t>,
                      LargeAllocator<std::pair<const uint64_t, uint32_t>>>
      table;
  table.reserve(300000);
  for (uint32_t i = 0; i < 300000; ++i) table.emplace(uint64_t{i} * 2654435761u, i);
  ASSERT_EQ(table.size(), 300000u);
  for (uint32_t i = 0; i < 300000; ++i) ASSERT_EQ(table.at(uint64_t{i} * 2654435761u), i);
}

}  // namespace
}  // namespace stakeledger::storage
