#include "clients/bench_append_loop.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"

namespace stakeledger::bench {

namespace {

// gRPC alarms take wall-clock deadlines; the schedule is on the steady clock.
std::chrono::system_clock::time_point ToSystemTime(Clock::time_point when) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(when - Clock::now());
}

std::vector<std::string> MakeStreamNames(int client, int streams) {
  std::vector<std::string> names;
  names.reserve(streams);
  for (int k = 0; k < streams; ++k) names.push_back(absl::StrCat("bench-", client, "-", k));
  return names;
}

}  // namespace

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

v1::AppendRequest MakeAppendRequest(int batch_events, size_t payload_bytes, std::mt19937_64* rng) {
  v1::AppendRequest request;
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

void RefreshEventIds(std::mt19937_64* rng, v1::AppendRequest* request) {
  for (v1::ProposedEvent& event : *request->mutable_events()) {
    WriteRandomUuid(rng, event.mutable_event_id());
  }
}

AppendLoop::AppendLoop(const AppendOptions& options, RunControl* control, WorkerStats* stats)
    : options_(options), control_(control), stats_(stats), rng_(RandomSeed()) {}

AppendLoop::~AppendLoop() {
  queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  // Run returned after the last answer, so only the shutdown is left.
  while (queue_.Next(&tag, &ok)) {
  }
}

void AppendLoop::AddClient(int client, v1::EventStore::Stub* stub, const Schedule& schedule) {
  auto state = std::make_unique<Client>();
  state->stub = stub;
  state->schedule = schedule;
  state->request = MakeAppendRequest(options_.batch_events, options_.payload_bytes, &rng_);
  state->streams = MakeStreamNames(client, options_.streams_per_client);
  clients_.push_back(std::move(state));
}

void AppendLoop::Run() {
  size_t active = 0;
  for (const std::unique_ptr<Client>& client : clients_) {
    if (ScheduleNext(client.get(), client->schedule.first_send)) ++active;
  }
  void* tag = nullptr;
  bool ok = false;
  // Bounded: every client has one alarm or one call outstanding while
  // active, each answer or alarm moves its schedule on, and calls have
  // deadlines.
  while (active > 0 && queue_.Next(&tag, &ok)) {
    const Tag& which = *static_cast<Tag*>(tag);
    Client* client = which.client;
    if (which.is_alarm) {
      if (control_->stopped()) {
        --active;
      } else {
        Send(client);
      }
      continue;
    }
    const std::optional<Clock::time_point> not_before = OnAnswer(client);
    if (!not_before.has_value() || !ScheduleNext(client, *not_before)) --active;
  }
}

bool AppendLoop::ScheduleNext(Client* client, Clock::time_point not_before) {
  if (control_->stopped()) return false;
  const Schedule& schedule = client->schedule;
  const Clock::time_point now = Clock::now();
  // A paced client that fell behind stops at the end too rather than
  // working off its backlog; appends/s below --rate shows the shortfall.
  if (now >= schedule.end) return false;
  Clock::time_point at = std::max(not_before, now);
  if (schedule.interval_ns > 0) {
    // Paced appends are timed from their slot in the schedule, not from when
    // they went out: a slow answer delays the next sends, and timing from
    // the actual send would hide that delay (coordinated omission).
    client->intended =
        schedule.first_send +
        std::chrono::nanoseconds(static_cast<int64_t>(client->next_slot * schedule.interval_ns));
    ++client->next_slot;
    at = std::max(at, client->intended);
  }
  if (at >= schedule.end) return false;
  if (at > now) {
    // gRPC timers fire on whole milliseconds, late by up to one; a thread
    // with a single client has nothing else to wait for and can sleep to
    // the microsecond instead.
    if (clients_.size() > 1) {
      client->alarm.Set(&queue_, ToSystemTime(at), &client->alarm_tag);
      return true;
    }
    std::this_thread::sleep_until(at);
  }
  Send(client);
  return true;
}

void AppendLoop::Send(Client* client) {
  const Clock::time_point now = Clock::now();
  if (client->schedule.interval_ns <= 0) client->intended = now;
  client->request.set_stream(client->streams[client->sent_count % client->streams.size()]);
  ++client->sent_count;
  if (options_.client_ids) RefreshEventIds(&rng_, &client->request);
  client->context = std::make_unique<grpc::ClientContext>();
  client->context->set_deadline(std::chrono::system_clock::now() +
                                absl::ToChronoNanoseconds(options_.call_timeout));
  client->sent = now;
  client->call = client->stub->AsyncAppend(client->context.get(), client->request, &queue_);
  client->call->Finish(&client->response, &client->status, &client->call_tag);
}

std::optional<Clock::time_point> AppendLoop::OnAnswer(Client* client) {
  const Clock::time_point answered = Clock::now();
  const grpc::Status& status = client->status;
  if (client->intended >= client->schedule.measure_from) {
    stats_->last_answer = answered;
    if (status.ok()) {
      ++stats_->appends;
      stats_->events += options_.batch_events;
      stats_->latency_ns.Record(ToNanos(answered - client->intended));
      stats_->service_ns.Record(ToNanos(answered - client->sent));
    } else {
      stats_->errors.Add(status.error_code());
    }
  }
  if (status.ok()) {
    client->streak.Reset();
    return answered;
  }
  switch (client->streak.OnError(status, control_)) {
    case ErrorAction::kContinue:
      return answered;
    case ErrorAction::kBackOff:
      return answered + absl::ToChronoNanoseconds(kErrorBackoff);
    case ErrorAction::kStop:
      break;
  }
  return std::nullopt;
}

}  // namespace stakeledger::bench
