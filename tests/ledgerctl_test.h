// The fixture of the command-line integration tests: a ledgerd of the
// test's own (started by SetUp, stopped when the test ends) and the real
// ledgerctl pointed at it. Only for test binaries built with LEDGERCTL
// (tests/CMakeLists.txt), which define STAKELEDGER_DATA_DIR.
#ifndef STAKELEDGER_TESTS_LEDGERCTL_TEST_H_
#define STAKELEDGER_TESTS_LEDGERCTL_TEST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/projections.grpc.pb.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {

class LedgerctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started = ledgerd_.Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  // `ledgerctl --server ADDRESS ARGS...`.
  LedgerctlResult Ctl(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--server", ledgerd_.address()});
    return RunLedgerctl(args);
  }

  // `ledgerctl import` of the curated data set (data/), or of its entities
  // only (for tests that make up their own announcements about them).
  // Fails the test when the import does.
  void ImportDataSet() { Import(STAKELEDGER_DATA_DIR); }
  void ImportEntities() { Import(absl::StrCat(STAKELEDGER_DATA_DIR, "/entities.jsonl")); }

  std::unique_ptr<v1::Projections::Stub> ProjectionsStub() const {
    return v1::Projections::NewStub(ledgerd_.NewChannel());
  }

  LedgerdProcess ledgerd_;

 private:
  void Import(const std::string& path) {
    const LedgerctlResult imported = Ctl({"import", path});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
};

}  // namespace stakeledger::tests

#endif  // STAKELEDGER_TESTS_LEDGERCTL_TEST_H_
