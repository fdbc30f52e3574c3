// Every limit of the event log, named, with its default. The server exposes
// each as a flag of the same name (with dashes); tests exercise each at its
// value and one past it.
#ifndef STAKELEDGER_STORAGE_LIMITS_H_
#define STAKELEDGER_STORAGE_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace stakeledger::storage {

struct Limits {
  // Bytes of one event's payload.
  size_t event_payload_bytes_max = 1 << 20;
  // Events in one Append request.
  size_t append_events_max = 10'000;
  // Sum of payload bytes in one Append request. Keeps one request within a
  // gRPC message and one write batch within reason.
  size_t append_payload_bytes_max = 16 << 20;
  // Bytes of a stream name (UTF-8).
  size_t stream_name_bytes_max = 256;
  // Bytes of an event type or a content type.
  size_t event_type_bytes_max = 256;
  // Entries and total key+value bytes of one event's metadata.
  size_t metadata_entries_max = 64;
  size_t metadata_bytes_max = 16 << 10;
  // Append requests waiting for the writer. A full queue answers
  // RESOURCE_EXHAUSTED rather than growing memory.
  size_t append_queue_requests_max = 4096;
  // Events the writer folds into one WriteBatch (one fsync). A single
  // request larger than this still commits alone.
  size_t writer_batch_events_max = 32'768;
  // Concurrent subscriptions.
  size_t subscribers_max = 1024;
  // Live events, and the memory they hold, buffered per subscriber; past
  // either the subscriber is served from storage again.
  size_t subscriber_buffer_events_max = 8192;
  size_t subscriber_buffer_bytes_max = 16 << 20;
  // Committed batches waiting for fan-out to subscribers.
  size_t publish_queue_batches_max = 1024;
  // Events per streamed response message, and a soft cap on its bytes.
  size_t response_events_max = 1024;
  size_t response_bytes_max = 1 << 20;
  // Event types one read or subscription filter may name.
  size_t filter_event_types_max = 64;
  // Streams per ListStreams page (default and maximum).
  size_t list_streams_page_default = 100;
  size_t list_streams_page_max = 1000;
  // Scanned events between subscription checkpoints (default and bounds).
  uint32_t checkpoint_interval_events_default = 1000;
  uint32_t checkpoint_interval_events_max = 1'000'000;
  // Memory of the projections' block cache (db.h, kProjectionCacheBytes*).
  size_t projection_cache_bytes_max = size_t{1} << 30;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_LIMITS_H_
