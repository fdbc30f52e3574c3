// `ledgerctl subscribe`: catch up from a position, then follow live until
// interrupted. SIGINT or SIGTERM cancels the call and ends with exit 0.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/event_text.h"
#include "clients/exit_code.h"
#include "clients/json_output.h"
#include "clients/signal_watcher.h"
#include "clients/status_text.h"
#include "clients/table.h"
#include "grpcpp/support/sync_stream.h"

namespace stakeledger::clients {
namespace {

struct SubscribeOptions {
  uint64_t from = 0;
  std::string stream_prefix;
  std::vector<std::string> event_types;
  uint32_t checkpoint_interval = 0;
};

v1::SubscribeRequest MakeRequest(const SubscribeOptions& options) {
  v1::SubscribeRequest request;
  request.set_from_position(options.from);
  request.mutable_filter()->set_stream_prefix(options.stream_prefix);
  for (const std::string& type : options.event_types) {
    request.mutable_filter()->add_event_types(type);
  }
  request.set_checkpoint_interval_events(options.checkpoint_interval);
  return request;
}

// Prints one response in JSON lines: the events, then the checkpoint, then
// the caught-up marker. Returns false when printing failed (reported).
bool PrintJsonResponse(const v1::SubscribeResponse& response) {
  for (const v1::RecordedEvent& event : response.events()) {
    if (PrintEventJsonLine(event) != kExitOk) return false;
  }
  if (response.has_checkpoint()) {
    const absl::StatusOr<std::string> line = CheckpointJsonLine(response.checkpoint());
    if (!line.ok()) {
      std::cerr << FormatStatusLine(line.status()) << std::endl;
      return false;
    }
    std::cout << *line << '\n';
  }
  if (response.caught_up()) std::cout << CaughtUpJsonLine() << '\n';
  return true;
}

// Prints one response as fixed-width rows, lining up under the header
// printed when the subscription started.
void PrintTableResponse(const v1::SubscribeResponse& response, const std::vector<Column>& columns) {
  for (const v1::RecordedEvent& event : response.events()) {
    std::cout << FormatFixedRow(columns, EventCells(event)) << '\n';
  }
  if (response.has_checkpoint()) {
    std::cout << "checkpoint at position " << response.checkpoint().position() << '\n';
  }
  if (response.caught_up()) std::cout << "caught up \u2014 following live\n";
}

// Where a subscription that ended now would resume: after the last event
// delivered or the last checkpoint, whichever is later.
uint64_t ResumePosition(const v1::SubscribeResponse& response, uint64_t resume_from) {
  for (const v1::RecordedEvent& event : response.events()) {
    resume_from = std::max(resume_from, event.position() + 1);
  }
  if (response.has_checkpoint()) {
    resume_from = std::max(resume_from, response.checkpoint().position() + 1);
  }
  return resume_from;
}

int RunSubscribe(const SubscribeOptions& options, const GlobalOptions& globals) {
  grpc::ClientContext context;
  // Before the channel exists, so that gRPC's threads inherit the mask.
  SignalWatcher watcher([&context] { context.TryCancel(); });
  Connection connection(globals);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      connection.stub().Subscribe(&context, MakeRequest(options));
  const std::vector<Column> columns = EventColumns();
  v1::SubscribeResponse response;
  bool printed = true;
  bool header_printed = false;
  bool answered = false;
  uint64_t resume_from = std::max<uint64_t>(options.from, 1);
  while (printed && reader->Read(&response)) {
    answered = true;
    resume_from = ResumePosition(response, resume_from);
    if (globals.json) {
      printed = PrintJsonResponse(response);
    } else {
      // The header waits for the first answer, so that a server that cannot
      // be reached gets its one error line and nothing else.
      if (!header_printed) std::cout << FormatFixedHeader(columns) << '\n';
      header_printed = true;
      PrintTableResponse(response, columns);
    }
    // Someone is watching, or piping into a tool that is: show each batch now.
    std::cout.flush();
  }
  if (!printed) {
    context.TryCancel();
    reader->Finish();
    return kExitServerError;
  }
  const grpc::Status status = reader->Finish();
  if (watcher.signalled() || status.ok()) return kExitOk;
  if (answered && status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    std::cerr << FormatStatusLine(DescribeBrokenSubscription(status, globals.server, resume_from))
              << std::endl;
    return kExitUnreachable;
  }
  return connection.ReportFailure(status);
}

}  // namespace

Command AddSubscribeCommand(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<SubscribeOptions>();
  CLI::App* app = main_app.add_subcommand(
      "subscribe", "Catch up from a position, then follow new events until interrupted");
  app->add_option("--from", options->from, "First position to deliver (0 or 1: the start)")
      ->check(UnsignedValidator<uint64_t>());
  app->add_option("--stream-prefix", options->stream_prefix,
                  "Only streams starting with this prefix");
  app->add_option("--type", options->event_types, "Only events of this type (repeatable)");
  app->add_option("--checkpoint-interval", options->checkpoint_interval,
                  "Checkpoint after this many scanned events (0: server default)")
      ->check(UnsignedValidator<uint32_t>());
  return {app, [options, &globals] { return RunSubscribe(*options, globals); }};
}

}  // namespace stakeledger::clients
