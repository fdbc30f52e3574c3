// Verifiable audit end to end against a real ledgerd (issue 5): the
// signing key file, `ledgerctl verify` pinning on first use, accepting a
// grown log, checking inclusion of positions, and refusing a server whose
// history changed; the Audit service's error codes.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/audit.grpc.pb.h"
#include "storage/db.h"
#include "storage/keys.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kExitVerifyFailed = 4;  // clients/exit_code.h

// The trust file name ledgerctl uses for `address` (clients/trust_store.h).
std::string TrustFileName(const std::string& address) {
  std::string name = address;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  }
  return name + ".trusted-head";
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    trust_dir_ = fs::path(ledgerd_.data_dir()).parent_path() /
                 absl::StrCat(fs::path(ledgerd_.data_dir()).filename().string(), "-trust");
    ASSERT_TRUE(ledgerd_.Start().ok());
  }
  void TearDown() override { fs::remove_all(trust_dir_); }

  LedgerctlResult Ctl(const LedgerdProcess& server, std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server.address()});
    return RunLedgerctl(args);
  }
  void AppendEvents(const LedgerdProcess& server, int count, const std::string& stream) {
    for (int i = 0; i < count; ++i) {
      const LedgerctlResult result = Ctl(server, {"append", stream, "--type", "test.happened",
                                                  "--data", absl::StrCat("{\"n\":", i, "}")});
      ASSERT_EQ(result.exit_code, 0) << result.err;
    }
  }
  LedgerctlResult Verify(const LedgerdProcess& server, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"verify", "--trust-dir", trust_dir_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Ctl(server, args);
  }

  LedgerdProcess ledgerd_;
  fs::path trust_dir_;
};

