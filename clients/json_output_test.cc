#include "clients/json_output.h"

#include "domain/events.h"
#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

TEST(ToJsonLine, PrintsZeroFieldsWithProtoNames) {
  v1::AppendResponse response;
  response.set_first_position(1);
  response.set_last_position(1);
  EXPECT_EQ(ToJsonLine(response).value(),
            "{\"first_position\":\"1\",\"last_position\":\"1\",\"next_expected_revision\":\"0\","
            "\"first_revision\":\"0\",\"idempotent_replay\":false}");
}

TEST(ToJsonLine, EventPayloadIsBase64AndRevisionZeroIsPresent) {
  v1::RecordedEvent event;
  event.set_position(5);
  event.set_payload("{}");
  const std::string json = ToJsonLine(event).value();
  EXPECT_NE(json.find("\"revision\":\"0\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"payload\":\"e30=\""), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

v1::RecordedEvent EntityEvent(bool binary) {
  v1::Entity entity;
  entity.set_entity_id("arm");
  entity.set_kind(v1::Entity::COMPANY);
  v1::RecordedEvent event;
  event.set_position(1);
  event.set_event_type(domain::kEntityEventType);
  event.set_content_type(binary ? domain::kEntityContentType : domain::kJsonContentType);
  event.set_payload(binary ? domain::ToPayloadBinary(entity) : domain::ToPayloadJson(entity));
  return event;
}

TEST(EventJsonLine, DomainEventGetsItsDecodedPayloadInEitherStoredForm) {
  for (const bool binary : {true, false}) {
    const std::string json = EventJsonLine(EntityEvent(binary)).value();
    EXPECT_NE(json.find(R"("decoded_payload":{"entity_id":"arm","kind":"COMPANY"}})"),
              std::string::npos)
        << json;
    EXPECT_NE(json.find(R"("payload":")"), std::string::npos) << "base64 kept: " << json;
  }
}

TEST(EventJsonLine, OtherEventsAndUndecodablePayloadsAreAsToJsonLine) {
  v1::RecordedEvent other;
  other.set_event_type("test.happened");
  other.set_payload("{}");
  EXPECT_EQ(EventJsonLine(other).value(), ToJsonLine(other).value());
  v1::RecordedEvent corrupt = EntityEvent(true);
  corrupt.set_payload("\xff");
  EXPECT_EQ(EventJsonLine(corrupt).value(), ToJsonLine(corrupt).value());
}

TEST(CheckpointJsonLine, WrapsThePosition) {
  v1::Checkpoint checkpoint;
  checkpoint.set_position(42);
  EXPECT_EQ(CheckpointJsonLine(checkpoint).value(), "{\"checkpoint\":{\"position\":\"42\"}}");
}

TEST(CaughtUpJsonLine, IsOneObject) { EXPECT_EQ(CaughtUpJsonLine(), "{\"caught_up\":true}"); }

}  // namespace
}  // namespace stakeledger::clients
