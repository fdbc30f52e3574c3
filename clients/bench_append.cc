#include "clients/bench_append.h"

#include <algorithm>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/event_store.grpc.pb.h"

namespace stakeledger::bench {

namespace {

using v1::AppendRequest;
using v1::AppendResponse;
using v1::EventStore;

// Threads start together a little after they are created, so the first
// schedule slots are not already late.
constexpr auto kStartDelay = std::chrono::milliseconds(100);

// What one worker thread measured; merged after the threads are joined.
// Aligned so that two workers' counters never share a cache line.
struct alignas(64) WorkerStats {
  LatencyHistogram latency_ns;
  LatencyHistogram service_ns;
  uint64_t events = 0;
  uint64_t appends = 0;
  ErrorCounts errors;
  Clock::time_point last_answer{};
};

// When one append worker sends.
struct Schedule {
  Clock::time_point first_send;
  // Appends scheduled before this are warm-up and not counted.
  Clock::time_point measure_from;
  // No append is scheduled at or after this.
  Clock::time_point end;
  // Between two sends of this worker; 0 for a closed loop.
  double interval_ns = 0;
};

AppendRequest MakeAppendRequest(int batch_events, size_t payload_bytes, std::mt19937_64* rng) {
  AppendRequest request;
  request.mutable_expected_revision()->set_kind(v1::ExpectedRevision::ANY);
  // One payload for every event: its bytes do not matter, only their count,
  // and making them once keeps the client's CPU for sending.
  const std::string payload = RandomBytes(payload_bytes, rng);
  for (int i = 0; i < batch_events; ++i) {
    v1::ProposedEvent* event = request.add_events();
    event->set_event_type("bench");
    event->set_content_type("application/octet-stream");
    event->set_payload(payload);
  }
  return request;
}

void RefreshEventIds(std::mt19937_64* rng, AppendRequest* request) {
  for (v1::ProposedEvent& event : *request->mutable_events()) {
    WriteRandomUuid(rng, event.mutable_event_id());
  }
}

std::vector<std::string> MakeStreamNames(int client, int streams) {
  std::vector<std::string> names;
  names.reserve(streams);
  for (int k = 0; k < streams; ++k) names.push_back(absl::StrCat("bench-", client, "-", k));
  return names;
}

// Sends one Append at a time for one worker thread and waits for its answer.
// It uses the asynchronous API on a completion queue of its own rather than
// the blocking call, which builds and tears down a completion queue for every
// call: on a two-core machine shared with the server, that per-call cost in
// the client would otherwise be a sizeable part of what is measured.
class AppendCaller {
 public:
  explicit AppendCaller(EventStore::Stub* stub) : stub_(stub) {}
  AppendCaller(const AppendCaller&) = delete;
  AppendCaller& operator=(const AppendCaller&) = delete;

  ~AppendCaller() {
    queue_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    // Every call has been waited for, so this only sees the shutdown.
    while (queue_.Next(&tag, &ok)) {
    }
  }

  grpc::Status Call(const AppendRequest& request, absl::Duration timeout,
                    AppendResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
    std::unique_ptr<grpc::ClientAsyncResponseReader<AppendResponse>> call =
        stub_->AsyncAppend(&context, request, &queue_);
    grpc::Status status;
    call->Finish(response, &status, this);
    void* tag = nullptr;
    bool ok = false;
    // The call carries a deadline, so Next returns; the queue holds this one
    // call only, so the tag is ours.
    if (!queue_.Next(&tag, &ok) || tag != this || !ok) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "completion queue failed");
    }
    return status;
  }

 private:
  EventStore::Stub* stub_;
  grpc::CompletionQueue queue_;
};

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

Schedule MakeSchedule(const AppendOptions& options, int client, Clock::time_point start) {
  Schedule schedule;
  schedule.measure_from = start + absl::ToChronoNanoseconds(options.warmup);
  schedule.end = schedule.measure_from + absl::ToChronoNanoseconds(options.duration);
  schedule.first_send = start;
  if (options.rate_appends_per_s > 0) {
    schedule.interval_ns = 1e9 * options.clients / options.rate_appends_per_s;
    // Stagger the clients evenly over one interval so that the total rate is
    // smooth rather than N appends at once.
    schedule.first_send += std::chrono::nanoseconds(
        static_cast<int64_t>(schedule.interval_ns * client / options.clients));
  }
  return schedule;
}

