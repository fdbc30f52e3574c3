#include "clients/trust_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "verify/merkle_hash.h"

namespace stakeledger::clients {
namespace {

absl::Status Unavailable(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " '", path, "': ", std::strerror(errno)));
}

bool ParseField(absl::string_view line, absl::string_view name, absl::string_view* value) {
  const std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(' ', 1));
  if (parts.size() != 2 || parts[0] != name) return false;
  *value = parts[1];
  return true;
}

}  // namespace

std::string EncodeTrustedHead(const TrustedHead& head) {
  return absl::StrCat("public_key ", verify::ToHex(head.public_key), "\n", "tree_size ",
                      head.tree_size, "\n", "root_hash ", verify::ToHex(head.root_hash), "\n",
                      "timestamp_us ", head.timestamp_us, "\n", "signature ",
                      verify::ToHex(head.signature), "\n");
}

absl::StatusOr<TrustedHead> DecodeTrustedHead(absl::string_view text) {
  const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.size() != 5) {
    return absl::DataLossError(absl::StrCat("trust file has ", lines.size(), " lines, expected 5"));
  }
  TrustedHead head;
  absl::string_view value;
  const bool ok =
      ParseField(lines[0], "public_key", &value) && verify::FromHex(value, &head.public_key) &&
      ParseField(lines[1], "tree_size", &value) && absl::SimpleAtoi(value, &head.tree_size) &&
      ParseField(lines[2], "root_hash", &value) && verify::FromHex(value, &head.root_hash) &&
      ParseField(lines[3], "timestamp_us", &value) && absl::SimpleAtoi(value, &head.timestamp_us) &&
      ParseField(lines[4], "signature", &value) && verify::FromHex(value, &head.signature);
  if (!ok) return absl::DataLossError("trust file does not decode");
  return head;
}

std::string DefaultTrustDir() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] != '\0') return absl::StrCat(xdg, "/stakeledger");
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return absl::StrCat(home, "/.config/stakeledger");
  return "";
}

std::string TrustFilePath(const std::string& dir, absl::string_view server) {
  std::string name(server);
  for (char& c : name) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    if (!keep) c = '_';
  }
  return absl::StrCat(dir, "/", name, ".trusted-head");
}

absl::StatusOr<std::optional<TrustedHead>> LoadTrustedHead(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    return Unavailable("cannot read the trust file", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<TrustedHead> head = DecodeTrustedHead(text.str());
  if (!head.ok()) return absl::DataLossError(absl::StrCat(path, ": ", head.status().message()));
  return *std::move(head);
}

absl::Status SaveTrustedHead(const std::string& path, const TrustedHead& head) {
  const std::string dir = path.substr(0, path.rfind('/'));
  // Creates the missing parents one by one (~/.config may not exist yet).
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return Unavailable("cannot create the trust directory", prefix);
    }
    if (slash == std::string::npos) break;
  }
  const std::string temporary = absl::StrCat(path, ".tmp");
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Unavailable("cannot write the trust file", temporary);
  const std::string text = EncodeTrustedHead(head);
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && fsync(fd) == 0;
  close(fd);
  if (!synced || rename(temporary.c_str(), path.c_str()) != 0) {
    return Unavailable("cannot write the trust file", path);
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::clients
