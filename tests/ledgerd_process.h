// The real ledgerd binary as a child process, for integration and crash
// tests: started on 127.0.0.1 with a kernel-chosen port and a temporary data
// directory, talked to through the generated stub, stopped with SIGTERM (or
// killed with SIGKILL) and restarted on the same data.
#ifndef STAKELEDGER_TESTS_LEDGERD_PROCESS_H_
#define STAKELEDGER_TESTS_LEDGERD_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "stakeledger/v1/event_store.grpc.pb.h"

namespace stakeledger::tests {

// How a ledgerd process ended.
struct ExitInfo {
  // True when it called exit(); false when a signal ended it.
  bool exited = false;
  // The exit code, or the number of the signal that ended it.
  int value = 0;

  bool clean() const { return exited && value == 0; }
  std::string ToString() const;
};

// One ledgerd child process and the data directory it keeps across
// restarts.
//
// Thread safety: Start, Stop, Kill and Restart are called from one thread,
// which must live as long as the child (the child gets SIGKILL when the
// thread that forked it ends, so a crashed test never leaves a server
// behind). stub(), pid() and RssBytes() may be used from any thread while
// no Start/Stop/Kill/Restart runs.
class LedgerdProcess {
 public:
  // Bounds on waiting for the "listening" line and for a stop. A stop can
  // take ledgerd's 5 s grace for reads plus up to 10 s more in gRPC 1.51's
  // grpc_shutdown(), which joins an executor thread that may be inside a
  // 10 s poll (the TCP backup poller, started when a socket was full, as it
  // is for a subscriber that stopped reading).
  static constexpr absl::Duration kStartTimeout = absl::Seconds(10);
  static constexpr absl::Duration kStopTimeout = absl::Seconds(20);
  static constexpr absl::Duration kConnectTimeout = absl::Seconds(10);

  // Creates a fresh data directory under $TMPDIR (or /tmp). Aborts when it
  // cannot: nothing can be tested without it.
  LedgerdProcess();
  // Stops the process if it runs (SIGTERM, then SIGKILL after
  // kStopTimeout) and removes the data directory.
  ~LedgerdProcess();
  LedgerdProcess(const LedgerdProcess&) = delete;
  LedgerdProcess& operator=(const LedgerdProcess&) = delete;

  // Starts ledgerd (the binary built with the tests, or $LEDGERD_BINARY)
  // on 127.0.0.1 port 0 with `extra_args` appended to
  // `--data-dir DIR --listen 127.0.0.1:0`, waits (up to kStartTimeout) for
  // its "listening" line, and connects a channel and stub to the port.
  // Errors: FAILED_PRECONDITION when already running; DEADLINE_EXCEEDED when
  // no line came in time (the child is killed); UNAVAILABLE when it exited
  // first; INTERNAL for fork/pipe failures or an unparsable line.
  absl::Status Start(std::vector<std::string> extra_args = {});

  // Closes stub()'s channel, sends SIGTERM and waits up to kStopTimeout
  // for the process to exit. Returns how it ended. Stubs from NewStub()
  // should be gone by then: an idle channel holds up the server's graceful
  // shutdown until its grace ends (see the .cc). Errors:
  // FAILED_PRECONDITION when not running; DEADLINE_EXCEEDED when it did not
  // exit in time (it is then killed with SIGKILL and reaped).
  absl::StatusOr<ExitInfo> Stop();

  // Sends SIGKILL and reaps the process: a crash. Errors:
  // FAILED_PRECONDITION when not running.
  absl::StatusOr<ExitInfo> Kill();

  // Stop() (when running) then Start() with the previous extra arguments
  // on the same data directory. Errors: as Stop (an unclean exit is
  // INTERNAL) and Start.
  absl::Status Restart();

  bool running() const { return pid_ > 0; }
  // REQUIRES: running().
  pid_t pid() const;
  int port() const { return port_; }
  // "127.0.0.1:PORT" of the running process.
  std::string address() const;
  const std::string& data_dir() const { return data_dir_; }

  // The stub of the current run; a restart makes a new one (the port
  // changes). While not running, a stub whose calls fail with UNAVAILABLE.
  v1::EventStore::Stub& stub() const;
  // A new channel (its own connection) to the current run, with `args`
  // added to the harness's own, connected before it is returned (waiting
  // up to kConnectTimeout): under load a first connect can fail at once
  // ("failed to connect to all addresses"), and an RPC then fails with
  // UNAVAILABLE instead of waiting for gRPC's retry. REQUIRES: running().
  std::shared_ptr<grpc::Channel> NewChannel(grpc::ChannelArguments args = {}) const;
  // A stub on NewChannel(args).
  std::unique_ptr<v1::EventStore::Stub> NewStub(grpc::ChannelArguments args = {}) const;
  // Channel arguments for a client whose unread messages must hold the
  // server back quickly: a fixed small HTTP/2 receive window (no BDP
  // probing, which would grow it to megabytes).
  static grpc::ChannelArguments SmallWindowArgs();

  // Resident set size now (VmRSS) and at its peak so far (VmHWM), from
  // /proc/PID/status. Errors: FAILED_PRECONDITION when not running;
  // NOT_FOUND or INTERNAL when the file cannot be read or parsed.
  absl::StatusOr<uint64_t> RssBytes() const;
  absl::StatusOr<uint64_t> PeakRssBytes() const;

  // Everything the last run wrote to stdout (complete once it stopped).
  const std::string& output() const { return output_; }

 private:
  absl::Status Spawn();
  absl::Status AwaitListening(absl::Time deadline);
  // Reaps the child, waiting until `deadline`. Errors: DEADLINE_EXCEEDED
  // when it is still running then.
  absl::StatusOr<ExitInfo> Reap(absl::Time deadline);
  absl::StatusOr<uint64_t> ReadStatusKiB(const char* field) const;
  void ReadAvailableOutput();
  void Forget();

  std::string data_dir_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string output_;
  std::unique_ptr<v1::EventStore::Stub> stub_;
  // Its calls fail with UNAVAILABLE: nothing listens on its address.
  std::unique_ptr<v1::EventStore::Stub> not_running_stub_;
};

}  // namespace stakeledger::tests

#endif  // STAKELEDGER_TESTS_LEDGERD_PROCESS_H_
