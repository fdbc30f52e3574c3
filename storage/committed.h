// An event as the writer committed it, shared read-only between the writer,
// the subscription hub and every live subscriber.
#ifndef STAKELEDGER_STORAGE_COMMITTED_H_
#define STAKELEDGER_STORAGE_COMMITTED_H_

#include <memory>
#include <string>
#include <vector>

#include "stakeledger/v1/event_store.pb.h"

namespace stakeledger::storage {

struct CommittedEvent {
  // Fields 1-9 and leaf_hash set; record empty.
  v1::RecordedEvent event;
  // The log value: leaf_hash(32) || record bytes (record.h).
  std::string value;
};

// Memory an event holds while buffered for a subscriber: its stored bytes,
// its parsed payload, and a fixed allowance for the rest.
inline size_t BufferedBytes(const CommittedEvent& committed) {
  constexpr size_t kOverheadBytes = 256;
  return committed.value.size() + committed.event.payload().size() + kOverheadBytes;
}

// One group commit, in position order, never empty. Each event is owned on
// its own, so a subscriber that buffers one event keeps only that event
// alive, not the whole batch.
using CommittedBatch = std::vector<std::shared_ptr<const CommittedEvent>>;
using CommittedBatchPtr = std::shared_ptr<const CommittedBatch>;

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_COMMITTED_H_
