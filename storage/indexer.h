// Index entries for records that have been sequenced: the second half of
// the write path. The sequencer decides positions and makes records
// durable; the indexer derives streams, stream_heads and event_ids entries
// from a record alone. A replicated log could feed committed records to the
// same indexer on every node.
#ifndef STAKELEDGER_STORAGE_INDEXER_H_
#define STAKELEDGER_STORAGE_INDEXER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "rocksdb/write_batch.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/db.h"
#include "storage/keys.h"

namespace stakeledger::storage {

// Stream heads as they will be once the pending batch commits: reads the
// database once per stream, then serves and updates an in-memory overlay.
// Not thread-safe: owned by one writer for one batch.
class StreamHeadOverlay {
 public:
  StreamHeadOverlay(const Database* db, uint64_t next_stream_id)
      : db_(db), first_stream_id_(next_stream_id), next_stream_id_(next_stream_id) {}

  // The head of `stream`, or nullptr when the stream does not exist yet.
  // Errors: as the database read.
  absl::StatusOr<const StreamHead*> Find(const std::string& stream);

  // Records `event` as the stream's new last event, creating the stream
  // (with a fresh id) at revision 0.
  // REQUIRES: event.revision() is the head's last revision + 1, or 0 for a
  // new stream.
  const StreamHead& Advance(const v1::RecordedEvent& event);

  // Writes every head changed since construction, and the next stream id
  // when a stream was created, to `batch`: once per stream per batch, not
  // once per event.
  void WriteChanged(rocksdb::WriteBatch* batch) const;

  uint64_t next_stream_id() const { return next_stream_id_; }

 private:
  struct Entry {
    std::optional<StreamHead> head;  // empty: the stream does not exist
    bool changed = false;
  };
  const Database* db_;
  const uint64_t first_stream_id_;
  uint64_t next_stream_id_;
  absl::flat_hash_map<std::string, Entry> heads_;
};

// Adds the streams and event_ids entries of one committed record to
// `batch`. The record's log entry is written by the caller, the stream head
// by StreamHeadOverlay::WriteChanged.
void IndexRecord(const Database& db, const v1::RecordedEvent& event, absl::string_view id_bytes,
                 uint64_t stream_id, rocksdb::WriteBatch* batch);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_INDEXER_H_
