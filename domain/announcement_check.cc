#include "domain/announcement_check.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/date.h"
#include "domain/entity_fields.h"
#include "domain/fact_check.h"
#include "domain/limits.h"

namespace stakeledger::domain {
namespace {

absl::Status Invalid(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

absl::Status CheckSource(const v1::Announcement& announcement) {
  if (!announcement.has_source()) return Invalid("source", "missing (seed_file or outlet)");
  const v1::Source& source = announcement.source();
  if (source.seed_file().empty() && source.outlet().empty()) {
    return Invalid("source.seed_file", "missing (a source needs seed_file or outlet)");
  }
  for (const auto& [field, text] :
       {std::pair<const char*, const std::string&>{"source.seed_file", source.seed_file()},
        {"source.outlet", source.outlet()},
        {"source.url", source.url()},
        {"source.language", source.language()}}) {
    if (absl::Status s = CheckText(text, field); !s.ok()) return s;
  }
  return CheckOptionalDate(source.article_date(), "source.article_date");
}

absl::Status CheckHeader(const v1::Announcement& announcement) {
  if (absl::Status s = ValidateAnnouncementId(announcement.announcement_id()); !s.ok()) {
    return Invalid("announcement_id", s.message());
  }
  if (announcement.announced_date().empty()) {
    return Invalid("announced_date", "missing (YYYY, YYYY-MM or YYYY-MM-DD)");
  }
  if (absl::Status s = CheckOptionalDate(announcement.announced_date(), "announced_date");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckSource(announcement); !s.ok()) return s;
  if (announcement.facts_size() == 0) return Invalid("facts", "missing (at least one fact)");
  if (static_cast<size_t>(announcement.facts_size()) > kFactsPerAnnouncementMax) {
    return Invalid("facts", absl::StrCat(announcement.facts_size(), " facts, over the limit of ",
                                         kFactsPerAnnouncementMax));
  }
  return absl::OkStatus();
}

absl::Status CheckCorrectionTarget(const v1::Correction& correction, const std::string& path,
                                   const FactCountLookup& earlier) {
  const std::optional<size_t> facts = earlier(correction.announcement_id());
  if (!facts.has_value()) {
    return Invalid(absl::StrCat(path, ".announcement_id"),
                   absl::StrCat("no earlier announcement '", correction.announcement_id(), "'"));
  }
  absl::flat_hash_set<uint32_t> seen;
  for (int i = 0; i < correction.fact_indexes_size(); ++i) {
    const uint32_t index = correction.fact_indexes(i);
    const std::string index_path = absl::StrCat(path, ".fact_indexes[", i, "]");
    if (index >= *facts) {
      return Invalid(index_path, absl::StrCat(index, " is not a fact of announcement '",
                                              correction.announcement_id(), "', which has ", *facts,
                                              *facts == 1 ? " fact" : " facts"));
    }
    if (!seen.insert(index).second) return Invalid(index_path, absl::StrCat(index, " repeats"));
  }
  return absl::OkStatus();
}

absl::Status CanonicalizeFact(const std::string& path, const EntityRegistry& registry,
                              const FactCountLookup& earlier, v1::Fact* fact) {
  if (absl::Status s = CheckFactFields(*fact, path); !s.ok()) return s;
  absl::Status s = ForEachEntityField(
      path, fact, [&registry](const std::string& field, std::string* name) -> absl::Status {
        if (name->empty()) return Invalid(field, "missing (an entity id or alias)");
        absl::StatusOr<const v1::Entity*> entity = registry.Resolve(*name);
        if (!entity.ok()) return Invalid(field, entity.status().message());
        *name = (*entity)->entity_id();
        return absl::OkStatus();
      });
  if (!s.ok() || !fact->has_correction()) return s;
  return CheckCorrectionTarget(fact->correction(), absl::StrCat(path, ".correction"), earlier);
}

}  // namespace

absl::Status ValidateAnnouncementId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("missing (e.g. 'softbank-arm-2016')");
  if (id.size() > kAnnouncementIdBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("'", id, "' is ", id.size(), " bytes, over the ",
                                                   kAnnouncementIdBytesMax, "-byte limit"));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = absl::ascii_islower(c) || absl::ascii_isdigit(c);
    if (alnum || (i > 0 && (c == '-' || c == '_' || c == '.'))) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        "'", id, "' is not an announcement id (lower-case letters, digits, '-', '_', '.')"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Announcement> CanonicalizeAnnouncement(const v1::Announcement& announcement,
                                                          const EntityRegistry& registry,
                                                          const FactCountLookup& earlier) {
  if (absl::Status s = CheckHeader(announcement); !s.ok()) return s;
  v1::Announcement canonical = announcement;
  for (int i = 0; i < canonical.facts_size(); ++i) {
    absl::Status s = CanonicalizeFact(absl::StrCat("facts[", i, "]"), registry, earlier,
                                      canonical.mutable_facts(i));
    if (!s.ok()) return s;
  }
  return canonical;
}

absl::Status CheckAnnouncedBy(const v1::Announcement& announcement, int recorded_day) {
  absl::StatusOr<Date> date = ParseDate(announcement.announced_date());
  if (!date.ok()) return Invalid("announced_date", date.status().message());
  if (date->FirstDayKey() <= recorded_day) return absl::OkStatus();
  return Invalid(
      "announced_date",
      absl::StrCat("'", announcement.announced_date(), "' is after the day the ledger records it (",
                   absl::StrFormat("%04d-%02d-%02d", recorded_day / 10000, recorded_day / 100 % 100,
                                   recorded_day % 100),
                   "); only facts' effective dates may lie ahead"));
}

}  // namespace stakeledger::domain
