// ledgerd's --rebuild-buffer-bytes-max (storage/projection.h,
// kRebuildBufferBytes*): the memory a projection rebuild folds in before it
// writes. At the floor (1 MiB) and at the ceiling (64 GiB, taken only as a
// rebuild fills it) ledgerd starts, rebuilds and answers as before; one
// byte outside either, it refuses to start and creates nothing.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using ::testing::HasSubstr;

// storage/projection.h (tests do not include storage headers).
constexpr uint64_t kBufferBytesFloor = uint64_t{1} << 20;
constexpr uint64_t kBufferBytesCeiling = uint64_t{64} << 30;

class RebuildBufferFlagTest : public ::testing::Test {
 protected:
  LedgerctlResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", ledgerd_.address()});
    return RunLedgerctl(args);
  }

  // Starts ledgerd with the buffer, loads the data set, rebuilds
  // stake-ownership and checks an answer the seeds give.
  void StartsRebuildsAndAnswers(uint64_t buffer_bytes) {
    const absl::Status started =
        ledgerd_.Start({"--rebuild-buffer-bytes-max", absl::StrCat(buffer_bytes)});
    ASSERT_TRUE(started.ok()) << started;
    const LedgerctlResult imported = Ctl({"import", STAKELEDGER_DATA_DIR});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    const LedgerctlResult rebuilt = Ctl({"rebuild", "stake-ownership"});
    ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
    EXPECT_THAT(rebuilt.out, HasSubstr("rebuilt stake-ownership: "));
    // The rebuild started after the import, so it folded every announcement.
    const LedgerctlResult stake =
        Ctl({"--json", "stake", "softbank-group", "nvidia", "--as-of", "2018-06-30"});
    ASSERT_EQ(stake.exit_code, 0) << stake.err;
    EXPECT_THAT(stake.out, HasSubstr("\"ppm\":50000"));
    auto stopped = ledgerd_.Stop();
    ASSERT_TRUE(stopped.ok()) << stopped.status();
    EXPECT_TRUE(stopped->clean()) << stopped->ToString();
  }

  // ledgerd refuses the buffer and leaves no data directory behind.
  void Refuses(uint64_t buffer_bytes) {
    std::filesystem::remove_all(ledgerd_.data_dir());
    const absl::Status started =
        ledgerd_.Start({"--rebuild-buffer-bytes-max", absl::StrCat(buffer_bytes)});
    EXPECT_EQ(started.code(), absl::StatusCode::kUnavailable) << started;
    EXPECT_FALSE(std::filesystem::exists(ledgerd_.data_dir()));
  }

  LedgerdProcess ledgerd_;
};

TEST_F(RebuildBufferFlagTest, AtTheFloorLedgerdRebuildsAndAnswers) {
  StartsRebuildsAndAnswers(kBufferBytesFloor);
}

TEST_F(RebuildBufferFlagTest, OneBelowTheFloorLedgerdRefusesToStart) {
  Refuses(kBufferBytesFloor - 1);
}

TEST_F(RebuildBufferFlagTest, AtTheCeilingLedgerdRebuildsAndAnswers) {
  StartsRebuildsAndAnswers(kBufferBytesCeiling);
}

TEST_F(RebuildBufferFlagTest, OnePastTheCeilingLedgerdRefusesToStart) {
  Refuses(kBufferBytesCeiling + 1);
}

}  // namespace
}  // namespace stakeledger::tests
