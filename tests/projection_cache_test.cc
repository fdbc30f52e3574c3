// ledgerd's --projection-cache-bytes-max (storage/limits.h): the
// projections' block cache. At its ceiling (64 GiB, taken only as blocks are
// read) ledgerd starts, serves and stops cleanly; one byte past it ledgerd
// refuses to start and creates nothing.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/projections.grpc.pb.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

// storage/db.h kProjectionCacheBytesCeiling (tests do not include RocksDB).
constexpr uint64_t kCacheBytesCeiling = uint64_t{64} << 30;

TEST(ProjectionCacheFlagTest, AtTheCeilingLedgerdStartsServesAndStops) {
  LedgerdProcess ledgerd;
  const absl::Status started =
      ledgerd.Start({"--projection-cache-bytes-max", absl::StrCat(kCacheBytesCeiling)});
  ASSERT_TRUE(started.ok()) << started;
  auto channel = ledgerd.NewChannel();
  auto projections = v1::Projections::NewStub(channel);
  v1::StakeRequest request;
  request.set_holder("nobody");
  request.set_target("nothing");
  request.set_as_of("2024");
  v1::StakeResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = projections->GetStake(&context, request, &response);
  // The Projections service serves: an entity the ledger does not know is
  // NOT_FOUND (projections.proto), not UNAVAILABLE.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  channel.reset();
  projections.reset();
  auto stopped = ledgerd.Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_TRUE(stopped->clean()) << stopped->ToString();
}

TEST(ProjectionCacheFlagTest, OnePastTheCeilingLedgerdRefusesToStart) {
  LedgerdProcess ledgerd;
  std::filesystem::remove_all(ledgerd.data_dir());
  const absl::Status started =
      ledgerd.Start({"--projection-cache-bytes-max", absl::StrCat(kCacheBytesCeiling + 1)});
  EXPECT_EQ(started.code(), absl::StatusCode::kUnavailable) << started;
  EXPECT_FALSE(std::filesystem::exists(ledgerd.data_dir()));
}

}  // namespace
}  // namespace stakeledger::tests
