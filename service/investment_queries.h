// The GetInvestments query of the Projections service (projections.proto,
// docs/projections.md "investments") over the investments index: the
// holder resolved through the entity registry, year and known_at parsed,
// the answer assembled. Speaks absl::Status, not gRPC.
#ifndef STAKELEDGER_SERVICE_INVESTMENT_QUERIES_H_
#define STAKELEDGER_SERVICE_INVESTMENT_QUERIES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "service/domain_state.h"
#include "service/projection_queries.h"
#include "stakeledger/v1/projections.pb.h"
#include "storage/event_log.h"
#include "storage/projection_engine.h"

namespace stakeledger::service {

// At most this many funds of one holder in a look-through answer (each
// fund's part is bounded by storage::kInvestmentRowsMax rows per list).
inline constexpr size_t kLookThroughFundsMax = 64;

class InvestmentQueries {
 public:
  // REQUIRES: all four outlive this object.
  InvestmentQueries(const storage::EventLog* log, const storage::ProjectionEngine* engine,
                    const DomainState* domain, const ProjectionQueries* projection_queries)
      : log_(log), engine_(engine), domain_(domain), projection_queries_(projection_queries) {}

  // Errors: INVALID_ARGUMENT for an empty holder, a malformed year or
  // known_at; OUT_OF_RANGE for a known_at beyond the head or in the
  // future; NOT_FOUND for an unknown holder (the message names the
  // closest entities); RESOURCE_EXHAUSTED past
  // storage::kInvestmentRowsMax rows (in one part or in the combined
  // totals) or past kLookThroughFundsMax funds; as storage reads.
  // Thread-safe.
  absl::StatusOr<v1::InvestmentsResponse> Investments(const v1::InvestmentsRequest& request) const;

 private:
  // The answer for one canonical entity id.
  absl::StatusOr<v1::InvestmentsResponse> OneHolder(const std::string& holder, uint32_t year,
                                                    uint64_t known_at) const;
  // Look-through: adds the answer of each fund of response->holder() that
  // has any row, and the combined totals.
  absl::Status AddFunds(uint32_t year, uint64_t known_at, v1::InvestmentsResponse* response) const;

  const storage::EventLog* const log_;
  const storage::ProjectionEngine* const engine_;
  const DomainState* const domain_;
  const ProjectionQueries* const projection_queries_;
};

// "" -> 0 (every year); "YYYY" -> the year.
// Errors: INVALID_ARGUMENT for anything else ("2024-05", "24", "0000").
absl::StatusOr<uint32_t> ParseYear(const std::string& year);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_INVESTMENT_QUERIES_H_
