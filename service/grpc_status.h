// The one conversion from absl::Status to grpc::Status. The canonical codes
// have the same numbers in both; the message passes through unchanged.
#ifndef STAKELEDGER_SERVICE_GRPC_STATUS_H_
#define STAKELEDGER_SERVICE_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace stakeledger::service {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_GRPC_STATUS_H_
