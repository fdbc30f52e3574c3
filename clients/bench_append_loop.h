// The append workload's engine: one thread drives several bench clients, each
// with at most one Append in flight, through one completion queue. A client is
// a stream of appends on its own stub and schedule, not a thread: on a small
// machine shared with the server, a thread per client spends more CPU on
// wake-ups than on gRPC itself.
#ifndef STAKELEDGER_CLIENTS_BENCH_APPEND_LOOP_H_
#define STAKELEDGER_CLIENTS_BENCH_APPEND_LOOP_H_

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "clients/bench_append.h"
#include "clients/bench_common.h"
#include "clients/bench_histogram.h"
#include "stakeledger/v1/event_store.grpc.pb.h"

namespace stakeledger::bench {

// What one thread measured; merged after the threads are joined. Aligned so
// that two threads' counters never share a cache line.
struct alignas(64) WorkerStats {
  LatencyHistogram latency_ns;
  LatencyHistogram service_ns;
  uint64_t events = 0;
  uint64_t appends = 0;
  ErrorCounts errors;
  Clock::time_point last_answer{};
};

// When one client sends.
struct Schedule {
  Clock::time_point first_send;
  // Appends scheduled before this are warm-up and not counted.
  Clock::time_point measure_from;
  // No append is scheduled at or after this.
  Clock::time_point end;
  // Between two sends of this client; 0 for a closed loop (send when the
  // previous append is answered).
  double interval_ns = 0;
};

// The schedule of client `client` for a run whose clients start at `start`.
Schedule MakeSchedule(const AppendOptions& options, int client, Clock::time_point start);

// An append of `batch_events` events with `payload_bytes` random bytes each,
// expected revision ANY and no stream name yet.
v1::AppendRequest MakeAppendRequest(int batch_events, size_t payload_bytes, std::mt19937_64* rng);

// Gives every event of `request` a new random id.
void RefreshEventIds(std::mt19937_64* rng, v1::AppendRequest* request);

// Runs a set of clients on the calling thread.
//
// Life cycle of one client, each step driven by the completion queue:
//   1. ScheduleNext picks the time of its next append: its slot in the
//      schedule when paced, now when not, later after a back-off. A future
//      time arms the client's alarm (or, when the thread runs this client
//      only, sleeps: alarms are only as precise as gRPC's millisecond
//      timers); otherwise
//   2. Send starts the Append.
//   3. The answer arrives: OnAnswer counts it (when inside the measured
//      window) and judges errors; back to 1.
//   4. The client is done when its next time falls at or after the end of
//      the schedule, or the run is stopped.
//
// Thread safety: one thread calls AddClient and Run; `control` is shared.
class AppendLoop {
 public:
  AppendLoop(const AppendOptions& options, RunControl* control, WorkerStats* stats);
  AppendLoop(const AppendLoop&) = delete;
  AppendLoop& operator=(const AppendLoop&) = delete;
  ~AppendLoop();

  // REQUIRES: Run has not been called. `stub` outlives this loop.
  void AddClient(int client, v1::EventStore::Stub* stub, const Schedule& schedule);

  // Returns when every client is done.
  void Run();

 private:
  struct Client;
  // Completion-queue tags: which client, and whether its alarm or its call.
  struct Tag {
    Client* client;
    bool is_alarm;
  };
  struct Client {
    v1::EventStore::Stub* stub = nullptr;
    Schedule schedule;
    v1::AppendRequest request;
    std::vector<std::string> streams;
    // Next slot of the schedule, and appends sent (which picks the stream).
    uint64_t next_slot = 0;
    uint64_t sent_count = 0;
    Clock::time_point intended;
    Clock::time_point sent;
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::AppendResponse>> call;
    v1::AppendResponse response;
    grpc::Status status;
    grpc::Alarm alarm;
    ErrorStreak streak;
    Tag call_tag{this, false};
    Tag alarm_tag{this, true};
  };
  // Arms the alarm for, or sends, the client's next append, no earlier than
  // `not_before`. Returns false when the client is done.
  bool ScheduleNext(Client* client, Clock::time_point not_before);
  void Send(Client* client);
  // Counts the answer. Returns the earliest time of the next append, or
  // nothing when the run has been stopped.
  std::optional<Clock::time_point> OnAnswer(Client* client);

  const AppendOptions& options_;
  RunControl* const control_;
  WorkerStats* const stats_;
  std::mt19937_64 rng_;
  grpc::CompletionQueue queue_;
  // Pointers, because calls and alarms hold the clients' addresses.
  std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace stakeledger::bench

#endif  // STAKELEDGER_CLIENTS_BENCH_APPEND_LOOP_H_
