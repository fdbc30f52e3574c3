#include "clients/event_text.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/json_output.h"
#include "clients/text.h"

namespace stakeledger::clients {
namespace {

bool IsLineBreakOrTab(char c) { return c == '\t' || c == '\n' || c == '\r'; }
bool IsBlank(char c) { return c == ' ' || IsLineBreakOrTab(c); }

// Control characters other than tab, CR and LF would garble the terminal.
bool HasControlCharacters(absl::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && !IsLineBreakOrTab(c)) || byte == 0x7F) return true;
  }
  return false;
}

// Collapses each run of blanks that holds a tab, CR or LF into one space, so
// pretty-printed JSON previews on one line; plain runs of spaces stay.
std::string FlattenLines(absl::string_view text) {
  std::string flat;
  flat.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t end = i;
    bool breaks = false;
    while (end < text.size() && IsBlank(text[end])) breaks |= IsLineBreakOrTab(text[end++]);
    if (end == i) {
      flat += text[i++];
      continue;
    }
    if (breaks) {
      flat += ' ';
    } else {
      flat.append(text.data() + i, end - i);
    }
    i = end;
  }
  return flat;
}

}  // namespace

std::string FormatPayload(absl::string_view payload) {
  if (payload.empty() || !IsValidUtf8(payload) || HasControlCharacters(payload)) {
    return absl::StrCat("<", payload.size(), " bytes>");
  }
  return FitToWidth(FlattenLines(payload), kPayloadPreviewWidthMax);
}

std::string DisplayPayload(const v1::RecordedEvent& event) {
  std::optional<std::string> decoded = DecodedPayloadJson(event);
  return decoded.has_value() ? *std::move(decoded) : event.payload();
}

std::string FormatRecordedTime(absl::Time time) {
  // Fixed width (six digits) keeps table columns aligned; a time finer than
  // a microsecond keeps all nine, so nothing is ever cut.
  const bool sub_micro = absl::ToInt64Nanoseconds(time - absl::UnixEpoch()) % 1000 != 0;
  return absl::FormatTime(sub_micro ? "%Y-%m-%dT%H:%M:%E9SZ" : "%Y-%m-%dT%H:%M:%E6SZ", time,
                          absl::UTCTimeZone());
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "-";
  return FormatRecordedTime(absl::FromUnixSeconds(timestamp.seconds()) +
                            absl::Nanoseconds(timestamp.nanos()));
}

std::string FormatRange(uint64_t first, uint64_t last) {
  if (first == last) return absl::StrCat(first);
  return absl::StrCat(first, "-", last);
}

std::vector<Column> EventColumns() {
  return {
      {"POSITION", Align::kRight, 10},
      {"STREAM", Align::kLeft, 24},
      {"REVISION", Align::kRight, 8},
      {"TYPE", Align::kLeft, 24},
      {"EVENT ID", Align::kLeft, 36},
      {"RECORDED AT", Align::kLeft, 30},
      {"PAYLOAD", Align::kLeft, kPayloadPreviewWidthMax},
  };
}

std::vector<std::string> EventCells(const v1::RecordedEvent& event) {
  return {
      absl::StrCat(event.position()),
      event.stream(),
      absl::StrCat(event.revision()),
      event.event_type(),
      event.event_id(),
      FormatTimestamp(event.recorded_at()),
      FormatPayload(DisplayPayload(event)),
  };
}

}  // namespace stakeledger::clients
