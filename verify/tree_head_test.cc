#include "verify/tree_head.h"

#include <sodium.h>

#include <string>

#include "gtest/gtest.h"
#include "verify/merkle_hash.h"

namespace stakeledger::verify {
namespace {

class TreeHeadTest : public ::testing::Test {
 protected:
  TreeHeadTest()
      : public_key_(kPublicKeyBytes, '\0'), secret_key_(crypto_sign_SECRETKEYBYTES, '\0') {
    EXPECT_GE(sodium_init(), 0);
    crypto_sign_keypair(reinterpret_cast<unsigned char*>(public_key_.data()),
                        reinterpret_cast<unsigned char*>(secret_key_.data()));
    root_ = HashLeaf("root");
  }
  std::string Sign(uint64_t size, absl::string_view root, int64_t timestamp_us) {
    const std::string message = EncodeTreeHead(size, root, timestamp_us);
    std::string signature(kSignatureBytes, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         reinterpret_cast<const unsigned char*>(secret_key_.data()));
    return signature;
  }

  std::string public_key_;
  std::string secret_key_;
  std::string root_;
};

TEST_F(TreeHeadTest, EncodingIsContextSizeRootTimestamp) {
  const std::string message = EncodeTreeHead(0x0102, root_, -1);
  ASSERT_EQ(message.size(), kTreeHeadMessageBytes);
  EXPECT_EQ(message.substr(0, 24), "stakeledger/tree-head/v1");
  EXPECT_EQ(ToHex(message.substr(24, 8)), "0000000000000102");
  EXPECT_EQ(message.substr(32, 32), root_);
  EXPECT_EQ(ToHex(message.substr(64, 8)), "ffffffffffffffff");
}

TEST_F(TreeHeadTest, OwnSignatureVerifies) {
  EXPECT_TRUE(VerifyTreeHeadSignature(public_key_, 7, root_, 1234, Sign(7, root_, 1234)).ok());
}

TEST_F(TreeHeadTest, AnyChangedFieldFailsAsUnauthenticated) {
  const std::string signature = Sign(7, root_, 1234);
  EXPECT_EQ(VerifyTreeHeadSignature(public_key_, 8, root_, 1234, signature).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyTreeHeadSignature(public_key_, 7, HashLeaf("x"), 1234, signature).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyTreeHeadSignature(public_key_, 7, root_, 1235, signature).code(),
            absl::StatusCode::kUnauthenticated);
  std::string flipped = signature;
  flipped[3] ^= 1;
  EXPECT_EQ(VerifyTreeHeadSignature(public_key_, 7, root_, 1234, flipped).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(TreeHeadTest, WrongLengthsAreInvalid) {
  const std::string signature = Sign(7, root_, 1234);
  EXPECT_EQ(VerifyTreeHeadSignature("short", 7, root_, 1234, signature).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyTreeHeadSignature(public_key_, 7, "short", 1234, signature).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyTreeHeadSignature(public_key_, 7, root_, 1234, "short").code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stakeledger::verify
