// How ledgerctl reports a failure: exactly one line on stderr and an exit
// code (clients/exit_code.h). The one conversion from grpc::Status to
// absl::Status on the client side lives here too.
#ifndef STAKELEDGER_CLIENTS_STATUS_TEXT_H_
#define STAKELEDGER_CLIENTS_STATUS_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clients/exit_code.h"
#include "grpcpp/support/status.h"

namespace stakeledger::clients {

// The same code and message as an absl::Status (gRPC and Abseil share the
// canonical code numbers).
absl::Status FromGrpcStatus(const grpc::Status& status);

// "ledgerctl: CODE: message", e.g. "ledgerctl: FAILED_PRECONDITION: stream
// 'x' is at revision 3, expected 1". Line breaks in the message become
// spaces so the report stays one line. No trailing newline.
// REQUIRES: !status.ok().
std::string FormatStatusLine(const absl::Status& status);

// "ledgerctl: message" for a usage error, one line, no trailing newline.
std::string FormatUsageLine(absl::string_view message);

// A failed call as ledgerctl reports it.
struct RpcFailure {
  absl::Status status;
  ExitCode exit_code = kExitServerError;
};

// Classifies a failed call. `connected` tells whether the channel had a
// connection to `server` when the call ended.
//   UNAVAILABLE, not connected:       "cannot reach server at ADDR: ...",
//                                     kExitUnreachable.
//   UNAVAILABLE, connected:           "server at ADDR is unavailable: ...",
//                                     kExitUnreachable.
//   DEADLINE_EXCEEDED, not connected: "no connection to server at ADDR
//                                     before the deadline: ...",
//                                     kExitUnreachable.
//   anything else:                    the status as the server sent it,
//                                     kExitServerError.
// REQUIRES: !status.ok().
RpcFailure DescribeRpcFailure(const grpc::Status& status, absl::string_view server, bool connected);

// A subscription that had answers from `server` and then ended UNAVAILABLE:
// the server was reached and went away, so, rather than "cannot reach
// server", UNAVAILABLE with "the server at ADDR is shutting down; resume
// with --from N" (a stop; else "is unavailable: MESSAGE; resume ...").
// `resume_from` is the position after the last event or checkpoint.
// REQUIRES: status.error_code() == UNAVAILABLE.
absl::Status DescribeBrokenSubscription(const grpc::Status& status, absl::string_view server,
                                        uint64_t resume_from);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_STATUS_TEXT_H_
