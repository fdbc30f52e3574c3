#include "tests/ledger_test_util.h"

#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"

namespace stakeledger::tests {

void SetDeadline(grpc::ClientContext* context, absl::Duration timeout) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("code ", static_cast<int>(code));
  }
}

::testing::AssertionResult HasCode(const grpc::Status& status, grpc::StatusCode code) {
  if (status.error_code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << StatusCodeName(code) << ", got " << StatusCodeName(status.error_code())
         << ": \"" << status.error_message() << "\"";
}

::testing::AssertionResult SameMessage(const google::protobuf::Message& expected,
                                       const google::protobuf::Message& actual) {
  std::string differences;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&differences);
  if (differencer.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "messages differ:\n" << differences;
}

std::string TestUuid(uint64_t high, uint64_t low) {
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

v1::ExpectedRevision AnyRevision() {
  v1::ExpectedRevision expected;
  expected.set_kind(v1::ExpectedRevision::ANY);
  return expected;
}

v1::ExpectedRevision NoStream() {
  v1::ExpectedRevision expected;
  expected.set_kind(v1::ExpectedRevision::NO_STREAM);
  return expected;
}

v1::ExpectedRevision StreamExists() {
  v1::ExpectedRevision expected;
  expected.set_kind(v1::ExpectedRevision::STREAM_EXISTS);
  return expected;
}

v1::ExpectedRevision ExactRevision(uint64_t revision) {
  v1::ExpectedRevision expected;
  expected.set_kind(v1::ExpectedRevision::EXACT);
  expected.set_revision(revision);
  return expected;
}

v1::ProposedEvent MakeEvent(absl::string_view type, absl::string_view payload,
                            absl::string_view event_id) {
  v1::ProposedEvent event;
  event.set_event_type(std::string(type));
  event.set_payload(std::string(payload));
  event.set_event_id(std::string(event_id));
  return event;
}

v1::AppendRequest MakeAppend(absl::string_view stream, std::vector<v1::ProposedEvent> events,
                             const v1::ExpectedRevision& expected) {
  v1::AppendRequest request;
  request.set_stream(std::string(stream));
  *request.mutable_expected_revision() = expected;
  for (v1::ProposedEvent& event : events) *request.add_events() = std::move(event);
  return request;
}

grpc::Status Append(v1::EventStore::Stub& stub, const v1::AppendRequest& request,
                    v1::AppendResponse* response) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::AppendResponse ignored;
  return stub.Append(&context, request, response != nullptr ? response : &ignored);
}

grpc::Status GetLogInfo(v1::EventStore::Stub& stub, v1::LogInfo* info) {
  grpc::ClientContext context;
  SetDeadline(&context);
  return stub.GetLogInfo(&context, v1::GetLogInfoRequest(), info);
}

grpc::Status GetStream(v1::EventStore::Stub& stub, absl::string_view stream, v1::StreamInfo* info) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::GetStreamRequest request;
  request.set_stream(std::string(stream));
  return stub.GetStream(&context, request, info);
}

grpc::Status ListStreams(v1::EventStore::Stub& stub, const v1::ListStreamsRequest& request,
                         v1::ListStreamsResponse* response) {
  grpc::ClientContext context;
  SetDeadline(&context);
  return stub.ListStreams(&context, request, response);
}

namespace {

template <typename Request>
ReadResult Drain(v1::EventStore::Stub& stub, const Request& request,
                 std::unique_ptr<grpc::ClientReader<v1::ReadResponse>> (
                     v1::EventStore::Stub::*call)(grpc::ClientContext*, const Request&)) {
  grpc::ClientContext context;
  SetDeadline(&context);
  std::unique_ptr<grpc::ClientReader<v1::ReadResponse>> reader = (stub.*call)(&context, request);
  ReadResult result;
  v1::ReadResponse response;
  while (reader->Read(&response)) {
    ++result.messages;
    for (v1::RecordedEvent& event : *response.mutable_events()) {
      result.events.push_back(std::move(event));
    }
  }
  result.status = reader->Finish();
  return result;
}

}  // namespace

std::vector<uint64_t> ReadResult::positions() const {
  std::vector<uint64_t> out;
  for (const v1::RecordedEvent& event : events) out.push_back(event.position());
  return out;
}

std::vector<uint64_t> ReadResult::revisions() const {
  std::vector<uint64_t> out;
  for (const v1::RecordedEvent& event : events) out.push_back(event.revision());
  return out;
}

ReadResult ReadAll(v1::EventStore::Stub& stub, const v1::ReadAllRequest& request) {
  return Drain(stub, request, &v1::EventStore::Stub::ReadAll);
}

ReadResult ReadStream(v1::EventStore::Stub& stub, const v1::ReadStreamRequest& request) {
  return Drain(stub, request, &v1::EventStore::Stub::ReadStream);
}

ReadResult ReadWholeLog(v1::EventStore::Stub& stub, bool include_record) {
  v1::ReadAllRequest request;
  request.set_include_record(include_record);
  return ReadAll(stub, request);
}

SubscriptionReader::SubscriptionReader(v1::EventStore::Stub& stub,
                                       const v1::SubscribeRequest& request,
                                       absl::Duration timeout) {
  SetDeadline(&context_, timeout);
  reader_ = stub.Subscribe(&context_, request);
}

SubscriptionReader::~SubscriptionReader() {
  if (status_.has_value()) return;
  context_.TryCancel();
  v1::SubscribeResponse ignored;
  while (reader_->Read(&ignored)) {
  }
  Finish();
}

bool SubscriptionReader::Read(v1::SubscribeResponse* response) {
  return !status_.has_value() && reader_->Read(response);
}

grpc::Status SubscriptionReader::Finish() {
  if (!status_.has_value()) status_ = reader_->Finish();
  return *status_;
}

std::vector<uint64_t> Received::positions() const {
  std::vector<uint64_t> out;
  for (const v1::RecordedEvent& event : events) out.push_back(event.position());
  return out;
}

bool ReadUntil(SubscriptionReader& reader, Received* received,
               const std::function<bool(const Received&)>& done) {
  v1::SubscribeResponse response;
  while (!done(*received)) {
    if (!reader.Read(&response)) return false;
    ++received->messages;
    for (v1::RecordedEvent& event : *response.mutable_events()) {
      received->events.push_back(std::move(event));
    }
    if (response.has_checkpoint()) {
      received->checkpoints.push_back({response.checkpoint().position(), received->events.size()});
    }
    if (response.caught_up() && !received->caught_up) {
      received->caught_up = true;
      received->events_before_caught_up = received->events.size();
    }
  }
  return true;
}

std::vector<uint64_t> Iota(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out(last >= first ? last - first + 1 : 0);
  std::iota(out.begin(), out.end(), first);
  return out;
}

::testing::AssertionResult IsRange(const std::vector<uint64_t>& positions, uint64_t first,
                                   uint64_t last) {
  const uint64_t expected_count = last >= first ? last - first + 1 : 0;
  for (size_t i = 0; i < positions.size() && i < expected_count; ++i) {
    if (positions[i] != first + i) {
      return ::testing::AssertionFailure()
             << "at index " << i << " expected position " << first + i << ", got " << positions[i]
             << (i > 0 ? absl::StrCat(" after ", positions[i - 1]) : "") << " (" << positions.size()
             << " positions, " << expected_count << " expected)";
    }
  }
  if (positions.size() != expected_count) {
    return ::testing::AssertionFailure()
           << positions.size() << " positions where " << expected_count << " (" << first << ".."
           << last << ") were expected";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace stakeledger::tests
