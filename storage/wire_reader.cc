#include "storage/wire_reader.h"


namespace stakeledger::storage {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// A tag of up to four bytes holds field numbers below 2^25; protobuf's
// schemas here use a few dozen. Longer tags are left to protobuf.
constexpr int kTagBytesMax = 4;
// Protobuf reads a length from at most five bytes.
constexpr int kLengthBytesMax = 5;
constexpr int kVarintBytesMax = 10;

// The wire type protobuf writes a field of `type` in (a packed repeated
// field aside).
int WireTypeOf(FieldDescriptor::Type type) {
  switch (type) {
    case FieldDescriptor::TYPE_DOUBLE:
    case FieldDescriptor::TYPE_FIXED64:
    case FieldDescriptor::TYPE_SFIXED64:
      return kWireFixed64;
    case FieldDescriptor::TYPE_FLOAT:
    case FieldDescriptor::TYPE_FIXED32:
    case FieldDescriptor::TYPE_SFIXED32:
      return kWireFixed32;
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES:
    case FieldDescriptor::TYPE_MESSAGE:
      return kWireDelimited;
    case FieldDescriptor::TYPE_GROUP:
      return -1;  // left to protobuf
    default:
      return kWireVarint;
  }
}

// Reads a varint of at most `bytes_max` bytes at *next, advancing it; of
// ten bytes, the last may hold only bit 63 (as protobuf writes negative
// numbers: protobuf drops any further bits, this reader leaves them to it).
bool ParseVarint(const char** next, const char* end, int bytes_max, uint64_t* value) {
  uint64_t result = 0;
  for (int i = 0; i < bytes_max && *next != end; ++i) {
    const auto byte = static_cast<uint8_t>(*(*next)++);
    if (i == kVarintBytesMax - 1 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      *value = result;
      return true;
    }
  }
  return false;
}

// Whether `bytes` is a sequence of whole varints (a packed varint field).
bool ValidVarints(absl::string_view bytes) {
  const char* next = bytes.data();
  const char* const end = next + bytes.size();
  uint64_t ignored = 0;
  while (next != end) {
    if (!ParseVarint(&next, end, kVarintBytesMax, &ignored)) return false;
  }
  return true;
}

}  // namespace

bool WireReader::Varint(int bytes_max, uint64_t* value) {
  return ParseVarint(&next_, end_, bytes_max, value);
}

bool WireReader::NextAnyForm(WireField* field) {
  uint64_t tag = 0;
  if (!Varint(kTagBytesMax, &tag)) return false;
  field->number = static_cast<uint32_t>(tag >> 3);
  field->wire_type = static_cast<int>(tag & 7);
  if (field->number == 0) return false;
  switch (field->wire_type) {
    case kWireVarint:
      return Varint(kVarintBytesMax, &field->varint);
    case kWireFixed64:
    case kWireFixed32: {
      const size_t size = field->wire_type == kWireFixed64 ? 8 : 4;
      if (static_cast<size_t>(end_ - next_) < size) return false;
      next_ += size;
      return true;
    }
    case kWireDelimited: {
      uint64_t size = 0;
      if (!Varint(kLengthBytesMax, &size) || size > static_cast<uint64_t>(end_ - next_)) {
        return false;
      }
      field->bytes = absl::string_view(next_, size);
      next_ += size;
      return true;
    }
    default:
      return false;
  }
}

bool ReadInt64(const WireField& field, int64_t* value) {
  if (field.wire_type != kWireVarint) return false;
  *value = static_cast<int64_t>(field.varint);
  return true;
}

bool ReadInt32(const WireField& field, int32_t* value) {
  if (field.wire_type != kWireVarint) return false;
  *value = static_cast<int32_t>(static_cast<uint32_t>(field.varint));
  return true;
}

bool ReadUint32s(const WireField& field, std::vector<uint32_t>* values) {
  if (field.wire_type == kWireVarint) {
    values->push_back(static_cast<uint32_t>(field.varint));
    return true;
  }
  if (field.wire_type != kWireDelimited) return false;
  const char* next = field.bytes.data();
  const char* const end = next + field.bytes.size();
  while (next != end) {
    uint64_t value = 0;
    if (!ParseVarint(&next, end, kVarintBytesMax, &value)) return false;
    values->push_back(static_cast<uint32_t>(value));
  }
  return true;
}

bool ValidField(const Descriptor& type, const WireField& field) {
  const FieldDescriptor* known = type.FindFieldByNumber(static_cast<int>(field.number));
  if (known == nullptr) return true;
  const int wire_type = WireTypeOf(known->type());
  if (field.wire_type != wire_type) {
    return known->is_packable() && wire_type == kWireVarint && field.wire_type == kWireDelimited &&
           ValidVarints(field.bytes);
  }
  switch (known->type()) {
    case FieldDescriptor::TYPE_STRING: {
      absl::string_view ignored;
      return ReadString(field, &ignored);
    }
    case FieldDescriptor::TYPE_MESSAGE:
      return ValidMessage(*known->message_type(), field.bytes);
    default:
      return true;
  }
}

bool ValidMessage(const Descriptor& type, absl::string_view bytes) {
  WireReader reader(bytes);
  WireField field;
  while (!reader.done()) {
    if (!reader.Next(&field) || !ValidField(type, field)) return false;
  }
  return true;
}

}  // namespace stakeledger::storage
