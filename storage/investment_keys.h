// Key layout of the investments projection, relative to its prefix
// ("investments" NUL for generation 0). Names never contain NUL
// (domain/names.h), so NUL separates them; integers are big-endian so byte
// order is numeric order.
//
//   c holder NUL year(4) target NUL position(8) fact(4) part(4) known_from(8)
//                                -> InvestmentEntry (capital: participations,
//                                                    acquisitions)
//   d kind(1) holder NUL target NUL start(4) position(8) fact(4) part(4)
//     known_from(8)              -> InvestmentEntry (deals: acquisitions 'a',
//                                                    joint ventures 'j')
//   m kind(1) holder NUL target  -> ""  (the deals of a holder)
//   f announcement               -> AnnouncementVersions (fact_versions.h;
//                                   the first key of each version)
#ifndef STAKELEDGER_STORAGE_INVESTMENT_KEYS_H_
#define STAKELEDGER_STORAGE_INVESTMENT_KEYS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "stakeledger/v1/projections.pb.h"

namespace stakeledger::storage {

inline constexpr size_t kInvestmentVersionBytes = 8 + 4 + 4 + 8;
// What DATA_LOSS errors call an investments entry (the fold's and the
// query's).
inline constexpr char kInvestmentWhat[] = "an investments entry";
static_assert(kInvestmentVersionBytes == 24, "position, fact, part, known_from");
inline constexpr char kAcquisitionDealTag = 'a';
inline constexpr char kJointVentureDealTag = 'j';

// "c" holder NUL: every capital entry of the holder; with a year, of that
// year only.
std::string CapitalHolderPrefix(absl::string_view holder);
std::string CapitalYearPrefix(absl::string_view holder, uint32_t year);
// "d" tag holder NUL target NUL: every version of every deal fact of the pair.
std::string DealPairPrefix(char tag, absl::string_view holder, absl::string_view target);
// "m" tag holder NUL (target): the deals of the holder.
std::string DealMemberKey(char tag, absl::string_view holder, absl::string_view target);

// Every index key of one version of `entry`, the capital key (if any)
// first. REQUIRES: start_day is the first day of entry's effective date,
// year its year.
std::vector<std::string> InvestmentEntryKeys(const v1::InvestmentEntry& entry, int start_day,
                                             uint32_t year);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_INVESTMENT_KEYS_H_
