// NaiveStake (stake_facts.h): the reference replay the index is tested
// against. Written for clarity, not speed.
#include <algorithm>
#include <map>
#include <tuple>

#include "storage/stake_facts.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

using FactKey = std::pair<std::string, uint32_t>;  // announcement id, fact index

// Applies one correction to the known stake facts, keyed by their fact.
void ApplyCorrection(const StakeCorrection& correction, uint32_t fact_count,
                     std::multimap<FactKey, v1::StakeEntry>* facts) {
  std::vector<uint32_t> indexes = correction.fact_indexes;
  if (indexes.empty()) {
    for (uint32_t i = 0; i < fact_count; ++i) indexes.push_back(i);
  }
  for (uint32_t index : indexes) {
    const FactKey key(correction.announcement_id, index);
    if (correction.corrected_date.empty()) {
      facts->erase(key);
      continue;
    }
    auto [begin, end] = facts->equal_range(key);
    for (auto it = begin; it != end; ++it) it->second.set_effective_date(correction.corrected_date);
  }
}

}  // namespace

absl::StatusOr<StakeAnswer> NaiveStake(const std::vector<LoggedAnnouncement>& log,
                                       absl::string_view holder, absl::string_view target,
                                       int as_of_day, uint64_t known_at) {
  std::multimap<FactKey, v1::StakeEntry> facts;
  std::map<std::string, uint32_t> fact_counts;
  for (const LoggedAnnouncement& event : log) {
    if (event.position > known_at) break;
    ASSIGN_OR_RETURN(AnnouncementFacts extracted,
                     ExtractFacts(event.announcement, event.position, event.recorded_at_us));
    fact_counts[event.announcement.announcement_id()] = extracted.fact_count;
    for (v1::StakeEntry& entry : extracted.stakes) {
      FactKey key(entry.announcement_id(), entry.fact_index());
      facts.emplace(std::move(key), std::move(entry));
    }
    for (const StakeCorrection& correction : extracted.corrections) {
      auto count = fact_counts.find(correction.announcement_id);
      if (count == fact_counts.end()) continue;
      ApplyCorrection(correction, count->second, &facts);
    }
  }
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
