#include "clients/domain_fetch.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/status_text.h"

namespace stakeledger::clients {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status ForEachAnnouncement(Connection& connection, v1::ListAnnouncementsRequest request,
                                 const std::function<void(v1::RecordedAnnouncement)>& visit) {
  request.set_page_size(kAnnouncementPageSize);
  request.clear_page_token();
  for (uint64_t pages = 0; pages < kAnnouncementPagesMax; ++pages) {
    const std::unique_ptr<grpc::ClientContext> context = connection.NewUnaryContext();
    v1::ListAnnouncementsResponse page;
    const grpc::Status status =
        connection.announcements().ListAnnouncements(context.get(), request, &page);
    if (!status.ok()) return FromGrpcStatus(status);
    for (v1::RecordedAnnouncement& record : *page.mutable_announcements()) {
      visit(std::move(record));
    }
    if (page.next_page_token().empty()) return absl::OkStatus();
    if (page.next_page_token() == request.page_token()) break;
    request.set_page_token(page.next_page_token());
  }
  return absl::InternalError("ListAnnouncements did not reach its last page");
}

absl::StatusOr<RecordedDomain> FetchRecordedDomain(Connection& connection) {
  RecordedDomain recorded;
  const std::unique_ptr<grpc::ClientContext> context = connection.NewUnaryContext();
  v1::ListEntitiesResponse entities;
  const grpc::Status status =
      connection.announcements().ListEntities(context.get(), v1::ListEntitiesRequest(), &entities);
  if (!status.ok()) return FromGrpcStatus(status);
  for (const v1::Entity& entity : entities.entities()) {
    absl::Status added = recorded.registry.Add(entity);
    if (!added.ok()) {
      return absl::InternalError(absl::StrCat("the server's entity '", entity.entity_id(),
                                              "' is not valid here: ", added.message()));
    }
  }
  absl::Status listed =
      ForEachAnnouncement(connection, {}, [&recorded](v1::RecordedAnnouncement record) {
        std::string id = record.announcement().announcement_id();
        recorded.announcements.emplace(std::move(id), std::move(*record.mutable_announcement()));
      });
  if (!listed.ok()) return listed;
  return recorded;
}

}  // namespace stakeledger::clients
