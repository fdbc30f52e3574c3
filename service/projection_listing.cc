// ProjectionQueries' list-shaped queries: holders, portfolio, timeline and
// the status table (projection_queries.h).
#include "service/projection_queries.h"
#include "storage/stake_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

void FillHoldings(const std::vector<storage::StakeHolding>& holdings, bool by_target,
                  const std::string& name, int as_of_day, uint64_t known_at,
                  uint64_t projection_position, v1::HoldingsResponse* out) {
  out->set_known_at_position(known_at);
  out->set_projection_position(projection_position);
  for (const storage::StakeHolding& holding : holdings) {
    v1::StakeResponse* entry = out->add_holdings();
    entry->set_holder(by_target ? holding.other : name);
    entry->set_target(by_target ? name : holding.other);
    entry->set_as_of(DayText(as_of_day));
    entry->set_known_at_position(known_at);
    entry->set_projection_position(projection_position);
    FillAnswer(holding.answer, entry);
  }
}

}  // namespace

absl::StatusOr<v1::HoldingsResponse> ProjectionQueries::Holders(
    const v1::HoldersRequest& request) const {
  ASSIGN_OR_RETURN(std::string target, Resolve(request.target()));
  ASSIGN_OR_RETURN(int as_of_day, ParseAsOf(request.as_of()));
  ASSIGN_OR_RETURN(uint64_t known_at, ResolveKnownAt(request.known_at()));
  ASSIGN_OR_RETURN(auto holdings,
                   storage::QueryHolders(log_->database(), target, as_of_day, known_at));
  v1::HoldingsResponse response;
  FillHoldings(holdings, true, target, as_of_day, known_at, ProjectionPosition(), &response);
  return response;
}

absl::StatusOr<v1::HoldingsResponse> ProjectionQueries::Portfolio(
    const v1::PortfolioRequest& request) const {
  ASSIGN_OR_RETURN(std::string holder, Resolve(request.holder()));
  ASSIGN_OR_RETURN(int as_of_day, ParseAsOf(request.as_of()));
  ASSIGN_OR_RETURN(uint64_t known_at, ResolveKnownAt(request.known_at()));
  ASSIGN_OR_RETURN(auto holdings,
                   storage::QueryPortfolio(log_->database(), holder, as_of_day, known_at));
  v1::HoldingsResponse response;
  FillHoldings(holdings, false, holder, as_of_day, known_at, ProjectionPosition(), &response);
  return response;
}

absl::StatusOr<v1::TimelineResponse> ProjectionQueries::Timeline(
    const v1::TimelineRequest& request) const {
  ASSIGN_OR_RETURN(std::string holder, Resolve(request.holder()));
  ASSIGN_OR_RETURN(std::string target, Resolve(request.target()));
  ASSIGN_OR_RETURN(uint64_t known_at, ResolveKnownAt(request.known_at()));
  ASSIGN_OR_RETURN(auto steps, storage::QueryTimeline(log_->database(), holder, target, known_at));
  v1::TimelineResponse response;
  response.set_known_at_position(known_at);
  response.set_projection_position(ProjectionPosition());
  for (storage::TimelineStep& step : steps) {
    v1::TimelineStep* out = response.add_steps();
    *out->mutable_fact() = std::move(step.fact);
    out->set_ppm(step.ppm);
  }
  return response;
}

v1::ListProjectionsResponse ProjectionQueries::List() const {
  v1::ListProjectionsResponse response;
  for (const storage::ProjectionStatus& status : engine_->Status()) {
    v1::ProjectionStatus* out = response.add_projections();
    out->set_name(status.name);
    out->set_state(storage::ProjectionStateName(status.state));
    out->set_position(status.position);
    out->set_head(status.head);
    out->set_lag_events(status.lag_events);
    out->set_events_per_second(status.events_per_second);
    out->set_error(status.error);
    out->set_error_position(status.error_position);
    out->set_rebuild_position(status.rebuild_position);
    out->set_folded_position(status.folded_position);
  }
  return response;
}

}  // namespace stakeledger::service
