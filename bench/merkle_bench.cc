// Merkle tree benchmarks (Google Benchmark): proof generation from the
// stored tree at 10,000,000 leaves, proof verification, and the tree's
// cost per appended record. Figures and commands: docs/performance.md,
// "Merkle tree".
//
//   build/bench/merkle_bench                      # 10M leaves (~1 min build)
//   MERKLE_BENCH_LEAVES=100000 build/bench/merkle_bench
//
// The big tree is built straight through MerkleFrontier into the merkle
// column family (no records): proofs read only that family.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/write_batch.h"
#include "storage/check.h"
#include "storage/db.h"
#include "storage/keys.h"
#include "storage/merkle_store.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_verify.h"

namespace stakeledger::storage {
namespace {

constexpr uint64_t kDefaultLeaves = 10'000'000;
constexpr uint64_t kBuildBatchLeaves = 100'000;

uint64_t LeafCount() {
  const char* text = getenv("MERKLE_BENCH_LEAVES");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : kDefaultLeaves;
}

std::string LeafHashOf(uint64_t i) { return verify::HashLeaf(absl::StrCat("record ", i)); }

// A store holding the tree of LeafCount() leaves, built once per process.
struct BigTree {
  std::string dir;
  std::unique_ptr<Database> db;
  uint64_t size = 0;
  std::string root;

  BigTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "merkle_bench_XXXXXX").string();
    CHECK(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    db = *Database::Open(dir);
    MerkleFrontier frontier;
    rocksdb::WriteBatch batch;
    MerkleNodeBuffer nodes;
    const auto put = [&](int level, uint64_t index, absl::string_view hash) {
      nodes.Add(level, index, hash);
    };
    rocksdb::WriteOptions fast;
    fast.disableWAL = true;  // a scratch store: nothing to recover
    size = LeafCount();
    for (uint64_t i = 0; i < size; ++i) {
      frontier.Append(LeafHashOf(i), put);
      if (frontier.size() % kBuildBatchLeaves == 0 || frontier.size() == size) {
        nodes.WriteTo(*db, &batch);
        CHECK(db->db()->Write(fast, &batch).ok());
        batch.Clear();
      }
    }
    CHECK(db->db()->Flush(rocksdb::FlushOptions(), db->merkle()).ok());
    root = frontier.Root();
  }
  ~BigTree() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

BigTree& Tree() {
  // Destroyed at exit, which removes its directory.
  static BigTree tree;
  return tree;
}

// Proofs from a long-lived store, as the server's: its node cache is
// warmed by kWarmUpProofs random proofs first. Arg: the cache's bound in
// nodes (0: every node read from RocksDB, as before the cache existed).
constexpr int kWarmUpProofs = 20'000;

void BM_InclusionProof(benchmark::State& state) {
  BigTree& tree = Tree();
  const MerkleStore store(tree.db.get(), static_cast<size_t>(state.range(0)));
  std::mt19937_64 random(1);
  for (int i = 0; i < kWarmUpProofs; ++i)
    CHECK(store.InclusionProof(random() % tree.size, tree.size).ok());
  for (auto _ : state) {
    const uint64_t index = random() % tree.size;
    auto proof = store.InclusionProof(index, tree.size);
    CHECK(proof.ok());
    benchmark::DoNotOptimize(proof);
  }
  state.counters["leaves"] = static_cast<double>(tree.size);
  state.counters["cached"] = static_cast<double>(store.cached_nodes());
}
BENCHMARK(BM_InclusionProof)
    ->ArgName("cache_nodes_max")
    ->Arg(0)
    ->Arg(kMerkleCacheNodesMax)
    ->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof(benchmark::State& state) {
  BigTree& tree = Tree();
  const MerkleStore store(tree.db.get(), static_cast<size_t>(state.range(0)));
  std::mt19937_64 random(2);
  for (int i = 0; i < kWarmUpProofs; ++i) {
    CHECK(store.ConsistencyProof(1 + random() % (tree.size - 1), tree.size).ok());
  }
  for (auto _ : state) {
    const uint64_t size1 = 1 + random() % (tree.size - 1);
    auto proof = store.ConsistencyProof(size1, tree.size);
    CHECK(proof.ok());
    benchmark::DoNotOptimize(proof);
  }
  state.counters["leaves"] = static_cast<double>(tree.size);
  state.counters["cached"] = static_cast<double>(store.cached_nodes());
}
BENCHMARK(BM_ConsistencyProof)
    ->ArgName("cache_nodes_max")
    ->Arg(0)
    ->Arg(kMerkleCacheNodesMax)
    ->Unit(benchmark::kMicrosecond);

void BM_VerifyInclusion(benchmark::State& state) {
  BigTree& tree = Tree();
  const MerkleStore store(tree.db.get());
  const uint64_t index = tree.size / 3;
  const std::vector<std::string> proof = *store.InclusionProof(index, tree.size);
  const std::string leaf = LeafHashOf(index);
  for (auto _ : state) {
    CHECK(verify::VerifyInclusion(index, tree.size, leaf, proof, tree.root).ok());
  }
}
BENCHMARK(BM_VerifyInclusion)->Unit(benchmark::kMicrosecond);

void BM_VerifyConsistency(benchmark::State& state) {
  BigTree& tree = Tree();
  const MerkleStore store(tree.db.get());
  const uint64_t size1 = tree.size / 3 + 1;
  const std::vector<std::string> proof = *store.ConsistencyProof(size1, tree.size);
  const std::string root1 = *store.Root(size1);
  for (auto _ : state) {
    CHECK(verify::VerifyConsistency(size1, tree.size, proof, root1, tree.root).ok());
  }
}
BENCHMARK(BM_VerifyConsistency)->Unit(benchmark::kMicrosecond);

// What the tree adds to each appended record inside a batch: one frontier
// append (about one node hash per leaf, amortized) and the merkle entry
// Puts into the batch, as the Sequencer does them; not RocksDB's write of
// the batch (BM_AppendConcurrent in storage_bench measures the whole).
// Arg: records per batch.
void BM_TreeCostPerBatch(benchmark::State& state) {
  const int64_t batch_records = state.range(0);
  std::string pattern = (std::filesystem::temp_directory_path() / "merkle_cost_XXXXXX").string();
  CHECK(mkdtemp(pattern.data()) != nullptr);
  {
    std::unique_ptr<Database> db = *Database::Open(pattern);
    std::vector<std::string> leaves;
    for (int64_t i = 0; i < batch_records; ++i) leaves.push_back(LeafHashOf(i));
    MerkleFrontier frontier;
    for (auto _ : state) {
      rocksdb::WriteBatch batch;
      MerkleNodeBuffer nodes;
      MerkleFrontier copy = frontier;  // as the Sequencer copies the tail's
      for (const std::string& leaf : leaves) {
        copy.Append(leaf, [&](int level, uint64_t index, absl::string_view hash) {
          nodes.Add(level, index, hash);
        });
      }
      nodes.WriteTo(*db, &batch);
      benchmark::DoNotOptimize(copy.Root());  // the writer's new tree head
      frontier = std::move(copy);
    }
  }
  std::filesystem::remove_all(pattern);
  state.SetItemsProcessed(state.iterations() * batch_records);
}
BENCHMARK(BM_TreeCostPerBatch)->Arg(1)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace stakeledger::storage

BENCHMARK_MAIN();
