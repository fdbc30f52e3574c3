// Server-streaming reactors for ReadStream and ReadAll. Each holds one
// response at a time: it reads a chunk from storage, serializes it into a
// ByteBuffer (the methods are raw, see request_codec.h), writes it, and
// reads the next chunk only when gRPC has sent the previous one.
//
// Life cycle:
//   1. The service constructs the reactor, which validates the request and
//      either finishes at once or starts the first write.
//   2. OnWriteDone(true) reads and writes the next chunk; the reactor
//      finishes with OK once the count is reached or the end is read.
//   3. OnWriteDone(false) (client gone) or a read error finishes the call.
//   4. OnDone deletes the reactor.
#ifndef STAKELEDGER_SERVICE_READ_REACTORS_H_
#define STAKELEDGER_SERVICE_READ_REACTORS_H_

#include "grpcpp/grpcpp.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/event_log.h"

namespace stakeledger::service {

// REQUIRES: `log` outlives the reactor.
// Each written ByteBuffer is one serialized v1::ReadResponse.
grpc::ServerWriteReactor<grpc::ByteBuffer>* NewReadAllReactor(const storage::EventLog* log,
                                                              const v1::ReadAllRequest& request);
grpc::ServerWriteReactor<grpc::ByteBuffer>* NewReadStreamReactor(
    const storage::EventLog* log, const v1::ReadStreamRequest& request);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_READ_REACTORS_H_
