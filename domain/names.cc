#include "domain/names.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"

namespace stakeledger::domain {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Length of the UTF-8 sequence that starts with `lead`, 0 if none does.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Decodes the sequence at text[i]; sets *length to the bytes it used.
char32_t DecodeAt(absl::string_view text, size_t i, size_t* length) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const size_t n = SequenceLength(lead);
  *length = 1;
  if (n == 0 || i + n > text.size()) return kReplacement;
  if (n == 1) return lead;
  char32_t code = lead & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return kReplacement;
    code = (code << 6) | (next & 0x3F);
  }
  const bool overlong = (n == 3 && code < 0x800) || (n == 4 && code < 0x10000);
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (overlong || surrogate || code > 0x10FFFF) return kReplacement;
  *length = n;
  return code;
}

}  // namespace

std::u32string DecodeUtf8(absl::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t length = 1;
    out.push_back(DecodeAt(text, i, &length));
    i += length;
  }
  return out;
}

std::string NormalizeName(absl::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool pending_space = false;
  for (size_t i = 0; i < name.size();) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (absl::ascii_isspace(byte)) {
      pending_space = !out.empty();
      ++i;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    // Latin-1 capitals À..Þ (U+00C0..U+00DE, but × U+00D7) are C3 80..C3 9E;
    // their small letters are 0x20 further.
    if (byte == 0xC3 && i + 1 < name.size()) {
      const auto next = static_cast<unsigned char>(name[i + 1]);
      const bool capital = next >= 0x80 && next <= 0x9E && next != 0x97;
      out.push_back(name[i]);
      out.push_back(static_cast<char>(capital ? next + 0x20 : next));
      i += 2;
      continue;
    }
    out.push_back(absl::ascii_tolower(byte));
    ++i;
  }
  return out;
}

size_t EditDistance(absl::string_view a, absl::string_view b) {
  const std::u32string x = DecodeUtf8(a);
  const std::u32string y = DecodeUtf8(b);
  std::vector<size_t> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    size_t diagonal = row[0];  // distance(x[0..i-1), y[0..j-1))
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      const size_t above = row[j];
      const size_t replace = diagonal + (x[i - 1] == y[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, replace});
      diagonal = above;
    }
  }
  return row[y.size()];
}

}  // namespace stakeledger::domain
