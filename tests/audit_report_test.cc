// Audit reports end to end (issue 5) against a real ledgerd loaded with the
// curated data set: `ledgerctl audit` in every format, `verify-report` on a
// good report (offline, server stopped) and on each kind of tampering,
// `stake --verify`, known_at beyond the head, and the proofs that stake,
// holders and ListStakes answers carry on request.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/audit.grpc.pb.h"
#include "stakeledger/v1/audit_report.pb.h"
#include "stakeledger/v1/projections.grpc.pb.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerctl_run.h"
#include "tests/ledgerctl_test.h"
#include "tests/ledgerd_process.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_verify.h"

namespace stakeledger::tests {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitUsageError = 2;                            // clients/exit_code.h
constexpr int kExitVerifyFailed = 4;                          // clients/exit_code.h
constexpr uint64_t kAuditReportBytesMax = uint64_t{1} << 30;  // clients/audit_report.h
// The ownership state the curated data set gives at the end of 2025.
constexpr char kAsOf[] = "2025-12-31";

class AuditReportTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    const fs::path data(ledgerd_.data_dir());
    trust_dir_ = data.parent_path() / (data.filename().string() + "-trust");
    report_path_ = data.parent_path() / (data.filename().string() + "-report.json");
    LedgerctlTest::SetUp();
    ImportDataSet();
    channel_ = ledgerd_.NewChannel();
    projections_ = v1::Projections::NewStub(channel_);
  }
  void TearDown() override {
    fs::remove_all(trust_dir_);
    fs::remove(report_path_);
  }

  LedgerctlResult Audit(std::vector<std::string> extra) {
    std::vector<std::string> args = {"audit", "--as-of", kAsOf, "--trust-dir", trust_dir_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Ctl(args);
  }
  LedgerctlResult VerifyReport(const std::string& path) {
    return RunLedgerctl({"verify-report", path, "--trust-dir", trust_dir_.string()});
  }
  // Writes the JSON report of kAsOf to report_path_ and reads it back.
  v1::AuditReport WriteReport() {
    const LedgerctlResult result = Audit({"--format", "json", "--output", report_path_.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return ReadReport(report_path_.string());
  }
  static v1::AuditReport ReadReport(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    v1::AuditReport report;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text.str(), &report).ok());
    return report;
  }
  // Writes `report` as JSON next to the original and verifies it.
  LedgerctlResult VerifyTampered(const v1::AuditReport& report) {
    std::string json;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(report, &json).ok());
    const std::string path = report_path_.string() + ".tampered";
    std::ofstream(path) << json;
    LedgerctlResult result = VerifyReport(path);
    fs::remove(path);
    return result;
  }
  v1::SignedTreeHead Head() {
    auto audit = v1::Audit::NewStub(channel_);
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::SignedTreeHead head;
    EXPECT_TRUE(audit->GetTreeHead(&context, {}, &head).ok());
    return head;
  }
  static std::string LineName(const v1::AuditReport& report, int index) {
    const v1::AuditLine& line = report.lines(index);
    return absl::StrCat("line ", index + 1, " (", line.holder(), " in ", line.target(), ")");
  }

  fs::path trust_dir_;
  fs::path report_path_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Projections::Stub> projections_;
};

TEST_F(AuditReportTest, TableListsEveryStakeWithItsAnnouncementAndQuote) {
  const LedgerctlResult result = Audit({});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("first use: pinned public key"));
  EXPECT_THAT(result.out, HasSubstr(absl::StrCat("Signed tree head: size ", Head().tree_size())));
  // The head's time with the microseconds it was signed at, as recorded
  // times are printed (so that it pastes back as --known-at).
  EXPECT_THAT(result.out, ::testing::ContainsRegex(
                              "signed at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}Z"));
  EXPECT_THAT(result.out, HasSubstr("seed001-softbank-arm-ipo-2023-09"));
  EXPECT_THAT(result.out, HasSubstr("900000"));
  EXPECT_THAT(result.out, HasSubstr("소프트뱅크가 90%의 지분을 보유한 Arm(암)"));
  EXPECT_THAT(result.out, HasSubstr("001_1c609544bcf5d08a.txt"));
  EXPECT_THAT(result.out, HasSubstr("sb-openai-japan"));
}

