// The public RFC 6962 test vectors published by transparency-dev/merkle
// (testonly/constants.go and reference_test.go): eight leaf inputs, the
// roots of the trees of sizes 0 to 8, and hand-made proofs.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_reference.h"
#include "verify/merkle_verify.h"

namespace stakeledger::verify {
namespace {

std::string Hex(absl::string_view hex) {
  std::string bytes;
  EXPECT_TRUE(FromHex(hex, &bytes)) << hex;
  return bytes;
}

std::vector<std::string> LeafHashes() {
  const char* const inputs[] = {"",
                                "00",
                                "10",
                                "2021",
                                "3031",
                                "40414243",
                                "5051525354555657",
                                "606162636465666768696a6b6c6d6e6f"};
  std::vector<std::string> hashes;
  for (const char* input : inputs) hashes.push_back(HashLeaf(Hex(input)));
  return hashes;
}

const char* const kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<std::string> HexList(std::initializer_list<const char*> hexes) {
  std::vector<std::string> out;
  for (const char* hex : hexes) out.push_back(Hex(hex));
  return out;
}

TEST(MerkleVectors, RootsForSizesZeroToEight) {
  const std::vector<std::string> leaves = LeafHashes();
  for (size_t size = 0; size <= 8; ++size) {
    EXPECT_EQ(ToHex(ReferenceRoot(absl::MakeSpan(leaves).subspan(0, size))), kRoots[size]) << size;
  }
}

TEST(MerkleVectors, InclusionProofsMatchAndVerify) {
  const std::vector<std::string> leaves = LeafHashes();
  struct Case {
    uint64_t index, size;
    std::vector<std::string> proof;
  };
  const Case cases[] = {
      {0, 1, {}},
      {0, 2, HexList({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"})},
      {1, 2, HexList({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"})},
      {2, 3, HexList({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       HexList({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {0, 8,
       HexList({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       HexList({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const Case& c : cases) {
    const auto prefix = absl::MakeSpan(leaves).subspan(0, c.size);
    EXPECT_EQ(ReferenceInclusionProof(prefix, c.index), c.proof) << c.index << "/" << c.size;
    EXPECT_TRUE(
        VerifyInclusion(c.index, c.size, leaves[c.index], c.proof, Hex(kRoots[c.size])).ok());
  }
}

TEST(MerkleVectors, ConsistencyProofsMatchAndVerify) {
  const std::vector<std::string> leaves = LeafHashes();
  struct Case {
    uint64_t size1, size2;
    std::vector<std::string> proof;
  };
  const Case cases[] = {
      {1, 8,
       HexList({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {2, 5,
       HexList({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 8,
       HexList({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const Case& c : cases) {
    const auto prefix = absl::MakeSpan(leaves).subspan(0, c.size2);
    EXPECT_EQ(ReferenceConsistencyProof(prefix, c.size1), c.proof) << c.size1 << "/" << c.size2;
    EXPECT_TRUE(
        VerifyConsistency(c.size1, c.size2, c.proof, Hex(kRoots[c.size1]), Hex(kRoots[c.size2]))
            .ok());
  }
}

}  // namespace
}  // namespace stakeledger::verify
