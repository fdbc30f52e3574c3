// Stateless checks of an append request against the named limits, done
// before the request reaches the writer so bad input never costs a write.
#ifndef STAKELEDGER_STORAGE_VALIDATE_H_
#define STAKELEDGER_STORAGE_VALIDATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/limits.h"

namespace stakeledger::storage {

// One event ready for sequencing: id parsed (or made), content type set.
struct PreparedEvent {
  // 16 bytes when the client gave an id; empty otherwise (the writer makes
  // a time-ordered one when it assigns the position).
  std::string id_bytes;
  bool id_from_client = false;
  v1::ProposedEvent event;
};

// An append request that passed every stateless check.
struct PreparedAppend {
  std::string stream;
  v1::ExpectedRevision::Kind expected_kind = v1::ExpectedRevision::ANY;
  uint64_t expected_revision = 0;
  std::vector<PreparedEvent> events;
};

inline constexpr char kDefaultContentType[] = "application/json";

// Errors: INVALID_ARGUMENT for a malformed field (empty or non-UTF-8 stream
// name, malformed event id, duplicate id within the request, unknown
// expected-revision kind, empty event type); RESOURCE_EXHAUSTED when a
// named limit is exceeded, naming the limit and both values.
// Thread-safe.
absl::StatusOr<PreparedAppend> PrepareAppend(v1::AppendRequest request, const Limits& limits);

// Errors: INVALID_ARGUMENT (empty, invalid UTF-8, control characters),
// RESOURCE_EXHAUSTED (over stream_name_bytes_max).
absl::Status ValidateStreamName(absl::string_view stream, const Limits& limits);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_VALIDATE_H_
