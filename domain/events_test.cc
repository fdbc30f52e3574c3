#include "domain/events.h"

#include "gtest/gtest.h"

namespace stakeledger::domain {
namespace {

TEST(EventIds, AnnouncementEventIdIsStable) {
  // SHA-256("stakeledger:announcement:seed000-softbank-nvidia-stake-2017"),
  // first 16 bytes, version 8, RFC variant; computed independently.
  EXPECT_EQ(AnnouncementEventId("seed000-softbank-nvidia-stake-2017"),
            "d1238a45-d1ce-8e41-ab7d-fee82944577b");
}

TEST(EventIds, EntityEventIdIsStable) {
  EXPECT_EQ(EntityEventId("nvidia"), "c678edb6-b0f6-896c-9b7b-d622d072555f");
}

TEST(EventIds, CarryVersionEightAndTheRfcVariant) {
  const std::string id = AnnouncementEventId("x");
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '8');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
}

TEST(EventIds, KindsAndIdsDoNotCollide) {
  EXPECT_NE(AnnouncementEventId("nvidia"), EntityEventId("nvidia"));
  EXPECT_NE(AnnouncementEventId("a"), AnnouncementEventId("b"));
}

TEST(Events, AnnouncementEventCarriesTypeIdAndCanonicalJson) {
  v1::Announcement announcement;
  announcement.set_announcement_id("a-1");
  announcement.set_announced_date("2024");
  const v1::ProposedEvent event = MakeAnnouncementEvent(announcement);
  EXPECT_EQ(event.event_type(), "stakeledger.v1.Announcement");
  EXPECT_EQ(event.content_type(), "application/json");
  EXPECT_EQ(event.event_id(), AnnouncementEventId("a-1"));
  EXPECT_EQ(event.payload(), R"({"announcement_id":"a-1","announced_date":"2024"})");
}

TEST(Events, EntityEventCarriesTypeAndId) {
  v1::Entity entity;
  entity.set_entity_id("arm");
  entity.set_kind(v1::Entity::COMPANY);
  const v1::ProposedEvent event = MakeEntityEvent(entity);
  EXPECT_EQ(event.event_type(), "stakeledger.v1.Entity");
  EXPECT_EQ(event.event_id(), EntityEventId("arm"));
  EXPECT_EQ(event.payload(), R"({"entity_id":"arm","kind":"COMPANY"})");
}

TEST(Events, StrictParsingRefusesUnknownFields) {
  EXPECT_EQ(ParseEntityJson(R"({"entity_id":"a","colour":"red"})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseEntityJson(R"({"entity_id":"a","kind":"FUND"})").ok());
}

}  // namespace
}  // namespace stakeledger::domain
