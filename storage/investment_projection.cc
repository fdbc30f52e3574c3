// The write side of the investments projection (investment_projection.h).
#include "storage/investment_projection.h"

#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "google/protobuf/util/time_util.h"
#include "storage/fact_versions.h"
#include "storage/investment_keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

absl::StatusOr<std::vector<std::string>> KeysOf(const v1::InvestmentEntry& entry) {
  ASSIGN_OR_RETURN(auto period, DatePeriod(entry.effective_date()));
  ASSIGN_OR_RETURN(int year, EntryYear(entry));
  return InvestmentEntryKeys(entry, period.first, static_cast<uint32_t>(year));
}

// Writes `entry` under every key of its version.
absl::Status WriteVersion(const v1::InvestmentEntry& entry, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(std::vector<std::string> keys, KeysOf(entry));
  const std::string value = entry.SerializeAsString();
  for (const std::string& key : keys) txn->Put(key, value);
  return absl::OkStatus();
}

// A closed version is rewritten under every key of its version.
absl::Status RewriteVersion(const std::string& /*key*/, const v1::InvestmentEntry& entry,
                            ProjectionTxn* txn) {
  return WriteVersion(entry, txn);
}

// Writes a new version and its deal's member key; returns the first key of
// the version, the one its fact records.
absl::StatusOr<std::string> PutVersion(const v1::InvestmentEntry& entry, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(std::vector<std::string> keys, KeysOf(entry));
  if (keys.empty()) return absl::InternalError("an investment entry of no kind");
  RETURN_IF_ERROR(WriteVersion(entry, txn));
  if (entry.kind() == v1::InvestmentEntry::ACQUISITION) {
    txn->Put(DealMemberKey(kAcquisitionDealTag, entry.holder(), entry.target()), "");
  } else if (entry.kind() == v1::InvestmentEntry::JOINT_VENTURE) {
    txn->Put(DealMemberKey(kJointVentureDealTag, entry.holder(), entry.target()), "");
  }
  return std::move(keys.front());
}

absl::StatusOr<v1::InvestmentEntry> GetVersion(const ProjectionTxn& txn, const std::string& key) {
  return GetMessage<v1::InvestmentEntry>(txn, key, kInvestmentWhat);
}

constexpr FactVersions<v1::InvestmentEntry> kInvestmentVersions = {kInvestmentWhat, GetVersion,
                                                                   RewriteVersion, PutVersion};

}  // namespace

absl::Status InvestmentsProjection::Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) {
  if (event.event_type() != domain::kAnnouncementEventType) return absl::OkStatus();
  // One message per thread, reused: parsing into a fresh one allocated
  // and freed every string and part of it, which was most of a rebuild's
  // time. Apply runs on several threads at once (a rebuild beside the
  // live fold).
  thread_local v1::Announcement scratch;
  v1::Announcement* const announcement = &scratch;
  const absl::Status decoded =
      domain::DecodeAnnouncementInto(event.content_type(), event.payload(), announcement);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("position ", event.position(), ": ", decoded.message()));
  }
  const int64_t recorded_at_us =
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.recorded_at());
  ASSIGN_OR_RETURN(InvestmentFacts facts,
                   ExtractInvestmentFacts(*announcement, event.position(), recorded_at_us));
  RETURN_IF_ERROR(PutAnnouncementVersions(kInvestmentVersions, announcement->announcement_id(),
                                          facts.fact_count, facts.entries, txn));
  for (const StakeCorrection& correction : facts.corrections) {
    RETURN_IF_ERROR(
        ApplyVersionedCorrection(kInvestmentVersions, correction, event.position(), txn));
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::storage
