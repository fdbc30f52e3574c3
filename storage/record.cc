#include "storage/record.h"

#include <openssl/evp.h>

#include <memory>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/wire_format_lite.h"
#include "storage/check.h"
#include "storage/keys.h"
#include "storage/utf8.h"
#include "storage/wire_reader.h"

namespace stakeledger::storage {

std::string LeafHash(absl::string_view record) {
  // OpenSSL's SHA-256 uses the CPU's SHA extensions where present (several
  // times faster than a portable implementation); the digest is fetched
  // once and each thread reuses one context.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  CHECK(sha256 != nullptr);
  // Freed when its thread ends (a bare pointer leaked one per thread).
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> owned_context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_MD_CTX* const context = owned_context.get();
  CHECK(context != nullptr);
  const unsigned char leaf_prefix = 0x00;  // RFC 6962 section 2.1
  std::string hash(kLeafHashBytes, '\0');
  unsigned int hash_bytes = 0;
  CHECK(EVP_DigestInit_ex(context, sha256, nullptr) == 1);
  CHECK(EVP_DigestUpdate(context, &leaf_prefix, 1) == 1);
  CHECK(EVP_DigestUpdate(context, record.data(), record.size()) == 1);
  CHECK(EVP_DigestFinal_ex(context, reinterpret_cast<unsigned char*>(hash.data()), &hash_bytes) ==
        1);
  CHECK(hash_bytes == kLeafHashBytes);
  return hash;
}

std::string SerializeRecord(const v1::RecordedEvent& event) {
  DCHECK(event.leaf_hash().empty());
  DCHECK(event.record().empty());
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    // Map fields have no defined order otherwise; the bytes are hashed, so
    // the same event must always produce the same bytes.
    coded.SetSerializationDeterministic(true);
    CHECK(event.SerializeToCodedStream(&coded));
  }
  return bytes;
}

std::string EncodeLogValue(absl::string_view leaf_hash, absl::string_view record) {
  CHECK(leaf_hash.size() == kLeafHashBytes);
  std::string value;
  value.reserve(leaf_hash.size() + record.size());
  value.append(leaf_hash.data(), leaf_hash.size());
  value.append(record.data(), record.size());
  return value;
}

absl::string_view RecordBytes(absl::string_view value) {
  CHECK(value.size() >= kLeafHashBytes);
  return value.substr(kLeafHashBytes);
}

absl::string_view StoredLeafHash(absl::string_view value) {
  CHECK(value.size() >= kLeafHashBytes);
  return value.substr(0, kLeafHashBytes);
}

absl::Status DecodeLogValue(absl::string_view value, bool include_record,
                            v1::RecordedEvent* event) {
  if (value.size() < kLeafHashBytes) {
    return absl::DataLossError("log value shorter than its leaf hash");
  }
  const absl::string_view record = RecordBytes(value);
  if (!event->ParseFromArray(record.data(), static_cast<int>(record.size()))) {
    return absl::DataLossError("log record does not parse");
  }
  const absl::string_view hash = StoredLeafHash(value);
  event->set_leaf_hash(hash.data(), hash.size());
  if (include_record) event->set_record(record.data(), record.size());
  return absl::OkStatus();
}

namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Field numbers of stakeledger.v1.RecordedEvent, of its metadata entries
// and of google.protobuf.Timestamp.
constexpr int kPositionField = 1;
constexpr int kStreamField = 2;
constexpr int kRevisionField = 3;
constexpr int kEventIdField = 4;
constexpr int kEventTypeField = 5;
constexpr int kContentTypeField = 6;
constexpr int kPayloadField = 7;
constexpr int kMetadataField = 8;
constexpr int kRecordedAtField = 9;
constexpr int kMapKeyField = 1;
constexpr int kMapValueField = 2;
constexpr int kSecondsField = 1;
constexpr int kNanosField = 2;

bool IsLengthDelimited(uint32_t tag) {
  return WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
}

bool IsVarint(uint32_t tag) {
  return WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_VARINT;
}

// Reads the length-delimited field whose tag was just read as a view into
// `bytes` (the buffer `input` reads). A string field (`utf8`) must hold
// UTF-8, as proto3 requires and protobuf's parser checks.
bool ReadView(CodedInputStream* input, absl::string_view bytes, bool utf8, absl::string_view* out) {
  int size = 0;
  if (!input->ReadVarintSizeAsInt(&size)) return false;
  const int start = input->CurrentPosition();
  if (!input->Skip(size)) return false;
  *out = bytes.substr(static_cast<size_t>(start), static_cast<size_t>(size));
  return !utf8 || IsValidUtf8(*out);
}

// Reads an embedded message's fields with `field(tag)` (false: malformed)
// up to its length; a field it does not take is skipped.
template <typename Field>
bool ReadMessage(CodedInputStream* input, Field field) {
  int size = 0;
  // A limit past the end of the input would take its end for the message's.
  if (!input->ReadVarintSizeAsInt(&size) || size > input->BytesUntilLimit()) return false;
  const auto [limit, depth_left] = input->IncrementRecursionDepthAndPushLimit(size);
  if (depth_left < 0) return false;
  for (uint32_t tag = input->ReadTag(); tag != 0; tag = input->ReadTag()) {
    if (!field(tag)) return false;
  }
  return input->DecrementRecursionDepthAndPopLimit(limit);
}

