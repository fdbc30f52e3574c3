#include "storage/validate.h"

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/test_util.h"
#include "storage/uuid.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::Event;
using ::stakeledger::storage::testing::Exact;
using ::stakeledger::storage::testing::IsOk;
using ::stakeledger::storage::testing::Request;
using ::stakeledger::storage::testing::StatusIs;
using ::stakeledger::storage::testing::Uuid;
using ::testing::AllOf;
using ::testing::HasSubstr;

// `count` events with a type short enough for SmallLimits.
std::vector<v1::ProposedEvent> Short(size_t count) {
  std::vector<v1::ProposedEvent> events;
  for (size_t i = 0; i < count; ++i) events.push_back(Event("t", std::to_string(i)));
  return events;
}

// Small limits so that "at the limit" and "one past" are cheap to build.
Limits SmallLimits() {
  Limits limits;
  limits.event_payload_bytes_max = 8;
  limits.append_events_max = 3;
  limits.append_payload_bytes_max = 20;
  limits.stream_name_bytes_max = 10;
  limits.event_type_bytes_max = 5;
  limits.metadata_entries_max = 2;
  limits.metadata_bytes_max = 10;
  return limits;
}

class ValidateTest : public ::testing::Test {
 protected:
  absl::StatusOr<PreparedAppend> Prepare(std::vector<v1::ProposedEvent> events,
                                         std::string stream = "s") {
    return PrepareAppend(Request(std::move(stream), std::move(events)), limits_);
  }
  absl::StatusOr<PreparedAppend> PrepareOne(v1::ProposedEvent event) {
    std::vector<v1::ProposedEvent> events;
    events.push_back(std::move(event));
    return Prepare(std::move(events));
  }
  static v1::ProposedEvent WithPayload(size_t bytes) { return Event("t", std::string(bytes, 'p')); }
  static v1::ProposedEvent WithMetadata(std::vector<std::pair<std::string, std::string>> entries) {
    v1::ProposedEvent event = Event("t");
    for (auto& [key, value] : entries) (*event.mutable_metadata())[key] = value;
    return event;
  }

  Limits limits_ = SmallLimits();
};

// A RESOURCE_EXHAUSTED status naming `limit`.
auto Exceeds(const std::string& limit) {
  return StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr(limit));
}
auto Invalid(const std::string& substring) {
  return StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(substring));
}

TEST_F(ValidateTest, EventPayloadAtLimitIsAccepted) {
  EXPECT_THAT(PrepareOne(WithPayload(8)), IsOk());
}

TEST_F(ValidateTest, EventPayloadOverLimitIsRefused) {
  EXPECT_THAT(PrepareOne(WithPayload(9)),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       AllOf(HasSubstr("event_payload_bytes_max=8"), HasSubstr("is 9"))));
}

TEST_F(ValidateTest, EventCountAtLimitIsAccepted) { EXPECT_THAT(Prepare(Short(3)), IsOk()); }

TEST_F(ValidateTest, EventCountOverLimitIsRefused) {
  EXPECT_THAT(Prepare(Short(4)), Exceeds("append_events_max=3"));
}

TEST_F(ValidateTest, RequestPayloadAtLimitIsAccepted) {
  EXPECT_THAT(Prepare({WithPayload(8), WithPayload(8), WithPayload(4)}), IsOk());
}

TEST_F(ValidateTest, RequestPayloadOverLimitIsRefused) {
  EXPECT_THAT(Prepare({WithPayload(8), WithPayload(8), WithPayload(5)}),
              Exceeds("append_payload_bytes_max=20"));
}

TEST_F(ValidateTest, StreamNameAtLimitIsAccepted) {
  EXPECT_THAT(ValidateStreamName(std::string(10, 's'), limits_), IsOk());
  EXPECT_THAT(Prepare(Short(1), std::string(10, 's')), IsOk());
}

