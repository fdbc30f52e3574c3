// The write side of the stake-ownership projection (stake_projection.h).
#include "storage/stake_projection.h"

#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "google/protobuf/util/time_util.h"
#include "storage/fact_versions.h"
#include "storage/keys.h"
#include "storage/stake_bulk_fold.h"
#include "storage/stake_keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

absl::Status RewriteVersion(const std::string& key, const v1::StakeEntry& entry,
                            ProjectionTxn* txn) {
  txn->Put(key, StakeEntryValue(entry));
  return absl::OkStatus();
}

// Writes one version of a fact and its pair's member key; returns its key.
absl::StatusOr<std::string> PutVersion(const v1::StakeEntry& entry, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(auto period, DatePeriod(entry.effective_date()));
  std::string key = StakeEntryKey(entry, period.first);
  txn->Put(key, StakeEntryValue(entry));
  txn->Put(StakeMemberKey('t', entry.target(), entry.holder()), "");
  return key;
}

constexpr FactVersions<v1::StakeEntry> kStakeVersions = {kStakeEntryWhat, GetStakeEntry,
                                                         RewriteVersion, PutVersion};

}  // namespace

std::vector<std::string> StakeOwnershipProjection::event_types() const {
  return {domain::kAnnouncementEventType};
}

std::unique_ptr<DecodedEvent> StakeOwnershipProjection::Decode(
    const v1::RecordedEvent& event) const {
  if (event.event_type() != domain::kAnnouncementEventType) return nullptr;
  auto decoded = std::make_unique<DecodedStakeEvent>();
  DecodeStakeEvent(event, decoded.get());
  return decoded;
}

absl::Status StakeOwnershipProjection::Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) {
  std::unique_ptr<DecodedEvent> decoded = Decode(event);
  if (decoded == nullptr) return absl::OkStatus();
  return ApplyDecoded(event, decoded.get(), txn);
}

absl::Status StakeOwnershipProjection::ApplyDecoded(const v1::RecordedEvent& event,
                                                    const DecodedEvent* decoded,
                                                    ProjectionTxn* txn) {
  if (event.event_type() != domain::kAnnouncementEventType) return absl::OkStatus();
  if (decoded == nullptr) return Apply(event, txn);
  const auto* stake = static_cast<const DecodedStakeEvent*>(decoded);
  RETURN_IF_ERROR(stake->decode_status);
  if (!stake->facts.ok()) return stake->facts.status();
  const AnnouncementFacts& facts = *stake->facts;
  RETURN_IF_ERROR(PutAnnouncementVersions(kStakeVersions, stake->announcement_id, facts.fact_count,
                                          facts.stakes, txn));
  for (const auto& [fund, sponsor] : facts.funds) {
    txn->Put(StakeFundKey(sponsor, fund), EncodePosition(event.position()));
  }
  for (const StakeCorrection& correction : facts.corrections) {
    RETURN_IF_ERROR(ApplyVersionedCorrection(kStakeVersions, correction, event.position(), txn));
  }
  return absl::OkStatus();
}

std::unique_ptr<BulkFold> StakeOwnershipProjection::NewBulkFold(const ProjectionTxn* state) const {
  return std::make_unique<StakeBulkFold>(state);
}

}  // namespace stakeledger::storage
