#include "domain/money.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace stakeledger::domain {
namespace {

// Active ISO 4217 alphabetic codes (list one, 2024), sorted, so that
// lookup is a binary search. Funds codes and precious metals are left out:
// no announcement states a price in them.
constexpr absl::string_view kCurrencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
};

// ISO 4217 exponents other than 2.
constexpr absl::string_view kNoMinorUnit[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                              "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
                                              "VUV", "XAF", "XOF", "XPF"};
constexpr absl::string_view kThreeDigitMinorUnit[] = {"BHD", "IQD", "JOD", "KWD",
                                                      "LYD", "OMR", "TND"};

}  // namespace

int MinorUnitDigits(absl::string_view code) {
  if (std::find(std::begin(kNoMinorUnit), std::end(kNoMinorUnit), code) != std::end(kNoMinorUnit)) {
    return 0;
  }
  if (std::find(std::begin(kThreeDigitMinorUnit), std::end(kThreeDigitMinorUnit), code) !=
      std::end(kThreeDigitMinorUnit)) {
    return 3;
  }
  return 2;
}

bool IsKnownCurrency(absl::string_view code) {
  return std::binary_search(std::begin(kCurrencies), std::end(kCurrencies), code);
}

absl::Status ValidateQualifier(int qualifier, absl::string_view path) {
  if (v1::Qualifier_IsValid(qualifier)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, ".qualifier: ", qualifier, " is not a Qualifier"));
}

absl::Status ValidateMoney(const v1::Money& money, absl::string_view path) {
  if (money.minor_units() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".minor_units: ", money.minor_units(),
                                                   " is negative; money is never negative"));
  }
  if (money.currency().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".currency: missing (an ISO 4217 code such as USD)"));
  }
  if (!IsKnownCurrency(money.currency())) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".currency: unknown currency '",
                                                   money.currency(), "' (not in ISO 4217)"));
  }
  return ValidateQualifier(money.qualifier(), path);
}

}  // namespace stakeledger::domain