TEST_F(ValidateTest, StreamNameOverLimitIsRefused) {
  EXPECT_THAT(ValidateStreamName(std::string(11, 's'), limits_),
              Exceeds("stream_name_bytes_max=10"));
  EXPECT_THAT(Prepare(Short(1), std::string(11, 's')), Exceeds("stream_name_bytes_max=10"));
}

TEST_F(ValidateTest, StreamNameLimitCountsBytesNotCharacters) {
  // Three Hangul syllables are nine bytes; four are twelve.
  EXPECT_THAT(ValidateStreamName("소프트", limits_), IsOk());
  EXPECT_THAT(ValidateStreamName("소프트뱅", limits_), Exceeds("stream_name_bytes_max"));
}

TEST_F(ValidateTest, EventTypeAtLimitIsAccepted) {
  EXPECT_THAT(PrepareOne(Event("ttttt")), IsOk());
}

TEST_F(ValidateTest, EventTypeOverLimitIsRefused) {
  EXPECT_THAT(PrepareOne(Event("tttttt")), Exceeds("event_type_bytes_max=5"));
}

TEST_F(ValidateTest, ContentTypeSharesTheEventTypeLimit) {
  v1::ProposedEvent at_limit = Event("t");
  at_limit.set_content_type("a/bcd");
  EXPECT_THAT(PrepareOne(at_limit), IsOk());
  v1::ProposedEvent over = Event("t");
  over.set_content_type("a/bcde");
  EXPECT_THAT(PrepareOne(over), Exceeds("event_type_bytes_max=5"));
}

TEST_F(ValidateTest, MetadataEntriesAtLimitAreAccepted) {
  EXPECT_THAT(PrepareOne(WithMetadata({{"a", "1"}, {"b", "2"}})), IsOk());
}

TEST_F(ValidateTest, MetadataEntriesOverLimitAreRefused) {
  EXPECT_THAT(PrepareOne(WithMetadata({{"a", "1"}, {"b", "2"}, {"c", "3"}})),
              Exceeds("metadata_entries_max=2"));
}

TEST_F(ValidateTest, MetadataBytesAtLimitAreAccepted) {
  EXPECT_THAT(PrepareOne(WithMetadata({{"k1", "vvv"}, {"k2", "vvv"}})), IsOk());  // 10 bytes
}

TEST_F(ValidateTest, MetadataBytesOverLimitAreRefused) {
  EXPECT_THAT(PrepareOne(WithMetadata({{"k1", "vvv"}, {"k2", "vvvv"}})),  // 11 bytes
              Exceeds("metadata_bytes_max=10"));
}

TEST_F(ValidateTest, MetadataMustBeUtf8) {
  EXPECT_THAT(PrepareOne(WithMetadata({{"k", "\xff"}})), Invalid("metadata is not valid UTF-8"));
}

TEST_F(ValidateTest, EmptyStreamNameIsInvalid) {
  EXPECT_THAT(ValidateStreamName("", limits_), Invalid("empty"));
  EXPECT_THAT(Prepare(Short(1), ""), Invalid("empty"));
}

TEST_F(ValidateTest, NonUtf8StreamNameIsInvalid) {
  EXPECT_THAT(ValidateStreamName("a\xff", limits_), Invalid("UTF-8"));
  EXPECT_THAT(ValidateStreamName("a\xc3", limits_), Invalid("UTF-8"));  // truncated sequence
  EXPECT_THAT(Prepare(Short(1), "a\xff"), Invalid("UTF-8"));
}

TEST_F(ValidateTest, StreamNameWithControlCharacterIsInvalid) {
  EXPECT_THAT(ValidateStreamName("a\nb", limits_), Invalid("control character"));
  EXPECT_THAT(ValidateStreamName(std::string("a\0b", 3), limits_), Invalid("control character"));
  EXPECT_THAT(ValidateStreamName("a\x7f", limits_), Invalid("control character"));
}

TEST_F(ValidateTest, MalformedEventIdIsInvalid) {
  EXPECT_THAT(PrepareOne(Event("t", "{}", "not-a-uuid")), Invalid("'not-a-uuid' is not a UUID"));
}

