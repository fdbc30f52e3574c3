// Turns SIGINT and SIGTERM into a callback on an ordinary thread, where it is
// safe to call into gRPC (ClientContext::TryCancel is not async-signal-safe,
// so a signal handler cannot do it).
#ifndef STAKELEDGER_CLIENTS_SIGNAL_WATCHER_H_
#define STAKELEDGER_CLIENTS_SIGNAL_WATCHER_H_

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace stakeledger::clients {

// Blocks SIGINT and SIGTERM in the calling thread and waits for them with
// sigwait on a thread of its own. The first signal calls `on_signal` (on
// that thread); a second one ends the process at once with exit code 130,
// for a user whose first Ctrl-C did not stop things quickly enough.
//
// REQUIRES: constructed on the main thread before any other thread exists
// (gRPC starts its threads on the first channel). Threads inherit the
// blocked mask only when they are created after it; a thread without it
// would take the signal and the process would die of it.
// The mask stays blocked after destruction: the process is about to exit.
//
// Thread safety: on_signal runs on the watcher thread, concurrently with the
// rest of the program.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void()> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // True once a signal has been received.
  bool signalled() const { return signalled_.load(); }

 private:
  void Watch();

  sigset_t signals_;
  std::function<void()> on_signal_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> signalled_{false};
  std::thread thread_;
};

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_SIGNAL_WATCHER_H_
