// Helpers shared by the storage unit tests: a temporary directory, status
// matchers, builders for append requests, and an EventLog fixture.
#ifndef STAKELEDGER_STORAGE_TEST_UTIL_H_
#define STAKELEDGER_STORAGE_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/db.h"
#include "storage/event_log.h"
#include "storage/keys.h"
#include "storage/limits.h"

namespace stakeledger::storage::testing {

// A fresh directory under ::testing::TempDir(), removed with everything in
// it when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A fixture with a Database open in a temporary directory of its own.
class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override;

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

inline const absl::Status& ToStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& ToStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// Matches an absl::Status or absl::StatusOr<T> with the given code and,
// optionally, a message matching `message_matcher`.
MATCHER_P(StatusIs, code, "") {
  const absl::Status& status = ToStatus(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.code() == code;
}
MATCHER_P2(StatusIs, code, message_matcher, "") {
  const absl::Status& status = ToStatus(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}
MATCHER(IsOk, "") {
  const absl::Status& status = ToStatus(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.ok();
}

// Fixed, valid UUID texts for client-chosen ids: Uuid(1), Uuid(2), ...
std::string Uuid(uint32_t n);

v1::ProposedEvent Event(std::string type, std::string payload = "{}", std::string id = "");
// `count` events of type "test.happened" with payloads "0", "1", ...
std::vector<v1::ProposedEvent> Events(size_t count);

v1::ExpectedRevision Any();
v1::ExpectedRevision NoStream();
v1::ExpectedRevision StreamExists();
v1::ExpectedRevision Exact(uint64_t revision);

v1::AppendRequest Request(std::string stream, std::vector<v1::ProposedEvent> events,
                          v1::ExpectedRevision expected = Any());

std::vector<uint64_t> PositionsOf(const EventList& events);
std::vector<uint64_t> PositionsOf(const std::vector<v1::RecordedEvent>& events);
// 1, 2, ..., count.
std::vector<uint64_t> Iota(uint64_t first, uint64_t count);
int64_t Micros(const google::protobuf::Timestamp& timestamp);

// A log opened on a fresh directory with `limits_` (set them in the
// derived fixture's constructor or call Reopen after changing them).
class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open();
  // Closes the log and opens it again on the same directory.
  void Reopen();

  absl::StatusOr<v1::AppendResponse> Append(const std::string& stream,
                                            std::vector<v1::ProposedEvent> events,
                                            v1::ExpectedRevision expected = Any());
  // Appends and records a test failure unless it succeeds.
  v1::AppendResponse AppendOk(const std::string& stream, std::vector<v1::ProposedEvent> events,
                              v1::ExpectedRevision expected = Any());
  v1::AppendResponse AppendOk(const std::string& stream, size_t count) {
    return AppendOk(stream, Events(count));
  }

  // Every event of the log, read a few at a time to exercise chunking.
  std::vector<v1::RecordedEvent> ReadAll(bool backwards = false, const v1::Filter& filter = {},
                                         bool include_record = false);
  // Every event of `stream` in the given direction.
  std::vector<v1::RecordedEvent> ReadStream(const std::string& stream, bool backwards = false);
  // The stream's head; a test failure and a zero head when it is missing.
  StreamHead Head(const std::string& stream);

  // Expects that the log holds exactly what it held when `before` was taken.
  struct Snapshot {
    uint64_t head_position = 0;
    std::vector<v1::RecordedEvent> events;
  };
  Snapshot TakeSnapshot() { return Snapshot{log_->head_position(), ReadAll()}; }
  void ExpectUnchanged(const Snapshot& before);

  Limits limits_;
  TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

void ExpectSameHead(const StreamHead& actual, const StreamHead& expected);

}  // namespace stakeledger::storage::testing

#endif  // STAKELEDGER_STORAGE_TEST_UTIL_H_
