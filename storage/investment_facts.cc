#include "storage/investment_facts.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

v1::InvestmentEntry::Capital AcquisitionCapital(v1::Acquisition::Stage stage) {
  switch (stage) {
    case v1::Acquisition::ANNOUNCED:
      return v1::InvestmentEntry::COMMITTED;
    case v1::Acquisition::COMPLETED:
      return v1::InvestmentEntry::INVESTED;
    default:
      return v1::InvestmentEntry::NOT_COUNTED;
  }
}

// Appends the entries of one fact to `out`.
void AddEntries(const v1::Announcement& announcement, const v1::Fact& fact,
                const v1::InvestmentEntry& base, std::vector<v1::InvestmentEntry>* out) {
  if (fact.has_funding_round()) {
    const v1::FundingRound& round = fact.funding_round();
    for (int i = 0; i < round.participants_size(); ++i) {
      const v1::FundingParticipation& participation = round.participants(i);
      v1::InvestmentEntry entry = base;
      entry.set_kind(v1::InvestmentEntry::PARTICIPATION);
      // Rounds are dated when they closed (docs/data.md "Dates"): an
      // undated round was announced, planned or still in progress.
      entry.set_capital(round.effective_date().empty() ? v1::InvestmentEntry::COMMITTED
                                                       : v1::InvestmentEntry::INVESTED);
      entry.set_part(static_cast<uint32_t>(i));
      entry.set_holder(participation.participant());
      entry.set_target(round.company());
      entry.set_effective_date(DateOr(round.effective_date(), announcement));
      if (participation.has_amount()) *entry.mutable_amount() = participation.amount();
      entry.set_round_name(round.round_name());
      entry.set_lead(participation.lead());
      out->push_back(std::move(entry));
    }
  } else if (fact.has_acquisition()) {
    const v1::Acquisition& deal = fact.acquisition();
    v1::InvestmentEntry entry = base;
    entry.set_kind(v1::InvestmentEntry::ACQUISITION);
    entry.set_capital(AcquisitionCapital(deal.stage()));
    entry.set_holder(deal.acquirer());
    entry.set_target(deal.target());
    entry.set_effective_date(DateOr(deal.effective_date(), announcement));
    if (deal.has_price()) *entry.mutable_amount() = deal.price();
    entry.set_stage(deal.stage());
    out->push_back(std::move(entry));
  } else if (fact.has_joint_venture_formed()) {
    const v1::JointVentureFormed& venture = fact.joint_venture_formed();
    for (int i = 0; i < venture.partners_size(); ++i) {
      v1::InvestmentEntry entry = base;
      entry.set_kind(v1::InvestmentEntry::JOINT_VENTURE);
      entry.set_part(static_cast<uint32_t>(i));
      entry.set_holder(venture.partners(i).partner());
      entry.set_target(venture.venture());
      entry.set_effective_date(DateOr(venture.effective_date(), announcement));
      if (venture.partners(i).has_share()) *entry.mutable_share() = venture.partners(i).share();
      if (venture.has_committed_capital()) {
        *entry.mutable_venture_capital() = venture.committed_capital();
      }
      out->push_back(std::move(entry));
    }
  }
}

void CountInto(const v1::InvestmentEntry& entry, v1::CapitalRow* row) {
  const bool committed = entry.capital() == v1::InvestmentEntry::COMMITTED;
  if (committed) {
    row->set_committed_facts(row->committed_facts() + 1);
  } else {
    row->set_invested_facts(row->invested_facts() + 1);
  }
  if (!entry.has_amount()) return;
  AddMoney(entry.amount(), committed ? row->mutable_committed() : row->mutable_invested());
}

}  // namespace

absl::StatusOr<InvestmentFacts> ExtractInvestmentFacts(const v1::Announcement& announcement,
                                                       uint64_t position, int64_t recorded_at_us) {
  InvestmentFacts result;
  result.fact_count = static_cast<uint32_t>(announcement.facts_size());
  for (uint32_t i = 0; i < result.fact_count; ++i) {
    const v1::Fact& fact = announcement.facts(static_cast<int>(i));
    if (fact.has_correction()) {
      ASSIGN_OR_RETURN(StakeCorrection parsed, ReadCorrection(fact.correction()));
      result.corrections.push_back(std::move(parsed));
      continue;
    }
    AddEntries(announcement, fact,
               BaseEntry<v1::InvestmentEntry>(announcement, fact, i, position, recorded_at_us),
               &result.entries);
  }
  for (const v1::InvestmentEntry& entry : result.entries) {
    RETURN_IF_ERROR(CheckFactDate(announcement, entry.fact_index(), entry.effective_date()));
  }
  return result;
}

