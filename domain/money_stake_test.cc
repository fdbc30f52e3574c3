#include "domain/money.h"
#include "domain/stake.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace stakeledger::domain {
namespace {

using ::testing::HasSubstr;

v1::Money Dollars(int64_t cents, const std::string& currency = "USD") {
  v1::Money money;
  money.set_minor_units(cents);
  money.set_currency(currency);
  return money;
}

v1::Stake Ppm(int64_t ppm) {
  v1::Stake stake;
  stake.set_ppm(ppm);
  return stake;
}

void ExpectInvalid(const absl::Status& status, absl::string_view text) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr(text));
}

TEST(Money, ZeroAndPositiveAmountsInKnownCurrenciesPass) {
  EXPECT_TRUE(ValidateMoney(Dollars(0), "m").ok());
  EXPECT_TRUE(ValidateMoney(Dollars(650000000000), "m").ok());
  EXPECT_TRUE(ValidateMoney(Dollars(114100000000, "JPY"), "m").ok());
  EXPECT_TRUE(ValidateMoney(Dollars(1, "KRW"), "m").ok());
}

TEST(Money, NegativeAmountIsRefused) {
  ExpectInvalid(ValidateMoney(Dollars(-5), "facts[0].acquisition.price"),
                "facts[0].acquisition.price.minor_units: -5 is negative");
}

TEST(Money, UnknownOrMissingCurrencyIsRefused) {
  ExpectInvalid(ValidateMoney(Dollars(1, "USX"), "p"), "p.currency: unknown currency 'USX'");
  ExpectInvalid(ValidateMoney(Dollars(1, "usd"), "p"), "unknown currency 'usd'");
  ExpectInvalid(ValidateMoney(Dollars(1, ""), "p"), "p.currency: missing");
}

TEST(Money, QualifierOutsideTheEnumIsRefused) {
  v1::Money money = Dollars(1);
  money.set_qualifier(static_cast<v1::Qualifier>(9));
  ExpectInvalid(ValidateMoney(money, "p"), "p.qualifier: 9 is not a Qualifier");
}

TEST(Stake, HoldingMustLieWithinTheWhole) {
  EXPECT_TRUE(ValidateStake(Ppm(0), StakeKind::kHolding, "s").ok());
  EXPECT_TRUE(ValidateStake(Ppm(1'000'000), StakeKind::kHolding, "s").ok());
  ExpectInvalid(ValidateStake(Ppm(1'000'001), StakeKind::kHolding, "s"),
                "s.ppm: 1000001 is outside 0..1000000");
  ExpectInvalid(ValidateStake(Ppm(-1), StakeKind::kHolding, "s"), "s.ppm: -1 is outside");
}

TEST(Stake, ChangeMayBeNegativeDownToMinusTheWhole) {
  EXPECT_TRUE(ValidateStake(Ppm(-50'000), StakeKind::kChange, "c").ok());
  EXPECT_TRUE(ValidateStake(Ppm(-1'000'000), StakeKind::kChange, "c").ok());
  ExpectInvalid(ValidateStake(Ppm(-1'000'001), StakeKind::kChange, "c"),
                "c.ppm: -1000001 is outside -1000000..1000000");
  ExpectInvalid(ValidateStake(Ppm(1'000'001), StakeKind::kChange, "c"), "outside");
}

}  // namespace
}  // namespace stakeledger::domain
