#include "domain/entity_registry.h"

#include "domain/test_registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace stakeledger::domain {
namespace {

using ::stakeledger::domain::testing::MakeEntity;
using ::stakeledger::domain::testing::TestRegistry;
using ::testing::HasSubstr;

std::string ResolvedId(const EntityRegistry& registry, absl::string_view name) {
  absl::StatusOr<const v1::Entity*> entity = registry.Resolve(name);
  return entity.ok() ? (*entity)->entity_id() : std::string(entity.status().message());
}

void ExpectRefused(const absl::Status& status, absl::StatusCode code, absl::string_view text) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(status.message(), HasSubstr(text));
}

class EntityRegistryTest : public ::testing::Test {
 protected:
  EntityRegistry registry_ = TestRegistry();
};

TEST_F(EntityRegistryTest, ResolvesIdsAndDisplayNames) {
  EXPECT_EQ(ResolvedId(registry_, "softbank-group"), "softbank-group");
  EXPECT_EQ(ResolvedId(registry_, "SoftBank Group"), "softbank-group");
  EXPECT_EQ(ResolvedId(registry_, "n8n"), "n8n");
}

TEST_F(EntityRegistryTest, ResolvesLatinAliasesInAnyCase) {
  EXPECT_EQ(ResolvedId(registry_, "SOFTBANK"), "softbank-group");
  EXPECT_EQ(ResolvedId(registry_, "softBANK group"), "softbank-group");
  EXPECT_EQ(ResolvedId(registry_, "nvidia corporation"), "nvidia");
  EXPECT_EQ(ResolvedId(registry_, "  open   ai "), "openai");
  EXPECT_EQ(ResolvedId(registry_, "Sb 오픈ai 재팬"), "sb-openai-japan");
}

TEST_F(EntityRegistryTest, ResolvesKoreanAliasesExactly) {
  EXPECT_EQ(ResolvedId(registry_, "엔비디아"), "nvidia");
  EXPECT_EQ(ResolvedId(registry_, "소프트뱅크"), "softbank-group");
  EXPECT_EQ(ResolvedId(registry_, "소프트뱅크 그룹"), "softbank-group");
  EXPECT_EQ(ResolvedId(registry_, "비전펀드 2호"), "vision-fund-2");
  EXPECT_EQ(registry_.Find("소프트뱅크그룹"), nullptr);  // not an alias here
}

TEST_F(EntityRegistryTest, ResolvesJapaneseAliasesExactly) {
  EXPECT_EQ(ResolvedId(registry_, "ソフトバンク"), "softbank-group");
  EXPECT_EQ(ResolvedId(registry_, "エヌビディア"), "nvidia");
  EXPECT_EQ(registry_.Find("ｿﾌﾄﾊﾞﾝｸ"), nullptr);  // half-width kana is another spelling
}

TEST_F(EntityRegistryTest, UnknownNameListsTheClosestNames) {
  const absl::StatusOr<const v1::Entity*> entity = registry_.Resolve("nvidiaa");
  ExpectRefused(entity.status(), absl::StatusCode::kInvalidArgument,
                "unknown entity 'nvidiaa'; closest: nvidia, ");
}

TEST_F(EntityRegistryTest, UnknownKoreanNameSuggestsTheKoreanAlias) {
  ExpectRefused(registry_.Resolve("엔비디야").status(), absl::StatusCode::kInvalidArgument,
                "closest: nvidia (엔비디아)");
}

TEST_F(EntityRegistryTest, SuggestionsAreCappedAndDistinct) {
  const std::string closest = registry_.DescribeClosest("zzzzzzzzzz");
  EXPECT_EQ(std::count(closest.begin(), closest.end(), ','), 2) << closest;
}

TEST(EntityRegistry, EmptyRegistrySaysSo) {
  EXPECT_THAT(EntityRegistry().Resolve("arm").status().message(),
              HasSubstr("no entities are registered"));
}

TEST_F(EntityRegistryTest, ParentIsStoredAsItsId) {
  EXPECT_EQ(registry_.Find("vision-fund-2")->parent(), "softbank-group");
}

TEST_F(EntityRegistryTest, UnknownParentIsRefusedWithSuggestions) {
  ExpectRefused(registry_.Add(MakeEntity("vision-fund-1", "Vision Fund 1", v1::Entity::FUND, {},
                                         "softbank-grup")),
                absl::StatusCode::kInvalidArgument,
                "parent: unknown entity 'softbank-grup'; closest: softbank-group");
}

TEST_F(EntityRegistryTest, MalformedIdIsRefused) {
  for (const char* id : {"", "SoftBank", "soft bank", "-arm", "arm-", "arm--x", "암"}) {
    ExpectRefused(registry_.Add(MakeEntity(id, "X", v1::Entity::COMPANY, {})),
                  absl::StatusCode::kInvalidArgument, "entity_id: ");
  }
}

TEST_F(EntityRegistryTest, UnsetKindIsRefused) {
  ExpectRefused(registry_.Add(MakeEntity("amd", "AMD", v1::Entity::KIND_UNSPECIFIED, {})),
                absl::StatusCode::kInvalidArgument, "kind: 0 is not a kind");
}

TEST_F(EntityRegistryTest, EmptyDisplayNameIsRefused) {
  ExpectRefused(registry_.Add(MakeEntity("amd", " ", v1::Entity::COMPANY, {})),
                absl::StatusCode::kInvalidArgument, "display_name: an empty name");
}

TEST_F(EntityRegistryTest, AliasOfAnotherEntityIsRefused) {
  ExpectRefused(registry_.Add(MakeEntity("softbank-corp", "SoftBank Corp.", v1::Entity::COMPANY,
                                         {"SOFTBANK"})),
                absl::StatusCode::kInvalidArgument,
                "aliases[0]: 'SOFTBANK' already names entity 'softbank-group'");
}

TEST_F(EntityRegistryTest, RepeatedAliasIsRefused) {
  ExpectRefused(registry_.Add(MakeEntity("amd", "AMD", v1::Entity::COMPANY,
                                         {"Advanced Micro", "ADVANCED micro"})),
                absl::StatusCode::kInvalidArgument,
                "aliases[1]: 'ADVANCED micro' repeats aliases[0]");
}

TEST_F(EntityRegistryTest, DisplayNameMayRepeatAnAlias) {
  EXPECT_TRUE(registry_.Add(MakeEntity("amd", "AMD", v1::Entity::COMPANY, {"AMD"})).ok());
}

TEST_F(EntityRegistryTest, AddingTheSameEntityAgainChangesNothing) {
  const size_t size = registry_.size();
  EXPECT_TRUE(registry_.Add(MakeEntity("n8n", "n8n", v1::Entity::COMPANY, {"n8n GmbH"})).ok());
  EXPECT_EQ(registry_.size(), size);
}

TEST_F(EntityRegistryTest, SameIdWithOtherContentAlreadyExists) {
  ExpectRefused(registry_.Add(MakeEntity("n8n", "n8n", v1::Entity::COMPANY, {"n8n AG"})),
                absl::StatusCode::kAlreadyExists, "entity 'n8n' is already registered");
}

}  // namespace
}  // namespace stakeledger::domain
