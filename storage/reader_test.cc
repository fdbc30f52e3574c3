// Reads through EventLog: the whole log and single streams in both
// directions, filters, chunk bounds, stream listing.
#include "storage/reader.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/event_log.h"
#include "storage/record.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::Event;
using ::stakeledger::storage::testing::Iota;
using ::stakeledger::storage::testing::IsOk;
using ::stakeledger::storage::testing::PositionsOf;
using ::stakeledger::storage::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kEnd = std::numeric_limits<uint64_t>::max();

std::vector<v1::ProposedEvent> Typed(const std::string& type, size_t count) {
  return std::vector<v1::ProposedEvent>(count, Event(type));
}

v1::Filter Filter(std::string prefix, std::vector<std::string> types = {}) {
  v1::Filter filter;
  filter.set_stream_prefix(std::move(prefix));
  for (std::string& type : types) filter.add_event_types(std::move(type));
  return filter;
}

std::vector<uint64_t> Revisions(const std::vector<v1::RecordedEvent>& events) {
  std::vector<uint64_t> revisions;
  for (const auto& event : events) revisions.push_back(event.revision());
  return revisions;
}

std::vector<std::string> Names(const v1::ListStreamsResponse& page) {
  std::vector<std::string> names;
  for (const auto& info : page.streams()) names.push_back(info.stream());
  return names;
}

// The log used by every test here:
//   1-3 company-arm stake.changed, 4-5 company-nvidia stake.sold,
//   6-7 fund-vision fund.established, 8 company-arm stake.changed,
//   9-10 company-openai round.joined, 11 fund-softbank fund.established.
class ReadTest : public testing::EventLogTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(EventLogTest::SetUp());
    AppendOk("company-arm", Typed("stake.changed", 3));
    AppendOk("company-nvidia", Typed("stake.sold", 2));
    AppendOk("fund-vision", Typed("fund.established", 2));
    AppendOk("company-arm", Typed("stake.changed", 1));
    AppendOk("company-openai", Typed("round.joined", 2));
    AppendOk("fund-softbank", Typed("fund.established", 1));
    ASSERT_EQ(log_->head_position(), 11u);
  }

  // One chunk of the whole log.
  absl::StatusOr<ScanResult> Chunk(uint64_t from, bool backwards, size_t events_max,
                                   const v1::Filter& filter, EventList* out,
                                   size_t scanned_max = 4096) {
    absl::StatusOr<EventFilter> parsed = EventFilter::FromProto(filter, limits_);
    if (!parsed.ok()) return parsed.status();
    ChunkBounds bounds;
    bounds.events_max = events_max;
    bounds.scanned_max = scanned_max;
    return log_->ReadAllChunk(from, backwards, *parsed, /*include_record=*/false, bounds, out);
  }

  absl::StatusOr<ScanResult> StreamChunk(const std::string& stream, uint64_t from_revision,
                                         bool backwards, size_t events_max, EventList* out) {
    ChunkBounds bounds;
    bounds.events_max = events_max;
    return log_->ReadStreamChunk(Head(stream).stream_id, from_revision, backwards,
                                 /*include_record=*/false, bounds, out);
  }

  absl::StatusOr<v1::ListStreamsResponse> List(std::string prefix, uint32_t page_size,
                                               std::string token = "") {
    v1::ListStreamsRequest request;
    request.set_prefix(std::move(prefix));
    request.set_page_size(page_size);
    request.set_page_token(std::move(token));
    return log_->ListStreams(request);
  }
};

TEST_F(ReadTest, ReadAllForwardsIsLogOrder) {
  EXPECT_THAT(PositionsOf(ReadAll()), ElementsAreArray(Iota(1, 11)));
}

TEST_F(ReadTest, ReadAllBackwardsIsReverseLogOrder) {
  std::vector<uint64_t> expected = Iota(1, 11);
  std::reverse(expected.begin(), expected.end());
  EXPECT_THAT(PositionsOf(ReadAll(/*backwards=*/true)), ElementsAreArray(expected));
}

