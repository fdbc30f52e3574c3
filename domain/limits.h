// Every limit of the domain layer, named: the sizes an entity or an
// announcement may have. Validation refuses anything past them with
// INVALID_ARGUMENT naming the field, the value and the limit.
#ifndef STAKELEDGER_DOMAIN_LIMITS_H_
#define STAKELEDGER_DOMAIN_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace stakeledger::domain {

// Bytes of an entity id ("softbank-group") or an announcement id.
inline constexpr size_t kEntityIdBytesMax = 64;
inline constexpr size_t kAnnouncementIdBytesMax = 128;
// Bytes of one entity name (display name or alias), and aliases per entity.
inline constexpr size_t kEntityNameBytesMax = 256;
inline constexpr size_t kAliasesPerEntityMax = 64;
// Entities the registry holds. ListEntities answers with all of them in
// one message, so this also bounds that message (about 1 KiB each).
inline constexpr size_t kEntitiesMax = 10'000;
// Facts per announcement, and the repeated fields inside one fact.
inline constexpr size_t kFactsPerAnnouncementMax = 64;
inline constexpr size_t kParticipantsPerRoundMax = 256;
inline constexpr size_t kPartnersPerVentureMax = 64;
// Bytes of a quote, and of any other free-text field (reason, conditions,
// round name, period, source fields).
inline constexpr size_t kQuoteBytesMax = 8192;
inline constexpr size_t kTextBytesMax = 2048;
// Names offered when an entity name is unknown.
inline constexpr size_t kSuggestionsMax = 3;

// Parts per million: 1,000,000 is the whole of a company.
inline constexpr int64_t kPpmWhole = 1'000'000;

}  // namespace stakeledger::domain

#endif  // STAKELEDGER_DOMAIN_LIMITS_H_
