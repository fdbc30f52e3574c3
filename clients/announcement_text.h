// How ledgerctl shows announcements and entities to a person: money, stakes
// and facts as short text, and the rows of the `announcements` and
// `entities` tables.
#ifndef STAKELEDGER_CLIENTS_ANNOUNCEMENT_TEXT_H_
#define STAKELEDGER_CLIENTS_ANNOUNCEMENT_TEXT_H_

#include <string>
#include <vector>

#include "clients/table.h"
#include "stakeledger/v1/announcement.pb.h"
#include "stakeledger/v1/announcements_service.pb.h"

namespace stakeledger::clients {

// "USD 6,500,000,000", "USD 2,700,000.50", "JPY 114,100,000,000", with "~"
// (approximately), "≥" (at least) or "≤" (up to) in front as qualified.
// An unknown currency shows its minor units: "XXX 12 (minor units)".
std::string FormatMoney(const v1::Money& money);

// "5%", "12.3456%", "-5%" from parts per million, qualified as FormatMoney.
std::string FormatStake(const v1::Stake& stake);

// One fact in a few words: "stake softbank-group in nvidia: ~5%
// (MARKET_PURCHASE, 2017)", "acquisition ANNOUNCED: softbank-group buys
// ampere for USD 6,500,000,000", ...
std::string FormatFact(const v1::Fact& fact);

// POSITION, DATE, ANNOUNCEMENT, FACTS.
std::vector<Column> AnnouncementColumns();
// The cells of `record` under AnnouncementColumns(); facts joined by "; ".
std::vector<std::string> AnnouncementCells(const v1::RecordedAnnouncement& record);

// ID, KIND, PARENT, NAME, ALIASES.
std::vector<Column> EntityColumns();
std::vector<std::string> EntityCells(const v1::Entity& entity);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_ANNOUNCEMENT_TEXT_H_
