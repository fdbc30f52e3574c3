// The walk over a log prefix that the naive replays (NaiveStake in
// stake_facts.h, NaiveInvestments in investment_facts.h) share: the facts
// known at a position, with the corrections among them applied in log
// order (docs/projections.md, Corrections). Pure functions, no storage;
// written for clarity, not speed.
#ifndef STAKELEDGER_STORAGE_NAIVE_REPLAY_H_
#define STAKELEDGER_STORAGE_NAIVE_REPLAY_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "stakeledger/v1/announcement.pb.h"
#include "storage/stake_facts.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

// (announcement id, fact index): the fact an entry comes from.
using NaiveFactKey = std::pair<std::string, uint32_t>;
template <typename Entry>
using NaiveFacts = std::multimap<NaiveFactKey, Entry>;

// Applies one correction to the known facts: withdraws the facts it names
// (every fact of the announcement, `fact_count`, when it names none) or,
// with a corrected date, moves them to that date.
template <typename Entry>
void ApplyNaiveCorrection(const StakeCorrection& correction, uint32_t fact_count,
                          NaiveFacts<Entry>* facts) {
  std::vector<uint32_t> indexes = correction.fact_indexes;
  if (indexes.empty()) {
    for (uint32_t i = 0; i < fact_count; ++i) indexes.push_back(i);
  }
  for (uint32_t index : indexes) {
    const NaiveFactKey key(correction.announcement_id, index);
    if (correction.corrected_date.empty()) {
      facts->erase(key);
      continue;
    }
    auto [begin, end] = facts->equal_range(key);
    for (auto it = begin; it != end; ++it) it->second.set_effective_date(correction.corrected_date);
  }
}

// The facts of the events at positions <= known_at, corrected. `extract`
// gives an announcement's facts (with `entries`, `corrections` and
// `fact_count`); a correction of an announcement not seen yet changes
// nothing. Errors: as `extract`.
template <typename Facts, typename Entry>
absl::StatusOr<NaiveFacts<Entry>> ReplayKnownFacts(
    const std::vector<LoggedAnnouncement>& log, uint64_t known_at,
    absl::StatusOr<Facts> (*extract)(const v1::Announcement&, uint64_t, int64_t),
    std::vector<Entry> Facts::*entries) {
  NaiveFacts<Entry> facts;
  std::map<std::string, uint32_t> fact_counts;
  for (const LoggedAnnouncement& event : log) {
    if (event.position > known_at) break;
    ASSIGN_OR_RETURN(Facts extracted,
                     extract(event.announcement, event.position, event.recorded_at_us));
    fact_counts[event.announcement.announcement_id()] = extracted.fact_count;
    for (Entry& entry : extracted.*entries) {
      NaiveFactKey key(entry.announcement_id(), entry.fact_index());
      facts.emplace(std::move(key), std::move(entry));
    }
    for (const StakeCorrection& correction : extracted.corrections) {
      auto count = fact_counts.find(correction.announcement_id);
      if (count == fact_counts.end()) continue;
      ApplyNaiveCorrection(correction, count->second, &facts);
    }
  }
  return facts;
}

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_NAIVE_REPLAY_H_
