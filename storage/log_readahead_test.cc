// LogReadahead: which bytes of the log's files it asks for as a scan
// advances (a window ahead, each byte once, only the scan's files), and
// that what it asks for comes into the page cache.
#include "storage/log_readahead.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/metadata.h"
#include "storage/bulk_fold.h"
#include "storage/event_log.h"
#include "storage/investment_projection.h"
#include "storage/keys.h"
#include "storage/projection_engine.h"
#include "storage/stake_projection.h"
#include "storage/subscription.h"
#include "storage/test_util.h"

namespace stakeledger::storage {
namespace {

using ::stakeledger::storage::testing::Event;

// Events per table file, and files.
constexpr int kEventsPerFile = 400;
constexpr int kFiles = 3;
constexpr uint64_t kLast = uint64_t{kEventsPerFile} * kFiles;

struct LogFile {
  std::string path;
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t bytes = 0;
};

// A log of table files of events of random hex, which LZ4 hardly
// shrinks, and those files.
class NoiseLogTest : public testing::EventLogTest {
 protected:
  // Appends `files` table files of `events_per_file` events (appended
  // `events_per_append` at a time) of `hex_words` words of 8 hex digits.
  void WriteFiles(int files, int events_per_file, int events_per_append, int hex_words,
                  uint64_t seed) {
    for (int file = 0; file < files; ++file) {
      for (int append = 0; append < events_per_file / events_per_append; ++append) {
        std::vector<v1::ProposedEvent> events;
        for (int i = 0; i < events_per_append; ++i) {
          std::string hex;
          for (int j = 0; j < hex_words; ++j) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            absl::StrAppend(&hex, absl::Hex(seed >> 32, absl::kZeroPad8));
          }
          events.push_back(Event("noise.recorded", absl::StrCat("{\"r\":\"", hex, "\"}")));
        }
        AppendOk(absl::StrCat("noise-", file), std::move(events));
      }
      ASSERT_TRUE(db().db()->Flush(rocksdb::FlushOptions(), db().log()).ok());
    }
    files_ = Files();
    ASSERT_EQ(files_.size(), static_cast<size_t>(files));
  }

  const Database& db() { return log_->database(); }

  // The log's table files in position order.
  std::vector<LogFile> Files() {
    std::vector<rocksdb::LiveFileMetaData> live;
    db().db()->GetLiveFilesMetaData(&live);
    std::map<uint64_t, LogFile> by_first;
    for (const rocksdb::LiveFileMetaData& meta : live) {
      if (meta.column_family_name != kLogFamily) continue;
      const uint64_t first = ReadBigEndian64(meta.smallestkey);
      by_first[first] = {meta.db_path + meta.name, first, ReadBigEndian64(meta.largestkey),
                         meta.size};
    }
    std::vector<LogFile> files;
    for (auto& [first, file] : by_first) files.push_back(file);
    return files;
  }

