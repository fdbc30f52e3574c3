// ledger-bench: drives a running ledgerd over gRPC and prints what it
// measured.
//
//   ledger-bench append  --server HOST:PORT --clients N --batch B --duration-s S
//                        [--payload-bytes P] [--rate R] [--streams K]
//                        [--threads T] [--channels C] [--client-ids] [--warmup-s W]
//   ledger-bench fill    --server HOST:PORT --events N [--batch B] [--clients C]
//   ledger-bench catchup --server HOST:PORT [--from P] [--count N]
//   ledger-bench readall --server HOST:PORT [--from P] [--count N]
//   ledger-bench query   --server HOST:PORT --events N [--run ID] [--holders H]
//                        [--targets T] [--queries Q] [--query-clients C]
//   ledger-bench lag     --server HOST:PORT [--clients N] [--batch B] [--duration-s S]
//                        [--plain-payload-bytes P]
//
// Every command takes --json to print one JSON line instead of text.
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/bench_append.h"
#include "clients/bench_projection.h"
#include "clients/bench_read.h"
#include "clients/exit_code.h"

namespace stakeledger::bench {
namespace {

// Bounds of the time flags: a bench that runs for hours is a mistake.
constexpr int kDurationSecondsMax = 3600;
constexpr int kCallTimeoutMsMax = 600'000;

// Flags of the append command; durations stay integers until converted.
struct AppendFlags {
  AppendOptions options;
  int duration_s = 10;
  double warmup_s = 1;
  int call_timeout_ms = 10'000;
  bool json = false;
};

struct FillFlags {
  FillOptions options;
  bool json = false;
};

struct ReadFlags {
  ReadOptions options;
  int timeout_s = 600;
  bool json = false;
};

void AddServerAndJson(CLI::App* command, std::string* server, bool* json) {
  command->add_option("--server", *server, "ledgerd address, HOST:PORT")->required();
  command->add_flag("--json", *json, "Print one JSON line instead of text");
}

void AddAppendCommand(CLI::App* app, AppendFlags* flags) {
  CLI::App* command = app->add_subcommand("append", "Timed append load");
  AppendOptions& options = flags->options;
  AddServerAndJson(command, &options.server, &flags->json);
  command
      ->add_option("--clients", options.clients,
                   "Concurrent clients, each with one append in flight")
      ->capture_default_str()
      ->check(CLI::Range(1, kClientsMax));
  command
      ->add_option("--threads", options.threads,
                   "Threads the clients share (default: one per client; 1 or 2 leave a small "
                   "machine's CPU to the server)")
      ->check(CLI::Range(1, kClientsMax));
  command
      ->add_option("--channels", options.channels,
                   "Connections shared by the clients (default: one per client)")
      ->check(CLI::Range(1, kClientsMax));
  command->add_option("--batch", options.batch_events, "Events per Append")
      ->capture_default_str()
      ->check(CLI::Range(1, kBatchEventsMax));
  command->add_option("--payload-bytes", options.payload_bytes, "Bytes of each event's payload")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, kPayloadBytesMax));
  command->add_option("--duration-s", flags->duration_s, "Measured seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, kDurationSecondsMax));
  command->add_option("--warmup-s", flags->warmup_s, "Seconds run first and not counted")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60.0));
  command
      ->add_option("--rate", options.rate_appends_per_s,
                   "Total appends/s, paced on a fixed schedule (0: as fast as answered)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e7));
  command
      ->add_option("--streams", options.streams_per_client,
                   "Streams each client appends to in turn")
      ->capture_default_str()
      ->check(CLI::Range(1, kStreamsPerClientMax));
  command->add_flag("--client-ids", options.client_ids,
                    "Give every event a random client-made id (idempotency path)");
  command->add_option("--timeout-ms", flags->call_timeout_ms, "Deadline of one Append")
      ->capture_default_str()
      ->check(CLI::Range(1, kCallTimeoutMsMax));
}

void AddFillCommand(CLI::App* app, FillFlags* flags) {
  CLI::App* command = app->add_subcommand("fill", "Append exactly N events, fast");
  FillOptions& options = flags->options;
  AddServerAndJson(command, &options.server, &flags->json);
  command->add_option("--events", options.events, "Events to append")
      ->required()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000'000}));
  command->add_option("--batch", options.batch_events, "Events per Append")
      ->capture_default_str()
      ->check(CLI::Range(1, kBatchEventsMax));
  command->add_option("--clients", options.clients, "Concurrent clients")
      ->capture_default_str()
      ->check(CLI::Range(1, kClientsMax));
  command->add_option("--payload-bytes", options.payload_bytes, "Bytes of each event's payload")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, kPayloadBytesMax));
  command->add_flag("--client-ids", options.client_ids,
                    "Client-made event ids, so that retried appends are replays");
}

