// Reads of the log and the stream index, a bounded chunk at a time so that
// a streaming reply never holds more than one response in memory.
#ifndef STAKELEDGER_STORAGE_READER_H_
#define STAKELEDGER_STORAGE_READER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/db.h"
#include "storage/keys.h"
#include "storage/limits.h"
#include "storage/record.h"

namespace stakeledger::storage {

using EventList = google::protobuf::RepeatedPtrField<v1::RecordedEvent>;

// Which events of the log a reader wants. An empty filter matches all.
class EventFilter {
 public:
  EventFilter() = default;
  // Errors: RESOURCE_EXHAUSTED when the prefix is longer than
  // stream_name_bytes_max or more than filter_event_types_max types are
  // named; INVALID_ARGUMENT for an empty type name.
  static absl::StatusOr<EventFilter> FromProto(const v1::Filter& filter, const Limits& limits);

  bool Matches(const v1::RecordedEvent& event) const;
  bool Matches(const LogEventView& event) const;
  bool empty() const { return stream_prefix_.empty() && event_types_.empty(); }

 private:
  std::string stream_prefix_;
  absl::flat_hash_set<std::string> event_types_;
};

// How much one chunk may hold.
struct ChunkBounds {
  size_t events_max = 1024;
  size_t bytes_max = 1 << 20;
  // Events examined (matching or not) before returning, so that a filter
  // that matches nothing still returns control regularly.
  size_t scanned_max = 4096;
};

struct ScanResult {
  size_t scanned = 0;
  // Position of the last event examined; 0 when none was.
  uint64_t last_scanned = 0;
  // No event exists beyond last_scanned in the scan direction.
  bool reached_end = false;
};

// Appends to `out` the events matching `filter` from position `from`
// (inclusive) in the given direction, within `bounds`. Thread-safe.
// Errors: DATA_LOSS for an unreadable record; as the database read.
absl::StatusOr<ScanResult> ScanLog(const Database& db, uint64_t from, bool backwards,
                                   const EventFilter& filter, bool include_record,
                                   const ChunkBounds& bounds, EventList* out);

// Calls `fn` with each event at positions first..last (inclusive, in
// order) that `filter` passes. The event is decoded into one reused
// message, valid only during the call: no chunk is built and nothing is
// copied, for a scan that keeps what it derives from each event (a
// rebuild's decoding). The scan does not fill the block cache. Thread-safe.
// Errors: DATA_LOSS for an unreadable record; as the database read; the
// first error `fn` returns, which ends the scan.
absl::Status ForEachLogEvent(const Database& db, uint64_t first, uint64_t last,
                             const EventFilter& filter,
                             const std::function<absl::Status(const v1::RecordedEvent&)>& fn);

// ForEachLogEvent without building a message: `fn` gets each event's
// LogEventView, its strings viewing the stored value, valid only during the
// call. For a scan that reads a few fields of every event (a rebuild's
// decoding). Thread-safe. Errors: as ForEachLogEvent.
absl::Status ForEachLogEventView(const Database& db, uint64_t first, uint64_t last,
                                 const EventFilter& filter,
                                 const std::function<absl::Status(const LogEventView&)>& fn);

// Appends to `out` the events of one stream from `from_revision`
// (inclusive) in the given direction, within `bounds`. `reached_end` and
// `last_scanned` (here a revision) as for ScanLog. Thread-safe.
absl::StatusOr<ScanResult> ScanStream(const Database& db, uint64_t stream_id,
                                      uint64_t from_revision, bool backwards, bool include_record,
                                      const ChunkBounds& bounds, EventList* out);

// Errors: NOT_FOUND when the stream has no events. Thread-safe.
absl::StatusOr<StreamHead> ReadStreamHead(const Database& db, absl::string_view stream);

v1::StreamInfo ToStreamInfo(absl::string_view stream, const StreamHead& head);

// One page of streams in name order, starting after `page_token` (the last
// name of the previous page). REQUIRES: page_size > 0. Thread-safe.
absl::StatusOr<v1::ListStreamsResponse> ListStreamPage(const Database& db, absl::string_view prefix,
                                                       absl::string_view page_token,
                                                       size_t page_size);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_READER_H_
