#include "clients/bench_append.h"

#include <algorithm>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/bench_append_loop.h"
#include "stakeledger/v1/event_store.grpc.pb.h"

namespace stakeledger::bench {

namespace {

using v1::AppendRequest;
using v1::AppendResponse;
using v1::EventStore;

// Threads start together a little after they are created, so the first
// schedule slots are not already late.
constexpr auto kStartDelay = std::chrono::milliseconds(100);

// A blocking Append. Fill sends large batches, so the blocking call's cost
// per call (a completion queue of its own each time) does not matter there.
grpc::Status CallAppend(EventStore::Stub* stub, const AppendRequest& request,
                        absl::Duration timeout, AppendResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  return stub->Append(&context, request, response);
}

// One stub per client, on channel client % channels.
absl::StatusOr<std::vector<std::unique_ptr<EventStore::Stub>>> MakeStubs(const std::string& server,
                                                                         int clients,
                                                                         int channels) {
  std::vector<std::shared_ptr<grpc::Channel>> connected;
  for (int c = 0; c < channels; ++c) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ConnectChannel(server, c);
    if (!channel.ok()) return channel.status();
    connected.push_back(*std::move(channel));
  }
  std::vector<std::unique_ptr<EventStore::Stub>> stubs;
  for (int c = 0; c < clients; ++c) stubs.push_back(EventStore::NewStub(connected[c % channels]));
  return stubs;
}

// Claims batches of a shared budget of events until it is spent, retrying a
// failed batch (ErrorStreak bounds the retries).
void RunFillWorker(const FillOptions& options, EventStore::Stub* stub, int client,
                   std::atomic<uint64_t>* claimed_events, RunControl* control, WorkerStats* stats) {
  std::mt19937_64 rng(RandomSeed());
  AppendRequest request = MakeAppendRequest(options.batch_events, options.payload_bytes, &rng);
  request.set_stream(absl::StrCat("bench-", client, "-0"));
  AppendResponse response;
  ErrorStreak streak;
  while (!control->stopped()) {
    const uint64_t first = claimed_events->fetch_add(options.batch_events);
    if (first >= options.events) break;
    const uint64_t count = std::min<uint64_t>(options.batch_events, options.events - first);
    // Only the last batch is short.
    while (static_cast<uint64_t>(request.events_size()) > count) {
      request.mutable_events()->RemoveLast();
    }
    // Ids stay the same across retries of one batch, so that with
    // --client-ids a retry of an append that did land is a replay.
    if (options.client_ids) RefreshEventIds(&rng, &request);
    while (!control->stopped()) {
      const Clock::time_point sent = Clock::now();
      const grpc::Status status = CallAppend(stub, request, options.call_timeout, &response);
      const Clock::time_point answered = Clock::now();
      stats->last_answer = answered;
      if (status.ok()) {
        streak.Reset();
        ++stats->appends;
        stats->events += count;
        stats->latency_ns.Record(ToNanos(answered - sent));
        break;
      }
      stats->errors.Add(status.error_code());
      const ErrorAction action = streak.OnError(status, control);
      if (action == ErrorAction::kStop) return;
      if (action == ErrorAction::kBackOff) {
        std::this_thread::sleep_for(absl::ToChronoNanoseconds(kErrorBackoff));
      }
    }
  }
}

AppendReport MergeStats(const std::vector<WorkerStats>& stats, Clock::time_point measure_from,
                        const RunControl& control) {
  AppendReport report;
  Clock::time_point last_answer = measure_from;
  for (const WorkerStats& worker : stats) {
    report.events += worker.events;
    report.appends += worker.appends;
    report.latency_ns.Merge(worker.latency_ns);
    report.service_ns.Merge(worker.service_ns);
    report.errors.Merge(worker.errors);
    last_answer = std::max(last_answer, worker.last_answer);
  }
  report.seconds = ToSeconds(last_answer - measure_from);
  report.stop_reason = control.reason();
  return report;
}

}  // namespace

absl::StatusOr<AppendReport> RunAppend(const AppendOptions& options) {
  absl::StatusOr<std::vector<std::unique_ptr<EventStore::Stub>>> stubs =
      MakeStubs(options.server, options.clients, options.channels);
  if (!stubs.ok()) return stubs.status();
  const Clock::time_point start = Clock::now() + kStartDelay;
  std::vector<WorkerStats> stats(options.threads);
  RunControl control;
  std::vector<std::thread> threads;
  for (int t = 0; t < options.threads; ++t) {
    threads.emplace_back([&, t] {
      AppendLoop loop(options, &control, &stats[t]);
      for (int c = t; c < options.clients; c += options.threads) {
        loop.AddClient(c, (*stubs)[c].get(), MakeSchedule(options, c, start));
      }
      loop.Run();
    });
  }
  for (std::thread& thread : threads) thread.join();
  return MergeStats(stats, start + absl::ToChronoNanoseconds(options.warmup), control);
}

absl::StatusOr<AppendReport> RunFill(const FillOptions& options) {
  absl::StatusOr<std::vector<std::unique_ptr<EventStore::Stub>>> stubs =
      MakeStubs(options.server, options.clients, options.clients);
  if (!stubs.ok()) return stubs.status();
  std::vector<WorkerStats> stats(options.clients);
  RunControl control;
  std::atomic<uint64_t> claimed_events{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&, c] {
      RunFillWorker(options, (*stubs)[c].get(), c, &claimed_events, &control, &stats[c]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  return MergeStats(stats, start, control);
}

}  // namespace stakeledger::bench
