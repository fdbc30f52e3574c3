#include "storage/announcement_view.h"

#include <algorithm>

#include "storage/wire_reader.h"

namespace stakeledger::storage {
namespace {

// Whether `field` is of a message type: its bytes are then the message.
bool Delimited(const WireField& field) { return field.wire_type == kWireDelimited; }

// A singular message field the fold reads appears at most once: protobuf
// merges a second into the first, which is left to it.
bool ReadStake(const WireField& field, StakeView* stake) {
  if (stake->set || !Delimited(field)) return false;
  stake->set = true;
  return ReadFields(field.bytes, [&](const WireField& f) {
    switch (f.number) {
      case v1::Stake::kPpmFieldNumber:
        return ReadInt64(f, &stake->ppm);
      case v1::Stake::kQualifierFieldNumber:
        return ReadInt32(f, &stake->qualifier);
      default:
        return ValidField(TypeOf<v1::Stake>(), f);
    }
  });
}

bool ReadStakeChange(absl::string_view bytes, StakeChangeView* change) {
  return ReadFields(bytes, [&](const WireField& f) {
    switch (f.number) {
      case v1::StakeChange::kHolderFieldNumber:
        return ReadString(f, &change->holder);
      case v1::StakeChange::kTargetFieldNumber:
        return ReadString(f, &change->target);
      case v1::StakeChange::kResultingStakeFieldNumber:
        return ReadStake(f, &change->resulting_stake);
      case v1::StakeChange::kChangeFieldNumber:
        return ReadStake(f, &change->change);
      case v1::StakeChange::kEffectiveDateFieldNumber:
        return ReadString(f, &change->effective_date);
      default:
        return ValidField(TypeOf<v1::StakeChange>(), f);
    }
  });
}

bool ReadAcquisition(absl::string_view bytes, AcquisitionView* deal) {
  return ReadFields(bytes, [&](const WireField& f) {
    switch (f.number) {
      case v1::Acquisition::kStageFieldNumber:
        return ReadInt32(f, &deal->stage);
      case v1::Acquisition::kAcquirerFieldNumber:
        return ReadString(f, &deal->acquirer);
      case v1::Acquisition::kTargetFieldNumber:
        return ReadString(f, &deal->target);
      case v1::Acquisition::kStakeFieldNumber:
        return ReadStake(f, &deal->stake);
      case v1::Acquisition::kEffectiveDateFieldNumber:
        return ReadString(f, &deal->effective_date);
      default:
        return ValidField(TypeOf<v1::Acquisition>(), f);
    }
  });
}

bool ReadPartner(const WireField& field, AnnouncementView* view) {
  if (!Delimited(field)) return false;
  PartnerView& partner = view->partners.emplace_back();
  return ReadFields(field.bytes, [&](const WireField& f) {
    switch (f.number) {
      case v1::JointVenturePartner::kPartnerFieldNumber:
        return ReadString(f, &partner.partner);
      case v1::JointVenturePartner::kShareFieldNumber:
        return ReadStake(f, &partner.share);
      default:
        return ValidField(TypeOf<v1::JointVenturePartner>(), f);
    }
  });
}

bool ReadJointVenture(absl::string_view bytes, JointVentureView* venture, AnnouncementView* view) {
  venture->partners_begin = static_cast<uint32_t>(view->partners.size());
  const bool ok = ReadFields(bytes, [&](const WireField& f) {
    switch (f.number) {
      case v1::JointVentureFormed::kVentureFieldNumber:
        return ReadString(f, &venture->venture);
      case v1::JointVentureFormed::kPartnersFieldNumber:
        return ReadPartner(f, view);
      case v1::JointVentureFormed::kEffectiveDateFieldNumber:
        return ReadString(f, &venture->effective_date);
      default:
        return ValidField(TypeOf<v1::JointVentureFormed>(), f);
    }
  });
  venture->partners_end = static_cast<uint32_t>(view->partners.size());
  return ok;
}

bool ReadFund(absl::string_view bytes, FundView* fund) {
  return ReadFields(bytes, [&](const WireField& f) {
    switch (f.number) {
      case v1::FundEstablished::kFundFieldNumber:
        return ReadString(f, &fund->fund);
      case v1::FundEstablished::kSponsorFieldNumber:
        return ReadString(f, &fund->sponsor);
      default:
        return ValidField(TypeOf<v1::FundEstablished>(), f);
    }
  });
}

bool ReadCorrection(absl::string_view bytes, CorrectionView* correction, AnnouncementView* view) {
  correction->fact_indexes_begin = static_cast<uint32_t>(view->fact_indexes.size());
  const bool ok = ReadFields(bytes, [&](const WireField& f) {
    switch (f.number) {
      case v1::Correction::kActionFieldNumber:
        return ReadInt32(f, &correction->action);
      case v1::Correction::kAnnouncementIdFieldNumber:
        return ReadString(f, &correction->announcement_id);
      case v1::Correction::kFactIndexesFieldNumber:
        return ReadUint32s(f, &view->fact_indexes);
      case v1::Correction::kCorrectedDateFieldNumber:
        return ReadString(f, &correction->corrected_date);
      default:
        return ValidField(TypeOf<v1::Correction>(), f);
    }
  });
  correction->fact_indexes_end = static_cast<uint32_t>(view->fact_indexes.size());
  return ok;
}

// One field of the fact's one-of `kind`, numbered as its case.
bool ReadKind(const WireField& field, FactView* fact, AnnouncementView* view) {
  // A second kind replaces the first, or merges into it: left to protobuf.
  if (fact->kind != v1::Fact::KIND_NOT_SET || !Delimited(field)) return false;
  fact->kind = static_cast<v1::Fact::KindCase>(field.number);
  switch (fact->kind) {
    case v1::Fact::kStakeChange:
      return ReadStakeChange(field.bytes, &fact->stake_change);
    case v1::Fact::kAcquisition:
      return ReadAcquisition(field.bytes, &fact->acquisition);
    case v1::Fact::kJointVentureFormed:
      return ReadJointVenture(field.bytes, &fact->joint_venture, view);
    case v1::Fact::kFundEstablished:
      return ReadFund(field.bytes, &fact->fund);
    case v1::Fact::kCorrection:
      return ReadCorrection(field.bytes, &fact->correction, view);
    default:  // a kind the fold does not read
      return ValidField(TypeOf<v1::Fact>(), field);
  }
}

// Whether field `number` of Fact belongs to its one-of `kind`: read from
// the schema once, so that a kind added to it is never taken for a plain
// field.
bool IsKind(uint32_t number) {
  static const std::vector<bool>* const kinds = [] {
    const google::protobuf::OneofDescriptor& kind = *v1::Fact::descriptor()->oneof_decl(0);
    int number_max = 0;
    for (int i = 0; i < kind.field_count(); ++i) {
      number_max = std::max(number_max, kind.field(i)->number());
    }
    auto* numbers = new std::vector<bool>(static_cast<size_t>(number_max) + 1);
    for (int i = 0; i < kind.field_count(); ++i) {
      (*numbers)[static_cast<size_t>(kind.field(i)->number())] = true;
    }
    return numbers;
  }();
  return number < kinds->size() && (*kinds)[number];
}

bool ReadFact(const WireField& field, AnnouncementView* view) {
  if (!Delimited(field)) return false;
  const size_t index = view->facts.size();
  view->facts.emplace_back();
  return ReadFields(field.bytes, [&](const WireField& f) {
    FactView* fact = &view->facts[index];
    if (f.number == v1::Fact::kQuoteFieldNumber) return ReadString(f, &fact->quote);
    if (IsKind(f.number)) return ReadKind(f, fact, view);
    return ValidField(TypeOf<v1::Fact>(), f);
  });
}

StakeView ViewOfStake(bool set, const v1::Stake& stake) {
  StakeView view;
  view.set = set;
  view.ppm = stake.ppm();
  view.qualifier = stake.qualifier();
  return view;
}

void ViewOfKind(const v1::Fact& fact, FactView* out, AnnouncementView* view) {
  if (fact.has_stake_change()) {
    const v1::StakeChange& change = fact.stake_change();
    out->stake_change = {change.holder(), change.target(),
                         ViewOfStake(change.has_resulting_stake(), change.resulting_stake()),
                         ViewOfStake(change.has_change(), change.change()),
                         change.effective_date()};
  } else if (fact.has_acquisition()) {
    const v1::Acquisition& deal = fact.acquisition();
    out->acquisition = {deal.stage(), deal.acquirer(), deal.target(),
                        ViewOfStake(deal.has_stake(), deal.stake()), deal.effective_date()};
  } else if (fact.has_joint_venture_formed()) {
    const v1::JointVentureFormed& venture = fact.joint_venture_formed();
    out->joint_venture.venture = venture.venture();
    out->joint_venture.partners_begin = static_cast<uint32_t>(view->partners.size());
    for (const v1::JointVenturePartner& partner : venture.partners()) {
      view->partners.push_back(
          {partner.partner(), ViewOfStake(partner.has_share(), partner.share())});
    }
    out->joint_venture.partners_end = static_cast<uint32_t>(view->partners.size());
    out->joint_venture.effective_date = venture.effective_date();
  } else if (fact.has_fund_established()) {
    out->fund = {fact.fund_established().fund(), fact.fund_established().sponsor()};
  } else if (fact.has_correction()) {
    const v1::Correction& correction = fact.correction();
    CorrectionView& to = out->correction;
    to.action = correction.action();
    to.announcement_id = correction.announcement_id();
    to.fact_indexes_begin = static_cast<uint32_t>(view->fact_indexes.size());
    view->fact_indexes.insert(view->fact_indexes.end(), correction.fact_indexes().begin(),
                              correction.fact_indexes().end());
    to.fact_indexes_end = static_cast<uint32_t>(view->fact_indexes.size());
    to.corrected_date = correction.corrected_date();
  }
}

}  // namespace

void AnnouncementView::Clear() {
  announcement_id = {};
  announced_date = {};
  facts.clear();
  partners.clear();
  fact_indexes.clear();
}

void ViewOfAnnouncement(const v1::Announcement& announcement, AnnouncementView* view) {
  view->Clear();
  view->announcement_id = announcement.announcement_id();
  view->announced_date = announcement.announced_date();
  view->facts.resize(static_cast<size_t>(announcement.facts_size()));
  for (int i = 0; i < announcement.facts_size(); ++i) {
    const v1::Fact& fact = announcement.facts(i);
    FactView& out = view->facts[static_cast<size_t>(i)];
    out.kind = fact.kind_case();
    out.quote = fact.quote();
    ViewOfKind(fact, &out, view);
  }
}

bool ParseAnnouncementView(absl::string_view payload, AnnouncementView* view) {
  view->Clear();
  return ReadFields(payload, [&](const WireField& f) {
    switch (f.number) {
      case v1::Announcement::kAnnouncementIdFieldNumber:
        return ReadString(f, &view->announcement_id);
      case v1::Announcement::kAnnouncedDateFieldNumber:
        return ReadString(f, &view->announced_date);
      case v1::Announcement::kFactsFieldNumber:
        return ReadFact(f, view);
      default:
        return ValidField(TypeOf<v1::Announcement>(), f);
    }
  });
}

}  // namespace stakeledger::storage
