// What every ledgerctl command shares: the global options, the connection to
// ledgerd, and printing results and failures.
#ifndef STAKELEDGER_CLIENTS_COMMAND_SUPPORT_H_
#define STAKELEDGER_CLIENTS_COMMAND_SUPPORT_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "stakeledger/v1/announcements_service.grpc.pb.h"
#include "stakeledger/v1/event_store.grpc.pb.h"

namespace stakeledger::clients {

inline constexpr char kDefaultServer[] = "127.0.0.1:50051";
inline constexpr char kServerEnvVar[] = "STAKELEDGER_SERVER";
inline constexpr int64_t kDefaultTimeoutMs = 10'000;
inline constexpr int64_t kTimeoutMsMax = 3'600'000;  // One hour.
// Largest response message accepted: a ReadResponse batch of big events.
inline constexpr int kReceiveMessageBytesMax = 64 << 20;  // 64 MiB

// Flags that apply to every command; set before the command runs.
struct GlobalOptions {
  std::string server = kDefaultServer;
  bool json = false;
  int64_t timeout_ms = kDefaultTimeoutMs;
};

// A channel and stub for ledgerd at options.server. Creating it does not
// connect; gRPC connects on the first call.
//
// Thread safety: stub() may be used from several threads, as gRPC allows;
// the rest is const.
class Connection {
 public:
  explicit Connection(const GlobalOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  v1::EventStore::Stub& stub() { return *stub_; }
  // The Announcements service on the same channel.
  v1::Announcements::Stub& announcements() { return *announcements_; }
  // The channel, for stubs of further services (the Projections service).
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // A context for a unary call, with a deadline options.timeout_ms from now.
  std::unique_ptr<grpc::ClientContext> NewUnaryContext() const;

  // Prints the one-line report of a failed call on stderr (naming the
  // server address when it could not be reached) and returns the exit code.
  // REQUIRES: !status.ok().
  int ReportFailure(const grpc::Status& status) const;

 private:
  const GlobalOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EventStore::Stub> stub_;
  std::unique_ptr<v1::Announcements::Stub> announcements_;
};

// The check every unsigned integer option of ledgerctl carries, so that
// "-3" or a number too large for the option is a usage error naming the
// option instead of wrapping round (CLI11 alone converts "-3" to 2^64 - 3 and
// clamps an overflow). Accepts decimal digits up to `max` (CheckUnsignedText).
CLI::Validator UnsignedValidator(uint64_t max);
// The same for an option held in a T (uint32_t, uint64_t or a vector of one:
// the validator sees each value).
template <typename T>
CLI::Validator UnsignedValidator() {
  static_assert(std::is_unsigned<T>::value, "an unsigned integer type");
  return UnsignedValidator(std::numeric_limits<T>::max());
}

// The checks of every --known-at (CheckKnownAtText), of --year
// (CheckYearText) and of every date option (--as-of, --from, --to:
// CheckDateText): a bad value is a usage error naming the option, before
// any call.
CLI::Validator KnownAtValidator();
CLI::Validator YearValidator();
CLI::Validator DateValidator();

// Prints "ledgerctl: MESSAGE" on stderr and returns kExitUsageError.
int ReportUsageError(const absl::Status& status);

// Prints `message` as one JSON line on stdout (json_output.h). Returns
// kExitOk, or reports the failure on stderr and returns kExitServerError.
int PrintJsonLine(const google::protobuf::Message& message);
// As PrintJsonLine, for an event: EventJsonLine (with decoded_payload).
int PrintEventJsonLine(const v1::RecordedEvent& event);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_COMMAND_SUPPORT_H_
