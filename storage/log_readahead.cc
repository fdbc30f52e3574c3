#include "storage/log_readahead.h"

#include <fcntl.h>
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

LogReadahead::LogReadahead(const Database& db, uint64_t first, uint64_t last, uint64_t bytes_ahead,
                           Reader read)
    : last_(last),
      bytes_ahead_(bytes_ahead),
      read_(read != nullptr ? std::move(read) : AdviseWillNeed) {
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
  std::tie(next_file_, next_offset_) = Locate(first);
  // The block that holds `last` ends somewhat past where it is taken to
  // lie: a request more, within its file.
  std::tie(end_file_, end_offset_) = Locate(last);
  if (end_file_ < files_.size()) {
    end_offset_ = std::min(files_[end_file_].bytes, end_offset_ + kLogReadaheadRequestBytes);
  }
}

std::pair<size_t, uint64_t> LogReadahead::Locate(uint64_t position) const {
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

void LogReadahead::Reached(uint64_t position) {
  auto [file, offset] = Locate(position);
  // bytes_ahead_ past it, across files, up to the end.
  size_t to_file = file;
  uint64_t to_offset = offset;
  for (uint64_t left = bytes_ahead_; to_file < files_.size();) {
    if (left <= files_[to_file].bytes - to_offset) {
      to_offset += left;
      break;
    }
    left -= files_[to_file].bytes - to_offset;
    ++to_file;
    to_offset = 0;
  }
  if (std::make_pair(to_file, to_offset) > std::make_pair(end_file_, end_offset_)) {
    to_file = end_file_;
    to_offset = end_offset_;
  }
  std::vector<Range> ranges;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (std::make_pair(file, offset) < std::make_pair(next_file_, next_offset_)) {
      file = next_file_;
      offset = next_offset_;
    }
    for (; std::make_pair(file, offset) < std::make_pair(to_file, to_offset); ++file, offset = 0) {
      const uint64_t end = file == to_file ? to_offset : files_[file].bytes;
      if (end > offset) ranges.push_back({files_[file].path, offset, end - offset});
    }
    if (!ranges.empty()) {
      next_file_ = to_file;
      next_offset_ = to_offset;
    }
  }
  for (const Range& range : ranges) read_(range);
}

}  // namespace stakeledger::storage
