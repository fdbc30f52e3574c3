#include "service/tree_signer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "storage/check.h"
#include "storage/status_macros.h"
#include "verify/tree_head.h"

namespace stakeledger::service {
namespace {

absl::Status Unavailable(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " '", path, "': ", std::strerror(errno)));
}

// Writes a fresh seed with mode 0600; O_EXCL so that two starts never
// overwrite each other's key.
absl::Status CreateKeyFile(const std::string& path) {
  unsigned char seed[kSigningSeedBytes];
  randombytes_buf(seed, sizeof(seed));
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Unavailable("cannot create the signing key", path);
  const bool written = write(fd, seed, sizeof(seed)) == static_cast<ssize_t>(sizeof(seed));
  sodium_memzero(seed, sizeof(seed));
  const bool synced = written && fsync(fd) == 0;
  close(fd);
  if (!synced) return Unavailable("cannot write the signing key", path);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSeed(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return Unavailable("cannot open the signing key", path);
  struct stat info;
  if (fstat(fd, &info) != 0) {
    close(fd);
    return Unavailable("cannot stat the signing key", path);
  }
  if ((info.st_mode & 077) != 0) {
    close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(info.st_mode & 0777));
    return absl::FailedPreconditionError(absl::StrCat("the signing key '", path,
                                                      "' may be read by group or others (mode ",
                                                      mode, "): chmod 600 it"));
  }
  std::string seed(kSigningSeedBytes + 1, '\0');
  const ssize_t got = read(fd, seed.data(), seed.size());
  close(fd);
  if (got < 0) return Unavailable("cannot read the signing key", path);
  if (static_cast<size_t>(got) != kSigningSeedBytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the signing key '", path, "' is not ", kSigningSeedBytes, " bytes (an Ed25519 seed)"));
  }
  seed.resize(kSigningSeedBytes);
  return seed;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TreeSigner>> TreeSigner::LoadOrCreate(const std::string& path) {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  if (access(path.c_str(), F_OK) != 0) RETURN_IF_ERROR(CreateKeyFile(path));
  ASSIGN_OR_RETURN(std::string seed, ReadSeed(path));
  std::unique_ptr<TreeSigner> signer(new TreeSigner());
  signer->public_key_.assign(crypto_sign_PUBLICKEYBYTES, '\0');
  signer->secret_key_.assign(crypto_sign_SECRETKEYBYTES, '\0');
  CHECK(crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(signer->public_key_.data()),
                                 reinterpret_cast<unsigned char*>(signer->secret_key_.data()),
                                 reinterpret_cast<const unsigned char*>(seed.data())) == 0);
  sodium_memzero(seed.data(), seed.size());
  return signer;
}

TreeSigner::~TreeSigner() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

std::string TreeSigner::Sign(uint64_t tree_size, absl::string_view root,
                             int64_t timestamp_us) const {
  const std::string message = verify::EncodeTreeHead(tree_size, root, timestamp_us);
  std::string signature(crypto_sign_BYTES, '\0');
  CHECK(crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                             reinterpret_cast<const unsigned char*>(secret_key_.data())) == 0);
  return signature;
}

}  // namespace stakeledger::service
