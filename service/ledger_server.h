// ledgerd's server: the event log, the domain state rebuilt from it, the gRPC
// services on top of them (with health checking and reflection), and the
// order in which they stop.
#ifndef STAKELEDGER_SERVICE_LEDGER_SERVER_H_
#define STAKELEDGER_SERVICE_LEDGER_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"
#include "service/announcements_service.h"
#include "service/answer_proofs.h"
#include "service/audit_service.h"
#include "service/domain_snapshotter.h"
#include "service/domain_state.h"
#include "service/event_store_service.h"
#include "service/investment_queries.h"
#include "service/projection_queries.h"
#include "service/projections_service.h"
#include "storage/event_log.h"
#include "storage/limits.h"
#include "storage/projection_engine.h"

namespace stakeledger::service {

struct ServerOptions {
  std::string data_dir;
  // HOST:PORT; port 0 picks a free port (see LedgerServer::port()).
  std::string listen = "127.0.0.1:50051";
  storage::Limits limits;
  // Largest gRPC message the server accepts or sends. An Append over it is
  // refused by gRPC with RESOURCE_EXHAUSTED before it reaches the log.
  int grpc_message_bytes_max = 64 << 20;
  // The Ed25519 key signing tree heads (tree_signer.h); empty: the file
  // kSigningKeyFileName in data_dir, created on first start.
  std::string signing_key_path;
  // False only as a diagnostic (`ledgerd --projections=off`): no projection
  // runs, so that a benchmark can measure what projections cost the write
  // path; every call of the Projections service is then refused with
  // FAILED_PRECONDITION rather than answered from state that is not kept.
  bool projections = true;
  // The domain snapshot (domain_state.h): written on a clean stop and in
  // the background once this many announcements were applied since the
  // last, up to this size (past it, it is not written).
  uint64_t domain_snapshot_every_announcements_min = kDomainSnapshotEveryAnnouncementsMin;
  size_t domain_snapshot_bytes_max = storage::kDomainSnapshotBytesMax;
  // The memory a rebuild (or a bulk catch-up) folds in before it writes
  // (storage/projection.h kRebuildBufferBytes*): more means fewer writes of
  // the shadow, and no compaction of them when one write holds it all.
  size_t rebuild_buffer_bytes_max = storage::DefaultRebuildBufferBytes();
};

class LedgerServer {
 public:
  // Opens the log and starts serving. Errors: as EventLog::Open and
  // TreeSigner::LoadOrCreate; UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<LedgerServer>> Start(const ServerOptions& options);
  // Shuts down if not done yet.
  ~LedgerServer();

  int port() const { return port_; }
  // The last position in the log (0 for an empty log).
  uint64_t head_position() const { return log_->head_position(); }
  // What the domain state found in the log at start.
  const DomainLoadReport& domain_load_report() const { return domain_load_report_; }
  // The projections' status (storage/projection_engine.h); empty when
  // projections are off. Thread-safe.
  std::vector<storage::ProjectionStatus> projection_status() const;

  // Stops cleanly: health turns NOT_SERVING and new calls are refused with
  // UNAVAILABLE; queued appends are committed and acknowledged;
  // subscriptions end with UNAVAILABLE (naming where to resume); reads in
  // progress get `grace` to finish; then the domain snapshot is written
  // (when anything changed since the last) and the log closes. Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(5));

 private:
  LedgerServer() = default;

  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<DomainState> domain_;
  DomainLoadReport domain_load_report_;
  // Set once the domain state is loaded.
  std::unique_ptr<DomainSnapshotter> snapshotter_;
  size_t domain_snapshot_bytes_max_ = 0;
  std::unique_ptr<EventStoreService> event_store_;
  std::unique_ptr<AnnouncementsService> announcements_;
  std::unique_ptr<storage::ProjectionEngine> projection_engine_;
  std::unique_ptr<ProjectionQueries> projection_queries_;
  std::unique_ptr<InvestmentQueries> investment_queries_;
  std::unique_ptr<TreeSigner> signer_;
  std::unique_ptr<AnswerProver> prover_;
  std::unique_ptr<ProjectionsService> projections_;
  // Set instead of the projection members above when projections are off.
  std::unique_ptr<grpc::CallbackGenericService> projections_off_;
  std::unique_ptr<AuditService> audit_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_LEDGER_SERVER_H_
