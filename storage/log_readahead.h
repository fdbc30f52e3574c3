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
//
// A rebuild reads the whole log once. Asked to, LogReadahead also hands
// back to the kernel the pages the scan has passed (POSIX_FADV_DONTNEED),
// as RocksDB's fill_cache = false keeps a scan out of its block cache and
// a database's bulk reads go through a small ring of buffers: a log read
// once does not stay in memory at the expense of what the rebuild writes
// and holds (docs/projections.md, "Releasing the log behind a rebuild").
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

// How far behind what the scan has passed its pages are kept, when it
// releases them: where a position lies in a file is an estimate (its
// positions taken to be spread evenly), and the block holding the last
// position passed may lie past it. At 10M events about 130,000 events'
// worth of table file.
inline constexpr uint64_t kLogReleaseBehindBytes = uint64_t{16} << 20;

// The pieces a scan releases in: the bytes of a file up to a multiple of
// this. The page cache may hold a file in folios of up to 2 MiB (aligned
// to their size), and the kernel drops a folio only when a request covers
// all of it: released at arbitrary pages, a folio across two requests
// would stay.
inline constexpr uint64_t kLogReleaseUnitBytes = uint64_t{2} << 20;

// What a scan does with the pages of the log it has passed.
enum class LogPagesPassed {
  // Leaves them to the kernel (a subscriber catching up: other readers
  // may be right behind it).
  kKeep,
  // Releases them, but for the file that holds the scan's last position:
  // the log's newest events are what other readers (a subscriber a little
  // behind, a point read of a recent event) most likely read next.
  kRelease,
};

// A range of one log file: its path, offset and length.
struct LogFileRange {
  std::string path;
  uint64_t offset = 0;
  uint64_t bytes = 0;
};

// How a scan reads the log's files ahead and what it does behind.
struct LogReadaheadOptions {
  // The options of a rebuild's scan: the defaults, releasing what it
  // passed.
  static LogReadaheadOptions Releasing() {
    LogReadaheadOptions options;
    options.passed = LogPagesPassed::kRelease;
    return options;
  }

  LogPagesPassed passed = LogPagesPassed::kKeep;
  uint64_t bytes_ahead = kLogReadaheadBytes;
  // With kRelease: how far behind the scan the pages stay, and the unit
  // released (a file's last piece goes whole).
  uint64_t bytes_behind = kLogReleaseBehindBytes;
  uint64_t release_unit_bytes = kLogReleaseUnitBytes;
  // Read a range into the page cache, and drop one from there: hints.
  // LogReadahead::AdviseWillNeed and AdviseDontNeed when empty (tests see
  // the ranges).
  std::function<void(const LogFileRange& range)> read;
  std::function<void(const LogFileRange& range)> release;
};

// The readahead of one scan. Thread-safe.
class LogReadahead {
 public:
  using Range = LogFileRange;

  // The default reader: asks the kernel to read `range` in requests of
  // kLogReadaheadRequestBytes (posix_fadvise WILLNEED), without waiting
  // for the reads. Errors (a file removed meanwhile) are ignored.
  static void AdviseWillNeed(const Range& range);
  // The default releaser: asks the kernel to drop the pages that lie
  // wholly in `range`, to the file's end when it ends there (posix_fadvise
  // DONTNEED; the files are immutable and synced, so their pages are
  // clean). Errors are ignored.
  static void AdviseDontNeed(const Range& range);

  // For a scan of positions first..last: the log's table files as they
  // are now (a file that a compaction removes meanwhile is skipped; a
  // position still in the memtable needs no reading).
  // REQUIRES: first <= last.
  LogReadahead(const Database& db, uint64_t first, uint64_t last,
               LogReadaheadOptions options = LogReadaheadOptions());

  // The scan has reached `position`: reads what the files hold from there
  // to bytes_ahead past it (a file's bytes are taken to hold its positions
  // evenly), within first..last, except what an earlier call read. Calls
  // may come in any order; each byte is read once. Thread-safe (the reads
  // are made outside the lock).
  void Reached(uint64_t position);

  // The scan has read every position before `position` and reads none of
  // them again. With LogPagesPassed::kRelease, releases the pages from the
  // scan's start to bytes_behind before where `position` lies (a margin
  // for where it is taken to lie), in whole units of a file, except the
  // scan's newest file (the one holding `last`, or the log's newest when
  // `last` is still in the memtable); otherwise does nothing. Calls may
  // come in any order; each byte is released once, in order. Thread-safe
  // (the releases are made outside the lock).
  void Passed(uint64_t position);

  // The scan's last position.
  uint64_t last() const { return last_; }

 private:
  struct File {
    std::string path;
    uint64_t first = 0;  // its smallest and largest positions
    uint64_t last = 0;
    uint64_t bytes = 0;
  };
  // A place in the files: a file's index (files_.size() past the last)
  // and an offset in it.
  using Place = std::pair<size_t, uint64_t>;

  // Where `position` lies, clamped to its file.
  Place Locate(uint64_t position) const;
  // `bytes` past `place`, across files; at most `end`.
  Place Forward(Place place, uint64_t bytes, Place end) const;
  // `bytes` before `place`, across files; at least the first file's start.
  Place Back(Place place, uint64_t bytes) const;
  // The ranges of the files from `from` to `to`.
  std::vector<Range> Between(Place from, Place to) const;

  const uint64_t last_;
  const LogReadaheadOptions options_;
  // The files holding first..last, ascending.
  std::vector<File> files_;
  // The end of the bytes to read: where `last` lies.
  Place end_;
  // The end of the bytes to release: the start of the scan's newest
  // file.
  Place release_end_;
  std::mutex mu_;
  // Read up to here and released up to here; guarded by mu_.
  Place next_;
  Place released_;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_LOG_READAHEAD_H_
