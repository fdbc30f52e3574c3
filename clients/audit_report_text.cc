// The audit report for people: text table and Markdown (audit_report.h).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "clients/announcement_text.h"
#include "clients/audit_report.h"
#include "clients/event_text.h"
#include "clients/table.h"
#include "verify/merkle_hash.h"

namespace stakeledger::clients {
namespace {

std::string HeadText(const v1::SignedTreeHead& head) {
  return absl::StrCat("size ", head.tree_size(), ", root ", verify::ToHex(head.root_hash()),
                      ", signed at ",
                      FormatRecordedTime(absl::FromUnixMicros(head.timestamp_us())));
}

std::string StakeCell(const v1::AuditLine& line) {
  v1::Stake stake;
  stake.set_ppm(line.ppm());
  stake.set_qualifier(line.qualifier());
  return FormatStake(stake);
}

std::string SourceText(const v1::Source& source) {
  std::string text = source.seed_file();
  if (!source.outlet().empty()) {
    absl::StrAppend(&text, text.empty() ? "" : ", ", source.outlet());
  }
  if (!source.article_date().empty()) absl::StrAppend(&text, " (", source.article_date(), ")");
  return text;
}

// Markdown table cells: a pipe would end the cell, a newline the row.
std::string Cell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}, {"\n", " "}});
}

}  // namespace

void PrintReportTable(const v1::AuditReport& report, std::ostream& out) {
  out << "Ownership as of " << report.as_of() << ", known at position "
      << report.known_at_position() << "\n"
      << "Signed tree head: " << HeadText(report.tree_head()) << "\n"
      << "Public key: " << verify::ToHex(report.public_key()) << "\n\n";
  TablePrinter table({{"#", Align::kRight},
                      {"HOLDER"},
                      {"TARGET"},
                      {"STAKE", Align::kRight},
                      {"PPM", Align::kRight},
                      {"EFFECTIVE"},
                      {"ANNOUNCEMENT", Align::kLeft, 60},
                      {"POSITION", Align::kRight},
                      {"SOURCE"}},
                     &out);
  for (int i = 0; i < report.lines_size(); ++i) {
    const v1::AuditLine& line = report.lines(i);
    table.AddRow({absl::StrCat(i + 1), line.holder(), line.target(), StakeCell(line),
                  absl::StrCat(line.ppm()), line.effective_date(), line.announcement_id(),
                  absl::StrCat(line.position()), line.source().seed_file()});
  }
  table.Flush();
  if (report.lines_size() == 0) out << "(no stakes)\n";
  out << "\n";
  for (int i = 0; i < report.lines_size(); ++i) {
    const v1::AuditLine& line = report.lines(i);
    out << "[" << i + 1 << "] " << line.announcement_id() << " (announced " << line.announced_date()
        << "; " << SourceText(line.source()) << "), inclusion proof "
        << line.proofs(line.proofs_size() - 1).announcement().hashes_size() << " hashes\n    "
        << line.quote() << "\n";
  }
}

void PrintReportMarkdown(const v1::AuditReport& report, std::ostream& out) {
  out << "# Ownership as of " << report.as_of() << "\n\n"
      << "- Known at position: " << report.known_at_position() << "\n"
      << "- Signed tree head: " << HeadText(report.tree_head()) << "\n"
      << "- Signature: `" << verify::ToHex(report.tree_head().signature()) << "`\n"
      << "- Public key (Ed25519): `" << verify::ToHex(report.public_key()) << "`\n"
      << "- Server: " << report.server() << "\n\n"
      << "| # | Holder | Target | Stake | ppm | Effective | Announcement | Announced | Position "
         "| Source | Quote |\n"
      << "|---:|---|---|---:|---:|---|---|---|---:|---|---|\n";
  for (int i = 0; i < report.lines_size(); ++i) {
    const v1::AuditLine& line = report.lines(i);
    out << "| " << i + 1 << " | " << Cell(line.holder()) << " | " << Cell(line.target()) << " | "
        << StakeCell(line) << " | " << line.ppm() << " | " << line.effective_date() << " | "
        << Cell(line.announcement_id()) << " | " << line.announced_date() << " | "
        << line.position() << " | " << Cell(SourceText(line.source())) << " | "
        << Cell(line.quote()) << " |\n";
  }
  if (report.lines_size() == 0) out << "\n(no stakes)\n";
  out << "\nEach line's records and inclusion proofs are in the JSON report "
         "(`ledgerctl audit --format json`), which `ledgerctl verify-report` checks offline.\n";
}

}  // namespace stakeledger::clients