TEST_F(AuditTest, SigningKeyIsCreatedWithModeSixHundred) {
  struct stat info;
  ASSERT_EQ(stat((fs::path(ledgerd_.data_dir()) / "signing_key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(info.st_size, 32);
}

TEST_F(AuditTest, SigningKeyReadableByOthersIsRefused) {
  ASSERT_TRUE(ledgerd_.Stop().ok());
  const fs::path key = fs::path(ledgerd_.data_dir()) / "signing_key";
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  EXPECT_FALSE(ledgerd_.Start().ok());
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  EXPECT_TRUE(ledgerd_.Start().ok());
}

TEST_F(AuditTest, FirstVerifyPinsThenGrowthIsAccepted) {
  AppendEvents(ledgerd_, 5, "pin");
  LedgerctlResult first = Verify(ledgerd_, {"--position", "1", "--position", "5"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("first use: pinned public key"));
  EXPECT_THAT(first.out, HasSubstr("position 5: leaf"));
  AppendEvents(ledgerd_, 4, "pin");
  LedgerctlResult second = Verify(ledgerd_, {"--position", "9"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, ::testing::Not(HasSubstr("first use")));
  EXPECT_THAT(second.out, HasSubstr("size 9"));
}

TEST_F(AuditTest, ServerWithChangedHistoryIsReportedWithBothHeads) {
  AppendEvents(ledgerd_, 4, "original");
  ASSERT_EQ(Verify(ledgerd_).exit_code, 0);
  // Another log signed with the same key, as a server that rewrote its
  // history would be; the client knows it under the same trust file.
  LedgerdProcess forged;
  const std::string key = (fs::path(ledgerd_.data_dir()) / "signing_key").string();
  ASSERT_TRUE(forged.Start({"--signing-key", key}).ok());
  AppendEvents(forged, 6, "rewritten");
  fs::copy_file(trust_dir_ / TrustFileName(ledgerd_.address()),
                trust_dir_ / TrustFileName(forged.address()));
  const LedgerctlResult result = Verify(forged);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("history changed"));
  EXPECT_THAT(result.err, HasSubstr("size 4"));
  EXPECT_THAT(result.err, HasSubstr("size 6"));
}

TEST_F(AuditTest, ServerWithAnotherKeyIsRefused) {
  AppendEvents(ledgerd_, 2, "keys");
  ASSERT_EQ(Verify(ledgerd_).exit_code, 0);
  const fs::path old_file = trust_dir_ / TrustFileName(ledgerd_.address());
  ASSERT_TRUE(ledgerd_.Stop().ok());
  std::remove((fs::path(ledgerd_.data_dir()) / "signing_key").c_str());
  ASSERT_TRUE(ledgerd_.Start().ok());
  // The port changed with the restart: carry the trust over by hand.
  fs::copy_file(old_file, trust_dir_ / TrustFileName(ledgerd_.address()));
  const LedgerctlResult result = Verify(ledgerd_);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr("is not the pinned key"));
}

TEST_F(AuditTest, ReadVerifyChecksEveryEventAgainstTheSignedHead) {
  AppendEvents(ledgerd_, 3, "read");
  const LedgerctlResult result =
      Ctl(ledgerd_, {"read", "--all", "--verify", "--trust-dir", trust_dir_.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("verified 3 events against tree head (size 3"));
}

TEST_F(AuditTest, AuditServiceErrorsHaveSpecificCodes) {
  AppendEvents(ledgerd_, 3, "codes");
  auto channel = grpc::CreateChannel(ledgerd_.address(), grpc::InsecureChannelCredentials());
  auto audit = v1::Audit::NewStub(channel);
  auto call_inclusion = [&](uint64_t position, uint64_t size) {
    grpc::ClientContext context;
    v1::GetInclusionProofRequest request;
    request.set_position(position);
    request.set_tree_size(size);
    v1::InclusionProof proof;
    return audit->GetInclusionProof(&context, request, &proof).error_code();
  };
  EXPECT_EQ(call_inclusion(0, 3), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(call_inclusion(3, 2), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(call_inclusion(1, 4), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(call_inclusion(3, 0), grpc::StatusCode::OK);
  grpc::ClientContext context;
  v1::GetConsistencyProofRequest request;
  request.set_first_size(3);
  request.set_second_size(2);
  v1::ConsistencyProof proof;
  EXPECT_EQ(audit->GetConsistencyProof(&context, request, &proof).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

struct CheckRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CheckRun RunLedgerdCheck(const std::string& data_dir) {
  const std::string command = absl::StrCat(LEDGERD_PATH, " check --data-dir '", data_dir, "' 2>&1");
  CheckRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t got;
  while ((got = fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.output.append(buffer, got);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST_F(AuditTest, CheckNamesARecordChangedOnDisk) {
  AppendEvents(ledgerd_, 6, "disk");
  ASSERT_TRUE(ledgerd_.Stop().ok());
  const CheckRun sound = RunLedgerdCheck(ledgerd_.data_dir());
  EXPECT_EQ(sound.exit_code, 0) << sound.output;
  EXPECT_THAT(sound.output, HasSubstr("6 records sound"));
  {
    // An attacker with disk access flips one byte of record 3's bytes.
    auto db = storage::Database::Open(ledgerd_.data_dir());
    ASSERT_TRUE(db.ok()) << db.status();
    std::string value;
    const std::string key = storage::EncodePosition(3);
    ASSERT_TRUE((*db)->db()->Get(rocksdb::ReadOptions(), (*db)->log(), key, &value).ok());
    value[value.size() - 3] ^= 0x01;
    ASSERT_TRUE((*db)->db()->Put(rocksdb::WriteOptions(), (*db)->log(), key, value).ok());
  }
  const CheckRun damaged = RunLedgerdCheck(ledgerd_.data_dir());
  EXPECT_EQ(damaged.exit_code, 1) << damaged.output;
  EXPECT_THAT(damaged.output, HasSubstr("position 3: record changed"));
}

}  // namespace
}  // namespace stakeledger::tests
