// Pieces shared by the ledger-bench workloads: channels, error counting,
// the stop signal between worker threads, and random event content.
#ifndef STAKELEDGER_CLIENTS_BENCH_COMMON_H_
#define STAKELEDGER_CLIENTS_BENCH_COMMON_H_

#include <grpcpp/grpcpp.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace stakeledger::bench {

// Every measurement uses the monotonic clock; wall time can jump.
using Clock = std::chrono::steady_clock;

// Responses can carry up to 64 MiB (large reads).
inline constexpr int kReceiveMessageBytesMax = 64 << 20;
// How long a channel may take to connect before the run is abandoned.
inline constexpr absl::Duration kConnectTimeout = absl::Seconds(5);
// Failed calls in a row on one worker after which the whole run stops: the
// server is gone or refusing everything, and more numbers would mean nothing.
inline constexpr int kConsecutiveErrorsMax = 100;
// Pause after UNAVAILABLE or RESOURCE_EXHAUSTED, so a down or overloaded
// server is not hammered in a tight loop.
inline constexpr absl::Duration kErrorBackoff = absl::Milliseconds(10);

// grpc::StatusCode runs from OK (0) to UNAUTHENTICATED (16).
inline constexpr int kStatusCodeCount = 17;

// Upper-case name of a gRPC status code ("UNAVAILABLE"); empty for values
// outside the enum.
std::string StatusCodeName(grpc::StatusCode code);

// Failed calls by status code. Thread safety: none (one per worker, merged).
class ErrorCounts {
 public:
  void Add(grpc::StatusCode code);
  void Merge(const ErrorCounts& other);
  uint64_t total() const;
  // "none" or "UNAVAILABLE=3 RESOURCE_EXHAUSTED=1".
  std::string ToText() const;
  // `,"errors":N` followed by `,"errors_UNAVAILABLE":3` for each code seen.
  std::string ToJsonFields() const;

 private:
  std::array<uint64_t, kStatusCodeCount> counts_{};
};

// Lets any worker stop the whole run with a reason, e.g. after too many
// failures in a row. Thread safe.
class RunControl {
 public:
  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }
  // Keeps the first reason given.
  void Stop(std::string reason);
  std::string reason() const;

 private:
  std::atomic<bool> stopped_{false};
  mutable std::mutex mu_;
  std::string reason_ ABSL_GUARDED_BY(mu_);
};

// What a worker does after a failed call.
enum class ErrorAction {
  // Send the next call as usual.
  kContinue,
  // Wait kErrorBackoff first: the server is down or shedding load, and a
  // tight retry loop would only add to it.
  kBackOff,
  // Stop: the run was stopped (see RunControl::reason()).
  kStop,
};

// Tracks failures in a row for one client and decides what comes next.
class ErrorStreak {
 public:
  // Call after every successful call.
  void Reset() { consecutive_ = 0; }
  // Call after every failed call. Stops `control` and returns kStop when the
  // run cannot usefully continue: a code that every identical request would
  // get again (e.g. INVALID_ARGUMENT), or kConsecutiveErrorsMax failures in a
  // row.
  ErrorAction OnError(const grpc::Status& status, RunControl* control);

 private:
  int consecutive_ = 0;
};

// A channel of its own to `server` (its own TCP connection, even when other
// channels go to the same address), connected before it is returned.
// `channel_index` tells channels apart. UNAVAILABLE when the server does not
// answer within kConnectTimeout.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectChannel(const std::string& server,
                                                              int channel_index);

// A seed that differs between threads and runs.
uint64_t RandomSeed();

// `size` random (incompressible) bytes.
std::string RandomBytes(size_t size, std::mt19937_64* rng);

// Overwrites `out` with a random version-4 UUID in canonical lower-case text.
void WriteRandomUuid(std::mt19937_64* rng, std::string* out);

// Nanoseconds of a steady-clock duration, for the histograms.
inline uint64_t ToNanos(Clock::duration duration) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
  return ns < 0 ? 0 : static_cast<uint64_t>(ns);
}

inline double ToSeconds(Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

}  // namespace stakeledger::bench

#endif  // STAKELEDGER_CLIENTS_BENCH_COMMON_H_
