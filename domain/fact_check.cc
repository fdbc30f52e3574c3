#include "domain/fact_check.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "domain/limits.h"
#include "domain/money.h"
#include "domain/stake.h"

namespace stakeledger::domain {
namespace {

// A path and the checks of the fields under it; each check returns at the
// first error, so a chain of them reads as a list of rules.
class Fields {
 public:
  explicit Fields(std::string path) : path_(std::move(path)) {}

  std::string At(absl::string_view field) const { return absl::StrCat(path_, ".", field); }

  absl::Status Missing(absl::string_view field, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(At(field), ": missing (", what, ")"));
  }
  absl::Status Money(bool present, const v1::Money& money, absl::string_view field) const {
    return present ? ValidateMoney(money, At(field)) : absl::OkStatus();
  }
  absl::Status Stake(bool present, const v1::Stake& stake, StakeKind kind,
                     absl::string_view field) const {
    return present ? ValidateStake(stake, kind, At(field)) : absl::OkStatus();
  }
  absl::Status Date(absl::string_view text, absl::string_view field) const {
    return CheckOptionalDate(text, At(field));
  }
  absl::Status Text(absl::string_view text, absl::string_view field) const {
    return CheckText(text, At(field));
  }

 private:
  const std::string path_;
};

// Evaluates the checks in order, returning the first error.
#define DOMAIN_CHECK(expr)                             \
  do {                                                 \
    if (absl::Status s_ = (expr); !s_.ok()) return s_; \
  } while (0)

absl::Status CheckStakeChange(const v1::StakeChange& change, const Fields& f) {
  if (!change.has_resulting_stake() && !change.has_change()) {
    return f.Missing("resulting_stake", "a stake change needs resulting_stake, change or both");
  }
  DOMAIN_CHECK(f.Stake(change.has_resulting_stake(), change.resulting_stake(), StakeKind::kHolding,
                       "resulting_stake"));
  DOMAIN_CHECK(f.Stake(change.has_change(), change.change(), StakeKind::kChange, "change"));
  if (!v1::StakeMethod_IsValid(change.method())) {
    return absl::InvalidArgumentError(
        absl::StrCat(f.At("method"), ": ", change.method(), " is not a StakeMethod"));
  }
  return f.Date(change.effective_date(), "effective_date");
}

absl::Status CheckAcquisition(const v1::Acquisition& deal, const Fields& f) {
  if (deal.stage() == v1::Acquisition::STAGE_UNSPECIFIED ||
      !v1::Acquisition::Stage_IsValid(deal.stage())) {
    return f.Missing("stage", "ANNOUNCED, COMPLETED or TERMINATED");
  }
  DOMAIN_CHECK(f.Money(deal.has_price(), deal.price(), "price"));
  DOMAIN_CHECK(f.Stake(deal.has_stake(), deal.stake(), StakeKind::kHolding, "stake"));
  return f.Date(deal.effective_date(), "effective_date");
}

absl::Status CheckFundingRound(const v1::FundingRound& round, const Fields& f) {
  if (!round.has_round_size() && round.participants_size() == 0 &&
      !round.has_post_money_valuation()) {
    return f.Missing("participants", "a round needs round_size, participants or a valuation");
  }
  if (static_cast<size_t>(round.participants_size()) > kParticipantsPerRoundMax) {
    return absl::InvalidArgumentError(
        absl::StrCat(f.At("participants"), ": ", round.participants_size(),
                     " participants, over the limit of ", kParticipantsPerRoundMax));
  }
  DOMAIN_CHECK(f.Text(round.round_name(), "round_name"));
  DOMAIN_CHECK(f.Money(round.has_round_size(), round.round_size(), "round_size"));
  for (int i = 0; i < round.participants_size(); ++i) {
    const v1::FundingParticipation& p = round.participants(i);
    DOMAIN_CHECK(f.Money(p.has_amount(), p.amount(), absl::StrCat("participants[", i, "].amount")));
  }
  DOMAIN_CHECK(f.Money(round.has_post_money_valuation(), round.post_money_valuation(),
                       "post_money_valuation"));
  return f.Date(round.effective_date(), "effective_date");
}

absl::Status CheckJointVenture(const v1::JointVentureFormed& venture, const Fields& f) {
  if (venture.partners_size() == 0) return f.Missing("partners", "at least one partner");
  if (static_cast<size_t>(venture.partners_size()) > kPartnersPerVentureMax) {
    return absl::InvalidArgumentError(absl::StrCat(f.At("partners"), ": ", venture.partners_size(),
                                                   " partners, over the limit of ",
                                                   kPartnersPerVentureMax));
  }
  int64_t exact_total = 0;
  for (int i = 0; i < venture.partners_size(); ++i) {
    const v1::JointVenturePartner& partner = venture.partners(i);
    DOMAIN_CHECK(f.Stake(partner.has_share(), partner.share(), StakeKind::kHolding,
                         absl::StrCat("partners[", i, "].share")));
    exact_total += partner.share().ppm();
  }
  if (exact_total > kPpmWhole) {
    return absl::InvalidArgumentError(absl::StrCat(f.At("partners"), ": shares add up to ",
                                                   exact_total, " ppm, over ", kPpmWhole));
  }
  DOMAIN_CHECK(
      f.Money(venture.has_committed_capital(), venture.committed_capital(), "committed_capital"));
  return f.Date(venture.effective_date(), "effective_date");
}

absl::Status CheckWarrant(const v1::WarrantGranted& warrant, const Fields& f) {
  if (warrant.shares() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(f.At("shares"), ": ", warrant.shares(), " is negative"));
  }
  DOMAIN_CHECK(f.Stake(warrant.has_potential_stake(), warrant.potential_stake(),
                       StakeKind::kHolding, "potential_stake"));
  DOMAIN_CHECK(f.Text(warrant.conditions(), "conditions"));
  return f.Date(warrant.effective_date(), "effective_date");
}

