// Reading and checking a data set of JSON Lines files before anything is
// written: the first half of `ledgerctl import`, and what the data-set test
// runs over data/.
//
// Files named "entities.jsonl" hold one stakeledger.v1.Entity per line;
// every other .jsonl file holds one stakeledger.v1.Announcement per line,
// in protobuf's JSON mapping. Blank lines are skipped. A folder stands for
// its .jsonl files and subfolders in name order, except that its
// "entities.jsonl" comes first.
#ifndef STAKELEDGER_DOMAIN_DATA_SET_H_
#define STAKELEDGER_DOMAIN_DATA_SET_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "domain/entity_registry.h"
#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::domain {

inline constexpr char kEntitiesFileName[] = "entities.jsonl";
// Bytes of one line: an announcement is far smaller; a longer line is
// refused rather than read.
inline constexpr size_t kLineBytesMax = 1 << 20;
// Files one import reads, and problems reported before the rest are only
// counted.
inline constexpr size_t kFilesMax = 10'000;
inline constexpr size_t kProblemsShownMax = 1000;

// The files `paths` stand for, in import order (see above). Errors:
// NOT_FOUND for a path that does not exist, INVALID_ARGUMENT for one that
// is neither a file nor a folder, RESOURCE_EXHAUSTED past kFilesMax.
absl::StatusOr<std::vector<std::string>> ListDataFiles(const std::vector<std::string>& paths);

template <typename Message>
struct SourcedRecord {
  std::string file;
  size_t line = 0;
  // Canonical: entity names replaced by ids.
  Message message;
  // Already in the ledger with the same content: importing it writes nothing.
  bool recorded = false;
};

// Checks files against what the ledger already holds. Thread safety: none.
class DataSetChecker {
 public:
  // `registry`: the entities already recorded. `recorded`: the announcements
  // already recorded (canonical), by id.
  DataSetChecker(EntityRegistry registry,
                 absl::flat_hash_map<std::string, v1::Announcement> recorded);

  // Reads and checks `files` (from ListDataFiles): every entity line first,
  // in order, then every announcement line, in order, so a file's
  // announcements may name entities of any file and correct announcements
  // of earlier lines. Problems are collected, not returned: see problems().
  void CheckFiles(const std::vector<std::string>& files);

  // "FILE:LINE: reason": the entity lines' problems, then the announcement
  // lines', each in file order; at most kProblemsShownMax of them.
  const std::vector<std::string>& problems() const { return problems_; }
  size_t problem_count() const { return problem_count_; }

  const std::vector<SourcedRecord<v1::Entity>>& entities() const { return entities_; }
  const std::vector<SourcedRecord<v1::Announcement>>& announcements() const {
    return announcements_;
  }
  const EntityRegistry& registry() const { return registry_; }

 private:
  struct Line {
    std::string file;
    size_t number;
    std::string text;
  };
  void ReadFile(const std::string& file, bool entities);
  void CheckEntity(const Line& line);
  void CheckAnnouncement(const Line& line);
  void AddProblem(const std::string& file, size_t line, absl::string_view reason);

  EntityRegistry registry_;
  absl::flat_hash_map<std::string, v1::Announcement> recorded_;
  // Announcement id -> "FILE:LINE" and fact count, for lines checked so far.
  absl::flat_hash_map<std::string, std::pair<std::string, size_t>> seen_;
  absl::flat_hash_map<std::string, std::string> seen_entities_;
  std::vector<Line> entity_lines_;
  std::vector<Line> announcement_lines_;
  std::vector<SourcedRecord<v1::Entity>> entities_;
  std::vector<SourcedRecord<v1::Announcement>> announcements_;
  std::vector<std::string> problems_;
  size_t problem_count_ = 0;
};

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_DATA_SET_H_
