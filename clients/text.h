// UTF-8 aware text helpers for ledgerctl's tables. Widths are counted in code
// points, which lines up Latin, Greek, Cyrillic and the like; wide CJK
// characters and emoji take two terminal cells and will push a row out.
#ifndef STAKELEDGER_CLIENTS_TEXT_H_
#define STAKELEDGER_CLIENTS_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace stakeledger::clients {

// The mark left where text was cut short.
inline constexpr char kEllipsis[] = "\u2026";

// True when `text` is well-formed UTF-8: no stray continuation bytes, no
// overlong forms, no surrogates, nothing above U+10FFFF. Empty text is valid.
bool IsValidUtf8(absl::string_view text);

// Code points in `text`; a byte that does not start a valid sequence counts
// as one.
size_t DisplayWidth(absl::string_view text);

// `text` itself when it is at most `width` code points; otherwise its first
// `width - 1` code points followed by kEllipsis (just kEllipsis for width 1,
// "" for width 0). Never splits a code point.
std::string FitToWidth(absl::string_view text, size_t width);

// "1 file", "0 files", "2 files": `count` and the noun that goes with it.
std::string CountText(uint64_t count, absl::string_view singular, absl::string_view plural);

// OK when `text` is an unsigned decimal number from 0 to `max`: digits only
// (no sign, spaces, or 0x), any number of them as long as the value fits.
// Otherwise InvalidArgument saying what was expected, e.g. for "-3".
absl::Status CheckUnsignedText(absl::string_view text, uint64_t max);

// OK when `text` is what ledgerd takes as a --known-at: a log position or an
// RFC 3339 time (the server's own rule, checked here so that a typo is a
// usage error with an example instead of a parser's "Failed to parse
// input"). Otherwise InvalidArgument with an example of each form.
absl::Status CheckKnownAtText(absl::string_view text);

// OK when `text` is a year, four digits ("2024"); otherwise InvalidArgument
// "expected a year, e.g. 2024". The server refuses year 0 itself.
absl::Status CheckYearText(absl::string_view text);

// OK when `text` is a date of year, month or day precision (domain/date.h:
// "2018", "2018-06", "2018-06-30"); otherwise ParseDate's InvalidArgument
// ("'2018-13' is not a date: month must be 01..12").
absl::Status CheckDateText(absl::string_view text);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_TEXT_H_
