// `ledgerctl append`: one event, checked locally before it is sent.
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/event_input.h"
#include "clients/event_text.h"
#include "clients/exit_code.h"
#include "clients/expected_revision.h"
#include "clients/table.h"

namespace stakeledger::clients {
namespace {

struct AppendOptions {
  std::string stream;
  std::string event_type;
  std::string data;
  std::string event_id;
  std::string expected_revision = "any";
  std::string content_type = kJsonContentType;
  std::vector<std::string> metadata;
};

// Builds the request from the flags, reading the payload. Every error is
// the user's to fix (INVALID_ARGUMENT) and nothing has been sent yet.
absl::StatusOr<v1::AppendRequest> BuildRequest(const AppendOptions& options) {
  absl::StatusOr<v1::ExpectedRevision> expected = ParseExpectedRevision(options.expected_revision);
  if (!expected.ok()) return expected.status();
  absl::StatusOr<std::map<std::string, std::string>> metadata = ParseMetadata(options.metadata);
  if (!metadata.ok()) return metadata.status();
  absl::StatusOr<std::string> payload = LoadData(options.data, std::cin);
  if (!payload.ok()) return payload.status();
  if (IsJsonContentType(options.content_type)) {
    const absl::Status json = CheckJsonData(*payload);
    if (!json.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(json.message(), "; the content type is ",
                                                     options.content_type,
                                                     " (use --content-type for other payloads)"));
    }
  }
  v1::AppendRequest request;
  request.set_stream(options.stream);
  *request.mutable_expected_revision() = *expected;
  v1::ProposedEvent& event = *request.add_events();
  event.set_event_id(options.event_id);
  event.set_event_type(options.event_type);
  event.set_content_type(options.content_type);
  event.set_payload(*std::move(payload));
  event.mutable_metadata()->insert(metadata->begin(), metadata->end());
  return request;
}

void PrintAppendTable(const std::string& stream, const v1::AppendResponse& response) {
  TablePrinter table({{"STREAM", Align::kLeft, 40},
                      {"POSITION", Align::kRight},
                      {"REVISION", Align::kRight},
                      {"RECORDED AT", Align::kLeft},
                      {"REPLAY", Align::kLeft}},
                     &std::cout);
  table.AddRow({stream, FormatRange(response.first_position(), response.last_position()),
                FormatRange(response.first_revision(), response.next_expected_revision()),
                FormatTimestamp(response.recorded_at()),
                response.idempotent_replay() ? "yes" : "no"});
  table.Flush();
}

int RunAppend(const AppendOptions& options, const GlobalOptions& globals) {
  const absl::StatusOr<v1::AppendRequest> request = BuildRequest(options);
  if (!request.ok()) return ReportUsageError(request.status());
  Connection connection(globals);
  const std::unique_ptr<grpc::ClientContext> context = connection.NewUnaryContext();
  v1::AppendResponse response;
  const grpc::Status status = connection.stub().Append(context.get(), *request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (globals.json) return PrintJsonLine(response);
  PrintAppendTable(options.stream, response);
  return kExitOk;
}

}  // namespace

Command AddAppendCommand(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<AppendOptions>();
  CLI::App* app = main_app.add_subcommand("append", "Append one event to a stream");
  app->add_option("stream", options->stream, "Stream name")->required();
  app->add_option("--type", options->event_type, "Event type")->required();
  app->add_option("--data", options->data, "Payload: inline text, @FILE, or - for stdin")
      ->required();
  app->add_option("--id", options->event_id, "Event UUID, for idempotent retries");
  app->add_option("--expected-revision", options->expected_revision,
                  "any, no-stream, exists or the stream's current revision N")
      ->capture_default_str();
  app->add_option("--content-type", options->content_type, "Payload content type")
      ->capture_default_str();
  app->add_option("--metadata", options->metadata, "Metadata entry KEY=VALUE (repeatable)");
  return {app, [options, &globals] { return RunAppend(*options, globals); }};
}

}  // namespace stakeledger::clients