void RunAppendWorker(int client, const AppendOptions& options, EventStore::Stub* stub,
                     const Schedule& schedule, RunControl* control, WorkerStats* stats) {
  std::mt19937_64 rng(RandomSeed());
  AppendRequest request = MakeAppendRequest(options.batch_events, options.payload_bytes, &rng);
  const std::vector<std::string> streams = MakeStreamNames(client, options.streams_per_client);
  const bool paced = schedule.interval_ns > 0;
  AppendCaller caller(stub);
  AppendResponse response;
  ErrorStreak streak;
  std::this_thread::sleep_until(schedule.first_send);
  // Bounded by schedule.end: every pass sends at most one append.
  for (uint64_t i = 0; !control->stopped(); ++i) {
    // Paced appends are timed from their slot in the schedule, not from when
    // they went out: a slow answer delays the next sends, and timing from
    // the actual send would hide that delay (coordinated omission).
    const Clock::time_point intended =
        paced ? schedule.first_send +
                    std::chrono::nanoseconds(static_cast<int64_t>(i * schedule.interval_ns))
              : Clock::now();
    if (intended >= schedule.end) break;
    // A paced client that fell behind stops at the end too rather than
    // working off its backlog; appends/s below --rate shows the shortfall.
    if (paced && Clock::now() >= schedule.end) break;
    if (paced) std::this_thread::sleep_until(intended);
    request.set_stream(streams[i % streams.size()]);
    if (options.client_ids) RefreshEventIds(&rng, &request);
    const Clock::time_point sent = Clock::now();
    const grpc::Status status = caller.Call(request, options.call_timeout, &response);
    const Clock::time_point answered = Clock::now();
    if (intended >= schedule.measure_from) {
      stats->last_answer = answered;
      if (status.ok()) {
        ++stats->appends;
        stats->events += options.batch_events;
        stats->latency_ns.Record(ToNanos(answered - intended));
        stats->service_ns.Record(ToNanos(answered - sent));
      } else {
        stats->errors.Add(status.error_code());
      }
    }
    if (status.ok()) {
      streak.Reset();
    } else if (!streak.Tolerate(status, control)) {
      break;
    }
  }
}

