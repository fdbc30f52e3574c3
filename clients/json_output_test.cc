#include "clients/json_output.h"

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

TEST(CheckpointJsonLine, WrapsThePosition) {
  v1::Checkpoint checkpoint;
  checkpoint.set_position(42);
  EXPECT_EQ(CheckpointJsonLine(checkpoint).value(), "{\"checkpoint\":{\"position\":\"42\"}}");
}

TEST(CaughtUpJsonLine, IsOneObject) { EXPECT_EQ(CaughtUpJsonLine(), "{\"caught_up\":true}"); }

}  // namespace
}  // namespace stakeledger::clients