TEST_F(AuditReportTest, MarkdownHasARowPerStakeWithItsQuote) {
  const LedgerctlResult result = Audit({"--format", "markdown"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr(absl::StrCat("# Ownership as of ", kAsOf)));
  EXPECT_THAT(result.out, HasSubstr("| softbank-group | arm | 90% | 900000 | 2023-09 | "
                                    "seed001-softbank-arm-ipo-2023-09 |"));
  EXPECT_THAT(result.out, HasSubstr("| 소프트뱅크가 90%의 지분을 보유한 Arm(암) |"));
}

TEST_F(AuditReportTest, JsonReportVerifiesOfflineWithTheServerStopped) {
  const v1::AuditReport report = WriteReport();
  ASSERT_GE(report.lines_size(), 4);
  EXPECT_EQ(report.tree_head().tree_size(), report.known_at_position());
  for (const v1::AuditLine& line : report.lines()) {
    EXPECT_GT(line.ppm(), 0);
    EXPECT_EQ(line.proofs_size(), line.basis_size());
    EXPECT_FALSE(line.proofs(0).announcement().record().empty());
  }
  ASSERT_TRUE(ledgerd_.Stop().ok());
  const LedgerctlResult result = VerifyReport(report_path_.string());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr(absl::StrCat("report verified: ", report.lines_size(),
                                                 " lines as of ", kAsOf)));
  // It says what it proved and what no report can.
  EXPECT_THAT(result.out, HasSubstr("each proved against the signed tree head of size"));
  EXPECT_THAT(result.out, HasSubstr("; a report cannot prove that no line was left out\n"));
}

