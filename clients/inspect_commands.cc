// `ledgerctl streams`, `stream NAME` and `info`: the unary inspection calls.
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/event_text.h"
#include "clients/exit_code.h"
#include "clients/status_text.h"
#include "clients/table.h"

namespace stakeledger::clients {
namespace {

// Pages of ListStreams followed before giving up: a server that never
// returns an empty page token would otherwise keep ledgerctl forever.
constexpr uint64_t kListStreamsPagesMax = uint64_t{1} << 20;

struct StreamsOptions {
  std::string prefix;
  uint32_t page_size = 0;
};

std::vector<Column> StreamColumns() {
  return {{"STREAM", Align::kLeft, 64},
          {"HEAD REVISION", Align::kRight},
          {"EVENTS", Align::kRight},
          {"FIRST POSITION", Align::kRight},
          {"LAST POSITION", Align::kRight}};
}

std::vector<std::string> StreamCells(const v1::StreamInfo& info) {
  return {info.stream(), absl::StrCat(info.head_revision()), absl::StrCat(info.event_count()),
          absl::StrCat(info.first_position()), absl::StrCat(info.last_position())};
}

// Prints one page: JSON lines at once, table rows into `table`.
int PrintStreamsPage(const v1::ListStreamsResponse& page, bool json, TablePrinter& table) {
  for (const v1::StreamInfo& info : page.streams()) {
    if (!json) {
      table.AddRow(StreamCells(info));
      continue;
    }
    const int exit_code = PrintJsonLine(info);
    if (exit_code != kExitOk) return exit_code;
  }
  return kExitOk;
}

int RunStreams(const StreamsOptions& options, const GlobalOptions& globals) {
  Connection connection(globals);
  TablePrinter table(StreamColumns(), &std::cout);
  v1::ListStreamsRequest request;
  request.set_prefix(options.prefix);
  request.set_page_size(options.page_size);
  for (uint64_t pages = 0; pages < kListStreamsPagesMax; ++pages) {
    const std::unique_ptr<grpc::ClientContext> context = connection.NewUnaryContext();
    v1::ListStreamsResponse page;
    const grpc::Status status = connection.stub().ListStreams(context.get(), request, &page);
    if (!status.ok()) return connection.ReportFailure(status);
    const int exit_code = PrintStreamsPage(page, globals.json, table);
    if (exit_code != kExitOk) return exit_code;
    if (page.next_page_token().empty()) {
      table.Flush();
      if (!globals.json && table.row_count() == 0) std::cout << "(no streams)\n";
      return kExitOk;
    }
    if (page.next_page_token() == request.page_token()) break;
    request.set_page_token(page.next_page_token());
  }
  table.Flush();
  std::cerr << FormatStatusLine(absl::InternalError(
                   absl::StrCat("ListStreams did not reach its last page (a repeated page "
                                "token, or more than ",
                                kListStreamsPagesMax, " pages)")))
            << std::endl;
  return kExitServerError;
}

int RunStream(const std::string& name, const GlobalOptions& globals) {
  Connection connection(globals);
  const std::unique_ptr<grpc::ClientContext> context = connection.NewUnaryContext();
  v1::GetStreamRequest request;
  request.set_stream(name);
  v1::StreamInfo info;
  const grpc::Status status = connection.stub().GetStream(context.get(), request, &info);
  if (!status.ok()) return connection.ReportFailure(status);
  if (globals.json) return PrintJsonLine(info);
  std::cout << FormatKeyValues({{"stream", info.stream()},
                                {"head revision", absl::StrCat(info.head_revision())},
                                {"events", absl::StrCat(info.event_count())},
                                {"first position", absl::StrCat(info.first_position())},
                                {"last position", absl::StrCat(info.last_position())}});
  return kExitOk;
}

int RunInfo(const GlobalOptions& globals) {
  Connection connection(globals);
  const std::unique_ptr<grpc::ClientContext> context = connection.NewUnaryContext();
  v1::LogInfo info;
  const grpc::Status status =
      connection.stub().GetLogInfo(context.get(), v1::GetLogInfoRequest(), &info);
  if (!status.ok()) return connection.ReportFailure(status);
  if (globals.json) return PrintJsonLine(info);
  std::cout << FormatKeyValues({{"server", globals.server},
                                {"head position", absl::StrCat(info.head_position())},
                                {"streams", absl::StrCat(info.stream_count())},
                                {"head recorded at", FormatTimestamp(info.head_recorded_at())}});
  return kExitOk;
}

}  // namespace

std::vector<Command> AddInspectCommands(CLI::App& main_app, const GlobalOptions& globals) {
  auto streams = std::make_shared<StreamsOptions>();
  CLI::App* streams_app = main_app.add_subcommand("streams", "List streams, all pages");
  streams_app->add_option("--prefix", streams->prefix, "Only streams starting with this");
  streams_app
      ->add_option("--page-size", streams->page_size, "Streams per request (0: server default)")
      ->check(UnsignedValidator<uint32_t>());

  auto name = std::make_shared<std::string>();
  CLI::App* stream_app = main_app.add_subcommand("stream", "Show one stream");
  stream_app->add_option("name", *name, "Stream name")->required();

  CLI::App* info_app = main_app.add_subcommand("info", "Show the log's head and size");
  return {{streams_app, [streams, &globals] { return RunStreams(*streams, globals); }},
          {stream_app, [name, &globals] { return RunStream(*name, globals); }},
          {info_app, [&globals] { return RunInfo(globals); }}};
}

}  // namespace stakeledger::clients
