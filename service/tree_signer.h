// The Ed25519 key that signs tree heads (verify/tree_head.h gives the
// signed bytes). The key file holds the 32-byte Ed25519 seed, raw; it is
// created with mode 0600 when absent, and refused when group or others may
// read it. Thread-safe after construction.
#ifndef STAKELEDGER_SERVICE_TREE_SIGNER_H_
#define STAKELEDGER_SERVICE_TREE_SIGNER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace stakeledger::service {

inline constexpr char kSigningKeyFileName[] = "signing_key";
inline constexpr size_t kSigningSeedBytes = 32;

class TreeSigner {
 public:
  // Loads the key in `path`, creating it first when the file does not
  // exist. Errors: FAILED_PRECONDITION when the file is readable by group
  // or others or is not kSigningSeedBytes long; UNAVAILABLE when it cannot
  // be read or written.
  static absl::StatusOr<std::unique_ptr<TreeSigner>> LoadOrCreate(const std::string& path);
  ~TreeSigner();

  // 32 bytes.
  const std::string& public_key() const { return public_key_; }
  // 64 bytes: the signature of EncodeTreeHead(tree_size, root, timestamp_us).
  // REQUIRES: root.size() == 32.
  std::string Sign(uint64_t tree_size, absl::string_view root, int64_t timestamp_us) const;

 private:
  TreeSigner() = default;
  std::string public_key_;
  std::string secret_key_;  // wiped on destruction
};

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_TREE_SIGNER_H_