TEST_F(AuditReportTest, CorrectedDateIsProvedByTheCorrectionRecord) {
  const v1::AuditReport report = WriteReport();
  bool found = false;
  for (const v1::AuditLine& line : report.lines()) {
    if (line.target() != "sb-openai-japan") continue;
    found = true;
    EXPECT_EQ(line.effective_date(), "2025-02");
    EXPECT_TRUE(line.proofs(line.proofs_size() - 1).has_correction());
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(VerifyReport(report_path_.string()).exit_code, 0);
}

TEST_F(AuditReportTest, ChangedPpmFailsNamingTheLine) {
  v1::AuditReport report = WriteReport();
  ASSERT_GE(report.lines_size(), 1);
  v1::AuditLine* line = report.mutable_lines(0);
  line->set_ppm(line->ppm() - 10'000);
  line->set_percent(absl::StrCat(line->ppm() / 10'000, ".0000"));
  const LedgerctlResult result = VerifyTampered(report);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr(LineName(report, 0)));
  EXPECT_THAT(result.err, HasSubstr("its facts fold to"));
}

TEST_F(AuditReportTest, ChangedFactAndLineTogetherFailAgainstTheRecord) {
  v1::AuditReport report = WriteReport();
  ASSERT_GE(report.lines_size(), 2);
  v1::AuditLine* line = report.mutable_lines(1);
  line->set_ppm(line->ppm() / 2);
  line->set_percent(absl::StrCat(line->ppm() / 10'000, ".0000"));
  for (v1::StakeEntry& fact : *line->mutable_basis()) fact.set_ppm(line->ppm());
  const LedgerctlResult result = VerifyTampered(report);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr(LineName(report, 1)));
  EXPECT_THAT(result.err, HasSubstr("the record says"));
}

TEST_F(AuditReportTest, ChangedQuoteFailsNamingTheLine) {
  v1::AuditReport report = WriteReport();
  ASSERT_GE(report.lines_size(), 2);
  report.mutable_lines(1)->set_quote("a quote the source never had");
  const LedgerctlResult result = VerifyTampered(report);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr(LineName(report, 1)));
  EXPECT_THAT(result.err, HasSubstr("the quote"));
}

TEST_F(AuditReportTest, ChangedRecordByteFailsNamingTheLine) {
  v1::AuditReport report = WriteReport();
  ASSERT_GE(report.lines_size(), 3);
  std::string* record =
      report.mutable_lines(2)->mutable_proofs(0)->mutable_announcement()->mutable_record();
  (*record)[record->size() / 2] ^= 0x01;
  const LedgerctlResult result = VerifyTampered(report);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr(LineName(report, 2)));
  EXPECT_THAT(result.err, HasSubstr("is not in the signed tree head"));
}

TEST_F(AuditReportTest, ChangedProofHashFailsNamingTheLine) {
  v1::AuditReport report = WriteReport();
  ASSERT_GE(report.lines_size(), 1);
  v1::RecordInclusion* inclusion =
      report.mutable_lines(0)->mutable_proofs(0)->mutable_announcement();
  ASSERT_GT(inclusion->hashes_size(), 0);
  (*inclusion->mutable_hashes(0))[0] ^= 0x01;
  const LedgerctlResult result = VerifyTampered(report);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr(LineName(report, 0)));
  EXPECT_THAT(result.err, HasSubstr("is not in the signed tree head"));
}

TEST_F(AuditReportTest, ChangedRootOrSignatureFails) {
  v1::AuditReport report = WriteReport();
  v1::AuditReport root = report;
  (*root.mutable_tree_head()->mutable_root_hash())[0] ^= 0x01;
  LedgerctlResult result = VerifyTampered(root);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr("signature does not verify"));
  v1::AuditReport signature = report;
  (*signature.mutable_tree_head()->mutable_signature())[5] ^= 0x01;
  result = VerifyTampered(signature);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr("signature does not verify"));
}

TEST_F(AuditReportTest, ReportKeyOtherThanThePinnedOneFails) {
  v1::AuditReport report = WriteReport();
  std::string key = report.public_key();
  key[0] ^= 0x01;
  report.set_public_key(key);
  const LedgerctlResult result = VerifyTampered(report);
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr("is not the pinned key"));
}

TEST_F(AuditReportTest, WithoutAPinnedKeyTheReportsKeyIsUsedAndSaidSo) {
  WriteReport();
  fs::remove_all(trust_dir_);
  const LedgerctlResult result = VerifyReport(report_path_.string());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("ledgerctl: warning: no signing key is pinned for "));
  EXPECT_THAT(result.err,
              HasSubstr(absl::StrCat("trusting the report's own key ",
                                     verify::ToHex(ReadReport(report_path_.string()).public_key()),
                                     " on first use")));
  EXPECT_THAT(result.out, HasSubstr("report verified: "));
}

// --public-key that is not the report's: the message names that option,
// not a pinned key (none was involved).
TEST_F(AuditReportTest, ReportKeyOtherThanTheGivenOneFailsNamingTheOption) {
  std::string other = WriteReport().public_key();
  other[0] ^= 0x01;
  const LedgerctlResult result =
      RunLedgerctl({"verify-report", report_path_.string(), "--trust-dir", trust_dir_.string(),
                    "--public-key", verify::ToHex(other)});
  EXPECT_EQ(result.exit_code, kExitVerifyFailed) << result.out;
  EXPECT_THAT(result.err, HasSubstr("does not match the key given with --public-key "));
  EXPECT_THAT(result.err, Not(HasSubstr("pinned")));
}

TEST_F(AuditReportTest, EmptyJsonObjectIsNotAnAuditReport) {
  const std::string empty = report_path_.string() + ".empty";
  std::ofstream(empty) << "{}";
  const LedgerctlResult result = VerifyReport(empty);
  fs::remove(empty);
  EXPECT_EQ(result.exit_code, kExitUsageError) << result.out;
  EXPECT_THAT(result.err, HasSubstr(".empty is not an audit report: it has no format"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("no key pinned")));
}

