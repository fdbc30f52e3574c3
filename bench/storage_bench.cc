// Storage-level micro benchmarks (Google Benchmark). Figures and the
// commands that produced them are in docs/performance.md.
//
//   build/bench/storage_bench --benchmark_filter=Append
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "storage/check.h"
#include "storage/event_log.h"
#include "storage/record.h"
#include "storage/validate.h"

namespace stakeledger::storage {
namespace {

constexpr size_t kPayloadBytes = 256;

std::string MakeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "storage_bench_XXXXXX").string();
  CHECK(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

v1::AppendRequest MakeRequest(const std::string& stream, int64_t events) {
  v1::AppendRequest request;
  request.set_stream(stream);
  for (int64_t i = 0; i < events; ++i) {
    v1::ProposedEvent* event = request.add_events();
    event->set_event_type("BenchEvent");
    event->set_payload(std::string(kPayloadBytes, 'x'));
  }
  return request;
}

void BM_LeafHash(benchmark::State& state) {
  const std::string record(kPayloadBytes + 64, 'r');
  for (auto _ : state) benchmark::DoNotOptimize(LeafHash(record));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LeafHash);

void BM_PrepareAppend(benchmark::State& state) {
  const v1::AppendRequest request = MakeRequest("bench", state.range(0));
  const Limits limits;
  for (auto _ : state) benchmark::DoNotOptimize(PrepareAppend(request, limits));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PrepareAppend)->Arg(1)->Arg(1000);

// The log under test: with its Merkle tree (tree = 1, as ledgerd runs) or
// without (tree = 0, EventLog::OpenWithoutTreeForBenchmark), so that the
// difference is what the tree costs the write path.
std::unique_ptr<EventLog> OpenBenchLog(const std::string& dir, int64_t tree) {
  auto log = tree != 0 ? EventLog::Open(dir, Limits())
                       : EventLog::OpenWithoutTreeForBenchmark(dir, Limits());
  CHECK(log.ok());
  return *std::move(log);
}

// Durable appends of batch-size events each through the full write path:
// validation, sequencing, hashing, one WriteBatch with sync=true.
// Args: events per append, tree on (1) or off (0).
void BM_AppendDurable(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  {
    std::unique_ptr<EventLog> log = OpenBenchLog(dir, state.range(1));
    int64_t appends = 0;
    for (auto _ : state) {
      auto result =
          log->AppendAndWait(MakeRequest(absl::StrCat("s", appends++ % 64), state.range(0)));
      CHECK(result.ok());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AppendDurable)
    ->ArgNames({"batch", "tree"})
    ->ArgsProduct({{1, 100, 1000}, {1, 0}})
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// The shape of `ledger-bench append --clients 4 --batch 1000`, in process
// and without gRPC: each benchmark thread is one client appending `batch`
// events at a time and waiting for the fsync; the writer groups the
// clients' requests into shared commits, and encodes one group while
// nothing else is queued. Args as BM_AppendDurable. The CPU column is the
// whole process's (writer, clients, RocksDB's flushes): per event, it
// varies less with the load of a shared machine than the rate does.
EventLog* g_concurrent_log = nullptr;
std::string* g_concurrent_dir = nullptr;

void BM_AppendConcurrent(benchmark::State& state) {
  // Google Benchmark starts the timed loop of all threads together, and
  // ends it together, so thread 0 can open and close the shared log.
  std::unique_ptr<EventLog> owned;
  if (state.thread_index() == 0) {
    g_concurrent_dir = new std::string(MakeTempDir());
    owned = OpenBenchLog(*g_concurrent_dir, state.range(1));
    g_concurrent_log = owned.get();
  }
  const v1::AppendRequest request =
      MakeRequest(absl::StrCat("client-", state.thread_index()), state.range(0));
  for (auto _ : state) CHECK(g_concurrent_log->AppendAndWait(request).ok());
  state.SetItemsProcessed(state.iterations() * state.range(0));
  if (state.thread_index() == 0) {
    owned.reset();
    g_concurrent_log = nullptr;
    std::filesystem::remove_all(*g_concurrent_dir);
    delete g_concurrent_dir;
    g_concurrent_dir = nullptr;
  }
}
BENCHMARK(BM_AppendConcurrent)
    ->ArgNames({"batch", "tree"})
    ->ArgsProduct({{1000}, {1, 0}})
    ->Threads(4)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Reading the log forwards in response-sized chunks, as catch-up does.
void BM_ScanLog(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  {
    auto log = EventLog::Open(dir, Limits());
    CHECK(log.ok());
    const int64_t total = state.range(0);
    for (int64_t written = 0; written < total; written += 1000) {
      CHECK((*log)->AppendAndWait(MakeRequest("scan", 1000)).ok());
    }
    const EventFilter all;
    ChunkBounds bounds;
    for (auto _ : state) {
      uint64_t from = 1;
      for (;;) {
        EventList events;
        auto scan = (*log)->ReadAllChunk(from, false, all, false, bounds, &events);
        CHECK(scan.ok());
        if (scan->scanned == 0) break;
        from = scan->last_scanned + 1;
      }
    }
    state.SetItemsProcessed(state.iterations() * total);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ScanLog)->Arg(200'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace stakeledger::storage

BENCHMARK_MAIN();
