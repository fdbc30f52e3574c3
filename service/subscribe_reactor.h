// The server-streaming reactor behind Subscribe. It pulls from a
// storage::Subscription whenever no write is in flight: on start, after
// each write completes, and when the subscription wakes it because live
// events arrived. At most one response is in flight, so a client that stops
// reading holds at most one response plus the subscription's bounded buffer.
// Subscribe is a raw method (request_codec.h): each response is serialized
// into a ByteBuffer before it is written.
//
// Life cycle:
//   1. Start(): registers the subscription (or finishes with its error) and
//      pumps the first response.
//   2. Pump(): asks the subscription for the next response; writes it, or
//      waits for a wake when there is nothing yet.
//   3. OnWriteDone(true) pumps again; OnWriteDone(false) or OnCancel ends
//      the call.
//   4. OnDone closes the subscription (no wake can run after it) and
//      deletes the reactor.
#ifndef STAKELEDGER_SERVICE_SUBSCRIBE_REACTOR_H_
#define STAKELEDGER_SERVICE_SUBSCRIBE_REACTOR_H_

#include "grpcpp/grpcpp.h"
#include "stakeledger/v1/event_store.pb.h"
#include "storage/event_log.h"

namespace stakeledger::service {

// REQUIRES: `log` outlives the reactor.
// Each written ByteBuffer is one serialized v1::SubscribeResponse. The call
// ends at once with OUT_OF_RANGE for a from_position beyond the head + 1
// (the next position written, which a subscriber may wait for), naming the
// head; as storage::EventFilter::FromProto for the filter;
// RESOURCE_EXHAUSTED for a checkpoint interval over its limit; as
// storage::EventLog::Subscribe.
grpc::ServerWriteReactor<grpc::ByteBuffer>* NewSubscribeReactor(
    storage::EventLog* log, const v1::SubscribeRequest& request);

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_SUBSCRIBE_REACTOR_H_