  std::vector<LogFile> files_;
};

// A log of kFiles table files of kEventsPerFile events each, positions
// 1..kLast: about 400 KB a file.
class LogReadaheadTest : public NoiseLogTest {
 protected:
  void SetUp() override {
    NoiseLogTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(WriteFiles(kFiles, kEventsPerFile, 100, 64, 42));
  }
};

// Records the ranges asked for, per call of Reached, and those released.
struct Recorded {
  std::vector<LogReadahead::Range> ranges;
  std::vector<LogReadahead::Range> released;
  // Options with a window of `bytes_ahead`, the ranges recorded here.
  LogReadaheadOptions Options(LogPagesPassed passed, uint64_t bytes_ahead) {
    LogReadaheadOptions options;
    options.passed = passed;
    options.bytes_ahead = bytes_ahead;
    options.read = [this](const LogReadahead::Range& range) { ranges.push_back(range); };
    options.release = [this](const LogReadahead::Range& range) { released.push_back(range); };
    return options;
  }
  // Keeping what it passed; were it releasing, nothing would stay behind.
  LogReadaheadOptions Keeping(uint64_t bytes_ahead) {
    LogReadaheadOptions options = Options(LogPagesPassed::kKeep, bytes_ahead);
    options.bytes_behind = 0;
    return options;
  }
  uint64_t Bytes() const {
    uint64_t bytes = 0;
    for (const auto& range : ranges) bytes += range.bytes;
    return bytes;
  }
};

TEST_F(LogReadaheadTest, AFullScanAsksForEveryByteOnceAWindowAhead) {
  ASSERT_EQ(files_[0].first, 1u);
  ASSERT_EQ(files_.back().last, kLast);
  const uint64_t window = files_[0].bytes / 4;
  Recorded recorded;
  LogReadahead readahead(db(), 1, kLast, recorded.Keeping(window));
  EXPECT_TRUE(recorded.ranges.empty());  // nothing before the scan starts

  readahead.Reached(1);
  ASSERT_EQ(recorded.ranges.size(), 1u);
  EXPECT_EQ(recorded.ranges[0].path, files_[0].path);
  EXPECT_EQ(recorded.ranges[0].offset, 0u);
  EXPECT_EQ(recorded.ranges[0].bytes, window);
  // The same position again: already asked for.
  readahead.Reached(1);
  EXPECT_EQ(recorded.ranges.size(), 1u);

  // As the decoding threads go: a batch at a time, in order.
  for (uint64_t position = 51; position <= kLast; position += 50) {
    const size_t before = recorded.ranges.size();
    readahead.Reached(position);
    readahead.Passed(position);
    uint64_t asked = 0;
    for (size_t i = before; i < recorded.ranges.size(); ++i) asked += recorded.ranges[i].bytes;
    EXPECT_LE(asked, window) << position;
  }
  readahead.Reached(kLast);
  // Every byte of every file, once and in order: the ranges of a file
  // follow each other from its start to its end.
  std::map<std::string, uint64_t> covered;
  std::vector<std::string> order;
  for (const auto& range : recorded.ranges) {
    if (covered.count(range.path) == 0) order.push_back(range.path);
    EXPECT_EQ(range.offset, covered[range.path]) << range.path;
    covered[range.path] = range.offset + range.bytes;
  }
  ASSERT_EQ(order.size(), files_.size());
  for (size_t i = 0; i < files_.size(); ++i) {
    EXPECT_EQ(order[i], files_[i].path);
    EXPECT_EQ(covered[files_[i].path], files_[i].bytes) << i;
  }
  // A scan that keeps what it passed releases nothing.
  EXPECT_TRUE(recorded.released.empty());
}

TEST_F(LogReadaheadTest, AScanOfOneFilesPositionsAsksOnlyForThatFile) {
  const LogFile& middle = files_[1];
  const uint64_t first = middle.first + 10;
  const uint64_t last = middle.last - 10;
  Recorded recorded;
  LogReadahead readahead(db(), first, last, recorded.Keeping(uint64_t{1} << 30));
  readahead.Reached(first);
  readahead.Reached(last);
  ASSERT_FALSE(recorded.ranges.empty());
  for (const auto& range : recorded.ranges) EXPECT_EQ(range.path, middle.path);
  // From about where `first` lies, not the file's start; to where `last`
  // lies and a request more (the block that holds it).
  EXPECT_GT(recorded.ranges.front().offset, 0u);
  EXPECT_LT(recorded.ranges.front().offset, middle.bytes / 10);
  EXPECT_LE(recorded.Bytes(), middle.bytes);
  // Positions past every file (still in the memtable, or none): nothing.
  Recorded beyond;
  LogReadahead none(db(), kLast + 1, kLast + 1000, beyond.Keeping(uint64_t{1} << 30));
  none.Reached(kLast + 1);
  EXPECT_TRUE(beyond.ranges.empty());
}

TEST_F(LogReadaheadTest, AFileCutShortByTheWindowGoesOnAtTheNextCall) {
  // A window of one and a half files from the first position: all of the
  // first file, half of the second.
  const uint64_t window = files_[0].bytes + files_[1].bytes / 2;
  Recorded recorded;
  LogReadahead readahead(db(), 1, kLast, recorded.Keeping(window));
  readahead.Reached(1);
  ASSERT_EQ(recorded.ranges.size(), 2u);
  EXPECT_EQ(recorded.ranges[1].path, files_[1].path);
  EXPECT_EQ(recorded.ranges[1].bytes, files_[1].bytes / 2);
  // At the end of the first file: the window ends in the third.
  readahead.Reached(kEventsPerFile);
  ASSERT_EQ(recorded.ranges.size(), 4u);
  EXPECT_EQ(recorded.ranges[2].path, files_[1].path);
  EXPECT_EQ(recorded.ranges[2].offset, files_[1].bytes / 2);
  EXPECT_EQ(recorded.ranges[2].offset + recorded.ranges[2].bytes, files_[1].bytes);
  EXPECT_EQ(recorded.ranges[3].path, files_[2].path);
  EXPECT_EQ(recorded.ranges[3].offset, 0u);
}

// Bytes of the log before `position`, its files' bytes taken to hold their
// positions evenly (as LogReadahead takes them).
uint64_t BytesBefore(const std::vector<LogFile>& files, uint64_t position) {
  uint64_t bytes = 0;
  for (const LogFile& file : files) {
    if (position > file.last) {
      bytes += file.bytes;
      continue;
    }
    if (position > file.first) {
      const double share = static_cast<double>(position - file.first) /
                           (static_cast<double>(file.last - file.first) + 1);
      bytes += static_cast<uint64_t>(share * static_cast<double>(file.bytes));
    }
    break;
  }
  return bytes;
}

TEST_F(LogReadaheadTest, AReleasingScanReleasesWhatItPassedOnceButItsNewestFile) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t behind = files_[0].bytes / 3;
  Recorded recorded;
  LogReadaheadOptions options = recorded.Options(LogPagesPassed::kRelease, files_[0].bytes / 4);
  options.bytes_behind = behind;
  options.release_unit_bytes = page;
  LogReadahead readahead(db(), 1, kLast, std::move(options));
  // Where the newest file starts, in bytes of the log.
  const uint64_t newest = files_[0].bytes + files_[1].bytes;
  for (uint64_t position = 1; position <= kLast; position += 25) {
    const size_t releases = recorded.released.size();
    readahead.Reached(position);
    EXPECT_EQ(recorded.released.size(), releases);  // reading ahead releases nothing
    readahead.Passed(position);
    uint64_t released = 0;
    for (const auto& range : recorded.released) released += range.bytes;
    // Up to `behind` before where the scan is, in whole units (pages
    // here), and not into the newest file.
    const uint64_t before = BytesBefore(files_, position);
    const uint64_t end = before > behind ? std::min(before - behind, newest) : 0;
    EXPECT_LE(released, end + 1) << position;
    EXPECT_GE(released + page + 1, end) << position;
  }
  readahead.Passed(kLast + 1);
  const size_t releases = recorded.released.size();
  // Calls may come in any order: nothing is released twice.
  readahead.Passed(1);
  readahead.Passed(kLast);
  EXPECT_EQ(recorded.released.size(), releases);
  // From each file's start, in order, each byte once: the two older files
  // whole, nothing of the newest.
  std::map<std::string, uint64_t> covered;
  for (const auto& range : recorded.released) {
    EXPECT_EQ(range.offset, covered[range.path]) << range.path;
    covered[range.path] = range.offset + range.bytes;
    // Whole units: a range ends on a unit's end, or at its file's end.
    const bool file_end = range.path == files_[0].path   ? covered[range.path] == files_[0].bytes
                          : range.path == files_[1].path ? covered[range.path] == files_[1].bytes
                                                         : false;
    if (!file_end) {
      EXPECT_EQ(covered[range.path] % page, 0u) << range.path;
    }
  }
  EXPECT_EQ(covered[files_[0].path], files_[0].bytes);
  EXPECT_EQ(covered[files_[1].path], files_[1].bytes);
  EXPECT_EQ(covered.count(files_[2].path), 0u);
}

