// The stored form of one event: its record bytes and their RFC 6962 leaf
// hash. A record is a stakeledger.v1.RecordedEvent holding fields 1 to 9
// only, serialized deterministically once at commit and never re-encoded:
// the hash covers the bytes as stored, so any reader, in any language, can
// check it from the bytes alone.
//
// A log value is leaf_hash(32) || record bytes.
#ifndef STAKELEDGER_STORAGE_RECORD_H_
#define STAKELEDGER_STORAGE_RECORD_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/event_store.pb.h"

namespace stakeledger::storage {

// SHA-256(0x00 || record): 32 bytes.
std::string LeafHash(absl::string_view record);

// REQUIRES: event.leaf_hash() and event.record() are empty.
// Deterministic serialization (map entries sorted by key).
std::string SerializeRecord(const v1::RecordedEvent& event);

std::string EncodeLogValue(absl::string_view leaf_hash, absl::string_view record);

// Parses a log value into `event` and sets its leaf_hash (and its record
// bytes when `include_record`). Errors: DATA_LOSS when the value is too
// short or the record does not parse. Does not re-hash; see VerifyLogValue.
absl::Status DecodeLogValue(absl::string_view value, bool include_record, v1::RecordedEvent* event);

// The fields of a record a bulk fold reads, viewing the log value they were
// decoded from (valid as long as its bytes are). No message is built and
// nothing is copied.
struct LogEventView {
  uint64_t position = 0;
  absl::string_view stream;
  absl::string_view event_type;
  absl::string_view content_type;
  absl::string_view payload;
  // recorded_at, as google.protobuf.Timestamp holds it.
  int64_t recorded_at_seconds = 0;
  int32_t recorded_at_nanos = 0;
};

// Decodes the fields of LogEventView from a log value, walking the wire
// format (with WireReader where the record is in the plain form the log
// writes, else with protobuf's CodedInputStream); fields it does not keep are
// skipped, and checked as DecodeLogValue's parse checks them (wire format,
// UTF-8 of the string fields), so that both accept and refuse the same
// values. Thread-safe. Errors: DATA_LOSS as DecodeLogValue (*view is then
// unspecified).
absl::Status DecodeLogView(absl::string_view value, LogEventView* view);

// The view of a decoded event: its fields view `event`'s strings.
LogEventView ViewOf(const v1::RecordedEvent& event);

// The event's recorded_at in microseconds since the epoch, as
// TimeUtil::TimestampToMicroseconds gives it (nanoseconds rounded toward
// zero), without building a Timestamp for each of the millions of events
// a rebuild folds.
inline int64_t RecordedAtUs(const LogEventView& event) {
  // C++ integer division rounds toward zero, as TimeUtil does.
  return event.recorded_at_seconds * 1'000'000 + event.recorded_at_nanos / 1'000;
}

// The record bytes of a log value. REQUIRES: value.size() >= kLeafHashBytes.
absl::string_view RecordBytes(absl::string_view value);
absl::string_view StoredLeafHash(absl::string_view value);

// True when the stored leaf hash equals the hash of the stored bytes.
bool VerifyLogValue(absl::string_view value);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_RECORD_H_
