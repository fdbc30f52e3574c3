// Randomized announcement histories for the projections' property tests
// (stake_property_test.cc, investment_property_test.cc), and indexing them
// through a projection. Each history is a function of its seed, so that a
// failing case can be rerun from the seed it prints.
#ifndef STAKELEDGER_STORAGE_RANDOM_HISTORY_H_
#define STAKELEDGER_STORAGE_RANDOM_HISTORY_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "stakeledger/v1/announcement.pb.h"
#include "storage/db.h"
#include "storage/projection.h"
#include "storage/stake_facts.h"

namespace stakeledger::storage::testing {

// Not thread-safe. Names and announcement ids carry the seed, so that the
// cases of one test can share a database.
class RandomHistory {
 public:
  // Dates fall in the years [first_year, first_year + years).
  RandomHistory(uint32_t seed, int first_year, int years);

  std::string Holder(int i) const;
  std::string Target(int i) const;
  // A number in [0, n).
  int Pick(int n);
  // A year, a month or a day.
  std::string Date();

  // A log of 1..announcements_max announcements at odd positions (gaps, as
  // other events leave) of 1..3 facts each. After the first announcement a
  // fact is now and then a correction (RETRACT or SUPERSEDE of one fact or
  // all) of an earlier announcement, or of its own one when
  // `may_correct_itself`; a SUPERSEDE has a corrected date unless
  // Pick(date_odds) is 0. Other facts come from `make_fact`.
  std::vector<LoggedAnnouncement> MakeHistory(int announcements_max, bool may_correct_itself,
                                              int date_odds,
                                              const std::function<void(v1::Fact*)>& make_fact);

 private:
  void Correction(int earlier, int date_odds, v1::Fact* fact);

  std::mt19937 rng_;
  const std::string prefix_;
  const int first_year_;
  const int years_;
};

// The log event of `logged` (binary payload, as appends store it).
v1::RecordedEvent RecordedAnnouncement(const LoggedAnnouncement& logged);

// Every key (relative to the generation's prefix) and value of generation
// `generation` of projection `name`, in key order.
std::vector<std::pair<std::string, std::string>> GenerationState(const Database& db,
                                                                 absl::string_view name,
                                                                 uint64_t generation);

// Applies every event of `log` to `projection`. Not `chunked`: one
// transaction and commit per event. `chunked`: as the engine folds a chunk,
// each event decoded first (Decode) and applied into one transaction, one
// commit at the end, so that later events read earlier ones from the
// overlay. Errors: the first from Apply or Commit.
absl::Status IndexHistory(const Database& db, const std::vector<LoggedAnnouncement>& log,
                          Projection* projection, bool chunked = false);

}  // namespace stakeledger::storage::testing

#endif  // STAKELEDGER_STORAGE_RANDOM_HISTORY_H_
