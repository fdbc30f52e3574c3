// The Merkle tree kept with the log: the frontier, the stored nodes, the
// tree head after every batch, and proofs from the store for every size up
// to kLeavesMax against the RFC's reference definitions.
#include "storage/merkle_store.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "storage/test_util.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_reference.h"
#include "verify/merkle_verify.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::EventLogTest;
using ::stakeledger::storage::testing::IsOk;
using ::stakeledger::storage::testing::StatusIs;

constexpr uint64_t kLeavesMax = 70;

std::vector<std::string> SyntheticLeaves(uint64_t count) {
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < count; ++i) leaves.push_back(verify::HashLeaf(absl::StrCat(i)));
  return leaves;
}

TEST(MerkleFrontier, RootMatchesReferenceForEverySize) {
  const std::vector<std::string> leaves = SyntheticLeaves(kLeavesMax);
  MerkleFrontier frontier;
  EXPECT_EQ(frontier.Root(), verify::EmptyRoot());
  for (uint64_t i = 0; i < kLeavesMax; ++i) {
    frontier.Append(leaves[i], [](int, uint64_t, absl::string_view) {});
    const auto prefix = absl::MakeConstSpan(leaves).subspan(0, i + 1);
    ASSERT_EQ(frontier.Root(), verify::ReferenceRoot(prefix)) << i + 1;
  }
}

TEST(MerkleFrontier, EmitsEachCompleteNodeOnce) {
  const std::vector<std::string> leaves = SyntheticLeaves(8);
  MerkleFrontier frontier;
  std::vector<std::string> emitted;
  for (const std::string& leaf : leaves) {
    frontier.Append(leaf, [&](int level, uint64_t index, absl::string_view) {
      emitted.push_back(absl::StrCat(level, ":", index));
    });
  }
  EXPECT_THAT(emitted,
              ::testing::ElementsAre("0:0", "0:1", "1:0", "0:2", "0:3", "1:1", "2:0", "0:4", "0:5",
                                     "1:2", "0:6", "0:7", "1:3", "2:1", "3:0"));
}

class MerkleStoreTest : public EventLogTest {
 protected:
  // Appends kLeavesMax events in batches of 1, 2, 3, ... and returns the
  // leaf hashes, checking the tree head after each batch.
  std::vector<std::string> AppendAll() {
    uint64_t count = 1;
    while (log_->head_position() < kLeavesMax) {
      const uint64_t left = kLeavesMax - log_->head_position();
      AppendOk(absl::StrCat("stream-", count % 3), std::min(count, left));
      ++count;
      const TreeHead head = log_->tree_head();
      EXPECT_EQ(head.size, log_->head_position());
      EXPECT_EQ(head.root, verify::ReferenceRoot(LeafHashes())) << head.size;
    }
    return LeafHashes();
  }
  std::vector<std::string> LeafHashes() {
    std::vector<std::string> hashes;
    for (const v1::RecordedEvent& event : ReadAll()) hashes.push_back(event.leaf_hash());
    return hashes;
  }
};

TEST_F(MerkleStoreTest, EmptyLogHasEmptyRoot) {
  EXPECT_EQ(log_->tree_head().size, 0u);
  EXPECT_EQ(log_->tree_head().root, verify::EmptyRoot());
}

TEST_F(MerkleStoreTest, EveryInclusionProofMatchesReference) {
  const std::vector<std::string> leaves = AppendAll();
  for (uint64_t size = 1; size <= kLeavesMax; ++size) {
    const auto prefix = absl::MakeConstSpan(leaves).subspan(0, size);
    ASSERT_EQ(*log_->merkle().Root(size), verify::ReferenceRoot(prefix));
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = log_->merkle().InclusionProof(index, size);
      ASSERT_THAT(proof, IsOk());
      ASSERT_EQ(*proof, verify::ReferenceInclusionProof(prefix, index)) << index << "/" << size;
    }
  }
}

TEST_F(MerkleStoreTest, EveryConsistencyProofMatchesReference) {
  const std::vector<std::string> leaves = AppendAll();
  for (uint64_t size2 = 1; size2 <= kLeavesMax; ++size2) {
    const auto prefix = absl::MakeConstSpan(leaves).subspan(0, size2);
    for (uint64_t size1 = 1; size1 < size2; ++size1) {
      auto proof = log_->merkle().ConsistencyProof(size1, size2);
      ASSERT_THAT(proof, IsOk());
      ASSERT_EQ(*proof, verify::ReferenceConsistencyProof(prefix, size1)) << size1 << "/" << size2;
    }
  }
}

