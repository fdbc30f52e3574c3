#include "storage/stake_facts.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

// Appends the stake entries of one fact to `out`; returns their count.
void AddStakes(const v1::Announcement& announcement, const v1::Fact& fact, v1::StakeEntry base,
               std::vector<v1::StakeEntry>* out) {
  if (fact.has_stake_change()) {
    const v1::StakeChange& change = fact.stake_change();
    if (!change.has_resulting_stake() && !change.has_change()) return;
    const v1::Stake& stake =
        change.has_resulting_stake() ? change.resulting_stake() : change.change();
    base.set_holder(change.holder());
    base.set_target(change.target());
    base.set_effective_date(DateOr(change.effective_date(), announcement));
    base.set_absolute(change.has_resulting_stake());
    base.set_ppm(stake.ppm());
    base.set_qualifier(stake.qualifier());
    out->push_back(std::move(base));
  } else if (fact.has_acquisition()) {
    const v1::Acquisition& deal = fact.acquisition();
    if (deal.stage() != v1::Acquisition::COMPLETED) return;
    base.set_holder(deal.acquirer());
    base.set_target(deal.target());
    base.set_effective_date(DateOr(deal.effective_date(), announcement));
    base.set_absolute(true);
    base.set_ppm(deal.has_stake() ? deal.stake().ppm() : kWholePpm);
    base.set_qualifier(deal.has_stake() ? deal.stake().qualifier() : v1::EXACT);
    out->push_back(std::move(base));
  } else if (fact.has_joint_venture_formed()) {
    const v1::JointVentureFormed& venture = fact.joint_venture_formed();
    for (int i = 0; i < venture.partners_size(); ++i) {
      const v1::JointVenturePartner& partner = venture.partners(i);
      if (!partner.has_share()) continue;
      v1::StakeEntry entry = base;
      entry.set_part(static_cast<uint32_t>(i));
      entry.set_holder(partner.partner());
      entry.set_target(venture.venture());
      entry.set_effective_date(DateOr(venture.effective_date(), announcement));
      entry.set_absolute(true);
      entry.set_ppm(partner.share().ppm());
      entry.set_qualifier(partner.share().qualifier());
      out->push_back(std::move(entry));
    }
  }
}

}  // namespace

absl::StatusOr<std::pair<int, int>> DatePeriod(absl::string_view date) {
  ASSIGN_OR_RETURN(domain::Date parsed, domain::ParseDate(date));
  return std::make_pair(parsed.FirstDayKey(), parsed.LastDayKey());
}

const std::string& DateOr(const std::string& date, const v1::Announcement& announcement) {
  return date.empty() ? announcement.announced_date() : date;
}

absl::StatusOr<StakeCorrection> ReadCorrection(const v1::Correction& correction) {
  StakeCorrection parsed;
  parsed.announcement_id = correction.announcement_id();
  parsed.fact_indexes.assign(correction.fact_indexes().begin(), correction.fact_indexes().end());
  if (correction.action() == v1::Correction::SUPERSEDE) {
    parsed.corrected_date = correction.corrected_date();
  }
  if (!parsed.corrected_date.empty()) RETURN_IF_ERROR(DatePeriod(parsed.corrected_date).status());
  return parsed;
}

absl::Status CheckFactDate(const v1::Announcement& announcement, uint32_t fact_index,
                           absl::string_view date) {
  absl::Status status = DatePeriod(date).status();
  if (status.ok()) return status;
  return absl::InvalidArgumentError(absl::StrCat("announcement '", announcement.announcement_id(),
                                                 "' fact ", fact_index, ": ", status.message()));
}

absl::StatusOr<AnnouncementFacts> ExtractFacts(const v1::Announcement& announcement,
                                               uint64_t position, int64_t recorded_at_us) {
  AnnouncementFacts result;
  result.fact_count = static_cast<uint32_t>(announcement.facts_size());
  for (uint32_t i = 0; i < result.fact_count; ++i) {
    const v1::Fact& fact = announcement.facts(static_cast<int>(i));
    if (fact.has_correction()) {
      ASSIGN_OR_RETURN(StakeCorrection parsed, ReadCorrection(fact.correction()));
      result.corrections.push_back(std::move(parsed));
      continue;
    }
    if (fact.has_fund_established()) {
      result.funds.emplace_back(fact.fund_established().fund(), fact.fund_established().sponsor());
      continue;
    }
    AddStakes(announcement, fact,
              BaseEntry<v1::StakeEntry>(announcement, fact, i, position, recorded_at_us),
              &result.stakes);
  }
  for (const v1::StakeEntry& entry : result.stakes) {
    RETURN_IF_ERROR(CheckFactDate(announcement, entry.fact_index(), entry.effective_date()));
  }
  return result;
}

StakeAnswer FoldStake(const std::vector<v1::StakeEntry>& facts, int as_of_day) {
  StakeAnswer answer;
  if (facts.empty()) return answer;
  int64_t ppm = 0;
  for (const v1::StakeEntry& fact : facts) ppm = fact.absolute() ? fact.ppm() : ppm + fact.ppm();
  answer.ppm = std::clamp<int64_t>(ppm, 0, kWholePpm);
  answer.governing = facts.back();
  answer.qualifier = answer.governing.qualifier();
  const auto period = DatePeriod(answer.governing.effective_date());
  answer.within_precision = period.ok() && as_of_day <= period->second;
  return answer;
}

}  // namespace stakeledger::storage
