#include "domain/entity_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/limits.h"
#include "domain/names.h"
#include "google/protobuf/util/message_differencer.h"

namespace stakeledger::domain {
namespace {

absl::Status Invalid(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

absl::Status CheckName(absl::string_view path, absl::string_view name) {
  if (NormalizeName(name).empty()) return Invalid(path, "an empty name");
  if (name.size() > kEntityNameBytesMax) {
    return Invalid(path, absl::StrCat("'", name, "' is ", name.size(), " bytes, over the ",
                                      kEntityNameBytesMax, "-byte limit"));
  }
  return absl::OkStatus();
}

// The entity's own fields, without looking at the registry.
absl::Status CheckFields(const v1::Entity& entity) {
  if (absl::Status s = ValidateEntityId(entity.entity_id()); !s.ok()) {
    return Invalid("entity_id", s.message());
  }
  if (entity.kind() == v1::Entity::KIND_UNSPECIFIED || !v1::Entity::Kind_IsValid(entity.kind())) {
    return Invalid("kind", absl::StrCat(entity.kind(),
                                        " is not a kind (COMPANY, FUND, "
                                        "JOINT_VENTURE, GOVERNMENT or PERSON)"));
  }
  if (absl::Status s = CheckName("display_name", entity.display_name()); !s.ok()) return s;
  if (static_cast<size_t>(entity.aliases_size()) > kAliasesPerEntityMax) {
    return Invalid("aliases", absl::StrCat(entity.aliases_size(), " aliases, over the limit of ",
                                           kAliasesPerEntityMax));
  }
  for (int i = 0; i < entity.aliases_size(); ++i) {
    const std::string path = absl::StrCat("aliases[", i, "]");
    if (absl::Status s = CheckName(path, entity.aliases(i)); !s.ok()) return s;
    for (int j = 0; j < i; ++j) {
      if (NormalizeName(entity.aliases(j)) == NormalizeName(entity.aliases(i))) {
        return Invalid(path, absl::StrCat("'", entity.aliases(i), "' repeats aliases[", j, "]"));
      }
    }
  }
  return absl::OkStatus();
}

struct Candidate {
  size_t distance;
  const v1::Entity* entity;
  std::string name;
};

// Whether `name` (normalized) of `entity`, at `distance`, beats `current`:
// nearer first, then the id itself, then the smaller name, so that the
// answer does not depend on hash order.
bool IsCloser(size_t distance, const std::string& name, const v1::Entity& entity,
              const Candidate& current) {
  if (distance != current.distance) return distance < current.distance;
  const bool is_id = name == entity.entity_id();
  const bool current_is_id = current.name == entity.entity_id();
  if (is_id != current_is_id) return is_id;
  return name < current.name;
}

// The name of `entity` as it was written, for its normalized form.
std::string OriginalName(const v1::Entity& entity, const std::string& normalized) {
  if (NormalizeName(entity.display_name()) == normalized) return entity.display_name();
  for (const std::string& alias : entity.aliases()) {
    if (NormalizeName(alias) == normalized) return alias;
  }
  return normalized;
}

}  // namespace

absl::Status ValidateEntityId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("missing (a lower-case id such as 'nvidia')");
  if (id.size() > kEntityIdBytesMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", id, "' is over the ", kEntityIdBytesMax, "-byte limit"));
  }
  bool word_start = true;
  for (char c : id) {
    const bool alnum = absl::ascii_islower(c) || absl::ascii_isdigit(c);
    if (alnum || (c == '-' && !word_start)) {
      word_start = c == '-';
      continue;
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "'", id, "' is not an entity id (lower-case letters and digits, words joined by '-')"));
  }
  if (word_start) {
    return absl::InvalidArgumentError(absl::StrCat("'", id, "' must not end with '-'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Entity> EntityRegistry::Check(const v1::Entity& entity) const {
  if (absl::Status s = CheckFields(entity); !s.ok()) return s;
  v1::Entity stored = entity;
  if (!entity.parent().empty()) {
    absl::StatusOr<const v1::Entity*> parent = Resolve(entity.parent());
    if (!parent.ok()) return Invalid("parent", parent.status().message());
    stored.set_parent((*parent)->entity_id());
  }
  const v1::Entity* same_id = Find(entity.entity_id());
  if (same_id != nullptr && same_id->entity_id() == entity.entity_id()) {
    if (google::protobuf::util::MessageDifferencer::Equals(*same_id, stored)) return stored;
    return absl::AlreadyExistsError(absl::StrCat("entity_id: entity '", entity.entity_id(),
                                                 "' is already registered with other content"));
  }
  std::vector<std::pair<std::string, std::string>> names = {
      {"entity_id", entity.entity_id()}, {"display_name", entity.display_name()}};
  for (int i = 0; i < entity.aliases_size(); ++i) {
    names.emplace_back(absl::StrCat("aliases[", i, "]"), entity.aliases(i));
  }
  for (const auto& [path, name] : names) {
    const v1::Entity* owner = Find(name);
    if (owner != nullptr) {
      return Invalid(path,
                     absl::StrCat("'", name, "' already names entity '", owner->entity_id(), "'"));
    }
  }
  if (entities_.size() >= kEntitiesMax) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the registry holds ", entities_.size(), " entities, its limit"));
  }
  return stored;
}

absl::Status EntityRegistry::Add(v1::Entity entity) {
  absl::StatusOr<v1::Entity> stored = Check(entity);
  if (!stored.ok()) return stored.status();
  if (Find(stored->entity_id()) != nullptr) return absl::OkStatus();  // the same, again
  const size_t index = entities_.size();
  names_.emplace(NormalizeName(stored->entity_id()), index);
  names_.emplace(NormalizeName(stored->display_name()), index);
  for (const std::string& alias : stored->aliases()) names_.emplace(NormalizeName(alias), index);
  entities_.push_back(*std::move(stored));
  return absl::OkStatus();
}

const v1::Entity* EntityRegistry::Find(absl::string_view name) const {
  auto it = names_.find(NormalizeName(name));
  return it == names_.end() ? nullptr : &entities_[it->second];
}

absl::StatusOr<const v1::Entity*> EntityRegistry::Resolve(absl::string_view name) const {
  const v1::Entity* entity = Find(name);
  if (entity != nullptr) return entity;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown entity '", name, "'; ", DescribeClosest(name)));
}

std::string EntityRegistry::DescribeClosest(absl::string_view name) const {
  if (entities_.empty()) return "no entities are registered";
  const std::string wanted = NormalizeName(name);
  std::vector<Candidate> best(entities_.size(), Candidate{SIZE_MAX, nullptr, ""});
  for (const auto& [known, index] : names_) {
    const size_t distance = EditDistance(wanted, known);
    Candidate& candidate = best[index];
    if (IsCloser(distance, known, entities_[index], candidate)) {
      candidate = {distance, &entities_[index], known};
    }
  }
  const size_t count = std::min(kSuggestionsMax, best.size());
  std::partial_sort(best.begin(), best.begin() + count, best.end(),
                    [](const Candidate& a, const Candidate& b) {
                      if (a.distance != b.distance) return a.distance < b.distance;
                      return a.entity->entity_id() < b.entity->entity_id();
                    });
  std::vector<std::string> shown;
  for (size_t i = 0; i < count; ++i) {
    const Candidate& c = best[i];
    const bool by_id = c.name == c.entity->entity_id();
    shown.push_back(
        by_id ? c.entity->entity_id()
              : absl::StrCat(c.entity->entity_id(), " (", OriginalName(*c.entity, c.name), ")"));
  }
  return absl::StrCat("closest: ", absl::StrJoin(shown, ", "));
}

}  // namespace stakeledger::domain
