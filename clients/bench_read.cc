#include "clients/bench_read.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/bench_common.h"
#include "clients/status_text.h"
#include "stakeledger/v1/event_store.grpc.pb.h"

namespace stakeledger::bench {

namespace {

using v1::EventStore;

void CountEvents(const google::protobuf::RepeatedPtrField<v1::RecordedEvent>& events,
                 ReadReport* report) {
  for (const v1::RecordedEvent& event : events) {
    if (report->events == 0) {
      report->first_position = event.position();
    } else if (event.position() <= report->last_position) {
      ++report->order_violations;
    }
    report->last_position = event.position();
    ++report->events;
  }
}

// Reads messages until `done` says so or the stream ends, then cancels the
// call if it is still open. Returns the call's status; CANCELLED after our
// own stop is success.
template <typename Response, typename Done>
absl::Status Drain(grpc::ClientContext* context, grpc::ClientReader<Response>* reader, Done done,
                   ReadReport* report) {
  // Reused across reads so protobuf keeps the allocated events.
  Response response;
  bool stopped_by_us = false;
  const Clock::time_point start = Clock::now();
  // Bounded by the call deadline and by the server ending the stream.
  while (reader->Read(&response)) {
    ++report->messages;
    report->bytes += response.ByteSizeLong();
    CountEvents(response.events(), report);
    if (done(response)) {
      stopped_by_us = true;
      break;
    }
  }
  report->seconds = ToSeconds(Clock::now() - start);
  if (stopped_by_us) context->TryCancel();
  const grpc::Status status = reader->Finish();
  if (status.ok() || (stopped_by_us && status.error_code() == grpc::StatusCode::CANCELLED)) {
    return absl::OkStatus();
  }
  return clients::FromGrpcStatus(status);
}

absl::StatusOr<std::unique_ptr<EventStore::Stub>> Connect(const std::string& server) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ConnectChannel(server, 0);
  if (!channel.ok()) return channel.status();
  return EventStore::NewStub(*std::move(channel));
}

void SetDeadline(absl::Duration timeout, grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
}

}  // namespace

absl::StatusOr<ReadReport> RunCatchup(const ReadOptions& options) {
  absl::StatusOr<std::unique_ptr<EventStore::Stub>> stub = Connect(options.server);
  if (!stub.ok()) return stub.status();
  v1::SubscribeRequest request;
  request.set_from_position(options.from_position);
  request.set_checkpoint_interval_events(options.checkpoint_interval_events);
  request.set_include_record(options.include_record);
  grpc::ClientContext context;
  SetDeadline(options.timeout, &context);
  ReadReport report;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      (*stub)->Subscribe(&context, request);
  const absl::Status status = Drain(
      &context, reader.get(),
      [&](const v1::SubscribeResponse& response) {
        if (response.caught_up()) report.caught_up = true;
        return report.caught_up || (options.count > 0 && report.events >= options.count);
      },
      &report);
  if (!status.ok()) return status;
  return report;
}

absl::StatusOr<ReadReport> RunReadAll(const ReadOptions& options) {
  absl::StatusOr<std::unique_ptr<EventStore::Stub>> stub = Connect(options.server);
  if (!stub.ok()) return stub.status();
  v1::ReadAllRequest request;
  request.set_from_position(options.from_position);
  request.set_direction(v1::FORWARDS);
  request.set_count(options.count);
  request.set_include_record(options.include_record);
  grpc::ClientContext context;
  SetDeadline(options.timeout, &context);
  ReadReport report;
  std::unique_ptr<grpc::ClientReader<v1::ReadResponse>> reader =
      (*stub)->ReadAll(&context, request);
  // The server ends the stream after `count` events; checking here as well
  // keeps the bench bounded if it does not.
  const absl::Status status = Drain(
      &context, reader.get(),
      [&](const v1::ReadResponse&) { return options.count > 0 && report.events >= options.count; },
      &report);
  if (!status.ok()) return status;
  return report;
}

std::string FormatReadReport(const std::string& mode, const ReadOptions& options,
                             const ReadReport& report, bool json) {
  const double events_per_s = report.seconds > 0 ? report.events / report.seconds : 0;
  const double mb_per_s = report.seconds > 0 ? report.bytes / report.seconds / 1e6 : 0;
  if (json) {
    return absl::StrFormat(
        "{\"mode\":\"%s\",\"from\":%d,\"count\":%d,\"include_record\":%s,\"events\":%d,"
        "\"messages\":%d,\"bytes\":%d,\"seconds\":%.3f,\"events_per_s\":%.0f,"
        "\"mb_per_s\":%.1f,\"first_position\":%d,\"last_position\":%d,"
        "\"order_violations\":%d,\"caught_up\":%s}\n",
        mode, options.from_position, options.count, options.include_record ? "true" : "false",
        report.events, report.messages, report.bytes, report.seconds, events_per_s, mb_per_s,
        report.first_position, report.last_position, report.order_violations,
        report.caught_up ? "true" : "false");
  }
  std::string text = absl::StrFormat(
      "%s: from position %d, %s%s\nevents      %d\nmessages    %d\nseconds     %.3f\n"
      "events/s    %.0f\nMB/s        %.1f (%d bytes of messages)\npositions   %d..%d\n",
      mode, options.from_position,
      options.count > 0 ? absl::StrCat("at most ", options.count, " events")
                        : std::string("to the end"),
      options.include_record ? ", with records" : "", report.events, report.messages,
      report.seconds, events_per_s, mb_per_s, report.bytes, report.first_position,
      report.last_position);
  if (mode == "catchup") {
    absl::StrAppend(&text, "caught_up   ", report.caught_up ? "yes" : "no", "\n");
  }
  if (report.order_violations > 0) {
    absl::StrAppend(&text, "WARNING     ", report.order_violations,
                    " events out of position order\n");
  }
  return text;
}

}  // namespace stakeledger::bench
