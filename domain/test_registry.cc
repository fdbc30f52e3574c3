#include "domain/test_registry.h"

#include <cstdio>
#include <cstdlib>

namespace stakeledger::domain::testing {

v1::Entity MakeEntity(const std::string& id, const std::string& display_name, v1::Entity::Kind kind,
                      std::vector<std::string> aliases, const std::string& parent) {
  v1::Entity entity;
  entity.set_entity_id(id);
  entity.set_display_name(display_name);
  entity.set_kind(kind);
  entity.set_parent(parent);
  for (std::string& alias : aliases) entity.add_aliases(std::move(alias));
  return entity;
}

EntityRegistry TestRegistry() {
  EntityRegistry registry;
  const std::vector<v1::Entity> entities = {
      MakeEntity(
          "softbank-group", "SoftBank Group", v1::Entity::COMPANY,
          {"SoftBank", "소프트뱅크", "소프트뱅크 그룹", "ソフトバンク", "ソフトバンクグループ"}),
      MakeEntity("vision-fund-2", "SoftBank Vision Fund 2", v1::Entity::FUND,
                 {"Vision Fund 2", "비전펀드 2호"}, "소프트뱅크"),
      MakeEntity("nvidia", "NVIDIA", v1::Entity::COMPANY,
                 {"NVIDIA Corporation", "엔비디아", "エヌビディア"}),
      MakeEntity("openai", "OpenAI", v1::Entity::COMPANY, {"Open AI", "오픈AI", "オープンAI"}),
      MakeEntity("arm", "Arm", v1::Entity::COMPANY, {"Arm Holdings", "암", "アーム"}),
      MakeEntity("n8n", "n8n", v1::Entity::COMPANY, {"n8n GmbH"}),
      MakeEntity("sb-openai-japan", "SB OpenAI Japan", v1::Entity::JOINT_VENTURE,
                 {"SB 오픈AI 재팬"}),
  };
  for (const v1::Entity& entity : entities) {
    const absl::Status status = registry.Add(entity);
    if (!status.ok()) {
      std::fprintf(stderr, "TestRegistry: %s\n", status.ToString().c_str());
      std::abort();
    }
  }
  return registry;
}

}  // namespace stakeledger::domain::testing