TEST_F(AuditReportTest, MissingForeignOrOtherFormatFileIsAUsageError) {
  EXPECT_EQ(VerifyReport(report_path_.string() + ".missing").exit_code, kExitUsageError);
  const std::string foreign = report_path_.string() + ".foreign";
  std::ofstream(foreign) << "{\"not_a_field\": 1}";
  const LedgerctlResult result = VerifyReport(foreign);
  fs::remove(foreign);
  EXPECT_EQ(result.exit_code, kExitUsageError);
  EXPECT_THAT(result.err, HasSubstr("is not an audit report"));
  v1::AuditReport report = WriteReport();
  report.set_format("stakeledger/audit-report/v0");
  const LedgerctlResult other = VerifyTampered(report);
  EXPECT_EQ(other.exit_code, kExitUsageError);
  EXPECT_THAT(other.err, HasSubstr("expected 'stakeledger/audit-report/v1'"));
}

// The size limit is checked before the file is read. Both files are
// sparse (zeros): at the limit the file is read and refused as no report;
// one byte past it is refused unread, naming the limit.
TEST_F(AuditReportTest, ReportFileAtTheSizeLimitIsReadAndOnePastIsRefused) {
  const std::string at_limit = report_path_.string() + ".at-limit";
  std::ofstream(at_limit).close();
  fs::resize_file(at_limit, kAuditReportBytesMax);
  const LedgerctlResult read = VerifyReport(at_limit);
  fs::remove(at_limit);
  EXPECT_EQ(read.exit_code, kExitUsageError);
  EXPECT_THAT(read.err, HasSubstr("is not an audit report"));

  const std::string past_limit = report_path_.string() + ".past-limit";
  std::ofstream(past_limit).close();
  fs::resize_file(past_limit, kAuditReportBytesMax + 1);
  const LedgerctlResult refused = VerifyReport(past_limit);
  fs::remove(past_limit);
  EXPECT_EQ(refused.exit_code, kExitUsageError);
  EXPECT_THAT(refused.err, HasSubstr(absl::StrCat("is over ", kAuditReportBytesMax, " bytes")));
}

