// NaiveInvestments (investment_facts.h): the reference replay the
// investments index is tested against. Written for clarity, not speed.
#include <algorithm>
#include <map>
#include <tuple>

#include "storage/investment_facts.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

using FactKey = std::pair<std::string, uint32_t>;  // announcement id, fact index
using Facts = std::multimap<FactKey, v1::InvestmentEntry>;

void ApplyCorrection(const StakeCorrection& correction, uint32_t fact_count, Facts* facts) {
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

// The facts known at `known_at`, corrected.
absl::StatusOr<Facts> KnownFacts(const std::vector<LoggedAnnouncement>& log, uint64_t known_at) {
  Facts facts;
  std::map<std::string, uint32_t> fact_counts;
  for (const LoggedAnnouncement& event : log) {
    if (event.position > known_at) break;
    ASSIGN_OR_RETURN(
        InvestmentFacts extracted,
        ExtractInvestmentFacts(event.announcement, event.position, event.recorded_at_us));
    fact_counts[event.announcement.announcement_id()] = extracted.fact_count;
    for (v1::InvestmentEntry& entry : extracted.entries) {
      FactKey key(entry.announcement_id(), entry.fact_index());
      facts.emplace(std::move(key), std::move(entry));
    }
    for (const StakeCorrection& correction : extracted.corrections) {
      auto count = fact_counts.find(correction.announcement_id);
      if (count == fact_counts.end()) continue;
      ApplyCorrection(correction, count->second, &facts);
    }
  }
  return facts;
}

using Order = std::tuple<int, uint64_t, uint32_t, uint32_t>;  // start, position, fact, part

// The last fact (in valid-time order) of each (holder, target) of `kind`
// starting on or before `end_day`, by target.
absl::StatusOr<std::map<std::string, v1::InvestmentEntry>> Governing(const Facts& facts,
                                                                     absl::string_view holder,
                                                                     v1::InvestmentEntry::Kind kind,
                                                                     int end_day) {
  std::map<std::string, std::pair<Order, v1::InvestmentEntry>> last;
  for (const auto& [key, entry] : facts) {
    if (entry.holder() != holder || entry.kind() != kind) continue;
    ASSIGN_OR_RETURN(auto period, DatePeriod(entry.effective_date()));
    if (period.first > end_day) continue;
    const Order order(period.first, entry.position(), entry.fact_index(), entry.part());
    auto it = last.find(entry.target());
    if (it == last.end() || it->second.first < order) last[entry.target()] = {order, entry};
  }
  std::map<std::string, v1::InvestmentEntry> result;
  for (auto& [target, governing] : last) result.emplace(target, std::move(governing.second));
  return result;
}

}  // namespace

absl::StatusOr<v1::InvestmentsResponse> NaiveInvestments(const std::vector<LoggedAnnouncement>& log,
                                                         absl::string_view holder, uint32_t year,
                                                         uint64_t known_at) {
  ASSIGN_OR_RETURN(Facts facts, KnownFacts(log, known_at));
  std::map<CapitalKey, v1::CapitalRow> capital, totals;
  for (const auto& [key, entry] : facts) {
    if (entry.holder() != holder) continue;
    ASSIGN_OR_RETURN(int entry_year, EntryYear(entry));
    if (year != 0 && static_cast<uint32_t>(entry_year) != year) continue;
    AddToCapital(entry, static_cast<uint32_t>(entry_year), &capital, &totals);
  }
  const int end_day = year == 0 ? kEndOfTimeDay : static_cast<int>(year) * 10000 + 1231;
  v1::InvestmentsResponse response;
  ASSIGN_OR_RETURN(auto acquisitions,
                   Governing(facts, holder, v1::InvestmentEntry::ACQUISITION, end_day));
  for (auto& [target, entry] : acquisitions) {
    ASSIGN_OR_RETURN(int entry_year, EntryYear(entry));
    if (year != 0 && static_cast<uint32_t>(entry_year) != year) continue;
    v1::AcquisitionStatus* status = response.add_acquisitions();
    status->set_target(target);
    status->set_stage(entry.stage());
    if (entry.has_amount()) *status->mutable_price() = entry.amount();
    *status->mutable_governing() = std::move(entry);
  }
  ASSIGN_OR_RETURN(auto ventures,
                   Governing(facts, holder, v1::InvestmentEntry::JOINT_VENTURE, end_day));
  for (auto& [venture, entry] : ventures) {
    ASSIGN_OR_RETURN(int entry_year, EntryYear(entry));
    if (year != 0 && static_cast<uint32_t>(entry_year) != year) continue;
    v1::JointVentureShare* share = response.add_joint_ventures();
    share->set_venture(venture);
    if (entry.has_share()) *share->mutable_share() = entry.share();
    if (entry.has_venture_capital()) *share->mutable_venture_capital() = entry.venture_capital();
    *share->mutable_governing() = std::move(entry);
  }
  RETURN_IF_ERROR(FinishInvestments(holder, capital, totals, &response));
  return response;
}

}  // namespace stakeledger::storage
