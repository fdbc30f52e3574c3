// `ledgerctl read`: one stream (ReadStream) or the whole log (ReadAll).
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
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
};

v1::ReadStreamRequest MakeStreamRequest(const ReadOptions& options) {
  v1::ReadStreamRequest request;
  request.set_stream(options.stream);
  request.set_from_revision(options.from);
  // Backwards without a starting revision means from the stream's head.
  request.set_from_end(options.backwards && !options.from_given);
  request.set_direction(options.backwards ? v1::BACKWARDS : v1::FORWARDS);
  request.set_count(options.count);
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
  return request;
}

// Prints every event the reader delivers, then finishes the call.
int PrintEvents(grpc::ClientReader<v1::ReadResponse>& reader, const Connection& connection,
                bool json) {
  TablePrinter table(EventColumns(), &std::cout);
  v1::ReadResponse response;
  int exit_code = kExitOk;
  while (exit_code == kExitOk && reader.Read(&response)) {
    for (const v1::RecordedEvent& event : response.events()) {
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
  return PrintEvents(*reader, connection, globals.json);
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
  return {app, [options, from, &globals] {
            options->from_given = from->count() > 0;
            return RunRead(*options, globals);
          }};
}

}  // namespace stakeledger::clients
