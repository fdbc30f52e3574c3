#include "service/ledger_server.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "storage/investment_projection.h"
#include "storage/stake_projection.h"
#include "storage/status_macros.h"

namespace stakeledger::service {
namespace {

// Serves the methods no registered service has: FAILED_PRECONDITION for
// the Projections service's (projections were switched off), UNIMPLEMENTED
// for any other, as gRPC would.
class ProjectionsOffService final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    class Refusal final : public grpc::ServerGenericBidiReactor {
     public:
      explicit Refusal(const grpc::Status& status) { Finish(status); }
      void OnDone() override { delete this; }
    };
    const std::string prefix = absl::StrCat("/", v1::Projections::service_full_name(), "/");
    if (context->method().rfind(prefix, 0) != 0) {
      return new Refusal(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, ""));
    }
    return new Refusal(grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        "projections are switched off on this server (ledgerd --projections=off, a diagnostic "
        "for benchmarks); restart it without that flag"));
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(const ServerOptions& options) {
  std::unique_ptr<LedgerServer> server(new LedgerServer());
  ASSIGN_OR_RETURN(server->log_, storage::EventLog::Open(options.data_dir, options.limits));
  server->domain_ = std::make_unique<DomainState>();
  ASSIGN_OR_RETURN(server->domain_load_report_, server->domain_->Load(*server->log_));
  server->domain_snapshot_bytes_max_ = options.domain_snapshot_bytes_max;
  server->snapshotter_ = std::make_unique<DomainSnapshotter>(
      server->domain_.get(), options.domain_snapshot_every_announcements_min,
      options.domain_snapshot_bytes_max);
  server->event_store_ =
      std::make_unique<EventStoreService>(server->log_.get(), server->domain_.get());
  server->announcements_ = std::make_unique<AnnouncementsService>(server->domain_.get());
  if (options.projections) {
    server->projection_engine_ = std::make_unique<storage::ProjectionEngine>(
        server->log_.get(), options.rebuild_buffer_bytes_max);
    server->projection_engine_->Add(std::make_unique<storage::StakeOwnershipProjection>());
    server->projection_engine_->Add(std::make_unique<storage::InvestmentsProjection>());
    server->projection_queries_ = std::make_unique<ProjectionQueries>(
        server->log_.get(), server->projection_engine_.get(), server->domain_.get());
    server->investment_queries_ = std::make_unique<InvestmentQueries>(
        server->log_.get(), server->projection_engine_.get(), server->domain_.get(),
        server->projection_queries_.get());
  } else {
    server->projections_off_ = std::make_unique<ProjectionsOffService>();
  }
  const std::string key_path = options.signing_key_path.empty()
                                   ? absl::StrCat(options.data_dir, "/", kSigningKeyFileName)
                                   : options.signing_key_path;
  ASSIGN_OR_RETURN(server->signer_, TreeSigner::LoadOrCreate(key_path));
  if (options.projections) {
    server->prover_ =
        std::make_unique<AnswerProver>(server->log_.get(), server->projection_engine_.get(),
                                       server->signer_.get(), server->projection_queries_.get());
    server->projections_ = std::make_unique<ProjectionsService>(
        server->projection_queries_.get(), server->projection_engine_.get(), server->prover_.get(),
        server->investment_queries_.get());
  }
  server->audit_ = std::make_unique<AuditService>(server->log_.get(), server->signer_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->event_store_.get());
  builder.RegisterService(server->announcements_.get());
  if (server->projections_ != nullptr) {
    builder.RegisterService(server->projections_.get());
  } else {
    builder.RegisterCallbackGenericService(server->projections_off_.get());
  }
  builder.RegisterService(server->audit_.get());
  builder.SetMaxReceiveMessageSize(options.grpc_message_bytes_max);
  builder.SetMaxSendMessageSize(options.grpc_message_bytes_max);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  return server;
}

std::vector<storage::ProjectionStatus> LedgerServer::projection_status() const {
  if (projection_engine_ == nullptr) return {};
  return projection_engine_->Status();
}

LedgerServer::~LedgerServer() { Shutdown(); }

void LedgerServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(false);
    event_store_->BeginShutdown();
    announcements_->BeginShutdown();
    audit_->BeginShutdown();
    if (projections_ != nullptr) projections_->BeginShutdown();
  }
  // No background snapshot while the appends in flight finish.
  if (snapshotter_ != nullptr) snapshotter_->Stop();
  // Projections read the log: stop them while it is still open.
  if (projection_engine_ != nullptr) projection_engine_->Stop();
  // The log first: it acknowledges queued appends and ends subscriptions,
  // which would otherwise keep the gRPC shutdown waiting forever.
  // Null when Start failed to open the log.
  if (log_ != nullptr) log_->Shutdown();
  if (server_ != nullptr) {
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  // Every append is acknowledged and applied now, and the log's database
  // is still open: what a start would otherwise fold goes in the snapshot.
  if (snapshotter_ != nullptr && domain_->events_since_snapshot() > 0) {
    WriteDomainSnapshotAndReport(domain_.get(), domain_snapshot_bytes_max_, "clean stop");
  }
  snapshotter_.reset();
  server_.reset();
  projections_.reset();
  projections_off_.reset();
  investment_queries_.reset();
  prover_.reset();
  projection_queries_.reset();
  projection_engine_.reset();
  announcements_.reset();
  audit_.reset();
  event_store_.reset();
  domain_.reset();
  log_.reset();  // closes RocksDB
}

}  // namespace stakeledger::service
