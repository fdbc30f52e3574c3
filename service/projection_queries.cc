#include "service/projection_queries.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/date.h"
#include "storage/stake_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::service {

std::string DayText(int day) {
  return absl::StrFormat("%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
}

void FillAnswer(const storage::StakeAnswer& answer, v1::StakeResponse* out) {
  if (answer.ppm.has_value()) out->mutable_ppm()->set_value(static_cast<int32_t>(*answer.ppm));
  out->set_qualifier(answer.qualifier);
  if (answer.ppm.has_value()) *out->mutable_governing() = answer.governing;
  for (const v1::StakeEntry& fact : answer.basis) *out->add_basis() = fact;
  out->set_within_precision(answer.within_precision);
}

absl::StatusOr<int> ParseAsOf(const std::string& as_of) {
  absl::StatusOr<domain::Date> date = domain::ParseDate(as_of);
  if (!date.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("as_of: ", date.status().message()));
  }
  return date->LastDayKey();
}

absl::StatusOr<uint64_t> ProjectionQueries::ResolveKnownAt(const std::string& known_at) const {
  const uint64_t head = log_->head_position();
  if (known_at.empty()) return head;
  // An answer known at a position the log has not reached, or at a time
  // still to come, could change once it is reached: it is refused rather
  // than labelled with a position that does not exist yet.
  uint64_t position = 0;
  const bool parsed = absl::SimpleAtoi(known_at, &position);
  // Digits too many for a uint64 name a position past any head too.
  const bool too_large =
      !parsed && std::all_of(known_at.begin(), known_at.end(), absl::ascii_isdigit);
  if ((parsed && position > head) || too_large) {
    return absl::OutOfRangeError(
        absl::StrCat("known_at: ", known_at, " is beyond the log head ", head));
  }
  if (parsed) return position;
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, known_at, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "known_at: '", known_at, "' is neither a position nor an RFC 3339 time: ", error));
  }
  if (time > absl::Now()) {
    return absl::OutOfRangeError(
        absl::StrCat("known_at: ", known_at,
                     " is in the future; the ledger cannot know yet what it will know then"));
  }
  // recorded_at never decreases along the log: find the last position
  // recorded at or before `time`.
  uint64_t low = 0, high = head;  // invariant: low qualifies (0 trivially)
  while (low < high) {
    const uint64_t mid = low + (high - low + 1) / 2;
    storage::EventList events;
    storage::ChunkBounds bounds;
    bounds.events_max = 1;
    RETURN_IF_ERROR(
        log_->ReadAllChunk(mid, false, storage::EventFilter(), false, bounds, &events).status());
    if (events.empty()) return absl::InternalError(absl::StrCat("position ", mid, " is missing"));
    const auto& at = events[0].recorded_at();
    if (absl::FromUnixSeconds(at.seconds()) + absl::Nanoseconds(at.nanos()) <= time) {
      low = events[0].position();
    } else {
      high = mid - 1;
    }
  }
  return low;
}

absl::StatusOr<std::string> ProjectionQueries::Resolve(const std::string& name) const {
  absl::StatusOr<v1::Entity> entity = domain_->ResolveEntity(name);
  // A query about an entity the ledger does not know asks for something
  // that does not exist (projections.proto); the request itself is fine.
  if (absl::IsInvalidArgument(entity.status())) {
    return absl::NotFoundError(entity.status().message());
  }
  if (!entity.ok()) return entity.status();
  return entity->entity_id();
}

uint64_t ProjectionQueries::ProjectionPosition() const {
  auto status = engine_->StatusOf(storage::kStakeOwnershipProjection);
  return status.ok() ? status->position : 0;
}

absl::StatusOr<v1::StakeResponse> ProjectionQueries::DirectStake(const std::string& holder,
                                                                 const std::string& target,
                                                                 int as_of_day,
                                                                 uint64_t known_at) const {
  ASSIGN_OR_RETURN(storage::StakeAnswer answer,
                   storage::QueryStake(log_->database(), holder, target, as_of_day, known_at));
  v1::StakeResponse response;
  response.set_holder(holder);
  response.set_target(target);
  response.set_as_of(DayText(as_of_day));
  response.set_known_at_position(known_at);
  response.set_projection_position(ProjectionPosition());
  FillAnswer(answer, &response);
  return response;
}

absl::StatusOr<v1::StakeResponse> ProjectionQueries::Stake(const v1::StakeRequest& request) const {
  ASSIGN_OR_RETURN(std::string holder, Resolve(request.holder()));
  ASSIGN_OR_RETURN(std::string target, Resolve(request.target()));
  ASSIGN_OR_RETURN(int as_of_day, ParseAsOf(request.as_of()));
  ASSIGN_OR_RETURN(uint64_t known_at, ResolveKnownAt(request.known_at()));
  ASSIGN_OR_RETURN(v1::StakeResponse response, DirectStake(holder, target, as_of_day, known_at));
  if (!request.look_through()) return response;
  int64_t total = response.has_ppm() ? response.ppm().value() : 0;
  bool any = response.has_ppm();
  if (response.has_ppm() && response.ppm().value() > 0) {
    const v1::StakeResponse direct = response;
    *response.add_parts() = direct;
  }
  for (const std::string& fund_id : domain_->FundsOf(holder)) {
    ASSIGN_OR_RETURN(v1::StakeResponse fund, DirectStake(fund_id, target, as_of_day, known_at));
    if (!fund.has_ppm()) continue;
    any = true;
    total += fund.ppm().value();
    if (fund.ppm().value() > 0) *response.add_parts() = std::move(fund);
  }
  if (any) {
    response.mutable_ppm()->set_value(
        static_cast<int32_t>(std::min<int64_t>(total, storage::kWholePpm)));
  }
  return response;
}

}  // namespace stakeledger::service