CLI::App* AddReadCommand(CLI::App* app, const std::string& name, const std::string& help,
                         ReadFlags* flags) {
  CLI::App* command = app->add_subcommand(name, help);
  ReadOptions& options = flags->options;
  AddServerAndJson(command, &options.server, &flags->json);
  command->add_option("--from", options.from_position, "First position")->capture_default_str();
  command->add_option("--count", options.count, "Stop after this many events (0: no limit)")
      ->capture_default_str();
  command->add_flag("--include-record", options.include_record,
                    "Ask for each event's stored bytes too");
  command->add_option("--timeout-s", flags->timeout_s, "Deadline of the whole read")
      ->capture_default_str()
      ->check(CLI::Range(1, kDurationSecondsMax));
  return command;
}

struct QueryFlags {
  QueryOptions options;
  bool json = false;
};

struct LagFlags {
  LagOptions options;
  int duration_s = 10;
  bool json = false;
};

// A run name of its own for every run that is not given one.
std::string DefaultRun() { return absl::StrCat("b", absl::ToUnixSeconds(absl::Now())); }

void AddHistoryOptions(CLI::App* command, SyntheticHistory* history) {
  command->add_option("--run", history->run, "Names this run's entities and announcements")
      ->capture_default_str();
  command->add_option("--holders", history->holders, "Holder entities")
      ->capture_default_str()
      ->check(CLI::Range(1, kSyntheticNamesMax));
  command->add_option("--targets", history->targets, "Target entities")
      ->capture_default_str()
      ->check(CLI::Range(1, kSyntheticNamesMax));
}

