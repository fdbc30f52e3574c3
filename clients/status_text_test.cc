#include "clients/status_text.h"

#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

constexpr char kServer[] = "127.0.0.1:1";

TEST(FormatStatusLine, IsCodeNameAndMessage) {
  EXPECT_EQ(FormatStatusLine(absl::FailedPreconditionError("stream 'x' is at revision 3, "
                                                           "expected 1")),
            "ledgerctl: FAILED_PRECONDITION: stream 'x' is at revision 3, expected 1");
}

TEST(FormatStatusLine, LineBreaksBecomeSpaces) {
  EXPECT_EQ(FormatStatusLine(absl::InternalError("a\nb\r\nc")), "ledgerctl: INTERNAL: a b c");
}

TEST(FromGrpcStatus, KeepsCodeAndMessage) {
  const absl::Status status = FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone"));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "gone");
}

TEST(DescribeRpcFailure, UnreachableServerNamesTheAddress) {
  const RpcFailure failure = DescribeRpcFailure(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect"), kServer, false);
  EXPECT_EQ(failure.exit_code, kExitUnreachable);
  EXPECT_EQ(FormatStatusLine(failure.status),
            "ledgerctl: UNAVAILABLE: cannot reach server at 127.0.0.1:1: failed to connect");
}

TEST(DescribeRpcFailure, DeadlineWithoutConnectionIsUnreachable) {
  const RpcFailure failure = DescribeRpcFailure(
      grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"), kServer, false);
  EXPECT_EQ(failure.exit_code, kExitUnreachable);
  EXPECT_EQ(failure.status.code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(DescribeRpcFailure, DeadlineOnConnectedChannelIsAServerError) {
  const RpcFailure failure = DescribeRpcFailure(
      grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"), kServer, true);
  EXPECT_EQ(failure.exit_code, kExitServerError);
  EXPECT_EQ(failure.status.message(), "Deadline Exceeded");
}

TEST(DescribeRpcFailure, ServerErrorIsPassedThrough) {
  const RpcFailure failure =
      DescribeRpcFailure(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                      "stream 'x' is at revision 3, expected 1"),
                         kServer, true);
  EXPECT_EQ(failure.exit_code, kExitServerError);
  EXPECT_EQ(FormatStatusLine(failure.status),
            "ledgerctl: FAILED_PRECONDITION: stream 'x' is at revision 3, expected 1");
}

TEST(DescribeBrokenSubscription, AStoppingServerIsNamedWithWhereToResume) {
  const absl::Status status = DescribeBrokenSubscription(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"), "127.0.0.1:9",
      42);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "the server at 127.0.0.1:9 is shutting down; resume with --from 42");
}

TEST(DescribeBrokenSubscription, OtherBreaksKeepTheMessage) {
  const absl::Status status = DescribeBrokenSubscription(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed"), "127.0.0.1:9", 7);
  EXPECT_EQ(status.message(),
            "the server at 127.0.0.1:9 is unavailable: Socket closed; resume with --from 7");
}

}  // namespace
}  // namespace stakeledger::clients
