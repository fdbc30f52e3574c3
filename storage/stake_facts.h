// The stake facts of an announcement, and the bitemporal fold over them
// that DESIGN.md "Projections and time" defines. Pure functions, no
// storage: the stake-ownership index (stake_projection.h) must give the
// same answers as NaiveStake, which replays a log prefix (the property test
// checks it, docs/projections.md states the semantics).
#ifndef STAKELEDGER_STORAGE_STAKE_FACTS_H_
#define STAKELEDGER_STORAGE_STAKE_FACTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/announcement.pb.h"
#include "stakeledger/v1/projections.pb.h"
#include "storage/announcement_view.h"

namespace stakeledger::storage {

inline constexpr int64_t kWholePpm = 1'000'000;

// A correction of earlier facts, in the order of the announcement.
struct StakeCorrection {
  std::string announcement_id;
  // Empty: every fact of that announcement.
  std::vector<uint32_t> fact_indexes;
  // Empty: the facts are withdrawn (RETRACT, or SUPERSEDE by this
  // announcement's own facts). Set: they stand but take effect then.
  std::string corrected_date;
};

// The correction a Correction fact makes (corrected_date only with
// SUPERSEDE). Shared by the projections' fact extraction.
// Errors: INVALID_ARGUMENT for an unparseable corrected date.
absl::StatusOr<StakeCorrection> ReadCorrection(const v1::Correction& correction);

// Checks that `date`, the effective date of fact `fact_index` of
// `announcement`, parses. Errors: INVALID_ARGUMENT naming the announcement
// and the fact.
absl::Status CheckFactDate(const v1::Announcement& announcement, uint32_t fact_index,
                           absl::string_view date);

// A fact's effective date, or the announcement's announced_date when the
// fact has none.
const std::string& DateOr(const std::string& date, const v1::Announcement& announcement);

// An entry (v1::StakeEntry, v1::InvestmentEntry) of fact `index` with what
// every entry of a fact shares: announcement_id, fact_index, quote,
// position, recorded_at_us and known_from (= position).
template <typename Entry>
Entry BaseEntry(const v1::Announcement& announcement, const v1::Fact& fact, uint32_t index,
                uint64_t position, int64_t recorded_at_us) {
  Entry entry;
  entry.set_announcement_id(announcement.announcement_id());
  entry.set_fact_index(index);
  entry.set_quote(fact.quote());
  entry.set_position(position);
  entry.set_recorded_at_us(recorded_at_us);
  entry.set_known_from(position);
  return entry;
}

// One stake fact as ExtractFacts reads it (of one JointVenturePartner for
// a joint venture). Its strings view the announcement.
struct StakeFactView {
  uint32_t fact_index = 0;
  // The partner's index for a joint venture, else 0.
  uint32_t part = 0;
  absl::string_view holder;
  absl::string_view target;
  // The fact's, or the announcement's announced_date when it has none.
  absl::string_view effective_date;
  absl::string_view quote;
  bool absolute = false;
  int64_t ppm = 0;
  v1::Qualifier qualifier = v1::QUALIFIER_UNSPECIFIED;
  // The first day (YYYYMMDD) of effective_date's period.
  int start_day = 0;
};

// Takes what changes ownership in an announcement, fact by fact, in order.
class StakeFactSink {
 public:
  virtual ~StakeFactSink() = default;
  // `stake` is valid only during the call.
  virtual void Stake(const StakeFactView& stake) = 0;
  virtual void Correction(StakeCorrection correction) = 0;
  virtual void Fund(absl::string_view fund, absl::string_view sponsor) = 0;
};

// The one reading of an announcement's facts (ExtractFacts's semantics,
// below): hands each stake fact, correction and fund to `sink` as it reads
// it, without building messages, each date parsed once. Returns the
// announcement's fact count. Thread-safe (for distinct sinks). Errors: as
// ExtractFacts; the sink may have taken some facts by then, which the
// caller then drops.
absl::StatusOr<uint32_t> VisitFacts(const AnnouncementView& announcement, StakeFactSink* sink);
// The same of a message, through its view.
absl::StatusOr<uint32_t> VisitFacts(const v1::Announcement& announcement, StakeFactSink* sink);

struct AnnouncementFacts {
  // Stake facts with holder, target, fact_index, part, effective_date,
  // absolute, ppm, qualifier, quote, announcement_id set; position,
  // recorded_at_us and known_from from the arguments; known_until 0.
  std::vector<v1::StakeEntry> stakes;
  std::vector<StakeCorrection> corrections;
  // (fund, sponsor) of each FundEstablished fact.
  std::vector<std::pair<std::string, std::string>> funds;
  uint32_t fact_count = 0;
};

// Extracts what changes ownership: StakeChange (resulting_stake is
// absolute, else change is a delta), COMPLETED acquisitions (stake unset =
// the whole), joint-venture partners' shares. Warrants, announced or
// terminated acquisitions and funding rounds are not ownership. A fact
// without effective_date takes the announcement's announced_date.
// Errors: INVALID_ARGUMENT for an unparseable date (a correction's first,
// else the first stake fact's).
absl::StatusOr<AnnouncementFacts> ExtractFacts(const AnnouncementView& announcement,
                                               uint64_t position, int64_t recorded_at_us);
absl::StatusOr<AnnouncementFacts> ExtractFacts(const v1::Announcement& announcement,
                                               uint64_t position, int64_t recorded_at_us);

// The first and last day (YYYYMMDD) of a date string's period.
// Errors: INVALID_ARGUMENT as domain::ParseDate.
absl::StatusOr<std::pair<int, int>> DatePeriod(absl::string_view date);

// An answer to state(as_of, known_at) for one (holder, target).
struct StakeAnswer {
  // Unset when no fact is effective on or before as_of.
  std::optional<int64_t> ppm;
  v1::Qualifier qualifier = v1::QUALIFIER_UNSPECIFIED;
  // The last fact folded: the one that governs the answer.
  v1::StakeEntry governing;
  // as_of lies within the governing fact's date period.
  bool within_precision = false;
  // The facts folded, in fold order (the governing one last): set by the
  // indexed query (QueryStake), so that an answer can be proved fact by
  // fact; empty from NaiveStake.
  std::vector<v1::StakeEntry> basis;
};

// Folds `facts` (already filtered to one pair, corrected, effective on or
// before as_of, in (period start, position, fact_index, part) order): the
// last absolute stake plus the deltas after it, clamped to 0..kWholePpm.
StakeAnswer FoldStake(const std::vector<v1::StakeEntry>& facts, int as_of_day);

// One event of a log prefix, for the naive replay.
struct LoggedAnnouncement {
  uint64_t position = 0;
  int64_t recorded_at_us = 0;
  v1::Announcement announcement;
};

// The reference semantics: takes the events at positions <= known_at,
// applies the corrections among them in log order, keeps the facts of
// (holder, target) effective on or before as_of_day and folds them.
// Cost grows with the log; for tests and replay only.
absl::StatusOr<StakeAnswer> NaiveStake(const std::vector<LoggedAnnouncement>& log,
                                       absl::string_view holder, absl::string_view target,
                                       int as_of_day, uint64_t known_at);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_STAKE_FACTS_H_
