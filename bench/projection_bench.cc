// stake-ownership projection: catch-up and rebuild throughput through the
// ProjectionEngine (what `ledgerctl rebuild` costs per event), the parts
// of that cost (reading the log, parsing payloads), and as-of query latency
// (p50/p99) against a synthetic log of PROJECTION_BENCH_EVENTS announcements
// (default 100000) over 1,000 holders x 1,000 targets, 2% of them
// retractions and 1% date corrections (PROJECTION_BENCH_DIR keeps it, see
// Fixture). In-process, no gRPC (ledger-bench
// query measures through gRPC). Figures: docs/performance.md, "Projections".
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "domain/events.h"
#include "rocksdb/db.h"
#include "storage/event_log.h"
#include "storage/investment_projection.h"
#include "storage/projection_cursor.h"
#include "storage/projection_engine.h"
#include "storage/stake_projection.h"

namespace stakeledger::storage {
namespace {

constexpr int kNames = 1000;

// PROJECTION_BENCH_BUFFER_MIB: the rebuild buffer's limit, for the
// rebuild and BM_ApplyAndWrite/1 (default kRebuildBufferBytesMax).
size_t RebuildBufferBytes() {
  const char* text = std::getenv("PROJECTION_BENCH_BUFFER_MIB");
  return text != nullptr ? std::strtoull(text, nullptr, 10) << 20 : kRebuildBufferBytesMax;
}

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
  event.set_content_type(domain::kAnnouncementContentType);
  event.set_payload(domain::ToPayloadBinary(announcement));
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
  // Until the rebuild's first write, and in all.
  double rebuild_folding_s = 0;
  double rebuild_switching_s = 0;
  double rebuild_total_s = 0;
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

// The LSM shape of the projections family, to stderr.
void PrintShape(const Database& db) {
  std::string levels;
  db.db()->GetProperty(db.projections(), "rocksdb.levelstats", &levels);
  std::string size;
  db.db()->GetProperty(db.projections(), "rocksdb.total-sst-files-size", &size);
  std::fprintf(stderr, "projections family, %s bytes of SST files:\n%s", size.c_str(),
               levels.c_str());
}

// Rebuilds stake-ownership, timing its stages from the progress reports
// (each stage's first report): folding ends when writing starts; then
// writing (and compacting, after several writes) until switching starts.
void RebuildAndTime(ProjectionEngine* engine, Fixture* f) {
  const auto start = std::chrono::steady_clock::now();
  double writing_s = 0;
  double switching_s = 0;
  auto rebuilt = engine->Rebuild(kStakeOwnershipProjection, [&](const RebuildProgress& progress) {
    if (progress.stage != RebuildStage::kFolding && writing_s == 0) writing_s = Since(start);
    if (progress.stage == RebuildStage::kSwitching && switching_s == 0) switching_s = Since(start);
    return true;
  });
  Check(rebuilt.status());
  f->rebuild_events_per_second = rebuilt->events_per_second;
  f->rebuild_folding_s = writing_s;
  f->rebuild_switching_s = switching_s;
  f->rebuild_total_s = Since(start);
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
    // PROJECTION_BENCH_CACHE_BYTES: the projections' block cache
    // (Limits::projection_cache_bytes_max).
    Limits limits;
    if (const char* cache = std::getenv("PROJECTION_BENCH_CACHE_BYTES")) {
      limits.projection_cache_bytes_max = std::strtoull(cache, nullptr, 10);
    }
    auto log = EventLog::Open(f->dir, limits);
    Check(log.status());
    f->log = *std::move(log);
    f->events = EventCount();
    if (f->log->head_position() != 0) {
      // A kept history: catch up (a start) and measure the rest on it.
      f->events = f->log->head_position();
      ProjectionEngine engine(f->log.get());
      engine.Add(std::make_unique<StakeOwnershipProjection>());
      if (!engine.WaitFor(kStakeOwnershipProjection, f->events, absl::Hours(1))) std::abort();
      // PROJECTION_BENCH_REBUILD=1: rebuild the projection of the kept log,
      // so that its SST files have the current layout and table options.
      const char* rebuild = std::getenv("PROJECTION_BENCH_REBUILD");
      if (rebuild != nullptr && std::string(rebuild) == "1") {
        RebuildAndTime(&engine, f);
        // The old generation's files go before the queries (and the next
        // run's rebuild) are measured.
        engine.WaitForReclaim();
      }
      PrintShape(f->log->database());
      if (std::getenv("PROJECTION_BENCH_COMPACT") != nullptr) {
        // Experiment: the queries on a fully compacted projections family.
        rocksdb::CompactRangeOptions options;
        Check(FromRocksStatus(f->log->database().db()->CompactRange(
                                  options, f->log->database().projections(), nullptr, nullptr),
                              "compacting"));
        PrintShape(f->log->database());
      }
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
    ProjectionEngine engine(f->log.get(), RebuildBufferBytes());
    start = std::chrono::steady_clock::now();
    engine.Add(std::make_unique<StakeOwnershipProjection>());
    if (!engine.WaitFor(kStakeOwnershipProjection, f->events, absl::Hours(1))) std::abort();
    f->catchup_events_per_second = f->events / Since(start);
    // PROJECTION_BENCH_REBUILD=0 skips the rebuild (long at 10M events).
    const char* rebuild = std::getenv("PROJECTION_BENCH_REBUILD");
    if (rebuild != nullptr && std::string(rebuild) == "0") return f;
    RebuildAndTime(&engine, f);
    engine.WaitForReclaim();
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

// The rebuild of the fixture (`ledgerctl rebuild`: a bulk-loaded shadow,
// PROJECTION_BENCH_BUFFER_MIB), and the process's peak memory.
void BM_Rebuild(benchmark::State& state) {
  Fixture& fixture = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(fixture.events);
  state.counters["events"] = static_cast<double>(fixture.events);
  state.counters["rebuild_events_per_s"] = fixture.rebuild_events_per_second;
  state.counters["folding_s"] = fixture.rebuild_folding_s;
  state.counters["switching_s"] = fixture.rebuild_switching_s;
  state.counters["total_s"] = fixture.rebuild_total_s;
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  state.counters["max_rss_mib"] = usage.ru_maxrss / 1024.0;
}
BENCHMARK(BM_Rebuild)->Iterations(1)->Unit(benchmark::kMillisecond);

// `ledgerctl rebuild investments` of the fixture's log. The investments
// projection has no bulk fold: its rebuild applies the events one chunk
// at a time (ProjectionEngine::ApplyChunk), as a start catches up. Its
// engine first catches up (once, with a kept PROJECTION_BENCH_DIR).
void BM_RebuildInvestments(benchmark::State& state) {
  Fixture& fixture = Shared();
  ProjectionEngine engine(fixture.log.get(), RebuildBufferBytes());
  engine.Add(std::make_unique<InvestmentsProjection>());
  if (!engine.WaitFor(kInvestmentsProjection, fixture.events, absl::Hours(1))) std::abort();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto rebuilt =
        engine.Rebuild(kInvestmentsProjection, [](const RebuildProgress&) { return true; });
    Check(rebuilt.status());
    state.counters["rebuild_events_per_s"] = rebuilt->events_per_second;
    state.counters["total_s"] = Since(start);
  }
  engine.WaitForReclaim();
  state.counters["events"] = static_cast<double>(fixture.events);
}
BENCHMARK(BM_RebuildInvestments)->Iterations(1)->Unit(benchmark::kMillisecond);

// The events after `position`, one engine chunk of them.
EventList ReadChunkAfter(const Fixture& fixture, uint64_t position) {
  EventList events;
  ChunkBounds bounds;
  bounds.events_max = kProjectionChunkEventsMax;
  Check(fixture.log->ReadAllChunk(position + 1, false, EventFilter(), false, bounds, &events)
            .status());
  return events;
}

// The parts of a fold: reading the log in the engine's chunks, and
// decoding each announcement's payload (binary protobuf; JSON in logs
// written before 2026-11-24).
void BM_ReadLog(benchmark::State& state) {
  Fixture& fixture = Shared();
  uint64_t events_total = 0;
  for (auto _ : state) {
    for (uint64_t position = 0; position < fixture.events;) {
      const EventList events = ReadChunkAfter(fixture, position);
      position = events[events.size() - 1].position();
      events_total += events.size();
    }
  }
  state.SetItemsProcessed(events_total);
}
BENCHMARK(BM_ReadLog)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_ParsePayload(benchmark::State& state) {
  Fixture& fixture = Shared();
  const EventList events = ReadChunkAfter(fixture, 0);
  size_t i = 0;
  for (auto _ : state) {
    auto parsed = domain::DecodeAnnouncement(events[i].content_type(), events[i].payload());
    benchmark::DoNotOptimize(parsed);
    i = (i + 1) % events.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePayload);

// A rebuild's first stage alone: reading the log and decoding every
// announcement into the bulk fold's batches (BulkDecoder), on Arg
// threads, as the engine does, nothing folded. The floor of
// the rebuild's throughput on this machine. cpu_s: the CPU time of every
// thread of the process meanwhile (what the decoding costs, less sensitive
// to other load on the machine than the wall time).
double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void BM_RebuildDecode(benchmark::State& state) {
  Fixture& fixture = Shared();
  const int threads = static_cast<int>(state.range(0));
  StakeOwnershipProjection projection;
  const std::unique_ptr<BulkFold> fold = projection.NewBulkFold(nullptr);
  v1::Filter types;
  for (std::string& type : projection.event_types()) types.add_event_types(std::move(type));
  auto filter = EventFilter::FromProto(types, Limits());
  Check(filter.status());
  uint64_t events_total = 0;
  const double cpu_start = ProcessCpuSeconds();
  for (auto _ : state) {
    BulkDecoder decoder(fixture.log->database(), *fold, *filter, 1, fixture.events,
                        kBulkFoldBatchEventsMax, threads);
    for (;;) {
      auto decoded = decoder.Next();
      Check(decoded.status());
      if (decoded->batch == nullptr) break;
      benchmark::DoNotOptimize(decoded->batch.get());
    }
    events_total += fixture.events;
  }
  state.counters["cpu_s"] = ProcessCpuSeconds() - cpu_start;
  state.SetItemsProcessed(events_total);
}
BENCHMARK(BM_RebuildDecode)->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond);

// Apply alone, chunk by chunk into an empty generation, never committed:
// parsing, extracting the facts and the state reads, without the writes.
void BM_ApplyWithoutCommit(benchmark::State& state) {
  Fixture& fixture = Shared();
  StakeOwnershipProjection projection;
  uint64_t events_total = 0;
  for (auto _ : state) {
    for (uint64_t position = 0; position < fixture.events;) {
      const EventList events = ReadChunkAfter(fixture, position);
      ProjectionTxn txn(&fixture.log->database(), projection.name(), /*generation=*/1000);
      for (const v1::RecordedEvent& event : events) {
        Check(projection.Apply(event, &txn));
        txn.EndEvent();
      }
      position = events[events.size() - 1].position();
      events_total += events.size();
    }
  }
  state.SetItemsProcessed(events_total);
}
BENCHMARK(BM_ApplyWithoutCommit)->Iterations(1)->Unit(benchmark::kMillisecond);

// A rebuild's own work without the payload parse: each chunk is read and
// decoded (Projection::Decode) untimed, then applied (ApplyDecoded) and
// written, timed, into a fresh generation. Arg 0: as the live fold writes,
// a WriteBatch per chunk; arg 1: as a rebuild writes, one bulk transaction
// (kRebuildBufferBytesMax, sorted SST files ingested), its final Flush
// included. What a rebuild could reach once decoding is cheap.
void BM_RebuildApplyAndWrite(benchmark::State& state) {
  Fixture& fixture = Shared();
  const bool bulk = state.range(0) == 1;
  StakeOwnershipProjection projection;
  const Database& db = fixture.log->database();
  static uint64_t next_generation = 2000;
  uint64_t events_total = 0;
  for (auto _ : state) {
    const uint64_t generation = next_generation++;
    BulkTxnOptions options;
    options.buffer_bytes_max = RebuildBufferBytes();
    options.generation_empty = true;
    ProjectionTxn bulk_txn(&db, projection.name(), generation, options);
    std::chrono::duration<double> timed{0};
    std::chrono::duration<double> apply{0};
    for (uint64_t position = 0; position < fixture.events;) {
      const EventList events = ReadChunkAfter(fixture, position);
      std::vector<std::unique_ptr<DecodedEvent>> decoded;
      for (const v1::RecordedEvent& event : events) decoded.push_back(projection.Decode(event));
      const auto start = std::chrono::steady_clock::now();
      ProjectionTxn plain_txn(&db, projection.name(), generation);
      ProjectionTxn* txn = bulk ? &bulk_txn : &plain_txn;
      for (int i = 0; i < events.size(); ++i) {
        Check(projection.ApplyDecoded(events[i], decoded[i].get(), txn));
        txn->EndEvent();
      }
      const auto applied = std::chrono::steady_clock::now();
      apply += applied - start;
      position = events[events.size() - 1].position();
      Check(txn->Commit(position));
      timed += std::chrono::steady_clock::now() - start;
      events_total += events.size();
    }
    state.counters["buffered_mib"] = bulk_txn.buffered_bytes() / double{1 << 20};
    const auto start = std::chrono::steady_clock::now();
    if (bulk) Check(bulk_txn.Flush());
    const std::chrono::duration<double> flush = std::chrono::steady_clock::now() - start;
    timed += flush;
    state.SetIterationTime(timed.count());
    // Seconds in ApplyDecoded (state reads, building entries, the buffer),
    // in Commit (a batch per chunk, or keeping it), and in the final Flush.
    state.counters["apply_s"] = apply.count();
    state.counters["commit_s"] = (timed - apply - flush).count();
    state.counters["flush_s"] = flush.count();
    state.counters["files"] = bulk ? bulk_txn.files_ingested() : 0;
    Check(DeleteGeneration(db, projection.name(), generation));
  }
  state.SetItemsProcessed(events_total);
}
BENCHMARK(BM_RebuildApplyAndWrite)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Reads every key of the stake-ownership projection once, which leaves its
// blocks in the block cache as far as the cache holds them.
void WarmProjectionCache(const Database& db) {
  ProjectionCursor cursor(db, kStakeOwnershipProjection, "");
  size_t keys = 0;
  for (cursor.it()->SeekToFirst(); cursor.it()->Valid(); cursor.it()->Next()) ++keys;
  Check(cursor.status());
  benchmark::DoNotOptimize(keys);
}

void BM_AsOfQuery(benchmark::State& state) {
  Fixture& fixture = Shared();
  if (state.range(0) == 2) WarmProjectionCache(fixture.log->database());
  std::mt19937_64 rng(7);
  std::vector<double> latencies_us;
  for (auto _ : state) {
    const std::string holder = absl::StrCat("h", rng() % kNames);
    const std::string target = absl::StrCat("t", rng() % kNames);
    const int as_of = (2000 + static_cast<int>(rng() % 25)) * 10000 + 1231;
    const uint64_t known_at = state.range(0) == 1 ? 1 + rng() % fixture.events : kKnownAtHead;
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
// Arg 0: known at the head; 1: known at a random position; 2: known at the
// head, after one scan of the projection (a server whose block cache holds
// the index, projection_cache_bytes_max permitting).
BENCHMARK(BM_AsOfQuery)->Arg(0)->Arg(1)->Arg(2)->Iterations(20000);

// Live lag on a log of its own: 4 threads append batches of 1,000
// announcements for PROJECTION_BENCH_LAG_S seconds (default 5) while the
// engine follows; lag is the time from an append's acknowledgement until
// the engine reports its last position applied (WaitFor, woken by the
// engine). Appends are waited for in acknowledgement order, so a sample
// may include waiting for an earlier append: an upper bound.
void BM_LiveLag(benchmark::State& state) {
  constexpr int kClients = 4;
  constexpr size_t kBatch = 1000;
  const char* seconds_text = std::getenv("PROJECTION_BENCH_LAG_S");
  const double seconds = seconds_text != nullptr ? std::strtod(seconds_text, nullptr) : 5;
  const std::string dir =
      (std::filesystem::temp_directory_path() / absl::StrCat("projection_lag-", getpid())).string();
  std::filesystem::remove_all(dir);
  std::vector<double> lags_ms;
  uint64_t events = 0;
  for (auto _ : state) {
    auto log = EventLog::Open(dir, Limits());
    Check(log.status());
    ProjectionEngine engine(log->get());
    engine.Add(std::make_unique<StakeOwnershipProjection>());
    std::mutex mu;
    std::condition_variable acked;
    std::deque<std::pair<uint64_t, std::chrono::steady_clock::time_point>> pending;
    int appending = kClients;
    std::atomic<uint64_t> numbered{0};
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        std::mt19937_64 rng(c);
        while (std::chrono::steady_clock::now() < end) {
          v1::AppendRequest request;
          request.set_stream(domain::kAnnouncementsStream);
          const uint64_t first = numbered.fetch_add(kBatch) + 1;
          for (uint64_t n = first; n < first + kBatch; ++n)
            *request.add_events() = MakeEvent(n, rng);
          auto response = (*log)->AppendAndWait(std::move(request));
          Check(response.status());
          std::lock_guard<std::mutex> lock(mu);
          pending.emplace_back(response->last_position(), std::chrono::steady_clock::now());
          acked.notify_all();
        }
        std::lock_guard<std::mutex> lock(mu);
        --appending;
        acked.notify_all();
      });
    }
    for (;;) {
      std::unique_lock<std::mutex> lock(mu);
      acked.wait(lock, [&] { return !pending.empty() || appending == 0; });
      if (pending.empty()) break;
      const auto [position, at] = pending.front();
      pending.pop_front();
      lock.unlock();
      if (!engine.WaitFor(kStakeOwnershipProjection, position, absl::Minutes(1))) std::abort();
      lags_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - at).count());
      events += kBatch;
    }
    for (std::thread& client : clients) client.join();
  }
  std::filesystem::remove_all(dir);
  std::sort(lags_ms.begin(), lags_ms.end());
  state.counters["appends"] = static_cast<double>(lags_ms.size());
  state.counters["events_per_s"] = events / seconds;
  state.counters["lag_p50_ms"] = lags_ms[lags_ms.size() / 2];
  state.counters["lag_p99_ms"] = lags_ms[lags_ms.size() * 99 / 100];
  state.counters["lag_max_ms"] = lags_ms.back();
}
BENCHMARK(BM_LiveLag)->Iterations(1)->Unit(benchmark::kMillisecond);

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
