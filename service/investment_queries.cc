#include "service/investment_queries.h"

#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "storage/investment_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::service {

absl::StatusOr<uint32_t> ParseYear(const std::string& year) {
  if (year.empty()) return 0;
  absl::StatusOr<domain::Date> date = domain::ParseDate(year);
  if (!date.ok())
    return absl::InvalidArgumentError(absl::StrCat("year: ", date.status().message()));
  if (date->precision != domain::DatePrecision::kYear) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: '", year, "' is not a year (YYYY); months and days are not asked"));
  }
  return static_cast<uint32_t>(date->year);
}

absl::StatusOr<v1::InvestmentsResponse> InvestmentQueries::Investments(
    const v1::InvestmentsRequest& request) const {
  if (request.holder().empty()) return absl::InvalidArgumentError("holder: is required");
  absl::StatusOr<v1::Entity> holder = domain_->ResolveEntity(request.holder());
  // The registry says INVALID_ARGUMENT, as announcement validation wants;
  // a query about a name nobody registered is NOT_FOUND.
  if (holder.status().code() == absl::StatusCode::kInvalidArgument) {
    return absl::NotFoundError(absl::StrCat("holder: ", holder.status().message()));
  }
  RETURN_IF_ERROR(holder.status());
  ASSIGN_OR_RETURN(uint32_t year, ParseYear(request.year()));
  ASSIGN_OR_RETURN(uint64_t known_at, projection_queries_->ResolveKnownAt(request.known_at()));
  // The projection's position is read before the index: everything up to
  // it is in the answer.
  auto status = engine_->StatusOf(storage::kInvestmentsProjection);
  const uint64_t projection_position = status.ok() ? status->position : 0;
  ASSIGN_OR_RETURN(
      v1::InvestmentsResponse response,
      storage::QueryInvestments(log_->database(), holder->entity_id(), year, known_at));
  response.set_holder(holder->entity_id());
  response.set_year(year);
  response.set_known_at_position(known_at);
  response.set_projection_position(projection_position);
  return response;
}

}  // namespace stakeledger::service
