// Protobuf wire bytes written straight from views, for the bulk fold's
// values: building a message first copies every string into it and then
// out again, and checks each for UTF-8, which the log's decoding already
// did. The caller writes fields in number order and leaves proto3 defaults
// out (String, Number), as SerializeToString does; the bytes are then those
// of the message. wire_bytes_test.cc compares them with protobuf's.
#ifndef STAKELEDGER_STORAGE_WIRE_BYTES_H_
#define STAKELEDGER_STORAGE_WIRE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace stakeledger::storage {

// Writes at a pointer, into room the caller made (ByteArena::Reserve): at
// most kNumberBytesMax bytes per Number and StringBytesMax per String. For
// the bytes of millions of values, where a string's append costs a call
// and a capacity check per field.
class WireCursor {
 public:
  // A tag (a 32-bit varint) and a 64-bit varint: a number, or a length.
  static constexpr size_t kNumberBytesMax = 15;
  static size_t StringBytesMax(absl::string_view value) { return kNumberBytesMax + value.size(); }

  explicit WireCursor(char* at) : at_(at) {}
  // Where the next byte goes.
  char* at() const { return at_; }

  // As WireBytes's.
  void String(uint32_t field, absl::string_view value) {
    if (value.empty()) return;
    Pair(field << 3 | kLengthDelimited, value.size());
    std::memcpy(at_, value.data(), value.size());
    at_ += value.size();
  }
  void Number(uint32_t field, uint64_t value) {
    if (value != 0) Pair(field << 3 | kVarint, value);
  }

  // Writes `value` at `bytes`; returns how many bytes it took (at most 10).
  static size_t Varint(uint64_t value, char* bytes) {
    size_t n = 0;
    while (value >= 0x80) {
      bytes[n++] = static_cast<char>(value | 0x80);
      value >>= 7;
    }
    bytes[n++] = static_cast<char>(value);
    return n;
  }

 private:
  static constexpr uint32_t kVarint = 0;
  static constexpr uint32_t kLengthDelimited = 2;

  void Pair(uint32_t tag, uint64_t value) {
    at_ += Varint(tag, at_);
    at_ += Varint(value, at_);
  }

  char* at_;
};

// Appends to a string it does not own. Not thread-safe.
class WireBytes {
 public:
  explicit WireBytes(std::string* out) : out_(out) {}

  // A singular string or bytes field: nothing when empty. Returns where
  // its bytes begin in the output (its size when empty), for a view of
  // them.
  size_t String(uint32_t field, absl::string_view value) {
    if (!value.empty()) Bytes(field, value);
    return out_->size() - value.size();
  }
  // One element of a repeated string or bytes field: written even when
  // empty.
  void Bytes(uint32_t field, absl::string_view value) {
    Length(field, value.size());
    out_->append(value.data(), value.size());
  }
  // A singular integer, bool or enum field: nothing when 0. A negative
  // int64 or enum is passed as its two's-complement 64 bits.
  void Number(uint32_t field, uint64_t value) {
    if (value != 0) Pair(field << 3 | kVarint, value);
  }
  // The tag and length of a length-delimited field whose `size` bytes the
  // caller appends next (an embedded message).
  void Length(uint32_t field, size_t size) { Pair(field << 3 | kLengthDelimited, size); }

  // How many bytes Bytes(field, value) appends, for an embedded message's
  // length. REQUIRES: field < 16 (a one-byte tag).
  static size_t BytesSize(absl::string_view value) {
    return 1 + VarintSize(value.size()) + value.size();
  }

 private:
  static constexpr uint32_t kVarint = 0;
  static constexpr uint32_t kLengthDelimited = 2;

  static size_t VarintSize(uint64_t value) {
    size_t n = 1;
    while (value >= 0x80) {
      value >>= 7;
      ++n;
    }
    return n;
  }
  // A tag and a varint, in one append: a version's head takes a dozen.
  void Pair(uint32_t tag, uint64_t value) {
    char bytes[15];
    size_t n = WireCursor::Varint(tag, bytes);
    n += WireCursor::Varint(value, bytes + n);
    out_->append(bytes, n);
  }
  std::string* out_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_WIRE_BYTES_H_
