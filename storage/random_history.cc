#include "storage/random_history.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/events.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/keys.h"

namespace stakeledger::storage::testing {

RandomHistory::RandomHistory(uint32_t seed, int first_year, int years)
    : rng_(seed), prefix_(absl::StrCat("c", seed, "-")), first_year_(first_year), years_(years) {}

std::string RandomHistory::Holder(int i) const { return absl::StrCat(prefix_, "h", i); }

std::string RandomHistory::Target(int i) const { return absl::StrCat(prefix_, "t", i); }

int RandomHistory::Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

std::string RandomHistory::Date() {
  std::string date = absl::StrCat(first_year_ + Pick(years_));
  if (Pick(3) > 0) absl::StrAppend(&date, absl::StrFormat("-%02d", 1 + Pick(12)));
  if (date.size() > 4 && Pick(2) > 0) {
    absl::StrAppend(&date, absl::StrFormat("-%02d", 1 + Pick(28)));
  }
  return date;
}

void RandomHistory::Correction(int earlier, int date_odds, v1::Fact* fact) {
  v1::Correction* correction = fact->mutable_correction();
  correction->set_announcement_id(absl::StrCat(prefix_, "a", Pick(earlier)));
  correction->set_action(Pick(2) == 0 ? v1::Correction::RETRACT : v1::Correction::SUPERSEDE);
  if (Pick(3) > 0) correction->add_fact_indexes(Pick(3));
  if (correction->action() == v1::Correction::SUPERSEDE && Pick(date_odds) > 0) {
    correction->set_corrected_date(Date());
  }
}

std::vector<LoggedAnnouncement> RandomHistory::MakeHistory(
    int announcements_max, bool may_correct_itself, int date_odds,
    const std::function<void(v1::Fact*)>& make_fact) {
  std::vector<LoggedAnnouncement> log;
  const int count = 1 + Pick(announcements_max);
  for (int a = 0; a < count; ++a) {
    LoggedAnnouncement event;
    event.position = static_cast<uint64_t>(a) * 2 + 1;
    event.recorded_at_us = 1'600'000'000'000'000 + a;
    event.announcement.set_announcement_id(absl::StrCat(prefix_, "a", a));
    event.announcement.set_announced_date(Date());
    const int facts = 1 + Pick(3);
    for (int f = 0; f < facts; ++f) {
      v1::Fact* fact = event.announcement.add_facts();
      fact->set_quote(absl::StrCat("quote ", a, ".", f));
      if (a > 0 && Pick(4) == 0) {
        Correction(may_correct_itself ? a + 1 : a, date_odds, fact);
      } else {
        make_fact(fact);
      }
    }
    log.push_back(std::move(event));
  }
  return log;
}

v1::RecordedEvent RecordedAnnouncement(const LoggedAnnouncement& logged) {
  v1::RecordedEvent event;
  event.set_position(logged.position);
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_content_type(domain::kAnnouncementContentType);
  event.set_payload(domain::ToPayloadBinary(logged.announcement));
  event.mutable_recorded_at()->set_seconds(logged.recorded_at_us / 1'000'000);
  event.mutable_recorded_at()->set_nanos(logged.recorded_at_us % 1'000'000 * 1000);
  return event;
}

std::vector<std::pair<std::string, std::string>> GenerationState(const Database& db,
                                                                 absl::string_view name,
                                                                 uint64_t generation) {
  const std::string prefix = ProjectionPrefix(name, generation);
  std::vector<std::pair<std::string, std::string>> state;
  std::unique_ptr<rocksdb::Iterator> it(
      db.db()->NewIterator(rocksdb::ReadOptions(), db.projections()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    state.emplace_back(std::string(View(it->key()).substr(prefix.size())),
                       std::string(View(it->value())));
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return state;
}

absl::Status IndexHistory(const Database& db, const std::vector<LoggedAnnouncement>& log,
                          Projection* projection, bool chunked) {
  ProjectionTxn chunk(&db, projection->name());
  for (const LoggedAnnouncement& logged : log) {
    const v1::RecordedEvent event = RecordedAnnouncement(logged);
    if (chunked) {
      // As the engine does: decoded first (on its decoding thread), then
      // applied into the chunk's transaction.
      const std::unique_ptr<DecodedEvent> decoded = projection->Decode(event);
      absl::Status status = decoded == nullptr
                                ? projection->Apply(event, &chunk)
                                : projection->ApplyDecoded(event, decoded.get(), &chunk);
      if (!status.ok()) return status;
      chunk.EndEvent();
      continue;
    }
    ProjectionTxn txn(&db, projection->name());
    absl::Status status = projection->Apply(event, &txn);
    if (!status.ok()) return status;
    status = txn.Commit(logged.position);
    if (!status.ok()) return status;
  }
  if (chunked && !log.empty()) return chunk.Commit(log.back().position);
  return absl::OkStatus();
}

}  // namespace stakeledger::storage::testing
