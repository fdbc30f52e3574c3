// Synthetic announcement histories for the ledger-bench projection
// workloads (bench_projection.h): the entities, the announcements and the
// Append calls that load them through the domain-checked path.
#ifndef STAKELEDGER_CLIENTS_BENCH_SYNTHETIC_H_
#define STAKELEDGER_CLIENTS_BENCH_SYNTHETIC_H_

#include <cstdint>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "clients/bench_projection.h"
#include "stakeledger/v1/event_store.grpc.pb.h"

namespace stakeledger::bench {

// Entity ids of a run: "<run>-h<i>" and "<run>-t<i>".
std::string HolderId(const SyntheticHistory& history, int index);
std::string TargetId(const SyntheticHistory& history, int index);

// A random as-of day of the synthetic histories, "YYYY-MM-DD" (2000-2024).
std::string RandomDay(std::mt19937_64* rng);

// Announcement number `n` (1-based) of the run: one fact, a stake change of
// a random (holder, target) (70% absolute, 30% a delta) at a random day;
// 2% retract and 1% correct the date of a random announcement of the run
// at least `settled` announcements older (0: none may be corrected yet).
v1::ProposedEvent SyntheticAnnouncement(const SyntheticHistory& history, uint64_t n,
                                        uint64_t settled, std::mt19937_64* rng);

// Registers the run's holders and targets (the "entities" stream). A
// second registration of the same run is an idempotent replay.
// Errors: the first failed Append's status.
absl::Status RegisterEntities(const SyntheticHistory& history, v1::EventStore::Stub* stub);

// Appends announcements first..last (inclusive) of the run in one call.
// Errors: the call's status.
absl::Status AppendAnnouncements(const SyntheticHistory& history, uint64_t first, uint64_t last,
                                 v1::EventStore::Stub* stub, std::mt19937_64* rng,
                                 v1::AppendResponse* response);

}  // namespace stakeledger::bench

#endif  // STAKELEDGER_CLIENTS_BENCH_SYNTHETIC_H_
