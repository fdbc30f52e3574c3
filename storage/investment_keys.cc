#include "storage/investment_keys.h"

#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/stake_keys.h"

namespace stakeledger::storage {
namespace {

void AppendName(absl::string_view name, std::string* key) {
  key->append(name.data(), name.size());
  key->push_back('\0');
}

void AppendVersion(const v1::InvestmentEntry& entry, std::string* key) {
  AppendBigEndian64(entry.position(), key);
  AppendBigEndian32(entry.fact_index(), key);
  AppendBigEndian32(entry.part(), key);
  AppendBigEndian64(entry.known_from(), key);
}

}  // namespace

std::string CapitalHolderPrefix(absl::string_view holder) {
  std::string key = "c";
  AppendName(holder, &key);
  return key;
}

std::string CapitalYearPrefix(absl::string_view holder, uint32_t year) {
  std::string key = CapitalHolderPrefix(holder);
  AppendBigEndian32(year, &key);
  return key;
}

std::string DealPairPrefix(char tag, absl::string_view holder, absl::string_view target) {
  std::string key = {'d', tag};
  AppendName(holder, &key);
  AppendName(target, &key);
  return key;
}

std::string DealMemberKey(char tag, absl::string_view holder, absl::string_view target) {
  std::string key = {'m', tag};
  AppendName(holder, &key);
  key.append(target.data(), target.size());
  return key;
}

std::vector<std::string> InvestmentEntryKeys(const v1::InvestmentEntry& entry, int start_day,
                                             uint32_t year) {
  std::vector<std::string> keys;
  const bool capital = entry.kind() == v1::InvestmentEntry::PARTICIPATION ||
                       entry.kind() == v1::InvestmentEntry::ACQUISITION;
  if (capital) {
    std::string key = CapitalYearPrefix(entry.holder(), year);
    AppendName(entry.target(), &key);
    AppendVersion(entry, &key);
    keys.push_back(std::move(key));
  }
  const char tag = entry.kind() == v1::InvestmentEntry::ACQUISITION     ? kAcquisitionDealTag
                   : entry.kind() == v1::InvestmentEntry::JOINT_VENTURE ? kJointVentureDealTag
                                                                        : '\0';
  if (tag != '\0') {
    std::string key = DealPairPrefix(tag, entry.holder(), entry.target());
    AppendBigEndian32(static_cast<uint32_t>(start_day), &key);
    AppendVersion(entry, &key);
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace stakeledger::storage
