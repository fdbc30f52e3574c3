// Every inclusion proof and every consistency pair for all tree sizes up
// to kSizeMax, from the reference definitions, must verify; tampered
// proofs must not.
#include "verify/merkle_verify.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_reference.h"

namespace stakeledger::verify {
namespace {

constexpr uint64_t kSizeMax = 70;

class MerkleVerify : public ::testing::Test {
 protected:
  MerkleVerify() {
    for (uint64_t i = 0; i < kSizeMax; ++i) leaves_.push_back(HashLeaf(absl::StrCat("leaf ", i)));
    for (uint64_t size = 0; size <= kSizeMax; ++size) roots_.push_back(Root(size));
  }
  absl::Span<const std::string> Prefix(uint64_t size) const {
    return absl::MakeConstSpan(leaves_).subspan(0, size);
  }
  std::string Root(uint64_t size) const { return ReferenceRoot(Prefix(size)); }

  std::vector<std::string> leaves_;
  std::vector<std::string> roots_;
};

TEST_F(MerkleVerify, EveryInclusionProofVerifies) {
  for (uint64_t size = 1; size <= kSizeMax; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      const auto proof = ReferenceInclusionProof(Prefix(size), index);
      ASSERT_TRUE(VerifyInclusion(index, size, leaves_[index], proof, roots_[size]).ok())
          << index << "/" << size;
    }
  }
}

TEST_F(MerkleVerify, EveryConsistencyPairVerifies) {
  for (uint64_t size2 = 1; size2 <= kSizeMax; ++size2) {
    for (uint64_t size1 = 1; size1 < size2; ++size1) {
      const auto proof = ReferenceConsistencyProof(Prefix(size2), size1);
      ASSERT_TRUE(VerifyConsistency(size1, size2, proof, roots_[size1], roots_[size2]).ok())
          << size1 << "/" << size2;
    }
  }
}

TEST_F(MerkleVerify, InclusionWithAnyFlippedSiblingFails) {
  for (uint64_t size = 2; size <= kSizeMax; size += 3) {
    for (uint64_t index = 0; index < size; ++index) {
      const auto proof = ReferenceInclusionProof(Prefix(size), index);
      for (size_t i = 0; i < proof.size(); ++i) {
        auto tampered = proof;
        tampered[i][7] ^= 1;
        EXPECT_EQ(VerifyInclusion(index, size, leaves_[index], tampered, roots_[size]).code(),
                  absl::StatusCode::kDataLoss);
      }
    }
  }
}

// A size that changes no step of the path (9 in 37 or 38 leaves) proves
// the same thing; sizes that change the path's shape must fail.
TEST_F(MerkleVerify, InclusionWithWrongLeafIndexOrSizeFails) {
  const uint64_t size = 37;
  const auto proof = ReferenceInclusionProof(Prefix(size), 36);
  EXPECT_FALSE(VerifyInclusion(35, size, leaves_[36], proof, roots_[size]).ok());
  EXPECT_FALSE(VerifyInclusion(36, 41, leaves_[36], proof, roots_[size]).ok());
  EXPECT_FALSE(VerifyInclusion(36, 64, leaves_[36], proof, roots_[size]).ok());
  EXPECT_EQ(VerifyInclusion(36, size, leaves_[35], proof, roots_[size]).code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(MerkleVerify, InclusionWithTruncatedOrExtendedPathFails) {
  const uint64_t size = 45;
  auto proof = ReferenceInclusionProof(Prefix(size), 20);
  auto longer = proof;
  longer.push_back(leaves_[0]);
  EXPECT_EQ(VerifyInclusion(20, size, leaves_[20], longer, roots_[size]).code(),
            absl::StatusCode::kDataLoss);
  proof.pop_back();
  EXPECT_EQ(VerifyInclusion(20, size, leaves_[20], proof, roots_[size]).code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(MerkleVerify, InclusionOutsideTheTreeIsInvalid) {
  EXPECT_EQ(VerifyInclusion(0, 0, leaves_[0], {}, roots_[0]).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(5, 5, leaves_[5], {}, roots_[5]).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(0, 1, "short", {}, roots_[1]).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(MerkleVerify, ConsistencyWithAnyFlippedHashFails) {
  for (uint64_t size2 = 2; size2 <= kSizeMax; size2 += 5) {
    for (uint64_t size1 = 1; size1 < size2; ++size1) {
      const auto proof = ReferenceConsistencyProof(Prefix(size2), size1);
      for (size_t i = 0; i < proof.size(); ++i) {
        auto tampered = proof;
        tampered[i][0] ^= 0x80;
        EXPECT_EQ(VerifyConsistency(size1, size2, tampered, roots_[size1], roots_[size2]).code(),
                  absl::StatusCode::kDataLoss)
            << size1 << "/" << size2 << " hash " << i;
      }
    }
  }
}

TEST_F(MerkleVerify, ConsistencyWithWrongSizesOrTruncatedPathFails) {
  const auto proof = ReferenceConsistencyProof(Prefix(27), 11);
  EXPECT_FALSE(VerifyConsistency(12, 27, proof, roots_[11], roots_[27]).ok());
  EXPECT_FALSE(VerifyConsistency(11, 40, proof, roots_[11], roots_[27]).ok());
  EXPECT_FALSE(VerifyConsistency(11, 27, proof, roots_[11], roots_[28]).ok());
  auto truncated = proof;
  truncated.pop_back();
  EXPECT_EQ(VerifyConsistency(11, 27, truncated, roots_[11], roots_[27]).code(),
            absl::StatusCode::kDataLoss);
  auto extended = proof;
  extended.push_back(leaves_[3]);
  EXPECT_EQ(VerifyConsistency(11, 27, extended, roots_[11], roots_[27]).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyConsistency(11, 27, {}, roots_[11], roots_[27]).code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(MerkleVerify, ConsistencyWithSizeZeroOrEqualSizes) {
  EXPECT_TRUE(VerifyConsistency(0, 9, {}, roots_[0], roots_[9]).ok());
  EXPECT_EQ(VerifyConsistency(0, 9, {leaves_[0]}, roots_[0], roots_[9]).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_TRUE(VerifyConsistency(9, 9, {}, roots_[9], roots_[9]).ok());
  EXPECT_EQ(VerifyConsistency(9, 9, {}, roots_[9], roots_[8]).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyConsistency(9, 9, {leaves_[0]}, roots_[9], roots_[9]).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyConsistency(10, 9, {}, roots_[10], roots_[9]).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stakeledger::verify
