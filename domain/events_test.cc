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

v1::Announcement SampleAnnouncement() {
  v1::Announcement announcement;
  announcement.set_announcement_id("a-1");
  announcement.set_announced_date("2024");
  announcement.mutable_source()->set_outlet("Reuters");
  v1::StakeChange* change = announcement.add_facts()->mutable_stake_change();
  change->set_holder("softbank-group");
  change->set_target("arm");
  change->mutable_resulting_stake()->set_ppm(900000);
  change->set_effective_date("2016-09-05");
  return announcement;
}

TEST(Events, AnnouncementEventCarriesTypeIdAndCanonicalBinary) {
  const v1::Announcement announcement = SampleAnnouncement();
  const v1::ProposedEvent event = MakeAnnouncementEvent(announcement);
  EXPECT_EQ(event.event_type(), "stakeledger.v1.Announcement");
  EXPECT_EQ(event.content_type(),
            "application/x-protobuf; messageType=stakeledger.v1.Announcement");
  EXPECT_EQ(event.event_id(), AnnouncementEventId("a-1"));
  v1::Announcement parsed;
  ASSERT_TRUE(parsed.ParseFromString(event.payload()));
  EXPECT_EQ(parsed.SerializeAsString(), announcement.SerializeAsString());
}

TEST(Events, BinaryPayloadIsDeterministic) {
  EXPECT_EQ(MakeAnnouncementEvent(SampleAnnouncement()).payload(),
            MakeAnnouncementEvent(SampleAnnouncement()).payload());
}

TEST(Events, EntityEventCarriesTypeIdAndCanonicalBinary) {
  v1::Entity entity;
  entity.set_entity_id("arm");
  entity.set_kind(v1::Entity::COMPANY);
  const v1::ProposedEvent event = MakeEntityEvent(entity);
  EXPECT_EQ(event.event_type(), "stakeledger.v1.Entity");
  EXPECT_EQ(event.content_type(), "application/x-protobuf; messageType=stakeledger.v1.Entity");
  EXPECT_EQ(event.event_id(), EntityEventId("arm"));
  const absl::StatusOr<v1::Entity> decoded = DecodeEntity(event.content_type(), event.payload());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(ToPayloadJson(*decoded), R"({"entity_id":"arm","kind":"COMPANY"})");
}

TEST(Decode, BinaryRoundTripGivesTheSameAnnouncement) {
  const v1::Announcement announcement = SampleAnnouncement();
  const absl::StatusOr<v1::Announcement> decoded =
      DecodeAnnouncement(kAnnouncementContentType, ToPayloadBinary(announcement));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(ToPayloadJson(*decoded), ToPayloadJson(announcement));
  EXPECT_EQ(ToPayloadBinary(*decoded), ToPayloadBinary(announcement));
}

TEST(Decode, JsonWrittenByEarlierBuildsDecodesToTheSameAnnouncement) {
  const v1::Announcement announcement = SampleAnnouncement();
  const std::string json = ToPayloadJson(announcement);
  for (const char* content_type : {"application/json", ""}) {
    const absl::StatusOr<v1::Announcement> decoded = DecodeAnnouncement(content_type, json);
    ASSERT_TRUE(decoded.ok()) << content_type << ": " << decoded.status();
    EXPECT_EQ(ToPayloadBinary(*decoded), ToPayloadBinary(announcement)) << content_type;
  }
}

TEST(Decode, UnknownContentTypeIsInvalidArgumentNamingIt) {
  const absl::StatusOr<v1::Announcement> decoded =
      DecodeAnnouncement("text/csv", ToPayloadBinary(SampleAnnouncement()));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("'text/csv'"), std::string::npos) << decoded.status();
  // The entity's binary type is not the announcement's.
  EXPECT_EQ(DecodeAnnouncement(kEntityContentType, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Decode, CorruptBinaryIsInvalidArgument) {
  std::string bytes = ToPayloadBinary(SampleAnnouncement());
  bytes.resize(bytes.size() - 3);  // cut inside the last fact
  const absl::StatusOr<v1::Announcement> decoded =
      DecodeAnnouncement(kAnnouncementContentType, bytes);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("not a binary stakeledger.v1.Announcement"),
            std::string::npos)
      << decoded.status();
  EXPECT_EQ(
      DecodeAnnouncement(kAnnouncementContentType, R"({"announcement_id":"a"})").status().code(),
      absl::StatusCode::kInvalidArgument)
      << "JSON sent under the binary content type";
}

TEST(Decode, UnknownFieldsAreFoundAtAnyDepth) {
  EXPECT_FALSE(HasUnknownFields(SampleAnnouncement()));
  v1::Announcement top = SampleAnnouncement();
  top.GetReflection()->MutableUnknownFields(&top)->AddVarint(99, 1);
  EXPECT_TRUE(HasUnknownFields(top));
  v1::Announcement nested = SampleAnnouncement();
  v1::StakeChange* change = nested.mutable_facts(0)->mutable_stake_change();
  change->GetReflection()->MutableUnknownFields(change)->AddVarint(99, 1);
  EXPECT_TRUE(HasUnknownFields(nested));
}

TEST(Events, StrictParsingRefusesUnknownFields) {
  EXPECT_EQ(ParseEntityJson(R"({"entity_id":"a","colour":"red"})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseEntityJson(R"({"entity_id":"a","kind":"FUND"})").ok());
}

}  // namespace
}  // namespace stakeledger::domain
