// Runs the ledgerctl binary built with the tests (LEDGERCTL_PATH) as a child
// process and collects what it printed, for tests of the command line.
#ifndef STAKELEDGER_TESTS_LEDGERCTL_RUN_H_
#define STAKELEDGER_TESTS_LEDGERCTL_RUN_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace stakeledger::tests {

struct LedgerctlResult {
  // The exit code; -1 when it did not exit by itself (killed at the
  // deadline, or not started).
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `ledgerctl ARGS...` with stdout and stderr captured (through files
// in $TMPDIR, so a large output cannot block it) and waits up to `timeout`;
// past it the child is killed. Thread-compatible.
LedgerctlResult RunLedgerctl(const std::vector<std::string>& args,
                             absl::Duration timeout = absl::Seconds(60));

}  // namespace stakeledger::tests

#endif  // STAKELEDGER_TESTS_LEDGERCTL_RUN_H_
