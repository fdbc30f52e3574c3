#include "storage/uuid.h"

#include "absl/random/random.h"
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
  // Event ids need uniqueness, not secrecy: a per-thread generator seeded
  // from the OS avoids a getrandom() system call per event on the write
  // path.
  thread_local absl::BitGen generator;
  std::string bytes(16, '\0');
  for (size_t i = 0; i < bytes.size(); i += 8) {
    const uint64_t word = absl::Uniform<uint64_t>(generator);
    for (size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<char>(word >> (8 * j));
  }
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return bytes;
}

std::string UuidV7Generator::Next(int64_t unix_ms) {
  if (unix_ms > last_ms_) {
    last_ms_ = unix_ms;
    high_ = 0;
    // Leave half the range for counting up within the millisecond.
    low_ = absl::Uniform<uint64_t>(generator_) >> (64 - kLowBits + 1);
  } else if (++low_ >> kLowBits != 0) {
    low_ = 0;
    ++high_;
    CHECK(high_ < (1u << 12));
  }
  std::string bytes(16, '\0');
  const auto ms = static_cast<uint64_t>(last_ms_);
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<char>(ms >> (8 * (5 - i)));
  bytes[6] = static_cast<char>(0x70 | (high_ >> 8));  // version 7
  bytes[7] = static_cast<char>(high_ & 0xff);
  bytes[8] = static_cast<char>(0x80 | (low_ >> 56));  // RFC 9562 variant
  for (int i = 9; i < 16; ++i) bytes[i] = static_cast<char>(low_ >> (8 * (15 - i)));
  return bytes;
}

}  // namespace stakeledger::storage
