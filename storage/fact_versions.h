// The version mechanics shared by the projections that keep every version
// of every fact with a transaction-time interval [known_from, known_until)
// (stake-ownership, investments). A correction closes the open versions of
// a fact at its position; SUPERSEDE with a corrected date also opens a new
// version effective then (docs/projections.md, Corrections).
//
// Each projection describes its own layout in a FactVersions: the keys of
// a fact's location (the keys of its versions) and of an announcement's
// fact count, and how it writes a version.
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
#include "storage/projection.h"
#include "storage/stake_facts.h"
#include "storage/stake_keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

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

// One projection's layout. Entry is its version message (known_from,
// known_until, effective_date), Location a message with `repeated string
// keys`.
template <typename Entry, typename Location>
struct FactVersions {
  // Named in DATA_LOSS errors, e.g. "a stake-ownership entry".
  const char* what;
  std::string (*location_key)(absl::string_view announcement_id, uint32_t fact_index);
  std::string (*count_key)(absl::string_view announcement_id);
  // Writes `entry` again, a version that was stored at `key` and is now
  // closed.
  absl::Status (*rewrite)(const std::string& key, const Entry& entry, ProjectionTxn* txn);
  // Writes a new version and records it with its fact (RecordVersion).
  absl::Status (*put)(const Entry& entry, ProjectionTxn* txn);
};

// Adds `key` to the location of fact `fact_index` of `announcement_id`.
// Errors: as GetMessage.
template <typename Entry, typename Location>
absl::Status RecordVersion(const FactVersions<Entry, Location>& versions,
                           absl::string_view announcement_id, uint32_t fact_index,
                           const std::string& key, ProjectionTxn* txn) {
  const std::string location_key = versions.location_key(announcement_id, fact_index);
  ASSIGN_OR_RETURN(auto location, GetMessage<Location>(*txn, location_key, versions.what));
  location.add_keys(key);
  txn->Put(location_key, location.SerializeAsString());
  return absl::OkStatus();
}

// Records that `announcement_id` has `fact_count` facts, so that its
// corrections can name them all (ApplyVersionedCorrection).
template <typename Entry, typename Location>
void PutFactCount(const FactVersions<Entry, Location>& versions, absl::string_view announcement_id,
                  uint32_t fact_count, ProjectionTxn* txn) {
  std::string count;
  AppendBigEndian32(fact_count, &count);
  txn->Put(versions.count_key(announcement_id), count);
}

// Closes the open versions of one fact at `position`; with a corrected
// date, opens the versions that take effect then.
// Errors: as GetMessage and the projection's rewrite and put.
template <typename Entry, typename Location>
absl::Status CorrectFact(const FactVersions<Entry, Location>& versions,
                         const std::string& announcement_id, uint32_t fact_index,
                         const std::string& corrected_date, uint64_t position, ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(auto location,
                   GetMessage<Location>(*txn, versions.location_key(announcement_id, fact_index),
                                        versions.what));
  for (const std::string& key : location.keys()) {
    ASSIGN_OR_RETURN(auto entry, GetMessage<Entry>(*txn, key, versions.what));
    if (entry.known_until() != 0) continue;
    entry.set_known_until(position);
    RETURN_IF_ERROR(versions.rewrite(key, entry, txn));
    if (corrected_date.empty()) continue;
    entry.set_effective_date(corrected_date);
    entry.set_known_from(position);
    entry.set_known_until(0);
    RETURN_IF_ERROR(versions.put(entry, txn));
  }
  return absl::OkStatus();
}

// Applies `correction`, made at `position`, to the facts it names (every
// fact of the announcement when it names none). A correction of an
// announcement the projection never saw changes nothing.
// Errors: as CorrectFact.
template <typename Entry, typename Location>
absl::Status ApplyVersionedCorrection(const FactVersions<Entry, Location>& versions,
                                      const StakeCorrection& correction, uint64_t position,
                                      ProjectionTxn* txn) {
  ASSIGN_OR_RETURN(std::optional<std::string> count,
                   txn->Get(versions.count_key(correction.announcement_id)));
  if (!count.has_value() || count->size() != 4) return absl::OkStatus();
  std::vector<uint32_t> indexes = correction.fact_indexes;
  if (indexes.empty()) {
    for (uint32_t i = 0; i < ReadBigEndian32(*count); ++i) indexes.push_back(i);
  }
  for (uint32_t index : indexes) {
    RETURN_IF_ERROR(CorrectFact(versions, correction.announcement_id, index,
                                correction.corrected_date, position, txn));
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_FACT_VERSIONS_H_