TEST_F(ValidateTest, DuplicateEventIdsInOneRequestAreInvalid) {
  std::string upper = Uuid(1);
  for (char& c : upper) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  // The same id in two spellings is still the same id.
  EXPECT_THAT(Prepare({Event("t", "{}", Uuid(1)), Event("t", "{}", upper)}),
              Invalid("events[1].event_id " + Uuid(1) + " repeats"));
}

TEST_F(ValidateTest, UnknownExpectedRevisionKindIsInvalid) {
  v1::AppendRequest request = Request("s", Short(1));
  request.mutable_expected_revision()->set_kind(static_cast<v1::ExpectedRevision::Kind>(99));
  EXPECT_THAT(PrepareAppend(request, limits_), Invalid("kind 99 is unknown"));
}

TEST_F(ValidateTest, UnspecifiedExpectedRevisionMeansAny) {
  v1::AppendRequest request = Request("s", Short(1));
  request.clear_expected_revision();
  absl::StatusOr<PreparedAppend> prepared = PrepareAppend(request, limits_);
  ASSERT_THAT(prepared, IsOk());
  EXPECT_EQ(prepared->expected_kind, v1::ExpectedRevision::ANY);
}

TEST_F(ValidateTest, ExactExpectedRevisionKeepsTheRevision) {
  absl::StatusOr<PreparedAppend> prepared =
      PrepareAppend(Request("s", Short(1), Exact(7)), limits_);
  ASSERT_THAT(prepared, IsOk());
  EXPECT_EQ(prepared->expected_kind, v1::ExpectedRevision::EXACT);
  EXPECT_EQ(prepared->expected_revision, 7u);
}

TEST_F(ValidateTest, EmptyEventTypeIsInvalid) {
  EXPECT_THAT(Prepare({Event("t"), Event("")}), Invalid("events[1].event_type is empty"));
}

TEST_F(ValidateTest, EmptyEventListIsInvalid) {
  EXPECT_THAT(Prepare({}), Invalid("at least one event"));
}

TEST_F(ValidateTest, EmptyContentTypeDefaultsToJson) {
  v1::ProposedEvent explicit_type = Event("t");
  explicit_type.set_content_type("a/b");
  absl::StatusOr<PreparedAppend> prepared = Prepare({Event("t"), explicit_type});
  ASSERT_THAT(prepared, IsOk());
  ASSERT_EQ(prepared->events.size(), 2u);
  EXPECT_EQ(prepared->events[0].event.content_type(), kDefaultContentType);
  EXPECT_EQ(prepared->events[0].event.content_type(), "application/json");
  EXPECT_EQ(prepared->events[1].event.content_type(), "a/b");
}

TEST_F(ValidateTest, ClientIdsAreParsedAndMissingIdsAreLeftToTheWriter) {
  std::string upper = Uuid(5);
  for (char& c : upper) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  absl::StatusOr<PreparedAppend> prepared = Prepare({Event("t", "{}", upper), Event("t")});
  ASSERT_THAT(prepared, IsOk());
  const PreparedEvent& client = prepared->events[0];
  const PreparedEvent& made = prepared->events[1];
  EXPECT_TRUE(client.id_from_client);
  EXPECT_EQ(FormatUuid(client.id_bytes), Uuid(5));
  EXPECT_FALSE(made.id_from_client);
  EXPECT_TRUE(made.id_bytes.empty());  // made at commit, in log order
}

TEST_F(ValidateTest, PreparedAppendKeepsStreamAndEventOrder) {
  absl::StatusOr<PreparedAppend> prepared = Prepare(Short(3), "orders");
  ASSERT_THAT(prepared, IsOk());
  EXPECT_EQ(prepared->stream, "orders");
  ASSERT_EQ(prepared->events.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(prepared->events[i].event.payload(), std::to_string(i));
  }
}

}  // namespace
}  // namespace stakeledger::storage
