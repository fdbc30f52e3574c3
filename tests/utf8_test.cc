// Invalid UTF-8 in a string field of a Projections or Announcements request,
// against a real ledgerd: INVALID_ARGUMENT naming the field (not gRPC's
// UNIMPLEMENTED with an empty message), no answer, nothing rebuilt. The
// EventStore's own cases are in event_store_test.cc; no Audit request has a
// string field. The C++ client serializes a string field as it is (it only
// logs that the field is not UTF-8), so the bytes reach the server.
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/announcements_service.grpc.pb.h"
#include "stakeledger/v1/projections.grpc.pb.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using grpc::StatusCode;

constexpr char kBadBytes[] = "bad\xff\xfe";       // 0xff never occurs in UTF-8
constexpr char kTruncated[] = "caf\xc3";          // a sequence cut short
constexpr char kBadContinuation[] = "x\xc3\x28";  // a lead byte, then ASCII

class Utf8Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledgerd_.Start().ok());
    channel_ = ledgerd_.NewChannel();
    projections_ = v1::Projections::NewStub(channel_);
    announcements_ = v1::Announcements::NewStub(channel_);
  }

  // Calls `method` of `stub` with a deadline; expects INVALID_ARGUMENT with
  // exactly `message` and an empty response.
  template <typename Stub, typename Request, typename Response>
  void ExpectUnaryRefused(Stub* stub,
                          grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                       Response*),
                          const Request& request, const std::string& message) {
    grpc::ClientContext context;
    SetDeadline(&context);
    Response response;
    const grpc::Status status = (stub->*method)(&context, request, &response);
    EXPECT_TRUE(HasCode(status, StatusCode::INVALID_ARGUMENT));
    EXPECT_EQ(status.error_message(), message);
    EXPECT_EQ(response.ByteSizeLong(), 0u);
  }

  // Reads a server stream to its end; returns its status and message count.
  template <typename Response, typename Reader>
  static std::pair<grpc::Status, int> Drain(Reader* reader) {
    Response response;
    int messages = 0;
    while (reader->Read(&response)) ++messages;
    return {reader->Finish(), messages};
  }

  LedgerdProcess ledgerd_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Projections::Stub> projections_;
  std::unique_ptr<v1::Announcements::Stub> announcements_;
};

TEST_F(Utf8Test, GetStakeNamesTheFirstInvalidField) {
  v1::StakeRequest request;
  request.set_holder("softbank");
  request.set_target(kBadBytes);
  request.set_known_at(kTruncated);
  ExpectUnaryRefused(projections_.get(), &v1::Projections::Stub::GetStake, request,
                     "target is not valid UTF-8");
}

TEST_F(Utf8Test, ListHoldersNamesTheField) {
  v1::HoldersRequest request;
  request.set_target("openai");
  request.set_as_of(kBadContinuation);
  ExpectUnaryRefused(projections_.get(), &v1::Projections::Stub::ListHolders, request,
                     "as_of is not valid UTF-8");
}

TEST_F(Utf8Test, GetPortfolioNamesTheField) {
  v1::PortfolioRequest request;
  request.set_holder(kBadBytes);
  ExpectUnaryRefused(projections_.get(), &v1::Projections::Stub::GetPortfolio, request,
                     "holder is not valid UTF-8");
}

TEST_F(Utf8Test, GetTimelineNamesTheField) {
  v1::TimelineRequest request;
  request.set_holder("softbank");
  request.set_target("openai");
  request.set_known_at(kTruncated);
  ExpectUnaryRefused(projections_.get(), &v1::Projections::Stub::GetTimeline, request,
                     "known_at is not valid UTF-8");
}

TEST_F(Utf8Test, GetInvestmentsNamesTheField) {
  v1::InvestmentsRequest request;
  request.set_holder("softbank");
  request.set_year(kBadContinuation);
  ExpectUnaryRefused(projections_.get(), &v1::Projections::Stub::GetInvestments, request,
                     "year is not valid UTF-8");
}

TEST_F(Utf8Test, ListStakesNamesTheField) {
  v1::ListStakesRequest request;
  request.set_page_size(10);
  request.set_page_token(kBadBytes);
  ExpectUnaryRefused(projections_.get(), &v1::Projections::Stub::ListStakes, request,
                     "page_token is not valid UTF-8");
}

TEST_F(Utf8Test, ReplayEndsAtOnceNamingTheField) {
  v1::ReplayRequest request;
  request.set_holder(kTruncated);
  request.set_target("openai");
  grpc::ClientContext context;
  SetDeadline(&context);
  auto reader = projections_->Replay(&context, request);
  const auto [status, messages] = Drain<v1::ReplayResponse>(reader.get());
  EXPECT_TRUE(HasCode(status, StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(status.error_message(), "holder is not valid UTF-8");
  EXPECT_EQ(messages, 0);
}

TEST_F(Utf8Test, RebuildEndsAtOnceNamingTheFieldAndRebuildsNothing) {
  v1::RebuildRequest request;
  request.set_projection("stake-ownership\xff");
  grpc::ClientContext context;
  SetDeadline(&context);
  auto reader = projections_->Rebuild(&context, request);
  const auto [status, messages] = Drain<v1::RebuildProgress>(reader.get());
  EXPECT_TRUE(HasCode(status, StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(status.error_message(), "projection is not valid UTF-8");
  EXPECT_EQ(messages, 0);

  grpc::ClientContext list_context;
  SetDeadline(&list_context);
  v1::ListProjectionsResponse projections;
  ASSERT_TRUE(projections_->ListProjections(&list_context, {}, &projections).ok());
  for (const v1::ProjectionStatus& projection : projections.projections()) {
    EXPECT_NE(projection.state(), "rebuilding") << projection.name();
  }
}

TEST_F(Utf8Test, ListAnnouncementsNamesTheField) {
  v1::ListAnnouncementsRequest request;
  request.set_entity("softbank");
  request.set_from_date("2024");
  request.set_to_date(kBadBytes);
  ExpectUnaryRefused(announcements_.get(), &v1::Announcements::Stub::ListAnnouncements, request,
                     "to_date is not valid UTF-8");
}

TEST_F(Utf8Test, ResolveEntityNamesTheField) {
  v1::ResolveEntityRequest request;
  request.set_name(kBadContinuation);
  ExpectUnaryRefused(announcements_.get(), &v1::Announcements::Stub::ResolveEntity, request,
                     "name is not valid UTF-8");
}

}  // namespace
}  // namespace stakeledger::tests
