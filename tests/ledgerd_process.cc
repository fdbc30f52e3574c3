#include "tests/ledgerd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

#ifndef LEDGERD_PATH
#error "LEDGERD_PATH must name the ledgerd binary (tests/CMakeLists.txt sets it)"
#endif

namespace stakeledger::tests {
namespace {

constexpr char kListenHost[] = "127.0.0.1";
constexpr char kListeningPrefix[] = "ledgerd listening on ";
// Large enough for any response ledgerd sends (its own cap is 64 MiB).
constexpr int kChannelMessageBytesMax = 64 << 20;
// How often a wait for the child looks again.
constexpr absl::Duration kPollInterval = absl::Milliseconds(2);

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

std::string MakeDataDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/ledgerd-test-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "cannot create a data directory from %s: %s\n", pattern.c_str(),
                 std::strerror(errno));
    std::abort();
  }
  return pattern;
}

// The binary built with the tests, unless $LEDGERD_BINARY names another
// (a sanitizer build, or a deliberately broken one to see a test fail).
std::string LedgerdBinary() {
  const char* binary = std::getenv("LEDGERD_BINARY");
  return binary != nullptr && *binary != '\0' ? binary : LEDGERD_PATH;
}

// Parses "ledgerd listening on 127.0.0.1:PORT (data in DIR)". Returns 0 when
// the line is not that.
int ParseListeningPort(absl::string_view line) {
  if (!absl::ConsumePrefix(&line, kListeningPrefix)) return 0;
  const absl::string_view address = line.substr(0, line.find(' '));
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || address.substr(0, colon) != kListenHost) return 0;
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 || port > 65535) return 0;
  return port;
}

ExitInfo DecodeWaitStatus(int status) {
  ExitInfo info;
  if (WIFEXITED(status)) {
    info.exited = true;
    info.value = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    info.value = WTERMSIG(status);
  }
  return info;
}

// Runs in the forked child: only async-signal-safe calls until execv.
[[noreturn]] void ExecLedgerd(pid_t parent, int stdout_write_fd, char* const argv[]) {
  // Die with the test: a failed or killed test must not leave a server.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(126);
  if (dup2(stdout_write_fd, STDOUT_FILENO) < 0) _exit(126);
  // Undo what the test process may have changed: ledgerd sets its own mask
  // and relies on default dispositions.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action;
  std::memset(&default_action, 0, sizeof(default_action));
  default_action.sa_handler = SIG_DFL;
  for (const int signal : {SIGPIPE, SIGTERM, SIGINT}) sigaction(signal, &default_action, nullptr);
  execv(argv[0], argv);
  _exit(127);
}

}  // namespace

std::string ExitInfo::ToString() const {
  if (exited) return absl::StrCat("exited with code ", value);
  return absl::StrCat("ended by signal ", value, " (", strsignal(value), ")");
}

LedgerdProcess::LedgerdProcess()
    : data_dir_(MakeDataDir()),
      not_running_stub_(v1::EventStore::NewStub(
          grpc::CreateChannel(absl::StrCat("unix:", data_dir_, "/no-ledgerd-here.sock"),
                              grpc::InsecureChannelCredentials()))) {}

LedgerdProcess::~LedgerdProcess() {
  if (running()) {
    absl::StatusOr<ExitInfo> exit = Stop();
    if (!exit.ok() || !exit->clean()) {
      std::fprintf(stderr, "ledgerd did not stop cleanly: %s\n",
                   exit.ok() ? exit->ToString().c_str() : exit.status().ToString().c_str());
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

pid_t LedgerdProcess::pid() const { return pid_; }

std::string LedgerdProcess::address() const { return absl::StrCat(kListenHost, ":", port_); }

v1::EventStore::Stub& LedgerdProcess::stub() const {
  // Not running (a start failed, or the test stopped it): calls fail with
  // UNAVAILABLE, so the test reports failures instead of crashing.
  return stub_ != nullptr ? *stub_ : *not_running_stub_;
}

grpc::ChannelArguments LedgerdProcess::SmallWindowArgs() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 << 10);
  return args;
}

std::shared_ptr<grpc::Channel> LedgerdProcess::NewChannel(grpc::ChannelArguments args) const {
  args.SetMaxReceiveMessageSize(kChannelMessageBytesMax);
  // Its own connection, not one shared through gRPC's global pool.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args);
  // Not connected in time: the test's calls report it.
  (void)channel->WaitForConnected(absl::ToChronoTime(absl::Now() + kConnectTimeout));
  return channel;
}

std::unique_ptr<v1::EventStore::Stub> LedgerdProcess::NewStub(grpc::ChannelArguments args) const {
  return v1::EventStore::NewStub(NewChannel(std::move(args)));
}

absl::Status LedgerdProcess::Start(std::vector<std::string> extra_args) {
  if (running()) return absl::FailedPreconditionError("ledgerd is already running");
  extra_args_ = std::move(extra_args);
  output_.clear();
  if (absl::Status spawned = Spawn(); !spawned.ok()) return spawned;
  if (absl::Status listening = AwaitListening(absl::Now() + kStartTimeout); !listening.ok()) {
    if (running()) (void)Kill();
    return listening;
  }
  stub_ = NewStub();
  return absl::OkStatus();
}

absl::Status LedgerdProcess::Spawn() {
  std::vector<std::string> args = {LedgerdBinary(), "--data-dir", data_dir_, "--listen",
                                   absl::StrCat(kListenHost, ":0")};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  // Built before fork: the child may not allocate.
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    return ErrnoError("fork");
  }
  if (child == 0) ExecLedgerd(parent, fds[1], argv.data());
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  pid_ = child;
  stdout_fd_ = fds[0];
  return absl::OkStatus();
}

