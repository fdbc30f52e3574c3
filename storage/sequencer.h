// The first half of the write path: checks prepared appends against the
// log's current state (idempotency, expected revision), assigns positions,
// revisions and the commit time, encodes each record with its leaf hash,
// appends the leaf to the Merkle tree, and gathers everything (records,
// indexes, completed tree nodes) into one WriteBatch for a single fsync.
#ifndef STAKELEDGER_STORAGE_SEQUENCER_H_
#define STAKELEDGER_STORAGE_SEQUENCER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "rocksdb/write_batch.h"
#include "storage/committed.h"
#include "storage/db.h"
#include "storage/indexer.h"
#include "storage/merkle_frontier.h"
#include "storage/merkle_store.h"
#include "storage/uuid.h"
#include "storage/validate.h"

namespace stakeledger::storage {

// What survives between batches: the next position and stream id, the
// last commit time and the right edge of the Merkle tree (one leaf per
// record, leaf i is position i + 1). Changed only after a batch is durable.
struct LogTail {
  uint64_t next_position = 1;
  uint64_t next_stream_id = 1;
  int64_t last_recorded_at_us = 0;
  MerkleFrontier merkle;
};

// Whether the write path extends the Merkle tree. kSkipForBenchmark exists
// only so that a benchmark can measure what the tree costs the write path
// (bench/storage_bench.cc): a log written without its tree has no proofs
// and breaks the audit guarantees, so no server path offers it.
enum class MerkleTreeMode { kKeep, kSkipForBenchmark };

// Builds one group commit. Not thread-safe: owned by the writer thread for
// one batch. Requests are sequenced in the order they are added; a later
// request sees the effects of earlier ones in the same batch.
class Sequencer {
 public:
  // `now_us` becomes recorded_at of every record, raised to the tail's last
  // recorded_at so that it never decreases along the log.
  // `ids` makes the server's event ids and outlives the sequencer.
  Sequencer(const Database* db, const LogTail& tail, int64_t now_us, UuidV7Generator* ids,
            MerkleTreeMode tree_mode);

  // Sequences one append. On success the records are in batch() and
  // committed(). Errors (nothing of this request is added):
  // FAILED_PRECONDITION when the expected revision does not hold, naming
  // both revisions; ALREADY_EXISTS when an event id is already recorded with
  // other content or by another request; DATA_LOSS / UNAVAILABLE on a
  // failed read.
  absl::StatusOr<v1::AppendResponse> Add(PreparedAppend append);

  bool empty() const { return committed_->empty(); }
  // The tail once this batch is durable.
  LogTail tail_after() const;
  // Adds the changed stream heads and the completed Merkle nodes, and
  // returns the batch to write.
  // REQUIRES: called once, after the last Add.
  rocksdb::WriteBatch* FinishBatch();
  // REQUIRES: called once, after the batch is durable.
  CommittedBatchPtr TakeCommitted() { return std::move(committed_); }

 private:
  absl::StatusOr<std::optional<v1::AppendResponse>> CheckReplay(const PreparedAppend& append);
  absl::StatusOr<std::optional<uint64_t>> FindEventId(const std::string& id_bytes);
  absl::Status LoadEvent(uint64_t position, v1::RecordedEvent* event);
  v1::AppendResponse Commit(PreparedAppend append, const StreamHead* head);

  const Database* db_;
  const LogTail tail_before_;
  uint64_t next_position_;
  int64_t recorded_at_us_;
  UuidV7Generator* ids_;
  const MerkleTreeMode tree_mode_;
  StreamHeadOverlay heads_;
  MerkleFrontier merkle_;
  // The nodes this batch completes, gathered into one merkle entry per
  // record (see MerkleNodeBuffer for why) and written by FinishBatch.
  MerkleNodeBuffer merkle_nodes_;
  rocksdb::WriteBatch batch_;
  std::shared_ptr<CommittedBatch> committed_;
  // Event ids committed by this batch -> index into committed_.
  absl::flat_hash_map<std::string, size_t> pending_ids_;
};

// Errors: as Sequencer::Add, for the expected revision check alone.
absl::Status CheckExpectedRevision(const PreparedAppend& append, const StreamHead* head);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_SEQUENCER_H_
