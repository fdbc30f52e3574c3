// What the stake-ownership fold reads of a v1::Announcement, as views:
// of a message (ViewOfAnnouncement), or straight from its binary payload
// (ParseAnnouncementView) without building the message. VisitFacts
// (stake_facts.h) reads only this, so both ways give the same facts.
#ifndef STAKELEDGER_STORAGE_ANNOUNCEMENT_VIEW_H_
#define STAKELEDGER_STORAGE_ANNOUNCEMENT_VIEW_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "stakeledger/v1/announcement.pb.h"

namespace stakeledger::storage {

// A v1::Stake field: `set` as has_ of the message.
struct StakeView {
  bool set = false;
  int64_t ppm = 0;
  int32_t qualifier = 0;
};

struct StakeChangeView {
  absl::string_view holder;
  absl::string_view target;
  StakeView resulting_stake;
  StakeView change;
  absl::string_view effective_date;
};

struct AcquisitionView {
  int32_t stage = 0;
  absl::string_view acquirer;
  absl::string_view target;
  StakeView stake;
  absl::string_view effective_date;
};

struct PartnerView {
  absl::string_view partner;
  StakeView share;
};

struct JointVentureView {
  absl::string_view venture;
  // The venture's partners, in order: AnnouncementView::partners[begin,
  // end).
  uint32_t partners_begin = 0;
  uint32_t partners_end = 0;
  absl::string_view effective_date;
};

struct FundView {
  absl::string_view fund;
  absl::string_view sponsor;
};

struct CorrectionView {
  int32_t action = 0;
  absl::string_view announcement_id;
  // AnnouncementView::fact_indexes[begin, end).
  uint32_t fact_indexes_begin = 0;
  uint32_t fact_indexes_end = 0;
  absl::string_view corrected_date;
};

// One fact: its quote, which kind it is, and that kind's fields (the
// other kinds' stay empty). Kinds the fold does not read carry only the
// case.
struct FactView {
  v1::Fact::KindCase kind = v1::Fact::KIND_NOT_SET;
  absl::string_view quote;
  StakeChangeView stake_change;
  AcquisitionView acquisition;
  JointVentureView joint_venture;
  FundView fund;
  CorrectionView correction;
};

// An announcement's id, date and facts. Its vectors keep their storage
// from one announcement to the next: a caller decoding many reuses one.
struct AnnouncementView {
  absl::string_view announcement_id;
  absl::string_view announced_date;
  std::vector<FactView> facts;
  std::vector<PartnerView> partners;
  std::vector<uint32_t> fact_indexes;

  void Clear();
};

// *view of `announcement` (cleared first), viewing its strings.
// REQUIRES: `announcement` outlives the view's use.
void ViewOfAnnouncement(const v1::Announcement& announcement, AnnouncementView* view);

// *view of the announcement whose binary form `payload` is (cleared
// first), viewing `payload`, when the payload is in the plain form that
// protobuf writes and reads it into ViewOfAnnouncement's view of the
// message protobuf would parse. False otherwise: malformed bytes, or a
// form this reader leaves to protobuf (wire_reader.h; a sub-message the
// fold reads that appears twice and would be merged, two kinds in one
// fact). The caller then parses the payload into a message, which gives
// the authoritative result or error; *view is then unspecified.
// Thread-safe for distinct views.
bool ParseAnnouncementView(absl::string_view payload, AnnouncementView* view);

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_ANNOUNCEMENT_VIEW_H_
