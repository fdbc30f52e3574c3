// stake-ownership projection: fold throughput (what a rebuild costs per
// event) and as-of query latency (p50/p99) against synthetic histories of
// PROJECTION_BENCH_EVENTS announcements (default 100000) over 1,000
// holders x 1,000 targets, 2% of them retractions. In-process, no gRPC.
// Figures: docs/performance.md, "Projections".
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "domain/events.h"
#include "storage/db.h"
#include "storage/projection.h"
#include "storage/stake_projection.h"

namespace stakeledger::storage {
namespace {

constexpr int kNames = 1000;

size_t EventCount() {
  const char* text = std::getenv("PROJECTION_BENCH_EVENTS");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 100000;
}

v1::RecordedEvent MakeEvent(uint64_t position, std::mt19937_64& rng) {
  v1::Announcement announcement;
  announcement.set_announcement_id(absl::StrCat("a", position));
  announcement.set_announced_date("2024");
  v1::Fact* fact = announcement.add_facts();
  fact->set_quote("q");
  if (position > 100 && rng() % 50 == 0) {
    fact->mutable_correction()->set_action(v1::Correction::RETRACT);
    fact->mutable_correction()->set_announcement_id(absl::StrCat("a", 1 + rng() % (position - 1)));
  } else {
    v1::StakeChange* change = fact->mutable_stake_change();
    change->set_holder(absl::StrCat("h", rng() % kNames));
    change->set_target(absl::StrCat("t", rng() % kNames));
    const bool absolute = rng() % 10 < 7;
    (absolute ? change->mutable_resulting_stake() : change->mutable_change())
        ->set_ppm(static_cast<int64_t>(rng() % 200000));
    change->set_effective_date(
        absl::StrFormat("%04d-%02d-%02d", 2000 + rng() % 25, 1 + rng() % 12, 1 + rng() % 28));
  }
  v1::RecordedEvent event;
  event.set_position(position);
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_payload(domain::ToPayloadJson(announcement));
  return event;
}

struct Fixture {
  std::string dir;
  std::unique_ptr<Database> db;
  size_t events = 0;
  double fold_events_per_second = 0;
};

Fixture& Shared() {
  static Fixture* fixture = [] {
    auto* f = new Fixture();
    f->dir = (std::filesystem::temp_directory_path() / absl::StrCat("projection_bench-", getpid()))
                 .string();
    std::filesystem::remove_all(f->dir);
    f->db = *Database::Open(f->dir);
    f->events = EventCount();
    std::mt19937_64 rng(42);
    StakeOwnershipProjection projection;
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t position = 1; position <= f->events; ++position) {
      ProjectionTxn txn(f->db.get(), projection.name());
      if (!projection.Apply(MakeEvent(position, rng), &txn).ok()) std::abort();
      if (!txn.Commit(position).ok()) std::abort();
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    f->fold_events_per_second = f->events / elapsed.count();
    return f;
  }();
  return *fixture;
}

}  // namespace

void RemoveShared() {
  Fixture& fixture = Shared();
  fixture.db.reset();
  std::filesystem::remove_all(fixture.dir);
}

namespace {

void BM_Fold(benchmark::State& state) {
  Fixture& fixture = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(fixture.events);
  state.counters["events"] = static_cast<double>(fixture.events);
  state.counters["fold_events_per_s"] = fixture.fold_events_per_second;
}
BENCHMARK(BM_Fold)->Iterations(1);

void BM_AsOfQuery(benchmark::State& state) {
  Fixture& fixture = Shared();
  std::mt19937_64 rng(7);
  std::vector<double> latencies_us;
  for (auto _ : state) {
    const std::string holder = absl::StrCat("h", rng() % kNames);
    const std::string target = absl::StrCat("t", rng() % kNames);
    const int as_of = (2000 + static_cast<int>(rng() % 25)) * 10000 + 1231;
    const uint64_t known_at = state.range(0) == 0 ? kKnownAtHead : 1 + rng() % fixture.events;
    const auto start = std::chrono::steady_clock::now();
    auto answer = QueryStake(*fixture.db, holder, target, as_of, known_at);
    const std::chrono::duration<double, std::micro> elapsed =
        std::chrono::steady_clock::now() - start;
    if (!answer.ok()) state.SkipWithError("query failed");
    latencies_us.push_back(elapsed.count());
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  state.counters["p50_us"] = latencies_us[latencies_us.size() / 2];
  state.counters["p99_us"] = latencies_us[latencies_us.size() * 99 / 100];
  state.counters["events"] = static_cast<double>(fixture.events);
}
// Arg 0: known at the head; 1: known at a random position.
BENCHMARK(BM_AsOfQuery)->Arg(0)->Arg(1)->Iterations(20000);

}  // namespace
}  // namespace stakeledger::storage

// BENCHMARK_MAIN, then the synthetic database is removed.
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  stakeledger::storage::RemoveShared();
  return 0;
}