// Claims batches of a shared budget of events until it is spent, retrying a
// failed batch (ErrorStreak bounds the retries).
void RunFillWorker(const FillOptions& options, EventStore::Stub* stub, int client,
                   std::atomic<uint64_t>* claimed_events, RunControl* control, WorkerStats* stats) {
  std::mt19937_64 rng(RandomSeed());
  AppendRequest request = MakeAppendRequest(options.batch_events, options.payload_bytes, &rng);
  request.set_stream(absl::StrCat("bench-", client, "-0"));
  AppendCaller caller(stub);
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
      const grpc::Status status = caller.Call(request, options.call_timeout, &response);
      const Clock::time_point answered = Clock::now();
      stats->last_answer = answered;
      if (status.ok()) {
        streak.Reset();
        ++stats->appends;
        stats->events += count;
        stats->latency_ns.Record(ToNanos(answered - sent));
        stats->service_ns.Record(ToNanos(answered - sent));
        break;
      }
      stats->errors.Add(status.error_code());
      if (!streak.Tolerate(status, control)) return;
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
  std::vector<WorkerStats> stats(options.clients);
  RunControl control;
  std::vector<std::thread> threads;
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&, c] {
      RunAppendWorker(c, options, (*stubs)[c].get(), MakeSchedule(options, c, start), &control,
                      &stats[c]);
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

namespace {

double Rate(uint64_t count, double seconds) { return seconds > 0 ? count / seconds : 0; }

double Micros(uint64_t nanos) { return nanos / 1000.0; }

std::string LatencyText(const LatencyHistogram& histogram) {
  return absl::StrFormat("p50 %.1f  p99 %.1f  p999 %.1f  max %.1f",
                         Micros(histogram.ValueAtQuantile(0.5)),
                         Micros(histogram.ValueAtQuantile(0.99)),
                         Micros(histogram.ValueAtQuantile(0.999)), Micros(histogram.max()));
}

std::string LatencyJson(absl::string_view prefix, const LatencyHistogram& histogram) {
  return absl::StrFormat(
      ",\"%sp50_us\":%.1f,\"%sp99_us\":%.1f,\"%sp999_us\":%.1f,\"%smax_us\":%.1f", prefix,
      Micros(histogram.ValueAtQuantile(0.5)), prefix, Micros(histogram.ValueAtQuantile(0.99)),
      prefix, Micros(histogram.ValueAtQuantile(0.999)), prefix, Micros(histogram.max()));
}

// The figures both reports share, after the header.
std::string FormatTotals(const AppendReport& report) {
  return absl::StrFormat(
      "events      %d\nappends     %d\nseconds     %.3f\nevents/s    %.0f\nappends/s   %.1f\n"
      "latency_us  %s\nerrors      %s\n",
      report.events, report.appends, report.seconds, Rate(report.events, report.seconds),
      Rate(report.appends, report.seconds), LatencyText(report.latency_ns), report.errors.ToText());
}

std::string TotalsJson(const AppendReport& report) {
  return absl::StrCat(
      absl::StrFormat(",\"events\":%d,\"appends\":%d,\"seconds\":%.3f,\"events_per_s\":%.0f,"
                      "\"appends_per_s\":%.1f",
                      report.events, report.appends, report.seconds,
                      Rate(report.events, report.seconds), Rate(report.appends, report.seconds)),
      LatencyJson("", report.latency_ns), report.errors.ToJsonFields());
}

}  // namespace

std::string FormatAppendReport(const AppendOptions& options, const AppendReport& report,
                               bool json) {
  const bool paced = options.rate_appends_per_s > 0;
  if (json) {
    return absl::StrCat(
        absl::StrFormat("{\"mode\":\"append\",\"clients\":%d,\"channels\":%d,\"batch\":%d,"
                        "\"payload_bytes\":%d,\"rate\":%.1f,\"streams\":%d,\"client_ids\":%s",
                        options.clients, options.channels, options.batch_events,
                        options.payload_bytes, options.rate_appends_per_s,
                        options.streams_per_client, options.client_ids ? "true" : "false"),
        TotalsJson(report), paced ? LatencyJson("service_", report.service_ns) : "", "}\n");
  }
  std::string text = absl::StrFormat(
      "append: %d clients on %d channels, %d events of %d B per append, %d streams per client, "
      "%s ids, %s after %s warm-up, %s\n",
      options.clients, options.channels, options.batch_events, options.payload_bytes,
      options.streams_per_client, options.client_ids ? "client" : "server",
      absl::FormatDuration(options.duration), absl::FormatDuration(options.warmup),
      paced ? absl::StrFormat("paced at %.0f appends/s", options.rate_appends_per_s)
            : std::string("closed loop"));
  absl::StrAppend(&text, FormatTotals(report));
  // Latency above is from the scheduled send; this is from the actual send.
  if (paced) absl::StrAppend(&text, "service_us  ", LatencyText(report.service_ns), "\n");
  return text;
}

std::string FormatFillReport(const FillOptions& options, const AppendReport& report, bool json) {
  if (json) {
    return absl::StrCat(
        absl::StrFormat("{\"mode\":\"fill\",\"clients\":%d,\"batch\":%d,"
                        "\"payload_bytes\":%d,\"client_ids\":%s",
                        options.clients, options.batch_events, options.payload_bytes,
                        options.client_ids ? "true" : "false"),
        TotalsJson(report), "}\n");
  }
  return absl::StrCat(
      absl::StrFormat("fill: %d events by %d clients, %d events of %d B per append\n",
                      options.events, options.clients, options.batch_events, options.payload_bytes),
      FormatTotals(report));
}

}  // namespace stakeledger::bench