// A metadata entry: its key and value must be UTF-8; nothing is kept.
bool SkipMetadataEntry(CodedInputStream* input, absl::string_view bytes) {
  return ReadMessage(input, [&](uint32_t tag) {
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    absl::string_view ignored;
    if ((number == kMapKeyField || number == kMapValueField) && IsLengthDelimited(tag)) {
      return ReadView(input, bytes, /*utf8=*/true, &ignored);
    }
    return WireFormatLite::SkipField(input, tag);
  });
}

// A google.protobuf.Timestamp; a repeated one merges into the first, as
// protobuf's parser merges it.
bool ReadTimestamp(CodedInputStream* input, LogEventView* view) {
  return ReadMessage(input, [&](uint32_t tag) {
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    uint64_t varint = 0;
    if ((number == kSecondsField || number == kNanosField) && IsVarint(tag)) {
      if (!input->ReadVarint64(&varint)) return false;
      if (number == kSecondsField) {
        view->recorded_at_seconds = static_cast<int64_t>(varint);
      } else {
        view->recorded_at_nanos = static_cast<int32_t>(varint);
      }
      return true;
    }
    return WireFormatLite::SkipField(input, tag);
  });
}

// One field of a record; false when it is malformed. A field whose wire
// type is not its schema's is an unknown field to protobuf: skipped.
bool ReadRecordField(CodedInputStream* input, absl::string_view record, uint32_t tag,
                     LogEventView* view) {
  const int number = WireFormatLite::GetTagFieldNumber(tag);
  if (number == kPositionField && IsVarint(tag)) return input->ReadVarint64(&view->position);
  if (!IsLengthDelimited(tag)) return WireFormatLite::SkipField(input, tag);
  absl::string_view ignored;
  switch (number) {
    case kStreamField:
      return ReadView(input, record, /*utf8=*/true, &view->stream);
    case kEventIdField:
      return ReadView(input, record, /*utf8=*/true, &ignored);
    case kEventTypeField:
      return ReadView(input, record, /*utf8=*/true, &view->event_type);
    case kContentTypeField:
      return ReadView(input, record, /*utf8=*/true, &view->content_type);
    case kPayloadField:
      return ReadView(input, record, /*utf8=*/false, &view->payload);
    case kMetadataField:
      return SkipMetadataEntry(input, record);
    case kRecordedAtField:
      return ReadTimestamp(input, view);
    default:
      return WireFormatLite::SkipField(input, tag);
  }
}

// A google.protobuf.Timestamp read with WireReader: a repeated one merges
// into the first, as above.
bool ReadPlainTimestamp(absl::string_view bytes, LogEventView* view) {
  return ReadFields(bytes, [&](const WireField& field) {
    switch (field.number) {
      case kSecondsField:
        return ReadInt64(field, &view->recorded_at_seconds);
      case kNanosField:
        return ReadInt32(field, &view->recorded_at_nanos);
      default:
        return ValidField(TypeOf<google::protobuf::Timestamp>(), field);
    }
  });
}

// The record's fields read with WireReader (wire_reader.h), which takes
// the plain form the log writes at a fraction of CodedInputStream's cost
// per field. False: the record is left to the walk above, which gives
// the view or the error.
bool ReadPlainRecord(absl::string_view record, LogEventView* view) {
  absl::string_view ignored;
  return ReadFields(record, [&](const WireField& field) {
    switch (field.number) {
      case kPositionField:
        view->position = field.varint;
        return field.wire_type == kWireVarint;
      case kStreamField:
        return ReadString(field, &view->stream);
      case kRevisionField:
        return field.wire_type == kWireVarint;
      case kEventIdField:
        return ReadString(field, &ignored);
      case kEventTypeField:
        return ReadString(field, &view->event_type);
      case kContentTypeField:
        return ReadString(field, &view->content_type);
      case kPayloadField:
        view->payload = field.bytes;
        return field.wire_type == kWireDelimited;
      case kRecordedAtField:
        return field.wire_type == kWireDelimited && ReadPlainTimestamp(field.bytes, view);
      default:
        return ValidField(TypeOf<v1::RecordedEvent>(), field);
    }
  });
}

}  // namespace

absl::Status DecodeLogView(absl::string_view value, LogEventView* view) {
  if (value.size() < kLeafHashBytes) {
    return absl::DataLossError("log value shorter than its leaf hash");
  }
  const absl::string_view record = RecordBytes(value);
  *view = LogEventView();
  if (ReadPlainRecord(record, view)) return absl::OkStatus();
  *view = LogEventView();
  CodedInputStream input(reinterpret_cast<const uint8_t*>(record.data()),
                         static_cast<int>(record.size()));
  uint32_t tag = input.ReadTag();
  for (; tag != 0; tag = input.ReadTag()) {
    if (!ReadRecordField(&input, record, tag, view)) break;
  }
  // ReadTag gives 0 at the end and for a malformed tag (or a zero one).
  if (tag != 0 || !input.ConsumedEntireMessage()) {
    return absl::DataLossError("log record does not parse");
  }
  return absl::OkStatus();
}

LogEventView ViewOf(const v1::RecordedEvent& event) {
  LogEventView view;
  view.position = event.position();
  view.stream = event.stream();
  view.event_type = event.event_type();
  view.content_type = event.content_type();
  view.payload = event.payload();
  view.recorded_at_seconds = event.recorded_at().seconds();
  view.recorded_at_nanos = event.recorded_at().nanos();
  return view;
}

bool VerifyLogValue(absl::string_view value) {
  if (value.size() < kLeafHashBytes) return false;
  return LeafHash(RecordBytes(value)) == StoredLeafHash(value);
}

}  // namespace stakeledger::storage
