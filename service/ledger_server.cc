#include "service/ledger_server.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "storage/status_macros.h"

namespace stakeledger::service {

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(const ServerOptions& options) {
  std::unique_ptr<LedgerServer> server(new LedgerServer());
  ASSIGN_OR_RETURN(server->log_, storage::EventLog::Open(options.data_dir, options.limits));
  server->domain_ = std::make_unique<DomainState>();
  ASSIGN_OR_RETURN(server->domain_load_report_, server->domain_->Load(*server->log_));
  server->event_store_ =
      std::make_unique<EventStoreService>(server->log_.get(), server->domain_.get());
  server->announcements_ = std::make_unique<AnnouncementsService>(server->domain_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->event_store_.get());
  builder.RegisterService(server->announcements_.get());
  builder.SetMaxReceiveMessageSize(options.grpc_message_bytes_max);
  builder.SetMaxSendMessageSize(options.grpc_message_bytes_max);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  return server;
}

LedgerServer::~LedgerServer() { Shutdown(); }

void LedgerServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(false);
    event_store_->BeginShutdown();
    announcements_->BeginShutdown();
  }
  // The log first: it acknowledges queued appends and ends subscriptions,
  // which would otherwise keep the gRPC shutdown waiting forever.
  log_->Shutdown();
  if (server_ != nullptr) {
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  server_.reset();
  announcements_.reset();
  event_store_.reset();
  domain_.reset();
  log_.reset();  // closes RocksDB
}

}  // namespace stakeledger::service
