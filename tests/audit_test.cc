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
#include "stakeledger/v1/event_store.grpc.pb.h"
#include "storage/db.h"
#include "storage/keys.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerd_process.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_verify.h"

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
  auto channel = ledgerd_.NewChannel();
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

TEST_F(AuditTest, ReadVerifyBackwardsChecksEveryEvent) {
  AppendEvents(ledgerd_, 4, "backwards");
  const LedgerctlResult result = Ctl(ledgerd_, {"read", "backwards", "--backwards", "--verify",
                                                "--trust-dir", trust_dir_.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("verified 4 events against tree head (size 4"));
}

// OK when every event in `events` up to `tree_size` carries a proof that
// leads from its record bytes to `root`, and no later event carries one.
::testing::AssertionResult ProofsLeadTo(const std::vector<v1::RecordedEvent>& events,
                                        uint64_t tree_size, const std::string& root) {
  for (const v1::RecordedEvent& event : events) {
    if (event.position() > tree_size) {
      if (event.inclusion_proof_size() != 0) {
        return ::testing::AssertionFailure() << "position " << event.position() << " has a proof";
      }
      continue;
    }
    const std::vector<std::string> hashes(event.inclusion_proof().begin(),
                                          event.inclusion_proof().end());
    const absl::Status status = verify::VerifyInclusion(
        event.position() - 1, tree_size, verify::HashLeaf(event.record()), hashes, root);
    if (!status.ok()) return ::testing::AssertionFailure() << status;
  }
  return ::testing::AssertionSuccess();
}

TEST_F(AuditTest, ReadsCarryInclusionProofsOnRequest) {
  AppendEvents(ledgerd_, 5, "proved");
  auto channel = ledgerd_.NewChannel();
  auto audit = v1::Audit::NewStub(channel);
  auto store = v1::EventStore::NewStub(channel);
  v1::SignedTreeHead head;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_TRUE(audit->GetTreeHead(&context, {}, &head).ok());
  }
  v1::ReadAllRequest all;
  all.set_include_proof(true);
  const ReadResult whole = ReadAll(*store, all);
  ASSERT_TRUE(whole.status.ok());
  ASSERT_EQ(whole.events.size(), 5u);
  EXPECT_TRUE(ProofsLeadTo(whole.events, head.tree_size(), head.root_hash()));
  // Proofs in the tree of size 3: its root, taken from the first proof,
  // must be the one the signed head extends.
  all.set_proof_tree_size(3);
  const ReadResult partial = ReadAll(*store, all);
  ASSERT_TRUE(partial.status.ok());
  ASSERT_EQ(partial.events.size(), 5u);
  const v1::RecordedEvent& first = partial.events[0];
  absl::StatusOr<std::string> root3 = verify::RootFromInclusionProof(
      0, 3, verify::HashLeaf(first.record()),
      std::vector<std::string>(first.inclusion_proof().begin(), first.inclusion_proof().end()));
  ASSERT_TRUE(root3.ok()) << root3.status();
  v1::GetConsistencyProofRequest consistency;
  consistency.set_first_size(3);
  consistency.set_second_size(head.tree_size());
  v1::ConsistencyProof proof;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_TRUE(audit->GetConsistencyProof(&context, consistency, &proof).ok());
  }
  EXPECT_TRUE(verify::VerifyConsistency(
                  3, head.tree_size(),
                  std::vector<std::string>(proof.hashes().begin(), proof.hashes().end()), *root3,
                  head.root_hash())
                  .ok());
  EXPECT_TRUE(ProofsLeadTo(partial.events, 3, *root3));
  v1::ReadStreamRequest stream;
  stream.set_stream("proved");
  stream.set_include_proof(true);
  const ReadResult by_stream = ReadStream(*store, stream);
  ASSERT_TRUE(by_stream.status.ok());
  EXPECT_TRUE(ProofsLeadTo(by_stream.events, head.tree_size(), head.root_hash()));
  all.set_proof_tree_size(head.tree_size() + 1);
  EXPECT_TRUE(HasCode(ReadAll(*store, all).status, grpc::StatusCode::OUT_OF_RANGE));
  v1::ReadAllRequest plain;
  const ReadResult without = ReadAll(*store, plain);
  ASSERT_TRUE(without.status.ok());
  EXPECT_EQ(without.events[0].inclusion_proof_size(), 0);
  EXPECT_TRUE(without.events[0].record().empty());
}

struct CheckRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `ledgerd ARGS` (quoted by the caller), stopped after 30 s at most.
CheckRun RunLedgerd(const std::string& args) {
  const std::string command = absl::StrCat("timeout 30 ", LEDGERD_PATH, " ", args, " 2>&1");
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

CheckRun RunLedgerdCheck(const std::string& data_dir) {
  return RunLedgerd(absl::StrCat("check --data-dir '", data_dir, "'"));
}

TEST_F(AuditTest, SecondLedgerdOnAHeldDataDirAsksWhetherLedgerdStillRuns) {
  ASSERT_TRUE(ledgerd_.running());
  const CheckRun second =
      RunLedgerd(absl::StrCat("--data-dir '", ledgerd_.data_dir(), "' --listen 127.0.0.1:0"));
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_THAT(second.output, HasSubstr("is ledgerd still running?"));
  // As `ledgerd check` says on the same directory.
  const CheckRun check = RunLedgerdCheck(ledgerd_.data_dir());
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_THAT(check.output, HasSubstr("is ledgerd still running?"));
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