TEST_F(AuditReportTest, VerifyReportWithServerChecksThatItsHeadExtendsTheReport) {
  WriteReport();
  ASSERT_EQ(Ctl({"append", "later", "--type", "test.happened", "--data", "{}"}).exit_code, 0);
  const LedgerctlResult result =
      RunLedgerctl({"verify-report", report_path_.string(), "--trust-dir", trust_dir_.string(),
                    "--server", ledgerd_.address()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("extends the report's head"));
}

TEST_F(AuditReportTest, KnownAtBeyondTheHeadIsRefused) {
  const uint64_t size = Head().tree_size();
  const LedgerctlResult result = Audit({"--known-at", absl::StrCat(size + 1)});
  EXPECT_EQ(result.exit_code, kExitUsageError) << result.out;
  EXPECT_THAT(result.err, HasSubstr("is beyond the signed tree head"));
  v1::StakeRequest request;
  request.set_holder("softbank-group");
  request.set_target("arm");
  request.set_as_of("2024");
  request.set_include_proof(true);
  request.set_known_at(absl::StrCat(size + 1));
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::StakeResponse response;
  EXPECT_TRUE(HasCode(projections_->GetStake(&context, request, &response),
                      grpc::StatusCode::OUT_OF_RANGE));
  request.clear_known_at();
  request.set_proof_tree_size(size + 1);
  grpc::ClientContext context2;
  SetDeadline(&context2);
  EXPECT_TRUE(HasCode(projections_->GetStake(&context2, request, &response),
                      grpc::StatusCode::OUT_OF_RANGE));
}

TEST_F(AuditReportTest, EarlierKnownAtGivesThatStateAndVerifies) {
  const uint64_t size = Head().tree_size();
  // The correction of SB OpenAI Japan's date is the last event imported.
  const LedgerctlResult result = Audit({"--known-at", absl::StrCat(size - 1), "--format", "json",
                                        "--output", report_path_.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const v1::AuditReport report = ReadReport(report_path_.string());
  EXPECT_EQ(report.known_at_position(), size - 1);
  for (const v1::AuditLine& line : report.lines()) {
    if (line.target() == "sb-openai-japan") {
      EXPECT_EQ(line.effective_date(), "2024-02");
    }
  }
  EXPECT_EQ(VerifyReport(report_path_.string()).exit_code, 0);
}

TEST_F(AuditReportTest, KnownAtTimeInTheFutureIsOutOfRange) {
  // What the ledger will know in 2999 is not known yet: no report.
  const LedgerctlResult result = Audit({"--known-at", "2999-01-01T00:00:00Z", "--format", "json",
                                        "--output", report_path_.string()});
  EXPECT_NE(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.err, HasSubstr("in the future"));
  for (const bool proof : {false, true}) {
    v1::ListStakesRequest request;
    request.set_as_of(kAsOf);
    request.set_known_at("2999-01-01T00:00:00Z");
    request.set_include_proof(proof);
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListStakesResponse response;
    EXPECT_TRUE(HasCode(projections_->ListStakes(&context, request, &response),
                        grpc::StatusCode::OUT_OF_RANGE));
  }
}

TEST_F(AuditReportTest, StakeVerifyChecksTheGoverningRecordAgainstTheHead) {
  const uint64_t size = Head().tree_size();
  const LedgerctlResult result = Ctl({"stake", "softbank", "arm", "--as-of", "2024", "--verify",
                                      "--trust-dir", trust_dir_.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("90%"));
  EXPECT_THAT(result.out, HasSubstr(absl::StrCat("verified against head size ", size)));
  const LedgerctlResult corrected =
      Ctl({"stake", "softbank-group", "sb-openai-japan", "--as-of", "2025-06", "--verify",
           "--trust-dir", trust_dir_.string()});
  ASSERT_EQ(corrected.exit_code, 0) << corrected.err;
  EXPECT_THAT(corrected.out, HasSubstr("effective 2025-02"));
}

TEST_F(AuditReportTest, HoldersAndPortfolioVerifyEveryHolding) {
  const uint64_t size = Head().tree_size();
  const LedgerctlResult holders =
      Ctl({"holders", "nvidia", "--as-of", "2018", "--verify", "--trust-dir", trust_dir_.string()});
  ASSERT_EQ(holders.exit_code, 0) << holders.err;
  EXPECT_THAT(holders.out, HasSubstr("softbank-group"));
  EXPECT_THAT(holders.out, HasSubstr(absl::StrCat("verified 1 holding against head size ", size)));
  const LedgerctlResult portfolio = Ctl({"portfolio", "softbank-group", "--as-of", kAsOf,
                                         "--verify", "--trust-dir", trust_dir_.string()});
  ASSERT_EQ(portfolio.exit_code, 0) << portfolio.err;
  EXPECT_THAT(portfolio.out, HasSubstr("arm"));
  EXPECT_THAT(portfolio.out, HasSubstr(absl::StrCat("against head size ", size)));
}

// OK when every proof of `answer` leads from its record to `head`'s root.
::testing::AssertionResult ProofsLeadToRoot(const v1::StakeResponse& answer,
                                            const v1::SignedTreeHead& head) {
  if (answer.proofs_size() != answer.basis_size() || answer.basis().empty()) {
    return ::testing::AssertionFailure()
           << answer.basis_size() << " facts, " << answer.proofs_size() << " proofs";
  }
  for (const v1::FactProof& proof : answer.proofs()) {
    const v1::RecordInclusion& inclusion = proof.announcement();
    const std::vector<std::string> hashes(inclusion.hashes().begin(), inclusion.hashes().end());
    const absl::Status status =
        verify::VerifyInclusion(inclusion.position() - 1, head.tree_size(),
                                verify::HashLeaf(inclusion.record()), hashes, head.root_hash());
    if (!status.ok()) return ::testing::AssertionFailure() << status;
  }
  return ::testing::AssertionSuccess();
}

TEST_F(AuditReportTest, StakeAndHoldersCarryProofsOnlyWhenAsked) {
  WriteReport();  // waits for the projection to reach the head
  v1::StakeRequest request;
  request.set_holder("softbank-group");
  request.set_target("arm");
  request.set_as_of("2024");
  v1::StakeResponse plain;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_TRUE(projections_->GetStake(&context, request, &plain).ok());
  }
  EXPECT_EQ(plain.proofs_size(), 0);
  EXPECT_FALSE(plain.has_tree_head());
  EXPECT_GE(plain.basis_size(), 1);
  request.set_include_proof(true);
  v1::StakeResponse proved;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_TRUE(projections_->GetStake(&context, request, &proved).ok());
  }
  EXPECT_EQ(proved.known_at_position(), proved.tree_head().tree_size());
  EXPECT_TRUE(ProofsLeadToRoot(proved, proved.tree_head()));
  v1::HoldersRequest holders;
  holders.set_target("nvidia");
  holders.set_as_of("2018");
  holders.set_include_proof(true);
  v1::HoldingsResponse holdings;
  grpc::ClientContext context;
  SetDeadline(&context);
  ASSERT_TRUE(projections_->ListHolders(&context, holders, &holdings).ok());
  ASSERT_EQ(holdings.holdings_size(), 1);
  EXPECT_TRUE(ProofsLeadToRoot(holdings.holdings(0), holdings.tree_head()));
}

TEST_F(AuditReportTest, ListStakesPagesGiveTheSameStateAsOnePage) {
  auto list = [&](uint32_t page_size, const std::string& token, v1::ListStakesResponse* out) {
    v1::ListStakesRequest request;
    request.set_as_of(kAsOf);
    request.set_page_size(page_size);
    request.set_page_token(token);
    grpc::ClientContext context;
    SetDeadline(&context);
    return projections_->ListStakes(&context, request, out);
  };
  v1::ListStakesResponse whole;
  ASSERT_TRUE(list(1000, "", &whole).ok());
  EXPECT_TRUE(whole.next_page_token().empty());
  std::vector<std::string> paged;
  std::string token;
  for (int page = 0; page < 100; ++page) {
    v1::ListStakesResponse response;
    ASSERT_TRUE(list(1, token, &response).ok());
    for (const v1::StakeResponse& stake : response.stakes()) {
      paged.push_back(stake.holder() + " in " + stake.target());
    }
    token = response.next_page_token();
    if (token.empty()) break;
  }
  std::vector<std::string> expected;
  for (const v1::StakeResponse& stake : whole.stakes()) {
    expected.push_back(stake.holder() + " in " + stake.target());
  }
  EXPECT_EQ(paged, expected);
  // Without proofs too, a known_at beyond the log is refused: the state
  // known then is not known yet.
  v1::ListStakesRequest beyond;
  beyond.set_as_of(kAsOf);
  beyond.set_known_at("999999");
  v1::ListStakesResponse beyond_response;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    EXPECT_TRUE(HasCode(projections_->ListStakes(&context, beyond, &beyond_response),
                        grpc::StatusCode::OUT_OF_RANGE));
  }
  v1::ListStakesResponse refused;
  EXPECT_TRUE(HasCode(list(1001, "", &refused), grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_TRUE(HasCode(list(0, "no separator", &refused), grpc::StatusCode::INVALID_ARGUMENT));
}

}  // namespace
}  // namespace stakeledger::tests
