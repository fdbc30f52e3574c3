// Protobuf binary wire bytes read as views, without messages: the reading
// side of wire_bytes.h, for decoding announcements on the rebuild's hot
// path (announcement_view.h). Parsing into a message copies every string,
// allocates and frees the one-of parts, and checks UTF-8 on the way; most
// of it is then read once and dropped.
//
// A reader here must never read bytes differently from protobuf's parser.
// It accepts only the plain forms, which are what protobuf itself writes,
// and reads those exactly as protobuf does (the UTF-8 check is protobuf's
// own). On anything else (malformed bytes, groups, a varint whose unused
// bits are set, a field of the wrong wire type) it answers false, and the
// caller leaves the bytes to protobuf: a message parse, which gives the
// authoritative result or error. announcement_view_test.cc compares both
// ways on random and mutated bytes.
#ifndef STAKELEDGER_STORAGE_WIRE_READER_H_
#define STAKELEDGER_STORAGE_WIRE_READER_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "storage/utf8.h"

namespace stakeledger::storage {

enum WireType : int {
  kWireVarint = 0,
  kWireFixed64 = 1,
  kWireDelimited = 2,
  kWireFixed32 = 5,
};

// One field as it appears on the wire.
struct WireField {
  uint32_t number = 0;
  int wire_type = kWireVarint;
  // The value of a varint field.
  uint64_t varint = 0;
  // The bytes of a length-delimited field.
  absl::string_view bytes;
};

// Reads the fields of one message in the order they appear. Not
// thread-safe; views the bytes it was given.
class WireReader {
 public:
  explicit WireReader(absl::string_view bytes)
      : next_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool done() const { return next_ == end_; }
  // Reads the next field into *field. False (the reader must not be used
  // then) when the bytes are malformed or take a form left to protobuf:
  // a group, a wire type 6 or 7, field number 0, a tag of more than four
  // bytes, a length of more than five.
  // REQUIRES: !done().
  bool Next(WireField* field) {
    // Inline, the most common fields: a one-byte tag with a one-byte
    // varint or length (field numbers below 16, strings below 128 bytes).
    if (end_ - next_ >= 2) {
      const auto tag = static_cast<uint8_t>(next_[0]);
      const auto value = static_cast<uint8_t>(next_[1]);
      if (tag < 0x80 && tag >= 8 && value < 0x80) {
        if ((tag & 7) == kWireVarint) {
          *field = WireField{static_cast<uint32_t>(tag >> 3), kWireVarint, value, {}};
          next_ += 2;
          return true;
        }
        if ((tag & 7) == kWireDelimited && value <= end_ - next_ - 2) {
          *field = WireField{static_cast<uint32_t>(tag >> 3), kWireDelimited, 0,
                             absl::string_view(next_ + 2, value)};
          next_ += 2 + value;
          return true;
        }
      }
    }
    return NextAnyForm(field);
  }

 private:
  // Next, of any form.
  bool NextAnyForm(WireField* field);
  // A varint of at most `bytes_max` bytes; of ten, the last holding only
  // bit 63 (as protobuf writes negative numbers).
  bool Varint(int bytes_max, uint64_t* value);

  const char* next_;
  const char* end_;
};

// The value of `field` as a singular field of that type, as protobuf reads
// it; false when the wire type is not that type's. A string must be valid
// UTF-8, as protobuf requires of proto3 strings.
// ReadString is inline: a rebuild reads ten strings an event.
inline bool ReadString(const WireField& field, absl::string_view* value) {
  // The check protobuf's parser makes of every proto3 string field.
  if (field.wire_type != kWireDelimited || !IsValidUtf8(field.bytes)) return false;
  *value = field.bytes;
  return true;
}
bool ReadInt64(const WireField& field, int64_t* value);
// An int32 or enum field: the low 32 bits of the varint.
bool ReadInt32(const WireField& field, int32_t* value);
// Appends the elements of a repeated uint32 field, packed or not.
bool ReadUint32s(const WireField& field, std::vector<uint32_t>* values);

// Reads each field of `bytes`, a message, with `read(const WireField&)`,
// which returns whether it read its field as protobuf would (false: the
// message is left to protobuf). A field `read` does not read itself it
// passes to ValidField.
template <typename Read>
bool ReadFields(absl::string_view bytes, Read read) {
  WireReader reader(bytes);
  WireField field;
  while (!reader.done()) {
    if (!reader.Next(&field) || !read(field)) return false;
  }
  return true;
}

// The schema of Message, looked up once (descriptor() costs a call and a
// check each time).
template <typename Message>
const google::protobuf::Descriptor& TypeOf() {
  static const google::protobuf::Descriptor* const type = Message::descriptor();
  return *type;
}

// Whether protobuf would parse `field`, a field of a message of `type`,
// and whether it would read it as this reader reads it (see above): a
// field `type` does not know is skipped (protobuf keeps it as an unknown
// field); a known one must have its type's wire type, a string valid
// UTF-8, a message every field valid (recursively), a repeated varint
// field may be packed.
bool ValidField(const google::protobuf::Descriptor& type, const WireField& field);
// ValidField of every field of `bytes`, a message of `type`.
bool ValidMessage(const google::protobuf::Descriptor& type, absl::string_view bytes);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_WIRE_READER_H_
