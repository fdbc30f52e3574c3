// The reading workloads of ledger-bench: `catchup` (one Subscribe from a
// position until it reports caught_up) and `readall` (one ReadAll).
#ifndef STAKELEDGER_CLIENTS_BENCH_READ_H_
#define STAKELEDGER_CLIENTS_BENCH_READ_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace stakeledger::bench {

struct ReadOptions {
  std::string server;
  uint64_t from_position = 1;
  // Stop after this many events (possibly a few more: the rest of the last
  // message); 0 reads until caught up (catchup) or the end of the log
  // (readall).
  uint64_t count = 0;
  // SubscribeRequest.checkpoint_interval_events; 0 is the server default.
  uint32_t checkpoint_interval_events = 0;
  bool include_record = false;
  // Deadline of the whole read.
  absl::Duration timeout = absl::Minutes(10);
};

struct ReadReport {
  uint64_t events = 0;
  uint64_t messages = 0;
  // Serialized size of the response messages, i.e. the bytes gRPC carried
  // less its framing.
  uint64_t bytes = 0;
  double seconds = 0;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  // Events whose position was not above the one before: the log promises
  // strictly increasing positions, so this should be 0.
  uint64_t order_violations = 0;
  // Subscribe only: whether the caught_up message arrived.
  bool caught_up = false;
};

// Each runs one call against a running server. UNAVAILABLE when the server
// cannot be reached; otherwise the call's own error, converted, if it ended
// in anything but success (or the CANCELLED of our own stop).
absl::StatusOr<ReadReport> RunCatchup(const ReadOptions& options);
absl::StatusOr<ReadReport> RunReadAll(const ReadOptions& options);

// One line of JSON, or a few lines for people. `mode` is "catchup" or
// "readall".
std::string FormatReadReport(const std::string& mode, const ReadOptions& options,
                             const ReadReport& report, bool json);

}  // namespace stakeledger::bench

#endif  // STAKELEDGER_CLIENTS_BENCH_READ_H_