void AddQueryCommand(CLI::App* app, QueryFlags* flags) {
  CLI::App* command =
      app->add_subcommand("query", "Build a synthetic history, then time as-of GetStake calls");
  QueryOptions& options = flags->options;
  AddServerAndJson(command, &options.history.server, &flags->json);
  AddHistoryOptions(command, &options.history);
  command
      ->add_option("--events", options.history.events,
                   "Announcements to append first (0: query a history built before with the "
                   "same --run, --holders and --targets)")
      ->required()
      ->check(CLI::Range(uint64_t{0}, uint64_t{1'000'000'000}));
  command->add_option("--batch", options.history.batch_events, "Announcements per Append")
      ->capture_default_str()
      ->check(CLI::Range(1, kAnnouncementBatchMax));
  command->add_option("--clients", options.history.clients, "Concurrent appenders")
      ->capture_default_str()
      ->check(CLI::Range(1, kClientsMax));
  command->add_option("--queries", options.queries, "GetStake calls timed")
      ->capture_default_str()
      ->check(CLI::Range(1, kQueriesMax));
  command->add_option("--query-clients", options.clients, "Concurrent query clients")
      ->capture_default_str()
      ->check(CLI::Range(1, kClientsMax));
}

void AddLagCommand(CLI::App* app, LagFlags* flags) {
  CLI::App* command = app->add_subcommand(
      "lag", "Batched announcement appends; time until the projection applied each");
  LagOptions& options = flags->options;
  AddServerAndJson(command, &options.history.server, &flags->json);
  AddHistoryOptions(command, &options.history);
  command->add_option("--clients", options.clients, "Concurrent appenders")
      ->capture_default_str()
      ->check(CLI::Range(1, kClientsMax));
  command->add_option("--batch", options.batch_events, "Announcements per Append")
      ->capture_default_str()
      ->check(CLI::Range(1, kAnnouncementBatchMax));
  command->add_option("--duration-s", flags->duration_s, "Seconds of appends")
      ->capture_default_str()
      ->check(CLI::Range(1, kDurationSecondsMax));
  command
      ->add_option("--plain-payload-bytes", options.plain_payload_bytes,
                   "Append ordinary events of this many bytes (the append benchmark's load, "
                   "which the projection skips) instead of announcements")
      ->check(CLI::Range(0, static_cast<int>(kPayloadBytesMax)));
}

// Exit codes are ledgerctl's (exit_code.h), so scripts treat both tools alike.
using clients::kExitOk;
using clients::kExitServerError;
using clients::kExitUnreachable;

// Prints `report` (stdout) and why the run stopped early, if it did
// (stderr). Returns the exit code.
int Finish(const std::string& report, const std::string& stop_reason) {
  std::fputs(report.c_str(), stdout);
  if (stop_reason.empty()) return kExitOk;
  std::fprintf(stderr, "ledger-bench: stopped early: %s\n", stop_reason.c_str());
  return kExitServerError;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "ledger-bench: %s\n", status.ToString().c_str());
  return absl::IsUnavailable(status) ? kExitUnreachable : kExitServerError;
}

int RunAppendCommand(AppendFlags* flags) {
  AppendOptions& options = flags->options;
  // --channels defaults to one per client; more channels than clients would
  // leave some unused.
  if (options.channels == 0 || options.channels > options.clients) {
    options.channels = options.clients;
  }
  // Likewise --threads: by default every client has a thread of its own.
  if (options.threads == 0 || options.threads > options.clients) {
    options.threads = options.clients;
  }
  options.duration = absl::Seconds(flags->duration_s);
  options.warmup = absl::Seconds(flags->warmup_s);
  options.call_timeout = absl::Milliseconds(flags->call_timeout_ms);
  const absl::StatusOr<AppendReport> report = RunAppend(options);
  if (!report.ok()) return Fail(report.status());
  return Finish(FormatAppendReport(options, *report, flags->json), report->stop_reason);
}

int RunFillCommand(const FillFlags& flags) {
  const absl::StatusOr<AppendReport> report = RunFill(flags.options);
  if (!report.ok()) return Fail(report.status());
  return Finish(FormatFillReport(flags.options, *report, flags.json), report->stop_reason);
}

int RunReadCommand(const std::string& mode, ReadFlags* flags) {
  flags->options.timeout = absl::Seconds(flags->timeout_s);
  const absl::StatusOr<ReadReport> report =
      mode == "catchup" ? RunCatchup(flags->options) : RunReadAll(flags->options);
  if (!report.ok()) return Fail(report.status());
  return Finish(FormatReadReport(mode, flags->options, *report, flags->json), "");
}

int RunQueryCommand(const QueryFlags& flags) {
  const absl::StatusOr<QueryReport> report = RunQuery(flags.options);
  if (!report.ok()) return Fail(report.status());
  return Finish(FormatQueryReport(flags.options, *report, flags.json), "");
}

int RunLagCommand(LagFlags* flags) {
  flags->options.duration = absl::Seconds(flags->duration_s);
  const absl::StatusOr<LagReport> report = RunLag(flags->options);
  if (!report.ok()) return Fail(report.status());
  return Finish(FormatLagReport(flags->options, *report, flags->json), "");
}

int Main(int argc, char** argv) {
  // Debian's Abseil is built with the Mutex deadlock detector on; it keeps a
  // lock graph for every absl::Mutex gRPC creates and destroys per call, which
  // costs the client CPU that the server on the same machine should get.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"ledger-bench: load generator for ledgerd"};
  app.require_subcommand(1);
  AppendFlags append;
  FillFlags fill;
  ReadFlags catchup;
  ReadFlags readall;
  // Resolved once --clients is known.
  append.options.channels = 0;
  append.options.threads = 0;
  AddAppendCommand(&app, &append);
  AddFillCommand(&app, &fill);
  CLI::App* catchup_command =
      AddReadCommand(&app, "catchup", "One Subscribe until caught up", &catchup);
  catchup_command
      ->add_option("--checkpoint-interval", catchup.options.checkpoint_interval_events,
                   "Events scanned between checkpoints (0: server default)")
      ->capture_default_str();
  AddReadCommand(&app, "readall", "One ReadAll to the end of the log", &readall);
  QueryFlags query;
  LagFlags lag;
  query.options.history.run = DefaultRun();
  lag.options.history.run = DefaultRun();
  lag.options.history.holders = 100;
  lag.options.history.targets = 100;
  AddQueryCommand(&app, &query);
  AddLagCommand(&app, &lag);
  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("append")) return RunAppendCommand(&append);
  if (app.got_subcommand("fill")) return RunFillCommand(fill);
  if (app.got_subcommand("query")) return RunQueryCommand(query);
  if (app.got_subcommand("lag")) return RunLagCommand(&lag);
  if (app.got_subcommand("catchup")) return RunReadCommand("catchup", &catchup);
  return RunReadCommand("readall", &readall);
}

}  // namespace
}  // namespace stakeledger::bench

int main(int argc, char** argv) { return stakeledger::bench::Main(argc, argv); }
