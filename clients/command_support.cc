#include "clients/command_support.h"

#include <chrono>
#include <iostream>

#include "absl/status/statusor.h"
#include "clients/exit_code.h"
#include "clients/json_output.h"
#include "clients/status_text.h"
#include "clients/text.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace stakeledger::clients {

Connection::Connection(const GlobalOptions& options) : options_(options) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kReceiveMessageBytesMax);
  channel_ =
      grpc::CreateCustomChannel(options_.server, grpc::InsecureChannelCredentials(), arguments);
  stub_ = v1::EventStore::NewStub(channel_);
  announcements_ = v1::Announcements::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Connection::NewUnaryContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(options_.timeout_ms));
  return context;
}

int Connection::ReportFailure(const grpc::Status& status) const {
  // The state tells a server that answered with an error from one that was
  // never reached; asking must not start a new connection attempt.
  const bool connected = channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
  const RpcFailure failure = DescribeRpcFailure(status, options_.server, connected);
  std::cerr << FormatStatusLine(failure.status) << std::endl;
  return failure.exit_code;
}

CLI::Validator UnsignedValidator(uint64_t max) {
  return CLI::Validator(
      [max](std::string& text) {
        const absl::Status status = CheckUnsignedText(text, max);
        return status.ok() ? std::string() : std::string(status.message());
      },
      "", "unsigned");
}

namespace {

// A validator from a check of the option's text: empty when it passes.
CLI::Validator FromCheck(absl::Status (*check)(absl::string_view), const std::string& name) {
  return CLI::Validator(
      [check](std::string& text) {
        const absl::Status status = check(text);
        return status.ok() ? std::string() : std::string(status.message());
      },
      "", name);
}

}  // namespace

CLI::Validator KnownAtValidator() { return FromCheck(&CheckKnownAtText, "known-at"); }

CLI::Validator YearValidator() { return FromCheck(&CheckYearText, "year"); }

CLI::Validator DateValidator() { return FromCheck(&CheckDateText, "date"); }

int ReportUsageError(const absl::Status& status) {
  std::cerr << FormatUsageLine(status.message()) << std::endl;
  return kExitUsageError;
}

int PrintJsonLine(const google::protobuf::Message& message) {
  const absl::StatusOr<std::string> json = ToJsonLine(message);
  if (!json.ok()) {
    std::cerr << FormatStatusLine(json.status()) << std::endl;
    return kExitServerError;
  }
  std::cout << *json << '\n';
  return kExitOk;
}

int PrintEventJsonLine(const v1::RecordedEvent& event) {
  const absl::StatusOr<std::string> json = EventJsonLine(event);
  if (!json.ok()) {
    std::cerr << FormatStatusLine(json.status()) << std::endl;
    return kExitServerError;
  }
  std::cout << *json << '\n';
  return kExitOk;
}

}  // namespace stakeledger::clients
