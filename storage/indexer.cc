#include "storage/indexer.h"

#include "storage/check.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

absl::StatusOr<const StreamHead*> StreamHeadOverlay::Find(const std::string& stream) {
  auto it = heads_.find(stream);
  if (it == heads_.end()) {
    std::string bytes;
    const rocksdb::Status status =
        db_->db()->Get(rocksdb::ReadOptions(), db_->stream_heads(), stream, &bytes);
    Entry entry;
    if (status.ok()) {
      entry.head.emplace();
      if (!DecodeStreamHead(bytes, &*entry.head)) {
        return absl::DataLossError("stream head entry has the wrong size");
      }
    } else if (!status.IsNotFound()) {
      RETURN_IF_ERROR(FromRocksStatus(status, "reading a stream head"));
    }
    it = heads_.emplace(stream, entry).first;
  }
  return it->second.head.has_value() ? &*it->second.head : nullptr;
}

const StreamHead& StreamHeadOverlay::Advance(const v1::RecordedEvent& event) {
  auto it = heads_.find(event.stream());
  CHECK(it != heads_.end());  // Find() always precedes Advance()
  it->second.changed = true;
  std::optional<StreamHead>& head = it->second.head;
  if (!head.has_value()) {
    CHECK(event.revision() == 0);
    head.emplace();
    head->stream_id = next_stream_id_++;
    head->first_position = event.position();
  } else {
    CHECK(event.revision() == head->last_revision + 1);
  }
  head->last_revision = event.revision();
  head->last_position = event.position();
  return *head;
}

void StreamHeadOverlay::WriteChanged(rocksdb::WriteBatch* batch) const {
  for (const auto& [stream, entry] : heads_) {
    if (!entry.changed) continue;
    CHECK(batch->Put(db_->stream_heads(), stream, EncodeStreamHead(*entry.head)).ok());
  }
  if (next_stream_id_ != first_stream_id_) {
    CHECK(batch->Put(db_->meta(), kMetaNextStreamId, EncodePosition(next_stream_id_)).ok());
  }
}

void IndexRecord(const Database& db, const v1::RecordedEvent& event, absl::string_view id_bytes,
                 uint64_t stream_id, rocksdb::WriteBatch* batch) {
  DCHECK(id_bytes.size() == kEventIdBytes);
  const std::string position = EncodePosition(event.position());
  CHECK(batch->Put(db.streams(), EncodeStreamKey(stream_id, event.revision()), position).ok());
  CHECK(
      batch->Put(db.event_ids(), rocksdb::Slice(id_bytes.data(), id_bytes.size()), position).ok());
}

}  // namespace stakeledger::storage
