// Writes the domain state's snapshot in the background (see "The snapshot"
// in domain_state.h): a thread that wakes every kDomainSnapshotPoll and
// writes one once `every_announcements_min` announcements were applied
// since the last. A failed write is reported on stderr and retried only
// after as many more announcements (a snapshot over its size limit is
// simply not written; starts then rebuild the state from the log).
#ifndef STAKELEDGER_SERVICE_DOMAIN_SNAPSHOTTER_H_
#define STAKELEDGER_SERVICE_DOMAIN_SNAPSHOTTER_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/domain_state.h"

namespace stakeledger::service {

// How often the thread looks at the number of new announcements.
inline constexpr absl::Duration kDomainSnapshotPoll = absl::Seconds(1);

// Thread-safe. Stop (or the destructor) joins the thread.
class DomainSnapshotter {
 public:
  // REQUIRES: `state` was loaded and outlives the snapshotter;
  // every_announcements_min >= 1.
  DomainSnapshotter(DomainState* state, uint64_t every_announcements_min, size_t bytes_max);
  ~DomainSnapshotter();
  DomainSnapshotter(const DomainSnapshotter&) = delete;
  DomainSnapshotter& operator=(const DomainSnapshotter&) = delete;

  // Stops the thread, waiting for a snapshot being written. Idempotent.
  void Stop();

 private:
  void Run();

  DomainState* const state_;
  const uint64_t every_announcements_min_;
  const size_t bytes_max_;
  std::mutex mu_;
  std::condition_variable stop_requested_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Writes a snapshot and says so ("ledgerd: wrote the domain snapshot at
// position N (WHY): ..." on stdout, or why not on stderr). Returns whether
// it was written.
bool WriteDomainSnapshotAndReport(DomainState* state, size_t bytes_max, absl::string_view why);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_DOMAIN_SNAPSHOTTER_H_
