// `ledgerctl announcements` and `ledgerctl entities`: the Announcements
// service's listings, as tables or JSON lines.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/announcement_text.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/domain_fetch.h"
#include "clients/exit_code.h"
#include "clients/table.h"
#include "domain/date.h"

namespace stakeledger::clients {
namespace {

struct AnnouncementsOptions {
  std::string entity;
  std::string from_date;
  std::string to_date;
};

int RunAnnouncements(const AnnouncementsOptions& options, const GlobalOptions& globals) {
  Connection connection(globals);
  v1::ListAnnouncementsRequest request;
  request.set_entity(options.entity);
  request.set_from_date(options.from_date);
  request.set_to_date(options.to_date);
  TablePrinter table(AnnouncementColumns(), &std::cout);
  int exit_code = kExitOk;
  const absl::Status status =
      ForEachAnnouncement(connection, request, [&](v1::RecordedAnnouncement record) {
        if (!globals.json) return table.AddRow(AnnouncementCells(record));
        if (exit_code == kExitOk) exit_code = PrintJsonLine(record);
      });
  table.Flush();
  if (!status.ok()) return connection.ReportFailure(ToGrpcStatus(status));
  if (!globals.json && table.row_count() == 0) std::cout << "(no announcements)\n";
  return exit_code;
}

int RunEntities(const GlobalOptions& globals) {
  Connection connection(globals);
  const std::unique_ptr<grpc::ClientContext> context = connection.NewUnaryContext();
  v1::ListEntitiesResponse response;
  const grpc::Status status =
      connection.announcements().ListEntities(context.get(), v1::ListEntitiesRequest(), &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (globals.json) {
    for (const v1::Entity& entity : response.entities()) {
      if (const int exit_code = PrintJsonLine(entity); exit_code != kExitOk) return exit_code;
    }
    return kExitOk;
  }
  TablePrinter table(EntityColumns(), &std::cout);
  for (const v1::Entity& entity : response.entities()) table.AddRow(EntityCells(entity));
  table.Flush();
  if (table.row_count() == 0) std::cout << "(no entities)\n";
  return kExitOk;
}

}  // namespace

std::vector<Command> AddDomainCommands(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<AnnouncementsOptions>();
  CLI::App* announcements = main_app.add_subcommand(
      "announcements", "List recorded announcements, optionally by entity and date");
  announcements->add_option("--entity", options->entity,
                            "Only those naming this entity (id or any alias, e.g. 엔비디아)");
  announcements
      ->add_option("--from", options->from_date,
                   "Only those dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)")
      ->check(DateValidator());
  announcements->add_option("--to", options->to_date, "Only those dated on or before this date")
      ->check(DateValidator());
  CLI::App* entities = main_app.add_subcommand("entities", "List the entity registry");
  return {{announcements, [options, &globals] { return RunAnnouncements(*options, globals); }},
          {entities, [&globals] { return RunEntities(globals); }}};
}

}  // namespace stakeledger::clients
