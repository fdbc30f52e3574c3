#include "verify/tree_head.h"

#include <sodium.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "verify/merkle_hash.h"

namespace stakeledger::verify {
namespace {

void AppendBigEndian(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

}  // namespace

std::string EncodeTreeHead(uint64_t tree_size, absl::string_view root, int64_t timestamp_us) {
  if (root.size() != kHashBytes) std::abort();
  std::string message;
  message.reserve(kTreeHeadMessageBytes);
  message.append(kTreeHeadContext, kTreeHeadContextBytes);
  AppendBigEndian(tree_size, &message);
  message.append(root.data(), root.size());
  AppendBigEndian(static_cast<uint64_t>(timestamp_us), &message);
  if (message.size() != kTreeHeadMessageBytes) std::abort();
  return message;
}

absl::Status VerifyTreeHeadSignature(absl::string_view public_key, uint64_t tree_size,
                                     absl::string_view root, int64_t timestamp_us,
                                     absl::string_view signature) {
  static_assert(kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES, "Ed25519 public key");
  static_assert(kSignatureBytes == crypto_sign_BYTES, "Ed25519 signature");
  if (public_key.size() != kPublicKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("public key is ", public_key.size(), " bytes"));
  }
  if (root.size() != kHashBytes) {
    return absl::InvalidArgumentError(absl::StrCat("root hash is ", root.size(), " bytes"));
  }
  if (signature.size() != kSignatureBytes) {
    return absl::InvalidArgumentError(absl::StrCat("signature is ", signature.size(), " bytes"));
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  const std::string message = EncodeTreeHead(tree_size, root, timestamp_us);
  const int result = crypto_sign_verify_detached(
      reinterpret_cast<const unsigned char*>(signature.data()),
      reinterpret_cast<const unsigned char*>(message.data()), message.size(),
      reinterpret_cast<const unsigned char*>(public_key.data()));
  if (result != 0) {
    return absl::UnauthenticatedError(absl::StrCat("the signature of tree head (size ", tree_size,
                                                   ", root ", ToHex(root),
                                                   ") does not verify with the pinned key"));
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::verify