TEST_F(ReadTest, ChunkForwardsStopsAtEventsMaxAndSaysWhere) {
  EventList out;
  absl::StatusOr<ScanResult> scan = Chunk(4, false, 3, {}, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(PositionsOf(out), ElementsAre(4, 5, 6));
  EXPECT_EQ(scan->last_scanned, 6u);
  EXPECT_FALSE(scan->reached_end);
}

TEST_F(ReadTest, ChunkForwardsToTheHeadReachesTheEnd) {
  EventList out;
  absl::StatusOr<ScanResult> scan = Chunk(9, false, 3, {}, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(PositionsOf(out), ElementsAre(9, 10, 11));
  EXPECT_TRUE(scan->reached_end);
}

TEST_F(ReadTest, ChunkFromPastTheHeadIsEmptyAndAtTheEnd) {
  EventList out;
  absl::StatusOr<ScanResult> scan = Chunk(12, false, 3, {}, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(out, IsEmpty());
  EXPECT_TRUE(scan->reached_end);
  EXPECT_EQ(scan->last_scanned, 0u);
}

TEST_F(ReadTest, ChunkBackwardsFromAPositionGoesDownToOne) {
  EventList out;
  absl::StatusOr<ScanResult> scan = Chunk(4, true, 10, {}, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(PositionsOf(out), ElementsAre(4, 3, 2, 1));
  EXPECT_TRUE(scan->reached_end);
}

TEST_F(ReadTest, ChunkBackwardsFromTheEndStartsAtTheHead) {
  EventList out;
  absl::StatusOr<ScanResult> scan = Chunk(kEnd, true, 2, {}, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(PositionsOf(out), ElementsAre(11, 10));
  EXPECT_FALSE(scan->reached_end);
}

TEST_F(ReadTest, FilterByStreamPrefix) {
  EXPECT_THAT(PositionsOf(ReadAll(false, Filter("company-"))),
              ElementsAre(1, 2, 3, 4, 5, 8, 9, 10));
  EXPECT_THAT(PositionsOf(ReadAll(true, Filter("fund-"))), ElementsAre(11, 7, 6));
}

TEST_F(ReadTest, FilterByEventTypes) {
  EXPECT_THAT(PositionsOf(ReadAll(false, Filter("", {"stake.sold", "round.joined"}))),
              ElementsAre(4, 5, 9, 10));
}

TEST_F(ReadTest, FilterByPrefixAndTypeTogether) {
  EXPECT_THAT(PositionsOf(ReadAll(false, Filter("fund-s", {"fund.established"}))), ElementsAre(11));
  EXPECT_THAT(PositionsOf(ReadAll(false, Filter("company-", {"fund.established"}))), IsEmpty());
}

// A rebuild's scan without messages: the same events, with the same
// fields, as the scan that decodes each; other types filtered out.
TEST_F(ReadTest, ViewScanGivesWhatTheDecodingScanGives) {
  absl::StatusOr<EventFilter> filter =
      EventFilter::FromProto(Filter("company-", {"stake.changed", "round.joined"}), limits_);
  ASSERT_THAT(filter, IsOk());
  std::vector<std::string> decoded;
  ASSERT_THAT(ForEachLogEvent(log_->database(), 2, 10, *filter,
                              [&](const v1::RecordedEvent& event) {
                                const LogEventView view = ViewOf(event);
                                decoded.push_back(absl::StrCat(
                                    view.position, " ", view.stream, " ", view.event_type, " ",
                                    view.content_type, " ", view.payload, " ",
                                    view.recorded_at_seconds, " ", view.recorded_at_nanos));
                                return absl::OkStatus();
                              }),
              IsOk());
  std::vector<std::string> viewed;
  std::vector<uint64_t> positions;
  ASSERT_THAT(ForEachLogEventView(log_->database(), 2, 10, *filter,
                                  [&](const LogEventView& view) {
                                    positions.push_back(view.position);
                                    viewed.push_back(absl::StrCat(
                                        view.position, " ", view.stream, " ", view.event_type, " ",
                                        view.content_type, " ", view.payload, " ",
                                        view.recorded_at_seconds, " ", view.recorded_at_nanos));
                                    return absl::OkStatus();
                                  }),
              IsOk());
  EXPECT_THAT(positions, ElementsAre(2, 3, 8, 9, 10));
  EXPECT_EQ(viewed, decoded);
}

TEST_F(ReadTest, ViewScanStopsAtTheFirstErrorOfItsCallback) {
  int calls = 0;
  EXPECT_THAT(ForEachLogEventView(log_->database(), 1, kEnd, EventFilter(),
                                  [&](const LogEventView&) {
                                    ++calls;
                                    return absl::CancelledError("enough");
                                  }),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(calls, 1);
}

TEST_F(ReadTest, FilterMatchingNothingStillReturnsAfterScannedMax) {
  EventList out;
  absl::StatusOr<ScanResult> scan = Chunk(1, false, 10, Filter("nothing-"), &out, 4);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(out, IsEmpty());
  EXPECT_EQ(scan->scanned, 4u);
  EXPECT_EQ(scan->last_scanned, 4u);
  EXPECT_FALSE(scan->reached_end);
}

TEST_F(ReadTest, FilterLimitsAreChecked) {
  v1::Filter too_many;
  for (size_t i = 0; i <= limits_.filter_event_types_max; ++i) {
    too_many.add_event_types("type" + std::to_string(i));
  }
  EXPECT_THAT(EventFilter::FromProto(too_many, limits_),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("filter_event_types_max")));
  too_many.mutable_event_types()->RemoveLast();
  EXPECT_THAT(EventFilter::FromProto(too_many, limits_), IsOk());

  EXPECT_THAT(EventFilter::FromProto(Filter("", {""}), limits_),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      EventFilter::FromProto(Filter(std::string(limits_.stream_name_bytes_max + 1, 'p')), limits_),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("stream_name_bytes_max")));
}

TEST_F(ReadTest, ReadStreamForwardsIsRevisionOrder) {
  const std::vector<v1::RecordedEvent> events = ReadStream("company-arm");
  EXPECT_THAT(Revisions(events), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(PositionsOf(events), ElementsAre(1, 2, 3, 8));
}

TEST_F(ReadTest, ReadStreamBackwardsIsReverseRevisionOrder) {
  const std::vector<v1::RecordedEvent> events = ReadStream("company-arm", /*backwards=*/true);
  EXPECT_THAT(Revisions(events), ElementsAre(3, 2, 1, 0));
  EXPECT_THAT(PositionsOf(events), ElementsAre(8, 3, 2, 1));
}

TEST_F(ReadTest, StreamChunkFromARevisionStaysInsideTheStream) {
  EventList out;
  absl::StatusOr<ScanResult> scan = StreamChunk("company-arm", 2, false, 10, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(PositionsOf(out), ElementsAre(3, 8));
  EXPECT_TRUE(scan->reached_end);
  EXPECT_EQ(scan->last_scanned, 3u);  // a revision

  out.Clear();
  scan = StreamChunk("company-nvidia", 1, /*backwards=*/true, 10, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(PositionsOf(out), ElementsAre(5, 4));
  EXPECT_TRUE(scan->reached_end);
}

TEST_F(ReadTest, StreamChunkStopsAtEventsMax) {
  EventList out;
  absl::StatusOr<ScanResult> scan = StreamChunk("company-arm", 0, false, 2, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(PositionsOf(out), ElementsAre(1, 2));
  EXPECT_FALSE(scan->reached_end);
  EXPECT_EQ(scan->last_scanned, 1u);
}

// Both kinds of read honour bytes_max the same way: at least one event, then
// stop once the chunk holds bytes_max bytes of log values.
TEST_F(ReadTest, StreamChunkStopsAtBytesMaxLikeALogChunk) {
  std::vector<v1::ProposedEvent> large(6, Event("big", std::string(1000, 'p')));
  const v1::AppendResponse appended = AppendOk("large", large);
  ChunkBounds bounds;
  bounds.bytes_max = 2500;

  EventList from_log;
  absl::StatusOr<ScanResult> log_scan =
      log_->ReadAllChunk(appended.first_position(), false, EventFilter(), false, bounds, &from_log);
  ASSERT_THAT(log_scan, IsOk());
  ASSERT_EQ(from_log.size(), 3);  // 2 * ~1050 bytes < 2500 <= 3 * ~1050

  EventList from_stream;
  absl::StatusOr<ScanResult> stream_scan =
      log_->ReadStreamChunk(Head("large").stream_id, 0, false, false, bounds, &from_stream);
  ASSERT_THAT(stream_scan, IsOk());
  EXPECT_THAT(PositionsOf(from_stream), ElementsAreArray(PositionsOf(from_log)));
  EXPECT_FALSE(stream_scan->reached_end);
  EXPECT_EQ(stream_scan->last_scanned, 2u);
  EXPECT_EQ(stream_scan->scanned, 3u);

  // The next chunk continues after the last revision returned.
  from_stream.Clear();
  stream_scan = log_->ReadStreamChunk(Head("large").stream_id, stream_scan->last_scanned + 1, false,
                                      false, bounds, &from_stream);
  ASSERT_THAT(stream_scan, IsOk());
  ASSERT_EQ(from_stream.size(), 3);
  EXPECT_EQ(from_stream.begin()->revision(), 3u);

  // A single event larger than bytes_max still comes out, alone.
  bounds.bytes_max = 10;
  from_stream.Clear();
  stream_scan =
      log_->ReadStreamChunk(Head("large").stream_id, 5, true, false, bounds, &from_stream);
  ASSERT_THAT(stream_scan, IsOk());
  ASSERT_EQ(from_stream.size(), 1);
  EXPECT_EQ(stream_scan->last_scanned, 5u);
  EXPECT_FALSE(stream_scan->reached_end);
}

TEST_F(ReadTest, StreamChunkReadsManyEventsAtOnce) {
  AppendOk("long", 150);
  EventList out;
  absl::StatusOr<ScanResult> scan = StreamChunk("long", 0, false, 1024, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(PositionsOf(out), ElementsAreArray(Iota(12, 150)));
  EXPECT_EQ(scan->scanned, 150u);
  EXPECT_EQ(scan->last_scanned, 149u);
  EXPECT_TRUE(scan->reached_end);
}

TEST_F(ReadTest, StreamChunkPastTheLastRevisionIsEmpty) {
  EventList out;
  absl::StatusOr<ScanResult> scan = StreamChunk("company-arm", 4, false, 10, &out);
  ASSERT_THAT(scan, IsOk());
  EXPECT_THAT(out, IsEmpty());
  EXPECT_TRUE(scan->reached_end);
}

TEST_F(ReadTest, StreamChunkWithRecordsVerifies) {
  ChunkBounds bounds;
  EventList out;
  ASSERT_THAT(log_->ReadStreamChunk(Head("fund-vision").stream_id, 0, false,
                                    /*include_record=*/true, bounds, &out),
              IsOk());
  ASSERT_EQ(out.size(), 2);
  for (const v1::RecordedEvent& event : out) {
    EXPECT_EQ(LeafHash(event.record()), event.leaf_hash());
  }
}

TEST_F(ReadTest, ListStreamsPagesInNameOrder) {
  absl::StatusOr<v1::ListStreamsResponse> page = List("", 2);
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), ElementsAre("company-arm", "company-nvidia"));
  EXPECT_EQ(page->next_page_token(), "company-nvidia");

  page = List("", 2, page->next_page_token());
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), ElementsAre("company-openai", "fund-softbank"));
  EXPECT_EQ(page->next_page_token(), "fund-softbank");

  page = List("", 2, page->next_page_token());
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), ElementsAre("fund-vision"));
  EXPECT_EQ(page->next_page_token(), "");
}

TEST_F(ReadTest, ListStreamsExactFitHasNoNextPage) {
  absl::StatusOr<v1::ListStreamsResponse> page = List("", 5);
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->streams_size(), 5);
  EXPECT_EQ(page->next_page_token(), "");
  page = List("company-", 3);
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), ElementsAre("company-arm", "company-nvidia", "company-openai"));
  EXPECT_EQ(page->next_page_token(), "");
}