// Proofs from a store whose node cache holds at most `cache_nodes_max`
// nodes: every inclusion and consistency proof still matches the RFC's
// reference; returns the nodes cached at the end.
size_t ProveAllWithCache(const Database& db, const std::vector<std::string>& leaves,
                         size_t cache_nodes_max) {
  const MerkleStore store(&db, cache_nodes_max);
  for (uint64_t size = 1; size <= leaves.size(); ++size) {
    const auto prefix = absl::MakeConstSpan(leaves).subspan(0, size);
    for (uint64_t index = 0; index < size; ++index) {
      EXPECT_EQ(*store.InclusionProof(index, size), verify::ReferenceInclusionProof(prefix, index));
    }
    for (uint64_t size1 = 1; size1 < size; ++size1) {
      EXPECT_EQ(*store.ConsistencyProof(size1, size),
                verify::ReferenceConsistencyProof(prefix, size1));
    }
  }
  return store.cached_nodes();
}

// The complete nodes of `level` and above in a tree of `size` leaves.
size_t NodesFromLevel(uint64_t size, int level) {
  size_t nodes = 0;
  for (int l = level; l < kMerkleLevelsMax; ++l) nodes += size >> l;
  return nodes;
}

TEST_F(MerkleStoreTest, ProofsKeepEveryUpperNodeWhenTheCacheBoundAllows) {
  const std::vector<std::string> leaves = AppendAll();
  const size_t all = NodesFromLevel(leaves.size(), kMerkleCacheLevelMin);
  ASSERT_GT(all, NodesFromLevel(leaves.size(), kMerkleCacheLevelMin + 1));
  EXPECT_EQ(ProveAllWithCache(log_->database(), leaves, all), all);
}

TEST_F(MerkleStoreTest, OneNodeOverTheCacheBoundDropsTheLowestCachedLevel) {
  const std::vector<std::string> leaves = AppendAll();
  const size_t all = NodesFromLevel(leaves.size(), kMerkleCacheLevelMin);
  EXPECT_EQ(ProveAllWithCache(log_->database(), leaves, all - 1),
            NodesFromLevel(leaves.size(), kMerkleCacheLevelMin + 1));
}

TEST_F(MerkleStoreTest, ProofsStayCorrectWithNoCache) {
  const std::vector<std::string> leaves = AppendAll();
  EXPECT_EQ(ProveAllWithCache(log_->database(), leaves, 0), 0u);
}

TEST_F(MerkleStoreTest, TreeHeadSurvivesReopen) {
  AppendAll();
  const TreeHead before = log_->tree_head();
  Reopen();
  EXPECT_EQ(log_->tree_head().size, before.size);
  EXPECT_EQ(log_->tree_head().root, before.root);
  AppendOk("after", 3);
  EXPECT_EQ(log_->tree_head().root, verify::ReferenceRoot(LeafHashes()));
}

TEST_F(MerkleStoreTest, LogWithoutTreeIsRebuiltOnOpen) {
  AppendAll();
  const TreeHead before = log_->tree_head();
  // A log written before the tree existed: drop every node.
  const Database& db = log_->database();
  ASSERT_TRUE(db.db()
                  ->DeleteRange(rocksdb::WriteOptions(), db.merkle(), std::string(1, '\0'),
                                std::string(1, '\x7f'))
                  .ok());
  ASSERT_THAT(log_->merkle().Node(0, 0), StatusIs(absl::StatusCode::kDataLoss));
  Reopen();
  EXPECT_EQ(log_->tree_head().root, before.root);
  EXPECT_EQ(*log_->merkle().InclusionProof(5, 33),
            verify::ReferenceInclusionProof(absl::MakeConstSpan(LeafHashes()).subspan(0, 33), 5));
}

TEST_F(MerkleStoreTest, TreeInTheEarlierLayoutIsReplacedOnOpen) {
  AppendAll();
  const TreeHead before = log_->tree_head();
  const Database& db = log_->database();
  EXPECT_FALSE(*HasEarlierMerkleLayout(db));
  // The earlier layout keyed each node by first leaf (8) and level (1):
  // drop this layout's entries and leave one of that kind.
  ASSERT_TRUE(db.db()
                  ->DeleteRange(rocksdb::WriteOptions(), db.merkle(), std::string(1, '\0'),
                                std::string(1, '\x7f'))
                  .ok());
  ASSERT_TRUE(db.db()
                  ->Put(rocksdb::WriteOptions(), db.merkle(),
                        EncodePosition(0) + std::string(1, '\0'), before.root)
                  .ok());
  EXPECT_TRUE(*HasEarlierMerkleLayout(db));
  Reopen();
  EXPECT_FALSE(*HasEarlierMerkleLayout(log_->database()));
  EXPECT_EQ(log_->tree_head().root, before.root);
  EXPECT_EQ(*log_->merkle().InclusionProof(5, 33),
            verify::ReferenceInclusionProof(absl::MakeConstSpan(LeafHashes()).subspan(0, 33), 5));
}

}  // namespace
}  // namespace stakeledger::storage
