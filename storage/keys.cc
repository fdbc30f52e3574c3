#include "storage/keys.h"

#include "storage/check.h"

namespace stakeledger::storage {

void AppendBigEndian64(uint64_t value, std::string* out) {
  char bytes[8];
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  out->append(bytes, sizeof(bytes));
}

uint64_t ReadBigEndian64(absl::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return value;
}

std::string EncodePosition(uint64_t position) {
  std::string key;
  AppendBigEndian64(position, &key);
  return key;
}

std::string EncodeStreamKey(uint64_t stream_id, uint64_t revision) {
  std::string key;
  key.reserve(kStreamKeyBytes);
  AppendBigEndian64(stream_id, &key);
  AppendBigEndian64(revision, &key);
  return key;
}

std::string EncodeMerkleKey(uint64_t leaf) { return EncodePosition(leaf); }

uint64_t MerkleEntryLeaf(int level, uint64_t index) {
  CHECK(level >= 0);
  CHECK(level < 64);
  // (index + 1) << level may be exactly 2^64 (the last node of a full
  // 64-bit tree), so shift index and add the ones below instead.
  CHECK(level == 0 || (index >> (64 - level)) == 0);
  return (index << level) + ((uint64_t{1} << level) - 1);
}

int MerkleEntryLevels(uint64_t leaf) {
  CHECK(leaf != UINT64_MAX);
  return 1 + __builtin_ctzll(~leaf);
}

std::string EncodeStreamHead(const StreamHead& head) {
  std::string bytes;
  bytes.reserve(kStreamHeadBytes);
  AppendBigEndian64(head.stream_id, &bytes);
  AppendBigEndian64(head.last_revision, &bytes);
  AppendBigEndian64(head.first_position, &bytes);
  AppendBigEndian64(head.last_position, &bytes);
  return bytes;
}

bool DecodeStreamHead(absl::string_view bytes, StreamHead* head) {
  if (bytes.size() != kStreamHeadBytes) return false;
  head->stream_id = ReadBigEndian64(bytes.substr(0));
  head->last_revision = ReadBigEndian64(bytes.substr(8));
  head->first_position = ReadBigEndian64(bytes.substr(16));
  head->last_position = ReadBigEndian64(bytes.substr(24));
  return true;
}

}  // namespace stakeledger::storage
