#include "clients/signal_watcher.h"

#include <pthread.h>

#include <cstdlib>
#include <utility>

namespace stakeledger::clients {
namespace {

// The conventional exit code of a process ended by SIGINT: 128 + 2.
constexpr int kExitInterruptedTwice = 130;

}  // namespace

SignalWatcher::SignalWatcher(std::function<void()> on_signal) : on_signal_(std::move(on_signal)) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  thread_ = std::thread(&SignalWatcher::Watch, this);
}

SignalWatcher::~SignalWatcher() {
  // Wake the watcher with a signal aimed at its thread alone; stopping_
  // tells it this one is not the user's.
  stopping_.store(true);
  pthread_kill(thread_.native_handle(), SIGINT);
  thread_.join();
}

void SignalWatcher::Watch() {
  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals_, &signal_number) != 0) continue;
    if (stopping_.load()) return;
    if (signalled_.exchange(true)) std::_Exit(kExitInterruptedTwice);
    on_signal_();
  }
}

}  // namespace stakeledger::clients
