// ProjectionQueries' Replay half (projection_queries.h): checks the request
// and reads the pair's changes page by page from the stake-ownership index.
#include "absl/strings/str_cat.h"
#include "service/projection_queries.h"
#include "storage/stake_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

const char* ChangeName(storage::StakeTransition::Kind kind) {
  switch (kind) {
    case storage::StakeTransition::kFact:
      return "fact";
    case storage::StakeTransition::kWithdrawn:
      return "withdrawn";
    case storage::StakeTransition::kMoved:
      return "moved";
  }
  return "fact";
}

}  // namespace

absl::StatusOr<ReplayRange> ProjectionQueries::StartReplay(const v1::ReplayRequest& request) const {
  ReplayRange range;
  ASSIGN_OR_RETURN(range.holder, Resolve(request.holder()));
  ASSIGN_OR_RETURN(range.target, Resolve(request.target()));
  const uint64_t head = log_->head_position();
  if (request.follow() && request.to_position() != 0) {
    return absl::InvalidArgumentError("to_position: follow keeps going past any position");
  }
  if (request.to_position() > head) {
    return absl::OutOfRangeError(
        absl::StrCat("to_position: ", request.to_position(), " is beyond the log head ", head));
  }
  range.to = request.to_position() == 0 ? head : request.to_position();
  if (request.from_position() > range.to) {
    return absl::InvalidArgumentError(absl::StrCat("from_position: ", request.from_position(),
                                                   " is after to_position ", range.to));
  }
  range.from = request.from_position();
  range.follow = request.follow();
  return range;
}

absl::StatusOr<uint64_t> ProjectionQueries::AppliedPosition() const {
  ASSIGN_OR_RETURN(storage::ProjectionStatus status,
                   engine_->StatusOf(storage::kStakeOwnershipProjection));
  if (status.state == storage::ProjectionState::kFailed) {
    return absl::FailedPreconditionError(absl::StrCat("projection ", status.name,
                                                      " failed at position ", status.error_position,
                                                      ": ", status.error));
  }
  return status.position;
}

absl::StatusOr<std::vector<v1::ReplayStep>> ProjectionQueries::ReplaySteps(const ReplayRange& range,
                                                                           uint64_t from,
                                                                           uint64_t to,
                                                                           size_t steps_max) const {
  ASSIGN_OR_RETURN(auto transitions, storage::QueryTransitions(log_->database(), range.holder,
                                                               range.target, from, to, steps_max));
  std::vector<v1::ReplayStep> steps;
  steps.reserve(transitions.size());
  for (storage::StakeTransition& transition : transitions) {
    v1::ReplayStep& step = steps.emplace_back();
    step.set_position(transition.position);
    step.set_change(ChangeName(transition.kind));
    *step.mutable_fact() = std::move(transition.fact);
    if (transition.after.ppm.has_value()) {
      step.mutable_ppm()->set_value(static_cast<int32_t>(*transition.after.ppm));
      *step.mutable_governing() = std::move(transition.after.governing);
    }
  }
  return steps;
}

}  // namespace stakeledger::service
