// Helpers shared by the integration tests: building requests, calling the
// EventStore stub with a deadline, draining streaming replies, and asserting
// status codes by name.
#ifndef STAKELEDGER_TESTS_LEDGER_TEST_UTIL_H_
#define STAKELEDGER_TESTS_LEDGER_TEST_UTIL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/event_store.grpc.pb.h"

namespace stakeledger::tests {

// Deadline of every unary call and finite read: no test waits forever.
inline constexpr absl::Duration kRpcTimeout = absl::Seconds(30);
// Deadline of a subscription; tests cancel theirs long before.
inline constexpr absl::Duration kSubscribeTimeout = absl::Seconds(60);

void SetDeadline(grpc::ClientContext* context, absl::Duration timeout = kRpcTimeout);

// "FAILED_PRECONDITION" for grpc::StatusCode::FAILED_PRECONDITION.
std::string StatusCodeName(grpc::StatusCode code);
// Succeeds when `status` has `code`; a failure shows both code names and
// the status message.
::testing::AssertionResult HasCode(const grpc::Status& status, grpc::StatusCode code);
// Succeeds when the messages are equal (maps compared as maps); a failure
// lists the differences.
::testing::AssertionResult SameMessage(const google::protobuf::Message& expected,
                                       const google::protobuf::Message& actual);

// Canonical lower-case 8-4-4-4-12 UUID text built from two numbers:
// different pairs give different ids, and the same pair the same id.
std::string TestUuid(uint64_t high, uint64_t low);

v1::ExpectedRevision AnyRevision();
v1::ExpectedRevision NoStream();
v1::ExpectedRevision StreamExists();
v1::ExpectedRevision ExactRevision(uint64_t revision);

v1::ProposedEvent MakeEvent(absl::string_view type, absl::string_view payload,
                            absl::string_view event_id = "");
v1::AppendRequest MakeAppend(absl::string_view stream, std::vector<v1::ProposedEvent> events,
                             const v1::ExpectedRevision& expected = AnyRevision());

// Unary calls with kRpcTimeout. `response` may be null.
grpc::Status Append(v1::EventStore::Stub& stub, const v1::AppendRequest& request,
                    v1::AppendResponse* response = nullptr);
grpc::Status GetLogInfo(v1::EventStore::Stub& stub, v1::LogInfo* info);
grpc::Status GetStream(v1::EventStore::Stub& stub, absl::string_view stream, v1::StreamInfo* info);
grpc::Status ListStreams(v1::EventStore::Stub& stub, const v1::ListStreamsRequest& request,
                         v1::ListStreamsResponse* response);

// A finite read drained to its end.
struct ReadResult {
  grpc::Status status;
  std::vector<v1::RecordedEvent> events;
  // Response messages the events came in.
  size_t messages = 0;

  std::vector<uint64_t> positions() const;
  std::vector<uint64_t> revisions() const;
};
ReadResult ReadAll(v1::EventStore::Stub& stub, const v1::ReadAllRequest& request);
ReadResult ReadStream(v1::EventStore::Stub& stub, const v1::ReadStreamRequest& request);
// The whole log, forwards.
ReadResult ReadWholeLog(v1::EventStore::Stub& stub, bool include_record = false);

// One Subscribe call, read by one thread at a time. Cancel() may be called
// from any thread.
class SubscriptionReader {
 public:
  SubscriptionReader(v1::EventStore::Stub& stub, const v1::SubscribeRequest& request,
                     absl::Duration timeout = kSubscribeTimeout);
  // Cancels the call if it is still open and waits for it to end.
  ~SubscriptionReader();
  SubscriptionReader(const SubscriptionReader&) = delete;
  SubscriptionReader& operator=(const SubscriptionReader&) = delete;

  // The next message; false once the call has ended (then see Finish()).
  bool Read(v1::SubscribeResponse* response);
  // The call's status. REQUIRES: Read() returned false. Idempotent.
  grpc::Status Finish();
  // Asks the call to end; Read() then returns false soon. Thread-safe.
  void Cancel() { context_.TryCancel(); }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  std::optional<grpc::Status> status_;
};

// A checkpoint as a subscriber saw it.
struct CheckpointSeen {
  uint64_t position = 0;
  // Events received up to and including the message that carried it.
  size_t events_received = 0;
};

// What a subscription delivered so far.
struct Received {
  std::vector<v1::RecordedEvent> events;
  std::vector<CheckpointSeen> checkpoints;
  size_t messages = 0;
  bool caught_up = false;
  // Events received up to and including the message that said caught_up.
  size_t events_before_caught_up = 0;

  std::vector<uint64_t> positions() const;
};

// Reads into `received` until `done(*received)` holds (checked after every
// message). Returns false when the call ended first.
bool ReadUntil(SubscriptionReader& reader, Received* received,
               const std::function<bool(const Received&)>& done);

// first, first + 1, ..., last (empty when last < first).
std::vector<uint64_t> Iota(uint64_t first, uint64_t last);
// Succeeds when `positions` is exactly first, first + 1, ..., last; a
// failure names the first gap, duplicate or reordering.
::testing::AssertionResult IsRange(const std::vector<uint64_t>& positions, uint64_t first,
                                   uint64_t last);

}  // namespace stakeledger::tests

#endif  // STAKELEDGER_TESTS_LEDGER_TEST_UTIL_H_
