// `ledgerctl stake`, `holders`, `portfolio`, `timeline` and `projections`:
// the Projections service's bitemporal queries, as text or JSON lines; and
// `ledgerctl rebuild`, which follows a rebuild's progress.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "clients/announcement_text.h"
#include "clients/audit_client.h"
#include "clients/audit_report.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/event_text.h"
#include "clients/exit_code.h"
#include "clients/json_output.h"
#include "clients/progress.h"
#include "clients/signal_watcher.h"
#include "clients/table.h"
#include "clients/text.h"
#include "stakeledger/v1/projections.grpc.pb.h"

namespace stakeledger::clients {
namespace {

struct QueryOptions {
  std::string holder;
  std::string target;
  std::string as_of;
  std::string known_at;
  bool look_through = false;
  uint64_t from_position = 0;
  uint64_t to_position = 0;
  bool follow = false;
  // stake --verify: check the answer's facts against a verified head.
  bool verify = false;
  std::string trust_dir;
};

// The protobuf JSON mapping of `stake`, with "ppm" always present: the
// mapping prints an unset Int32Value by leaving it out, scripts want null.
absl::StatusOr<std::string> StakeJson(const google::protobuf::Message& message, bool has_ppm) {
  absl::StatusOr<std::string> json = ToJsonLine(message);
  if (!json.ok() || has_ppm) return json;
  return json->size() == 2 ? std::string("{\"ppm\":null}")
                           : absl::StrCat("{\"ppm\":null,", json->substr(1));
}

int PrintStakeJson(const v1::StakeResponse& stake) {
  absl::StatusOr<std::string> json = StakeJson(stake, stake.has_ppm());
  if (!json.ok()) return ReportUsageError(json.status());
  std::cout << *json << "\n";
  return kExitOk;
}

std::string StakeText(bool has_ppm, int64_t ppm, v1::Qualifier qualifier) {
  if (!has_ppm) return "no stake";
  v1::Stake stake;
  stake.set_ppm(ppm);
  stake.set_qualifier(qualifier);
  return FormatStake(stake);
}

std::string RecordedText(const v1::StakeEntry& fact) {
  return absl::StrCat("position ", fact.position(), ", ",
                      FormatRecordedTime(absl::FromUnixMicros(fact.recorded_at_us())));
}

// A version opened by a SUPERSEDE with a corrected date is known from the
// correction's position, later than the fact's own: say so, since the
// quote shown is the original announcement's, with its original date.
std::string CorrectedText(const v1::StakeEntry& fact) {
  if (fact.known_from() <= fact.position()) return "";
  return absl::StrCat("date corrected at position ", fact.known_from());
}

// The fact a direct answer rests on. Only a direct stake has one: a
// look-through total held through funds alone leaves `governing` unset
// (position 0), which is not a fact to show.
void PrintGoverningFact(const v1::StakeResponse& stake) {
  const v1::StakeEntry& fact = stake.governing();
  std::cout << "  governed by " << fact.announcement_id() << " fact " << fact.fact_index()
            << ", effective " << fact.effective_date() << " ("
            << (stake.within_precision() ? "as-of date within its precision"
                                         : "as-of date after its period")
            << ")\n";
  if (const std::string corrected = CorrectedText(fact); !corrected.empty()) {
    std::cout << "  " << corrected << " (the quote gives the date first announced)\n";
  }
  std::cout << "  recorded at " << RecordedText(fact) << "\n  quote: " << fact.quote() << "\n";
}

// --look-through: which parts add up to the total, the direct one first.
void PrintStakeParts(const v1::StakeResponse& stake) {
  std::cout << "  made up of:\n";
  for (const v1::StakeResponse& part : stake.parts()) {
    const std::string via =
        part.holder() == stake.holder() ? "directly" : absl::StrCat("through ", part.holder());
    std::cout << "    " << via << ": "
              << StakeText(part.has_ppm(), part.ppm().value(), part.qualifier()) << " ("
              << part.governing().announcement_id() << " fact " << part.governing().fact_index()
              << ")\n";
  }
}

void PrintStakeText(const v1::StakeResponse& stake) {
  std::cout << stake.holder() << " in " << stake.target() << " as of " << stake.as_of()
            << " (known at position " << stake.known_at_position()
            << "): " << StakeText(stake.has_ppm(), stake.ppm().value(), stake.qualifier()) << "\n";
  if (!stake.has_ppm()) return;
  if (stake.governing().position() > 0) {
    PrintGoverningFact(stake);
  } else {
    std::cout << "  no direct stake\n";
  }
  if (stake.parts_size() > 0) PrintStakeParts(stake);
}

v1::StakeRequest MakeStakeRequest(const QueryOptions& options) {
  v1::StakeRequest request;
  request.set_holder(options.holder);
  request.set_target(options.target);
  request.set_as_of(options.as_of);
  request.set_known_at(options.known_at);
  request.set_look_through(options.look_through);
  return request;
}

// `stake --verify`: the answer at a verified head (known_at pinned to its
// size unless --known-at is earlier), with the records and proofs of the
// facts it folds, each checked here (audit_report.h).
int RunVerifiedStake(const QueryOptions& options, const GlobalOptions& globals,
                     Connection& connection) {
  const std::string trust_path = TrustPathFor(options.trust_dir, globals.server);
  if (trust_path.empty()) {
    return ReportUsageError(
        absl::InvalidArgumentError("no trust directory: set --trust-dir, XDG_CONFIG_HOME or HOME"));
  }
  AuditClient audit(&connection, trust_path);
  absl::StatusOr<TrustedHead> head = audit.FetchVerifiedHead(std::cerr);
  if (!head.ok()) return ReportAuditFailure(connection, head.status());
  auto stub = v1::Projections::NewStub(connection.channel());
  v1::StakeRequest request = MakeStakeRequest(options);
  request.set_include_proof(true);
  request.set_proof_tree_size(head->tree_size);
  v1::StakeResponse response;
  const grpc::Status status =
      stub->GetStake(connection.NewUnaryContext().get(), request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  const absl::Status verified = VerifyStakeAnswer(response, *head);
  if (!verified.ok()) return ReportAuditFailure(connection, verified);
  if (globals.json) {
    const int code = PrintStakeJson(response);
    std::cerr << "verified against head size " << head->tree_size << std::endl;
    return code;
  }
  PrintStakeText(response);
  std::cout << (response.has_ppm() ? "  " : "  no fact to check; ") << "verified against head size "
            << head->tree_size << " " << DescribeHead(*head) << "\n";
  return kExitOk;
}

int RunStake(const QueryOptions& options, const GlobalOptions& globals) {
  Connection connection(globals);
  if (options.verify) return RunVerifiedStake(options, globals, connection);
  auto stub = v1::Projections::NewStub(connection.channel());
  const v1::StakeRequest request = MakeStakeRequest(options);
  v1::StakeResponse response;
  const grpc::Status status =
      stub->GetStake(connection.NewUnaryContext().get(), request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (globals.json) return PrintStakeJson(response);
  PrintStakeText(response);
  return kExitOk;
}

// A whole company, in parts per million.
constexpr int64_t kWholePpm = 1'000'000;

int PrintHoldings(const v1::HoldingsResponse& response, bool by_target, bool json) {
  if (json) {
    // One line per holding; with none, the response itself, so that the
    // empty answer still says which position it is known at.
    if (response.holdings().empty()) return PrintJsonLine(response);
    for (const v1::StakeResponse& holding : response.holdings()) {
      if (const int code = PrintStakeJson(holding); code != kExitOk) return code;
    }
    return kExitOk;
  }
  TablePrinter table({{by_target ? "HOLDER" : "TARGET"},
                      {"STAKE", Align::kRight},
                      {"EFFECTIVE"},
                      {"ANNOUNCEMENT", Align::kLeft, 60}},
                     &std::cout);
  for (const v1::StakeResponse& holding : response.holdings()) {
    table.AddRow({by_target ? holding.holder() : holding.target(),
                  StakeText(true, holding.ppm().value(), holding.qualifier()),
                  holding.governing().effective_date(), holding.governing().announcement_id()});
  }
  table.Flush();
  if (table.row_count() == 0) std::cout << "(no stakes)\n";
  // Each row rests on its own announcement; reports that disagree (a
  // stake sold that no announcement recorded, figures from different
  // sources) can add up to more than the whole. Shown, not hidden.
  int64_t total_ppm = 0;
  for (const v1::StakeResponse& holding : response.holdings()) total_ppm += holding.ppm().value();
  if (by_target && total_ppm > kWholePpm) {
    v1::Stake total;
    total.set_ppm(total_ppm);
    total.set_qualifier(v1::EXACT);
    std::cout << "note: these stakes add up to " << FormatStake(total)
              << ", more than the whole: the announcements they rest on disagree\n";
  }
  std::cout << "known at position " << response.known_at_position() << "\n";
  return kExitOk;
}

// Checks every holding of a proved answer against `head` (audit_report.h).
absl::Status VerifyHoldings(const v1::HoldingsResponse& response, const TrustedHead& head) {
  for (const v1::StakeResponse& holding : response.holdings()) {
    v1::StakeResponse checked = holding;
    *checked.mutable_tree_head() = response.tree_head();
    if (absl::Status status = VerifyStakeAnswer(checked, head); !status.ok()) return status;
  }
  return absl::OkStatus();
}

int RunHoldings(const QueryOptions& options, bool by_target, const GlobalOptions& globals) {
  Connection connection(globals);
  std::optional<TrustedHead> head;
  if (options.verify) {
    const std::string trust_path = TrustPathFor(options.trust_dir, globals.server);
    if (trust_path.empty()) {
      return ReportUsageError(absl::InvalidArgumentError(
          "no trust directory: set --trust-dir, XDG_CONFIG_HOME or HOME"));
    }
    AuditClient audit(&connection, trust_path);
    absl::StatusOr<TrustedHead> verified = audit.FetchVerifiedHead(std::cerr);
    if (!verified.ok()) return ReportAuditFailure(connection, verified.status());
    head = *std::move(verified);
  }
  auto stub = v1::Projections::NewStub(connection.channel());
  v1::HoldingsResponse response;
  grpc::Status status;
  if (by_target) {
    v1::HoldersRequest request;
    request.set_target(options.target);
    request.set_as_of(options.as_of);
    request.set_known_at(options.known_at);
    request.set_include_proof(head.has_value());
    request.set_proof_tree_size(head.has_value() ? head->tree_size : 0);
    status = stub->ListHolders(connection.NewUnaryContext().get(), request, &response);
  } else {
    v1::PortfolioRequest request;
    request.set_holder(options.holder);
    request.set_as_of(options.as_of);
    request.set_known_at(options.known_at);
    request.set_include_proof(head.has_value());
    request.set_proof_tree_size(head.has_value() ? head->tree_size : 0);
    status = stub->GetPortfolio(connection.NewUnaryContext().get(), request, &response);
  }
  if (!status.ok()) return connection.ReportFailure(status);
  if (head.has_value()) {
    const absl::Status verified = VerifyHoldings(response, *head);
    if (!verified.ok()) return ReportAuditFailure(connection, verified);
  }
  const int code = PrintHoldings(response, by_target, globals.json);
  if (head.has_value() && code == kExitOk) {
    (globals.json ? std::cerr : std::cout)
        << "verified " << CountText(response.holdings_size(), "holding", "holdings")
        << " against head size " << head->tree_size << std::endl;
  }
  return code;
}

// A timeline step as {"fact":{...},"ppm":N}. The mapping would print the
// int64 ppm as a string; stake, holders and replay print an integer, so
// the step's ppm (at most kWholePpm) is printed as one too.
int PrintTimelineStepJson(const v1::TimelineStep& step) {
  const absl::StatusOr<std::string> fact = ToJsonLine(step.fact());
  if (!fact.ok()) return ReportUsageError(fact.status());
  std::cout << "{\"fact\":" << *fact << ",\"ppm\":" << step.ppm() << "}\n";
  return kExitOk;
}

int RunTimeline(const QueryOptions& options, const GlobalOptions& globals) {
  Connection connection(globals);
  auto stub = v1::Projections::NewStub(connection.channel());
  v1::TimelineRequest request;
  request.set_holder(options.holder);
  request.set_target(options.target);
  request.set_known_at(options.known_at);
  v1::TimelineResponse response;
  const grpc::Status status =
      stub->GetTimeline(connection.NewUnaryContext().get(), request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (globals.json) {
    for (const v1::TimelineStep& step : response.steps()) {
      if (const int code = PrintTimelineStepJson(step); code != kExitOk) return code;
    }
    return kExitOk;
  }
  TablePrinter table({{"VALID FROM"},
                      {"CHANGE", Align::kRight},
                      {"STAKE AFTER", Align::kRight},
                      {"RECORDED"},
                      // Wide enough for an id and a corrected date's note.
                      {"ANNOUNCEMENT", Align::kLeft, 100}},
                     &std::cout);
  for (const v1::TimelineStep& step : response.steps()) {
    const v1::StakeEntry& fact = step.fact();
    v1::Stake change;
    change.set_ppm(fact.ppm());
    change.set_qualifier(fact.qualifier());
    table.AddRow({fact.effective_date(),
                  absl::StrCat(fact.absolute() ? "= " : "Δ ", FormatStake(change)),
                  // The stake after a fact carries that fact's qualifier, as
                  // stake's answer carries its governing fact's.
                  StakeText(true, step.ppm(), fact.qualifier()), RecordedText(fact),
                  absl::StrCat(fact.announcement_id(), " #", fact.fact_index(),
                               fact.known_from() > fact.position()
                                   ? absl::StrCat(" (", CorrectedText(fact), ")")
                                   : "")});
  }
  table.Flush();
  if (table.row_count() == 0) std::cout << "(no stake facts)\n";
  std::cout << "known at position " << response.known_at_position() << "\n";
  return kExitOk;
}

// Prints one step of a replay as a line of text or JSON.
int PrintReplayStep(const v1::ReplayStep& step, bool json) {
  if (json) {
    absl::StatusOr<std::string> line = StakeJson(step, step.has_ppm());
    if (!line.ok()) return ReportUsageError(line.status());
    std::cout << *line << "\n";
    return kExitOk;
  }
  const v1::StakeEntry& fact = step.fact();
  std::cout << "position " << step.position() << ": " << step.change() << " "
            << fact.announcement_id() << " #" << fact.fact_index() << " (effective "
            << fact.effective_date() << ") -> latest stake "
            << StakeText(step.has_ppm(), step.ppm().value(), step.governing().qualifier()) << "\n";
  return kExitOk;
}

int RunReplay(const QueryOptions& options, const GlobalOptions& globals) {
  grpc::ClientContext context;
  // Before the channel exists, so that gRPC's threads inherit the mask.
  SignalWatcher watcher([&context] { context.TryCancel(); });
  Connection connection(globals);
  auto stub = v1::Projections::NewStub(connection.channel());
  v1::ReplayRequest request;
  request.set_holder(options.holder);
  request.set_target(options.target);
  request.set_from_position(options.from_position);
  request.set_to_position(options.to_position);
  request.set_follow(options.follow);
  std::unique_ptr<grpc::ClientReader<v1::ReplayResponse>> reader = stub->Replay(&context, request);
  v1::ReplayResponse response;
  size_t steps = 0;
  int code = kExitOk;
  while (code == kExitOk && reader->Read(&response)) {
    if (response.has_step()) {
      ++steps;
      code = PrintReplayStep(response.step(), globals.json);
    } else if (globals.json) {
      code = PrintJsonLine(response);  // {"caught_up_position":"N"}
    } else {
      if (steps == 0) std::cout << "(no changes)\n";
      std::cout << "caught up at position " << response.caught_up_position()
                << " \u2014 following live\n";
    }
    std::cout.flush();  // someone is watching: show each change now
  }
  if (code != kExitOk) {
    context.TryCancel();
    reader->Finish();
    return code;
  }
  const grpc::Status status = reader->Finish();
  if (watcher.signalled()) return kExitOk;
  if (!status.ok()) return connection.ReportFailure(status);
  if (!globals.json && steps == 0) std::cout << "(no changes)\n";
  return kExitOk;
}

int RunProjections(const GlobalOptions& globals) {
  Connection connection(globals);
  auto stub = v1::Projections::NewStub(connection.channel());
  v1::ListProjectionsResponse response;
  const grpc::Status status = stub->ListProjections(connection.NewUnaryContext().get(),
                                                    v1::ListProjectionsRequest(), &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (globals.json) {
    for (const v1::ProjectionStatus& projection : response.projections()) {
      if (const int code = PrintJsonLine(projection); code != kExitOk) return code;
    }
    return kExitOk;
  }
  TablePrinter table({{"PROJECTION"},
                      {"STATE"},
                      {"POSITION", Align::kRight},
                      {"LAG", Align::kRight},
                      {"EVENTS/S", Align::kRight},
                      {"ERROR", Align::kLeft, 60}},
                     &std::cout);
  for (const v1::ProjectionStatus& p : response.projections()) {
    std::string state = p.state();
    if (p.state() == "rebuilding") {
      absl::StrAppend(&state, " (at ", p.rebuild_position(), ")");
    } else if (p.folded_position() > p.position()) {
      absl::StrAppend(&state, " (folded ", p.folded_position(), ")");
    }
    table.AddRow(
        {p.name(), state, absl::StrCat(p.position()), absl::StrCat(p.lag_events()),
         absl::StrCat(static_cast<int64_t>(p.events_per_second())),
         p.error().empty() ? "" : absl::StrCat("at ", p.error_position(), ": ", p.error())});
  }
  table.Flush();
  return kExitOk;
}

// What the bar says beside the count while the rebuild is not folding.
absl::string_view RebuildStageNote(const v1::RebuildProgress& progress) {
  if (progress.done()) return "";
  switch (progress.stage()) {
    case v1::RebuildProgress::STAGE_WRITING:
      return "writing the index";
    case v1::RebuildProgress::STAGE_COMPACTING:
      return "compacting the index";
    case v1::RebuildProgress::STAGE_SWITCHING:
      return "switching to the new copy";
    default:
      return "";
  }
}

// How far the stage is: while writing, the keys written so far.
std::string RebuildStageDetail(const v1::RebuildProgress& progress) {
  if (progress.done() || progress.stage() != v1::RebuildProgress::STAGE_WRITING ||
      progress.index_keys_written() == 0) {
    return "";
  }
  return absl::StrCat(progress.index_keys_written(), " keys");
}

// Follows a rebuild: a progress bar on a terminal, plain lines otherwise
// (JSON lines with --json), and a summary. No deadline: a rebuild takes as
// long as the log is long; an interrupt cancels it (the live copy stays).
int RunRebuild(const std::string& projection, const GlobalOptions& globals) {
  grpc::ClientContext context;
  // Before the channel exists, so that gRPC's threads inherit the mask.
  SignalWatcher watcher([&context] { context.TryCancel(); });
  Connection connection(globals);
  auto stub = v1::Projections::NewStub(connection.channel());
  v1::RebuildRequest request;
  request.set_projection(projection);
  std::unique_ptr<grpc::ClientReader<v1::RebuildProgress>> reader =
      stub->Rebuild(&context, request);
  const bool interactive = !globals.json && isatty(STDOUT_FILENO) == 1;
  std::optional<ProgressReporter> bar;
  std::optional<v1::RebuildProgress> last;
  v1::RebuildProgress progress;
  while (reader->Read(&progress)) {
    last = progress;
    if (globals.json) {
      if (const int code = PrintJsonLine(progress); code != kExitOk) {
        context.TryCancel();
        reader->Finish();
        return code;
      }
      continue;
    }
    const size_t total = std::max<uint64_t>(progress.head(), 1);
    if (!bar.has_value()) bar.emplace(&std::cout, interactive, total, "events");
    bar->Update(std::min<uint64_t>(progress.position(), total), RebuildStageNote(progress),
                RebuildStageDetail(progress));
  }
  const grpc::Status status = reader->Finish();
  if (bar.has_value()) bar->Finish();
  if (!status.ok()) return connection.ReportFailure(status);
  if (!globals.json && last.has_value()) {
    std::cout << absl::StrFormat("rebuilt %s: %d events in %.2fs (%.0f events/s), now live at %d\n",
                                 projection, last->position(), last->elapsed_seconds(),
                                 last->events_per_second(), last->position());
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AddProjectionCommands(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<QueryOptions>();
  const char* known_at_help =
      "What the ledger knew at this position or RFC 3339 time (default: now)";
  CLI::App* stake = main_app.add_subcommand("stake", "A holder's stake in a target as of a date");
  stake->add_option("holder", options->holder, "Holder (id or alias)")->required();
  stake->add_option("target", options->target, "Target (id or alias)")->required();
  stake->add_option("--as-of", options->as_of, "Valid-time date (YYYY, YYYY-MM, YYYY-MM-DD)")
      ->required()
      ->check(DateValidator());
  stake->add_option("--known-at", options->known_at, known_at_help)->check(KnownAtValidator());
  stake->add_flag("--look-through", options->look_through, "Add the holder's funds' stakes");
  stake->add_flag("--verify", options->verify,
                  "Check the facts behind the answer against the verified signed tree head");
  stake->add_option("--trust-dir", options->trust_dir,
                    "Where the pinned key and trusted head live (with --verify)");
  CLI::App* holders = main_app.add_subcommand("holders", "The cap table of a target as of a date");
  holders->add_option("target", options->target, "Target (id or alias)")->required();
  holders->add_option("--as-of", options->as_of, "Valid-time date")
      ->required()
      ->check(DateValidator());
  holders->add_option("--known-at", options->known_at, known_at_help)->check(KnownAtValidator());
  holders->add_flag("--verify", options->verify, "Check every holding against the signed head");
  holders->add_option("--trust-dir", options->trust_dir, "Where the pinned key lives (--verify)");
  CLI::App* portfolio = main_app.add_subcommand("portfolio", "A holder's stakes as of a date");
  portfolio->add_option("holder", options->holder, "Holder (id or alias)")->required();
  portfolio->add_option("--as-of", options->as_of, "Valid-time date")
      ->required()
      ->check(DateValidator());
  portfolio->add_option("--known-at", options->known_at, known_at_help)->check(KnownAtValidator());
  portfolio->add_flag("--verify", options->verify, "Check every holding against the signed head");
  portfolio->add_option("--trust-dir", options->trust_dir, "Where the pinned key lives (--verify)");
  CLI::App* timeline =
      main_app.add_subcommand("timeline", "Every stake change of a holder in a target");
  timeline->add_option("holder", options->holder, "Holder (id or alias)")->required();
  timeline->add_option("target", options->target, "Target (id or alias)")->required();
  timeline->add_option("--known-at", options->known_at, known_at_help)->check(KnownAtValidator());
  CLI::App* replay = main_app.add_subcommand(
      "replay", "How what the ledger knew about a holder's stake changed, event by event");
  replay->add_option("holder", options->holder, "Holder (id or alias)")->required();
  replay->add_option("target", options->target, "Target (id or alias)")->required();
  replay->add_option("--from", options->from_position, "First position (default: 1)")
      ->check(UnsignedValidator<uint64_t>());
  replay->add_option("--to", options->to_position, "Last position (default: the head)")
      ->check(UnsignedValidator<uint64_t>());
  replay->add_flag("--follow", options->follow,
                   "Then keep following: print each later change until interrupted");
  CLI::App* projections = main_app.add_subcommand("projections", "Projection status table");
  auto rebuild_name = std::make_shared<std::string>();
  CLI::App* rebuild = main_app.add_subcommand(
      "rebuild", "Rebuild a projection from the log into a shadow copy, then swap it in");
  rebuild->add_option("projection", *rebuild_name, "Projection name (e.g. stake-ownership)")
      ->required();
  return {{stake, [options, &globals] { return RunStake(*options, globals); }},
          {holders, [options, &globals] { return RunHoldings(*options, true, globals); }},
          {portfolio, [options, &globals] { return RunHoldings(*options, false, globals); }},
          {timeline, [options, &globals] { return RunTimeline(*options, globals); }},
          {replay, [options, &globals] { return RunReplay(*options, globals); }},
          {projections, [&globals] { return RunProjections(globals); }},
          {rebuild, [rebuild_name, &globals] { return RunRebuild(*rebuild_name, globals); }}};
}

}  // namespace stakeledger::clients
