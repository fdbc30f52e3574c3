// Comparing entity names. Latin script compares case-insensitively
// ("softbank" finds "SoftBank"); Hangul, kana and kanji compare exactly
// ("엔비디아"). Surrounding white space is ignored and inner runs of white
// space count as one space.
#ifndef STAKELEDGER_DOMAIN_NAMES_H_
#define STAKELEDGER_DOMAIN_NAMES_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace stakeledger::domain {

// The form names are compared in: ASCII and Latin-1 capitals lowered
// (A-Z, À-Þ but ×), other characters kept as they are, white space trimmed
// and collapsed to single spaces. Idempotent. A byte that is not valid
// UTF-8 is kept as it is.
std::string NormalizeName(absl::string_view name);

// The code points of UTF-8 `text`; a byte that does not start a valid
// sequence becomes U+FFFD.
std::u32string DecodeUtf8(absl::string_view text);

// Levenshtein distance between two strings in code points (insert, delete
// or replace one code point costs 1). Linear memory.
size_t EditDistance(absl::string_view a, absl::string_view b);

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_NAMES_H_
