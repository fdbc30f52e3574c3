// The version mechanics shared by the projections that keep every version
// of every fact with a transaction-time interval [known_from, known_until)
// (stake-ownership, investments). A correction closes the open versions of
// a fact at its position; SUPERSEDE with a corrected date also opens a new
// version effective then (docs/projections.md, Corrections).
//
// Each announcement with at least one version has one record,
//   f announcement -> v1::AnnouncementVersions
// (its fact count and, per fact, the keys of its versions), under the
// projection's prefix; a projection describes how it writes a version in
// a FactVersions.
#ifndef STAKELEDGER_STORAGE_FACT_VERSIONS_H_
#define STAKELEDGER_STORAGE_FACT_VERSIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/projections.pb.h"
#include "storage/projection.h"
#include "storage/stake_facts.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

// The key of an announcement's record: "f" then the id (ids hold no NUL,
// domain/announcement_check.h, so records sort as their ids do).
std::string AnnouncementVersionsKey(absl::string_view announcement_id);
// The same into *key, reusing its buffer (the bulk fold writes millions).
void AnnouncementVersionsKeyInto(absl::string_view announcement_id, std::string* key);

// Appends `key` to the keys of fact `fact` of `record`, adding empty facts
// before it as needed.
void AddFactVersionKey(uint32_t fact, absl::string_view key, v1::AnnouncementVersions* record);

// The message stored at `key` in `txn`; an empty message when the key is
// absent. Errors: DATA_LOSS ("<what> does not parse") when the value does
// not parse; reading as ProjectionTxn::Get.
template <typename Message>
absl::StatusOr<Message> GetMessage(const ProjectionTxn& txn, const std::string& key,
                                   absl::string_view what) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, txn.Get(key));
  Message message;
  if (value.has_value() && !message.ParseFromString(*value)) {
    return absl::DataLossError(absl::StrCat(what, " does not parse"));
  }
  return message;
}

// The record of `announcement_id`, nullopt when there is none.
// Errors: DATA_LOSS when it does not parse; reading as ProjectionTxn::Get.
absl::StatusOr<std::optional<v1::AnnouncementVersions>> ReadAnnouncementVersions(
    const ProjectionTxn& txn, absl::string_view announcement_id);

// One projection's versions. Entry is its version message (announcement_id,
// fact_index, known_from, known_until, effective_date).
template <typename Entry>
struct FactVersions {
  // Named in DATA_LOSS errors, e.g. "a stake-ownership entry".
  const char* what;
  // The version stored at `key` (an empty one when the key is absent).
  // Errors: DATA_LOSS ("<what> does not parse"); reading as
  // ProjectionTxn::Get.
  absl::StatusOr<Entry> (*get)(const ProjectionTxn& txn, const std::string& key);
  // Writes `entry` again, a version that was stored at `key` and is now
  // closed.
  absl::Status (*rewrite)(const std::string& key, const Entry& entry, ProjectionTxn* txn);
  // Writes a new version; returns the key its fact records for it.
  absl::StatusOr<std::string> (*put)(const Entry& entry, ProjectionTxn* txn);
};

// Writes the versions of a new announcement (`entries`, its facts' first
// versions) and records them in its record, which also takes `fact_count`.
// An id seen before (the log may repeat one) adds to its record. Nothing is
// recorded for an announcement without versions whose id has no record.
// Errors: as ReadAnnouncementVersions and the projection's put.
template <typename Entry>
absl::Status PutAnnouncementVersions(const FactVersions<Entry>& versions,
                                     absl::string_view announcement_id, uint32_t fact_count,
                                     const std::vector<Entry>& entries, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(std::optional<v1::AnnouncementVersions> record,
                   ReadAnnouncementVersions(*txn, announcement_id));
  if (!record.has_value() && entries.empty()) return absl::OkStatus();
  if (!record.has_value()) record.emplace();
  record->set_fact_count(fact_count);
  for (const Entry& entry : entries) {
    ASSIGN_OR_RETURN(std::string key, versions.put(entry, txn));
    AddFactVersionKey(entry.fact_index(), key, &*record);
  }
  txn->Put(AnnouncementVersionsKey(announcement_id), record->SerializeAsString());
  return absl::OkStatus();
}

// Closes the open versions of fact `fact` of `record` at `position`; with a
// corrected date, opens the versions that take effect then and records
// them. Errors: as the projection's get, rewrite and put.
template <typename Entry>
absl::Status CorrectFact(const FactVersions<Entry>& versions, uint32_t fact,
                         const std::string& corrected_date, uint64_t position,
                         v1::AnnouncementVersions* record, ProjectionTxn* txn) {
  if (fact >= static_cast<uint32_t>(record->facts_size())) return absl::OkStatus();
  // The versions opened below are appended to this fact: not visited.
  const int known = record->facts(static_cast<int>(fact)).keys_size();
  for (int i = 0; i < known; ++i) {
    const std::string key = record->facts(static_cast<int>(fact)).keys(i);
    ASSIGN_OR_RETURN(Entry entry, versions.get(*txn, key));
    if (entry.known_until() != 0) continue;
    entry.set_known_until(position);
    RETURN_IF_ERROR(versions.rewrite(key, entry, txn));
    if (corrected_date.empty()) continue;
    entry.set_effective_date(corrected_date);
    entry.set_known_from(position);
    entry.set_known_until(0);
    ASSIGN_OR_RETURN(std::string added, versions.put(entry, txn));
    AddFactVersionKey(fact, added, record);
  }
  return absl::OkStatus();
}

// Applies `correction`, made at `position`, to the facts it names (every
// fact of the announcement when it names none). A correction of an
// announcement without a record (never seen, or without versions) changes
// nothing. Errors: as ReadAnnouncementVersions and CorrectFact.
template <typename Entry>
absl::Status ApplyVersionedCorrection(const FactVersions<Entry>& versions,
                                      const StakeCorrection& correction, uint64_t position,
                                      ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(std::optional<v1::AnnouncementVersions> record,
                   ReadAnnouncementVersions(*txn, correction.announcement_id));
  if (!record.has_value()) return absl::OkStatus();
  std::vector<uint32_t> indexes = correction.fact_indexes;
  if (indexes.empty()) {
    for (uint32_t i = 0; i < record->fact_count(); ++i) indexes.push_back(i);
  }
  const size_t bytes_before = record->ByteSizeLong();
  for (uint32_t index : indexes) {
    RETURN_IF_ERROR(
        CorrectFact(versions, index, correction.corrected_date, position, &*record, txn));
  }
  // Only a corrected date adds keys; closing versions leaves it as it was.
  if (record->ByteSizeLong() != bytes_before) {
    txn->Put(AnnouncementVersionsKey(correction.announcement_id), record->SerializeAsString());
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_FACT_VERSIONS_H_
