// The pieces of `ledgerctl append` that turn command-line text into a
// ProposedEvent: the payload (inline, @FILE or - for stdin), the JSON check
// for JSON content and the --metadata pairs.
#ifndef STAKELEDGER_CLIENTS_EVENT_INPUT_H_
#define STAKELEDGER_CLIENTS_EVENT_INPUT_H_

#include <cstddef>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace stakeledger::clients {

// Bytes of payload ledgerctl will load. It bounds the client's memory; the
// server applies its own, smaller per-event limit and names it when refusing.
inline constexpr size_t kDataBytesMax = size_t{16} << 20;  // 16 MiB

inline constexpr char kJsonContentType[] = "application/json";

// Loads the payload named by a --data argument:
//   "-"      everything on `stdin_stream` (binary safe);
//   "@PATH"  the contents of the file PATH (binary safe);
//   other    the argument text itself.
// Errors: INVALID_ARGUMENT when the file cannot be opened or read (the
// message names the path and the reason), or when the data is longer than
// `data_bytes_max`, naming both sizes.
// Thread safety: reads `stdin_stream`; not for concurrent use on one stream.
absl::StatusOr<std::string> LoadData(absl::string_view spec, std::istream& stdin_stream,
                                     size_t data_bytes_max = kDataBytesMax);

// True when `content_type`'s media type (the part before any ';', compared
// without case and surrounding spaces) is application/json.
bool IsJsonContentType(absl::string_view content_type);

// OK when `data` is one JSON value (object, array, string, number, true,
// false or null) as protobuf's JSON parser reads it into a
// google.protobuf.Value.
// Errors: INVALID_ARGUMENT naming the parser's complaint.
// Thread-safe.
absl::Status CheckJsonData(absl::string_view data);

// Turns ["k=v", ...] into a map, splitting each at its first '=' (values may
// contain '='; an empty value is allowed).
// Errors: INVALID_ARGUMENT for an entry without '=' or with an empty key, and
// for a key given twice; the message quotes the entry.
// Thread-safe.
absl::StatusOr<std::map<std::string, std::string>> ParseMetadata(
    const std::vector<std::string>& entries);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_EVENT_INPUT_H_
