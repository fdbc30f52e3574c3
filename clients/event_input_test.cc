#include "clients/event_input.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

// A file in a fresh temporary directory, removed with the fixture.
class LoadDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "ledgerctl_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::remove(path().c_str());
    rmdir(dir_.c_str());
  }
  std::string path() const { return dir_ + "/data"; }
  void Write(const std::string& bytes) { std::ofstream(path(), std::ios::binary) << bytes; }

  std::istringstream stdin_{"from stdin"};
  std::string dir_;
};

TEST_F(LoadDataTest, InlineTextIsThePayload) {
  EXPECT_EQ(LoadData("{\"a\":1}", stdin_).value(), "{\"a\":1}");
}

TEST_F(LoadDataTest, DashReadsStdin) { EXPECT_EQ(LoadData("-", stdin_).value(), "from stdin"); }

TEST_F(LoadDataTest, AtFileReadsTheFileBinarySafe) {
  const std::string bytes("a\0b\xff\n", 5);
  Write(bytes);
  EXPECT_EQ(LoadData("@" + path(), stdin_).value(), bytes);
}

TEST_F(LoadDataTest, MissingFileIsInvalidArgumentNamingIt) {
  const absl::Status status = LoadData("@" + path(), stdin_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(path()), absl::string_view::npos);
}

TEST_F(LoadDataTest, FileAtTheLimitIsAccepted) {
  Write(std::string(100, 'x'));
  EXPECT_EQ(LoadData("@" + path(), stdin_, 100).value().size(), 100u);
}

TEST_F(LoadDataTest, FileOneByteOverTheLimitIsRejected) {
  Write(std::string(101, 'x'));
  EXPECT_EQ(LoadData("@" + path(), stdin_, 100).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LoadDataTest, StdinOneByteOverTheLimitIsRejected) {
  EXPECT_EQ(LoadData("-", stdin_, 9).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LoadDataTest, InlineOneByteOverTheLimitIsRejected) {
  EXPECT_EQ(LoadData("12345", stdin_, 4).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(IsJsonContentType, MatchesMediaTypeIgnoringCaseAndParameters) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType("application/jsonl"));
}

TEST(CheckJsonData, AcceptsAnyJsonValue) {
  for (absl::string_view data : {"{\"a\":[1,2,{\"b\":null}]}", "[]", "\"s\"", "3.5", "true"}) {
    EXPECT_TRUE(CheckJsonData(data).ok()) << data;
  }
}

TEST(CheckJsonData, RejectsBrokenJson) {
  for (absl::string_view data : {"{\"a\":", "not json", "", "[1,", "{\"a\" 1}"}) {
    EXPECT_EQ(CheckJsonData(data).code(), absl::StatusCode::kInvalidArgument) << data;
  }
}

TEST(ParseMetadata, SplitsAtTheFirstEquals) {
  const auto metadata = ParseMetadata({"a=1", "b=x=y", "c="}).value();
  EXPECT_EQ(metadata.at("a"), "1");
  EXPECT_EQ(metadata.at("b"), "x=y");
  EXPECT_EQ(metadata.at("c"), "");
}

TEST(ParseMetadata, EntryWithoutEqualsIsRejected) {
  EXPECT_EQ(ParseMetadata({"a"}).status().message(), "invalid --metadata 'a': use KEY=VALUE");
}

TEST(ParseMetadata, EmptyKeyIsRejected) {
  EXPECT_EQ(ParseMetadata({"=1"}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseMetadata, RepeatedKeyIsRejected) {
  EXPECT_EQ(ParseMetadata({"a=1", "a=2"}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stakeledger::clients
