// LogReadahead: which bytes of the log's files it asks for as a scan
// advances (a window ahead, each byte once, only the scan's files), and
// that what it asks for comes into the page cache.
#include "storage/log_readahead.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/metadata.h"
#include "storage/event_log.h"
#include "storage/keys.h"
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

// A log of kFiles table files of kEventsPerFile events each, positions
// 1..kLast; payloads of random hex, which LZ4 hardly shrinks: about
// 400 KB a file.
class LogReadaheadTest : public testing::EventLogTest {
 protected:
  void SetUp() override {
    EventLogTest::SetUp();
    uint64_t seed = 42;
    for (int file = 0; file < kFiles; ++file) {
      for (int batch = 0; batch < kEventsPerFile / 100; ++batch) {
        std::vector<v1::ProposedEvent> events;
        for (int i = 0; i < 100; ++i) {
          std::string hex;
          for (int j = 0; j < 64; ++j) {
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
    ASSERT_EQ(files_.size(), static_cast<size_t>(kFiles));
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

// Records the ranges asked for, per call of Reached.
struct Recorded {
  std::vector<LogReadahead::Range> ranges;
  LogReadahead::Reader reader() {
    return [this](const LogReadahead::Range& range) { ranges.push_back(range); };
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
  LogReadahead readahead(db(), 1, kLast, window, recorded.reader());
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
}

TEST_F(LogReadaheadTest, AScanOfOneFilesPositionsAsksOnlyForThatFile) {
  const LogFile& middle = files_[1];
  const uint64_t first = middle.first + 10;
  const uint64_t last = middle.last - 10;
  Recorded recorded;
  LogReadahead readahead(db(), first, last, /*bytes_ahead=*/uint64_t{1} << 30, recorded.reader());
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
  LogReadahead none(db(), kLast + 1, kLast + 1000, uint64_t{1} << 30, beyond.reader());
  none.Reached(kLast + 1);
  EXPECT_TRUE(beyond.ranges.empty());
}

TEST_F(LogReadaheadTest, AFileCutShortByTheWindowGoesOnAtTheNextCall) {
  // A window of one and a half files from the first position: all of the
  // first file, half of the second.
  const uint64_t window = files_[0].bytes + files_[1].bytes / 2;
  Recorded recorded;
  LogReadahead readahead(db(), 1, kLast, window, recorded.reader());
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

  LogReadahead readahead(db(), 1, kLast, window);
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

}  // namespace
}  // namespace stakeledger::storage
