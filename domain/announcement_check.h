// Validation and canonicalization of a whole announcement: its own fields,
// every fact (fact_check.h), every entity it names (resolved through the
// registry and replaced by the entity id) and every correction (pointing at
// an earlier announcement and at facts it has).
#ifndef STAKELEDGER_DOMAIN_ANNOUNCEMENT_CHECK_H_
#define STAKELEDGER_DOMAIN_ANNOUNCEMENT_CHECK_H_

#include <cstddef>
#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/entity_registry.h"
#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::domain {

// The number of facts of the earlier announcement `id`, or nullopt when no
// earlier announcement has that id.
using FactCountLookup = std::function<std::optional<size_t>(absl::string_view id)>;

// Errors: INVALID_ARGUMENT when `id` is empty, longer than
// kAnnouncementIdBytesMax, or not lower-case letters, digits, '-', '_' and
// '.' starting with a letter or digit.
absl::Status ValidateAnnouncementId(absl::string_view id);

// Checks `announcement` and returns its canonical form: every field that
// names an entity holds that entity's id; nothing else changes.
// Errors: INVALID_ARGUMENT whose message starts with the field path and
// quotes the value, for the first problem found: a bad id; a missing or
// impossible announced_date; a source without seed_file and outlet; no
// facts or too many; a fact without kind or quote, or missing a required
// field; an unknown entity ("facts[0].stake_change.target: unknown entity
// 'nvidiaa'; closest: nvidia, ..."); a stake, money or date out of range;
// a correction of an announcement `earlier` does not know, or of a fact
// index that announcement does not have.
// Thread-safe if `registry` and `earlier` are.
absl::StatusOr<v1::Announcement> CanonicalizeAnnouncement(const v1::Announcement& announcement,
                                                          const EntityRegistry& registry,
                                                          const FactCountLookup& earlier);

// Checks that `announcement` was announced by `recorded_day` (YYYYMMDD),
// the day it is recorded: the first day of announced_date may not come
// after it (a date of year or month precision may lie in that year or
// month). Facts' effective dates are not checked: they may lie ahead
// (scheduled completions). Errors: INVALID_ARGUMENT naming announced_date
// when it is later. REQUIRES: announced_date is a valid date string (as
// CanonicalizeAnnouncement checks). Thread-safe.
absl::Status CheckAnnouncedBy(const v1::Announcement& announcement, int recorded_day);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_ANNOUNCEMENT_CHECK_H_
