#include "storage/wire_bytes.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "stakeledger/v1/projections.pb.h"
#include "storage/byte_arena.h"

namespace stakeledger::storage {
namespace {

// What the bulk fold's entries are written as (stake_bulk_fold.cc).
// Writes every field of `entry` with `bytes` (a WireBytes or a WireCursor).
template <typename Writer>
void WriteEntry(const v1::StakeEntry& entry, Writer* bytes) {
  bytes->String(1, entry.holder());
  bytes->String(2, entry.target());
  bytes->String(3, entry.announcement_id());
  bytes->Number(4, entry.fact_index());
  bytes->Number(5, entry.part());
  bytes->String(6, entry.effective_date());
  bytes->Number(7, entry.absolute() ? 1 : 0);
  bytes->Number(8, static_cast<uint64_t>(entry.ppm()));
  bytes->Number(9, static_cast<uint64_t>(static_cast<int64_t>(entry.qualifier())));
  bytes->String(10, entry.quote());
  bytes->Number(11, entry.position());
  bytes->Number(12, static_cast<uint64_t>(entry.recorded_at_us()));
  bytes->Number(13, entry.known_from());
  bytes->Number(14, entry.known_until());
}

std::string EntryBytesOf(const v1::StakeEntry& entry) {
  std::string out;
  WireBytes bytes(&out);
  WriteEntry(entry, &bytes);
  return out;
}

// The same through a WireCursor, into room an arena reserved as the bulk
// fold reserves it: the most its strings and numbers can take.
std::string CursorBytesOf(const v1::StakeEntry& entry, ByteArena* arena) {
  const size_t bytes_max =
      WireCursor::StringBytesMax(entry.holder()) + WireCursor::StringBytesMax(entry.target()) +
      WireCursor::StringBytesMax(entry.announcement_id()) +
      WireCursor::StringBytesMax(entry.effective_date()) +
      WireCursor::StringBytesMax(entry.quote()) + 10 * WireCursor::kNumberBytesMax;
  char* const start = arena->Reserve(bytes_max);
  WireCursor cursor(start);
  WriteEntry(entry, &cursor);
  EXPECT_LE(static_cast<size_t>(cursor.at() - start), bytes_max);
  return std::string(arena->Commit(static_cast<size_t>(cursor.at() - start)));
}

TEST(WireBytesTest, FieldsAtTheirDefaultsWriteNothing) {
  EXPECT_EQ(EntryBytesOf(v1::StakeEntry()), "");
}

TEST(WireBytesTest, ScalarsAtEveryVarintLengthMatchProtobuf) {
  // 0 to 10-byte varints, and the negatives that take all ten.
  const int64_t values[] = {1,
                            127,
                            128,
                            16383,
                            16384,
                            int64_t{1} << 35,
                            int64_t{1} << 56,
                            std::numeric_limits<int64_t>::max(),
                            -1,
                            -1000000,
                            std::numeric_limits<int64_t>::min()};
  for (const int64_t value : values) {
    v1::StakeEntry entry;
    entry.set_ppm(value);
    entry.set_recorded_at_us(value);
    entry.set_position(static_cast<uint64_t>(value));
    entry.set_known_until(static_cast<uint64_t>(value));
    entry.set_fact_index(static_cast<uint32_t>(value));
    EXPECT_EQ(EntryBytesOf(entry), entry.SerializeAsString()) << value;
  }
}

TEST(WireBytesTest, RandomEntriesMatchProtobuf) {
  std::mt19937_64 rng(7);
  ByteArena arena;
  const auto text = [&rng](size_t max) {
    return std::string(rng() % (max + 1), static_cast<char>('a' + rng() % 26));
  };
  for (int i = 0; i < 2000; ++i) {
    v1::StakeEntry entry;
    entry.set_holder(text(3));
    entry.set_target(text(20));
    entry.set_announcement_id(text(40));
    entry.set_fact_index(static_cast<uint32_t>(rng() % 3));
    entry.set_part(static_cast<uint32_t>(rng() % 3));
    entry.set_effective_date(rng() % 2 ? "2018-06-30" : "");
    entry.set_absolute(rng() % 2 == 0);
    entry.set_ppm(static_cast<int64_t>(rng() % 2000001) - 1000000);
    entry.set_qualifier(static_cast<v1::Qualifier>(rng() % 5));
    // Past 127 bytes a length takes two.
    entry.set_quote(text(300));
    entry.set_position(rng() >> (rng() % 64));
    entry.set_recorded_at_us(static_cast<int64_t>(rng() >> 1));
    entry.set_known_from(rng() % 1000);
    entry.set_known_until(rng() % 2 ? rng() % 1000 : 0);
    ASSERT_EQ(EntryBytesOf(entry), entry.SerializeAsString()) << entry.ShortDebugString();
    ASSERT_EQ(CursorBytesOf(entry, &arena), entry.SerializeAsString()) << entry.ShortDebugString();
  }
}

TEST(WireBytesTest, RepeatedAndEmbeddedFieldsMatchProtobuf) {
  // An announcement record: a fact without versions is an empty embedded
  // message, and an empty key is still written.
  v1::AnnouncementVersions record;
  record.set_fact_count(3);
  record.add_facts();
  record.add_facts()->add_keys("");
  v1::FactVersionKeys* third = record.add_facts();
  third->add_keys("p first key");
  third->add_keys(std::string(200, 'k'));

  std::string out;
  WireBytes bytes(&out);
  bytes.Number(1, record.fact_count());
  for (const v1::FactVersionKeys& fact : record.facts()) {
    size_t size = 0;
    for (const std::string& key : fact.keys()) size += WireBytes::BytesSize(key);
    bytes.Length(2, size);
    for (const std::string& key : fact.keys()) bytes.Bytes(1, key);
  }
  EXPECT_EQ(out, record.SerializeAsString());
}

}  // namespace
}  // namespace stakeledger::storage
