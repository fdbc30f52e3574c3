#include "domain/entity_fields.h"

#include "absl/strings/str_cat.h"

namespace stakeledger::domain {
namespace {

// Visits the fields of one fact kind. Each returns at the first error.
class Walker {
 public:
  Walker(absl::string_view fact_path, const EntityFieldVisitor& visit)
      : fact_path_(fact_path), visit_(visit) {}

  absl::Status Field(absl::string_view kind, absl::string_view field, std::string* name) {
    return visit_(absl::StrCat(fact_path_, ".", kind, ".", field), name);
  }

  absl::Status Fields(absl::string_view kind,
                      std::initializer_list<std::pair<absl::string_view, std::string*>> fields) {
    for (const auto& [field, name] : fields) {
      if (absl::Status s = Field(kind, field, name); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Round(v1::FundingRound* round) {
    if (absl::Status s = Field("funding_round", "company", round->mutable_company()); !s.ok()) {
      return s;
    }
    for (int i = 0; i < round->participants_size(); ++i) {
      const std::string field = absl::StrCat("participants[", i, "].participant");
      absl::Status s =
          Field("funding_round", field, round->mutable_participants(i)->mutable_participant());
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Venture(v1::JointVentureFormed* venture) {
    absl::Status s = Field("joint_venture_formed", "venture", venture->mutable_venture());
    if (!s.ok()) return s;
    for (int i = 0; i < venture->partners_size(); ++i) {
      const std::string field = absl::StrCat("partners[", i, "].partner");
      s = Field("joint_venture_formed", field, venture->mutable_partners(i)->mutable_partner());
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  const std::string fact_path_;
  const EntityFieldVisitor& visit_;
};

}  // namespace

absl::Status ForEachEntityField(absl::string_view fact_path, v1::Fact* fact,
                                const EntityFieldVisitor& visit) {
  Walker walk(fact_path, visit);
  switch (fact->kind_case()) {
    case v1::Fact::kStakeChange: {
      v1::StakeChange* change = fact->mutable_stake_change();
      return walk.Fields("stake_change", {{"holder", change->mutable_holder()},
                                          {"target", change->mutable_target()}});
    }
    case v1::Fact::kAcquisition: {
      v1::Acquisition* deal = fact->mutable_acquisition();
      return walk.Fields("acquisition", {{"acquirer", deal->mutable_acquirer()},
                                         {"target", deal->mutable_target()}});
    }
    case v1::Fact::kFundingRound:
      return walk.Round(fact->mutable_funding_round());
    case v1::Fact::kJointVentureFormed:
      return walk.Venture(fact->mutable_joint_venture_formed());
    case v1::Fact::kFundEstablished: {
      v1::FundEstablished* fund = fact->mutable_fund_established();
      return walk.Fields("fund_established",
                         {{"fund", fund->mutable_fund()}, {"sponsor", fund->mutable_sponsor()}});
    }
    case v1::Fact::kWarrantGranted: {
      v1::WarrantGranted* warrant = fact->mutable_warrant_granted();
      return walk.Fields("warrant_granted", {{"holder", warrant->mutable_holder()},
                                             {"issuer", warrant->mutable_issuer()}});
    }
    case v1::Fact::kValuationReported:
      return walk.Field("valuation_reported", "company",
                        fact->mutable_valuation_reported()->mutable_company());
    case v1::Fact::kFinancialResults:
      return walk.Field("financial_results", "company",
                        fact->mutable_financial_results()->mutable_company());
    case v1::Fact::kCorrection:
    case v1::Fact::KIND_NOT_SET:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status ForEachEntityName(
    absl::string_view fact_path, const v1::Fact& fact,
    const std::function<absl::Status(const std::string& path, const std::string& name)>& visit) {
  v1::Fact copy = fact;
  return ForEachEntityField(fact_path, &copy, [&visit](const std::string& path, std::string* name) {
    return visit(path, *name);
  });
}

}  // namespace stakeledger::domain