// How many of bytes [offset, offset + bytes) of `path` are in the page
// cache, in whole pages. REQUIRES: `offset` is a multiple of the page size.
uint64_t ResidentBytes(const std::string& path, uint64_t bytes, uint64_t offset = 0) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  void* map = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(offset));
  close(fd);
  if (map == MAP_FAILED) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> pages((bytes + page - 1) / page);
  uint64_t resident = 0;
  if (mincore(map, bytes, pages.data()) == 0) {
    for (const unsigned char in : pages) resident += (in & 1) ? page : 0;
  }
  munmap(map, bytes);
  return std::min(resident, bytes);
}

// Drops a file's pages from the page cache (its pages are clean: the
// files are synced).
void Evict(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  close(fd);
}

// Waits, at most 10 s, until `bytes` bytes of `path` from `offset` are in
// the page cache (the kernel reads in the background); returns how many
// are.
uint64_t AwaitResident(const std::string& path, uint64_t bytes, uint64_t offset = 0) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ResidentBytes(path, bytes, offset) < bytes &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return ResidentBytes(path, bytes, offset);
}

TEST_F(LogReadaheadTest, WhatItAsksForComesIntoThePageCache) {
  const LogFile& file = files_[0];
  Evict(file.path);
  const uint64_t window = file.bytes / 2;
  ASSERT_LT(ResidentBytes(file.path, window), window / 4);

  LogReadaheadOptions options;
  options.bytes_ahead = window;
  LogReadahead readahead(db(), 1, kLast, std::move(options));
  readahead.Reached(1);
  EXPECT_EQ(AwaitResident(file.path, window), window);
  // A file that is gone (a compaction removed it) is no error.
  LogReadahead::AdviseWillNeed({file.path + ".gone", 0, window});
}

