// ledgerd: the stakeledger server.
//
//   ledgerd --data-dir DIR [--listen HOST:PORT] [--signing-key FILE] [limits...]
//           [--projections=off]   (diagnostic: see ServerOptions::projections)
//   ledgerd check --data-dir DIR   (server stopped; see storage/log_check.h)
//
// Prints "ledgerd listening on HOST:PORT" once it serves. SIGINT or SIGTERM
// stop it cleanly (see LedgerServer::Shutdown).
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "service/ledger_server.h"
#include "storage/db.h"
#include "storage/log_check.h"
#include "storage/merkle_store.h"
#include "verify/merkle_hash.h"

namespace {

void AddLimitFlags(CLI::App& app, stakeledger::storage::Limits& limits) {
  app.add_option("--event-payload-bytes-max", limits.event_payload_bytes_max,
                 "Bytes of one event's payload")
      ->capture_default_str();
  app.add_option("--append-events-max", limits.append_events_max, "Events in one append")
      ->capture_default_str();
  app.add_option("--append-payload-bytes-max", limits.append_payload_bytes_max,
                 "Payload bytes in one append")
      ->capture_default_str();
  app.add_option("--stream-name-bytes-max", limits.stream_name_bytes_max, "Bytes of a stream name")
      ->capture_default_str();
  app.add_option("--subscribers-max", limits.subscribers_max, "Concurrent subscriptions")
      ->capture_default_str();
  app.add_option("--subscriber-buffer-events-max", limits.subscriber_buffer_events_max,
                 "Live events buffered per subscriber before it is served from storage")
      ->capture_default_str();
  app.add_option("--subscriber-buffer-bytes-max", limits.subscriber_buffer_bytes_max,
                 "Memory of the live events buffered per subscriber")
      ->capture_default_str();
  app.add_option("--append-queue-requests-max", limits.append_queue_requests_max,
                 "Appends waiting for the writer")
      ->capture_default_str();
  app.add_option("--writer-batch-events-max", limits.writer_batch_events_max,
                 "Events in one group commit")
      ->capture_default_str();
  app.add_option("--projection-cache-bytes-max", limits.projection_cache_bytes_max,
                 "Memory of the projections' block cache (the as-of query indexes)")
      ->capture_default_str();
}

// `ledgerd check`: 0 when the store is sound, 1 with the first problem on
// stderr, 2 when the store cannot be opened (a running server holds it).
int RunCheck(const std::string& data_dir) {
  struct stat info;
  if (stat(data_dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    std::cerr << "ledgerd check: no data directory '" << data_dir << "'\n";
    return 2;
  }
  auto db = stakeledger::storage::Database::Open(data_dir);
  if (!db.ok()) {
    std::cerr << "ledgerd check: " << db.status().ToString() << " (is ledgerd still running?)\n";
    return 2;
  }
  // Not damage: a tree kept by an earlier build, rebuilt when ledgerd next
  // opens the store. Checking it as it is would report every node missing.
  auto earlier = stakeledger::storage::HasEarlierMerkleLayout(**db);
  if (!earlier.ok() || *earlier) {
    std::cerr << "ledgerd check: "
              << (earlier.ok() ? "the Merkle tree is in the layout of an earlier build; start "
                                 "ledgerd once on this directory (it rebuilds the tree from the "
                                 "records), stop it, and check again"
                               : earlier.status().ToString())
              << "\n";
    return 2;
  }
  auto report = stakeledger::storage::CheckLog(**db);
  if (!report.ok()) {
    std::cerr << "ledgerd check: " << report.status().ToString() << "\n";
    return 2;
  }
  if (!report->ok()) {
    std::cerr << "ledgerd check: FAILED at " << report->problem << " (" << report->records
              << " records before it are sound)" << std::endl;
    return 1;
  }
  std::cout << "ledgerd check: " << report->records << " records sound; tree size "
            << report->head.size << ", root " << stakeledger::verify::ToHex(report->head.root)
            << std::endl;
  return 0;
}

// What to add to a start error: RocksDB's lock on the data directory
// failing is almost always another ledgerd holding it, as `ledgerd check`
// says too.
std::string StartErrorHint(const absl::Status& status) {
  return absl::StrContains(status.message(), "While lock file") ? " (is ledgerd still running?)"
                                                                : "";
}

// Blocks until SIGINT or SIGTERM; returns the signal.
int WaitForStopSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ledgerd: the stakeledger event log server"};
  stakeledger::service::ServerOptions options;
  app.add_option("--data-dir", options.data_dir, "Directory of the RocksDB log")->required();
  app.add_option("--listen", options.listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--signing-key", options.signing_key_path,
                 "Ed25519 seed file signing tree heads (default: DATA_DIR/signing_key, "
                 "created with mode 0600 on first start)");
  app.add_option("--domain-snapshot-every-announcements-min",
                 options.domain_snapshot_every_announcements_min,
                 "Write the domain snapshot in the background once this many announcements were "
                 "appended since the last (it is also written on a clean stop)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--domain-snapshot-bytes-max", options.domain_snapshot_bytes_max,
                 "Largest domain snapshot written (past it, starts rebuild the state from the log)")
      ->capture_default_str();
  app.add_option("--rebuild-buffer-bytes-max", options.rebuild_buffer_bytes_max,
                 "Memory a projection rebuild folds in before it writes (about 285 bytes per "
                 "announcement; a rebuild that fits needs no compaction of its writes; default: "
                 "a quarter of this machine's memory, at most 4 GiB)")
      ->check(CLI::Range(stakeledger::storage::kRebuildBufferBytesFloor,
                         stakeledger::storage::kRebuildBufferBytesCeiling))
      ->capture_default_str();
  std::string projections = "on";
  app.add_option("--projections", projections,
                 "on, or off as a diagnostic for benchmarks: no projection runs and the "
                 "Projections service answers FAILED_PRECONDITION")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  AddLimitFlags(app, options.limits);
  CLI::App* check = app.add_subcommand(
      "check",
      "Check the stopped server's store: re-hash every record, rebuild the Merkle "
      "tree, compare with the stored tree and the indexes");
  // `ledgerd check --data-dir DIR`: the flag after the subcommand is the
  // main app's.
  check->fallthrough();
  CLI11_PARSE(app, argc, argv);
  if (check->parsed()) return RunCheck(options.data_dir);
  options.projections = projections == "on";

  // Block the stop signals in every thread (gRPC's and RocksDB's inherit
  // this mask) so that only the main thread receives them, in sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // RocksDB creates a missing data directory, so a mistyped --data-dir
  // would silently start an empty ledger: say so on the console.
  struct stat current;
  const bool existed = stat((options.data_dir + "/CURRENT").c_str(), &current) == 0;
  auto server = stakeledger::service::LedgerServer::Start(options);
  if (!server.ok()) {
    std::cerr << "ledgerd: " << server.status().ToString() << StartErrorHint(server.status())
              << "\n";
    return 1;
  }
  std::cout << "ledgerd listening on " << options.listen.substr(0, options.listen.rfind(':')) << ":"
            << (*server)->port() << " (data in " << options.data_dir << ")" << std::endl;
  // After the "listening" line, which scripts and tests wait for first.
  const stakeledger::service::DomainLoadReport& loaded = (*server)->domain_load_report();
  if (!loaded.snapshot_ignored.empty()) {
    std::cerr << "ledgerd: ignored the domain snapshot (" << loaded.snapshot_ignored
              << "); rebuilt the domain state from the log" << std::endl;
  }
  if (loaded.from_snapshot) {
    std::cout << "ledgerd: loaded the domain snapshot at position " << loaded.snapshot_position
              << ", then folded " << loaded.folded_events << " events" << std::endl;
  }
  for (const std::string& skipped : loaded.skipped) {
    std::cerr << "ledgerd: skipped a domain event at " << skipped << "\n";
  }
  std::cout << "ledgerd: " << (existed ? "opened the log" : "created a new, empty log")
            << ": head position " << (*server)->head_position() << ", " << loaded.entities
            << " entities and " << loaded.announcements << " announcements" << std::endl;
  for (const stakeledger::storage::ProjectionStatus& status : (*server)->projection_status()) {
    if (status.replaced_layout_version == 0) continue;
    std::cout << "ledgerd: projection " << status.name << " was stored in layout "
              << status.replaced_layout_version << "; this build writes layout "
              << status.layout_version
              << ", so it folds the log again (queries answer from what it has folded meanwhile, "
                 "`ledgerctl projections` shows how far it is)"
              << std::endl;
  }
  const int signal = WaitForStopSignal(signals);
  std::cout << "ledgerd: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ", stopping after in-flight appends" << std::endl;
  (*server)->Shutdown();
  std::cout << "ledgerd: stopped" << std::endl;
  return 0;
}
