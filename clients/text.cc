#include "clients/text.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "domain/date.h"

namespace stakeledger::clients {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when the bytes
// there are not one (RFC 3629, table 3-7 of the Unicode standard).
size_t SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // Overlong below U+0800.
    if (lead == 0xED) second_max = 0x9F;  // Surrogates U+D800..U+DFFF.
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // Overlong below U+10000.
    if (lead == 0xF4) second_max = 0x8F;  // Above U+10FFFF.
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < second_min || byte(i + 1) > second_max) return 0;
  for (size_t k = i + 2; k < i + length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

// Bytes taken by the first `count` code points of `text` (invalid bytes
// count as one code point each).
size_t PrefixBytes(absl::string_view text, size_t count) {
  size_t i = 0;
  for (size_t n = 0; n < count && i < text.size(); ++n) {
    const size_t length = SequenceLength(text, i);
    i += length == 0 ? 1 : length;
  }
  return i;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++width) {
    const size_t length = SequenceLength(text, i);
    i += length == 0 ? 1 : length;
  }
  return width;
}

std::string FitToWidth(absl::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  std::string fitted(text.substr(0, PrefixBytes(text, width - 1)));
  fitted += kEllipsis;
  return fitted;
}

std::string CountText(uint64_t count, absl::string_view singular, absl::string_view plural) {
  return absl::StrCat(count, " ", count == 1 ? singular : plural);
}

absl::Status CheckUnsignedText(absl::string_view text, uint64_t max) {
  // SimpleAtoi alone accepts a sign and surrounding spaces, and CLI11 would
  // wrap "-3" round to 2^64 - 3; only plain digits are a count or position.
  const bool digits_only = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  uint64_t value = 0;
  if (digits_only && absl::SimpleAtoi(text, &value) && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("expected a whole number from 0 to ", max, ", got \"", text, "\""));
}

absl::Status CheckKnownAtText(absl::string_view text) {
  // As ProjectionQueries::ResolveKnownAt reads it: a position first, else
  // a time.
  uint64_t position = 0;
  absl::Time time;
  std::string error;
  if (absl::SimpleAtoi(text, &position) ||
      absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "expected a log position or an RFC 3339 time, e.g. 53 or 2026-11-24T05:41:45.505597Z, "
      "got \"",
      text, "\""));
}

absl::Status CheckYearText(absl::string_view text) {
  const bool four_digits = text.size() == 4 && std::all_of(text.begin(), text.end(), [](char c) {
                             return c >= '0' && c <= '9';
                           });
  if (four_digits) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("expected a year, e.g. 2024, got \"", text, "\""));
}

absl::Status CheckDateText(absl::string_view text) { return domain::ParseDate(text).status(); }

}  // namespace stakeledger::clients
