// What ledgerctl trusts about a server: its pinned Ed25519 public key and
// the last signed tree head it verified. One text file per server address
// in the trust directory ($XDG_CONFIG_HOME/stakeledger, else
// ~/.config/stakeledger, or --trust-dir):
//
//   public_key HEX
//   tree_size N
//   root_hash HEX
//   timestamp_us N
//   signature HEX
//
// A later head is trusted only when it is signed by the pinned key and a
// consistency proof shows the trusted head is a prefix of it.
#ifndef STAKELEDGER_CLIENTS_TRUST_STORE_H_
#define STAKELEDGER_CLIENTS_TRUST_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace stakeledger::clients {

struct TrustedHead {
  std::string public_key;  // 32 bytes
  uint64_t tree_size = 0;
  std::string root_hash;  // 32 bytes
  int64_t timestamp_us = 0;
  std::string signature;  // 64 bytes
};

std::string EncodeTrustedHead(const TrustedHead& head);
// Errors: DATA_LOSS naming the bad line.
absl::StatusOr<TrustedHead> DecodeTrustedHead(absl::string_view text);

// The default trust directory from the environment; empty when neither
// XDG_CONFIG_HOME nor HOME is set.
std::string DefaultTrustDir();
// The file for `server` in `dir` (the address with characters other than
// letters, digits, '.' and '-' replaced by '_').
std::string TrustFilePath(const std::string& dir, absl::string_view server);

// nullopt when the file does not exist. Errors: UNAVAILABLE when it cannot
// be read; DATA_LOSS when it does not decode.
absl::StatusOr<std::optional<TrustedHead>> LoadTrustedHead(const std::string& path);
// Writes atomically (temporary file, fsync, rename), creating the
// directory (mode 0700) when missing. Errors: UNAVAILABLE.
absl::Status SaveTrustedHead(const std::string& path, const TrustedHead& head);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_TRUST_STORE_H_
