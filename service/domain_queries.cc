// DomainState's queries: entities, name resolution, and announcements by
// entity and date, a page at a time.
#include <algorithm>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/date.h"
#include "service/domain_state.h"

namespace stakeledger::service {
namespace {

// Corrections of corrections are followed this deep, no further.
constexpr int kCorrectionDepthMax = 16;

struct DateRange {
  int first_day = 0;  // YYYYMMDD
  int last_day = 99991231;
};

absl::StatusOr<DateRange> ParseRange(const v1::ListAnnouncementsRequest& request) {
  DateRange range;
  if (!request.from_date().empty()) {
    absl::StatusOr<domain::Date> from = domain::ParseDate(request.from_date());
    if (!from.ok())
      return absl::InvalidArgumentError(absl::StrCat("from_date: ", from.status().message()));
    range.first_day = from->FirstDayKey();
  }
  if (!request.to_date().empty()) {
    absl::StatusOr<domain::Date> to = domain::ParseDate(request.to_date());
    if (!to.ok())
      return absl::InvalidArgumentError(absl::StrCat("to_date: ", to.status().message()));
    range.last_day = to->LastDayKey();
  }
  if (range.first_day > range.last_day) {
    return absl::InvalidArgumentError(absl::StrCat("from_date '", request.from_date(),
                                                   "' is after to_date '", request.to_date(), "'"));
  }
  return range;
}

bool Overlaps(const DateRange& range, absl::string_view announced_date) {
  absl::StatusOr<domain::Date> date = domain::ParseDate(announced_date);
  if (!date.ok()) return false;  // validated on append; cannot happen
  return date->LastDayKey() >= range.first_day && date->FirstDayKey() <= range.last_day;
}

absl::StatusOr<uint64_t> ParsePageToken(absl::string_view token) {
  uint64_t position = 0;
  if (token.empty()) return position;
  if (!absl::SimpleAtoi(token, &position)) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: '", token, "' is not a token from a previous page"));
  }
  return position;
}

}  // namespace

std::vector<v1::Entity> DomainState::ListEntities() const {
  std::lock_guard<std::mutex> lock(mu_);
  return registry_.entities();
}

absl::StatusOr<v1::Entity> DomainState::ResolveEntity(absl::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<const v1::Entity*> entity = registry_.Resolve(name);
  if (!entity.ok()) return entity.status();
  return **entity;
}

bool DomainState::NamesEntity(size_t index, const std::string& entity_id, int depth) const {
  const Stored& stored = announcements_[index];
  if (std::binary_search(stored.entity_ids.begin(), stored.entity_ids.end(), entity_id)) {
    return true;
  }
  if (depth >= kCorrectionDepthMax) return false;
  for (const std::string& corrected : stored.corrects) {
    auto it = by_id_.find(corrected);
    if (it != by_id_.end() && NamesEntity(it->second, entity_id, depth + 1)) return true;
  }
  return false;
}

absl::StatusOr<v1::ListAnnouncementsResponse> DomainState::ListAnnouncements(
    const v1::ListAnnouncementsRequest& request) const {
  if (request.page_size() > kPageSizeMax) {
    return absl::ResourceExhaustedError(
        absl::StrCat("page_size ", request.page_size(), " is over the limit of ", kPageSizeMax));
  }
  const size_t page_size = request.page_size() == 0 ? kPageSizeDefault : request.page_size();
  absl::StatusOr<DateRange> range = ParseRange(request);
  if (!range.ok()) return range.status();
  absl::StatusOr<uint64_t> after = ParsePageToken(request.page_token());
  if (!after.ok()) return after.status();
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<std::string> entity_id;
  if (!request.entity().empty()) {
    absl::StatusOr<const v1::Entity*> entity = registry_.Resolve(request.entity());
    if (!entity.ok())
      return absl::InvalidArgumentError(absl::StrCat("entity: ", entity.status().message()));
    entity_id = (*entity)->entity_id();
  }
  auto start = std::upper_bound(
      announcements_.begin(), announcements_.end(), *after,
      [](uint64_t position, const Stored& stored) { return position < stored.record.position(); });
  v1::ListAnnouncementsResponse response;
  for (auto it = start; it != announcements_.end(); ++it) {
    const size_t index = static_cast<size_t>(it - announcements_.begin());
    if (!Overlaps(*range, it->record.announcement().announced_date())) continue;
    if (entity_id.has_value() && !NamesEntity(index, *entity_id, 0)) continue;
    if (static_cast<size_t>(response.announcements_size()) == page_size) {
      // One more matches: there is a next page.
      response.set_next_page_token(absl::StrCat(response.announcements().rbegin()->position()));
      break;
    }
    *response.add_announcements() = it->record;
  }
  return response;
}

}  // namespace stakeledger::service
