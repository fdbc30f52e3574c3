// NaiveInvestments (investment_facts.h): the reference replay the
// investments index is tested against. Written for clarity, not speed.
#include <algorithm>
#include <map>
#include <tuple>

#include "storage/investment_facts.h"
#include "storage/naive_replay.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

using Facts = NaiveFacts<v1::InvestmentEntry>;

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
  ASSIGN_OR_RETURN(Facts facts, ReplayKnownFacts(log, known_at, &ExtractInvestmentFacts,
                                                 &InvestmentFacts::entries));
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
