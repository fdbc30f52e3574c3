// The queries of the Projections service (projections.proto) over the
// stake-ownership index: names resolved through the entity registry, dates
// and known_at parsed, answers assembled. Speaks absl::Status, not gRPC.
#ifndef STAKELEDGER_SERVICE_PROJECTION_QUERIES_H_
#define STAKELEDGER_SERVICE_PROJECTION_QUERIES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/domain_state.h"
#include "stakeledger/v1/projections.pb.h"
#include "storage/event_log.h"
#include "storage/projection_engine.h"
#include "storage/stake_facts.h"

namespace stakeledger::service {

// A checked Replay request: canonical names and the transaction-time range.
struct ReplayRange {
  std::string holder;
  std::string target;
  uint64_t from = 0;
  // With follow, the head when the call started: the caught-up mark is
  // sent once everything up to it has been.
  uint64_t to = 0;
  bool follow = false;
};

class ProjectionQueries {
 public:
  // REQUIRES: all three outlive this object.
  ProjectionQueries(const storage::EventLog* log, const storage::ProjectionEngine* engine,
                    const DomainState* domain)
      : log_(log), engine_(engine), domain_(domain) {}

  // Errors (all): INVALID_ARGUMENT for a malformed as_of or known_at;
  // OUT_OF_RANGE for a known_at beyond the head or in the future
  // (ResolveKnownAt); NOT_FOUND for an unknown entity name; as storage
  // reads. Thread-safe.
  absl::StatusOr<v1::StakeResponse> Stake(const v1::StakeRequest& request) const;
  absl::StatusOr<v1::HoldingsResponse> Holders(const v1::HoldersRequest& request) const;
  absl::StatusOr<v1::HoldingsResponse> Portfolio(const v1::PortfolioRequest& request) const;
  absl::StatusOr<v1::TimelineResponse> Timeline(const v1::TimelineRequest& request) const;
  v1::ListProjectionsResponse List() const;

  // Replay (replay_queries.cc). StartReplay checks a request and resolves
  // its names and range. Errors: as Stake; INVALID_ARGUMENT when
  // from_position > to_position or follow comes with a to_position;
  // OUT_OF_RANGE for a to_position beyond the head.
  absl::StatusOr<ReplayRange> StartReplay(const v1::ReplayRequest& request) const;
  // The last position the stake-ownership projection has applied.
  // Errors: FAILED_PRECONDITION, with its error, when it has failed.
  absl::StatusOr<uint64_t> AppliedPosition() const;
  // The changes of the range's pair at positions from..to, in position
  // order, at most about `steps_max` (storage::QueryTransitions).
  // REQUIRES: to <= AppliedPosition(). Errors: as storage reads.
  absl::StatusOr<std::vector<v1::ReplayStep>> ReplaySteps(const ReplayRange& range, uint64_t from,
                                                          uint64_t to, size_t steps_max) const;

  // The position `known_at` names: empty = the head; digits = that
  // position; an RFC 3339 time = the last position recorded at or before
  // it (0 when none), found by binary search over the log. Errors:
  // INVALID_ARGUMENT when it is none of these; OUT_OF_RANGE for a position
  // beyond the head or a time later than the server's clock (the answer
  // could still change); as storage reads.
  absl::StatusOr<uint64_t> ResolveKnownAt(const std::string& known_at) const;

 private:
  absl::StatusOr<std::string> Resolve(const std::string& name) const;
  uint64_t ProjectionPosition() const;
  absl::StatusOr<v1::StakeResponse> DirectStake(const std::string& holder,
                                                const std::string& target, int as_of_day,
                                                uint64_t known_at) const;

  const storage::EventLog* const log_;
  const storage::ProjectionEngine* const engine_;
  const DomainState* const domain_;
};

// The last day (YYYYMMDD) of a date string's period.
// Errors: INVALID_ARGUMENT as domain::ParseDate.
absl::StatusOr<int> ParseAsOf(const std::string& as_of);

// YYYYMMDD as YYYY-MM-DD.
std::string DayText(int day);
// The answer's ppm (null when unset), qualifier, governing fact, precision
// and basis.
void FillAnswer(const storage::StakeAnswer& answer, v1::StakeResponse* out);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_PROJECTION_QUERIES_H_