absl::Status CheckFinancials(const v1::FinancialResults& results, const Fields& f) {
  if (results.period().empty()) return f.Missing("period", "e.g. \"2024\" or \"2024-Q3\"");
  DOMAIN_CHECK(f.Text(results.period(), "period"));
  if (!results.has_revenue() && !results.has_operating_income() && !results.has_net_income() &&
      !results.has_net_loss()) {
    return f.Missing("revenue", "at least one of revenue, operating_income, net_income, net_loss");
  }
  if (results.has_net_income() && results.has_net_loss()) {
    return absl::InvalidArgumentError(
        absl::StrCat(f.At("net_loss"), ": set together with net_income; at most one of them"));
  }
  DOMAIN_CHECK(f.Money(results.has_revenue(), results.revenue(), "revenue"));
  DOMAIN_CHECK(
      f.Money(results.has_operating_income(), results.operating_income(), "operating_income"));
  DOMAIN_CHECK(f.Money(results.has_net_income(), results.net_income(), "net_income"));
  return f.Money(results.has_net_loss(), results.net_loss(), "net_loss");
}

absl::Status CheckCorrection(const v1::Correction& correction, const Fields& f) {
  if (correction.action() == v1::Correction::ACTION_UNSPECIFIED ||
      !v1::Correction::Action_IsValid(correction.action())) {
    return f.Missing("action", "RETRACT or SUPERSEDE");
  }
  if (correction.announcement_id().empty()) {
    return f.Missing("announcement_id", "the id of the earlier announcement");
  }
  if (!correction.corrected_date().empty() && correction.action() != v1::Correction::SUPERSEDE) {
    return absl::InvalidArgumentError(absl::StrCat(
        f.At("corrected_date"), ": '", correction.corrected_date(), "' is for SUPERSEDE only"));
  }
  DOMAIN_CHECK(f.Text(correction.reason(), "reason"));
  return f.Date(correction.corrected_date(), "corrected_date");
}

absl::Status CheckKind(const v1::Fact& fact, absl::string_view path) {
  switch (fact.kind_case()) {
    case v1::Fact::kStakeChange:
      return CheckStakeChange(fact.stake_change(), Fields(absl::StrCat(path, ".stake_change")));
    case v1::Fact::kAcquisition:
      return CheckAcquisition(fact.acquisition(), Fields(absl::StrCat(path, ".acquisition")));
    case v1::Fact::kFundingRound:
      return CheckFundingRound(fact.funding_round(), Fields(absl::StrCat(path, ".funding_round")));
    case v1::Fact::kJointVentureFormed:
      return CheckJointVenture(fact.joint_venture_formed(),
                               Fields(absl::StrCat(path, ".joint_venture_formed")));
    case v1::Fact::kFundEstablished: {
      const Fields f(absl::StrCat(path, ".fund_established"));
      const v1::FundEstablished& fund = fact.fund_established();
      DOMAIN_CHECK(f.Money(fund.has_size(), fund.size(), "size"));
      return f.Date(fund.effective_date(), "effective_date");
    }
    case v1::Fact::kWarrantGranted:
      return CheckWarrant(fact.warrant_granted(), Fields(absl::StrCat(path, ".warrant_granted")));
    case v1::Fact::kValuationReported: {
      const Fields f(absl::StrCat(path, ".valuation_reported"));
      const v1::ValuationReported& valuation = fact.valuation_reported();
      if (!valuation.has_valuation()) return f.Missing("valuation", "a Money value");
      DOMAIN_CHECK(f.Money(true, valuation.valuation(), "valuation"));
      return f.Date(valuation.effective_date(), "effective_date");
    }
    case v1::Fact::kFinancialResults:
      return CheckFinancials(fact.financial_results(),
                             Fields(absl::StrCat(path, ".financial_results")));
    case v1::Fact::kCorrection:
      return CheckCorrection(fact.correction(), Fields(absl::StrCat(path, ".correction")));
    case v1::Fact::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      path,
      ": no kind (one of stake_change, acquisition, funding_round, joint_venture_formed, "
      "fund_established, warrant_granted, valuation_reported, financial_results, "
      "correction)"));
}

#undef DOMAIN_CHECK

}  // namespace

absl::Status CheckOptionalDate(absl::string_view text, absl::string_view path) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<domain::Date> date = ParseDate(text);
  if (date.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", date.status().message()));
}

absl::Status CheckText(absl::string_view text, absl::string_view path) {
  if (text.size() <= kTextBytesMax) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", text.size(), " bytes, over the ", kTextBytesMax, "-byte limit"));
}

absl::Status CheckFactFields(const v1::Fact& fact, absl::string_view path) {
  if (fact.quote().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".quote: missing (the source's words, copied exactly)"));
  }
  if (fact.quote().size() > kQuoteBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".quote: ", fact.quote().size(), " bytes, over the ", kQuoteBytesMax, "-byte limit"));
  }
  return CheckKind(fact, path);
}

}  // namespace stakeledger::domain
