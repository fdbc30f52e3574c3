#include "service/answer_proofs.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/stake_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

// The largest record a proof carries: one whole event with its payload
// at the largest size the log accepts, and room for its envelope.
constexpr size_t kProofRecordBytesMax = 64 << 20;

}  // namespace

size_t ProofBytes(const v1::StakeResponse& answer) {
  size_t bytes = 0;
  for (const v1::FactProof& proof : answer.proofs()) {
    bytes += proof.announcement().record().size() + proof.correction().record().size();
  }
  for (const v1::StakeResponse& part : answer.parts()) bytes += ProofBytes(part);
  return bytes;
}

uint64_t AnswerProver::ProjectionPosition() const {
  auto status = engine_->StatusOf(storage::kStakeOwnershipProjection);
  return status.ok() ? status->position : 0;
}

absl::StatusOr<ProofPlan> AnswerProver::Plan(const std::string& known_at, bool include_proof,
                                             uint64_t proof_tree_size,
                                             bool require_caught_up) const {
  ProofPlan plan;
  plan.include_proof = include_proof;
  if (!include_proof) {
    ASSIGN_OR_RETURN(plan.known_at, queries_->ResolveKnownAt(known_at));
  } else {
    const uint64_t head = log_->tree_head().size;
    plan.tree_size = proof_tree_size == 0 ? head : proof_tree_size;
    if (plan.tree_size > head) {
      return absl::OutOfRangeError(absl::StrCat("proof_tree_size ", plan.tree_size,
                                                " is beyond the tree head, whose size is ", head));
    }
    uint64_t position = 0;
    if (known_at.empty()) {
      plan.known_at = plan.tree_size;
    } else if (absl::SimpleAtoi(known_at, &position)) {
      if (position > plan.tree_size) {
        return absl::OutOfRangeError(absl::StrCat(
            "known_at ", position, " is beyond the proof tree, whose size is ", plan.tree_size));
      }
      plan.known_at = position;
    } else {
      // A time maps to the last position recorded by then; within the
      // proof tree that is the same position or the tree's last one,
      // since recorded_at never decreases along the log.
      ASSIGN_OR_RETURN(const uint64_t resolved, queries_->ResolveKnownAt(known_at));
      plan.known_at = std::min(resolved, plan.tree_size);
    }
  }
  // ResolveKnownAt refuses a known_at beyond the head, so the projection
  // can always reach it.
  const uint64_t needed = plan.known_at;
  if (require_caught_up &&
      !engine_->WaitFor(storage::kStakeOwnershipProjection, needed, kProjectionCatchUpWaitMax)) {
    return absl::UnavailableError(absl::StrCat("the stake-ownership projection is at position ",
                                               ProjectionPosition(), ", behind known_at ", needed,
                                               "; retry later"));
  }
  return plan;
}

absl::Status AnswerProver::SignHead(uint64_t tree_size, v1::SignedTreeHead* out) const {
  ASSIGN_OR_RETURN(std::string root, log_->merkle().Root(tree_size));
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  out->set_signature(signer_->Sign(tree_size, root, now_us));
  out->set_tree_size(tree_size);
  out->set_root_hash(std::move(root));
  out->set_timestamp_us(now_us);
  return absl::OkStatus();
}

absl::StatusOr<v1::RecordInclusion> AnswerProver::ProveRecord(uint64_t position,
                                                              uint64_t tree_size) const {
  if (position == 0 || position > tree_size) {
    return absl::InternalError(absl::StrCat("a fact at position ", position,
                                            " is outside the proof tree of size ", tree_size));
  }
  storage::EventList events;
  storage::ChunkBounds bounds;
  bounds.events_max = 1;
  bounds.bytes_max = kProofRecordBytesMax;
  RETURN_IF_ERROR(
      log_->ReadAllChunk(position, false, storage::EventFilter(), true, bounds, &events).status());
  if (events.empty() || events[0].position() != position) {
    return absl::DataLossError(absl::StrCat("the record at position ", position, " is missing"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> hashes,
                   log_->merkle().InclusionProof(position - 1, tree_size));
  v1::RecordInclusion inclusion;
  inclusion.set_position(position);
  inclusion.set_record(std::move(*events[0].mutable_record()));
  inclusion.set_tree_size(tree_size);
  for (std::string& hash : hashes) inclusion.add_hashes(std::move(hash));
  return inclusion;
}

absl::Status AnswerProver::ProveBasis(uint64_t tree_size, v1::StakeResponse* answer) const {
  answer->clear_proofs();
  for (const v1::StakeEntry& fact : answer->basis()) {
    v1::FactProof* proof = answer->add_proofs();
    ASSIGN_OR_RETURN(*proof->mutable_announcement(), ProveRecord(fact.position(), tree_size));
    if (fact.known_from() != fact.position()) {
      ASSIGN_OR_RETURN(*proof->mutable_correction(), ProveRecord(fact.known_from(), tree_size));
    }
  }
  for (v1::StakeResponse& part : *answer->mutable_parts()) {
    RETURN_IF_ERROR(ProveBasis(tree_size, &part));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::StakeResponse> AnswerProver::Stake(const v1::StakeRequest& request) const {
  if (!request.include_proof()) return queries_->Stake(request);
  ASSIGN_OR_RETURN(ProofPlan plan, Plan(request.known_at(), true, request.proof_tree_size(), true));
  v1::StakeRequest planned = request;
  planned.set_known_at(absl::StrCat(plan.known_at));
  ASSIGN_OR_RETURN(v1::StakeResponse response, queries_->Stake(planned));
  RETURN_IF_ERROR(ProveBasis(plan.tree_size, &response));
  RETURN_IF_ERROR(SignHead(plan.tree_size, response.mutable_tree_head()));
  return response;
}

absl::StatusOr<v1::HoldingsResponse> AnswerProver::Holders(
    const v1::HoldersRequest& request) const {
  if (!request.include_proof()) return queries_->Holders(request);
  ASSIGN_OR_RETURN(ProofPlan plan, Plan(request.known_at(), true, request.proof_tree_size(), true));
  v1::HoldersRequest planned = request;
  planned.set_known_at(absl::StrCat(plan.known_at));
  ASSIGN_OR_RETURN(v1::HoldingsResponse response, queries_->Holders(planned));
  for (v1::StakeResponse& holding : *response.mutable_holdings()) {
    RETURN_IF_ERROR(ProveBasis(plan.tree_size, &holding));
  }
  RETURN_IF_ERROR(SignHead(plan.tree_size, response.mutable_tree_head()));
  return response;
}

absl::StatusOr<v1::HoldingsResponse> AnswerProver::Portfolio(
    const v1::PortfolioRequest& request) const {
  if (!request.include_proof()) return queries_->Portfolio(request);
  ASSIGN_OR_RETURN(ProofPlan plan, Plan(request.known_at(), true, request.proof_tree_size(), true));
  v1::PortfolioRequest planned = request;
  planned.set_known_at(absl::StrCat(plan.known_at));
  ASSIGN_OR_RETURN(v1::HoldingsResponse response, queries_->Portfolio(planned));
  for (v1::StakeResponse& holding : *response.mutable_holdings()) {
    RETURN_IF_ERROR(ProveBasis(plan.tree_size, &holding));
  }
  RETURN_IF_ERROR(SignHead(plan.tree_size, response.mutable_tree_head()));
  return response;
}

}  // namespace stakeledger::service
