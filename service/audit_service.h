// stakeledger.v1.Audit over gRPC's callback API (proto/stakeledger/v1/
// audit.proto): signed tree heads and proofs from the log's Merkle tree.
// Thin unary methods: validate, ask the log, one status conversion each.
#ifndef STAKELEDGER_SERVICE_AUDIT_SERVICE_H_
#define STAKELEDGER_SERVICE_AUDIT_SERVICE_H_

#include <atomic>

#include "service/tree_signer.h"
#include "stakeledger/v1/audit.grpc.pb.h"
#include "storage/event_log.h"

namespace stakeledger::service {

class AuditService final : public v1::Audit::CallbackService {
 public:
  // REQUIRES: `log` and `signer` outlive the service.
  AuditService(const storage::EventLog* log, const TreeSigner* signer)
      : log_(log), signer_(signer) {}

  // After this every new call is refused with UNAVAILABLE. Thread-safe.
  void BeginShutdown() { shutting_down_.store(true); }

  grpc::ServerUnaryReactor* GetTreeHead(grpc::CallbackServerContext* context,
                                        const v1::GetTreeHeadRequest* request,
                                        v1::SignedTreeHead* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* context,
                                              const v1::GetInclusionProofRequest* request,
                                              v1::InclusionProof* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* context,
                                                const v1::GetConsistencyProofRequest* request,
                                                v1::ConsistencyProof* response) override;
  grpc::ServerUnaryReactor* GetPublicKey(grpc::CallbackServerContext* context,
                                         const v1::GetPublicKeyRequest* request,
                                         v1::PublicKey* response) override;

 private:
  const storage::EventLog* const log_;
  const TreeSigner* const signer_;
  std::atomic<bool> shutting_down_{false};
};

// The answers themselves, without gRPC (tested directly). Errors: as
// audit.proto says; DATA_LOSS when a stored tree node is missing.
absl::Status FillInclusionProof(const storage::EventLog& log,
                                const v1::GetInclusionProofRequest& request,
                                v1::InclusionProof* response);
absl::Status FillConsistencyProof(const storage::EventLog& log,
                                  const v1::GetConsistencyProofRequest& request,
                                  v1::ConsistencyProof* response);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_AUDIT_SERVICE_H_
