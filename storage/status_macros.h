// RETURN_IF_ERROR and ASSIGN_OR_RETURN for absl::Status / absl::StatusOr,
// which Debian 12's Abseil does not ship.
#ifndef STAKELEDGER_STORAGE_STATUS_MACROS_H_
#define STAKELEDGER_STORAGE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    ::absl::Status stakeledger_status_ = (expr);               \
    if (!stakeledger_status_.ok()) return stakeledger_status_; \
  } while (0)

#define STAKELEDGER_CONCAT_INNER(a, b) a##b
#define STAKELEDGER_CONCAT(a, b) STAKELEDGER_CONCAT_INNER(a, b)

#define ASSIGN_OR_RETURN(lhs, expr) \
  STAKELEDGER_ASSIGN_OR_RETURN_IMPL(STAKELEDGER_CONCAT(statusor_, __LINE__), lhs, expr)

#define STAKELEDGER_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                      \
  if (!statusor.ok()) return std::move(statusor).status();     \
  lhs = std::move(statusor).value()

#endif  // STAKELEDGER_STORAGE_STATUS_MACROS_H_
