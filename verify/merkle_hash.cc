#include "verify/merkle_hash.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace stakeledger::verify {
namespace {

// Always-on: a failing digest is a broken process, not an operating error.
void Require(bool condition) {
  if (!condition) std::abort();
}

// One SHA-256 over a one-byte prefix and up to two parts. The digest is
// fetched once and each thread reuses one context (as storage/record.cc).
std::string Sha256(const unsigned char* prefix, absl::string_view a, absl::string_view b) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  Require(sha256 != nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> owned_context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_MD_CTX* const context = owned_context.get();
  Require(context != nullptr);
  std::string hash(kHashBytes, '\0');
  unsigned int hash_bytes = 0;
  Require(EVP_DigestInit_ex(context, sha256, nullptr) == 1);
  if (prefix != nullptr) Require(EVP_DigestUpdate(context, prefix, 1) == 1);
  Require(EVP_DigestUpdate(context, a.data(), a.size()) == 1);
  Require(EVP_DigestUpdate(context, b.data(), b.size()) == 1);
  Require(EVP_DigestFinal_ex(context, reinterpret_cast<unsigned char*>(hash.data()), &hash_bytes) ==
          1);
  Require(hash_bytes == kHashBytes);
  return hash;
}

}  // namespace

std::string HashLeaf(absl::string_view leaf) { return Sha256(&kLeafPrefix, leaf, {}); }

std::string HashChildren(absl::string_view left, absl::string_view right) {
  Require(left.size() == kHashBytes);
  Require(right.size() == kHashBytes);
  return Sha256(&kNodePrefix, left, right);
}

std::string EmptyRoot() { return Sha256(nullptr, {}, {}); }

uint64_t SplitPoint(uint64_t n) {
  Require(n >= 2);
  uint64_t k = 1;
  while (k < n - k) k <<= 1;  // 2k < n, written so that 2k cannot overflow
  return k;
}

std::string ToHex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 0x0f]);
  }
  return hex;
}

bool FromHex(absl::string_view hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = nibble(hex[i]);
    const int low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>(high << 4 | low));
  }
  *bytes = std::move(out);
  return true;
}

}  // namespace stakeledger::verify
