// `ledgerctl audit`: the whole ownership state at a date, computed at a
// verified signed tree head, every line checked against its records and
// proofs before it is written (table, Markdown or the JSON report); and
// `ledgerctl verify-report`, which checks a JSON report offline
// (audit_report.h, docs/architecture.md "Verifiable audit").
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/audit_client.h"
#include "clients/audit_report.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/exit_code.h"
#include "domain/date.h"
#include "google/protobuf/util/json_util.h"
#include "stakeledger/v1/projections.grpc.pb.h"
#include "verify/merkle_hash.h"

namespace stakeledger::clients {
namespace {

// Pairs asked for per ListStakes page, and the most pages one report reads.
constexpr uint32_t kAuditPageSize = 200;
constexpr int kAuditPagesMax = 1'000'000;

struct AuditOptions {
  std::string as_of;
  std::string known_at;
  std::string format = "table";
  std::string output;
  std::string trust_dir;
};

struct VerifyReportOptions {
  std::string file;
  std::string trust_dir;
  std::string public_key_hex;
  // Set: also check the report's head against this server's current head.
  std::string server;
};

v1::SignedTreeHead ToProto(const TrustedHead& head) {
  v1::SignedTreeHead out;
  out.set_tree_size(head.tree_size);
  out.set_root_hash(head.root_hash);
  out.set_timestamp_us(head.timestamp_us);
  out.set_signature(head.signature);
  return out;
}

std::string DayText(int day) {
  return absl::StrFormat("%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
}

// Reads every page of the state at the head into `report`, checking each
// line's proofs against the head. Returns an exit code.
int CollectLines(Connection& connection, const AuditOptions& options, const TrustedHead& head,
                 v1::AuditReport* report) {
  auto stub = v1::Projections::NewStub(connection.channel());
  v1::ListStakesRequest request;
  request.set_as_of(options.as_of);
  request.set_known_at(options.known_at);
  request.set_include_proof(true);
  request.set_proof_tree_size(head.tree_size);
  request.set_page_size(kAuditPageSize);
  for (int page = 0; page < kAuditPagesMax; ++page) {
    v1::ListStakesResponse response;
    const grpc::Status status =
        stub->ListStakes(connection.NewUnaryContext().get(), request, &response);
    if (!status.ok()) return connection.ReportFailure(status);
    if (page == 0) report->set_known_at_position(response.known_at_position());
    for (const v1::StakeResponse& stake : response.stakes()) {
      v1::StakeResponse checked = stake;
      *checked.mutable_tree_head() = response.tree_head();
      absl::Status verified = VerifyStakeAnswer(checked, head);
      if (verified.ok() && stake.known_at_position() != report->known_at_position()) {
        verified = absl::DataLossError("the pages are known at different positions");
      }
      if (!verified.ok()) return ReportAuditFailure(connection, verified);
      absl::StatusOr<v1::AuditLine> line = MakeAuditLine(stake);
      if (!line.ok()) return ReportAuditFailure(connection, line.status());
      *report->add_lines() = *std::move(line);
    }
    if (response.next_page_token().empty()) return kExitOk;
    if (response.next_page_token() <= request.page_token()) {
      return ReportAuditFailure(connection,
                                absl::DataLossError("the server's pages do not move forward"));
    }
    request.set_page_token(response.next_page_token());
  }
  return ReportUsageError(absl::ResourceExhaustedError("more pages than an audit report reads"));
}

absl::StatusOr<std::string> ReportJson(const v1::AuditReport& report) {
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  print.always_print_primitive_fields = true;
  print.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(report, &json, print);
  if (!status.ok()) return absl::InternalError(status.message().ToString());
  return json;
}

int WriteReport(const v1::AuditReport& report, const AuditOptions& options) {
  std::ostringstream text;
  if (options.format == "json") {
    absl::StatusOr<std::string> json = ReportJson(report);
    if (!json.ok()) return ReportUsageError(json.status());
    text << *json;
  } else if (options.format == "markdown") {
    PrintReportMarkdown(report, text);
  } else {
    PrintReportTable(report, text);
  }
  if (options.output.empty()) {
    std::cout << text.str() << std::flush;
    return kExitOk;
  }
  std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
  file << text.str();
  file.close();
  if (!file) {
    return ReportUsageError(absl::UnavailableError(absl::StrCat("cannot write ", options.output)));
  }
  std::cerr << "wrote " << report.lines_size() << " lines to " << options.output << std::endl;
  return kExitOk;
}

int RunAudit(const AuditOptions& options, const GlobalOptions& globals) {
  absl::StatusOr<domain::Date> as_of = domain::ParseDate(options.as_of);
  if (!as_of.ok()) return ReportUsageError(as_of.status());
  const std::string trust_path = TrustPathFor(options.trust_dir, globals.server);
  if (trust_path.empty()) {
    return ReportUsageError(
        absl::InvalidArgumentError("no trust directory: set --trust-dir, XDG_CONFIG_HOME or HOME"));
  }
  Connection connection(globals);
  AuditClient audit(&connection, trust_path);
  absl::StatusOr<TrustedHead> head = audit.FetchVerifiedHead(std::cerr);
  if (!head.ok()) return ReportAuditFailure(connection, head.status());
  uint64_t known_at = 0;
  if (absl::SimpleAtoi(options.known_at, &known_at) && known_at > head->tree_size) {
    return ReportUsageError(absl::OutOfRangeError(
        absl::StrCat("--known-at ", known_at, " is beyond the signed tree head ",
                     DescribeHead(*head), "; a report can only be known at a verified head")));
  }
  v1::AuditReport report;
  report.set_format(kAuditReportFormat);
  report.set_as_of(DayText(as_of->LastDayKey()));
  report.set_server(globals.server);
  report.set_public_key(head->public_key);
  *report.mutable_tree_head() = ToProto(*head);
  if (const int code = CollectLines(connection, options, *head, &report); code != kExitOk) {
    return code;
  }
  return WriteReport(report, options);
}

// The key to check the report with: --public-key, else the pinned one,
// else (saying so) the report's own. Returns an exit code on failure.
int ChooseKey(const VerifyReportOptions& options, const v1::AuditReport& report, std::string* key) {
  if (!options.public_key_hex.empty()) {
    if (!verify::FromHex(options.public_key_hex, key)) {
      return ReportUsageError(absl::InvalidArgumentError("--public-key is not hex"));
    }
  } else {
    const std::string server = options.server.empty() ? report.server() : options.server;
    const std::string path = TrustPathFor(options.trust_dir, server);
    absl::StatusOr<std::optional<TrustedHead>> pinned = std::optional<TrustedHead>();
    if (!path.empty()) pinned = LoadTrustedHead(path);
    if (!pinned.ok()) return ReportUsageError(pinned.status());
    if (!pinned->has_value()) {
      // Exit 0 as before (clients/README.md): the check still proves the
      // report intact, but only a pinned or given key says who signed it.
      std::cerr << "ledgerctl: warning: no signing key is pinned for " << server
                << " and none was given with --public-key: trusting the report's own key "
                << verify::ToHex(report.public_key())
                << " on first use (pin it with `ledgerctl verify`)" << std::endl;
      *key = report.public_key();
      return kExitOk;
    }
    *key = (*pinned)->public_key;
  }
  if (*key != report.public_key()) {
    std::cerr << "ledgerctl: verification failed: the report's public key "
              << verify::ToHex(report.public_key())
              << (options.public_key_hex.empty() ? " is not the pinned key "
                                                 : " does not match the key given with "
                                                   "--public-key ")
              << verify::ToHex(*key) << std::endl;
    return kExitVerifyFailed;
  }
  return kExitOk;
}

// A JSON file that parses but is no report at all (`{}`, another tool's
// output) lacks the fields every report has; say so rather than verify it.
absl::Status CheckIsAReport(const std::string& file, const v1::AuditReport& report) {
  if (!report.format().empty() && !report.public_key().empty() && report.has_tree_head()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(file,
                   " is not an audit report: it has no format, public_key or tree_head "
                   "(write one with `ledgerctl audit --format json`)"));
}

// Checks that the server's current head extends the report's.
int CheckAgainstServer(const VerifyReportOptions& options, const GlobalOptions& globals,
                       const v1::AuditReport& report) {
  GlobalOptions server_options = globals;
  server_options.server = options.server;
  Connection connection(server_options);
  AuditClient audit(&connection, TrustPathFor(options.trust_dir, options.server));
  absl::StatusOr<TrustedHead> fresh = audit.FetchVerifiedHead(std::cout);
  if (!fresh.ok()) return ReportAuditFailure(connection, fresh.status());
  if (fresh->public_key != report.public_key()) {
    return ReportAuditFailure(
        connection,
        absl::UnauthenticatedError(absl::StrCat(
            "the server's public key ", verify::ToHex(fresh->public_key), " is not the report's")));
  }
  TrustedHead reported;
  reported.public_key = report.public_key();
  reported.tree_size = report.tree_head().tree_size();
  reported.root_hash = report.tree_head().root_hash();
  reported.timestamp_us = report.tree_head().timestamp_us();
  reported.signature = report.tree_head().signature();
  const absl::Status consistent = audit.CheckConsistency(reported, *fresh);
  if (!consistent.ok()) return ReportAuditFailure(connection, consistent);
  std::cout << "the server's head " << DescribeHead(*fresh) << " extends the report's head"
            << std::endl;
  return kExitOk;
}

int RunVerifyReport(const VerifyReportOptions& options, const GlobalOptions& globals) {
  std::ifstream file(options.file, std::ios::binary | std::ios::ate);
  if (!file) {
    return ReportUsageError(absl::NotFoundError(absl::StrCat("cannot read ", options.file)));
  }
  const std::streamoff size = file.tellg();
  if (size < 0 || static_cast<uint64_t>(size) > kAuditReportBytesMax) {
    return ReportUsageError(absl::ResourceExhaustedError(
        absl::StrCat(options.file, " is over ", kAuditReportBytesMax, " bytes")));
  }
  std::string json(static_cast<size_t>(size), '\0');
  file.seekg(0);
  file.read(json.data(), size);
  if (!file) {
    return ReportUsageError(absl::UnavailableError(absl::StrCat("cannot read ", options.file)));
  }
  v1::AuditReport report;
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &report);
  if (!parsed.ok()) {
    return ReportUsageError(absl::InvalidArgumentError(
        absl::StrCat(options.file, " is not an audit report: ", parsed.message().ToString())));
  }
  if (const absl::Status shape = CheckIsAReport(options.file, report); !shape.ok()) {
    return ReportUsageError(shape);
  }
  std::string key;
  if (const int code = ChooseKey(options, report, &key); code != kExitOk) return code;
  const absl::Status verified = VerifyReport(report, key);
  if (!verified.ok()) {
    if (verified.code() == absl::StatusCode::kInvalidArgument) return ReportUsageError(verified);
    std::cerr << "ledgerctl: verification failed: " << verified.message() << std::endl;
    return kExitVerifyFailed;
  }
  // What the check proves, and the limit docs/architecture.md explains: a
  // report proves each line it has, never that none was left out.
  std::cout << "report verified: " << report.lines_size()
            << (report.lines_size() == 1 ? " line" : " lines") << " as of " << report.as_of()
            << ", known at position " << report.known_at_position()
            << ", each proved against the signed tree head of size "
            << report.tree_head().tree_size() << " signed by " << verify::ToHex(key)
            << "; a report cannot prove that no line was left out" << std::endl;
  if (options.server.empty()) return kExitOk;
  return CheckAgainstServer(options, globals, report);
}

}  // namespace

std::vector<Command> AddAuditCommands(CLI::App& main_app, const GlobalOptions& globals) {
  auto audit_options = std::make_shared<AuditOptions>();
  CLI::App* audit = main_app.add_subcommand(
      "audit", "The whole ownership state at a date, with proofs against a signed tree head");
  audit->add_option("--as-of", audit_options->as_of, "Valid-time date (YYYY, YYYY-MM, YYYY-MM-DD)")
      ->required()
      ->check(DateValidator());
  audit
      ->add_option("--known-at", audit_options->known_at,
                   "What the ledger knew at this position or RFC 3339 time (default: the "
                   "verified head; never beyond it)")
      ->check(KnownAtValidator());
  audit->add_option("--format", audit_options->format, "table, markdown or json (the report)")
      ->check(CLI::IsMember({"table", "markdown", "json"}));
  audit->add_option("--output", audit_options->output, "Write to this file instead of stdout");
  audit->add_option("--trust-dir", audit_options->trust_dir,
                    "Where the pinned key and trusted head live");
  auto verify_options = std::make_shared<VerifyReportOptions>();
  CLI::App* verify_report = main_app.add_subcommand(
      "verify-report", "Check a JSON audit report offline: signature, records, proofs");
  verify_report->add_option("file", verify_options->file, "The report (audit --format json)")
      ->required();
  verify_report->add_option("--trust-dir", verify_options->trust_dir, "Where the pinned key lives");
  verify_report->add_option("--public-key", verify_options->public_key_hex,
                            "The signing key (hex) instead of the pinned one");
  verify_report->add_option("--server", verify_options->server,
                            "Also check that this server's current head extends the report's");
  return {{audit, [audit_options, &globals] { return RunAudit(*audit_options, globals); }},
          {verify_report,
           [verify_options, &globals] { return RunVerifyReport(*verify_options, globals); }}};
}

}  // namespace stakeledger::clients
