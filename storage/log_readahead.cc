#include "storage/log_readahead.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "rocksdb/db.h"
#include "rocksdb/metadata.h"
#include "storage/keys.h"

namespace stakeledger::storage {

void LogReadahead::AdviseWillNeed(const Range& range) {
  const int fd = open(range.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  for (uint64_t done = 0; done < range.bytes; done += kLogReadaheadRequestBytes) {
    const uint64_t bytes = std::min(kLogReadaheadRequestBytes, range.bytes - done);
    (void)posix_fadvise(fd, static_cast<off_t>(range.offset + done), static_cast<off_t>(bytes),
                        POSIX_FADV_WILLNEED);
  }
  close(fd);
}

void LogReadahead::AdviseDontNeed(const Range& range) {
  const int fd = open(range.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  // To the end: the folio holding the file's last bytes may reach past it.
  struct stat file;
  const bool to_end =
      fstat(fd, &file) == 0 && range.offset + range.bytes >= static_cast<uint64_t>(file.st_size);
  (void)posix_fadvise(fd, static_cast<off_t>(range.offset),
                      to_end ? 0 : static_cast<off_t>(range.bytes), POSIX_FADV_DONTNEED);
  close(fd);
}

LogReadahead::LogReadahead(const Database& db, uint64_t first, uint64_t last,
                           LogReadaheadOptions options)
    : last_(last), options_(std::move(options)) {
  std::vector<rocksdb::LiveFileMetaData> live;
  db.db()->GetLiveFilesMetaData(&live);
  for (const rocksdb::LiveFileMetaData& meta : live) {
    if (meta.column_family_name != kLogFamily || meta.smallestkey.size() < kPositionBytes ||
        meta.largestkey.size() < kPositionBytes) {
      continue;
    }
    File file{meta.db_path + meta.name, ReadBigEndian64(meta.smallestkey),
              ReadBigEndian64(meta.largestkey), meta.size};
    if (file.last < first || file.first > last || file.first > file.last) continue;
    files_.push_back(std::move(file));
  }
  std::sort(files_.begin(), files_.end(),
            [](const File& a, const File& b) { return a.first < b.first; });
  next_ = released_ = Locate(first);
  // The block that holds `last` ends somewhat past where it is taken to
  // lie: a request more, within its file.
  end_ = Locate(last);
  if (end_.first < files_.size()) {
    end_.second = std::min(files_[end_.first].bytes, end_.second + kLogReadaheadRequestBytes);
  }
  // The newest file of the scan is kept (the file holding `last`, or the
  // newest of all when `last` is still in the memtable).
  release_end_ = {files_.empty() ? 0 : std::min(end_.first, files_.size() - 1), 0};
}

LogReadahead::Place LogReadahead::Locate(uint64_t position) const {
  // The first file whose positions do not all lie before `position`.
  const auto it = std::partition_point(
      files_.begin(), files_.end(), [position](const File& file) { return file.last < position; });
  const size_t index = static_cast<size_t>(it - files_.begin());
  if (it == files_.end() || position <= it->first) return {index, 0};
  const double share =
      static_cast<double>(position - it->first) / (static_cast<double>(it->last - it->first) + 1);
  return {index,
          std::min(it->bytes, static_cast<uint64_t>(share * static_cast<double>(it->bytes)))};
}

LogReadahead::Place LogReadahead::Forward(Place place, uint64_t bytes, Place end) const {
  auto [file, offset] = place;
  while (file < files_.size() && bytes > files_[file].bytes - offset) {
    bytes -= files_[file].bytes - offset;
    ++file;
    offset = 0;
  }
  if (file < files_.size()) offset += bytes;
  return std::min(Place(file, offset), end);
}

LogReadahead::Place LogReadahead::Back(Place place, uint64_t bytes) const {
  auto [file, offset] = place;
  if (file >= files_.size()) {
    if (files_.empty()) return {0, 0};
    file = files_.size() - 1;
    offset = files_[file].bytes;
  }
  while (bytes > offset && file > 0) {
    bytes -= offset;
    --file;
    offset = files_[file].bytes;
  }
  return {file, bytes > offset ? 0 : offset - bytes};
}

std::vector<LogReadahead::Range> LogReadahead::Between(Place from, Place to) const {
  std::vector<Range> ranges;
  for (auto [file, offset] = from; Place(file, offset) < to; ++file, offset = 0) {
    const uint64_t end = file == to.first ? to.second : files_[file].bytes;
    if (end > offset) ranges.push_back({files_[file].path, offset, end - offset});
  }
  return ranges;
}

void LogReadahead::Reached(uint64_t position) {
  const Place reached = Locate(position);
  // bytes_ahead past it, across files, up to the end.
  const Place to = Forward(reached, options_.bytes_ahead, end_);
  std::vector<Range> reads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    reads = Between(std::max(reached, next_), to);
    if (!reads.empty()) next_ = to;
  }
  for (const Range& range : reads) {
    options_.read != nullptr ? options_.read(range) : AdviseWillNeed(range);
  }
}

void LogReadahead::Passed(uint64_t position) {
  if (options_.passed != LogPagesPassed::kRelease) return;
  Place to = std::min(Back(Locate(position), options_.bytes_behind), release_end_);
  // The unit `to` lies in goes with the bytes after it.
  to.second = to.second / options_.release_unit_bytes * options_.release_unit_bytes;
  std::vector<Range> releases;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (to <= released_) return;
    releases = Between(released_, to);
    released_ = to;
  }
  for (const Range& range : releases) {
    options_.release != nullptr ? options_.release(range) : AdviseDontNeed(range);
  }
}

}  // namespace stakeledger::storage
