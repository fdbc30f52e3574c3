// The read side of the investments projection (investment_projection.h).
#include <map>

#include "absl/strings/str_cat.h"
#include "storage/investment_keys.h"
#include "storage/investment_projection.h"
#include "storage/projection_cursor.h"
#include "storage/stake_keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

bool Visible(const v1::InvestmentEntry& entry, uint64_t known_at) {
  return entry.known_from() <= known_at &&
         (entry.known_until() == 0 || known_at < entry.known_until());
}

absl::StatusOr<v1::InvestmentEntry> DecodeEntry(const rocksdb::Iterator& it) {
  v1::InvestmentEntry entry;
  if (!entry.ParseFromArray(it.value().data(), static_cast<int>(it.value().size()))) {
    return absl::DataLossError(absl::StrCat(kInvestmentWhat, " does not parse"));
  }
  return entry;
}

// Sums the holder's visible capital entries (of `year`, or every year).
absl::Status SumCapital(const Database& db, absl::string_view holder, uint32_t year,
                        uint64_t known_at, std::map<CapitalKey, v1::CapitalRow>* capital,
                        std::map<CapitalKey, v1::CapitalRow>* totals) {
  ProjectionCursor cursor(
      db, kInvestmentsProjection,
      year == 0 ? CapitalHolderPrefix(holder) : CapitalYearPrefix(holder, year));
  const size_t year_offset = cursor.prefix().size() - (year == 0 ? 0 : 4);
  for (cursor.it()->SeekToFirst(); cursor.it()->Valid(); cursor.it()->Next()) {
    ASSIGN_OR_RETURN(v1::InvestmentEntry entry, DecodeEntry(*cursor.it()));
    if (!Visible(entry, known_at)) continue;
    const absl::string_view key = View(cursor.it()->key());
    if (key.size() < year_offset + 4) {
      return absl::DataLossError("an investments capital key is too short");
    }
    AddToCapital(entry, ReadBigEndian32(key.substr(year_offset, 4)), capital, totals);
  }
  return cursor.status();
}

// The governing fact of one deal: the last visible version starting on or
// before end_day; nullopt when there is none.
absl::StatusOr<std::optional<v1::InvestmentEntry>> GoverningDeal(const Database& db, char tag,
                                                                 absl::string_view holder,
                                                                 absl::string_view target,
                                                                 int end_day, uint64_t known_at) {
  ProjectionCursor cursor(db, kInvestmentsProjection, DealPairPrefix(tag, holder, target),
                          CursorScope::kPair);
  std::string seek = cursor.prefix();
  AppendBigEndian32(static_cast<uint32_t>(end_day), &seek);
  seek.append(kInvestmentVersionBytes, '\xff');
  for (cursor.it()->SeekForPrev(seek); cursor.it()->Valid(); cursor.it()->Prev()) {
    ASSIGN_OR_RETURN(v1::InvestmentEntry entry, DecodeEntry(*cursor.it()));
    if (Visible(entry, known_at)) return entry;
  }
  RETURN_IF_ERROR(cursor.status());
  return std::nullopt;
}

// The governing facts of the holder's deals of one kind, by target, kept
// when dated in `year` (or always, for year 0).
absl::StatusOr<std::vector<v1::InvestmentEntry>> ListDeals(const Database& db, char tag,
                                                           absl::string_view holder, uint32_t year,
                                                           uint64_t known_at) {
  const int end_day = year == 0 ? kEndOfTimeDay : static_cast<int>(year) * 10000 + 1231;
  std::vector<v1::InvestmentEntry> deals;
  ProjectionCursor members(db, kInvestmentsProjection, DealMemberKey(tag, holder, ""));
  for (members.it()->SeekToFirst(); members.it()->Valid(); members.it()->Next()) {
    const std::string target(members.Suffix());
    ASSIGN_OR_RETURN(auto governing, GoverningDeal(db, tag, holder, target, end_day, known_at));
    if (!governing.has_value()) continue;
    ASSIGN_OR_RETURN(int governing_year, EntryYear(*governing));
    if (year != 0 && static_cast<uint32_t>(governing_year) != year) continue;
    deals.push_back(*std::move(governing));
    if (deals.size() > kInvestmentRowsMax) break;  // FinishInvestments refuses it
  }
  RETURN_IF_ERROR(members.status());
  return deals;
}

}  // namespace

absl::StatusOr<v1::InvestmentsResponse> QueryInvestments(const Database& db,
                                                         absl::string_view holder, uint32_t year,
                                                         uint64_t known_at) {
  std::map<CapitalKey, v1::CapitalRow> capital, totals;
  RETURN_IF_ERROR(SumCapital(db, holder, year, known_at, &capital, &totals));
  v1::InvestmentsResponse response;
  ASSIGN_OR_RETURN(auto acquisitions, ListDeals(db, kAcquisitionDealTag, holder, year, known_at));
  for (v1::InvestmentEntry& entry : acquisitions) {
    v1::AcquisitionStatus* status = response.add_acquisitions();
    status->set_target(entry.target());
    status->set_stage(entry.stage());
    if (entry.has_amount()) *status->mutable_price() = entry.amount();
    *status->mutable_governing() = std::move(entry);
  }
  ASSIGN_OR_RETURN(auto ventures, ListDeals(db, kJointVentureDealTag, holder, year, known_at));
  for (v1::InvestmentEntry& entry : ventures) {
    v1::JointVentureShare* share = response.add_joint_ventures();
    share->set_venture(entry.target());
    if (entry.has_share()) *share->mutable_share() = entry.share();
    if (entry.has_venture_capital()) *share->mutable_venture_capital() = entry.venture_capital();
    *share->mutable_governing() = std::move(entry);
  }
  RETURN_IF_ERROR(FinishInvestments(holder, capital, totals, &response));
  return response;
}

}  // namespace stakeledger::storage
