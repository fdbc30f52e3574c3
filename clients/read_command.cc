// `ledgerctl read`: one stream (ReadStream) or the whole log (ReadAll).
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/audit_client.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/event_text.h"
#include "clients/exit_code.h"
#include "clients/table.h"
#include "grpcpp/support/sync_stream.h"

namespace stakeledger::clients {
namespace {

struct ReadOptions {
  std::string stream;
  bool all = false;
  uint64_t from = 0;
  bool from_given = false;  // Set from the --from option's count after parsing.
  bool backwards = false;
  uint64_t count = 0;
  std::string stream_prefix;
  std::vector<std::string> event_types;
  // Check each event's record bytes against the verified signed head.
  bool verify = false;
  std::string trust_dir;
};

v1::ReadStreamRequest MakeStreamRequest(const ReadOptions& options) {
  v1::ReadStreamRequest request;
  request.set_stream(options.stream);
  request.set_from_revision(options.from);
  // Backwards without a starting revision means from the stream's head.
  request.set_from_end(options.backwards && !options.from_given);
  request.set_direction(options.backwards ? v1::BACKWARDS : v1::FORWARDS);
  request.set_count(options.count);
  request.set_include_record(options.verify);
  return request;
}

v1::ReadAllRequest MakeAllRequest(const ReadOptions& options) {
  v1::ReadAllRequest request;
  // Position 0 is the start forwards and the end backwards, which is what
  // an absent --from means in either direction.
  request.set_from_position(options.from_given ? options.from : 0);
  request.set_direction(options.backwards ? v1::BACKWARDS : v1::FORWARDS);
  request.set_count(options.count);
  request.mutable_filter()->set_stream_prefix(options.stream_prefix);
  for (const std::string& type : options.event_types) {
    request.mutable_filter()->add_event_types(type);
  }
  request.set_include_record(options.verify);
  return request;
}

// Checks every event's record bytes against the signed head, verified
// against the trusted one first (audit_client.h).
int VerifyEvents(const std::vector<v1::RecordedEvent>& events, const ReadOptions& options,
                 const GlobalOptions& globals, Connection* connection) {
  const std::string dir = options.trust_dir.empty() ? DefaultTrustDir() : options.trust_dir;
  if (dir.empty()) {
    return ReportUsageError(
        absl::InvalidArgumentError("no trust directory: set --trust-dir, XDG_CONFIG_HOME or HOME"));
  }
  AuditClient audit(connection, TrustFilePath(dir, globals.server));
  absl::StatusOr<TrustedHead> head = audit.FetchVerifiedHead(std::cerr);
  if (!head.ok()) return ReportAuditFailure(*connection, head.status());
  for (const v1::RecordedEvent& event : events) {
    const absl::Status included = audit.CheckInclusion(*head, event.position(), event.record());
    if (!included.ok()) return ReportAuditFailure(*connection, included);
  }
  std::cerr << "verified " << events.size() << " events against tree head " << DescribeHead(*head)
            << std::endl;
  return kExitOk;
}

// Prints every event the reader delivers, then finishes the call. Keeps
// the events in `kept` when it is not null.
int PrintEvents(grpc::ClientReader<v1::ReadResponse>& reader, const Connection& connection,
                bool json, std::vector<v1::RecordedEvent>* kept) {
  TablePrinter table(EventColumns(), &std::cout);
  v1::ReadResponse response;
  int exit_code = kExitOk;
  while (exit_code == kExitOk && reader.Read(&response)) {
    for (v1::RecordedEvent& event : *response.mutable_events()) {
      if (kept != nullptr) {
        kept->push_back(event);
        event.clear_record();  // checked, not printed
      }
      if (json) {
        exit_code = PrintJsonLine(event);
        if (exit_code != kExitOk) break;
      } else {
        table.AddRow(EventCells(event));
      }
    }
  }
  table.Flush();
  std::cout.flush();
  const grpc::Status status = reader.Finish();
  if (!status.ok()) return connection.ReportFailure(status);
  if (!json && table.row_count() == 0) std::cout << "(no events)" << std::endl;
  return exit_code;
}

int RunRead(const ReadOptions& options, const GlobalOptions& globals) {
  if (options.all == !options.stream.empty()) {
    return ReportUsageError(absl::InvalidArgumentError("read needs a STREAM or --all"));
  }
  Connection connection(globals);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::ReadResponse>> reader =
      options.all ? connection.stub().ReadAll(&context, MakeAllRequest(options))
                  : connection.stub().ReadStream(&context, MakeStreamRequest(options));
  std::vector<v1::RecordedEvent> kept;
  const int printed =
      PrintEvents(*reader, connection, globals.json, options.verify ? &kept : nullptr);
  if (printed != kExitOk || !options.verify) return printed;
  return VerifyEvents(kept, options, globals, &connection);
}

}  // namespace

Command AddReadCommand(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<ReadOptions>();
  CLI::App* app = main_app.add_subcommand("read", "Read events of one stream or of the log");
  CLI::Option* stream = app->add_option("stream", options->stream, "Stream to read");
  CLI::Option* all = app->add_flag("--all", options->all, "Read the whole log");
  all->excludes(stream);
  CLI::Option* from = app->add_option("--from", options->from,
                                      "First revision (STREAM) or position (--all) to return");
  app->add_flag("--backwards", options->backwards,
                "Newest first; without --from, start at the end");
  app->add_option("--count", options->count, "At most this many events (0: no limit)");
  app->add_option("--stream-prefix", options->stream_prefix,
                  "Only streams starting with this (--all only)")
      ->needs(all);
  app->add_option("--type", options->event_types, "Only events of this type (repeatable, --all)")
      ->needs(all);
  app->add_flag("--verify", options->verify,
                "Check each event's record bytes against the signed tree head (see verify)");
  app->add_option("--trust-dir", options->trust_dir,
                  "Where the pinned key and trusted head live (with --verify)");
  return {app, [options, from, &globals] {
            options->from_given = from->count() > 0;
            return RunRead(*options, globals);
          }};
}

}  // namespace stakeledger::clients
