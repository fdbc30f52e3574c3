// ledgerctl's subcommands. Each Add*Command registers its subcommand and
// flags on the main CLI11 app and returns how to run it once the command
// line has been parsed.
#ifndef STAKELEDGER_CLIENTS_COMMANDS_H_
#define STAKELEDGER_CLIENTS_COMMANDS_H_

#include <functional>
#include <vector>

#include "CLI/CLI.hpp"
#include "clients/command_support.h"

namespace stakeledger::clients {

struct Command {
  // Owned by the main app.
  CLI::App* app = nullptr;
  // Runs the command with the parsed flags; returns the process exit code
  // (exit_code.h), having printed any failure as one line on stderr.
  std::function<int()> run;
};

// REQUIRES for every Add*Command: `globals` outlives the returned Command and
// holds the parsed global flags by the time run() is called.

// append STREAM --type T --data JSON|@FILE|- [--id] [--expected-revision]
//        [--content-type] [--metadata k=v ...]
Command AddAppendCommand(CLI::App& main_app, const GlobalOptions& globals);

// read STREAM | --all [--from N] [--backwards] [--count N]
//      [--stream-prefix P] [--type T ...]
Command AddReadCommand(CLI::App& main_app, const GlobalOptions& globals);

// subscribe [--from N] [--stream-prefix P] [--type T ...]
//           [--checkpoint-interval N]; follows until SIGINT or SIGTERM.
Command AddSubscribeCommand(CLI::App& main_app, const GlobalOptions& globals);

// streams [--prefix P] [--page-size N], stream NAME and info.
std::vector<Command> AddInspectCommands(CLI::App& main_app, const GlobalOptions& globals);

// import PATH... : check every line, then append what is new (entities,
// then announcements) under name-based event ids.
Command AddImportCommand(CLI::App& main_app, const GlobalOptions& globals);

// announcements [--entity E] [--from DATE] [--to DATE], and entities.
std::vector<Command> AddDomainCommands(CLI::App& main_app, const GlobalOptions& globals);

// stake HOLDER TARGET --as-of D [--known-at K] [--look-through] [--verify
// [--trust-dir DIR]] (holders and portfolio take --verify too), holders TARGET
// --as-of D, portfolio HOLDER --as-of D, timeline HOLDER TARGET (all with
// --known-at), replay HOLDER TARGET [--from P] [--to P], projections: the
// Projections service (projections.proto).
std::vector<Command> AddProjectionCommands(CLI::App& main_app, const GlobalOptions& globals);

// investments HOLDER [--year Y] [--known-at K]: Projections.GetInvestments.
Command AddInvestmentsCommand(CLI::App& main_app, const GlobalOptions& globals);

// verify [--position N ...] [--trust-dir DIR]: the signed tree head,
// checked against the pinned key and the last trusted head (audit_client.h).
Command AddVerifyCommand(CLI::App& main_app, const GlobalOptions& globals);

// audit --as-of D [--known-at K] [--format table|markdown|json] [--output F]
// [--trust-dir DIR], and verify-report FILE [--trust-dir DIR]
// [--public-key HEX] [--server HOST:PORT] (audit_report.h).
std::vector<Command> AddAuditCommands(CLI::App& main_app, const GlobalOptions& globals);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_COMMANDS_H_
