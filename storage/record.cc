#include "storage/record.h"

#include <sodium.h>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "storage/check.h"
#include "storage/keys.h"

namespace stakeledger::storage {

std::string LeafHash(absl::string_view record) {
  static_assert(crypto_hash_sha256_BYTES == kLeafHashBytes);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  const unsigned char leaf_prefix = 0x00;  // RFC 6962 section 2.1
  crypto_hash_sha256_update(&state, &leaf_prefix, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(record.data()),
                            record.size());
  std::string hash(kLeafHashBytes, '\0');
  crypto_hash_sha256_final(&state, reinterpret_cast<unsigned char*>(hash.data()));
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

bool VerifyLogValue(absl::string_view value) {
  if (value.size() < kLeafHashBytes) return false;
  return LeafHash(RecordBytes(value)) == StoredLeafHash(value);
}

}  // namespace stakeledger::storage
