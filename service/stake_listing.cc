// AnswerProver::ListStakes: the whole ownership state at a date, a page at
// a time (answer_proofs.h).
#include <string>

#include "absl/strings/str_cat.h"
#include "service/answer_proofs.h"
#include "storage/stake_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

absl::StatusOr<uint32_t> PageSize(uint32_t requested) {
  if (requested == 0) return kListStakesPageDefault;
  if (requested > kListStakesPageMax) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "page_size ", requested, " is over list_stakes_page_max (", kListStakesPageMax, ")"));
  }
  return requested;
}

// A page token is "target NUL holder" of the last pair of a page.
absl::Status CheckPageToken(const std::string& token) {
  if (token.empty() || token.find('\0') != std::string::npos) return absl::OkStatus();
  return absl::InvalidArgumentError("page_token is not one a ListStakes response gave");
}

std::string PageToken(const std::string& target, const std::string& holder) {
  return absl::StrCat(target, std::string(1, '\0'), holder);
}

}  // namespace

absl::StatusOr<v1::ListStakesResponse> AnswerProver::ListStakes(
    const v1::ListStakesRequest& request) const {
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  RETURN_IF_ERROR(CheckPageToken(request.page_token()));
  ASSIGN_OR_RETURN(const int as_of_day, ParseAsOf(request.as_of()));
  ASSIGN_OR_RETURN(const ProofPlan plan, Plan(request.known_at(), request.include_proof(),
                                              request.proof_tree_size(), true));
  ASSIGN_OR_RETURN(storage::StakePage page,
                   storage::QueryAllStakes(log_->database(), as_of_day, plan.known_at,
                                           request.page_token(), page_size));
  v1::ListStakesResponse response;
  response.set_known_at_position(plan.known_at);
  response.set_projection_position(ProjectionPosition());
  size_t proof_bytes = 0;
  for (size_t i = 0; i < page.stakes.size(); ++i) {
    const storage::StakePair& pair = page.stakes[i];
    v1::StakeResponse* stake = response.add_stakes();
    stake->set_holder(pair.holder);
    stake->set_target(pair.target);
    stake->set_as_of(DayText(as_of_day));
    stake->set_known_at_position(plan.known_at);
    stake->set_projection_position(response.projection_position());
    FillAnswer(pair.answer, stake);
    if (!plan.include_proof) continue;
    RETURN_IF_ERROR(ProveBasis(plan.tree_size, stake));
    proof_bytes += ProofBytes(*stake);
    if (proof_bytes > kListStakesProofBytesMax && i + 1 < page.stakes.size()) {
      // The rest of the page follows on the next one.
      response.set_next_page_token(PageToken(pair.target, pair.holder));
      break;
    }
  }
  if (response.next_page_token().empty()) response.set_next_page_token(page.next_after);
  if (plan.include_proof) RETURN_IF_ERROR(SignHead(plan.tree_size, response.mutable_tree_head()));
  return response;
}

}  // namespace stakeledger::service
