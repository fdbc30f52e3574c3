#include "clients/expected_revision.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace stakeledger::clients {
namespace {

v1::ExpectedRevision MakeExpected(v1::ExpectedRevision::Kind kind, uint64_t revision) {
  v1::ExpectedRevision expected;
  expected.set_kind(kind);
  expected.set_revision(revision);
  return expected;
}

bool IsAllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<v1::ExpectedRevision> ParseExpectedRevision(absl::string_view text) {
  if (text == "any") return MakeExpected(v1::ExpectedRevision::ANY, 0);
  if (text == "no-stream") return MakeExpected(v1::ExpectedRevision::NO_STREAM, 0);
  if (text == "exists") return MakeExpected(v1::ExpectedRevision::STREAM_EXISTS, 0);
  // SimpleAtoi alone would accept a sign and surrounding spaces; a revision
  // is written as plain digits only. It still catches values past 2^64 - 1.
  uint64_t revision = 0;
  if (IsAllDigits(text) && absl::SimpleAtoi(text, &revision)) {
    return MakeExpected(v1::ExpectedRevision::EXACT, revision);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid --expected-revision '", text, "': use any, no-stream, exists or a revision number"));
}

}  // namespace stakeledger::clients
