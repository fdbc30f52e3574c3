// A small registry for the domain tests: SoftBank Group, Vision Fund 2
// (its child), NVIDIA, OpenAI, Arm, n8n and SB OpenAI Japan, with English,
// Korean and Japanese aliases as in data/entities.jsonl.
#ifndef STAKELEDGER_DOMAIN_TEST_REGISTRY_H_
#define STAKELEDGER_DOMAIN_TEST_REGISTRY_H_

#include <string>
#include <vector>

#include "domain/entity_registry.h"

namespace stakeledger::domain::testing {

v1::Entity MakeEntity(const std::string& id, const std::string& display_name, v1::Entity::Kind kind,
                      std::vector<std::string> aliases, const std::string& parent = "");

// Aborts if an entity is refused: the fixture itself would be wrong.
EntityRegistry TestRegistry();

}  // namespace stakeledger::domain::testing

#endif  // STAKELEDGER_DOMAIN_TEST_REGISTRY_H_
