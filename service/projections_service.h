// stakeledger.v1.Projections over gRPC's callback API: thin unary methods
// over ProjectionQueries, one status conversion each; Replay, a
// server-streaming reactor (replay_reactor.h); and Rebuild, a
// server-streaming reactor running ProjectionEngine::Rebuild on a thread of
// its own. Every method whose request holds a string is a raw (ByteBuffer)
// method that decodes its own request and encodes its own responses
// (request_codec.h), so that invalid UTF-8 gets INVALID_ARGUMENT naming the
// field instead of gRPC's UNIMPLEMENTED with an empty message.
#ifndef STAKELEDGER_SERVICE_PROJECTIONS_SERVICE_H_
#define STAKELEDGER_SERVICE_PROJECTIONS_SERVICE_H_

#include <atomic>

#include "service/answer_proofs.h"
#include "service/investment_queries.h"
#include "service/projection_queries.h"
#include "stakeledger/v1/projections.grpc.pb.h"

namespace stakeledger::service {

// The generated service with every method that takes a string made raw
// (all but ListProjections).
using ProjectionsRawBase = v1::Projections::WithRawCallbackMethod_GetStake<
    v1::Projections::WithRawCallbackMethod_ListHolders<
        v1::Projections::WithRawCallbackMethod_GetPortfolio<
            v1::Projections::WithRawCallbackMethod_GetTimeline<
                v1::Projections::WithRawCallbackMethod_Replay<
                    v1::Projections::WithRawCallbackMethod_Rebuild<
                        v1::Projections::WithRawCallbackMethod_GetInvestments<
                            v1::Projections::WithRawCallbackMethod_ListStakes<
                                v1::Projections::CallbackService>>>>>>>>;

class ProjectionsService final : public ProjectionsRawBase {
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
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListHolders(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetPortfolio(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetTimeline(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Replay(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* ListProjections(grpc::CallbackServerContext* context,
                                            const v1::ListProjectionsRequest* request,
                                            v1::ListProjectionsResponse* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Rebuild(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* GetInvestments(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListStakes(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;

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
