// The read side of the stake-ownership projection (stake_projection.h).
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "storage/keys.h"
#include "storage/projection_cursor.h"
#include "storage/stake_keys.h"
#include "storage/stake_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
namespace {

bool Visible(const v1::StakeEntry& entry, uint64_t known_at) {
  return entry.known_from() <= known_at &&
         (entry.known_until() == 0 || known_at < entry.known_until());
}

// The entry at a pair cursor (CursorScope::kPair over StakePairPrefix).
absl::StatusOr<v1::StakeEntry> DecodeEntry(absl::string_view holder, absl::string_view target,
                                           const ProjectionCursor& cursor) {
  v1::StakeEntry entry;
  if (!ParseStakeEntry(holder, target, cursor.Suffix(), cursor.Value(), &entry)) {
    return absl::DataLossError(absl::StrCat(kStakeEntryWhat, " does not parse"));
  }
  return entry;
}

// The holders of `target`, from its member keys.
absl::StatusOr<std::vector<StakeHolding>> QueryHolderMembers(const Database& db,
                                                             absl::string_view target,
                                                             int as_of_day, uint64_t known_at) {
  std::vector<StakeHolding> result;
  ProjectionCursor cursor(db, kStakeOwnershipProjection, StakeMemberKey('t', target, ""));
  for (cursor.it()->SeekToFirst(); cursor.it()->Valid(); cursor.it()->Next()) {
    std::string holder(cursor.Suffix());
    ASSIGN_OR_RETURN(StakeAnswer answer, QueryStake(db, holder, target, as_of_day, known_at));
    if (answer.ppm.has_value() && *answer.ppm > 0) result.push_back({holder, std::move(answer)});
  }
  RETURN_IF_ERROR(cursor.status());
  return result;
}

}  // namespace

absl::StatusOr<StakeAnswer> QueryStake(const Database& db, absl::string_view holder,
                                       absl::string_view target, int as_of_day, uint64_t known_at) {
  ProjectionCursor cursor(db, kStakeOwnershipProjection, StakePairPrefix(holder, target),
                          CursorScope::kPair);
  std::string seek = cursor.prefix();
  AppendBigEndian32(static_cast<uint32_t>(as_of_day), &seek);
  seek.append(kStakeEntrySuffixBytes - 4, '\xff');
  // Walk back from the last fact effective on or before as_of to the last
  // absolute one; only the facts from there on decide the answer.
  std::vector<v1::StakeEntry> folded;
  for (cursor.it()->SeekForPrev(seek); cursor.it()->Valid(); cursor.it()->Prev()) {
    ASSIGN_OR_RETURN(v1::StakeEntry entry, DecodeEntry(holder, target, cursor));
    if (!Visible(entry, known_at)) continue;
    const bool absolute = entry.absolute();
    folded.push_back(std::move(entry));
    if (absolute) break;
  }
  RETURN_IF_ERROR(cursor.status());
  std::reverse(folded.begin(), folded.end());
  StakeAnswer answer = FoldStake(folded, as_of_day);
  answer.basis = std::move(folded);
  return answer;
}

absl::StatusOr<std::vector<StakeHolding>> QueryHolders(const Database& db, absl::string_view target,
                                                       int as_of_day, uint64_t known_at) {
  return QueryHolderMembers(db, target, as_of_day, known_at);
}

absl::StatusOr<std::vector<StakeHolding>> QueryPortfolio(const Database& db,
                                                         absl::string_view holder, int as_of_day,
                                                         uint64_t known_at) {
  // The targets of a holder are the pairs under its prefix: one seek per
  // target, past that pair's entries.
  std::vector<StakeHolding> result;
  ProjectionCursor cursor(db, kStakeOwnershipProjection, StakeHolderPrefix(holder));
  for (cursor.it()->SeekToFirst(); cursor.it()->Valid();) {
    const absl::string_view rest = cursor.Suffix();
    const size_t nul = rest.find('\0');
    if (nul == absl::string_view::npos) {
      return absl::DataLossError(absl::StrCat(kStakeEntryWhat, " key has no target"));
    }
    std::string target(rest.substr(0, nul));
    ASSIGN_OR_RETURN(StakeAnswer answer, QueryStake(db, holder, target, as_of_day, known_at));
    if (answer.ppm.has_value() && *answer.ppm > 0) result.push_back({target, std::move(answer)});
    // Names hold no NUL: every key of this pair starts with target NUL,
    // and target 0x01 is the least key after them all.
    cursor.it()->Seek(absl::StrCat(cursor.prefix(), target, "\x01"));
  }
  RETURN_IF_ERROR(cursor.status());
  return result;
}

