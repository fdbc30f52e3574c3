// How ledgerctl shows events and times to a person: the cells of an event
// row, payload previews and RFC 3339 timestamps.
#ifndef STAKELEDGER_CLIENTS_EVENT_TEXT_H_
#define STAKELEDGER_CLIENTS_EVENT_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/table.h"
#include "google/protobuf/timestamp.pb.h"
#include "stakeledger/v1/event_store.pb.h"

namespace stakeledger::clients {

// Code points of payload text shown in a table before it is cut.
inline constexpr size_t kPayloadPreviewWidthMax = 48;

// A one-line preview of a payload. Valid UTF-8 without control characters
// (tabs, CR and LF aside) is shown as text, each run of white space that
// holds a tab, CR or LF collapsed to one space, and cut with an ellipsis past
// kPayloadPreviewWidthMax code points. Anything else, and the empty payload,
// is shown as "<N bytes>".
std::string FormatPayload(absl::string_view payload);

// The payload as people read it. Announcement and entity events (stored
// in binary, or as JSON by earlier builds) are shown in protobuf's JSON
// mapping (domain::ToPayloadJson); a domain payload that does not decode,
// and every other event, as its bytes. Thread-safe.
std::string DisplayPayload(const v1::RecordedEvent& event);

// A recorded time as RFC 3339 in UTC with the fraction the log stores,
// microseconds: "2024-05-01T12:00:00.123456Z" (nanoseconds when a time has
// them). Pasted back as --known-at, it names a time at or after the event,
// so the answer includes it; a shorter form would fall before it.
std::string FormatRecordedTime(absl::Time time);

// FormatTimestamp of a recorded_at; "-" for the unset timestamp (seconds and
// nanos both zero).
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);

// "7" when first == last, else "7-9".
std::string FormatRange(uint64_t first, uint64_t last);

// Columns of an event table: POSITION, STREAM, REVISION, TYPE, EVENT ID,
// RECORDED AT, PAYLOAD. Their width_max suits both tables sized to content
// and fixed rows (a live subscription).
std::vector<Column> EventColumns();

// The cells of `event` under EventColumns().
std::vector<std::string> EventCells(const v1::RecordedEvent& event);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_EVENT_TEXT_H_
