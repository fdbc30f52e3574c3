// NaiveStake (stake_facts.h): the reference replay the index is tested
// against. Written for clarity, not speed.
#include <algorithm>
#include <map>
#include <tuple>

#include "storage/naive_replay.h"
#include "storage/stake_facts.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

absl::StatusOr<StakeAnswer> NaiveStake(const std::vector<LoggedAnnouncement>& log,
                                       absl::string_view holder, absl::string_view target,
                                       int as_of_day, uint64_t known_at) {
  ASSIGN_OR_RETURN(NaiveFacts<v1::StakeEntry> facts,
                   ReplayKnownFacts(log, known_at, &ExtractFacts, &AnnouncementFacts::stakes));
  using Order = std::tuple<int, uint64_t, uint32_t, uint32_t>;
  std::vector<std::pair<Order, v1::StakeEntry>> effective;
  for (const auto& [key, entry] : facts) {
    if (entry.holder() != holder || entry.target() != target) continue;
    ASSIGN_OR_RETURN(auto period, DatePeriod(entry.effective_date()));
    if (period.first > as_of_day) continue;
    effective.push_back(
        {Order(period.first, entry.position(), entry.fact_index(), entry.part()), entry});
  }
  std::sort(effective.begin(), effective.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<v1::StakeEntry> ordered;
  for (auto& [order, entry] : effective) ordered.push_back(std::move(entry));
  return FoldStake(ordered, as_of_day);
}

}  // namespace stakeledger::storage
