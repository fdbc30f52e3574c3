#include "service/audit_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/grpc_status.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

const grpc::Status kShuttingDown(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");

// 0 means the current head; anything beyond the head is OUT_OF_RANGE.
absl::StatusOr<uint64_t> ResolveSize(uint64_t requested, uint64_t head_size,
                                     absl::string_view field) {
  if (requested == 0) return head_size;
  if (requested > head_size) {
    return absl::OutOfRangeError(
        absl::StrCat(field, " ", requested, " is beyond the tree head, whose size is ", head_size));
  }
  return requested;
}

}  // namespace

absl::Status FillInclusionProof(const storage::EventLog& log,
                                const v1::GetInclusionProofRequest& request,
                                v1::InclusionProof* response) {
  if (request.position() == 0) {
    return absl::InvalidArgumentError("position must be at least 1 (positions start at 1)");
  }
  ASSIGN_OR_RETURN(const uint64_t size,
                   ResolveSize(request.tree_size(), log.tree_head().size, "tree_size"));
  if (request.position() > size) {
    return absl::InvalidArgumentError(
        absl::StrCat("position ", request.position(), " is not in the tree of size ", size));
  }
  const uint64_t index = request.position() - 1;
  ASSIGN_OR_RETURN(std::string leaf_hash, log.merkle().Node(0, index));
  ASSIGN_OR_RETURN(std::vector<std::string> hashes, log.merkle().InclusionProof(index, size));
  response->set_position(request.position());
  response->set_tree_size(size);
  response->set_leaf_hash(std::move(leaf_hash));
  for (std::string& hash : hashes) response->add_hashes(std::move(hash));
  return absl::OkStatus();
}

absl::Status FillConsistencyProof(const storage::EventLog& log,
                                  const v1::GetConsistencyProofRequest& request,
                                  v1::ConsistencyProof* response) {
  const uint64_t head_size = log.tree_head().size;
  ASSIGN_OR_RETURN(const uint64_t second,
                   ResolveSize(request.second_size(), head_size, "second_size"));
  if (request.first_size() > second) {
    return absl::InvalidArgumentError(
        absl::StrCat("first_size ", request.first_size(), " is larger than second_size ", second));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> hashes,
                   log.merkle().ConsistencyProof(request.first_size(), second));
  response->set_first_size(request.first_size());
  response->set_second_size(second);
  for (std::string& hash : hashes) response->add_hashes(std::move(hash));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* AuditService::GetTreeHead(grpc::CallbackServerContext* context,
                                                    const v1::GetTreeHeadRequest*,
                                                    v1::SignedTreeHead* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  const storage::TreeHead head = log_->tree_head();
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  response->set_tree_size(head.size);
  response->set_root_hash(head.root);
  response->set_timestamp_us(now_us);
  response->set_signature(signer_->Sign(head.size, head.root, now_us));
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AuditService::GetInclusionProof(
    grpc::CallbackServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::InclusionProof* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  return Finish(context, ToGrpcStatus(FillInclusionProof(*log_, *request, response)));
}

grpc::ServerUnaryReactor* AuditService::GetConsistencyProof(
    grpc::CallbackServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::ConsistencyProof* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  return Finish(context, ToGrpcStatus(FillConsistencyProof(*log_, *request, response)));
}

grpc::ServerUnaryReactor* AuditService::GetPublicKey(grpc::CallbackServerContext* context,
                                                     const v1::GetPublicKeyRequest*,
                                                     v1::PublicKey* response) {
  if (shutting_down_.load()) return Finish(context, kShuttingDown);
  response->set_algorithm("ed25519");
  response->set_key(signer_->public_key());
  return Finish(context, grpc::Status::OK);
}

}  // namespace stakeledger::service
