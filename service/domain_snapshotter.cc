#include "service/domain_snapshotter.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "storage/check.h"

namespace stakeledger::service {

bool WriteDomainSnapshotAndReport(DomainState* state, size_t bytes_max, absl::string_view why) {
  absl::StatusOr<DomainSnapshotReport> written = state->WriteSnapshot(bytes_max);
  if (!written.ok()) {
    std::cerr << "ledgerd: did not write the domain snapshot (" << why
              << "): " << written.status().ToString() << std::endl;
    return false;
  }
  std::cout << "ledgerd: wrote the domain snapshot at position " << written->position << " (" << why
            << "): " << written->announcements << " announcements, " << written->written_bytes
            << " of its " << written->total_bytes << " bytes written; write gate held "
            << absl::FormatDuration(written->gate_held) << ", state lock at most "
            << absl::FormatDuration(written->lock_held_max) << ", took "
            << absl::FormatDuration(written->took) << std::endl;
  return true;
}

DomainSnapshotter::DomainSnapshotter(DomainState* state, uint64_t every_announcements_min,
                                     size_t bytes_max)
    : state_(state), every_announcements_min_(every_announcements_min), bytes_max_(bytes_max) {
  CHECK(every_announcements_min >= 1);
  thread_ = std::thread([this] { Run(); });
}

DomainSnapshotter::~DomainSnapshotter() { Stop(); }

void DomainSnapshotter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DomainSnapshotter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_requested_.wait_for(lock, absl::ToChronoSeconds(kDomainSnapshotPoll),
                                   [this] { return stopping_; })) {
    if (state_->announcements_since_snapshot() < every_announcements_min_) continue;
    lock.unlock();
    WriteDomainSnapshotAndReport(
        state_, bytes_max_,
        absl::StrCat(every_announcements_min_, " or more announcements since the last"));
    lock.lock();
  }
}

}  // namespace stakeledger::service
