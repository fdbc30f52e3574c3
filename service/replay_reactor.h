// The server-streaming reactor of Projections.Replay (projections.proto):
// sends a pair's changes page by page, one message in flight at a time,
// and waits for the stake-ownership projection where it has not yet
// applied the range (or, with follow, for each later change).
//
// Life cycle:
//   1. The service checks the request (ProjectionQueries::StartReplay) and
//      constructs the reactor, which reads the first page and writes.
//   2. OnWriteDone(true) writes the next message, reads the next page, or,
//      when the projection is behind, sets an alarm for
//      kReplayPollInterval and looks again when it fires.
//   3. The call finishes with OK once the range is sent (never with
//      follow); CANCELLED when the client goes; UNAVAILABLE when the server
//      shuts down; the read's error when a read fails.
//   4. OnDone deletes the reactor.
#ifndef STAKELEDGER_SERVICE_REPLAY_REACTOR_H_
#define STAKELEDGER_SERVICE_REPLAY_REACTOR_H_

#include <atomic>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "service/projection_queries.h"
#include "stakeledger/v1/projections.pb.h"

namespace stakeledger::service {

// Changes read from the index per page, and so held in memory per call.
inline constexpr size_t kReplayPageStepsMax = 256;
// How often a replay waiting for the projection looks at its position.
inline constexpr absl::Duration kReplayPollInterval = absl::Milliseconds(20);

// REQUIRES: `queries` and `shutting_down` outlive the reactor.
// Each v1::ReplayResponse is written serialized (the method is raw, see
// request_codec.h).
grpc::ServerWriteReactor<grpc::ByteBuffer>* NewReplayReactor(
    const ProjectionQueries* queries, ReplayRange range, const std::atomic<bool>* shutting_down);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_REPLAY_REACTOR_H_