void LedgerdProcess::ReadAvailableOutput() {
  if (stdout_fd_ < 0) return;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n > 0) {
      output_.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;  // EAGAIN: nothing more now; 0: end of output
  }
}

absl::Status LedgerdProcess::AwaitListening(absl::Time deadline) {
  while (absl::Now() < deadline) {
    pollfd readable = {stdout_fd_, POLLIN, 0};
    poll(&readable, 1, static_cast<int>(absl::ToInt64Milliseconds(kPollInterval * 25)));
    ReadAvailableOutput();
    const size_t newline = output_.find('\n');
    if (newline != std::string::npos) {
      port_ = ParseListeningPort(absl::string_view(output_).substr(0, newline));
      if (port_ == 0) {
        return absl::InternalError(absl::StrCat("unexpected first line from ledgerd: ", output_));
      }
      return absl::OkStatus();
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      const ExitInfo exit = DecodeWaitStatus(status);
      ReadAvailableOutput();
      Forget();
      return absl::UnavailableError(
          absl::StrCat("ledgerd ", exit.ToString(), " before listening; stdout: ", output_));
    }
  }
  return absl::DeadlineExceededError(absl::StrCat("ledgerd printed no listening line within ",
                                                  absl::FormatDuration(kStartTimeout)));
}

absl::StatusOr<ExitInfo> LedgerdProcess::Reap(absl::Time deadline) {
  for (;;) {
    int status = 0;
    const pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      const ExitInfo exit = DecodeWaitStatus(status);
      ReadAvailableOutput();
      Forget();
      return exit;
    }
    if (reaped < 0 && errno != EINTR) return ErrnoError("waitpid");
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("ledgerd (pid ", pid_, ") is still running"));
    }
    ReadAvailableOutput();  // keeps the pipe from filling up
    absl::SleepFor(kPollInterval);
  }
}

void LedgerdProcess::Forget() {
  stub_.reset();
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
  pid_ = -1;
  port_ = 0;
}

absl::StatusOr<ExitInfo> LedgerdProcess::Stop() {
  if (!running()) return absl::FailedPreconditionError("ledgerd is not running");
  // Close our idle channel first. On SIGTERM ledgerd's gRPC sends a
  // graceful GOAWAY and waits for the client to acknowledge its ping, but
  // an idle C++ channel only reads its socket when gRPC's backup poller
  // runs (every 5 s): every stop would take ledgerd's whole 5 s grace.
  stub_.reset();
  kill(pid_, SIGTERM);
  absl::StatusOr<ExitInfo> exit = Reap(absl::Now() + kStopTimeout);
  if (exit.ok() || !absl::IsDeadlineExceeded(exit.status())) return exit;
  (void)Kill();
  return absl::DeadlineExceededError(absl::StrCat("ledgerd did not exit within ",
                                                  absl::FormatDuration(kStopTimeout),
                                                  " of SIGTERM and was killed"));
}

absl::StatusOr<ExitInfo> LedgerdProcess::Kill() {
  if (!running()) return absl::FailedPreconditionError("ledgerd is not running");
  kill(pid_, SIGKILL);
  // SIGKILL cannot be caught; the bound only guards against a kernel stuck
  // in uninterruptible I/O.
  return Reap(absl::Now() + kStopTimeout);
}

absl::Status LedgerdProcess::Restart() {
  if (running()) {
    absl::StatusOr<ExitInfo> exit = Stop();
    if (!exit.ok()) return exit.status();
    if (!exit->clean()) {
      return absl::InternalError(absl::StrCat("ledgerd ", exit->ToString(), " on SIGTERM"));
    }
  }
  return Start(extra_args_);
}

absl::StatusOr<uint64_t> LedgerdProcess::ReadStatusKiB(const char* field) const {
  if (!running()) return absl::FailedPreconditionError("ledgerd is not running");
  const std::string path = absl::StrCat("/proc/", pid_, "/status");
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string line;
  while (std::getline(file, line)) {
    absl::string_view rest(line);
    if (!absl::ConsumePrefix(&rest, field)) continue;
    // "VmRSS:	  123456 kB"
    rest = absl::StripAsciiWhitespace(rest);
    if (!absl::ConsumeSuffix(&rest, " kB")) break;
    uint64_t kib = 0;
    if (!absl::SimpleAtoi(rest, &kib)) break;
    return kib;
  }
  return absl::InternalError(absl::StrCat("no parsable '", field, "' line in ", path));
}

absl::StatusOr<uint64_t> LedgerdProcess::RssBytes() const {
  absl::StatusOr<uint64_t> kib = ReadStatusKiB("VmRSS:");
  if (!kib.ok()) return kib.status();
  return *kib * 1024;
}

absl::StatusOr<uint64_t> LedgerdProcess::PeakRssBytes() const {
  absl::StatusOr<uint64_t> kib = ReadStatusKiB("VmHWM:");
  if (!kib.ok()) return kib.status();
  return *kib * 1024;
}

}  // namespace stakeledger::tests
