// The fields of a fact that name an entity (holder, target, acquirer,
// company, participant, venture, partner, fund, sponsor, issuer), walked
// in field order so that validation and canonicalization treat each one.
#ifndef STAKELEDGER_DOMAIN_ENTITY_FIELDS_H_
#define STAKELEDGER_DOMAIN_ENTITY_FIELDS_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::domain {

// Called with the field's path ("facts[0].stake_change.target") and the
// field itself, which it may rewrite.
using EntityFieldVisitor = std::function<absl::Status(const std::string& path, std::string* name)>;

// Calls `visit` for every entity-naming field of `fact`, whose path is
// `fact_path` ("facts[0]"); stops at and returns the first error. A
// Correction names no entity.
absl::Status ForEachEntityField(absl::string_view fact_path, v1::Fact* fact,
                                const EntityFieldVisitor& visit);

// The same, read-only, for facts that must not change. `visit` gets a copy
// of each name.
absl::Status ForEachEntityName(
    absl::string_view fact_path, const v1::Fact& fact,
    const std::function<absl::Status(const std::string& path, const std::string& name)>& visit);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_ENTITY_FIELDS_H_
