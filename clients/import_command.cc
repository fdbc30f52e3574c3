// `ledgerctl import PATH...`: checks every line of the data set first, then
// appends what the ledger does not hold yet (entities, then announcements)
// under name-based event ids, so a second run writes nothing.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/domain_fetch.h"
#include "clients/exit_code.h"
#include "clients/progress.h"
#include "clients/status_text.h"
#include "clients/text.h"
#include "domain/data_set.h"
#include "domain/events.h"

namespace stakeledger::clients {
namespace {

// Events per Append request, and their payload bytes: far below the
// server's limits, small enough for the progress to move.
constexpr size_t kBatchEventsMax = 100;
constexpr size_t kBatchBytesMax = size_t{4} << 20;

struct ImportOptions {
  std::vector<std::string> paths;
};

struct Counts {
  size_t written = 0;
  size_t present = 0;
};

struct Pending {
  const char* stream;
  std::vector<v1::ProposedEvent> events;
  size_t already_present = 0;
};

// Appends `events` (one request) to `stream`. A batch that partly exists
// (another import ran meanwhile) is ALREADY_EXISTS as a whole; it is then
// sent one event at a time, where ALREADY_EXISTS is a real conflict.
grpc::Status AppendBatch(Connection& connection, const std::string& stream,
                         const std::vector<v1::ProposedEvent>& events, bool one_by_one,
                         Counts* counts) {
  if (one_by_one && events.size() > 1) {
    for (const v1::ProposedEvent& event : events) {
      grpc::Status status = AppendBatch(connection, stream, {event}, false, counts);
      if (!status.ok()) return status;
    }
    return grpc::Status::OK;
  }
  v1::AppendRequest request;
  request.set_stream(stream);
  request.mutable_expected_revision()->set_kind(v1::ExpectedRevision::ANY);
  for (const v1::ProposedEvent& event : events) *request.add_events() = event;
  v1::AppendResponse response;
  const std::unique_ptr<grpc::ClientContext> context = connection.NewUnaryContext();
  grpc::Status status = connection.stub().Append(context.get(), request, &response);
  if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS && events.size() > 1) {
    return AppendBatch(connection, stream, events, true, counts);
  }
  if (!status.ok()) return status;
  (response.idempotent_replay() ? counts->present : counts->written) += events.size();
  return grpc::Status::OK;
}

// Appends `pending.events` in batches, reporting progress.
grpc::Status AppendAll(Connection& connection, const Pending& pending, ProgressReporter* progress,
                       size_t* done, Counts* counts) {
  const std::vector<v1::ProposedEvent>& events = pending.events;
  for (size_t i = 0; i < events.size();) {
    std::vector<v1::ProposedEvent> batch;
    size_t batch_bytes = 0;
    while (i < events.size() && batch.size() < kBatchEventsMax &&
           (batch.empty() || batch_bytes + events[i].payload().size() <= kBatchBytesMax)) {
      batch_bytes += events[i].payload().size();
      batch.push_back(events[i++]);
    }
    grpc::Status status = AppendBatch(connection, pending.stream, batch, false, counts);
    if (!status.ok()) return status;
    *done += batch.size();
    progress->Update(*done);
  }
  return grpc::Status::OK;
}

void PrintSummary(size_t files, const Counts& entities, const Counts& announcements, bool json) {
  if (json) {
    std::cout << absl::StrFormat(R"({"files":%d,"entities_written":%d,"entities_present":%d,)"
                                 R"("announcements_written":%d,"announcements_present":%d})",
                                 files, entities.written, entities.present, announcements.written,
                                 announcements.present)
              << "\n";
    return;
  }
  std::cout << "imported " << CountText(files, "file", "files") << ": "
            << CountText(entities.written + entities.present, "entity", "entities") << " ("
            << entities.written << " new, " << entities.present << " already present), "
            << CountText(announcements.written + announcements.present, "announcement",
                         "announcements")
            << " (" << announcements.written << " new, " << announcements.present
            << " already present)\n";
}

// What the checker found, as events to send (records the ledger holds
// already are counted, not sent).
Pending EntityEvents(const domain::DataSetChecker& checker) {
  Pending pending{domain::kEntitiesStream, {}, 0};
  for (const auto& record : checker.entities()) {
    if (record.recorded) {
      ++pending.already_present;
    } else {
      pending.events.push_back(domain::MakeEntityEvent(record.message));
    }
  }
  return pending;
}

Pending AnnouncementEvents(const domain::DataSetChecker& checker) {
  Pending pending{domain::kAnnouncementsStream, {}, 0};
  for (const auto& record : checker.announcements()) {
    if (record.recorded) {
      ++pending.already_present;
    } else {
      pending.events.push_back(domain::MakeAnnouncementEvent(record.message));
    }
  }
  return pending;
}

// Prints every problem as "FILE:LINE: reason" on stderr, then one summary.
int ReportProblems(const domain::DataSetChecker& checker, size_t files) {
  for (const std::string& problem : checker.problems()) std::cerr << problem << "\n";
  const size_t hidden = checker.problem_count() - checker.problems().size();
  if (hidden > 0) std::cerr << "... and " << hidden << " more\n";
  std::cerr << FormatUsageLine(absl::StrCat(
                   checker.problem_count(), " bad line", checker.problem_count() == 1 ? "" : "s",
                   " in ", files, files == 1 ? " file" : " files", "; nothing was imported"))
            << std::endl;
  return kExitUsageError;
}

int RunImport(const ImportOptions& options, const GlobalOptions& globals) {
  absl::StatusOr<std::vector<std::string>> files = domain::ListDataFiles(options.paths);
  if (!files.ok()) return ReportUsageError(files.status());
  if (files->empty()) {
    // Nothing to check or send, so the server is not asked. Still a success
    // (exit 0): an empty folder is an empty data set, and a script that
    // imports whatever a drop folder holds must not fail when it is empty.
    const std::string note = absl::StrCat(
        "no .jsonl files found in ", absl::StrJoin(options.paths, ", "), "; nothing was imported");
    if (!globals.json) {
      std::cout << note << "\n";
      return kExitOk;
    }
    std::cerr << note << std::endl;  // stdout keeps its one JSON line
    PrintSummary(0, {}, {}, /*json=*/true);
    return kExitOk;
  }
  Connection connection(globals);
  absl::StatusOr<RecordedDomain> recorded = FetchRecordedDomain(connection);
  if (!recorded.ok()) return connection.ReportFailure(ToGrpcStatus(recorded.status()));
  domain::DataSetChecker checker(std::move(recorded->registry), std::move(recorded->announcements));
  checker.CheckFiles(*files);
  if (checker.problem_count() > 0) return ReportProblems(checker, files->size());

  const Pending entities = EntityEvents(checker);
  const Pending announcements = AnnouncementEvents(checker);
  Counts entity_counts{0, entities.already_present};
  Counts announcement_counts{0, announcements.already_present};
  const bool interactive = !globals.json && isatty(STDOUT_FILENO) == 1;
  ProgressReporter progress(&std::cout, interactive,
                            entities.events.size() + announcements.events.size(), "events");
  size_t done = 0;
  grpc::Status status = AppendAll(connection, entities, &progress, &done, &entity_counts);
  if (status.ok()) {
    status = AppendAll(connection, announcements, &progress, &done, &announcement_counts);
  }
  if (done > 0 && !globals.json) progress.Finish();
  if (!status.ok()) {
    std::cerr << FormatUsageLine(absl::StrCat("import stopped after ", done,
                                              " events; running it again resumes"))
              << std::endl;
    return connection.ReportFailure(status);
  }
  PrintSummary(files->size(), entity_counts, announcement_counts, globals.json);
  return kExitOk;
}

}  // namespace

Command AddImportCommand(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* app = main_app.add_subcommand(
      "import", "Check and import entities and announcements from .jsonl files or folders");
  app->add_option("paths", options->paths,
                  "Files or folders (read in name order, entities.jsonl first)")
      ->required();
  return {app, [options, &globals] { return RunImport(*options, globals); }};
}

}  // namespace stakeledger::clients
