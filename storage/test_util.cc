#include "storage/test_util.h"

#include <stdlib.h>

#include <filesystem>
#include <limits>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "storage/reader.h"

namespace stakeledger::storage::testing {

void DatabaseTest::SetUp() {
  auto db = Database::Open(dir_.path());
  ASSERT_TRUE(db.ok()) << db.status();
  db_ = *std::move(db);
}

TempDir::TempDir() {
  std::string pattern = ::testing::TempDir();
  if (pattern.empty() || pattern.back() != '/') pattern.push_back('/');
  pattern += "storage_test_XXXXXX";
  // mkdtemp fills in the X's in place.
  const char* made = mkdtemp(pattern.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
    return;
  }
  path_ = made;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string Uuid(uint32_t n) {
  return absl::StrFormat("%08x-0000-4000-8000-%012x", n, static_cast<uint64_t>(n) * 7919);
}

v1::ProposedEvent Event(std::string type, std::string payload, std::string id) {
  v1::ProposedEvent event;
  event.set_event_type(std::move(type));
  event.set_payload(std::move(payload));
  event.set_event_id(std::move(id));
  return event;
}

std::vector<v1::ProposedEvent> Events(size_t count) {
  std::vector<v1::ProposedEvent> events;
  events.reserve(count);
  for (size_t i = 0; i < count; ++i) events.push_back(Event("test.happened", absl::StrCat(i)));
  return events;
}

namespace {

v1::ExpectedRevision Expected(v1::ExpectedRevision::Kind kind, uint64_t revision = 0) {
  v1::ExpectedRevision expected;
  expected.set_kind(kind);
  expected.set_revision(revision);
  return expected;
}

}  // namespace

v1::ExpectedRevision Any() { return Expected(v1::ExpectedRevision::ANY); }
v1::ExpectedRevision NoStream() { return Expected(v1::ExpectedRevision::NO_STREAM); }
v1::ExpectedRevision StreamExists() { return Expected(v1::ExpectedRevision::STREAM_EXISTS); }
v1::ExpectedRevision Exact(uint64_t revision) {
  return Expected(v1::ExpectedRevision::EXACT, revision);
}

v1::AppendRequest Request(std::string stream, std::vector<v1::ProposedEvent> events,
                          v1::ExpectedRevision expected) {
  v1::AppendRequest request;
  request.set_stream(std::move(stream));
  *request.mutable_expected_revision() = std::move(expected);
  for (v1::ProposedEvent& event : events) *request.add_events() = std::move(event);
  return request;
}

std::vector<uint64_t> PositionsOf(const EventList& events) {
  std::vector<uint64_t> positions;
  for (const v1::RecordedEvent& event : events) positions.push_back(event.position());
  return positions;
}

std::vector<uint64_t> PositionsOf(const std::vector<v1::RecordedEvent>& events) {
  std::vector<uint64_t> positions;
  for (const v1::RecordedEvent& event : events) positions.push_back(event.position());
  return positions;
}

std::vector<uint64_t> Iota(uint64_t first, uint64_t count) {
  std::vector<uint64_t> values;
  for (uint64_t i = 0; i < count; ++i) values.push_back(first + i);
  return values;
}

int64_t Micros(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() * 1'000'000 + timestamp.nanos() / 1000;
}

void EventLogTest::Open() {
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(dir_.path(), limits_);
  ASSERT_THAT(log, IsOk());
  log_ = *std::move(log);
}

void EventLogTest::Reopen() {
  log_.reset();
  Open();
}

absl::StatusOr<v1::AppendResponse> EventLogTest::Append(const std::string& stream,
                                                        std::vector<v1::ProposedEvent> events,
                                                        v1::ExpectedRevision expected) {
  return log_->AppendAndWait(Request(stream, std::move(events), std::move(expected)));
}

v1::AppendResponse EventLogTest::AppendOk(const std::string& stream,
                                          std::vector<v1::ProposedEvent> events,
                                          v1::ExpectedRevision expected) {
  absl::StatusOr<v1::AppendResponse> response =
      Append(stream, std::move(events), std::move(expected));
  EXPECT_THAT(response, IsOk());
  return response.ok() ? *response : v1::AppendResponse();
}

std::vector<v1::RecordedEvent> EventLogTest::ReadAll(bool backwards, const v1::Filter& filter,
                                                     bool include_record) {
  absl::StatusOr<EventFilter> parsed = EventFilter::FromProto(filter, limits_);
  EXPECT_THAT(parsed, IsOk());
  if (!parsed.ok()) return {};
  ChunkBounds bounds;
  bounds.events_max = 7;
  std::vector<v1::RecordedEvent> events;
  uint64_t from = backwards ? std::numeric_limits<uint64_t>::max() : 1;
  // Each chunk scans at least one event, so the head bounds the chunks.
  for (uint64_t chunk = 0; chunk <= log_->head_position() + 1; ++chunk) {
    EventList out;
    absl::StatusOr<ScanResult> scan =
        log_->ReadAllChunk(from, backwards, *parsed, include_record, bounds, &out);
    EXPECT_THAT(scan, IsOk());
    if (!scan.ok()) break;
    for (v1::RecordedEvent& event : out) events.push_back(std::move(event));
    if (scan->reached_end) break;
    if (backwards && scan->last_scanned <= 1) break;
    from = backwards ? scan->last_scanned - 1 : scan->last_scanned + 1;
  }
  return events;
}

std::vector<v1::RecordedEvent> EventLogTest::ReadStream(const std::string& stream, bool backwards) {
  absl::StatusOr<StreamHead> head = log_->GetStreamHead(stream);
  EXPECT_THAT(head, IsOk());
  if (!head.ok()) return {};
  ChunkBounds bounds;
  bounds.events_max = 3;
  std::vector<v1::RecordedEvent> events;
  uint64_t from = backwards ? std::numeric_limits<uint64_t>::max() : 0;
  for (uint64_t chunk = 0; chunk <= head->last_revision + 1; ++chunk) {
    EventList out;
    absl::StatusOr<ScanResult> scan = log_->ReadStreamChunk(head->stream_id, from, backwards,
                                                            /*include_record=*/false, bounds, &out);
    EXPECT_THAT(scan, IsOk());
    if (!scan.ok()) break;
    for (v1::RecordedEvent& event : out) events.push_back(std::move(event));
    if (scan->reached_end) break;
    if (backwards && scan->last_scanned == 0) break;
    from = backwards ? scan->last_scanned - 1 : scan->last_scanned + 1;
  }
  return events;
}

StreamHead EventLogTest::Head(const std::string& stream) {
  absl::StatusOr<StreamHead> head = log_->GetStreamHead(stream);
  EXPECT_THAT(head, IsOk()) << "stream " << stream;
  return head.ok() ? *head : StreamHead();
}

void EventLogTest::ExpectUnchanged(const Snapshot& before) {
  EXPECT_EQ(log_->head_position(), before.head_position);
  const std::vector<v1::RecordedEvent> events = ReadAll();
  ASSERT_EQ(events.size(), before.events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(events[i], before.events[i]))
        << events[i].DebugString() << " vs " << before.events[i].DebugString() << " at index " << i;
  }
}

void ExpectSameHead(const StreamHead& actual, const StreamHead& expected) {
  EXPECT_EQ(actual.stream_id, expected.stream_id);
  EXPECT_EQ(actual.last_revision, expected.last_revision);
  EXPECT_EQ(actual.first_position, expected.first_position);
  EXPECT_EQ(actual.last_position, expected.last_position);
}

}  // namespace stakeledger::storage::testing
