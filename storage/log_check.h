// The offline integrity check behind `ledgerd check` (server stopped):
// re-hashes every record, rebuilds the Merkle tree from those hashes and
// compares it with the stored nodes, and checks that the indexes point
// back at each record. Reads only; never repairs.
#ifndef STAKELEDGER_STORAGE_LOG_CHECK_H_
#define STAKELEDGER_STORAGE_LOG_CHECK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/merkle_frontier.h"

namespace stakeledger::storage {

struct CheckReport {
  uint64_t records = 0;  // records checked before the first problem
  // Empty when the store is sound; else the first problem found, in log
  // order, naming its position (e.g. "position 7: record changed: ...").
  std::string problem;
  uint64_t problem_position = 0;  // 0 when sound
  TreeHead head;                  // the rebuilt tree's head
  bool ok() const { return problem.empty(); }
};

// Errors: UNAVAILABLE on a failed read. Damage is not an error: it is the
// report's problem.
absl::StatusOr<CheckReport> CheckLog(const Database& db);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_LOG_CHECK_H_
