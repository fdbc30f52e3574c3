#include "clients/status_text.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace stakeledger::clients {
namespace {

std::string OneLine(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\r", " "}});
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::string FormatStatusLine(const absl::Status& status) {
  return absl::StrCat("ledgerctl: ", absl::StatusCodeToString(status.code()), ": ",
                      OneLine(status.message()));
}

std::string FormatUsageLine(absl::string_view message) {
  return absl::StrCat("ledgerctl: ", OneLine(message));
}

RpcFailure DescribeRpcFailure(const grpc::Status& status, absl::string_view server,
                              bool connected) {
  const std::string& message = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return {absl::UnavailableError(
                  connected ? absl::StrCat("server at ", server, " is unavailable: ", message)
                            : absl::StrCat("cannot reach server at ", server, ": ", message)),
              kExitUnreachable};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      if (connected) break;
      return {absl::DeadlineExceededError(absl::StrCat("no connection to server at ", server,
                                                       " before the deadline: ", message)),
              kExitUnreachable};
    default:
      break;
  }
  return {FromGrpcStatus(status), kExitServerError};
}

absl::Status DescribeBrokenSubscription(const grpc::Status& status, absl::string_view server,
                                        uint64_t resume_from) {
  // ledgerd's services all say this when a stop ends their calls.
  const bool stopping = absl::StrContains(status.error_message(), "the server is shutting down");
  return absl::UnavailableError(
      absl::StrCat("the server at ", server,
                   stopping ? " is shutting down"
                            : absl::StrCat(" is unavailable: ", OneLine(status.error_message())),
                   "; resume with --from ", resume_from));
}

}  // namespace stakeledger::clients