// A subscriber catching up reads the log ahead of what it has read: its
// first response covers a few events of the first file, and the middle of
// the last file, which that scan does not touch, comes into the page cache.
TEST_F(LogReadaheadTest, ASubscriptionCatchingUpReadsTheLogAhead) {
  limits_.response_events_max = 20;
  Reopen();
  for (const LogFile& file : files_) Evict(file.path);
  const LogFile& last = files_.back();
  const long page = sysconf(_SC_PAGESIZE);
  const uint64_t middle = last.bytes / 4 / page * page;
  const uint64_t bytes = last.bytes / 4;
  ASSERT_LT(ResidentBytes(last.path, bytes, middle), bytes / 4);

  SubscriptionOptions options;
  options.from_position = 1;
  absl::StatusOr<std::shared_ptr<Subscription>> subscription =
      log_->Subscribe(std::move(options), [] {});
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  v1::SubscribeResponse response;
  const absl::StatusOr<bool> next = (*subscription)->Next(&response);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(response.events_size(), 20);
  EXPECT_EQ(AwaitResident(last.path, bytes, middle), bytes);
  (*subscription)->Close();
}

// Reads all of `path`, which brings it into the page cache.
void ReadWhole(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path;
  std::vector<char> buffer(size_t{1} << 20);
  while (read(fd, buffer.data(), buffer.size()) > 0) {
  }
  close(fd);
}

TEST_F(LogReadaheadTest, WhatAReleasingScanPassedLeavesThePageCache) {
  for (const LogFile& file : files_) ReadWhole(file.path);
  for (const LogFile& file : files_) ASSERT_EQ(ResidentBytes(file.path, file.bytes), file.bytes);
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  LogReadaheadOptions options;
  options.passed = LogPagesPassed::kRelease;
  options.bytes_behind = 4 * page;
  LogReadahead readahead(db(), 1, kLast, std::move(options));
  for (uint64_t position = 1; position <= kLast; position += 50) {
    readahead.Reached(position);
    readahead.Passed(position);
  }
  readahead.Passed(kLast + 1);
  // The two older files go whole (smaller than a unit, each goes when
  // the scan is past its end); the newest file stays.
  EXPECT_EQ(ResidentBytes(files_[0].path, files_[0].bytes), 0u);
  EXPECT_EQ(ResidentBytes(files_[1].path, files_[1].bytes), 0u);
  EXPECT_EQ(ResidentBytes(files_[2].path, files_[2].bytes), files_[2].bytes);
}

// Events and table files of LogReleaseTest's log.
constexpr int kLargeEventsPerFile = 4096;
constexpr int kLargeFiles = 3;

// A log of kLargeFiles table files of about 19 MB each (events of 4.6 KB
// of random hex). A rebuild reads it in pieces of 4,096 or 8,192 events
// and releases up to kLogReleaseBehindBytes behind the last piece's
// start: past the first file's end.
class LogReleaseTest : public NoiseLogTest {
 protected:
  void SetUp() override {
    NoiseLogTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(WriteFiles(kLargeFiles, kLargeEventsPerFile, 512, 576, 7));
    // Two thirds of the log, less the distance kept behind, pass the first
    // file's end.
    uint64_t bytes = 0;
    for (const LogFile& file : files_) bytes += file.bytes;
    ASSERT_GT(bytes * 2 / 3, kLogReleaseBehindBytes + files_[0].bytes);
  }
};

