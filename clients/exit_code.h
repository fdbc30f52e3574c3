// The exit codes of ledgerctl. Scripts branch on them, so they are part of the
// tool's interface: clients/README.md lists them and they never change
// meaning.
#ifndef STAKELEDGER_CLIENTS_EXIT_CODE_H_
#define STAKELEDGER_CLIENTS_EXIT_CODE_H_

namespace stakeledger::clients {

enum ExitCode : int {
  // The command did what was asked (a subscription ended by SIGINT included).
  kExitOk = 0,
  // The server answered with an error, or a stream broke after connecting.
  kExitServerError = 1,
  // Bad command line or bad input data; nothing was sent.
  kExitUsageError = 2,
  // The server could not be reached at the given address.
  kExitUnreachable = 3,
  // A signature, inclusion or consistency proof did not verify: the server
  // cannot be trusted (ledgerctl verify, read --verify).
  kExitVerifyFailed = 4,
};

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_EXIT_CODE_H_