absl::StatusOr<StakePage> QueryAllStakes(const Database& db, int as_of_day, uint64_t known_at,
                                         absl::string_view after, size_t pairs_max) {
  StakePage page;
  ProjectionCursor cursor(db, kStakeOwnershipProjection, "t");
  if (after.empty()) {
    cursor.it()->SeekToFirst();
  } else {
    cursor.it()->Seek(absl::StrCat(cursor.prefix(), after));
    if (cursor.it()->Valid() && cursor.Suffix() == after) cursor.it()->Next();
  }
  // Pairs with no stake above 0 are passed over but still counted, so that
  // one page's work stays bounded whatever the state at as_of.
  size_t visited = 0;
  std::string last;
  for (; cursor.it()->Valid(); cursor.it()->Next()) {
    if (visited == pairs_max) {
      page.next_after = last;
      break;
    }
    ++visited;
    const absl::string_view member = cursor.Suffix();
    last = std::string(member);
    const size_t nul = member.find('\0');
    if (nul == absl::string_view::npos) {
      return absl::DataLossError("a stake-ownership member key has no separator");
    }
    std::string target(member.substr(0, nul));
    std::string holder(member.substr(nul + 1));
    ASSIGN_OR_RETURN(StakeAnswer answer, QueryStake(db, holder, target, as_of_day, known_at));
    if (!answer.ppm.has_value() || *answer.ppm <= 0) continue;
    page.stakes.push_back({std::move(holder), std::move(target), std::move(answer)});
  }
  RETURN_IF_ERROR(cursor.status());
  return page;
}

absl::StatusOr<std::vector<TimelineStep>> QueryTimeline(const Database& db,
                                                        absl::string_view holder,
                                                        absl::string_view target,
                                                        uint64_t known_at) {
  std::vector<TimelineStep> steps;
  int64_t ppm = 0;
  ProjectionCursor cursor(db, kStakeOwnershipProjection, StakePairPrefix(holder, target),
                          CursorScope::kPair);
  for (cursor.it()->Seek(cursor.prefix()); cursor.it()->Valid(); cursor.it()->Next()) {
    ASSIGN_OR_RETURN(v1::StakeEntry entry, DecodeEntry(holder, target, cursor));
    if (!Visible(entry, known_at)) continue;
    ppm = entry.absolute() ? entry.ppm() : ppm + entry.ppm();
    steps.push_back({std::move(entry), std::clamp<int64_t>(ppm, 0, kWholePpm)});
  }
  RETURN_IF_ERROR(cursor.status());
  return steps;
}

absl::StatusOr<std::vector<v1::StakeEntry>> QueryPairVersions(const Database& db,
                                                              absl::string_view holder,
                                                              absl::string_view target) {
  std::vector<v1::StakeEntry> versions;
  ProjectionCursor cursor(db, kStakeOwnershipProjection, StakePairPrefix(holder, target),
                          CursorScope::kPair);
  for (cursor.it()->Seek(cursor.prefix()); cursor.it()->Valid(); cursor.it()->Next()) {
    ASSIGN_OR_RETURN(v1::StakeEntry entry, DecodeEntry(holder, target, cursor));
    versions.push_back(std::move(entry));
  }
  RETURN_IF_ERROR(cursor.status());
  return versions;
}

absl::StatusOr<std::vector<std::string>> QueryFunds(const Database& db, absl::string_view sponsor,
                                                    uint64_t known_at) {
  std::vector<std::string> funds;
  ProjectionCursor cursor(db, kStakeOwnershipProjection, StakeFundKey(sponsor, ""));
  for (cursor.it()->SeekToFirst(); cursor.it()->Valid(); cursor.it()->Next()) {
    if (cursor.it()->value().size() != kPositionBytes) {
      return absl::DataLossError("a stake-ownership fund entry is not a position");
    }
    if (ReadBigEndian64(View(cursor.it()->value())) > known_at) continue;
    funds.emplace_back(cursor.Suffix());
  }
  RETURN_IF_ERROR(cursor.status());
  return funds;
}

}  // namespace stakeledger::storage
