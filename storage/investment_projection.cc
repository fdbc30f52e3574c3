// The write side of the investments projection (investment_projection.h).
#include "storage/investment_projection.h"

#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "google/protobuf/util/time_util.h"
#include "storage/investment_keys.h"
#include "storage/stake_keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

template <typename Message>
absl::StatusOr<Message> GetMessage(const ProjectionTxn& txn, const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, txn.Get(key));
  Message message;
  if (value.has_value() && !message.ParseFromString(*value)) {
    return absl::DataLossError("an investments entry does not parse");
  }
  return message;
}

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

// Writes a new version and records its first key with its fact.
absl::Status PutVersion(const v1::InvestmentEntry& entry, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(std::vector<std::string> keys, KeysOf(entry));
  if (keys.empty()) return absl::InternalError("an investment entry of no kind");
  RETURN_IF_ERROR(WriteVersion(entry, txn));
  const std::string location_key =
      InvestmentLocationKey(entry.announcement_id(), entry.fact_index());
  ASSIGN_OR_RETURN(auto location, GetMessage<v1::InvestmentFactLocation>(*txn, location_key));
  location.add_keys(keys.front());
  txn->Put(location_key, location.SerializeAsString());
  if (entry.kind() == v1::InvestmentEntry::ACQUISITION) {
    txn->Put(DealMemberKey(kAcquisitionDealTag, entry.holder(), entry.target()), "");
  } else if (entry.kind() == v1::InvestmentEntry::JOINT_VENTURE) {
    txn->Put(DealMemberKey(kJointVentureDealTag, entry.holder(), entry.target()), "");
  }
  return absl::OkStatus();
}

// Closes the open versions of one fact at `position`; with a corrected
// date, opens the versions that take effect then.
absl::Status CorrectFact(const std::string& announcement_id, uint32_t fact_index,
                         const std::string& corrected_date, uint64_t position, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(auto location, GetMessage<v1::InvestmentFactLocation>(
                                      *txn, InvestmentLocationKey(announcement_id, fact_index)));
  for (const std::string& key : location.keys()) {
    ASSIGN_OR_RETURN(auto entry, GetMessage<v1::InvestmentEntry>(*txn, key));
    if (entry.known_until() != 0) continue;
    entry.set_known_until(position);
    RETURN_IF_ERROR(WriteVersion(entry, txn));
    if (corrected_date.empty()) continue;
    entry.set_effective_date(corrected_date);
    entry.set_known_from(position);
    entry.set_known_until(0);
    RETURN_IF_ERROR(PutVersion(entry, txn));
  }
  return absl::OkStatus();
}

absl::Status ApplyCorrection(const StakeCorrection& correction, uint64_t position,
                             ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(std::optional<std::string> count,
                   txn->Get(InvestmentCountKey(correction.announcement_id)));
  // A correction of an announcement this projection never saw changes nothing.
  if (!count.has_value() || count->size() != 4) return absl::OkStatus();
  std::vector<uint32_t> indexes = correction.fact_indexes;
  if (indexes.empty()) {
    for (uint32_t i = 0; i < ReadBigEndian32(*count); ++i) indexes.push_back(i);
  }
  for (uint32_t index : indexes) {
    RETURN_IF_ERROR(
        CorrectFact(correction.announcement_id, index, correction.corrected_date, position, txn));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status InvestmentsProjection::Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) {
  if (event.event_type() != domain::kAnnouncementEventType) return absl::OkStatus();
  absl::StatusOr<v1::Announcement> announcement = domain::ParseAnnouncementJson(event.payload());
  if (!announcement.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("position ", event.position(), ": ", announcement.status().message()));
  }
  const int64_t recorded_at_us =
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.recorded_at());
  ASSIGN_OR_RETURN(InvestmentFacts facts,
                   ExtractInvestmentFacts(*announcement, event.position(), recorded_at_us));
  std::string count;
  AppendBigEndian32(facts.fact_count, &count);
  txn->Put(InvestmentCountKey(announcement->announcement_id()), count);
  for (const v1::InvestmentEntry& entry : facts.entries) RETURN_IF_ERROR(PutVersion(entry, txn));
  for (const StakeCorrection& correction : facts.corrections) {
    RETURN_IF_ERROR(ApplyCorrection(correction, event.position(), txn));
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::storage
