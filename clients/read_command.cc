// `ledgerctl read`: one stream (ReadStream) or the whole log (ReadAll).
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "clients/audit_client.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/event_text.h"
#include "clients/exit_code.h"
#include "clients/table.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/support/sync_stream.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_verify.h"

namespace stakeledger::clients {
namespace {

struct ReadOptions {
  std::string stream;
  bool all = false;
  uint64_t from = 0;
  bool from_given = false;  // Set from the --from option's count after parsing.
  bool backwards = false;
  uint64_t count = 0;
  std::string stream_prefix;
  std::vector<std::string> event_types;
  // Check each event's record bytes against the verified signed head.
  bool verify = false;
  std::string trust_dir;
  // --verify: the verified head's size, which the proofs must lead to.
  uint64_t proof_tree_size = 0;
};

v1::ReadStreamRequest MakeStreamRequest(const ReadOptions& options) {
  v1::ReadStreamRequest request;
  request.set_stream(options.stream);
  request.set_from_revision(options.from);
  // Backwards without a starting revision means from the stream's head.
  request.set_from_end(options.backwards && !options.from_given);
  request.set_direction(options.backwards ? v1::BACKWARDS : v1::FORWARDS);
  request.set_count(options.count);
  request.set_include_record(options.verify);
  request.set_include_proof(options.verify);
  request.set_proof_tree_size(options.proof_tree_size);
  return request;
}

v1::ReadAllRequest MakeAllRequest(const ReadOptions& options) {
  v1::ReadAllRequest request;
  // Position 0 is the start forwards and the end backwards, which is what
  // an absent --from means in either direction.
  request.set_from_position(options.from_given ? options.from : 0);
  request.set_direction(options.backwards ? v1::BACKWARDS : v1::FORWARDS);
  request.set_count(options.count);
  request.mutable_filter()->set_stream_prefix(options.stream_prefix);
  for (const std::string& type : options.event_types) {
    request.mutable_filter()->add_event_types(type);
  }
  request.set_include_record(options.verify);
  request.set_include_proof(options.verify);
  request.set_proof_tree_size(options.proof_tree_size);
  return request;
}

// OK when the event shown is the one its record bytes hold: a proof of
// the bytes says nothing about fields the server sent beside them.
absl::Status CheckShownMatchesRecord(const v1::RecordedEvent& event) {
  v1::RecordedEvent stored;
  if (!stored.ParseFromString(event.record())) {
    return absl::DataLossError(
        absl::StrCat("the record bytes of position ", event.position(), " do not decode"));
  }
  v1::RecordedEvent shown = event;
  shown.clear_leaf_hash();
  shown.clear_record();
  shown.clear_inclusion_proof();
  if (!google::protobuf::util::MessageDifferencer::Equals(shown, stored)) {
    return absl::DataLossError(absl::StrCat("the event served at position ", event.position(),
                                            " is not the one its record bytes hold"));
  }
  return absl::OkStatus();
}

// Checks the proof that came with `event` against `head`, hashing the
// record bytes here.
absl::Status CheckAttachedProof(const v1::RecordedEvent& event, const TrustedHead& head) {
  const std::vector<std::string> hashes(event.inclusion_proof().begin(),
                                        event.inclusion_proof().end());
  absl::Status status =
      verify::VerifyInclusion(event.position() - 1, head.tree_size,
                              verify::HashLeaf(event.record()), hashes, head.root_hash);
  if (status.ok()) return status;
  return absl::DataLossError(absl::StrCat("record at position ", event.position(),
                                          " is not in the signed tree head ", DescribeHead(head),
                                          ": ", status.message()));
}

// Checks every event's record bytes against `head` (verified before the
// read) with the proofs the read carried; events appended after it are
// checked against a newer verified head with proofs fetched one by one.
int VerifyEvents(const std::vector<v1::RecordedEvent>& events, const TrustedHead& head,
                 AuditClient& audit, Connection* connection) {
  std::optional<TrustedHead> newer;  // fetched once an event lies beyond `head`
  for (const v1::RecordedEvent& event : events) {
    const bool attached = event.position() > 0 && event.position() <= head.tree_size;
    if (!attached && !newer.has_value()) {
      absl::StatusOr<TrustedHead> fetched = audit.FetchVerifiedHead(std::cerr);
      if (!fetched.ok()) return ReportAuditFailure(*connection, fetched.status());
      newer = *std::move(fetched);
    }
    absl::Status included = CheckShownMatchesRecord(event);
    if (included.ok()) {
      included = attached ? CheckAttachedProof(event, head)
                          : audit.CheckInclusion(*newer, event.position(), event.record());
    }
    if (!included.ok()) return ReportAuditFailure(*connection, included);
  }
  std::cerr << "verified " << events.size() << " events against tree head "
            << DescribeHead(newer.value_or(head)) << std::endl;
  return kExitOk;
}

// Prints every event the reader delivers, then finishes the call. Keeps
// the events in `kept` when it is not null.
int PrintEvents(grpc::ClientReader<v1::ReadResponse>& reader, const Connection& connection,
                bool json, std::vector<v1::RecordedEvent>* kept) {
  TablePrinter table(EventColumns(), &std::cout);
  v1::ReadResponse response;
  int exit_code = kExitOk;
  while (exit_code == kExitOk && reader.Read(&response)) {
    for (v1::RecordedEvent& event : *response.mutable_events()) {
      if (kept != nullptr) {
        kept->push_back(event);
        event.clear_record();  // checked, not printed
        event.clear_inclusion_proof();
      }
      if (json) {
        exit_code = PrintEventJsonLine(event);
        if (exit_code != kExitOk) break;
      } else {
        table.AddRow(EventCells(event));
      }
    }
  }
  table.Flush();
  std::cout.flush();
  const grpc::Status status = reader.Finish();
  if (!status.ok()) return connection.ReportFailure(status);
  if (!json && table.row_count() == 0) std::cout << "(no events)" << std::endl;
  return exit_code;
}

int RunRead(const ReadOptions& options, const GlobalOptions& globals) {
  if (options.all == !options.stream.empty()) {
    return ReportUsageError(absl::InvalidArgumentError("read needs a STREAM or --all"));
  }
  Connection connection(globals);
  ReadOptions planned = options;
  std::optional<AuditClient> audit;
  TrustedHead head;
  if (options.verify) {
    const std::string trust_path = TrustPathFor(options.trust_dir, globals.server);
    if (trust_path.empty()) {
      return ReportUsageError(absl::InvalidArgumentError(
          "no trust directory: set --trust-dir, XDG_CONFIG_HOME or HOME"));
    }
    audit.emplace(&connection, trust_path);
    absl::StatusOr<TrustedHead> verified = audit->FetchVerifiedHead(std::cerr);
    if (!verified.ok()) return ReportAuditFailure(connection, verified.status());
    head = *std::move(verified);
    planned.proof_tree_size = head.tree_size;
  }
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::ReadResponse>> reader =
      options.all ? connection.stub().ReadAll(&context, MakeAllRequest(planned))
                  : connection.stub().ReadStream(&context, MakeStreamRequest(planned));
  std::vector<v1::RecordedEvent> kept;
  const int printed =
      PrintEvents(*reader, connection, globals.json, options.verify ? &kept : nullptr);
  if (printed != kExitOk || !options.verify) return printed;
  return VerifyEvents(kept, head, *audit, &connection);
}

}  // namespace

Command AddReadCommand(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<ReadOptions>();
  CLI::App* app = main_app.add_subcommand("read", "Read events of one stream or of the log");
  CLI::Option* stream = app->add_option("stream", options->stream, "Stream to read");
  CLI::Option* all = app->add_flag("--all", options->all, "Read the whole log");
  all->excludes(stream);
  CLI::Option* from = app->add_option("--from", options->from,
                                      "First revision (STREAM) or position (--all) to return")
                          ->check(UnsignedValidator<uint64_t>());
  app->add_flag("--backwards", options->backwards,
                "Newest first; without --from, start at the end");
  app->add_option("--count", options->count, "At most this many events (0: no limit)")
      ->check(UnsignedValidator<uint64_t>());
  app->add_option("--stream-prefix", options->stream_prefix,
                  "Only streams starting with this (--all only)")
      ->needs(all);
  app->add_option("--type", options->event_types, "Only events of this type (repeatable, --all)")
      ->needs(all);
  app->add_flag("--verify", options->verify,
                "Check each event's record bytes against the signed tree head (see verify)");
  app->add_option("--trust-dir", options->trust_dir,
                  "Where the pinned key and trusted head live (with --verify)");
  return {app, [options, from, &globals] {
            options->from_given = from->count() > 0;
            return RunRead(*options, globals);
          }};
}

}  // namespace stakeledger::clients
