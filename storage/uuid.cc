#include "storage/uuid.h"

#include <sodium.h>

#include "storage/check.h"

namespace stakeledger::storage {
namespace {

constexpr size_t kUuidTextBytes = 36;
constexpr char kHexDigits[] = "0123456789abcdef";

bool IsDashAt(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool ParseUuid(absl::string_view text, std::string* bytes) {
  if (text.size() != kUuidTextBytes) return false;
  std::string out;
  out.reserve(16);
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsDashAt(i)) {
      if (text[i] != '-') return false;
      continue;
    }
    const int nibble = HexValue(text[i]);
    if (nibble < 0) return false;
    if (high < 0) {
      high = nibble;
    } else {
      out.push_back(static_cast<char>((high << 4) | nibble));
      high = -1;
    }
  }
  CHECK(out.size() == 16);
  *bytes = std::move(out);
  return true;
}

std::string FormatUuid(absl::string_view bytes) {
  CHECK(bytes.size() == 16);
  std::string text;
  text.reserve(kUuidTextBytes);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    const auto byte = static_cast<uint8_t>(bytes[i]);
    text.push_back(kHexDigits[byte >> 4]);
    text.push_back(kHexDigits[byte & 0x0f]);
  }
  return text;
}

std::string RandomUuidBytes() {
  std::string bytes(16, '\0');
  // randombytes_buf is thread-safe once sodium_init has run.
  static const bool sodium_ready = sodium_init() >= 0;
  CHECK(sodium_ready);
  randombytes_buf(bytes.data(), bytes.size());
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return bytes;
}

}  // namespace stakeledger::storage
