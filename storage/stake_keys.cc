#include "storage/stake_keys.h"

#include "absl/strings/str_cat.h"
#include "storage/investment_projection.h"
#include "storage/keys.h"
#include "storage/stake_projection.h"

namespace stakeledger::storage {
namespace {

std::string Joined(char tag, absl::string_view first, absl::string_view second) {
  std::string key(1, tag);
  key.append(first.data(), first.size());
  key.push_back('\0');
  key.append(second.data(), second.size());
  return key;
}

}  // namespace

void AppendBigEndian32(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

uint32_t ReadBigEndian32(absl::string_view bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string StakePairPrefix(absl::string_view holder, absl::string_view target) {
  std::string key = Joined('p', holder, target);
  key.push_back('\0');
  return key;
}

void StakeEntryKeyInto(absl::string_view holder, absl::string_view target, int start_day,
                       uint64_t position, uint32_t fact_index, uint32_t part, uint64_t known_from,
                       std::string* key) {
  key->assign(1, 'p');
  key->append(holder.data(), holder.size());
  key->push_back('\0');
  key->append(target.data(), target.size());
  key->push_back('\0');
  AppendBigEndian32(static_cast<uint32_t>(start_day), key);
  AppendBigEndian64(position, key);
  AppendBigEndian32(fact_index, key);
  AppendBigEndian32(part, key);
  AppendBigEndian64(known_from, key);
}

std::string StakeEntryKey(const v1::StakeEntry& entry, int start_day) {
  std::string key;
  StakeEntryKeyInto(entry.holder(), entry.target(), start_day, entry.position(), entry.fact_index(),
                    entry.part(), entry.known_from(), &key);
  return key;
}

std::string StakeEntryValue(v1::StakeEntry entry) {
  entry.clear_holder();
  entry.clear_target();
  entry.clear_position();
  entry.clear_fact_index();
  entry.clear_part();
  entry.clear_known_from();
  return entry.SerializeAsString();
}

bool ParseStakeEntry(absl::string_view holder, absl::string_view target, absl::string_view suffix,
                     absl::string_view value, v1::StakeEntry* entry) {
  if (suffix.size() != kStakeEntrySuffixBytes ||
      !entry->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return false;
  }
  entry->set_holder(std::string(holder));
  entry->set_target(std::string(target));
  // start(4) position(8) fact(4) part(4) known_from(8): the start day is
  // the effective date's, which the value holds.
  entry->set_position(ReadBigEndian64(suffix.substr(4)));
  entry->set_fact_index(ReadBigEndian32(suffix.substr(12)));
  entry->set_part(ReadBigEndian32(suffix.substr(16)));
  entry->set_known_from(ReadBigEndian64(suffix.substr(20)));
  return true;
}

bool ParseStakeEntry(absl::string_view key, absl::string_view value, v1::StakeEntry* entry) {
  if (key.size() < 1 + 2 + kStakeEntrySuffixBytes || key[0] != 'p') return false;
  const absl::string_view pair = key.substr(1, key.size() - 1 - kStakeEntrySuffixBytes);
  const size_t nul = pair.find('\0');
  if (nul == absl::string_view::npos || nul + 1 == pair.size() || pair.back() != '\0') return false;
  return ParseStakeEntry(pair.substr(0, nul), pair.substr(nul + 1, pair.size() - nul - 2),
                         key.substr(key.size() - kStakeEntrySuffixBytes), value, entry);
}

std::string StakeHolderPrefix(absl::string_view holder) { return Joined('p', holder, ""); }

void StakeMemberKeyInto(char tag, absl::string_view first, absl::string_view second,
                        std::string* key) {
  key->assign(1, tag);
  key->append(first.data(), first.size());
  key->push_back('\0');
  key->append(second.data(), second.size());
}

std::string StakeMemberKey(char tag, absl::string_view first, absl::string_view second) {
  return Joined(tag, first, second);
}

std::string StakeFundKey(absl::string_view sponsor, absl::string_view fund) {
  return Joined('S', sponsor, fund);
}

namespace {

// ProjectionPrefix (projection.h): the name, then NUL for generation 0 or
// 0x01 and the 8-byte generation.
constexpr size_t kGenerationBytes = 8;

// Where a pair starts in the keys of one projection: after `tag` and
// `skip` more bytes (the deal kind of investments) come holder NUL target NUL.
struct PairLayout {
  absl::string_view projection;
  char tag;
  size_t skip;
};
constexpr PairLayout kPairLayouts[] = {
    {kStakeOwnershipProjection, 'p', 0},  // stake_keys.h
    {kInvestmentsProjection, 'd', 1},     // investment_keys.h
};

class PairPrefixExtractor : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "stakeledger.PairPrefix.1"; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), PairPrefixBytes(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override { return PairPrefixBytes(key) != 0; }

 private:
  // The bytes of the key up to and including the NUL after the target, or 0
  // when the key is not a pair's entry key (nor a pair prefix).
  static size_t PairPrefixBytes(const rocksdb::Slice& key) {
    const absl::string_view view(key.data(), key.size());
    for (const PairLayout& layout : kPairLayouts) {
      const size_t bytes = PairPrefixBytes(view, layout);
      if (bytes != 0) return bytes;
    }
    return 0;
  }

  static size_t PairPrefixBytes(absl::string_view view, const PairLayout& layout) {
    const absl::string_view name = layout.projection;
    // Names are printable: the byte after the name tells the generation.
    if (view.size() <= name.size() || view.substr(0, name.size()) != name) return 0;
    size_t at = name.size();
    if (view[at] == '\x01') {
      at += kGenerationBytes;
    } else if (view[at] != '\0') {
      return 0;
    }
    ++at;
    if (at >= view.size() || view[at] != layout.tag) return 0;
    at += 1 + layout.skip;
    if (at > view.size()) return 0;
    const size_t holder_end = view.find('\0', at);
    if (holder_end == absl::string_view::npos) return 0;
    const size_t target_end = view.find('\0', holder_end + 1);
    if (target_end == absl::string_view::npos) return 0;
    return target_end + 1;
  }
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> NewPairPrefixExtractor() {
  return std::make_shared<PairPrefixExtractor>();
}

}  // namespace stakeledger::storage
