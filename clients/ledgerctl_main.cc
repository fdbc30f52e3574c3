// ledgerctl: the command-line client of ledgerd. See clients/README.md.
#include <iostream>
#include <vector>

#include "CLI/CLI.hpp"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/exit_code.h"
#include "clients/status_text.h"

namespace stakeledger::clients {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& globals) {
  app.add_option("--server", globals.server,
                 "ledgerd address HOST:PORT (or set " + std::string(kServerEnvVar) + ")")
      ->envname(kServerEnvVar)
      ->capture_default_str();
  app.add_flag("--json", globals.json,
               "One JSON object per line (protobuf JSON mapping) instead of tables");
  app.add_option("--timeout-ms", globals.timeout_ms, "Deadline of each unary call")
      ->check(CLI::Range(int64_t{1}, kTimeoutMsMax))
      ->capture_default_str();
}

// --help prints usage on stdout and succeeds; any other parse error is one
// line on stderr and a usage error.
int ReportParseError(const CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    return app.exit(error);
  }
  std::cerr << FormatUsageLine(std::string(error.what()) + " (see ledgerctl --help)") << std::endl;
  return kExitUsageError;
}

int Run(int argc, char** argv) {
  GlobalOptions globals;
  CLI::App app("Command-line client of the stakeledger event log (ledgerd)", "ledgerctl");
  // Subcommands inherit fallthrough when they are added: global flags are
  // then accepted after the subcommand too ("ledgerctl info --json").
  app.fallthrough();
  app.require_subcommand(1);
  AddGlobalOptions(app, globals);
  std::vector<Command> commands = {AddAppendCommand(app, globals), AddReadCommand(app, globals),
                                   AddSubscribeCommand(app, globals)};
  for (Command& command : AddInspectCommands(app, globals)) commands.push_back(command);
  commands.push_back(AddImportCommand(app, globals));
  for (Command& command : AddDomainCommands(app, globals)) commands.push_back(command);
  for (Command& command : AddProjectionCommands(app, globals)) commands.push_back(command);
  commands.push_back(AddInvestmentsCommand(app, globals));
  commands.push_back(AddVerifyCommand(app, globals));
  for (Command& command : AddAuditCommands(app, globals)) commands.push_back(command);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return ReportParseError(app, error);
  }
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  std::cerr << FormatUsageLine("no command given (see ledgerctl --help)") << std::endl;
  return kExitUsageError;
}

}  // namespace
}  // namespace stakeledger::clients

int main(int argc, char** argv) { return stakeledger::clients::Run(argc, argv); }
