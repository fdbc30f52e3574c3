// The client side of verifiable audit: fetches the server's signed tree
// head and trusts it only after checking it against what this client
// already trusts (trust_store.h), and checks records' inclusion by hashing
// their bytes locally. Never trusts a hash the server computed for it.
#ifndef STAKELEDGER_CLIENTS_AUDIT_CLIENT_H_
#define STAKELEDGER_CLIENTS_AUDIT_CLIENT_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "clients/command_support.h"
#include "clients/trust_store.h"
#include "stakeledger/v1/audit.grpc.pb.h"

namespace stakeledger::clients {

// Errors of every method: the server's own errors with their codes
// (UNAVAILABLE when unreachable); UNAUTHENTICATED when the server's key is
// not the pinned one or a signature does not verify; DATA_LOSS when a proof
// does not verify (the message names both heads when history changed).
class AuditClient {
 public:
  // REQUIRES: `connection` outlives the client.
  AuditClient(Connection* connection, std::string trust_path);

  // Fetches the signed head; on first use pins the server's key and the
  // head (saying so on `notes`); otherwise checks the signature with the
  // pinned key and the consistency of the trusted head with the new one,
  // then trusts the new head.
  absl::StatusOr<TrustedHead> FetchVerifiedHead(std::ostream& notes);

  // The exact stored record bytes at `position` (ReadAll, include_record).
  absl::StatusOr<std::string> FetchRecord(uint64_t position);

  // OK when SHA-256(0x00 || record) is leaf position - 1 of `head`'s tree,
  // by the server's inclusion proof.
  absl::Status CheckInclusion(const TrustedHead& head, uint64_t position, absl::string_view record);

  // OK when the server proves that `trusted` is a prefix of `fresh` (a
  // smaller `fresh` is DATA_LOSS, as is a proof that does not verify).
  absl::Status CheckConsistency(const TrustedHead& trusted, const TrustedHead& fresh);

 private:
  absl::StatusOr<TrustedHead> FetchSignedHead();

  Connection* const connection_;
  const std::string trust_path_;
  std::unique_ptr<v1::Audit::Stub> audit_;
};

// The trust file for `server` in `trust_dir`, or in DefaultTrustDir()
// when `trust_dir` is empty; empty when there is no directory to use.
std::string TrustPathFor(const std::string& trust_dir, absl::string_view server);

// A head for people: "size N, root HEX, signed at TIME".
std::string DescribeHead(const TrustedHead& head);

// Prints a failed audit step on stderr and returns its exit code:
// kExitVerifyFailed for UNAUTHENTICATED and DATA_LOSS, else as
// Connection::ReportFailure.
int ReportAuditFailure(const Connection& connection, const absl::Status& status);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_AUDIT_CLIENT_H_
