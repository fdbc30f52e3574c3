#include "domain/stake_statement.h"

namespace stakeledger::domain {
namespace {

StakeStatement Make(const v1::Announcement& announcement, const v1::Fact& fact,
                    const std::string& holder, const std::string& target, const std::string& date,
                    bool absolute, const v1::Stake& stake) {
  StakeStatement statement;
  statement.holder = holder;
  statement.target = target;
  statement.effective_date = date.empty() ? announcement.announced_date() : date;
  statement.absolute = absolute;
  statement.ppm = stake.ppm();
  statement.qualifier = stake.qualifier();
  statement.quote = fact.quote();
  return statement;
}

}  // namespace

std::optional<StakeStatement> StakeStatementOf(const v1::Announcement& announcement,
                                               uint32_t fact_index, uint32_t part) {
  if (fact_index >= static_cast<uint32_t>(announcement.facts_size())) return std::nullopt;
  const v1::Fact& fact = announcement.facts(static_cast<int>(fact_index));
  if (fact.has_stake_change() && part == 0) {
    const v1::StakeChange& change = fact.stake_change();
    if (!change.has_resulting_stake() && !change.has_change()) return std::nullopt;
    const bool absolute = change.has_resulting_stake();
    return Make(announcement, fact, change.holder(), change.target(), change.effective_date(),
                absolute, absolute ? change.resulting_stake() : change.change());
  }
  if (fact.has_acquisition() && part == 0) {
    const v1::Acquisition& deal = fact.acquisition();
    if (deal.stage() != v1::Acquisition::COMPLETED) return std::nullopt;
    v1::Stake whole;
    whole.set_ppm(kWholeCompanyPpm);
    whole.set_qualifier(v1::EXACT);
    return Make(announcement, fact, deal.acquirer(), deal.target(), deal.effective_date(), true,
                deal.has_stake() ? deal.stake() : whole);
  }
  if (fact.has_joint_venture_formed()) {
    const v1::JointVentureFormed& venture = fact.joint_venture_formed();
    if (part >= static_cast<uint32_t>(venture.partners_size())) return std::nullopt;
    const v1::JointVenturePartner& partner = venture.partners(static_cast<int>(part));
    if (!partner.has_share()) return std::nullopt;
    return Make(announcement, fact, partner.partner(), venture.venture(), venture.effective_date(),
                true, partner.share());
  }
  return std::nullopt;
}

}  // namespace stakeledger::domain
