// stake-ownership projection: catch-up and rebuild throughput through the
// ProjectionEngine (what `ledgerctl rebuild` costs per event), the parts
// of that cost (reading the log, parsing payloads), and as-of query latency
// (p50/p99) against a synthetic log of PROJECTION_BENCH_EVENTS announcements
// (default 100000) over 1,000 holders x 1,000 targets, 2% of them
// retractions and 1% date corrections (PROJECTION_BENCH_DIR keeps it, see
// Fixture). In-process, no gRPC (ledger-bench
// query measures through gRPC). Figures: docs/performance.md, "Projections".
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
#include "storage/event_log.h"
#include "storage/projection_engine.h"
#include "storage/stake_projection.h"

namespace stakeledger::storage {
namespace {

constexpr int kNames = 1000;

size_t EventCount() {
  const char* text = std::getenv("PROJECTION_BENCH_EVENTS");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 100000;
}

// The announcement at log position `position` (ids "a<position>").
v1::ProposedEvent MakeEvent(uint64_t position, std::mt19937_64& rng) {
  v1::Announcement announcement;
  announcement.set_announcement_id(absl::StrCat("a", position));
  announcement.set_announced_date("2024");
  v1::Fact* fact = announcement.add_facts();
  fact->set_quote("q");
  const uint64_t roll = rng() % 100;
  if (position > 100 && roll < 3) {
    v1::Correction* correction = fact->mutable_correction();
    correction->set_announcement_id(absl::StrCat("a", 1 + rng() % (position - 1)));
    if (roll < 2) {
      correction->set_action(v1::Correction::RETRACT);
    } else {
      correction->set_action(v1::Correction::SUPERSEDE);
      correction->set_corrected_date(
          absl::StrFormat("%04d-%02d", 2000 + rng() % 25, 1 + rng() % 12));
    }
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
  v1::ProposedEvent event;
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_payload(domain::ToPayloadJson(announcement));
  return event;
}

constexpr size_t kAppendEventsMax = 5000;

struct Fixture {
  std::string dir;
  // PROJECTION_BENCH_DIR: a directory kept across runs; a run that finds
  // a log there only measures queries, reads and parses on it.
  bool keep = false;
  std::unique_ptr<EventLog> log;
  size_t events = 0;
  double append_events_per_second = 0;
  double catchup_events_per_second = 0;
  double rebuild_events_per_second = 0;
};

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Check(const absl::Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "projection_bench: %s\n", status.ToString().c_str());
    std::abort();
  }
}

// Appends the synthetic history, then folds it twice: once as a server
// start catching up, once as `ledgerctl rebuild`.
Fixture& Shared() {
  static Fixture* fixture = [] {
    auto* f = new Fixture();
    const char* kept = std::getenv("PROJECTION_BENCH_DIR");
    f->keep = kept != nullptr;
    f->dir =
        f->keep
            ? std::string(kept)
            : (std::filesystem::temp_directory_path() / absl::StrCat("projection_bench-", getpid()))
                  .string();
    if (!f->keep) std::filesystem::remove_all(f->dir);
    auto log = EventLog::Open(f->dir, Limits());
    Check(log.status());
    f->log = *std::move(log);
    f->events = EventCount();
    if (f->log->head_position() != 0) {
      // A kept history: catch up (a start) and measure the rest on it.
      f->events = f->log->head_position();
      ProjectionEngine engine(f->log.get());
      engine.Add(std::make_unique<StakeOwnershipProjection>());
      if (!engine.WaitFor(kStakeOwnershipProjection, f->events, absl::Hours(1))) std::abort();
      return f;
    }
    std::mt19937_64 rng(42);
    auto start = std::chrono::steady_clock::now();
    for (uint64_t position = 1; position <= f->events;) {
      v1::AppendRequest request;
      request.set_stream(domain::kAnnouncementsStream);
      for (size_t i = 0; i < kAppendEventsMax && position <= f->events; ++i, ++position) {
        *request.add_events() = MakeEvent(position, rng);
      }
      Check(f->log->AppendAndWait(std::move(request)).status());
    }
    f->append_events_per_second = f->events / Since(start);
    ProjectionEngine engine(f->log.get());
    start = std::chrono::steady_clock::now();
    engine.Add(std::make_unique<StakeOwnershipProjection>());
    if (!engine.WaitFor(kStakeOwnershipProjection, f->events, absl::Hours(1))) std::abort();
    f->catchup_events_per_second = f->events / Since(start);
    auto rebuilt =
        engine.Rebuild(kStakeOwnershipProjection, [](const RebuildProgress&) { return true; });
    Check(rebuilt.status());
    f->rebuild_events_per_second = rebuilt->events_per_second;
    return f;
  }();
  return *fixture;
}

}  // namespace

void RemoveShared() {
  Fixture& fixture = Shared();
  fixture.log.reset();
  if (!fixture.keep) std::filesystem::remove_all(fixture.dir);
}

namespace {

void BM_Fold(benchmark::State& state) {
  Fixture& fixture = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(fixture.events);
  state.counters["events"] = static_cast<double>(fixture.events);
  state.counters["append_events_per_s"] = fixture.append_events_per_second;
  state.counters["catchup_events_per_s"] = fixture.catchup_events_per_second;
  state.counters["rebuild_events_per_s"] = fixture.rebuild_events_per_second;
}
BENCHMARK(BM_Fold)->Iterations(1)->Unit(benchmark::kMillisecond);

// The parts of a fold: reading the log in the engine's chunks, and parsing
// each announcement's JSON payload (protobuf's JSON mapping).
void BM_ReadLog(benchmark::State& state) {
  Fixture& fixture = Shared();
  uint64_t events_total = 0;
  for (auto _ : state) {
    for (uint64_t position = 0; position < fixture.events;) {
      EventList events;
      ChunkBounds bounds;
      bounds.events_max = kProjectionChunkEventsMax;
      Check(fixture.log->ReadAllChunk(position + 1, false, EventFilter(), false, bounds, &events)
                .status());
      position = events[events.size() - 1].position();
      events_total += events.size();
    }
  }
  state.SetItemsProcessed(events_total);
}
BENCHMARK(BM_ReadLog)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_ParsePayload(benchmark::State& state) {
  Fixture& fixture = Shared();
  EventList events;
  ChunkBounds bounds;
  bounds.events_max = kProjectionChunkEventsMax;
  Check(fixture.log->ReadAllChunk(1, false, EventFilter(), false, bounds, &events).status());
  size_t i = 0;
  for (auto _ : state) {
    auto parsed = domain::ParseAnnouncementJson(events[i].payload());
    benchmark::DoNotOptimize(parsed);
    i = (i + 1) % events.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePayload);

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
    auto answer = QueryStake(fixture.log->database(), holder, target, as_of, known_at);
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
