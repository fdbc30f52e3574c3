// Reading the log's files ahead of a scan of much of it: a rebuild, a
// projection or a subscription catching up. RocksDB opens table files for
// random reads (advise_random_on_open, which point reads of events want),
// so the kernel reads nothing ahead on its own; an iterator's own
// readahead starts at 8 KiB and grows to 256 KiB, and a rebuild starts an
// iterator per batch. A log not in the page cache was thus read in small
// pieces, the threads decoding it waiting on each: a 10M rebuild of a
// cold log folded on one and a half cores instead of two, for 6 to 8 s
// instead of 5 (docs/projections.md, "Reading a cold log"). LogReadahead
// asks the kernel to read the files the scan reaches next into the page
// cache (posix_fadvise WILLNEED), a window ahead of it, while the scan
// decodes what was read before.
#ifndef STAKELEDGER_STORAGE_LOG_READAHEAD_H_
#define STAKELEDGER_STORAGE_LOG_READAHEAD_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/db.h"

namespace stakeledger::storage {

// How far ahead of the scan the files are read: at 10M events (125 bytes
// of table file each) about half a million events, a quarter of a second
// of a rebuild's reading; this machine's disk reads it in about 50 ms.
// Read much further ahead, pages may be reclaimed again before the scan
// gets there (this machine's kernel pages out what sat idle for 6 s).
inline constexpr uint64_t kLogReadaheadBytes = uint64_t{64} << 20;
// The bytes of one posix_fadvise call: Linux reads at most the file's
// readahead window per call (the device's, 128 KiB by default), and
// leaves the rest of a larger range unread.
inline constexpr uint64_t kLogReadaheadRequestBytes = uint64_t{128} << 10;

// The readahead of one scan. Thread-safe.
class LogReadahead {
 public:
  // A range of one file to read: its path, offset and length (up to
  // bytes_ahead and a little more).
  struct Range {
    std::string path;
    uint64_t offset = 0;
    uint64_t bytes = 0;
  };
  // Reads a range into the page cache, or does nothing: a hint.
  using Reader = std::function<void(const Range& range)>;

  // The default Reader: asks the kernel to read `range` in requests of
  // kLogReadaheadRequestBytes (posix_fadvise WILLNEED), without waiting
  // for the reads. Errors (a file removed meanwhile) are ignored.
  static void AdviseWillNeed(const Range& range);

  // For a scan of positions first..last: the log's table files as they
  // are now (a file that a compaction removes meanwhile is skipped; a
  // position still in the memtable needs no reading). `read` is
  // AdviseWillNeed unless given (tests see the ranges).
  // REQUIRES: first <= last.
  LogReadahead(const Database& db, uint64_t first, uint64_t last,
               uint64_t bytes_ahead = kLogReadaheadBytes, Reader read = nullptr);

  // The scan has reached `position`: reads what the files hold from there
  // to bytes_ahead past it (a file's bytes are taken to hold its positions
  // evenly), within first..last, except what an earlier call read. Calls
  // may come in any order; each byte is read once. Thread-safe (the reads
  // are made outside the lock).
  void Reached(uint64_t position);

  // The scan's last position.
  uint64_t last() const { return last_; }

 private:
  struct File {
    std::string path;
    uint64_t first = 0;  // its smallest and largest positions
    uint64_t last = 0;
    uint64_t bytes = 0;
  };
  // Where `position` lies: index of its file (files_.size() past the
  // last) and offset in it, clamped to the file.
  std::pair<size_t, uint64_t> Locate(uint64_t position) const;

  const uint64_t last_;
  const uint64_t bytes_ahead_;
  const Reader read_;
  // The files holding first..last, ascending.
  std::vector<File> files_;
  // The end of the bytes to read: where `last` lies.
  size_t end_file_ = 0;
  uint64_t end_offset_ = 0;
  std::mutex mu_;
  // Read up to here; guarded by mu_.
  size_t next_file_ = 0;
  uint64_t next_offset_ = 0;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_LOG_READAHEAD_H_
