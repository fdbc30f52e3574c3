// Audit reports (proto/stakeledger/v1/audit_report.proto) and the checks
// of answers that carry proofs: a fact is trusted only when its record's
// bytes hash, here, to a leaf of the signed tree, the record decodes to
// the announcement the answer names, and that announcement states the
// fact; a stake only when folding those facts gives it. Pure functions
// (no I/O); thread-safe.
#ifndef STAKELEDGER_CLIENTS_AUDIT_REPORT_H_
#define STAKELEDGER_CLIENTS_AUDIT_REPORT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/trust_store.h"
#include "stakeledger/v1/announcement.pb.h"
#include "stakeledger/v1/audit_report.pb.h"
#include "stakeledger/v1/event_store.pb.h"
#include "stakeledger/v1/projections.pb.h"

namespace stakeledger::clients {

inline constexpr char kAuditReportFormat[] = "stakeledger/audit-report/v1";
// The largest report verify-report reads.
inline constexpr size_t kAuditReportBytesMax = size_t{1} << 30;  // 1 GiB

// ppm as a percentage with four decimals: 50000 -> "5.0000".
std::string PercentText(int64_t ppm);

// A record's bytes decoded: the event and its announcement payload.
// Errors: DATA_LOSS when the bytes are not a RecordedEvent or the event
// is not an announcement whose payload parses.
struct DecodedRecord {
  v1::RecordedEvent event;
  v1::Announcement announcement;
};
absl::StatusOr<DecodedRecord> DecodeAnnouncementRecord(absl::string_view record);

// What an answer claims, to be checked against its basis and proofs.
struct AnswerClaim {
  std::string holder;
  std::string target;
  int64_t ppm = 0;
  v1::Qualifier qualifier = v1::QUALIFIER_UNSPECIFIED;
  // YYYYMMDD: the last day of the as-of date.
  int as_of_day = 0;
  uint64_t known_at = 0;
};

// Checks `basis` and `proofs` (one per basis entry) against `head`, whose
// signature the caller has checked: each record's leaf hash (computed
// here) is included in the head's tree, decodes to the announcement and
// position the entry names, states the entry (holder, target, ppm,
// qualifier, quote, date, or a correction at known_from that moved the
// date), was known at claim.known_at and took effect by claim.as_of_day;
// folding the basis gives claim.ppm and claim.qualifier. Returns the
// governing (last) fact's decoded record. Errors: DATA_LOSS saying what
// does not hold.
absl::StatusOr<DecodedRecord> CheckAnswer(
    const AnswerClaim& claim, const google::protobuf::RepeatedPtrField<v1::StakeEntry>& basis,
    const google::protobuf::RepeatedPtrField<v1::FactProof>& proofs,
    const v1::SignedTreeHead& head);

// Checks a GetStake answer that carries proofs against `head`, a head the
// caller trusts: the answer's tree_head must be that head, and the direct
// answer and each look-through part must pass CheckAnswer (no stake: no
// fact to check). Errors: DATA_LOSS saying what does not hold.
absl::Status VerifyStakeAnswer(const v1::StakeResponse& answer, const TrustedHead& head);

// A report line from an answer that carries proofs; the announced date
// and source come from the governing record. Errors: as
// DecodeAnnouncementRecord; FAILED_PRECONDITION when the answer has no
// proofs.
absl::StatusOr<v1::AuditLine> MakeAuditLine(const v1::StakeResponse& stake);

// Checks the whole report offline with `public_key` (32 bytes): the
// format, the head's signature, then every line (CheckAnswer, and its
// governing fields: announcement, dates, position, source, quote,
// percent). Errors: UNAUTHENTICATED for a bad signature; DATA_LOSS
// naming the first line that does not verify ("line 3 (softbank-group in
// arm): ..."); INVALID_ARGUMENT for another format.
absl::Status VerifyReport(const v1::AuditReport& report, absl::string_view public_key);

// The report for people: a heading with the head, a table of the lines,
// then each line's quote and source (text), or the same as Markdown.
void PrintReportTable(const v1::AuditReport& report, std::ostream& out);
void PrintReportMarkdown(const v1::AuditReport& report, std::ostream& out);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_AUDIT_REPORT_H_
