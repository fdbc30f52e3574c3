#include "clients/audit_client.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/event_text.h"
#include "clients/exit_code.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_verify.h"
#include "verify/tree_head.h"

namespace stakeledger::clients {
namespace {

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::vector<std::string> Hashes(const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  return std::vector<std::string>(hashes.begin(), hashes.end());
}

}  // namespace

AuditClient::AuditClient(Connection* connection, std::string trust_path)
    : connection_(connection),
      trust_path_(std::move(trust_path)),
      audit_(v1::Audit::NewStub(connection->channel())) {}

absl::StatusOr<TrustedHead> AuditClient::FetchSignedHead() {
  TrustedHead head;
  {
    v1::PublicKey key;
    auto context = connection_->NewUnaryContext();
    absl::Status status = FromGrpc(audit_->GetPublicKey(context.get(), {}, &key));
    if (!status.ok()) return status;
    head.public_key = key.key();
  }
  v1::SignedTreeHead signed_head;
  auto context = connection_->NewUnaryContext();
  absl::Status status = FromGrpc(audit_->GetTreeHead(context.get(), {}, &signed_head));
  if (!status.ok()) return status;
  head.tree_size = signed_head.tree_size();
  head.root_hash = signed_head.root_hash();
  head.timestamp_us = signed_head.timestamp_us();
  head.signature = signed_head.signature();
  return head;
}

absl::StatusOr<TrustedHead> AuditClient::FetchVerifiedHead(std::ostream& notes) {
  absl::StatusOr<std::optional<TrustedHead>> trusted = LoadTrustedHead(trust_path_);
  if (!trusted.ok()) return trusted.status();
  absl::StatusOr<TrustedHead> fresh = FetchSignedHead();
  if (!fresh.ok()) return fresh.status();
  if (trusted->has_value() && (*trusted)->public_key != fresh->public_key) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the server's public key ", verify::ToHex(fresh->public_key), " is not the pinned key ",
        verify::ToHex((*trusted)->public_key), " (", trust_path_, ")"));
  }
  absl::Status status = verify::VerifyTreeHeadSignature(
      fresh->public_key, fresh->tree_size, fresh->root_hash, fresh->timestamp_us, fresh->signature);
  if (!status.ok()) return status;
  if (!trusted->has_value()) {
    notes << "first use: pinned public key " << verify::ToHex(fresh->public_key)
          << " and tree head " << DescribeHead(*fresh) << " in " << trust_path_ << "\n";
  } else {
    status = CheckConsistency(**trusted, *fresh);
    if (!status.ok()) return status;
  }
  status = SaveTrustedHead(trust_path_, *fresh);
  if (!status.ok()) return status;
  return fresh;
}

absl::Status AuditClient::CheckConsistency(const TrustedHead& trusted, const TrustedHead& fresh) {
  // A log only grows: a smaller head means records were taken away.
  if (fresh.tree_size < trusted.tree_size) {
    return absl::DataLossError(
        absl::StrCat("the server's history changed: its head ", DescribeHead(fresh),
                     " is smaller than the trusted head ", DescribeHead(trusted)));
  }
  const TrustedHead& small = trusted;
  const TrustedHead& large = fresh;
  v1::GetConsistencyProofRequest request;
  request.set_first_size(small.tree_size);
  request.set_second_size(large.tree_size);
  v1::ConsistencyProof proof;
  auto context = connection_->NewUnaryContext();
  absl::Status status = FromGrpc(audit_->GetConsistencyProof(context.get(), request, &proof));
  if (status.ok()) {
    status = verify::VerifyConsistency(small.tree_size, large.tree_size, Hashes(proof.hashes()),
                                       small.root_hash, large.root_hash);
  }
  if (status.ok()) return status;
  return absl::DataLossError(absl::StrCat("the server's history changed: the trusted head ",
                                          DescribeHead(trusted),
                                          " is not consistent with the server's head ",
                                          DescribeHead(fresh), " (", status.message(), ")"));
}

absl::StatusOr<std::string> AuditClient::FetchRecord(uint64_t position) {
  v1::ReadAllRequest request;
  request.set_from_position(position);
  request.set_count(1);
  request.set_include_record(true);
  grpc::ClientContext context;
  auto reader = connection_->stub().ReadAll(&context, request);
  v1::ReadResponse response;
  std::string record;
  bool found = false;
  while (reader->Read(&response)) {
    for (const v1::RecordedEvent& event : response.events()) {
      if (event.position() != position) continue;
      record = event.record();
      found = true;
    }
  }
  absl::Status status = FromGrpc(reader->Finish());
  if (!status.ok()) return status;
  if (!found) return absl::NotFoundError(absl::StrCat("no record at position ", position));
  return record;
}

absl::Status AuditClient::CheckInclusion(const TrustedHead& head, uint64_t position,
                                         absl::string_view record) {
  v1::GetInclusionProofRequest request;
  request.set_position(position);
  request.set_tree_size(head.tree_size);
  v1::InclusionProof proof;
  auto context = connection_->NewUnaryContext();
  absl::Status status = FromGrpc(audit_->GetInclusionProof(context.get(), request, &proof));
  if (!status.ok()) return status;
  status = verify::VerifyInclusion(position - 1, head.tree_size, verify::HashLeaf(record),
                                   Hashes(proof.hashes()), head.root_hash);
  if (status.ok()) return status;
  return absl::DataLossError(absl::StrCat("record at position ", position,
                                          " is not in the signed tree head ", DescribeHead(head),
                                          ": ", status.message()));
}

std::string TrustPathFor(const std::string& trust_dir, absl::string_view server) {
  const std::string dir = trust_dir.empty() ? DefaultTrustDir() : trust_dir;
  if (dir.empty()) return "";
  return TrustFilePath(dir, server);
}

std::string DescribeHead(const TrustedHead& head) {
  return absl::StrCat("(size ", head.tree_size, ", root ", verify::ToHex(head.root_hash),
                      ", signed at ", FormatRecordedTime(absl::FromUnixMicros(head.timestamp_us)),
                      ")");
}

int ReportAuditFailure(const Connection& connection, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnauthenticated ||
      status.code() == absl::StatusCode::kDataLoss) {
    std::cerr << "ledgerctl: verification failed: " << status.message() << std::endl;
    return kExitVerifyFailed;
  }
  return connection.ReportFailure(
      grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message())));
}

}  // namespace stakeledger::clients
