// ledger-bench workloads of the stake-ownership projection, through gRPC:
//
//   query: builds a synthetic history of announcements (registered holder
//          and target entities, stake changes, retractions and date
//          corrections) through the domain-checked Append path, waits for
//          the projection to catch up, then times GetStake calls with random
//          pairs, as-of dates and known_at positions.
//   lag:   appends batches of announcements from several clients for a
//          while and measures how long after each Append was acknowledged
//          the projection had applied its last event (ListProjections,
//          polled by a thread of its own).
//
// Names are unique to a run (`--run`), so runs can share one server; a
// query run can also reuse a history built earlier with the same --run,
// --holders and --targets (`--events 0`).
#ifndef STAKELEDGER_CLIENTS_BENCH_PROJECTION_H_
#define STAKELEDGER_CLIENTS_BENCH_PROJECTION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/bench_histogram.h"

namespace stakeledger::bench {

// Holders and targets of one run: each is an entity registered first.
inline constexpr int kSyntheticNamesMax = 100'000;
// Announcements per Append while building a history or loading the log.
inline constexpr int kAnnouncementBatchMax = 5'000;
// GetStake calls one query run may time.
inline constexpr int kQueriesMax = 10'000'000;
// Samples of lag kept in flight: appends acknowledged and not yet seen
// applied. Past it, the appenders wait.
inline constexpr size_t kLagPendingAppendsMax = 4096;
// How often the lag poller asks ListProjections.
inline constexpr absl::Duration kLagPollInterval = absl::Milliseconds(1);

struct SyntheticHistory {
  std::string server;
  // Tells this run's entities and announcements apart from other runs'.
  std::string run = "r1";
  int holders = 1000;
  int targets = 1000;
  // Announcements to append (0: the history was built before).
  uint64_t events = 0;
  int batch_events = 1000;
  // Concurrent appenders (domain appends are validated one at a time, so
  // more than two only queue).
  int clients = 2;
};

struct QueryOptions {
  SyntheticHistory history;
  int queries = 20'000;
  // Concurrent query clients.
  int clients = 1;
  absl::Duration catchup_timeout = absl::Hours(2);
};

struct QueryReport {
  uint64_t head = 0;
  uint64_t appended = 0;
  double append_seconds = 0;
  // From the end of the build until the projection reached the head.
  double catchup_seconds = 0;
  // Nanoseconds per GetStake, all queries; and by known_at kind.
  LatencyHistogram latency;
  LatencyHistogram latency_head;
  LatencyHistogram latency_past;
  uint64_t errors = 0;
  double query_seconds = 0;
};

// Errors: UNAVAILABLE when the server cannot be reached; the first failed
// call's status while building; DEADLINE_EXCEEDED when the projection does
// not catch up within catchup_timeout.
absl::StatusOr<QueryReport> RunQuery(const QueryOptions& options);
std::string FormatQueryReport(const QueryOptions& options, const QueryReport& report, bool json);

struct LagOptions {
  // events is unused; holders and targets are registered at start.
  SyntheticHistory history;
  int clients = 4;
  int batch_events = 1000;
  // Appends ordinary events (random payloads of this many bytes, the
  // `ledger-bench append` load) instead of announcements: the projection
  // reads and skips them. -1: announcements.
  int plain_payload_bytes = -1;
  absl::Duration duration = absl::Seconds(10);
};

struct LagReport {
  uint64_t appends = 0;
  uint64_t events = 0;
  double seconds = 0;
  // Nanoseconds from an Append's acknowledgement until ListProjections
  // showed the projection at or past its last position.
  LatencyHistogram lag;
  uint64_t errors = 0;
};

// Errors: as RunQuery.
absl::StatusOr<LagReport> RunLag(const LagOptions& options);
std::string FormatLagReport(const LagOptions& options, const LagReport& report, bool json);

}  // namespace stakeledger::bench

#endif  // STAKELEDGER_CLIENTS_BENCH_PROJECTION_H_
