#include "storage/stake_facts.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

// The date of a fact whose own is `date`: the announcement's when empty.
absl::string_view DateOr(absl::string_view date, const AnnouncementView& announcement) {
  return date.empty() ? announcement.announced_date : date;
}

// The stake facts of one fact, in order, their dates and period starts
// not yet set (VisitFacts sets them): `emit(stake, date)`.
template <typename Emit>
void ReadStakes(const AnnouncementView& announcement, const FactView& fact, StakeFactView base,
                Emit emit) {
  switch (fact.kind) {
    case v1::Fact::kStakeChange: {
      const StakeChangeView& change = fact.stake_change;
      if (!change.resulting_stake.set && !change.change.set) return;
      const StakeView& stake = change.resulting_stake.set ? change.resulting_stake : change.change;
      base.holder = change.holder;
      base.target = change.target;
      base.absolute = change.resulting_stake.set;
      base.ppm = stake.ppm;
      base.qualifier = static_cast<v1::Qualifier>(stake.qualifier);
      emit(base, DateOr(change.effective_date, announcement));
      return;
    }
    case v1::Fact::kAcquisition: {
      const AcquisitionView& deal = fact.acquisition;
      if (deal.stage != v1::Acquisition::COMPLETED) return;
      base.holder = deal.acquirer;
      base.target = deal.target;
      base.absolute = true;
      base.ppm = deal.stake.set ? deal.stake.ppm : kWholePpm;
      base.qualifier =
          deal.stake.set ? static_cast<v1::Qualifier>(deal.stake.qualifier) : v1::EXACT;
      emit(base, DateOr(deal.effective_date, announcement));
      return;
    }
    case v1::Fact::kJointVentureFormed: {
      const JointVentureView& venture = fact.joint_venture;
      for (uint32_t i = venture.partners_begin; i < venture.partners_end; ++i) {
        const PartnerView& partner = announcement.partners[i];
        if (!partner.share.set) continue;
        StakeFactView entry = base;
        entry.part = i - venture.partners_begin;
        entry.holder = partner.partner;
        entry.target = venture.venture;
        entry.absolute = true;
        entry.ppm = partner.share.ppm;
        entry.qualifier = static_cast<v1::Qualifier>(partner.share.qualifier);
        emit(entry, DateOr(venture.effective_date, announcement));
      }
      return;
    }
    default:
      return;
  }
}

// The first day of the period of `date`, the effective date of fact
// `fact_index` of announcement `id`. Errors: as CheckFactDate.
absl::StatusOr<int> FactStartDay(absl::string_view id, uint32_t fact_index,
                                 absl::string_view date) {
  absl::StatusOr<std::pair<int, int>> period = DatePeriod(date);
  if (period.ok()) return period->first;
  return absl::InvalidArgumentError(
      absl::StrCat("announcement '", id, "' fact ", fact_index, ": ", period.status().message()));
}

// A correction's StakeCorrection (corrected_date only with SUPERSEDE), of
// the message or of a view. Errors: as ReadCorrection.
absl::StatusOr<StakeCorrection> MakeCorrection(int32_t action, absl::string_view announcement_id,
                                               const uint32_t* fact_indexes_begin,
                                               const uint32_t* fact_indexes_end,
                                               absl::string_view corrected_date) {
  StakeCorrection parsed;
  parsed.announcement_id = std::string(announcement_id);
  parsed.fact_indexes.assign(fact_indexes_begin, fact_indexes_end);
  if (action == v1::Correction::SUPERSEDE) parsed.corrected_date = std::string(corrected_date);
  if (!parsed.corrected_date.empty()) RETURN_IF_ERROR(DatePeriod(parsed.corrected_date).status());
  return parsed;
}

// Collects ExtractFacts's result.
class FactCollector : public StakeFactSink {
 public:
  FactCollector(absl::string_view announcement_id, uint64_t position, int64_t recorded_at_us,
                AnnouncementFacts* out)
      : announcement_id_(announcement_id),
        position_(position),
        recorded_at_us_(recorded_at_us),
        out_(out) {}

  void Stake(const StakeFactView& stake) override {
    v1::StakeEntry& entry = out_->stakes.emplace_back();
    entry.set_holder(stake.holder.data(), stake.holder.size());
    entry.set_target(stake.target.data(), stake.target.size());
    entry.set_announcement_id(announcement_id_.data(), announcement_id_.size());
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
  const absl::string_view announcement_id_;
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
  const uint32_t* indexes = correction.fact_indexes().data();
  return MakeCorrection(correction.action(), correction.announcement_id(), indexes,
                        indexes + correction.fact_indexes_size(), correction.corrected_date());
}
absl::Status CheckFactDate(const v1::Announcement& announcement, uint32_t fact_index,
                           absl::string_view date) {
  return FactStartDay(announcement.announcement_id(), fact_index, date).status();
}

absl::StatusOr<uint32_t> VisitFacts(const AnnouncementView& announcement, StakeFactSink* sink) {
  const auto fact_count = static_cast<uint32_t>(announcement.facts.size());
  // A bad correction date is reported at once; a bad stake date only after
  // every correction was read, as the first stake fact's (as ExtractFacts
  // has always done). No fact goes to the sink after one.
  absl::Status date_status;
  for (uint32_t i = 0; i < fact_count; ++i) {
    const FactView& fact = announcement.facts[i];
    if (fact.kind == v1::Fact::kCorrection) {
      const CorrectionView& correction = fact.correction;
      const uint32_t* indexes = announcement.fact_indexes.data();
      ASSIGN_OR_RETURN(
          StakeCorrection parsed,
          MakeCorrection(correction.action, correction.announcement_id,
                         indexes + correction.fact_indexes_begin,
                         indexes + correction.fact_indexes_end, correction.corrected_date));
      if (date_status.ok()) sink->Correction(std::move(parsed));
      continue;
    }
    if (fact.kind == v1::Fact::kFundEstablished) {
      if (date_status.ok()) sink->Fund(fact.fund.fund, fact.fund.sponsor);
      continue;
    }
    StakeFactView base;
    base.fact_index = i;
    base.quote = fact.quote;
    ReadStakes(announcement, fact, base, [&](StakeFactView stake, absl::string_view date) {
      if (!date_status.ok()) return;
      absl::StatusOr<int> start_day = FactStartDay(announcement.announcement_id, i, date);
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

absl::StatusOr<uint32_t> VisitFacts(const v1::Announcement& announcement, StakeFactSink* sink) {
  AnnouncementView view;
  ViewOfAnnouncement(announcement, &view);
  return VisitFacts(view, sink);
}

absl::StatusOr<AnnouncementFacts> ExtractFacts(const AnnouncementView& announcement,
                                               uint64_t position, int64_t recorded_at_us) {
  AnnouncementFacts result;
  FactCollector collector(announcement.announcement_id, position, recorded_at_us, &result);
  ASSIGN_OR_RETURN(result.fact_count, VisitFacts(announcement, &collector));
  return result;
}

absl::StatusOr<AnnouncementFacts> ExtractFacts(const v1::Announcement& announcement,
                                               uint64_t position, int64_t recorded_at_us) {
  AnnouncementView view;
  ViewOfAnnouncement(announcement, &view);
  return ExtractFacts(view, position, recorded_at_us);
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
