// ledger-bench lag (bench_projection.h).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/bench_append_loop.h"
#include "clients/bench_common.h"
#include "clients/bench_projection.h"
#include "clients/bench_synthetic.h"
#include "stakeledger/v1/projections.grpc.pb.h"

namespace stakeledger::bench {
namespace {

constexpr char kProjectionName[] = "stake-ownership";
constexpr absl::Duration kPollTimeout = absl::Seconds(5);
// After the appenders stop, how long the poller waits for the projection
// to apply what they appended.
constexpr absl::Duration kDrainTimeout = absl::Seconds(60);

struct Acknowledged {
  uint64_t last_position = 0;
  Clock::time_point at;
};

// Appends acknowledged and not yet seen applied. Thread-safe.
class PendingAppends {
 public:
  // Waits while kLagPendingAppendsMax are pending.
  void Add(Acknowledged ack) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [this] { return pending_.size() < kLagPendingAppendsMax; });
    pending_.push_back(ack);
  }
  // Records in `lag` every append at or before `position`, as seen `now`.
  void Applied(uint64_t position, Clock::time_point now, LatencyHistogram* lag) {
    std::lock_guard<std::mutex> lock(mu_);
    auto kept = std::remove_if(pending_.begin(), pending_.end(), [&](const Acknowledged& ack) {
      if (ack.last_position > position) return false;
      lag->Record(ToNanos(now - ack.at));
      return true;
    });
    pending_.erase(kept, pending_.end());
    room_.notify_all();
  }
  bool empty() const {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.empty();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable room_;
  std::vector<Acknowledged> pending_;
};

absl::Status AppendPlain(const v1::AppendRequest& request, v1::EventStore::Stub* stub,
                         v1::AppendResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(kPollTimeout));
  const grpc::Status status = stub->Append(&context, request, response);
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat("Append: ", status.error_message()));
}

absl::StatusOr<uint64_t> ProjectionPosition(v1::Projections::Stub* stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(kPollTimeout));
  v1::ListProjectionsResponse response;
  const grpc::Status status =
      stub->ListProjections(&context, v1::ListProjectionsRequest(), &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("ListProjections: ", status.error_message()));
  }
  for (const v1::ProjectionStatus& projection : response.projections()) {
    if (projection.name() != kProjectionName) continue;
    if (projection.state() == "failed") {
      return absl::InternalError(absl::StrCat("the projection failed: ", projection.error()));
    }
    return projection.position();
  }
  return absl::NotFoundError("the server has no stake-ownership projection");
}

}  // namespace

absl::StatusOr<LagReport> RunLag(const LagOptions& options) {
  SyntheticHistory history = options.history;
  history.clients = options.clients;
  history.batch_events = options.batch_events;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c <= options.clients; ++c) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ConnectChannel(history.server, c);
    if (!channel.ok()) return channel.status();
    channels.push_back(*std::move(channel));
  }
  {
    auto store = v1::EventStore::NewStub(channels[0]);
    if (absl::Status s = RegisterEntities(history, store.get()); !s.ok()) return s;
  }
  LagReport report;
  PendingAppends pending;
  RunControl control;
  std::atomic<uint64_t> claimed{0};
  std::atomic<uint64_t> appends{0};
  std::atomic<bool> appending{true};
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + absl::ToChronoNanoseconds(options.duration);
  std::vector<std::thread> appenders;
  for (int c = 0; c < options.clients; ++c) {
    appenders.emplace_back([&, c] {
      auto stub = v1::EventStore::NewStub(channels[c + 1]);
      std::mt19937_64 rng(RandomSeed());
      v1::AppendRequest plain;
      if (options.plain_payload_bytes >= 0) {
        plain = MakeAppendRequest(options.batch_events, options.plain_payload_bytes, &rng);
        plain.set_stream(absl::StrCat("bench-lag-", c));
      }
      while (!control.stopped() && Clock::now() < end) {
        const uint64_t first = claimed.fetch_add(options.batch_events) + 1;
        v1::AppendResponse response;
        absl::Status status =
            options.plain_payload_bytes < 0
                ? AppendAnnouncements(history, first, first + options.batch_events - 1, stub.get(),
                                      &rng, &response)
                : AppendPlain(plain, stub.get(), &response);
        if (!status.ok()) {
          control.Stop(status.ToString());
          break;
        }
        pending.Add({response.last_position(), Clock::now()});
        appends.fetch_add(1);
      }
    });
  }
  std::thread poller([&] {
    auto stub = v1::Projections::NewStub(channels[0]);
    Clock::time_point drain_end = Clock::time_point::max();
    while (!control.stopped()) {
      absl::StatusOr<uint64_t> position = ProjectionPosition(stub.get());
      if (!position.ok()) {
        control.Stop(position.status().ToString());
        break;
      }
      pending.Applied(*position, Clock::now(), &report.lag);
      if (!appending.load()) {
        if (pending.empty()) break;
        if (drain_end == Clock::time_point::max()) {
          drain_end = Clock::now() + absl::ToChronoNanoseconds(kDrainTimeout);
        }
        if (Clock::now() > drain_end) {
          control.Stop("the projection did not apply the last appends in time");
          break;
        }
      }
      absl::SleepFor(kLagPollInterval);
    }
  });
  for (std::thread& thread : appenders) thread.join();
  report.seconds = ToSeconds(Clock::now() - start);
  appending.store(false);
  poller.join();
  if (control.stopped()) return absl::AbortedError(control.reason());
  report.appends = appends.load();
  report.events = report.appends * options.batch_events;
  return report;
}

std::string FormatLagReport(const LagOptions& options, const LagReport& report, bool json) {
  const LatencyHistogram& lag = report.lag;
  auto ms = [](uint64_t nanos) { return nanos / 1e6; };
  if (json) {
    return absl::StrFormat(
        "{\"mode\":\"lag\",\"plain\":%s,\"clients\":%d,\"batch\":%d,\"appends\":%d,\"events\":%d,"
        "\"events_per_s\":%.0f,\"samples\":%d,\"lag_p50_ms\":%.2f,\"lag_p90_ms\":%.2f,"
        "\"lag_p99_ms\":%.2f,\"lag_max_ms\":%.2f}\n",
        options.plain_payload_bytes < 0 ? "false" : "true", options.clients, options.batch_events,
        report.appends, report.events, report.events / report.seconds, lag.count(),
        ms(lag.ValueAtQuantile(0.5)), ms(lag.ValueAtQuantile(0.9)), ms(lag.ValueAtQuantile(0.99)),
        ms(lag.max()));
  }
  return absl::StrFormat(
      "lag: %d appends of %d %s by %d clients in %.1f s (%.0f events/s)\n"
      "projection applied each append after (from its acknowledgement, %d samples):\n"
      "  p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      report.appends, options.batch_events,
      options.plain_payload_bytes < 0 ? "announcements" : "plain events", options.clients,
      report.seconds, report.events / report.seconds, lag.count(), ms(lag.ValueAtQuantile(0.5)),
      ms(lag.ValueAtQuantile(0.9)), ms(lag.ValueAtQuantile(0.99)), ms(lag.max()));
}

}  // namespace stakeledger::bench
