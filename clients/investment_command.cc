// `ledgerctl investments HOLDER [--year Y] [--known-at K] [--look-through]`:
// the Projections service's GetInvestments (docs/projections.md
// "investments") as four tables (capital per target, totals per year and
// currency, acquisitions, joint ventures) — with --look-through the same
// for each of the holder's funds and the combined totals — or, with
// --json, one line of protobuf JSON.
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "clients/announcement_text.h"
#include "clients/command_support.h"
#include "clients/commands.h"
#include "clients/exit_code.h"
#include "clients/table.h"
#include "stakeledger/v1/projections.grpc.pb.h"

namespace stakeledger::clients {
namespace {

struct InvestmentOptions {
  std::string holder;
  std::string year;
  std::string known_at;
  bool look_through = false;
};

std::string FactsText(uint32_t facts) {
  return absl::StrCat(facts, facts == 1 ? " fact" : " facts");
}

// "USD 500,000,000", "USD 6,500,000,000 (2 facts)", or, in the row of the
// facts that state no amount, "2 facts, amount not stated".
std::string SumCell(const v1::CapitalRow& row, bool committed) {
  const uint32_t facts = committed ? row.committed_facts() : row.invested_facts();
  if (facts == 0) return "";
  if (row.currency().empty()) return absl::StrCat(FactsText(facts), ", amount not stated");
  const std::string money = FormatMoney(committed ? row.committed() : row.invested());
  return facts == 1 ? money : absl::StrCat(money, " (", FactsText(facts), ")");
}

void PrintTotals(const google::protobuf::RepeatedPtrField<v1::CapitalRow>& rows) {
  TablePrinter totals(
      {{"YEAR"}, {"CURRENCY"}, {"COMMITTED", Align::kLeft, 60}, {"INVESTED", Align::kLeft, 60}},
      &std::cout);
  for (const v1::CapitalRow& row : rows) {
    totals.AddRow({absl::StrCat(row.year()), row.currency().empty() ? "-" : row.currency(),
                   SumCell(row, true), SumCell(row, false)});
  }
  totals.Flush();
}

void PrintCapital(const v1::InvestmentsResponse& response) {
  std::cout << "CAPITAL\n";
  TablePrinter capital(
      {{"YEAR"}, {"TARGET"}, {"COMMITTED", Align::kLeft, 60}, {"INVESTED", Align::kLeft, 60}},
      &std::cout);
  for (const v1::CapitalRow& row : response.capital()) {
    capital.AddRow(
        {absl::StrCat(row.year()), row.target(), SumCell(row, true), SumCell(row, false)});
  }
  capital.Flush();
  if (capital.row_count() == 0) std::cout << "(no capital committed or invested)\n";
  if (response.totals_size() == 0) return;
  std::cout << "\nTOTALS\n";
  PrintTotals(response.totals());
}

std::string StageText(v1::Acquisition::Stage stage) {
  switch (stage) {
    case v1::Acquisition::ANNOUNCED:
      return "pending";
    case v1::Acquisition::COMPLETED:
      return "completed";
    case v1::Acquisition::TERMINATED:
      return "terminated";
    default:
      return "unknown";
  }
}

void PrintDeals(const v1::InvestmentsResponse& response) {
  std::cout << "\nACQUISITIONS\n";
  TablePrinter acquisitions(
      {{"TARGET"}, {"STATUS"}, {"EFFECTIVE"}, {"PRICE"}, {"ANNOUNCEMENT", Align::kLeft, 60}},
      &std::cout);
  for (const v1::AcquisitionStatus& deal : response.acquisitions()) {
    acquisitions.AddRow({deal.target(), StageText(deal.stage()), deal.governing().effective_date(),
                         deal.has_price() ? FormatMoney(deal.price()) : "not stated",
                         deal.governing().announcement_id()});
  }
  acquisitions.Flush();
  if (acquisitions.row_count() == 0) std::cout << "(no acquisitions)\n";
  std::cout << "\nJOINT VENTURES\n";
  TablePrinter ventures({{"VENTURE"},
                         {"SHARE", Align::kRight},
                         {"VENTURE CAPITAL"},
                         {"EFFECTIVE"},
                         {"ANNOUNCEMENT", Align::kLeft, 60}},
                        &std::cout);
  for (const v1::JointVentureShare& venture : response.joint_ventures()) {
    ventures.AddRow({venture.venture(),
                     venture.has_share() ? FormatStake(venture.share()) : "not stated",
                     venture.has_venture_capital() ? FormatMoney(venture.venture_capital()) : "",
                     venture.governing().effective_date(), venture.governing().announcement_id()});
  }
  ventures.Flush();
  if (ventures.row_count() == 0) std::cout << "(no joint ventures)\n";
}

// The look-through part: each fund's tables, then the combined totals.
void PrintFunds(const v1::InvestmentsResponse& response) {
  for (const v1::InvestmentsResponse& fund : response.through_funds()) {
    std::cout << "\n== through " << fund.holder() << " (a fund of " << response.holder()
              << ") ==\n\n";
    PrintCapital(fund);
    PrintDeals(fund);
  }
  if (response.through_funds_size() == 0) {
    std::cout << "\n(no fund of " << response.holder() << " has investments)\n";
  }
  std::cout << "\nCOMBINED TOTALS (" << response.holder() << " and its funds)\n";
  PrintTotals(response.combined_totals());
  if (response.combined_totals_size() == 0) std::cout << "(none)\n";
}

int RunInvestments(const InvestmentOptions& options, const GlobalOptions& globals) {
  Connection connection(globals);
  auto stub = v1::Projections::NewStub(connection.channel());
  v1::InvestmentsRequest request;
  request.set_holder(options.holder);
  request.set_year(options.year);
  request.set_known_at(options.known_at);
  request.set_look_through(options.look_through);
  v1::InvestmentsResponse response;
  const grpc::Status status =
      stub->GetInvestments(connection.NewUnaryContext().get(), request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (globals.json) return PrintJsonLine(response);
  std::cout << response.holder() << ": investments "
            << (response.year() == 0 ? std::string("in every year")
                                     : absl::StrCat("in ", response.year()))
            << " (known at position " << response.known_at_position() << ")\n\n";
  PrintCapital(response);
  PrintDeals(response);
  if (options.look_through) PrintFunds(response);
  return kExitOk;
}

}  // namespace

Command AddInvestmentsCommand(CLI::App& main_app, const GlobalOptions& globals) {
  auto options = std::make_shared<InvestmentOptions>();
  CLI::App* command = main_app.add_subcommand(
      "investments", "A holder's capital committed and invested, acquisitions and joint ventures");
  command->add_option("holder", options->holder, "Holder (id or alias)")->required();
  command->add_option("--year", options->year, "Only this year (YYYY; default: every year)")
      ->check(YearValidator());
  command
      ->add_option("--known-at", options->known_at,
                   "What the ledger knew at this position or RFC 3339 time (default: now)")
      ->check(KnownAtValidator());
  command->add_flag("--look-through", options->look_through,
                    "Also each fund the holder sponsors, and the totals of holder and funds");
  return {command, [options, &globals] { return RunInvestments(*options, globals); }};
}

}  // namespace stakeledger::clients
