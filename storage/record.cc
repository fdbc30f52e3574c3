#include "storage/record.h"

#include <memory>

#include <openssl/evp.h>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "storage/check.h"
#include "storage/keys.h"

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

bool VerifyLogValue(absl::string_view value) {
  if (value.size() < kLeafHashBytes) return false;
  return LeafHash(RecordBytes(value)) == StoredLeafHash(value);
}

}  // namespace stakeledger::storage
