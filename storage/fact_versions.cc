#include "storage/fact_versions.h"

namespace stakeledger::storage {

std::string AnnouncementVersionsKey(absl::string_view announcement_id) {
  std::string key;
  AnnouncementVersionsKeyInto(announcement_id, &key);
  return key;
}

void AnnouncementVersionsKeyInto(absl::string_view announcement_id, std::string* key) {
  key->assign("f");
  key->append(announcement_id.data(), announcement_id.size());
}

void AddFactVersionKey(uint32_t fact, absl::string_view key, v1::AnnouncementVersions* record) {
  while (static_cast<uint32_t>(record->facts_size()) <= fact) record->add_facts();
  record->mutable_facts(static_cast<int>(fact))->add_keys(key.data(), key.size());
}

absl::StatusOr<std::optional<v1::AnnouncementVersions>> ReadAnnouncementVersions(
    const ProjectionTxn& txn, absl::string_view announcement_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   txn.Get(AnnouncementVersionsKey(announcement_id)));
  if (!value.has_value()) return std::nullopt;
  v1::AnnouncementVersions record;
  if (!record.ParseFromString(*value)) {
    return absl::DataLossError("an announcement's versions record does not parse");
  }
  return record;
}

}  // namespace stakeledger::storage
