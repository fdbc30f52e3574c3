#include "clients/trust_store.h"

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

TrustedHead SampleHead() {
  TrustedHead head;
  head.public_key = std::string(32, '\x01');
  head.tree_size = 42;
  head.root_hash = std::string(32, '\xab');
  head.timestamp_us = 1'700'000'000'000'000;
  head.signature = std::string(64, '\x7f');
  return head;
}

TEST(TrustStore, EncodedHeadDecodesToTheSameHead) {
  const absl::StatusOr<TrustedHead> decoded = DecodeTrustedHead(EncodeTrustedHead(SampleHead()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->public_key, SampleHead().public_key);
  EXPECT_EQ(decoded->tree_size, 42u);
  EXPECT_EQ(decoded->root_hash, SampleHead().root_hash);
  EXPECT_EQ(decoded->timestamp_us, SampleHead().timestamp_us);
  EXPECT_EQ(decoded->signature, SampleHead().signature);
}

TEST(TrustStore, DamagedFileIsDataLoss) {
  std::string text = EncodeTrustedHead(SampleHead());
  text.replace(text.find("tree_size 42"), 12, "tree_size 4x");
  EXPECT_EQ(DecodeTrustedHead(text).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeTrustedHead("").status().code(), absl::StatusCode::kDataLoss);
}

TEST(TrustStore, ServerAddressBecomesOneFileName) {
  EXPECT_EQ(TrustFilePath("/t", "127.0.0.1:50051"), "/t/127.0.0.1_50051.trusted-head");
  EXPECT_EQ(TrustFilePath("/t", "../x/y"), "/t/.._x_y.trusted-head");
}

TEST(TrustStore, SavedHeadLoadsBackAndMissingFileIsNone) {
  const std::string dir = ::testing::TempDir() + "/trust_store_test/nested";
  const std::string path = TrustFilePath(dir, "server");
  std::remove(path.c_str());
  const auto missing = LoadTrustedHead(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(SaveTrustedHead(path, SampleHead()).ok());
  const auto loaded = LoadTrustedHead(path);
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->tree_size, 42u);
}

}  // namespace
}  // namespace stakeledger::clients
