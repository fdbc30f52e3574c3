// The write side of the stake-ownership projection (stake_projection.h).
#include "storage/stake_projection.h"

#include "absl/strings/str_cat.h"
#include "domain/events.h"
#include "google/protobuf/util/time_util.h"
#include "storage/keys.h"
#include "storage/stake_keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

template <typename Message>
absl::StatusOr<Message> GetMessage(const ProjectionTxn& txn, const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, txn.Get(key));
  Message message;
  if (value.has_value() && !message.ParseFromString(*value)) {
    return absl::DataLossError("a stake-ownership entry does not parse");
  }
  return message;
}

// Writes one version of a fact and records its key with the fact.
absl::Status PutVersion(const v1::StakeEntry& entry, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(auto period, DatePeriod(entry.effective_date()));
  const std::string key = StakeEntryKey(entry, period.first);
  txn->Put(key, entry.SerializeAsString());
  const std::string location_key = StakeLocationKey(entry.announcement_id(), entry.fact_index());
  ASSIGN_OR_RETURN(auto location, GetMessage<v1::StakeFactLocation>(*txn, location_key));
  location.add_keys(key);
  txn->Put(location_key, location.SerializeAsString());
  txn->Put(StakeMemberKey('t', entry.target(), entry.holder()), "");
  txn->Put(StakeMemberKey('h', entry.holder(), entry.target()), "");
  return absl::OkStatus();
}

// Closes the current version of one fact at `position`; with a corrected
// date, opens the version that takes effect then.
absl::Status CorrectFact(const std::string& announcement_id, uint32_t fact_index,
                         const std::string& corrected_date, uint64_t position, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(auto location, GetMessage<v1::StakeFactLocation>(
                                      *txn, StakeLocationKey(announcement_id, fact_index)));
  for (const std::string& key : location.keys()) {
    ASSIGN_OR_RETURN(auto entry, GetMessage<v1::StakeEntry>(*txn, key));
    if (entry.known_until() != 0) continue;
    entry.set_known_until(position);
    txn->Put(key, entry.SerializeAsString());
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
                   txn->Get(StakeCountKey(correction.announcement_id)));
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

namespace {

struct ParsedAnnouncement : DecodedEvent {
  explicit ParsedAnnouncement(absl::StatusOr<v1::Announcement> parsed)
      : announcement(std::move(parsed)) {}
  absl::StatusOr<v1::Announcement> announcement;
};

}  // namespace

std::vector<std::string> StakeOwnershipProjection::event_types() const {
  return {domain::kAnnouncementEventType};
}

std::unique_ptr<DecodedEvent> StakeOwnershipProjection::Decode(
    const v1::RecordedEvent& event) const {
  if (event.event_type() != domain::kAnnouncementEventType) return nullptr;
  return std::make_unique<ParsedAnnouncement>(domain::ParseAnnouncementJson(event.payload()));
}

absl::Status StakeOwnershipProjection::Apply(const v1::RecordedEvent& event, ProjectionTxn* txn) {
  return ApplyDecoded(event, Decode(event).get(), txn);
}

absl::Status StakeOwnershipProjection::ApplyDecoded(const v1::RecordedEvent& event,
                                                    const DecodedEvent* decoded,
                                                    ProjectionTxn* txn) {
  if (event.event_type() != domain::kAnnouncementEventType) return absl::OkStatus();
  if (decoded == nullptr) return Apply(event, txn);
  const absl::StatusOr<v1::Announcement>& announcement =
      static_cast<const ParsedAnnouncement*>(decoded)->announcement;
  if (!announcement.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("position ", event.position(), ": ", announcement.status().message()));
  }
  const int64_t recorded_at_us =
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.recorded_at());
  ASSIGN_OR_RETURN(AnnouncementFacts facts,
                   ExtractFacts(*announcement, event.position(), recorded_at_us));
  std::string count;
  AppendBigEndian32(facts.fact_count, &count);
  txn->Put(StakeCountKey(announcement->announcement_id()), count);
  for (const v1::StakeEntry& entry : facts.stakes) RETURN_IF_ERROR(PutVersion(entry, txn));
  for (const auto& [fund, sponsor] : facts.funds) {
    txn->Put(StakeFundKey(sponsor, fund), EncodePosition(event.position()));
  }
  for (const StakeCorrection& correction : facts.corrections) {
    RETURN_IF_ERROR(ApplyCorrection(correction, event.position(), txn));
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::storage