absl::StatusOr<int> EntryYear(const v1::InvestmentEntry& entry) {
  ASSIGN_OR_RETURN(domain::Date date, domain::ParseDate(entry.effective_date()));
  return date.year;
}

v1::Qualifier JoinQualifiers(v1::Qualifier a, v1::Qualifier b) {
  if (a == v1::QUALIFIER_UNSPECIFIED) a = v1::EXACT;
  if (b == v1::QUALIFIER_UNSPECIFIED) b = v1::EXACT;
  if (a == v1::EXACT) return b;
  if (b == v1::EXACT || a == b) return a;
  return v1::APPROXIMATELY;
}

void AddMoney(const v1::Money& part, v1::Money* sum) {
  if (sum->currency().empty()) {
    sum->set_currency(part.currency());
    sum->set_qualifier(v1::EXACT);
  }
  int64_t total = 0;
  v1::Qualifier qualifier = JoinQualifiers(sum->qualifier(), part.qualifier());
  if (__builtin_add_overflow(sum->minor_units(), part.minor_units(), &total)) {
    // Parts are never negative, so saturating keeps the sum independent
    // of the order of its parts.
    total = std::numeric_limits<int64_t>::max();
    qualifier = JoinQualifiers(qualifier, v1::AT_LEAST);
  }
  sum->set_minor_units(total);
  sum->set_qualifier(qualifier);
}

void AddCapitalRow(const v1::CapitalRow& part, v1::CapitalRow* sum) {
  sum->set_year(part.year());
  sum->set_currency(part.currency());
  if (part.has_committed()) AddMoney(part.committed(), sum->mutable_committed());
  if (part.has_invested()) AddMoney(part.invested(), sum->mutable_invested());
  sum->set_committed_facts(sum->committed_facts() + part.committed_facts());
  sum->set_invested_facts(sum->invested_facts() + part.invested_facts());
}

bool CapitalKey::operator<(const CapitalKey& other) const {
  return std::tie(year, target, currency) < std::tie(other.year, other.target, other.currency);
}

void AddToCapital(const v1::InvestmentEntry& entry, uint32_t year,
                  std::map<CapitalKey, v1::CapitalRow>* capital,
                  std::map<CapitalKey, v1::CapitalRow>* totals) {
  if (entry.capital() != v1::InvestmentEntry::COMMITTED &&
      entry.capital() != v1::InvestmentEntry::INVESTED) {
    return;
  }
  const std::string currency = entry.has_amount() ? entry.amount().currency() : "";
  v1::CapitalRow& row = (*capital)[{year, entry.target(), currency}];
  row.set_target(entry.target());
  row.set_year(year);
  row.set_currency(currency);
  CountInto(entry, &row);
  v1::CapitalRow& total = (*totals)[{year, "", currency}];
  total.set_year(year);
  total.set_currency(currency);
  CountInto(entry, &total);
}

absl::Status FinishInvestments(absl::string_view holder,
                               const std::map<CapitalKey, v1::CapitalRow>& capital,
                               const std::map<CapitalKey, v1::CapitalRow>& totals,
                               v1::InvestmentsResponse* response) {
  const std::pair<const char*, size_t> sizes[] = {
      {"capital rows", capital.size()},
      {"totals", totals.size()},
      {"acquisitions", static_cast<size_t>(response->acquisitions_size())},
      {"joint ventures", static_cast<size_t>(response->joint_ventures_size())}};
  for (const auto& [what, size] : sizes) {
    if (size > kInvestmentRowsMax) {
      return absl::ResourceExhaustedError(absl::StrCat("'", holder, "' has ", size, " ", what,
                                                       ", more than the ", kInvestmentRowsMax,
                                                       " one answer holds: ask for one year"));
    }
  }
  for (const auto& [key, row] : capital) *response->add_capital() = row;
  for (const auto& [key, row] : totals) *response->add_totals() = row;
  return absl::OkStatus();
}

}  // namespace stakeledger::storage
