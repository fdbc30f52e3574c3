// The writing workloads of ledger-bench: `append` (a timed load, optionally
// paced) and `fill` (exactly N events, as fast as possible).
#ifndef STAKELEDGER_CLIENTS_BENCH_APPEND_H_
#define STAKELEDGER_CLIENTS_BENCH_APPEND_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/bench_common.h"
#include "clients/bench_histogram.h"

namespace stakeledger::bench {

// Bounds of the flags, checked by the command line.
inline constexpr int kClientsMax = 1024;
// The server's default append_events_max.
inline constexpr int kBatchEventsMax = 10'000;
inline constexpr size_t kPayloadBytesMax = 1 << 20;
inline constexpr int kStreamsPerClientMax = 100'000;

struct AppendOptions {
  std::string server;
  // Concurrent clients; each has its own stub, streams and schedule and
  // sends one Append at a time.
  int clients = 1;
  // Threads the clients share; client c runs on thread c % threads. Paced
  // sends of a thread with several clients are late by up to 1 ms (gRPC's
  // timer granularity), which counts as latency; one client per thread
  // paces to the microsecond.
  // REQUIRES: 1 <= threads <= clients.
  int threads = 1;
  // Distinct connections; client c uses channel c % channels.
  // REQUIRES: 1 <= channels <= clients.
  int channels = 1;
  int batch_events = 1;
  size_t payload_bytes = 256;
  absl::Duration duration = absl::Seconds(10);
  // Run before `duration` and not counted: connections, caches and the
  // server's writer settle first.
  absl::Duration warmup = absl::Seconds(1);
  // Appends per second over all clients, sent on a fixed schedule (open loop);
  // 0 sends each append as soon as the previous one is answered.
  double rate_appends_per_s = 0;
  // Client c appends to bench-<c>-0 .. bench-<c>-<streams-1> in turn.
  int streams_per_client = 1;
  // Give every event a random client-made id (the server's idempotency
  // path); otherwise the server makes them.
  bool client_ids = false;
  absl::Duration call_timeout = absl::Seconds(10);
};

struct FillOptions {
  std::string server;
  uint64_t events = 0;
  int clients = 1;
  int batch_events = 1000;
  size_t payload_bytes = 256;
  bool client_ids = false;
  absl::Duration call_timeout = absl::Seconds(30);
};

// What an append or fill run measured.
struct AppendReport {
  uint64_t events = 0;
  uint64_t appends = 0;
  // Of the measured window: from its start to the last counted answer.
  double seconds = 0;
  // Per successful append, in nanoseconds: from the time it was scheduled
  // (so a stalled server also charges the appends it delayed) ...
  LatencyHistogram latency_ns;
  // ... and from the time it was actually sent. The two differ only when
  // paced.
  LatencyHistogram service_ns;
  ErrorCounts errors;
  // Why the run ended early; empty when it ran to the end.
  std::string stop_reason;
};

// Runs the append load against a running server. Returns UNAVAILABLE when a
// channel cannot connect; failed appends are counted in the report, and the
// run stops early (with stop_reason) when the server keeps failing.
absl::StatusOr<AppendReport> RunAppend(const AppendOptions& options);

// Appends exactly options.events events, retrying failed appends. Same
// errors as RunAppend; when stopped early, `events` says how many landed.
absl::StatusOr<AppendReport> RunFill(const FillOptions& options);

// One line of JSON, or a few lines for people.
std::string FormatAppendReport(const AppendOptions& options, const AppendReport& report, bool json);
std::string FormatFillReport(const FillOptions& options, const AppendReport& report, bool json);

}  // namespace stakeledger::bench

#endif  // STAKELEDGER_CLIENTS_BENCH_APPEND_H_
