// Key layout of the stake-ownership projection, relative to its prefix
// ("stake-ownership" NUL). Names never contain NUL (domain/names.h), so NUL
// separates them; integers are big-endian so byte order is numeric order.
//
//   p holder NUL target NUL start(4) position(8) fact(4) part(4) known_from(8)
//                                  -> StakeEntry   (one version of a fact,
//                                     without the fields its key holds)
//   f announcement                 -> AnnouncementVersions (fact_versions.h)
//   t target NUL holder            -> ""           (holders of a target)
//   S sponsor NUL fund             -> position(8)  (FundEstablished)
#ifndef STAKELEDGER_STORAGE_STAKE_KEYS_H_
#define STAKELEDGER_STORAGE_STAKE_KEYS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "rocksdb/slice_transform.h"
#include "stakeledger/v1/projections.pb.h"

namespace stakeledger::storage {

inline constexpr size_t kStakeEntrySuffixBytes = 4 + 8 + 4 + 4 + 8;
// What DATA_LOSS errors call a stake-ownership entry (the folds' and the
// queries').
inline constexpr char kStakeEntryWhat[] = "a stake-ownership entry";
static_assert(kStakeEntrySuffixBytes == 28, "start, position, fact, part, known_from");

void AppendBigEndian32(uint32_t value, std::string* out);
uint32_t ReadBigEndian32(absl::string_view bytes);

// "p" holder NUL target NUL: every version of every fact of the pair.
std::string StakePairPrefix(absl::string_view holder, absl::string_view target);
// REQUIRES: entry's effective_date parses (start_day is its first day).
std::string StakeEntryKey(const v1::StakeEntry& entry, int start_day);
// StakeEntryKey of a version given by its fields, into *key (its bytes
// replaced): a bulk fold builds millions into one buffer.
void StakeEntryKeyInto(absl::string_view holder, absl::string_view target, int start_day,
                       uint64_t position, uint32_t fact_index, uint32_t part, uint64_t known_from,
                       std::string* key);
// An entry's value (layout 3): `entry` without the fields its key holds
// (holder, target, position, fact_index, part, known_from), which a reader
// takes from the key (ParseStakeEntry). A fifth to a third of an entry's
// bytes, written millions of times by a rebuild.
std::string StakeEntryValue(v1::StakeEntry entry);
// The entry of `holder` and `target` whose key ends in `suffix` (the
// kStakeEntrySuffixBytes after StakePairPrefix) and whose value is `value`,
// into *entry. Returns false when the suffix is not that long or the value
// does not parse.
bool ParseStakeEntry(absl::string_view holder, absl::string_view target, absl::string_view suffix,
                     absl::string_view value, v1::StakeEntry* entry);
// The same given the whole entry key (StakeEntryKey); also false when the
// key is not an entry key.
bool ParseStakeEntry(absl::string_view key, absl::string_view value, v1::StakeEntry* entry);
// "p" holder NUL: the entries of every pair of the holder.
std::string StakeHolderPrefix(absl::string_view holder);
// tag 't': the holders of `first`.
std::string StakeMemberKey(char tag, absl::string_view first, absl::string_view second);
// StakeMemberKey into *key (its bytes replaced).
void StakeMemberKeyInto(char tag, absl::string_view first, absl::string_view second,
                        std::string* key);
std::string StakeFundKey(absl::string_view sponsor, absl::string_view fund);

// The projections family's prefix extractor: for an entry key of a pair
// of any generation (the projection prefix, then StakePairPrefix, or
// investment_keys.h DealPairPrefix, and the entry suffix) the prefix is
// everything up to and including the pair, so that a prefix Bloom filter
// tells whether an SST file holds any entry of a (holder, target) pair.
// Every other key of the family is out of its domain (kept out of the
// prefix filters, never filtered by them). Its name is stored in every SST
// file: changing what it extracts requires a new name.
std::shared_ptr<const rocksdb::SliceTransform> NewPairPrefixExtractor();

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_STAKE_KEYS_H_
