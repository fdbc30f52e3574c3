#include "clients/event_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace stakeledger::clients {
namespace {

// Reads `in` to its end, refusing to hold more than `bytes_max` bytes.
// `source` names the input in error messages ("stdin", "file 'x'").
absl::StatusOr<std::string> ReadAllBounded(std::istream& in, absl::string_view source,
                                           size_t bytes_max) {
  std::string data;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    const size_t got = static_cast<size_t>(in.gcount());
    if (data.size() + got > bytes_max) {
      return absl::InvalidArgumentError(absl::StrCat("--data from ", source, " is larger than ",
                                                     bytes_max,
                                                     " bytes, the most ledgerctl sends"));
    }
    data.append(buffer, got);
  }
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read --data from ", source));
  }
  return data;
}

absl::StatusOr<std::string> LoadFile(absl::string_view path, size_t bytes_max) {
  std::ifstream file{std::string(path), std::ios::binary};
  if (!file.is_open()) {
    const int error = errno;
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open --data file '", path, "': ", std::strerror(error)));
  }
  return ReadAllBounded(file, absl::StrCat("file '", path, "'"), bytes_max);
}

}  // namespace

absl::StatusOr<std::string> LoadData(absl::string_view spec, std::istream& stdin_stream,
                                     size_t data_bytes_max) {
  if (spec == "-") return ReadAllBounded(stdin_stream, "stdin", data_bytes_max);
  if (absl::StartsWith(spec, "@")) return LoadFile(spec.substr(1), data_bytes_max);
  if (spec.size() > data_bytes_max) {
    return absl::InvalidArgumentError(absl::StrCat("--data is ", spec.size(),
                                                   " bytes, more than the ", data_bytes_max,
                                                   " bytes ledgerctl sends"));
  }
  return std::string(spec);
}

bool IsJsonContentType(absl::string_view content_type) {
  const absl::string_view media_type = content_type.substr(0, content_type.find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(media_type), kJsonContentType);
}

absl::Status CheckJsonData(absl::string_view data) {
  google::protobuf::Value value;
  const google::protobuf::util::Status status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(data.data(), data.size()), &value);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--data is not valid JSON (", status.message().ToString(), ")"));
}

absl::StatusOr<std::map<std::string, std::string>> ParseMetadata(
    const std::vector<std::string>& entries) {
  std::map<std::string, std::string> metadata;
  for (const std::string& entry : entries) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid --metadata '", entry, "': use KEY=VALUE"));
    }
    std::string key = entry.substr(0, equals);
    if (metadata.count(key) > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid --metadata '", entry, "': key '", key, "' given twice"));
    }
    metadata.emplace(std::move(key), entry.substr(equals + 1));
  }
  return metadata;
}

}  // namespace stakeledger::clients
