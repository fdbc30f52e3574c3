#include "clients/bench_synthetic.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/events.h"

namespace stakeledger::bench {
namespace {

// Entities per Append while registering.
constexpr int kEntityBatchMax = 1000;
constexpr absl::Duration kCallTimeout = absl::Seconds(60);

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

grpc::Status CallAppend(v1::EventStore::Stub* stub, const v1::AppendRequest& request,
                        v1::AppendResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(kCallTimeout));
  return stub->Append(&context, request, response);
}

std::string AnnouncementId(const SyntheticHistory& history, uint64_t n) {
  return absl::StrCat(history.run, "-a", n);
}

v1::ProposedEvent EntityEvent(const std::string& id) {
  v1::Entity entity;
  entity.set_entity_id(id);
  entity.set_display_name(absl::StrCat("Bench ", id));
  entity.set_kind(v1::Entity::COMPANY);
  return domain::MakeEntityEvent(entity);
}

}  // namespace

std::string HolderId(const SyntheticHistory& history, int index) {
  return absl::StrCat(history.run, "-h", index);
}

std::string TargetId(const SyntheticHistory& history, int index) {
  return absl::StrCat(history.run, "-t", index);
}

std::string RandomDay(std::mt19937_64* rng) {
  return absl::StrFormat("%04d-%02d-%02d", 2000 + (*rng)() % 25, 1 + (*rng)() % 12,
                         1 + (*rng)() % 28);
}

v1::ProposedEvent SyntheticAnnouncement(const SyntheticHistory& history, uint64_t n,
                                        uint64_t settled, std::mt19937_64* rng) {
  v1::Announcement announcement;
  announcement.set_announcement_id(AnnouncementId(history, n));
  announcement.set_announced_date("2025-01-01");
  announcement.mutable_source()->set_outlet("ledger-bench");
  v1::Fact* fact = announcement.add_facts();
  fact->set_quote("synthetic");
  const uint64_t roll = (*rng)() % 100;
  if (settled != 0 && n > settled && roll < 3) {
    v1::Correction* correction = fact->mutable_correction();
    correction->set_announcement_id(AnnouncementId(history, 1 + (*rng)() % (n - settled)));
    if (roll < 2) {
      correction->set_action(v1::Correction::RETRACT);
    } else {
      correction->set_action(v1::Correction::SUPERSEDE);
      correction->set_corrected_date(
          absl::StrFormat("%04d-%02d", 2000 + (*rng)() % 25, 1 + (*rng)() % 12));
    }
  } else {
    v1::StakeChange* change = fact->mutable_stake_change();
    change->set_holder(HolderId(history, static_cast<int>((*rng)() % history.holders)));
    change->set_target(TargetId(history, static_cast<int>((*rng)() % history.targets)));
    const bool absolute = (*rng)() % 10 < 7;
    (absolute ? change->mutable_resulting_stake() : change->mutable_change())
        ->set_ppm(static_cast<int64_t>((*rng)() % 200000));
    change->set_effective_date(RandomDay(rng));
  }
  // Sent in the stored binary form: the server decodes it in about a
  // microsecond, where protobuf's JSON mapping takes over ten.
  v1::ProposedEvent event;
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_content_type(domain::kAnnouncementContentType);
  event.set_payload(domain::ToPayloadBinary(announcement));
  return event;
}

absl::Status RegisterEntities(const SyntheticHistory& history, v1::EventStore::Stub* stub) {
  std::vector<std::string> ids;
  for (int i = 0; i < history.holders; ++i) ids.push_back(HolderId(history, i));
  for (int i = 0; i < history.targets; ++i) ids.push_back(TargetId(history, i));
  for (size_t begin = 0; begin < ids.size(); begin += kEntityBatchMax) {
    v1::AppendRequest request;
    request.set_stream(domain::kEntitiesStream);
    for (size_t i = begin; i < ids.size() && i < begin + kEntityBatchMax; ++i) {
      *request.add_events() = EntityEvent(ids[i]);
    }
    v1::AppendResponse response;
    const grpc::Status status = CallAppend(stub, request, &response);
    if (!status.ok()) return FromGrpc(status, "registering the entities");
  }
  return absl::OkStatus();
}

absl::Status AppendAnnouncements(const SyntheticHistory& history, uint64_t first, uint64_t last,
                                 v1::EventStore::Stub* stub, std::mt19937_64* rng,
                                 v1::AppendResponse* response) {
  // Corrections name announcements far enough back that the appends of
  // every client before them have been acknowledged.
  const uint64_t settled = uint64_t{4} * history.clients * history.batch_events;
  v1::AppendRequest request;
  request.set_stream(domain::kAnnouncementsStream);
  for (uint64_t n = first; n <= last; ++n) {
    *request.add_events() = SyntheticAnnouncement(history, n, settled, rng);
  }
  return FromGrpc(CallAppend(stub, request, response), "appending announcements");
}

}  // namespace stakeledger::bench
