#include "service/investment_queries.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "storage/investment_facts.h"
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
  ASSIGN_OR_RETURN(v1::InvestmentsResponse response,
                   OneHolder(holder->entity_id(), year, known_at));
  if (!request.look_through()) return response;
  RETURN_IF_ERROR(AddFunds(year, known_at, &response));
  return response;
}

absl::StatusOr<v1::InvestmentsResponse> InvestmentQueries::OneHolder(const std::string& holder,
                                                                     uint32_t year,
                                                                     uint64_t known_at) const {
  // The projection's position is read before the index: everything up to
  // it is in the answer.
  auto status = engine_->StatusOf(storage::kInvestmentsProjection);
  const uint64_t projection_position = status.ok() ? status->position : 0;
  ASSIGN_OR_RETURN(v1::InvestmentsResponse response,
                   storage::QueryInvestments(log_->database(), holder, year, known_at));
  response.set_holder(holder);
  response.set_year(year);
  response.set_known_at_position(known_at);
  response.set_projection_position(projection_position);
  return response;
}

absl::Status InvestmentQueries::AddFunds(uint32_t year, uint64_t known_at,
                                         v1::InvestmentsResponse* response) const {
  const std::vector<std::string> funds = domain_->FundsOf(response->holder());
  if (funds.size() > kLookThroughFundsMax) {
    return absl::ResourceExhaustedError(
        absl::StrCat("'", response->holder(), "' sponsors ", funds.size(), " funds, more than the ",
                     kLookThroughFundsMax, " one look-through answer holds: ask for each fund"));
  }
  std::map<storage::CapitalKey, v1::CapitalRow> combined;
  auto add_totals = [&combined](const v1::InvestmentsResponse& answer) {
    for (const v1::CapitalRow& row : answer.totals()) {
      storage::AddCapitalRow(row, &combined[{row.year(), "", row.currency()}]);
    }
  };
  add_totals(*response);
  for (const std::string& fund : funds) {
    ASSIGN_OR_RETURN(v1::InvestmentsResponse answer, OneHolder(fund, year, known_at));
    if (answer.capital().empty() && answer.acquisitions().empty() &&
        answer.joint_ventures().empty()) {
      continue;
    }
    add_totals(answer);
    *response->add_through_funds() = std::move(answer);
  }
  // Each part's totals are within the row limit, their union need not be.
  if (combined.size() > storage::kInvestmentRowsMax) {
    return absl::ResourceExhaustedError(
        absl::StrCat("'", response->holder(), "' and its funds have ", combined.size(),
                     " combined totals, more than the ", storage::kInvestmentRowsMax,
                     " one answer holds: ask for one year"));
  }
  for (const auto& [key, row] : combined) *response->add_combined_totals() = row;
  return absl::OkStatus();
}

}  // namespace stakeledger::service
