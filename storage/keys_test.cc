#include "storage/keys.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/comparator.h"

namespace stakeledger::storage {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// Numerically increasing values around every byte boundary that matters.
const std::vector<uint64_t>& Ascending() {
  static const auto* values = new std::vector<uint64_t>{0,
                                                        1,
                                                        2,
                                                        127,
                                                        128,
                                                        255,
                                                        256,
                                                        257,
                                                        65'535,
                                                        65'536,
                                                        16'777'215,
                                                        16'777'216,
                                                        1ULL << 31,
                                                        (1ULL << 32) - 1,
                                                        1ULL << 32,
                                                        (1ULL << 32) + 1,
                                                        1ULL << 40,
                                                        1ULL << 48,
                                                        (1ULL << 56) - 1,
                                                        1ULL << 56,
                                                        1ULL << 63,
                                                        kMax - 1,
                                                        kMax};
  return *values;
}

// The order RocksDB keeps keys in.
int CompareBytewise(const std::string& a, const std::string& b) {
  return rocksdb::BytewiseComparator()->Compare(a, b);
}

TEST(Keys, PositionIsEightBigEndianBytes) {
  EXPECT_EQ(EncodePosition(0x0102030405060708ULL), std::string("\x01\x02\x03\x04\x05\x06\x07\x08"));
  EXPECT_EQ(EncodePosition(0), std::string(8, '\0'));
  EXPECT_EQ(EncodePosition(kMax), std::string(8, '\xff'));
}

TEST(Keys, ReadBigEndianInvertsAppend) {
  for (const uint64_t value : Ascending()) {
    EXPECT_EQ(ReadBigEndian64(EncodePosition(value)), value);
  }
}

TEST(Keys, ReadBigEndianReadsOnlyTheFirstEightBytes) {
  EXPECT_EQ(ReadBigEndian64(EncodePosition(300) + "trailing"), 300u);
}

TEST(Keys, PositionsSortNumericallyInBytewiseOrder) {
  const std::vector<uint64_t>& values = Ascending();
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = i + 1; j < values.size(); ++j) {
      EXPECT_LT(CompareBytewise(EncodePosition(values[i]), EncodePosition(values[j])), 0)
          << values[i] << " should sort before " << values[j];
    }
  }
}

TEST(Keys, StreamKeyIsStreamIdThenRevision) {
  const std::string key = EncodeStreamKey(7, 9);
  ASSERT_EQ(key.size(), kStreamKeyBytes);
  EXPECT_EQ(key, EncodePosition(7) + EncodePosition(9));
}

TEST(Keys, StreamKeysSortByStreamIdThenRevision) {
  std::vector<std::pair<uint64_t, uint64_t>> keys;
  for (const uint64_t stream : {uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 32}) {
    for (const uint64_t revision : Ascending()) keys.emplace_back(stream, revision);
  }
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    const auto& [stream_a, revision_a] = keys[i];
    const auto& [stream_b, revision_b] = keys[i + 1];
    EXPECT_LT(CompareBytewise(EncodeStreamKey(stream_a, revision_a),
                              EncodeStreamKey(stream_b, revision_b)),
              0)
        << "(" << stream_a << ", " << revision_a << ") should sort before (" << stream_b << ", "
        << revision_b << ")";
  }
}

TEST(Keys, LastRevisionOfAStreamSortsBeforeFirstOfTheNext) {
  EXPECT_LT(CompareBytewise(EncodeStreamKey(255, kMax), EncodeStreamKey(256, 0)), 0);
  EXPECT_LT(CompareBytewise(EncodeStreamKey(1, kMax), EncodeStreamKey(2, 0)), 0);
}

TEST(Keys, StreamHeadRoundTrips) {
  StreamHead head;
  head.stream_id = 256;
  head.last_revision = (1ULL << 32) + 5;
  head.first_position = 1;
  head.last_position = kMax;
  const std::string bytes = EncodeStreamHead(head);
  ASSERT_EQ(bytes.size(), kStreamHeadBytes);

  StreamHead decoded;
  ASSERT_TRUE(DecodeStreamHead(bytes, &decoded));
  EXPECT_EQ(decoded.stream_id, head.stream_id);
  EXPECT_EQ(decoded.last_revision, head.last_revision);
  EXPECT_EQ(decoded.first_position, head.first_position);
  EXPECT_EQ(decoded.last_position, head.last_position);
}

TEST(Keys, StreamHeadOfWrongSizeIsRejected) {
  const std::string bytes = EncodeStreamHead(StreamHead{1, 2, 3, 4});
  StreamHead decoded;
  EXPECT_FALSE(DecodeStreamHead("", &decoded));
  EXPECT_FALSE(DecodeStreamHead(bytes.substr(0, kStreamHeadBytes - 1), &decoded));
  EXPECT_FALSE(DecodeStreamHead(bytes + "x", &decoded));
}

}  // namespace
}  // namespace stakeledger::storage
