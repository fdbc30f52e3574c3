// Projection answers that carry their own proofs (projections.proto,
// include_proof) and the whole ownership state (ListStakes): the answer is
// computed at a known_at inside a signed tree, and every fact it folds
// comes with its record bytes and inclusion proof in that tree, so a
// client can check it against a head it trusts (docs/architecture.md,
// "Verifiable audit"). Speaks absl::Status, not gRPC.
#ifndef STAKELEDGER_SERVICE_ANSWER_PROOFS_H_
#define STAKELEDGER_SERVICE_ANSWER_PROOFS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/projection_queries.h"
#include "service/tree_signer.h"
#include "stakeledger/v1/audit.pb.h"
#include "stakeledger/v1/projections.pb.h"
#include "storage/event_log.h"
#include "storage/projection_engine.h"

namespace stakeledger::service {

// Pairs examined per ListStakes page when the request says 0, and at most.
inline constexpr uint32_t kListStakesPageDefault = 100;
inline constexpr uint32_t kListStakesPageMax = 1000;
// Record bytes one ListStakes page with proofs carries before it ends
// early (the rest follows on the next page), well inside gRPC's 64 MiB.
inline constexpr size_t kListStakesProofBytesMax = 16 << 20;
// How long an answer waits for the projection to reach its known_at
// before it is refused with UNAVAILABLE.
inline constexpr absl::Duration kProjectionCatchUpWaitMax = absl::Seconds(5);

// Where an answer with proofs is computed.
struct ProofPlan {
  bool include_proof = false;
  // The tree the proofs lead to (include_proof only).
  uint64_t tree_size = 0;
  // The position the answer is known at.
  uint64_t known_at = 0;
};

class AnswerProver {
 public:
  // REQUIRES: all four outlive this object.
  AnswerProver(const storage::EventLog* log, const storage::ProjectionEngine* engine,
               const TreeSigner* signer, const ProjectionQueries* queries)
      : log_(log), engine_(engine), signer_(signer), queries_(queries) {}

  // The queries of projections.proto with include_proof honoured (without
  // it: the plain ProjectionQueries answer). Errors: as ProjectionQueries;
  // OUT_OF_RANGE for a proof_tree_size beyond the head or a known_at
  // beyond the proof tree; UNAVAILABLE when the projection has not reached
  // known_at within kProjectionCatchUpWaitMax. Thread-safe.
  absl::StatusOr<v1::StakeResponse> Stake(const v1::StakeRequest& request) const;
  absl::StatusOr<v1::HoldingsResponse> Holders(const v1::HoldersRequest& request) const;
  absl::StatusOr<v1::HoldingsResponse> Portfolio(const v1::PortfolioRequest& request) const;
  // Also RESOURCE_EXHAUSTED for a page_size over kListStakesPageMax and
  // INVALID_ARGUMENT for a malformed page_token.
  absl::StatusOr<v1::ListStakesResponse> ListStakes(const v1::ListStakesRequest& request) const;

  // Resolves the proof tree and known_at (see StakeRequest.include_proof),
  // and waits for the projection when `require_caught_up`.
  absl::StatusOr<ProofPlan> Plan(const std::string& known_at, bool include_proof,
                                 uint64_t proof_tree_size, bool require_caught_up) const;

 private:
  absl::Status SignHead(uint64_t tree_size, v1::SignedTreeHead* out) const;
  // Adds a FactProof per basis entry of `answer` and of its parts.
  absl::Status ProveBasis(uint64_t tree_size, v1::StakeResponse* answer) const;
  absl::StatusOr<v1::RecordInclusion> ProveRecord(uint64_t position, uint64_t tree_size) const;
  uint64_t ProjectionPosition() const;

  const storage::EventLog* const log_;
  const storage::ProjectionEngine* const engine_;
  const TreeSigner* const signer_;
  const ProjectionQueries* const queries_;
};

// The record bytes a response carries in its proofs.
size_t ProofBytes(const v1::StakeResponse& answer);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_ANSWER_PROOFS_H_
