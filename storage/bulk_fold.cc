#include "storage/bulk_fold.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {
absl::Status WriteRuns(const Database& db, absl::string_view name, uint64_t generation,
                       std::vector<RunBuilder> builders, uint64_t position) {
  const std::string prefix = ProjectionPrefix(name, generation);
  // The checkpoint sorts before every state key: a file of its own first.
  const std::string checkpoint_key = CheckpointKey(name, generation).substr(prefix.size());
  const std::string checkpoint = EncodePosition(position);
  builders.insert(builders.begin(),
                  [&](BulkLoadFileWriter* out) { return out->Put(checkpoint_key, checkpoint); });
  std::vector<absl::StatusOr<std::string>> paths(builders.size(), absl::UnknownError(""));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < builders.size(); ++i) {
    threads.emplace_back([&, i] {
      BulkLoadFileWriter out(db, prefix, prefix);
      const absl::Status built = builders[i](&out);
      // An empty path: the run had nothing to write.
      paths[i] = built.ok() ? out.Finish() : built;
      builders[i] = nullptr;  // frees what the builder captured, on this thread
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<std::string> written;
  absl::Status status;
  for (absl::StatusOr<std::string>& path : paths) {
    if (!path.ok()) {
      if (status.ok()) status = path.status();
    } else if (!path->empty()) {
      written.push_back(*std::move(path));
    }
  }
  if (!status.ok()) {
    for (const std::string& path : written) {
      std::error_code error;
      std::filesystem::remove(path, error);
    }
    return status;
  }
  return IngestBulkLoadFiles(db, written);
}

absl::StatusOr<std::vector<std::unique_ptr<BulkBatch>>> DecodeBatches(const Database& db,
                                                                      const BulkFold& fold,
                                                                      const EventFilter& filter,
                                                                      uint64_t first, uint64_t last,
                                                                      int threads) {
  std::vector<std::unique_ptr<BulkBatch>> batches;
  if (first > last) return batches;
  const uint64_t span = last - first + 1;
  const uint64_t parts = std::clamp<uint64_t>(static_cast<uint64_t>(threads), 1, span);
  std::vector<absl::Status> statuses(parts);
  std::vector<std::thread> workers;
  for (uint64_t part = 0; part < parts; ++part) batches.push_back(fold.NewBatch());
  for (uint64_t part = 0; part < parts; ++part) {
    const uint64_t begin = first + span * part / parts;
    const uint64_t end = first + span * (part + 1) / parts - 1;
    workers.emplace_back([&, part, begin, end] {
      BulkBatch* batch = batches[part].get();
      batch->Reserve(end - begin + 1);
      statuses[part] =
          ForEachLogEventView(db, begin, end, filter, [batch](const LogEventView& event) {
            batch->Decode(event);
            return absl::OkStatus();
          });
    });
  }
  for (std::thread& worker : workers) worker.join();
  for (const absl::Status& status : statuses) RETURN_IF_ERROR(status);
  return batches;
}

}  // namespace stakeledger::storage
