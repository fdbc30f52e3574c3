#include "clients/bench_projection.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/bench_common.h"
#include "clients/bench_synthetic.h"
#include "stakeledger/v1/event_store.grpc.pb.h"
#include "stakeledger/v1/projections.grpc.pb.h"

namespace stakeledger::bench {
namespace {

constexpr char kProjectionName[] = "stake-ownership";
constexpr absl::Duration kQueryTimeout = absl::Seconds(10);
// How often the build waits for the projection asks where it is.
constexpr absl::Duration kCatchupPollInterval = absl::Milliseconds(200);

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  return context;
}

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// The stake-ownership projection's position and the head it last saw.
absl::StatusOr<std::pair<uint64_t, uint64_t>> ProjectionPosition(v1::Projections::Stub* stub) {
  v1::ListProjectionsResponse response;
  const grpc::Status status =
      stub->ListProjections(Context(kQueryTimeout).get(), v1::ListProjectionsRequest(), &response);
  if (!status.ok()) return FromGrpc(status, "ListProjections");
  for (const v1::ProjectionStatus& projection : response.projections()) {
    if (projection.name() == kProjectionName) {
      if (projection.state() == "failed") {
        return absl::InternalError(absl::StrCat("the projection failed: ", projection.error()));
      }
      return std::make_pair(projection.position(), projection.head());
    }
  }
  return absl::NotFoundError("the server has no stake-ownership projection");
}

// Appends announcements 1..events of the history from history.clients
// threads, each claiming the next batch.
absl::Status BuildHistory(const SyntheticHistory& history,
                          const std::shared_ptr<grpc::Channel>& channel, uint64_t* head) {
  std::atomic<uint64_t> claimed{0};
  RunControl control;
  std::atomic<uint64_t> last_position{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < history.clients; ++c) {
    threads.emplace_back([&] {
      auto stub = v1::EventStore::NewStub(channel);
      std::mt19937_64 rng(RandomSeed());
      while (!control.stopped()) {
        const uint64_t first = claimed.fetch_add(history.batch_events) + 1;
        if (first > history.events) break;
        const uint64_t last = std::min<uint64_t>(history.events, first + history.batch_events - 1);
        v1::AppendResponse response;
        absl::Status status =
            AppendAnnouncements(history, first, last, stub.get(), &rng, &response);
        if (!status.ok()) {
          control.Stop(status.ToString());
          break;
        }
        uint64_t seen = last_position.load();
        while (seen < response.last_position() &&
               !last_position.compare_exchange_weak(seen, response.last_position())) {
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  if (control.stopped()) return absl::AbortedError(control.reason());
  *head = last_position.load();
  return absl::OkStatus();
}

absl::Status WaitForProjection(v1::Projections::Stub* stub, uint64_t position,
                               absl::Duration timeout, uint64_t* head) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    absl::StatusOr<std::pair<uint64_t, uint64_t>> at = ProjectionPosition(stub);
    if (!at.ok()) return at.status();
    *head = at->second;
    if (at->first >= std::max(position, at->second)) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the projection is at ", at->first, ", the head at ", at->second, " after waiting"));
    }
    absl::SleepFor(kCatchupPollInterval);
  }
}

struct QueryWorker {
  LatencyHistogram head;
  LatencyHistogram past;
  uint64_t errors = 0;
};

void RunQueries(const QueryOptions& options, const std::shared_ptr<grpc::Channel>& channel,
                uint64_t head, int count, QueryWorker* worker) {
  auto stub = v1::Projections::NewStub(channel);
  std::mt19937_64 rng(RandomSeed());
  const SyntheticHistory& history = options.history;
  for (int i = 0; i < count; ++i) {
    v1::StakeRequest request;
    request.set_holder(HolderId(history, static_cast<int>(rng() % history.holders)));
    request.set_target(TargetId(history, static_cast<int>(rng() % history.targets)));
    request.set_as_of(RandomDay(&rng));
    // Half at the head, half known at a random earlier position.
    const bool past = i % 2 == 1;
    if (past) request.set_known_at(absl::StrCat(1 + rng() % head));
    v1::StakeResponse response;
    const Clock::time_point start = Clock::now();
    const grpc::Status status = stub->GetStake(Context(kQueryTimeout).get(), request, &response);
    const uint64_t nanos = ToNanos(Clock::now() - start);
    if (!status.ok()) {
      ++worker->errors;
      continue;
    }
    (past ? worker->past : worker->head).Record(nanos);
  }
}

std::string Micros(uint64_t nanos) { return absl::StrFormat("%.1f", nanos / 1e3); }

std::string Quantiles(const LatencyHistogram& h) {
  return absl::StrCat("p50 ", Micros(h.ValueAtQuantile(0.5)), " us, p90 ",
                      Micros(h.ValueAtQuantile(0.9)), " us, p99 ", Micros(h.ValueAtQuantile(0.99)),
                      " us, max ", Micros(h.max()), " us");
}

std::string JsonQuantiles(absl::string_view prefix, const LatencyHistogram& h) {
  return absl::StrFormat(",\"%s_p50_us\":%s,\"%s_p90_us\":%s,\"%s_p99_us\":%s,\"%s_max_us\":%s",
                         prefix, Micros(h.ValueAtQuantile(0.5)), prefix,
                         Micros(h.ValueAtQuantile(0.9)), prefix, Micros(h.ValueAtQuantile(0.99)),
                         prefix, Micros(h.max()));
}

}  // namespace

absl::StatusOr<QueryReport> RunQuery(const QueryOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      ConnectChannel(options.history.server, 0);
  if (!channel.ok()) return channel.status();
  auto projections = v1::Projections::NewStub(*channel);
  QueryReport report;
  if (options.history.events > 0) {
    auto store = v1::EventStore::NewStub(*channel);
    if (absl::Status s = RegisterEntities(options.history, store.get()); !s.ok()) return s;
    const Clock::time_point start = Clock::now();
    if (absl::Status s = BuildHistory(options.history, *channel, &report.head); !s.ok()) return s;
    report.append_seconds = ToSeconds(Clock::now() - start);
    report.appended = options.history.events;
  }
  const Clock::time_point caught_up = Clock::now();
  if (absl::Status s =
          WaitForProjection(projections.get(), report.head, options.catchup_timeout, &report.head);
      !s.ok()) {
    return s;
  }
  report.catchup_seconds = ToSeconds(Clock::now() - caught_up);
  std::vector<QueryWorker> workers(options.clients);
  std::vector<std::thread> threads;
  const Clock::time_point start = Clock::now();
  for (int c = 0; c < options.clients; ++c) {
    const int count = options.queries / options.clients + (c < options.queries % options.clients);
    threads.emplace_back(
        [&, c, count] { RunQueries(options, *channel, report.head, count, &workers[c]); });
  }
  for (std::thread& thread : threads) thread.join();
  report.query_seconds = ToSeconds(Clock::now() - start);
  for (const QueryWorker& worker : workers) {
    report.latency_head.Merge(worker.head);
    report.latency_past.Merge(worker.past);
    report.errors += worker.errors;
  }
  report.latency.Merge(report.latency_head);
  report.latency.Merge(report.latency_past);
  return report;
}

std::string FormatQueryReport(const QueryOptions& options, const QueryReport& report, bool json) {
  const SyntheticHistory& h = options.history;
  if (json) {
    return absl::StrCat(
        absl::StrFormat("{\"mode\":\"query\",\"run\":\"%s\",\"holders\":%d,\"targets\":%d,"
                        "\"appended\":%d,\"append_s\":%.2f,\"catchup_s\":%.2f,\"head\":%d,"
                        "\"queries\":%d,\"clients\":%d,\"queries_per_s\":%.0f,\"errors\":%d",
                        h.run, h.holders, h.targets, report.appended, report.append_seconds,
                        report.catchup_seconds, report.head, report.latency.count(),
                        options.clients, report.latency.count() / report.query_seconds,
                        report.errors),
        JsonQuantiles("all", report.latency), JsonQuantiles("head", report.latency_head),
        JsonQuantiles("past", report.latency_past), "}\n");
  }
  std::string text;
  if (report.appended > 0) {
    absl::StrAppendFormat(&text,
                          "built: %d announcements (run %s, %d holders x %d targets) in %.1f s "
                          "(%.0f events/s)\n",
                          report.appended, h.run, h.holders, h.targets, report.append_seconds,
                          report.appended / report.append_seconds);
  }
  absl::StrAppendFormat(&text, "projection at the head (%d) %.1f s after the last append\n",
                        report.head, report.catchup_seconds);
  absl::StrAppendFormat(&text, "GetStake: %d queries by %d clients in %.1f s, %d errors\n",
                        report.latency.count(), options.clients, report.query_seconds,
                        report.errors);
  absl::StrAppend(&text, "  all:               ", Quantiles(report.latency), "\n");
  absl::StrAppend(&text, "  known at the head: ", Quantiles(report.latency_head), "\n");
  absl::StrAppend(&text, "  known at the past: ", Quantiles(report.latency_past), "\n");
  return text;
}

}  // namespace stakeledger::bench