TEST_F(ReadTest, ListStreamsByPrefix) {
  absl::StatusOr<v1::ListStreamsResponse> page = List("company-", 2);
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), ElementsAre("company-arm", "company-nvidia"));
  page = List("company-", 2, page->next_page_token());
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), ElementsAre("company-openai"));
  EXPECT_EQ(page->next_page_token(), "");

  page = List("fund-", 0);  // the default page size
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), ElementsAre("fund-softbank", "fund-vision"));
  page = List("zzz", 0);
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), IsEmpty());
}

TEST_F(ReadTest, ListStreamsDescribesEachStream) {
  absl::StatusOr<v1::ListStreamsResponse> page = List("company-arm", 1);
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->streams_size(), 1);
  const v1::StreamInfo& info = page->streams(0);
  EXPECT_EQ(info.head_revision(), 3u);
  EXPECT_EQ(info.event_count(), 4u);
  EXPECT_EQ(info.first_position(), 1u);
  EXPECT_EQ(info.last_position(), 8u);
}

TEST_F(ReadTest, ListStreamsChecksItsLimits) {
  EXPECT_THAT(List("", static_cast<uint32_t>(limits_.list_streams_page_max) + 1),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("list_streams_page_max")));
  EXPECT_THAT(List("", static_cast<uint32_t>(limits_.list_streams_page_max)), IsOk());
  EXPECT_THAT(List("", 2, std::string(limits_.stream_name_bytes_max + 1, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream_name_bytes_max")));
}

}  // namespace
}  // namespace stakeledger::storage
