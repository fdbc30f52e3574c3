// Runs projections (projection.h) over an EventLog: each on its own
// thread, catching up from its checkpoint in chunks and then following the
// log live by polling the head every kProjectionPollInterval. A projection
// whose Apply fails stops at that event and reports it; the others and the
// log go on.
#ifndef STAKELEDGER_STORAGE_PROJECTION_ENGINE_H_
#define STAKELEDGER_STORAGE_PROJECTION_ENGINE_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storage/event_log.h"
#include "storage/projection.h"

namespace stakeledger::storage {

inline constexpr absl::Duration kProjectionPollInterval = absl::Milliseconds(5);
// Events read from the log per chunk.
inline constexpr size_t kProjectionChunkEventsMax = 1024;

enum class ProjectionState { kCatchingUp, kLive, kRebuilding, kFailed };
const char* ProjectionStateName(ProjectionState state);

struct ProjectionStatus {
  std::string name;
  ProjectionState state = ProjectionState::kCatchingUp;
  // The last position applied, and the log head when it was read.
  uint64_t position = 0;
  uint64_t head = 0;
  uint64_t lag_events = 0;
  // Over the last completed second of work.
  double events_per_second = 0;
  // kFailed only: why, and the event that failed.
  std::string error;
  uint64_t error_position = 0;
};

class ProjectionEngine {
 public:
  // REQUIRES: `log` outlives the engine.
  explicit ProjectionEngine(EventLog* log);
  // Stops every runner.
  ~ProjectionEngine();
  ProjectionEngine(const ProjectionEngine&) = delete;
  ProjectionEngine& operator=(const ProjectionEngine&) = delete;

  // Starts folding `projection` from its checkpoint. REQUIRES: no
  // projection of the same name was added. Thread-safe.
  void Add(std::unique_ptr<Projection> projection);
  // Stops and joins every runner. Idempotent. Thread-safe.
  void Stop();

  // One status per projection, in the order added. Thread-safe.
  std::vector<ProjectionStatus> Status() const;
  // Errors: NOT_FOUND for an unknown name.
  absl::StatusOr<ProjectionStatus> StatusOf(absl::string_view name) const;
  // Waits until projection `name` has applied `position` (true), has
  // failed, or `timeout` passed (false). For tests and read-your-writes.
  bool WaitFor(absl::string_view name, uint64_t position, absl::Duration timeout) const;

 private:
  struct Runner;
  void Run(Runner* runner);
  absl::Status RunChunk(Runner* runner, uint64_t* position);

  EventLog* const log_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Runner>> runners_ ABSL_GUARDED_BY(mu_);
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_PROJECTION_ENGINE_H_
