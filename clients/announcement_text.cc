#include "clients/announcement_text.h"

#include <cstdint>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/money.h"

namespace stakeledger::clients {
namespace {

const char* QualifierMark(v1::Qualifier qualifier) {
  switch (qualifier) {
    case v1::APPROXIMATELY:
      return "~";
    case v1::AT_LEAST:
      return "≥";
    case v1::UP_TO:
      return "≤";
    default:
      return "";
  }
}

std::string GroupThousands(uint64_t value) {
  std::string digits = absl::StrCat(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

// " (a, b)" of the non-empty parts, or "".
std::string Details(std::vector<std::string> parts) {
  std::vector<std::string> kept;
  for (std::string& part : parts) {
    if (!part.empty()) kept.push_back(std::move(part));
  }
  return kept.empty() ? "" : absl::StrCat(" (", absl::StrJoin(kept, ", "), ")");
}

std::string MethodName(v1::StakeMethod method) {
  return method == v1::STAKE_METHOD_UNSPECIFIED ? "" : v1::StakeMethod_Name(method);
}

std::string FormatStakeChange(const v1::StakeChange& c) {
  std::string text = absl::StrCat("stake ", c.holder(), " in ", c.target(), ":");
  if (c.has_resulting_stake()) absl::StrAppend(&text, " now ", FormatStake(c.resulting_stake()));
  if (c.has_change()) absl::StrAppend(&text, " change ", FormatStake(c.change()));
  return text + Details({MethodName(c.method()), c.effective_date()});
}

std::string FormatAcquisition(const v1::Acquisition& a) {
  std::string text = absl::StrCat("acquisition ", v1::Acquisition::Stage_Name(a.stage()), ": ",
                                  a.acquirer(), " buys ", a.target());
  if (a.has_stake()) absl::StrAppend(&text, " ", FormatStake(a.stake()));
  if (a.has_price()) absl::StrAppend(&text, " for ", FormatMoney(a.price()));
  return text + Details({a.effective_date()});
}

std::string FormatRound(const v1::FundingRound& r) {
  std::string text = absl::StrCat("round ", r.company());
  if (!r.round_name().empty()) absl::StrAppend(&text, " ", r.round_name());
  if (r.has_round_size()) absl::StrAppend(&text, " of ", FormatMoney(r.round_size()));
  std::vector<std::string> participants;
  for (const v1::FundingParticipation& p : r.participants()) {
    participants.push_back(absl::StrCat(p.participant(), p.lead() ? " (lead)" : "",
                                        p.has_amount() ? " " + FormatMoney(p.amount()) : ""));
  }
  if (!participants.empty()) absl::StrAppend(&text, ": ", absl::StrJoin(participants, ", "));
  std::string valuation =
      r.has_post_money_valuation() ? "post-money " + FormatMoney(r.post_money_valuation()) : "";
  return text + Details({valuation, r.effective_date()});
}

std::string FormatVenture(const v1::JointVentureFormed& v) {
  std::vector<std::string> partners;
  for (const v1::JointVenturePartner& p : v.partners()) {
    partners.push_back(p.has_share() ? absl::StrCat(p.partner(), " ", FormatStake(p.share()))
                                     : p.partner());
  }
  std::string capital = v.has_committed_capital() ? FormatMoney(v.committed_capital()) : "";
  return absl::StrCat("joint venture ", v.venture(), ": ", absl::StrJoin(partners, " + ")) +
         Details({capital, v.effective_date()});
}

std::string FormatFinancials(const v1::FinancialResults& f) {
  std::vector<std::string> figures;
  if (f.has_revenue()) figures.push_back("revenue " + FormatMoney(f.revenue()));
  if (f.has_operating_income()) {
    figures.push_back("operating income " + FormatMoney(f.operating_income()));
  }
  if (f.has_net_income()) figures.push_back("net income " + FormatMoney(f.net_income()));
  if (f.has_net_loss()) figures.push_back("net loss " + FormatMoney(f.net_loss()));
  return absl::StrCat("results ", f.company(), " ", f.period(), ": ", absl::StrJoin(figures, ", "));
}

std::string FormatCorrection(const v1::Correction& c) {
  std::string text = absl::StrCat("correction ", v1::Correction::Action_Name(c.action()), " ",
                                  c.announcement_id());
  if (c.fact_indexes_size() > 0) {
    absl::StrAppend(&text, " facts [", absl::StrJoin(c.fact_indexes(), ","), "]");
  }
  if (!c.corrected_date().empty()) absl::StrAppend(&text, " to date ", c.corrected_date());
  return text;
}

}  // namespace

std::string FormatMoney(const v1::Money& money) {
  const char* mark = QualifierMark(money.qualifier());
  if (!domain::IsKnownCurrency(money.currency())) {
    return absl::StrCat(mark, money.currency(), " ", money.minor_units(), " (minor units)");
  }
  const int digits = domain::MinorUnitDigits(money.currency());
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const uint64_t units = static_cast<uint64_t>(std::llabs(money.minor_units()));
  std::string text = absl::StrCat(mark, money.minor_units() < 0 ? "-" : "", money.currency(), " ",
                                  GroupThousands(units / scale));
  if (units % scale != 0) {
    std::string fraction = absl::StrCat(units % scale + scale).substr(1);
    absl::StrAppend(&text, ".", fraction);
  }
  return text;
}

std::string FormatStake(const v1::Stake& stake) {
  const int64_t ppm = stake.ppm();
  const uint64_t magnitude = static_cast<uint64_t>(std::llabs(ppm));
  std::string text =
      absl::StrCat(QualifierMark(stake.qualifier()), ppm < 0 ? "-" : "", magnitude / 10'000);
  if (magnitude % 10'000 != 0) {
    std::string fraction = absl::StrCat(magnitude % 10'000 + 10'000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    absl::StrAppend(&text, ".", fraction);
  }
  return text + "%";
}

std::string FormatFact(const v1::Fact& fact) {
  switch (fact.kind_case()) {
    case v1::Fact::kStakeChange:
      return FormatStakeChange(fact.stake_change());
    case v1::Fact::kAcquisition:
      return FormatAcquisition(fact.acquisition());
    case v1::Fact::kFundingRound:
      return FormatRound(fact.funding_round());
    case v1::Fact::kJointVentureFormed:
      return FormatVenture(fact.joint_venture_formed());
    case v1::Fact::kFundEstablished: {
      const v1::FundEstablished& f = fact.fund_established();
      return absl::StrCat("fund ", f.fund(), " by ", f.sponsor()) +
             Details({f.has_size() ? FormatMoney(f.size()) : "", f.effective_date()});
    }
    case v1::Fact::kWarrantGranted: {
      const v1::WarrantGranted& w = fact.warrant_granted();
      return absl::StrCat("warrant ", w.holder(), " on ", w.issuer(), ": ",
                          GroupThousands(static_cast<uint64_t>(w.shares())), " shares") +
             Details({w.has_potential_stake() ? FormatStake(w.potential_stake()) : "",
                      w.effective_date()});
    }
    case v1::Fact::kValuationReported: {
      const v1::ValuationReported& v = fact.valuation_reported();
      return absl::StrCat("valuation ", v.company(), " ", FormatMoney(v.valuation())) +
             Details({v.effective_date()});
    }
    case v1::Fact::kFinancialResults:
      return FormatFinancials(fact.financial_results());
    case v1::Fact::kCorrection:
      return FormatCorrection(fact.correction());
    case v1::Fact::KIND_NOT_SET:
      break;
  }
  return "(no kind)";
}

std::vector<Column> AnnouncementColumns() {
  return {{"POSITION", Align::kRight},
          {"DATE", Align::kLeft, 10},
          {"ANNOUNCEMENT", Align::kLeft, 56},
          {"FACTS", Align::kLeft, 120}};
}

std::vector<std::string> AnnouncementCells(const v1::RecordedAnnouncement& record) {
  const v1::Announcement& a = record.announcement();
  std::vector<std::string> facts;
  for (const v1::Fact& fact : a.facts()) facts.push_back(FormatFact(fact));
  return {absl::StrCat(record.position()), a.announced_date(), a.announcement_id(),
          absl::StrJoin(facts, "; ")};
}

std::vector<Column> EntityColumns() {
  return {{"ID", Align::kLeft, 32},
          {"KIND", Align::kLeft, 13},
          {"PARENT", Align::kLeft, 32},
          {"NAME", Align::kLeft, 40},
          {"ALIASES", Align::kLeft, 120}};
}

std::vector<std::string> EntityCells(const v1::Entity& entity) {
  return {entity.entity_id(), v1::Entity::Kind_Name(entity.kind()), entity.parent(),
          entity.display_name(), absl::StrJoin(entity.aliases(), ", ")};
}

}  // namespace stakeledger::clients
