// `ledgerctl verify [--position N ...] [--trust-dir DIR]`: checks the
// server's signed tree head against the pinned key and the last trusted
// head, then the inclusion of the given positions (audit_client.h).
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/audit_client.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/exit_code.h"
#include "verify/merkle_hash.h"

namespace stakeledger::clients {
namespace {

struct VerifyOptions {
  std::vector<uint64_t> positions;
  std::string trust_dir;
};

std::string ResolveTrustPath(const std::string& trust_dir, const GlobalOptions& globals) {
  const std::string dir = trust_dir.empty() ? DefaultTrustDir() : trust_dir;
  if (dir.empty()) return "";
  return TrustFilePath(dir, globals.server);
}

int RunVerify(const VerifyOptions& options, const GlobalOptions& globals) {
  const std::string trust_path = ResolveTrustPath(options.trust_dir, globals);
  if (trust_path.empty()) {
    return ReportUsageError(
        absl::InvalidArgumentError("no trust directory: set --trust-dir, XDG_CONFIG_HOME or HOME"));
  }
  Connection connection(globals);
  AuditClient audit(&connection, trust_path);
  absl::StatusOr<TrustedHead> head = audit.FetchVerifiedHead(std::cout);
  if (!head.ok()) return ReportAuditFailure(connection, head.status());
  std::cout << "tree head " << DescribeHead(*head) << " signed by public key "
            << verify::ToHex(head->public_key) << ": signature and consistency verified"
            << std::endl;
  for (uint64_t position : options.positions) {
    if (position == 0 || position > head->tree_size) {
      std::cerr << "ledgerctl: position " << position << " is not in the tree of size "
                << head->tree_size << std::endl;
      return kExitUsageError;
    }
    absl::StatusOr<std::string> record = audit.FetchRecord(position);
    if (!record.ok()) return ReportAuditFailure(connection, record.status());
    const absl::Status included = audit.CheckInclusion(*head, position, *record);
    if (!included.ok()) return ReportAuditFailure(connection, included);
    std::cout << "position " << position << ": leaf " << verify::ToHex(verify::HashLeaf(*record))
              << " included" << std::endl;
  }
  return kExitOk;
}

}  // namespace

Command AddVerifyCommand(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* app = main_app.add_subcommand(
      "verify", "Check the signed tree head against the pinned key and last trusted head");
  app->add_option("--position", options->positions,
                  "Also check that the record at this position is in the head (repeatable)")
      ->check(UnsignedValidator<uint64_t>());
  app->add_option("--trust-dir", options->trust_dir,
                  "Where the pinned key and trusted head live (default: "
                  "$XDG_CONFIG_HOME/stakeledger or ~/.config/stakeledger)");
  return {app, [options, &globals] { return RunVerify(*options, globals); }};
}

}  // namespace stakeledger::clients
