// stakeledger.v1.Projections over gRPC's callback API: thin unary methods
// over ProjectionQueries, one status conversion each; Replay, a
// server-streaming reactor (replay_reactor.h); and Rebuild, a
// server-streaming reactor running ProjectionEngine::Rebuild on a thread of
// its own.
#ifndef STAKELEDGER_SERVICE_PROJECTIONS_SERVICE_H_
#define STAKELEDGER_SERVICE_PROJECTIONS_SERVICE_H_

#include <atomic>

#include "service/answer_proofs.h"
#include "service/investment_queries.h"
#include "service/projection_queries.h"
#include "stakeledger/v1/projections.grpc.pb.h"

namespace stakeledger::service {

class ProjectionsService final : public v1::Projections::CallbackService {
 public:
  // REQUIRES: `queries`, `engine`, `prover` and `investments` outlive the
  // service; the engine is stopped (which ends running rebuilds) before the
  // server shuts down.
  ProjectionsService(const ProjectionQueries* queries, storage::ProjectionEngine* engine,
                     const AnswerProver* prover, const InvestmentQueries* investments)
      : queries_(queries), engine_(engine), prover_(prover), investments_(investments) {}

  // After this every new call is refused with UNAVAILABLE. Thread-safe.
  void BeginShutdown() { shutting_down_.store(true); }

  grpc::ServerUnaryReactor* GetStake(grpc::CallbackServerContext* context,
                                     const v1::StakeRequest* request,
                                     v1::StakeResponse* response) override;
  grpc::ServerUnaryReactor* ListHolders(grpc::CallbackServerContext* context,
                                        const v1::HoldersRequest* request,
                                        v1::HoldingsResponse* response) override;
  grpc::ServerUnaryReactor* GetPortfolio(grpc::CallbackServerContext* context,
                                         const v1::PortfolioRequest* request,
                                         v1::HoldingsResponse* response) override;
  grpc::ServerUnaryReactor* GetTimeline(grpc::CallbackServerContext* context,
                                        const v1::TimelineRequest* request,
                                        v1::TimelineResponse* response) override;
  grpc::ServerWriteReactor<v1::ReplayResponse>* Replay(grpc::CallbackServerContext* context,
                                                       const v1::ReplayRequest* request) override;
  grpc::ServerUnaryReactor* ListProjections(grpc::CallbackServerContext* context,
                                            const v1::ListProjectionsRequest* request,
                                            v1::ListProjectionsResponse* response) override;
  grpc::ServerWriteReactor<v1::RebuildProgress>* Rebuild(
      grpc::CallbackServerContext* context, const v1::RebuildRequest* request) override;
  grpc::ServerUnaryReactor* GetInvestments(grpc::CallbackServerContext* context,
                                           const v1::InvestmentsRequest* request,
                                           v1::InvestmentsResponse* response) override;
  grpc::ServerUnaryReactor* ListStakes(grpc::CallbackServerContext* context,
                                       const v1::ListStakesRequest* request,
                                       v1::ListStakesResponse* response) override;

 private:
  const ProjectionQueries* const queries_;
  storage::ProjectionEngine* const engine_;
  // Answers with proofs (include_proof) and ListStakes.
  const AnswerProver* const prover_;
  const InvestmentQueries* const investments_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace stakeledger::service

#endif  // STAKELEDGER_SERVICE_PROJECTIONS_SERVICE_H_
