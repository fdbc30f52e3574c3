#include "domain/data_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "domain/announcement_check.h"
#include "domain/events.h"
#include "google/protobuf/util/message_differencer.h"

namespace stakeledger::domain {
namespace {

namespace fs = std::filesystem;

bool IsEntitiesFile(const std::string& file) {
  return fs::path(file).filename() == kEntitiesFileName;
}

// Folders nested deeper than this are refused (a symbolic link loop would
// otherwise recurse forever).
constexpr int kFolderDepthMax = 16;

// Appends the files of `folder` in import order.
absl::Status ListFolder(const fs::path& folder, int depth, std::vector<std::string>* files) {
  if (depth > kFolderDepthMax) {
    return absl::InvalidArgumentError(
        absl::StrCat(folder.string(), ": folders nested more than ", kFolderDepthMax, " deep"));
  }
  std::error_code error;
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    entries.push_back(it->path());
  }
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(folder.string(), ": ", error.message()));
  }
  std::sort(entries.begin(), entries.end(), [](const fs::path& a, const fs::path& b) {
    const bool a_first = a.filename() == kEntitiesFileName;
    const bool b_first = b.filename() == kEntitiesFileName;
    if (a_first != b_first) return a_first;
    return a.filename() < b.filename();
  });
  for (const fs::path& entry : entries) {
    if (files->size() > kFilesMax) break;
    if (fs::is_directory(entry, error)) {
      if (absl::Status s = ListFolder(entry, depth + 1, files); !s.ok()) return s;
    } else if (entry.extension() == ".jsonl" && fs::is_regular_file(entry, error)) {
      files->push_back(entry.string());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ListDataFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (!fs::exists(status)) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    if (fs::is_directory(status)) {
      if (absl::Status s = ListFolder(path, 0, &files); !s.ok()) return s;
    } else if (fs::is_regular_file(status)) {
      files.push_back(path);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(path, ": not a file or folder"));
    }
    if (files.size() > kFilesMax) {
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", kFilesMax, " files to import"));
    }
  }
  return files;
}

DataSetChecker::DataSetChecker(EntityRegistry registry,
                               absl::flat_hash_map<std::string, v1::Announcement> recorded)
    : registry_(std::move(registry)), recorded_(std::move(recorded)) {}

void DataSetChecker::AddProblem(const std::string& file, size_t line, absl::string_view reason) {
  ++problem_count_;
  if (problems_.size() < kProblemsShownMax) {
    problems_.push_back(absl::StrCat(file, ":", line, ": ", reason));
  }
}

void DataSetChecker::ReadFile(const std::string& file, bool entities) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    AddProblem(file, 0, "cannot open the file");
    return;
  }
  std::string text;
  for (size_t number = 1; std::getline(in, text); ++number) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (absl::StripAsciiWhitespace(text).empty()) continue;
    if (text.size() > kLineBytesMax) {
      AddProblem(file, number,
                 absl::StrCat("a line of ", text.size(), " bytes, over the ", kLineBytesMax,
                              "-byte limit"));
      continue;
    }
    (entities ? entity_lines_ : announcement_lines_).push_back({file, number, std::move(text)});
  }
}

void DataSetChecker::CheckEntity(const Line& line) {
  absl::StatusOr<v1::Entity> entity = ParseEntityJson(line.text);
  if (!entity.ok()) return AddProblem(line.file, line.number, entity.status().message());
  const std::string here = absl::StrCat(line.file, ":", line.number);
  auto [it, inserted] = seen_entities_.emplace(entity->entity_id(), here);
  if (!inserted) {
    return AddProblem(line.file, line.number,
                      absl::StrCat("entity '", entity->entity_id(), "' repeats ", it->second));
  }
  const bool recorded = registry_.Find(entity->entity_id()) != nullptr &&
                        registry_.Find(entity->entity_id())->entity_id() == entity->entity_id();
  absl::StatusOr<v1::Entity> canonical = registry_.Check(*entity);
  if (!canonical.ok()) return AddProblem(line.file, line.number, canonical.status().message());
  // Check passed, so Add does too.
  if (!registry_.Add(*canonical).ok()) return AddProblem(line.file, line.number, "internal");
  entities_.push_back({line.file, line.number, *std::move(canonical), recorded});
}

void DataSetChecker::CheckAnnouncement(const Line& line) {
  absl::StatusOr<v1::Announcement> parsed = ParseAnnouncementJson(line.text);
  if (!parsed.ok()) return AddProblem(line.file, line.number, parsed.status().message());
  const std::string& id = parsed->announcement_id();
  auto repeat = seen_.find(id);
  if (repeat != seen_.end()) {
    return AddProblem(line.file, line.number,
                      absl::StrCat("announcement '", id, "' repeats ", repeat->second.first));
  }
  const FactCountLookup earlier = [this](absl::string_view other) -> std::optional<size_t> {
    auto it = seen_.find(other);
    if (it != seen_.end()) return it->second.second;
    auto on_server = recorded_.find(other);
    if (on_server != recorded_.end()) return on_server->second.facts_size();
    return std::nullopt;
  };
  absl::StatusOr<v1::Announcement> canonical =
      CanonicalizeAnnouncement(*parsed, registry_, earlier);
  if (!canonical.ok()) return AddProblem(line.file, line.number, canonical.status().message());
  auto on_server = recorded_.find(id);
  const bool recorded = on_server != recorded_.end();
  if (recorded &&
      !google::protobuf::util::MessageDifferencer::Equals(on_server->second, *canonical)) {
    return AddProblem(
        line.file, line.number,
        absl::StrCat("announcement '", id, "' is already recorded with other content"));
  }
  seen_.emplace(id, std::make_pair(absl::StrCat(line.file, ":", line.number),
                                   static_cast<size_t>(canonical->facts_size())));
  announcements_.push_back({line.file, line.number, *std::move(canonical), recorded});
}

void DataSetChecker::CheckFiles(const std::vector<std::string>& files) {
  for (const std::string& file : files) ReadFile(file, IsEntitiesFile(file));
  for (const Line& line : entity_lines_) CheckEntity(line);
  for (const Line& line : announcement_lines_) CheckAnnouncement(line);
  entity_lines_.clear();
  announcement_lines_.clear();
}

}  // namespace stakeledger::domain
