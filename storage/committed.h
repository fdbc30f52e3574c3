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

// One group commit, in position order, never empty.
using CommittedBatch = std::vector<CommittedEvent>;
using CommittedBatchPtr = std::shared_ptr<const CommittedBatch>;

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_COMMITTED_H_
