#include "clients/expected_revision.h"

#include "gtest/gtest.h"

namespace stakeledger::clients {
namespace {

using Kind = v1::ExpectedRevision::Kind;

Kind KindOf(absl::string_view text) { return ParseExpectedRevision(text).value().kind(); }

TEST(ParseExpectedRevision, AnyIsAny) { EXPECT_EQ(KindOf("any"), v1::ExpectedRevision::ANY); }

TEST(ParseExpectedRevision, NoStreamIsNoStream) {
  EXPECT_EQ(KindOf("no-stream"), v1::ExpectedRevision::NO_STREAM);
}

TEST(ParseExpectedRevision, ExistsIsStreamExists) {
  EXPECT_EQ(KindOf("exists"), v1::ExpectedRevision::STREAM_EXISTS);
}

TEST(ParseExpectedRevision, ZeroIsExactZero) {
  const v1::ExpectedRevision expected = ParseExpectedRevision("0").value();
  EXPECT_EQ(expected.kind(), v1::ExpectedRevision::EXACT);
  EXPECT_EQ(expected.revision(), 0u);
}

TEST(ParseExpectedRevision, NumberIsExactRevision) {
  EXPECT_EQ(ParseExpectedRevision("42").value().revision(), 42u);
}

TEST(ParseExpectedRevision, LargestUint64IsAccepted) {
  EXPECT_EQ(ParseExpectedRevision("18446744073709551615").value().revision(),
            18446744073709551615u);
}

TEST(ParseExpectedRevision, PastUint64IsRejected) {
  EXPECT_EQ(ParseExpectedRevision("18446744073709551616").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseExpectedRevision, UnknownWordHasTheDocumentedMessage) {
  const absl::Status status = ParseExpectedRevision("foo").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "invalid --expected-revision 'foo': use any, no-stream, exists or a revision number");
}

TEST(ParseExpectedRevision, RejectsSignsSpacesCaseAndEmpty) {
  for (absl::string_view text : {"-1", "+1", " 1", "1 ", "ANY", "no_stream", "", "1.0", "0x1"}) {
    EXPECT_EQ(ParseExpectedRevision(text).status().code(), absl::StatusCode::kInvalidArgument)
        << "'" << text << "'";
  }
}

}  // namespace
}  // namespace stakeledger::clients
