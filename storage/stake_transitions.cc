// QueryTransitions (stake_projection.h): the transaction-time history of one
// pair, from the intervals [known_from, known_until) of its index entries.
#include <map>
#include <tuple>

#include "storage/stake_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

constexpr int kEndOfValidTime = 99991231;

}  // namespace

absl::StatusOr<std::vector<StakeTransition>> QueryTransitions(const Database& db,
                                                              absl::string_view holder,
                                                              absl::string_view target,
                                                              uint64_t from, uint64_t to,
                                                              size_t steps_max) {
  ASSIGN_OR_RETURN(std::vector<v1::StakeEntry> versions, QueryPairVersions(db, holder, target));
  // Keyed by (position, fact identity) so that closing one version and
  // opening its successor at the same position reads as one move.
  using FactId = std::tuple<uint64_t, uint64_t, uint32_t, uint32_t>;
  std::map<FactId, StakeTransition> changes;
  for (const v1::StakeEntry& entry : versions) {
    const auto id = [&](uint64_t at) {
      return FactId(at, entry.position(), entry.fact_index(), entry.part());
    };
    if (entry.known_from() >= from && entry.known_from() <= to) {
      StakeTransition& change = changes[id(entry.known_from())];
      change.position = entry.known_from();
      change.kind =
          entry.known_from() == entry.position() ? StakeTransition::kFact : StakeTransition::kMoved;
      change.fact = entry;
    }
    const uint64_t until = entry.known_until();
    if (until != 0 && until >= from && until <= to) {
      auto [it, inserted] = changes.try_emplace(id(until));
      if (!inserted) continue;  // the successor version already says "moved"
      it->second.position = until;
      it->second.kind = StakeTransition::kWithdrawn;
      it->second.fact = entry;
    }
  }
  std::vector<StakeTransition> result;
  for (auto& [id, change] : changes) {
    // Stop only between positions, so that a caller resuming after the
    // last position returned misses nothing.
    if (!result.empty() && result.size() >= steps_max &&
        result.back().position != change.position) {
      break;
    }
    ASSIGN_OR_RETURN(change.after,
                     QueryStake(db, holder, target, kEndOfValidTime, change.position));
    result.push_back(std::move(change));
  }
  return result;
}

}  // namespace stakeledger::storage