// Both ways a rebuild reads the log (the bulk fold's decoders for
// stake-ownership, the chunks read ahead for investments) release what
// they passed: the first file leaves the page cache, the newest stays.
TEST_F(LogReleaseTest, ARebuildReleasesTheLogItPassedButItsNewestFile) {
  ProjectionEngine engine(log_.get());
  engine.Add(std::make_unique<StakeOwnershipProjection>());
  engine.Add(std::make_unique<InvestmentsProjection>());
  for (const char* name : {kStakeOwnershipProjection, kInvestmentsProjection}) {
    ASSERT_TRUE(engine.WaitFor(name, log_->head_position(), absl::Seconds(20))) << name;
  }
  for (const char* name : {kStakeOwnershipProjection, kInvestmentsProjection}) {
    for (const LogFile& file : files_) ReadWhole(file.path);
    ASSERT_EQ(ResidentBytes(files_[0].path, files_[0].bytes), files_[0].bytes);
    const absl::StatusOr<RebuildProgress> rebuilt =
        engine.Rebuild(name, [](const RebuildProgress&) { return true; });
    ASSERT_TRUE(rebuilt.ok()) << name << ": " << rebuilt.status();
    EXPECT_EQ(ResidentBytes(files_[0].path, files_[0].bytes), 0u) << name;
    EXPECT_EQ(ResidentBytes(files_.back().path, files_.back().bytes), files_.back().bytes) << name;
  }
}

// What GatedFold's batches share: the decoding of position 1 waits until
// the gate opens; the events decoded are counted.
struct Gate {
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mu);
      open = true;
    }
    changed.notify_all();
  }
  std::mutex mu;
  std::condition_variable changed;
  bool open = false;
  std::atomic<uint64_t> decoded{0};
};

class GatedFold : public BulkFold {
 public:
  struct Batch : BulkBatch {
    using BulkBatch::Decode;
    explicit Batch(Gate* gate) : gate(gate) {}
    void Decode(const LogEventView& event) override {
      if (event.position == 1) {
        std::unique_lock<std::mutex> lock(gate->mu);
        gate->changed.wait(lock, [this] { return gate->open; });
      }
      gate->decoded.fetch_add(1);
    }
    Gate* const gate;
  };
  explicit GatedFold(Gate* gate) : gate_(gate) {}
  std::unique_ptr<BulkBatch> NewBatch() const override { return std::make_unique<Batch>(gate_); }
  absl::Status Fold(std::unique_ptr<BulkBatch>) override { return absl::OkStatus(); }
  size_t held_bytes() const override { return 0; }
  std::vector<RunBuilder> TakeRuns(bool) override { return {}; }

 private:
  Gate* const gate_;
};

// The decoders release only what every thread has passed: while one
// thread still decodes the first batch, the later batches done by the
// other release nothing of the file it reads.
TEST_F(LogReleaseTest, ABatchStillDecodedKeepsThePagesItReads) {
  for (const LogFile& file : files_) ReadWhole(file.path);
  const uint64_t head = log_->head_position();
  constexpr uint64_t kBatchEvents = 1024;
  Gate gate;
  GatedFold fold(&gate);
  const EventFilter all;
  auto decoder =
      std::make_unique<BulkDecoder>(log_->database(), fold, all, 1, head, kBatchEvents, 2);
  // Opened however the test ends, before the decoder joins its threads.
  const struct OpenAtEnd {
    Gate* gate;
    ~OpenAtEnd() { gate->Open(); }
  } open_at_end{&gate};
  // Every event but the first batch's.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (gate.decoded.load() < head - kBatchEvents && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(gate.decoded.load(), head - kBatchEvents);
  // The thread that decoded them has made its last release by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(ResidentBytes(files_[0].path, files_[0].bytes), files_[0].bytes);
  gate.Open();
  for (;;) {
    absl::StatusOr<BulkDecoder::Decoded> decoded = decoder->Next();
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    if (decoded->batch == nullptr) break;
  }
  // Its threads joined: the last batch's thread has released by then.
  decoder.reset();
  EXPECT_EQ(ResidentBytes(files_[0].path, files_[0].bytes), 0u);
}

}  // namespace
}  // namespace stakeledger::storage
