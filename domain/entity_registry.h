// The entity registry: who can be named in an announcement. Each entity has
// a stable id ("softbank-group"), a kind, an optional parent (a fund's
// sponsor) and names in any language. Every name (id, display name, alias)
// belongs to one entity only, comparing as NormalizeName does, so a name
// resolves to at most one entity.
//
// The registry is rebuilt from the "entities" stream of the log; it is
// never edited in place. Once added, an entity does not change.
#ifndef STAKELEDGER_DOMAIN_ENTITY_REGISTRY_H_
#define STAKELEDGER_DOMAIN_ENTITY_REGISTRY_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::domain {

// Errors: INVALID_ARGUMENT when `id` is not lower-case ASCII letters and
// digits in dash-separated words ("softbank-group", "n8n"), or is longer
// than kEntityIdBytesMax.
absl::Status ValidateEntityId(absl::string_view id);

// Thread safety: const methods may run concurrently; Add needs exclusive
// access. Copyable: a copy is a scratch registry to validate a batch in.
class EntityRegistry {
 public:
  // Checks `entity` against the registry and adds it. The parent may be
  // named by id or alias; it is stored as its id.
  // Errors: INVALID_ARGUMENT, naming the field and the value, for a bad id,
  // an unset kind, an empty display name, an empty, over-long or duplicate
  // name, a name another entity already has, an unknown parent or too many
  // aliases; ALREADY_EXISTS for an id that is registered with other
  // content; RESOURCE_EXHAUSTED past kEntitiesMax. Adding an entity equal
  // to the registered one succeeds and changes nothing.
  absl::Status Add(v1::Entity entity);

  // Checks what Add checks without adding. Returns the entity as Add would
  // store it (parent resolved to an id).
  absl::StatusOr<v1::Entity> Check(const v1::Entity& entity) const;

  // The entity `name` (an id, display name or alias) names, or null.
  const v1::Entity* Find(absl::string_view name) const;

  // Find, or INVALID_ARGUMENT "unknown entity 'NAME'; closest: a, b, c"
  // listing up to kSuggestionsMax entities whose names are closest by edit
  // distance (an entity shown by id, with the closest alias in brackets
  // when that is not the id).
  absl::StatusOr<const v1::Entity*> Resolve(absl::string_view name) const;

  // "closest: a, b (알리아스)" for `name`, or "no entities are registered".
  std::string DescribeClosest(absl::string_view name) const;

  // Entities in the order they were added.
  const std::vector<v1::Entity>& entities() const { return entities_; }
  size_t size() const { return entities_.size(); }

 private:
  // Normalized name -> index into entities_.
  absl::flat_hash_map<std::string, size_t> names_;
  std::vector<v1::Entity> entities_;
};

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_ENTITY_REGISTRY_H_
