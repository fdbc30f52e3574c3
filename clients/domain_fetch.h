// What the ledger already holds of the domain, fetched through the
// Announcements service: every entity and every announcement.
#ifndef STAKELEDGER_CLIENTS_DOMAIN_FETCH_H_
#define STAKELEDGER_CLIENTS_DOMAIN_FETCH_H_

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "clients/command_support.h"
#include "domain/entity_registry.h"
#include "stakeledger/v1/announcements_service.pb.h"

namespace stakeledger::clients {

// Pages of ListAnnouncements followed before giving up on a server that
// never ends its listing.
inline constexpr uint64_t kAnnouncementPagesMax = uint64_t{1} << 20;
inline constexpr uint32_t kAnnouncementPageSize = 1000;

// Calls `visit` for every announcement matching `request` (whose page
// fields are ignored), page by page. Errors: the failed call's status
// (FromGrpcStatus); INTERNAL for a server that repeats a page token.
absl::Status ForEachAnnouncement(Connection& connection, v1::ListAnnouncementsRequest request,
                                 const std::function<void(v1::RecordedAnnouncement)>& visit);

struct RecordedDomain {
  domain::EntityRegistry registry;
  // Canonical announcements by id.
  absl::flat_hash_map<std::string, v1::Announcement> announcements;
};

// Errors: as ForEachAnnouncement; INTERNAL when the server's entities do
// not form a valid registry.
absl::StatusOr<RecordedDomain> FetchRecordedDomain(Connection& connection);

// The one conversion back, for Connection::ReportFailure.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_DOMAIN_FETCH_H_
