#include "storage/projection_engine.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

struct ProjectionEngine::Runner {
  std::unique_ptr<Projection> projection;
  ProjectionStatus status;  // guarded by the engine's mu_
  absl::Time window_start = absl::Now();
  uint64_t window_events = 0;
  std::thread thread;
};

const char* ProjectionStateName(ProjectionState state) {
  switch (state) {
    case ProjectionState::kCatchingUp:
      return "catching up";
    case ProjectionState::kLive:
      return "live";
    case ProjectionState::kRebuilding:
      return "rebuilding";
    case ProjectionState::kFailed:
      return "failed";
  }
  return "unknown";
}

ProjectionEngine::ProjectionEngine(EventLog* log) : log_(log) {}

ProjectionEngine::~ProjectionEngine() { Stop(); }

void ProjectionEngine::Add(std::unique_ptr<Projection> projection) {
  std::lock_guard<std::mutex> lock(mu_);
  auto runner = std::make_unique<Runner>();
  runner->status.name = std::string(projection->name());
  runner->projection = std::move(projection);
  Runner* raw = runner.get();
  runners_.push_back(std::move(runner));
  raw->thread = std::thread([this, raw] { Run(raw); });
}

void ProjectionEngine::Stop() {
  std::vector<std::thread*> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& runner : runners_) threads.push_back(&runner->thread);
  }
  changed_.notify_all();
  for (std::thread* thread : threads) {
    if (thread->joinable()) thread->join();
  }
}

std::vector<ProjectionStatus> ProjectionEngine::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ProjectionStatus> result;
  for (const auto& runner : runners_) result.push_back(runner->status);
  return result;
}

absl::StatusOr<ProjectionStatus> ProjectionEngine::StatusOf(absl::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& runner : runners_) {
    if (runner->status.name == name) return runner->status;
  }
  return absl::NotFoundError(absl::StrCat("no projection named '", name, "'"));
}

bool ProjectionEngine::WaitFor(absl::string_view name, uint64_t position,
                               absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    for (const auto& runner : runners_) {
      if (runner->status.name != name) continue;
      if (runner->status.position >= position) return true;
      if (runner->status.state == ProjectionState::kFailed) return false;
    }
    if (absl::Now() >= deadline) return false;
    changed_.wait_for(lock, absl::ToChronoMilliseconds(kProjectionPollInterval));
  }
}

void ProjectionEngine::Run(Runner* runner) {
  absl::StatusOr<uint64_t> checkpoint =
      ReadCheckpoint(log_->database(), runner->projection->name());
  uint64_t position = checkpoint.ok() ? *checkpoint : 0;
  absl::Status status = checkpoint.status();
  {
    std::lock_guard<std::mutex> lock(mu_);
    runner->status.position = position;
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_ && status.ok()) {
    const uint64_t head = log_->head_position();
    runner->status.head = head;
    runner->status.lag_events = head - std::min(head, position);
    if (position >= head) {
      runner->status.state = ProjectionState::kLive;
      changed_.notify_all();
      changed_.wait_for(lock, absl::ToChronoMilliseconds(kProjectionPollInterval));
      continue;
    }
    if (runner->status.state != ProjectionState::kLive ||
        runner->status.lag_events > kProjectionChunkEventsMax) {
      runner->status.state = ProjectionState::kCatchingUp;
    }
    lock.unlock();
    status = RunChunk(runner, &position);
    lock.lock();
    changed_.notify_all();
  }
  if (!status.ok()) {
    runner->status.state = ProjectionState::kFailed;
    runner->status.error = std::string(status.message());
    if (runner->status.error_position == 0) runner->status.error_position = position + 1;
    changed_.notify_all();
  }
}

// Applies one chunk of events after *position. Each event that changes the
// state commits with its checkpoint; the rest advance it at the end.
absl::Status ProjectionEngine::RunChunk(Runner* runner, uint64_t* position) {
  EventList events;
  ChunkBounds bounds;
  bounds.events_max = kProjectionChunkEventsMax;
  ASSIGN_OR_RETURN(ScanResult scan,
                   log_->ReadAllChunk(*position + 1, /*backwards=*/false, EventFilter(),
                                      /*include_record=*/false, bounds, &events));
  (void)scan;
  const std::string name(runner->projection->name());
  bool pending_checkpoint = false;
  for (const v1::RecordedEvent& event : events) {
    ProjectionTxn txn(&log_->database(), name);
    absl::Status applied = runner->projection->Apply(event, &txn);
    if (!applied.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      runner->status.error_position = event.position();
      runner->status.position = *position;
      if (pending_checkpoint) (void)ProjectionTxn(&log_->database(), name).Commit(*position);
      return applied;
    }
    if (!txn.empty()) {
      RETURN_IF_ERROR(txn.Commit(event.position()));
      pending_checkpoint = false;
    } else {
      pending_checkpoint = true;
    }
    *position = event.position();
  }
  if (pending_checkpoint) RETURN_IF_ERROR(ProjectionTxn(&log_->database(), name).Commit(*position));
  std::lock_guard<std::mutex> lock(mu_);
  runner->status.position = *position;
  runner->window_events += events.size();
  const absl::Duration elapsed = absl::Now() - runner->window_start;
  if (elapsed >= absl::Seconds(1)) {
    runner->status.events_per_second = runner->window_events / absl::ToDoubleSeconds(elapsed);
    runner->window_start = absl::Now();
    runner->window_events = 0;
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::storage
