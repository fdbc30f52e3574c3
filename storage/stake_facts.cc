#include "storage/stake_facts.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

// The stake facts of one fact, in order, their dates and period starts
// not yet set (VisitFacts sets them): `emit(stake, date)`.
template <typename Emit>
void ReadStakes(const v1::Announcement& announcement, const v1::Fact& fact, StakeFactView base,
                Emit emit) {
  if (fact.has_stake_change()) {
    const v1::StakeChange& change = fact.stake_change();
    if (!change.has_resulting_stake() && !change.has_change()) return;
    const v1::Stake& stake =
        change.has_resulting_stake() ? change.resulting_stake() : change.change();
    base.holder = change.holder();
    base.target = change.target();
    base.absolute = change.has_resulting_stake();
    base.ppm = stake.ppm();
    base.qualifier = stake.qualifier();
    emit(base, DateOr(change.effective_date(), announcement));
  } else if (fact.has_acquisition()) {
    const v1::Acquisition& deal = fact.acquisition();
    if (deal.stage() != v1::Acquisition::COMPLETED) return;
    base.holder = deal.acquirer();
    base.target = deal.target();
    base.absolute = true;
    base.ppm = deal.has_stake() ? deal.stake().ppm() : kWholePpm;
    base.qualifier = deal.has_stake() ? deal.stake().qualifier() : v1::EXACT;
    emit(base, DateOr(deal.effective_date(), announcement));
  } else if (fact.has_joint_venture_formed()) {
    const v1::JointVentureFormed& venture = fact.joint_venture_formed();
    for (int i = 0; i < venture.partners_size(); ++i) {
      const v1::JointVenturePartner& partner = venture.partners(i);
      if (!partner.has_share()) continue;
      StakeFactView entry = base;
      entry.part = static_cast<uint32_t>(i);
      entry.holder = partner.partner();
      entry.target = venture.venture();
      entry.absolute = true;
      entry.ppm = partner.share().ppm();
      entry.qualifier = partner.share().qualifier();
      emit(entry, DateOr(venture.effective_date(), announcement));
    }
  }
}

// The first day of the period of `date`, the effective date of fact
// `fact_index`. Errors: as CheckFactDate.
absl::StatusOr<int> FactStartDay(const v1::Announcement& announcement, uint32_t fact_index,
                                 absl::string_view date) {
  absl::StatusOr<std::pair<int, int>> period = DatePeriod(date);
  if (period.ok()) return period->first;
  return absl::InvalidArgumentError(absl::StrCat("announcement '", announcement.announcement_id(),
                                                 "' fact ", fact_index, ": ",
                                                 period.status().message()));
}

// Collects ExtractFacts's result.
class FactCollector : public StakeFactSink {
 public:
  FactCollector(const v1::Announcement& announcement, uint64_t position, int64_t recorded_at_us,
                AnnouncementFacts* out)
      : announcement_(announcement),
        position_(position),
        recorded_at_us_(recorded_at_us),
        out_(out) {}

  void Stake(const StakeFactView& stake) override {
    v1::StakeEntry& entry = out_->stakes.emplace_back();
    entry.set_holder(stake.holder.data(), stake.holder.size());
    entry.set_target(stake.target.data(), stake.target.size());
    entry.set_announcement_id(announcement_.announcement_id());
    entry.set_fact_index(stake.fact_index);
    entry.set_part(stake.part);
    entry.set_effective_date(stake.effective_date.data(), stake.effective_date.size());
    entry.set_absolute(stake.absolute);
    entry.set_ppm(stake.ppm);
    entry.set_qualifier(stake.qualifier);
    entry.set_quote(stake.quote.data(), stake.quote.size());
    entry.set_position(position_);
    entry.set_recorded_at_us(recorded_at_us_);
    entry.set_known_from(position_);
  }
  void Correction(StakeCorrection correction) override {
    out_->corrections.push_back(std::move(correction));
  }
  void Fund(absl::string_view fund, absl::string_view sponsor) override {
    out_->funds.emplace_back(std::string(fund), std::string(sponsor));
  }

 private:
  const v1::Announcement& announcement_;
  const uint64_t position_;
  const int64_t recorded_at_us_;
  AnnouncementFacts* const out_;
};

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
  return FactStartDay(announcement, fact_index, date).status();
}

absl::StatusOr<uint32_t> VisitFacts(const v1::Announcement& announcement, StakeFactSink* sink) {
  const auto fact_count = static_cast<uint32_t>(announcement.facts_size());
  // A bad correction date is reported at once; a bad stake date only after
  // every correction was read, as the first stake fact's (as ExtractFacts
  // has always done). No fact goes to the sink after one.
  absl::Status date_status;
  for (uint32_t i = 0; i < fact_count; ++i) {
    const v1::Fact& fact = announcement.facts(static_cast<int>(i));
    if (fact.has_correction()) {
      ASSIGN_OR_RETURN(StakeCorrection parsed, ReadCorrection(fact.correction()));
      if (date_status.ok()) sink->Correction(std::move(parsed));
      continue;
    }
    if (fact.has_fund_established()) {
      if (date_status.ok()) {
        sink->Fund(fact.fund_established().fund(), fact.fund_established().sponsor());
      }
      continue;
    }
    StakeFactView base;
    base.fact_index = i;
    base.quote = fact.quote();
    ReadStakes(announcement, fact, base, [&](StakeFactView stake, const std::string& date) {
      if (!date_status.ok()) return;
      absl::StatusOr<int> start_day = FactStartDay(announcement, i, date);
      if (!start_day.ok()) {
        date_status = start_day.status();
        return;
      }
      stake.effective_date = date;
      stake.start_day = *start_day;
      sink->Stake(stake);
    });
  }
  RETURN_IF_ERROR(date_status);
  return fact_count;
}

absl::StatusOr<AnnouncementFacts> ExtractFacts(const v1::Announcement& announcement,
                                               uint64_t position, int64_t recorded_at_us) {
  AnnouncementFacts result;
  FactCollector collector(announcement, position, recorded_at_us, &result);
  ASSIGN_OR_RETURN(result.fact_count, VisitFacts(announcement, &collector));
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
