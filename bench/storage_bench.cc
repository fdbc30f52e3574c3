// Storage-level micro benchmarks (Google Benchmark). Figures and the
// commands that produced them are in docs/performance.md.
//
//   build/bench/storage_bench --benchmark_filter=Append
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
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

// Durable appends of batch-size events each through the full write path:
// validation, sequencing, hashing, one WriteBatch with sync=true.
void BM_AppendDurable(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  {
    auto log = EventLog::Open(dir, Limits());
    CHECK(log.ok());
    int64_t appends = 0;
    for (auto _ : state) {
      auto result =
          (*log)->AppendAndWait(MakeRequest(absl::StrCat("s", appends++ % 64), state.range(0)));
      CHECK(result.ok());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AppendDurable)->Arg(1)->Arg(100)->Arg(1000)->UseRealTime();

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
