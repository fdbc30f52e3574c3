#include "clients/event_text.h"

#include <string>

#include "clients/text.h"
#include "domain/events.h"
#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

TEST(DisplayPayload, BinaryAnnouncementIsShownAsJson) {
  v1::Announcement announcement;
  announcement.set_announcement_id("a-1");
  v1::RecordedEvent event;
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_content_type(domain::kAnnouncementContentType);
  event.set_payload(domain::ToPayloadBinary(announcement));
  EXPECT_EQ(DisplayPayload(event), R"({"announcement_id":"a-1"})");
  EXPECT_EQ(EventCells(event).back(), R"({"announcement_id":"a-1"})");
}

TEST(DisplayPayload, OtherEventsAreShownAsTheirBytes) {
  v1::RecordedEvent event;
  event.set_event_type("test.happened");
  event.set_payload(R"({"b": 1})");
  EXPECT_EQ(DisplayPayload(event), R"({"b": 1})");
}

TEST(FormatPayload, ShortJsonIsShownAsIs) {
  EXPECT_EQ(FormatPayload("{\"amount\":5}"), "{\"amount\":5}");
}

TEST(FormatPayload, LineBreaksCollapseToOneSpace) {
  EXPECT_EQ(FormatPayload("{\n  \"a\": 1,\r\n\t\"b\": 2\n}"), "{ \"a\": 1, \"b\": 2 }");
}

TEST(FormatPayload, LongTextIsCutAtThePreviewWidth) {
  const std::string shown = FormatPayload(std::string(100, 'x'));
  EXPECT_EQ(DisplayWidth(shown), kPayloadPreviewWidthMax);
  EXPECT_EQ(shown, std::string(kPayloadPreviewWidthMax - 1, 'x') + kEllipsis);
}

TEST(FormatPayload, TextAtThePreviewWidthIsWhole) {
  const std::string text(kPayloadPreviewWidthMax, 'x');
  EXPECT_EQ(FormatPayload(text), text);
}

TEST(FormatPayload, InvalidUtf8IsShownAsByteCount) {
  EXPECT_EQ(FormatPayload("\xff\xfe\x01"), "<3 bytes>");
}

TEST(FormatPayload, ControlCharactersAreShownAsByteCount) {
  EXPECT_EQ(FormatPayload(std::string("a\0b", 3)), "<3 bytes>");
  EXPECT_EQ(FormatPayload("\x1b[31mred"), "<8 bytes>");
}

TEST(FormatPayload, EmptyIsZeroBytes) { EXPECT_EQ(FormatPayload(""), "<0 bytes>"); }

TEST(FormatTimestamp, KeepsTheStoredMicroseconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(1714564800);  // 2024-05-01T12:00:00Z
  timestamp.set_nanos(123456000);
  EXPECT_EQ(FormatTimestamp(timestamp), "2024-05-01T12:00:00.123456Z");
  timestamp.set_nanos(0);
  EXPECT_EQ(FormatTimestamp(timestamp), "2024-05-01T12:00:00.000000Z");
}

TEST(FormatTimestamp, KeepsNanosecondsWhenThereAreAny) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(1714564800);
  timestamp.set_nanos(123456789);
  EXPECT_EQ(FormatTimestamp(timestamp), "2024-05-01T12:00:00.123456789Z");
}

TEST(FormatTimestamp, UnsetIsDash) { EXPECT_EQ(FormatTimestamp({}), "-"); }

TEST(FormatRange, SingleValueOrSpan) {
  EXPECT_EQ(FormatRange(7, 7), "7");
  EXPECT_EQ(FormatRange(7, 9), "7-9");
}

TEST(EventCells, FollowEventColumns) {
  v1::RecordedEvent event;
  event.set_position(12);
  event.set_stream("orders-1");
  event.set_revision(3);
  event.set_event_type("OrderPlaced");
  event.set_event_id("0f8fad5b-d9cb-469f-a165-70867728950e");
  event.set_payload("{}");
  const std::vector<std::string> cells = EventCells(event);
  ASSERT_EQ(cells.size(), EventColumns().size());
  EXPECT_EQ(cells, (std::vector<std::string>{"12", "orders-1", "3", "OrderPlaced",
                                             "0f8fad5b-d9cb-469f-a165-70867728950e", "-", "{}"}));
}

}  // namespace
}  // namespace stakeledger::clients
