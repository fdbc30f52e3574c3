// Parsing of ledgerctl's --expected-revision argument.
#ifndef STAKELEDGER_CLIENTS_EXPECTED_REVISION_H_
#define STAKELEDGER_CLIENTS_EXPECTED_REVISION_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stakeledger/v1/event_store.pb.h"

namespace stakeledger::clients {

// Turns "any", "no-stream", "exists" or a decimal revision ("0" to
// "18446744073709551615") into the request message: ANY, NO_STREAM,
// STREAM_EXISTS or EXACT with that revision. Matching is exact (lower case,
// no spaces, no sign).
//
// Errors: INVALID_ARGUMENT for anything else, with the message
// "invalid --expected-revision 'TEXT': use any, no-stream, exists or a
// revision number".
// Thread-safe.
absl::StatusOr<v1::ExpectedRevision> ParseExpectedRevision(absl::string_view text);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_EXPECTED_REVISION_H_
