#include "storage/bulk_fold.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

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
                       std::vector<RunBuilder> builders, uint64_t position,
                       std::atomic<uint64_t>* keys_written) {
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
      BulkLoadFileWriter out(db, prefix, prefix, keys_written);
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

BulkDecoder::BulkDecoder(const Database& db, const BulkFold& fold, const EventFilter& filter,
                         uint64_t first, uint64_t last, uint64_t batch_events_max, int threads,
                         size_t bytes_ahead_max)
    : db_(db),
      fold_(fold),
      filter_(filter),
      first_(first),
      last_(last),
      batch_events_max_(std::max<uint64_t>(1, batch_events_max)),
      batches_(first > last ? 0 : (last - first) / batch_events_max_ + 1),
      bytes_ahead_max_(bytes_ahead_max),
      slots_(kBulkDecodeBatchesAhead) {
  if (first <= last) readahead_.emplace(db, first, last, LogReadaheadOptions::Releasing());
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
}

BulkDecoder::~BulkDecoder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

uint64_t BulkDecoder::LastOf(uint64_t index) const {
  const uint64_t begin = first_ + index * batch_events_max_;
  return std::min(last_, begin + batch_events_max_ - 1);
}

void BulkDecoder::Work() {
  // Best effort: a thread that cannot lower its priority decodes as well.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kBulkDecodeThreadNice);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // Batch taken_ is always claimed before a later one: with none ahead
    // a thread may start it whatever the bytes, and Next's wait for it
    // always ends.
    changed_.wait(lock, [this] {
      return stop_ || claimed_ >= batches_ ||
             (claimed_ < taken_ + kBulkDecodeBatchesAhead &&
              (ready_bytes_ < bytes_ahead_max_ || claimed_ == taken_));
    });
    if (stop_ || claimed_ >= batches_) return;
    const uint64_t index = claimed_++;
    decoding_.push_back(index);
    lock.unlock();
    const uint64_t begin = first_ + index * batch_events_max_;
    const uint64_t end = LastOf(index);
    readahead_->Reached(begin);
    std::unique_ptr<BulkBatch> batch = fold_.NewBatch();
    batch->Reserve(end - begin + 1);
    BulkBatch* raw = batch.get();
    absl::Status status =
        ForEachLogEventView(db_, begin, end, filter_, [raw](const LogEventView& event) {
          raw->Decode(event);
          return absl::OkStatus();
        });
    const size_t bytes = batch->held_bytes();
    lock.lock();
    Slot& slot = slots_[index % kBulkDecodeBatchesAhead];
    slot.batch = std::move(batch);
    slot.status = std::move(status);
    slot.ready = true;
    slot.bytes = bytes;
    ready_bytes_ += bytes;
    changed_.notify_all();
    // What no thread reads again: up to the oldest batch still decoded,
    // or past the last one claimed.
    decoding_.erase(std::find(decoding_.begin(), decoding_.end(), index));
    const uint64_t passed =
        decoding_.empty()
            ? LastOf(claimed_ - 1) + 1
            : first_ + *std::min_element(decoding_.begin(), decoding_.end()) * batch_events_max_;
    lock.unlock();
    readahead_->Passed(passed);
    lock.lock();
  }
}

absl::StatusOr<BulkDecoder::Decoded> BulkDecoder::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (taken_ >= batches_) return Decoded{nullptr, last_};
  Slot& slot = slots_[taken_ % kBulkDecodeBatchesAhead];
  changed_.wait(lock, [&slot] { return slot.ready; });
  Decoded decoded{std::move(slot.batch), LastOf(taken_)};
  const absl::Status status = std::move(slot.status);
  ready_bytes_ -= slot.bytes;
  slot = Slot();
  ++taken_;
  if (!status.ok()) stop_ = true;
  lock.unlock();
  changed_.notify_all();
  RETURN_IF_ERROR(status);
  return decoded;
}

}  // namespace stakeledger::storage
