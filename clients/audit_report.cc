#include "clients/audit_report.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/date.h"
#include "domain/events.h"
#include "domain/stake_statement.h"
#include "google/protobuf/util/message_differencer.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_verify.h"
#include "verify/tree_head.h"

namespace stakeledger::clients {
namespace {

absl::Status Mismatch(absl::string_view what, absl::string_view claimed,
                      absl::string_view recorded) {
  return absl::DataLossError(
      absl::StrCat(what, " is '", claimed, "' but the record says '", recorded, "'"));
}

// The record of `inclusion`, checked to be leaf `position` - 1 of `head`.
absl::StatusOr<DecodedRecord> CheckRecord(const v1::RecordInclusion& inclusion, uint64_t position,
                                          const v1::SignedTreeHead& head, absl::string_view what) {
  if (inclusion.position() != position) {
    return absl::DataLossError(absl::StrCat(what, " is at position ", position,
                                            " but its proof is for position ",
                                            inclusion.position()));
  }
  if (inclusion.tree_size() != head.tree_size()) {
    return absl::DataLossError(absl::StrCat(what, ": its proof is for a tree of size ",
                                            inclusion.tree_size(), ", the signed head's is ",
                                            head.tree_size()));
  }
  const std::vector<std::string> hashes(inclusion.hashes().begin(), inclusion.hashes().end());
  const absl::Status included =
      position == 0
          ? absl::DataLossError("position 0 is no record")
          : verify::VerifyInclusion(position - 1, head.tree_size(),
                                    verify::HashLeaf(inclusion.record()), hashes, head.root_hash());
  if (!included.ok()) {
    return absl::DataLossError(absl::StrCat(what, ": the record at position ", position,
                                            " is not in the signed tree head (size ",
                                            head.tree_size(), "): ", included.message()));
  }
  absl::StatusOr<DecodedRecord> decoded = DecodeAnnouncementRecord(inclusion.record());
  if (!decoded.ok())
    return absl::DataLossError(absl::StrCat(what, ": ", decoded.status().message()));
  if (decoded->event.position() != position) {
    return absl::DataLossError(absl::StrCat(what, ": the record says position ",
                                            decoded->event.position(), ", not ", position));
  }
  return decoded;
}

// OK when `statement` says what `fact` claims.
absl::Status CheckStatement(const v1::StakeEntry& fact, const domain::StakeStatement& statement) {
  if (fact.holder() != statement.holder)
    return Mismatch("the holder", fact.holder(), statement.holder);
  if (fact.target() != statement.target)
    return Mismatch("the target", fact.target(), statement.target);
  if (fact.absolute() != statement.absolute || fact.ppm() != statement.ppm) {
    return Mismatch("the stake", absl::StrCat(fact.absolute() ? "" : "change ", fact.ppm(), " ppm"),
                    absl::StrCat(statement.absolute ? "" : "change ", statement.ppm, " ppm"));
  }
  if (fact.qualifier() != statement.qualifier) {
    return Mismatch("the qualifier", v1::Qualifier_Name(fact.qualifier()),
                    v1::Qualifier_Name(statement.qualifier));
  }
  if (fact.quote() != statement.quote) return Mismatch("the quote", fact.quote(), statement.quote);
  return absl::OkStatus();
}

// OK when the correction record moves `fact` to its effective date.
absl::Status CheckCorrection(const v1::StakeEntry& fact, const v1::Announcement& correction) {
  for (const v1::Fact& item : correction.facts()) {
    if (!item.has_correction()) continue;
    const v1::Correction& c = item.correction();
    const bool names_fact =
        c.fact_indexes().empty() || std::find(c.fact_indexes().begin(), c.fact_indexes().end(),
                                              fact.fact_index()) != c.fact_indexes().end();
    if (c.action() == v1::Correction::SUPERSEDE && c.announcement_id() == fact.announcement_id() &&
        names_fact && c.corrected_date() == fact.effective_date()) {
      return absl::OkStatus();
    }
  }
  return absl::DataLossError(absl::StrCat("correction ", correction.announcement_id(),
                                          " does not move ", fact.announcement_id(), " fact ",
                                          fact.fact_index(), " to ", fact.effective_date()));
}

// One basis fact against its records; returns the announcement's record.
absl::StatusOr<DecodedRecord> CheckFact(const AnswerClaim& claim, const v1::StakeEntry& fact,
                                        const v1::FactProof& proof,
                                        const v1::SignedTreeHead& head) {
  const std::string what = absl::StrCat("announcement ", fact.announcement_id());
  absl::StatusOr<DecodedRecord> record =
      CheckRecord(proof.announcement(), fact.position(), head, what);
  if (!record.ok()) return record.status();
  if (record->announcement.announcement_id() != fact.announcement_id()) {
    return Mismatch("the announcement", fact.announcement_id(),
                    record->announcement.announcement_id());
  }
  const std::optional<domain::StakeStatement> statement =
      domain::StakeStatementOf(record->announcement, fact.fact_index(), fact.part());
  if (!statement.has_value()) {
    return absl::DataLossError(
        absl::StrCat(what, " fact ", fact.fact_index(), " part ", fact.part(), " states no stake"));
  }
  if (absl::Status status = CheckStatement(fact, *statement); !status.ok()) {
    return absl::DataLossError(
        absl::StrCat(what, " fact ", fact.fact_index(), ": ", status.message()));
  }
  if (fact.holder() != claim.holder || fact.target() != claim.target) {
    return absl::DataLossError(absl::StrCat(what, " is about ", fact.holder(), " in ",
                                            fact.target(), ", not this line's pair"));
  }
  if (fact.position() > claim.known_at || fact.known_from() > claim.known_at) {
    return absl::DataLossError(absl::StrCat(what, " was not known at position ", claim.known_at));
  }
  if (fact.known_from() == fact.position()) {
    if (statement->effective_date != fact.effective_date()) {
      return Mismatch(absl::StrCat(what, ": the effective date"), fact.effective_date(),
                      statement->effective_date);
    }
  } else {
    if (!proof.has_correction() || fact.known_from() < fact.position()) {
      return absl::DataLossError(absl::StrCat(what, ": the correction at position ",
                                              fact.known_from(), " comes without its record"));
    }
    absl::StatusOr<DecodedRecord> correction = CheckRecord(
        proof.correction(), fact.known_from(), head, absl::StrCat("the correction of ", what));
    if (!correction.ok()) return correction.status();
    if (absl::Status status = CheckCorrection(fact, correction->announcement); !status.ok()) {
      return status;
    }
  }
  absl::StatusOr<domain::Date> date = domain::ParseDate(fact.effective_date());
  if (!date.ok() || date->FirstDayKey() > claim.as_of_day) {
    return absl::DataLossError(
        absl::StrCat(what, " takes effect ", fact.effective_date(), ", after the as-of date"));
  }
  return record;
}

std::tuple<int, uint64_t, uint32_t, uint32_t> FoldOrder(const v1::StakeEntry& fact) {
  absl::StatusOr<domain::Date> date = domain::ParseDate(fact.effective_date());
  return {date.ok() ? date->FirstDayKey() : 0, fact.position(), fact.fact_index(), fact.part()};
}

}  // namespace

std::string PercentText(int64_t ppm) {
  const uint64_t magnitude = ppm < 0 ? -static_cast<uint64_t>(ppm) : static_cast<uint64_t>(ppm);
  return absl::StrFormat("%s%d.%04d", ppm < 0 ? "-" : "", magnitude / 10'000, magnitude % 10'000);
}

absl::StatusOr<DecodedRecord> DecodeAnnouncementRecord(absl::string_view record) {
  DecodedRecord decoded;
  if (!decoded.event.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
    return absl::DataLossError("the record bytes do not decode");
  }
  if (decoded.event.event_type() != domain::kAnnouncementEventType) {
    return absl::DataLossError(absl::StrCat("the record at position ", decoded.event.position(),
                                            " is a '", decoded.event.event_type(),
                                            "', not an announcement"));
  }
  absl::StatusOr<v1::Announcement> announcement =
      domain::DecodeAnnouncement(decoded.event.content_type(), decoded.event.payload());
  if (!announcement.ok()) {
    return absl::DataLossError(absl::StrCat("the announcement at position ",
                                            decoded.event.position(),
                                            " does not parse: ", announcement.status().message()));
  }
  decoded.announcement = *std::move(announcement);
  return decoded;
}

absl::StatusOr<DecodedRecord> CheckAnswer(
    const AnswerClaim& claim, const google::protobuf::RepeatedPtrField<v1::StakeEntry>& basis,
    const google::protobuf::RepeatedPtrField<v1::FactProof>& proofs,
    const v1::SignedTreeHead& head) {
  if (basis.empty()) return absl::DataLossError("no fact backs the stake");
  if (proofs.size() != basis.size()) {
    return absl::DataLossError(
        absl::StrCat(basis.size(), " facts back the stake but ", proofs.size(), " proofs came"));
  }
  if (claim.known_at > head.tree_size()) {
    return absl::DataLossError(absl::StrCat("known at position ", claim.known_at,
                                            ", beyond the signed tree of size ", head.tree_size()));
  }
  absl::StatusOr<DecodedRecord> governing;
  int64_t ppm = 0;
  for (int i = 0; i < basis.size(); ++i) {
    if (i > 0 && FoldOrder(basis[i]) <= FoldOrder(basis[i - 1])) {
      return absl::DataLossError("the facts are not in fold order");
    }
    governing = CheckFact(claim, basis[i], proofs[i], head);
    if (!governing.ok()) return governing.status();
    ppm = basis[i].absolute() ? basis[i].ppm() : ppm + basis[i].ppm();
  }
  ppm = std::clamp<int64_t>(ppm, 0, domain::kWholeCompanyPpm);
  if (ppm != claim.ppm) {
    return absl::DataLossError(
        absl::StrCat("the stake is ", claim.ppm, " ppm but its facts fold to ", ppm, " ppm"));
  }
  if (claim.qualifier != basis[basis.size() - 1].qualifier()) {
    return Mismatch("the qualifier", v1::Qualifier_Name(claim.qualifier),
                    v1::Qualifier_Name(basis[basis.size() - 1].qualifier()));
  }
  return governing;
}

namespace {

absl::Status CheckStakePart(const v1::StakeResponse& answer, const v1::SignedTreeHead& head) {
  if (!answer.has_ppm()) return absl::OkStatus();
  absl::StatusOr<domain::Date> as_of = domain::ParseDate(answer.as_of());
  if (!as_of.ok()) return absl::DataLossError(absl::StrCat("as_of: ", as_of.status().message()));
  AnswerClaim claim;
  claim.holder = answer.holder();
  claim.target = answer.target();
  claim.ppm = answer.ppm().value();
  claim.qualifier = answer.qualifier();
  claim.as_of_day = as_of->LastDayKey();
  claim.known_at = answer.known_at_position();
  absl::Status status = CheckAnswer(claim, answer.basis(), answer.proofs(), head).status();
  if (status.ok()) return status;
  return absl::DataLossError(
      absl::StrCat(answer.holder(), " in ", answer.target(), ": ", status.message()));
}

}  // namespace

absl::Status VerifyStakeAnswer(const v1::StakeResponse& answer, const TrustedHead& head) {
  const v1::SignedTreeHead& proved = answer.tree_head();
  if (proved.tree_size() != head.tree_size || proved.root_hash() != head.root_hash) {
    return absl::DataLossError(
        absl::StrCat("the answer's proofs lead to the tree of size ", proved.tree_size(), ", root ",
                     verify::ToHex(proved.root_hash()), ", not to the verified head's"));
  }
  if (answer.parts().empty()) return CheckStakePart(answer, proved);
  int64_t total = 0;
  for (const v1::StakeResponse& part : answer.parts()) {
    if (absl::Status status = CheckStakePart(part, proved); !status.ok()) return status;
    total += part.ppm().value();
  }
  total = std::min<int64_t>(total, domain::kWholeCompanyPpm);
  if (answer.ppm().value() != total) {
    return absl::DataLossError(absl::StrCat("the look-through stake is ", answer.ppm().value(),
                                            " ppm but its parts add up to ", total, " ppm"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::AuditLine> MakeAuditLine(const v1::StakeResponse& stake) {
  if (stake.basis().empty() || stake.proofs_size() != stake.basis_size()) {
    return absl::FailedPreconditionError(absl::StrCat("the answer for ", stake.holder(), " in ",
                                                      stake.target(), " carries no proofs"));
  }
  const v1::StakeEntry& governing = stake.basis(stake.basis_size() - 1);
  absl::StatusOr<DecodedRecord> record =
      DecodeAnnouncementRecord(stake.proofs(stake.proofs_size() - 1).announcement().record());
  if (!record.ok()) return record.status();
  v1::AuditLine line;
  line.set_holder(stake.holder());
  line.set_target(stake.target());
  line.set_ppm(stake.ppm().value());
  line.set_percent(PercentText(stake.ppm().value()));
  line.set_qualifier(stake.qualifier());
  line.set_announcement_id(governing.announcement_id());
  line.set_announced_date(record->announcement.announced_date());
  line.set_effective_date(governing.effective_date());
  line.set_position(governing.position());
  *line.mutable_source() = record->announcement.source();
  line.set_quote(governing.quote());
  line.set_within_precision(stake.within_precision());
  *line.mutable_basis() = stake.basis();
  *line.mutable_proofs() = stake.proofs();
  return line;
}

namespace {

// The fields of `line` that name its governing announcement.
absl::Status CheckGoverning(const v1::AuditLine& line, const v1::StakeEntry& governing,
                            const v1::Announcement& announcement, int as_of_day) {
  if (line.announcement_id() != governing.announcement_id()) {
    return Mismatch("the announcement", line.announcement_id(), governing.announcement_id());
  }
  if (line.position() != governing.position()) {
    return Mismatch("the position", absl::StrCat(line.position()),
                    absl::StrCat(governing.position()));
  }
  if (line.effective_date() != governing.effective_date()) {
    return Mismatch("the effective date", line.effective_date(), governing.effective_date());
  }
  if (line.quote() != governing.quote())
    return Mismatch("the quote", line.quote(), governing.quote());
  if (line.announced_date() != announcement.announced_date()) {
    return Mismatch("the announced date", line.announced_date(), announcement.announced_date());
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(line.source(), announcement.source())) {
    return Mismatch("the source", line.source().ShortDebugString(),
                    announcement.source().ShortDebugString());
  }
  if (line.percent() != PercentText(line.ppm())) {
    return absl::DataLossError(
        absl::StrCat("the percentage ", line.percent(), " is not ", line.ppm(), " ppm"));
  }
  absl::StatusOr<domain::Date> date = domain::ParseDate(governing.effective_date());
  const bool within = date.ok() && as_of_day <= date->LastDayKey();
  if (line.within_precision() != within) {
    return absl::DataLossError("within_precision does not match the governing fact's date");
  }
  return absl::OkStatus();
}

absl::Status CheckLine(const v1::AuditReport& report, const v1::AuditLine& line, int as_of_day) {
  AnswerClaim claim;
  claim.holder = line.holder();
  claim.target = line.target();
  claim.ppm = line.ppm();
  claim.qualifier = line.qualifier();
  claim.as_of_day = as_of_day;
  claim.known_at = report.known_at_position();
  if (line.ppm() <= 0) return absl::DataLossError("a line with no stake above 0");
  absl::StatusOr<DecodedRecord> governing =
      CheckAnswer(claim, line.basis(), line.proofs(), report.tree_head());
  if (!governing.ok()) return governing.status();
  return CheckGoverning(line, line.basis(line.basis_size() - 1), governing->announcement,
                        as_of_day);
}

}  // namespace

absl::Status VerifyReport(const v1::AuditReport& report, absl::string_view public_key) {
  if (report.format() != kAuditReportFormat) {
    return absl::InvalidArgumentError(
        absl::StrCat("the format is '", report.format(), "', expected '", kAuditReportFormat, "'"));
  }
  const v1::SignedTreeHead& head = report.tree_head();
  absl::Status status = verify::VerifyTreeHeadSignature(
      public_key, head.tree_size(), head.root_hash(), head.timestamp_us(), head.signature());
  if (!status.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("the tree head's signature does not verify: ", status.message()));
  }
  absl::StatusOr<domain::Date> as_of = domain::ParseDate(report.as_of());
  if (!as_of.ok()) return absl::DataLossError(absl::StrCat("as_of: ", as_of.status().message()));
  if (report.known_at_position() > head.tree_size()) {
    return absl::DataLossError(absl::StrCat("known_at_position ", report.known_at_position(),
                                            " is beyond the signed tree of size ",
                                            head.tree_size()));
  }
  for (int i = 0; i < report.lines_size(); ++i) {
    const v1::AuditLine& line = report.lines(i);
    status = CheckLine(report, line, as_of->LastDayKey());
    if (status.ok() && i > 0 &&
        std::tie(line.target(), line.holder()) <=
            std::tie(report.lines(i - 1).target(), report.lines(i - 1).holder())) {
      status = absl::DataLossError("the lines are not in (target, holder) order, or repeat");
    }
    if (!status.ok()) {
      return absl::DataLossError(absl::StrCat("line ", i + 1, " (", line.holder(), " in ",
                                              line.target(), "): ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::clients
