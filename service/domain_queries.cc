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

std::vector<std::string> DomainState::FundsOf(absl::string_view sponsor) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> funds;
  for (const v1::Entity& entity : registry_.entities()) {
    if (entity.kind() == v1::Entity::FUND && entity.parent() == sponsor) {
      funds.push_back(entity.entity_id());
    }
  }
  return funds;
}

absl::StatusOr<v1::Entity> DomainState::ResolveEntity(absl::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<const v1::Entity*> entity = registry_.Resolve(name);
  if (!entity.ok()) return entity.status();
  return **entity;
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
  // The positions of the page and of one more match (which means there is
  // a next page), chosen under the lock; the records are read from the log
  // after it, as the log never changes what it holds.
  std::vector<uint64_t> positions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto take = [&](const Compact& compact) {
      if (compact.last_day < range->first_day || compact.first_day > range->last_day) return true;
      positions.push_back(compact.position);
      return positions.size() <= page_size;
    };
    if (request.entity().empty()) {
      auto it = std::upper_bound(
          announcements_.begin(), announcements_.end(), *after,
          [](uint64_t position, const Compact& compact) { return position < compact.position; });
      for (; it != announcements_.end() && take(*it); ++it) {
      }
    } else {
      absl::StatusOr<const v1::Entity*> entity = registry_.Resolve(request.entity());
      // NOT_FOUND, as every query naming an unknown entity answers.
      if (!entity.ok()) {
        return absl::NotFoundError(absl::StrCat("entity: ", entity.status().message()));
      }
      auto code = entity_codes_.find((*entity)->entity_id());
      auto named = code == entity_codes_.end() ? by_entity_.end() : by_entity_.find(code->second);
      if (named != by_entity_.end()) {
        const std::vector<uint32_t>& indexes = named->second;
        auto it = std::upper_bound(indexes.begin(), indexes.end(), *after,
                                   [&](uint64_t position, uint32_t index) {
                                     return position < announcements_[index].position;
                                   });
        for (; it != indexes.end() && take(announcements_[*it]); ++it) {
        }
      }
    }
  }
  const bool more = positions.size() > page_size;
  if (more) positions.resize(page_size);
  v1::ListAnnouncementsResponse response;
  if (absl::Status read = ReadRecords(positions, &response); !read.ok()) return read;
  if (more) {
    response.set_next_page_token(absl::StrCat(positions.back()));
  }
  return response;
}

}  // namespace stakeledger::service
