#include "storage/chunked_vector.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/large_blocks.h"

namespace stakeledger::storage {
namespace {

// Chunks of 4 elements, so that a few dozen cross many chunk boundaries.
using Small = ChunkedVector<std::string, 2>;

TEST(ChunkedVectorTest, KeepsElementsInOrderAcrossChunks) {
  Small vector;
  EXPECT_TRUE(vector.empty());
  for (int i = 0; i < 37; ++i) vector.push_back(std::to_string(i));
  ASSERT_EQ(vector.size(), 37u);
  for (int i = 0; i < 37; ++i) EXPECT_EQ(vector[i], std::to_string(i));
  EXPECT_EQ(vector.back(), "36");
  std::vector<std::string> iterated(vector.begin(), vector.end());
  ASSERT_EQ(iterated.size(), 37u);
  EXPECT_EQ(iterated.front(), "0");
  EXPECT_EQ(iterated.back(), "36");
}

TEST(ChunkedVectorTest, GrowingMovesNoElement) {
  Small vector;
  vector.emplace_back() = "first";
  const std::string* first = &vector[0];
  for (int i = 0; i < 100; ++i) vector.push_back("more");
  EXPECT_EQ(&vector[0], first);
  EXPECT_EQ(*first, "first");
}

TEST(ChunkedVectorTest, SwapAndClear) {
  Small a, b;
  for (int i = 0; i < 5; ++i) a.push_back("a");
  b.push_back("b");
  a.swap(b);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0], "b");
  EXPECT_EQ(b.size(), 5u);
  b.clear();
  EXPECT_TRUE(b.empty());
  b.push_back("again");
  EXPECT_EQ(b[0], "again");
}

TEST(ChunkedVectorTest, DestroysWhatItConstructedOnly) {
  // Strings too long for the short-string buffer: a leak or a double free
  // shows under a sanitizer, a destructor of an element never constructed
  // reads garbage.
  Small vector;
  for (int i = 0; i < 9; ++i) vector.push_back(std::string(100, static_cast<char>('a' + i)));
  Small moved(std::move(vector));
  EXPECT_TRUE(vector.empty());
  ASSERT_EQ(moved.size(), 9u);
  EXPECT_EQ(moved[8], std::string(100, 'i'));
  vector = std::move(moved);
  EXPECT_EQ(vector.size(), 9u);
}

TEST(ChunkedVectorTest, LargeChunksStartOnHugePageBoundaries) {
  // 2 MiB chunks: 2^18 eight-byte elements.
  ChunkedVector<uint64_t, 18> vector;
  static_assert(decltype(vector)::kChunkBytes == kLargeBlockBytesMin);
  const size_t count = 3 * decltype(vector)::kChunkElements + 5;
  for (size_t i = 0; i < count; ++i) vector.push_back(i * 7);
  for (size_t chunk = 0; chunk < 4; ++chunk) {
    const auto address =
        reinterpret_cast<uintptr_t>(&vector[chunk * decltype(vector)::kChunkElements]);
    EXPECT_EQ(address % kLargeBlockBytesMin, 0u) << "chunk " << chunk;
  }
  for (size_t i = 0; i < count; ++i) ASSERT_EQ(vector[i], i * 7) << i;
}

}  // namespace
}  // namespace stakeledger::storage
