#include "clients/audit_report.h"

#include <string>
#include <vector>

#include "domain/events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "verify/merkle_hash.h"
#include "verify/merkle_reference.h"

namespace stakeledger::clients {
namespace {

using ::testing::HasSubstr;

v1::Announcement StakeAnnouncement(const std::string& id, bool absolute, int64_t ppm,
                                   v1::Qualifier qualifier, const std::string& date) {
  v1::Announcement announcement;
  announcement.set_announcement_id(id);
  announcement.set_announced_date(date);
  v1::Fact* fact = announcement.add_facts();
  fact->set_quote("quote of " + id);
  v1::StakeChange* change = fact->mutable_stake_change();
  change->set_holder("softbank-group");
  change->set_target("arm");
  v1::Stake* stake = absolute ? change->mutable_resulting_stake() : change->mutable_change();
  stake->set_ppm(ppm);
  stake->set_qualifier(qualifier);
  change->set_effective_date(date);
  return announcement;
}

// A log of five records: an absolute stake (2020, stored as JSON, as
// builds before the binary form did), a change (2021), a joint venture
// (2022), a correction moving the venture to 2023-03, and an event that is
// no announcement.
class CheckAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add(StakeAnnouncement("buy", true, 400'000, v1::EXACT, "2020"), /*as_json=*/true);
    Add(StakeAnnouncement("more", false, 100'000, v1::APPROXIMATELY, "2021"));
    v1::Announcement venture;
    venture.set_announcement_id("venture");
    venture.set_announced_date("2022");
    v1::Fact* fact = venture.add_facts();
    fact->set_quote("a 60:40 venture");
    v1::JointVentureFormed* formed = fact->mutable_joint_venture_formed();
    formed->set_venture("jv");
    for (int64_t ppm : {600'000, 400'000}) {
      v1::JointVenturePartner* partner = formed->add_partners();
      partner->set_partner(ppm == 600'000 ? "softbank-group" : "openai");
      partner->mutable_share()->set_ppm(ppm);
      partner->mutable_share()->set_qualifier(v1::EXACT);
    }
    Add(venture);
    v1::Announcement fix;
    fix.set_announcement_id("fix");
    fix.set_announced_date("2024");
    v1::Correction* correction = fix.add_facts()->mutable_correction();
    correction->set_action(v1::Correction::SUPERSEDE);
    correction->set_announcement_id("venture");
    correction->set_corrected_date("2023-03");
    Add(fix);
    v1::RecordedEvent other;
    other.set_position(5);
    other.set_event_type("test.happened");
    records_.push_back(other.SerializeAsString());
    std::vector<std::string> leaves;
    for (const std::string& record : records_) leaves.push_back(verify::HashLeaf(record));
    head_.set_tree_size(records_.size());
    head_.set_root_hash(verify::ReferenceRoot(leaves));
    for (size_t i = 0; i < records_.size(); ++i) {
      v1::RecordInclusion inclusion;
      inclusion.set_position(i + 1);
      inclusion.set_record(records_[i]);
      inclusion.set_tree_size(records_.size());
      for (std::string& hash : verify::ReferenceInclusionProof(leaves, i)) {
        inclusion.add_hashes(std::move(hash));
      }
      inclusions_.push_back(inclusion);
    }
  }

  void Add(const v1::Announcement& announcement, bool as_json = false) {
    v1::RecordedEvent event;
    event.set_position(records_.size() + 1);
    event.set_stream(domain::kAnnouncementsStream);
    event.set_event_type(domain::kAnnouncementEventType);
    event.set_content_type(as_json ? domain::kJsonContentType : domain::kAnnouncementContentType);
    event.set_payload(as_json ? domain::ToPayloadJson(announcement)
                              : domain::ToPayloadBinary(announcement));
    records_.push_back(event.SerializeAsString());
  }

  // The entry the index would hold for the announcement at `position`.
  v1::StakeEntry Entry(uint64_t position, bool absolute, int64_t ppm, v1::Qualifier qualifier,
                       const std::string& id, const std::string& date) {
    v1::StakeEntry entry;
    entry.set_holder("softbank-group");
    entry.set_target("arm");
    entry.set_announcement_id(id);
    entry.set_effective_date(date);
    entry.set_absolute(absolute);
    entry.set_ppm(ppm);
    entry.set_qualifier(qualifier);
    entry.set_quote("quote of " + id);
    entry.set_position(position);
    entry.set_known_from(position);
    return entry;
  }
  v1::StakeEntry Buy() { return Entry(1, true, 400'000, v1::EXACT, "buy", "2020"); }
  v1::StakeEntry More() { return Entry(2, false, 100'000, v1::APPROXIMATELY, "more", "2021"); }
  v1::StakeEntry Venture(const std::string& date) {
    v1::StakeEntry entry = Entry(3, true, 600'000, v1::EXACT, "venture", date);
    entry.set_target("jv");
    entry.set_quote("a 60:40 venture");
    entry.set_known_from(4);
    return entry;
  }

  absl::Status Check(const std::vector<v1::StakeEntry>& facts, int64_t ppm, v1::Qualifier qualifier,
                     int as_of_day = 20251231, uint64_t known_at = 5,
                     const std::string& target = "arm", bool with_correction = false) {
    AnswerClaim claim{"softbank-group", target, ppm, qualifier, as_of_day, known_at};
    google::protobuf::RepeatedPtrField<v1::StakeEntry> basis;
    google::protobuf::RepeatedPtrField<v1::FactProof> proofs;
    for (const v1::StakeEntry& fact : facts) {
      *basis.Add() = fact;
      v1::FactProof* proof = proofs.Add();
      *proof->mutable_announcement() = inclusions_[fact.position() - 1];
      if (with_correction) *proof->mutable_correction() = inclusions_[fact.known_from() - 1];
    }
    return CheckAnswer(claim, basis, proofs, head_).status();
  }

  std::vector<std::string> records_;
  std::vector<v1::RecordInclusion> inclusions_;
  v1::SignedTreeHead head_;
};

TEST_F(CheckAnswerTest, ChangeAfterAbsoluteStakeFoldsToTheirSum) {
  EXPECT_TRUE(Check({Buy(), More()}, 500'000, v1::APPROXIMATELY).ok());
}

TEST_F(CheckAnswerTest, StakeOtherThanTheFoldFails) {
  const absl::Status status = Check({Buy(), More()}, 400'000, v1::APPROXIMATELY);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("fold to 500000 ppm"));
}

TEST_F(CheckAnswerTest, FactsOutOfFoldOrderFail) {
  EXPECT_THAT(Check({More(), Buy()}, 400'000, v1::EXACT).message(), HasSubstr("fold order"));
}

TEST_F(CheckAnswerTest, FactEffectiveAfterTheAsOfDateFails) {
  EXPECT_THAT(Check({Buy(), More()}, 500'000, v1::APPROXIMATELY, 20201231).message(),
              HasSubstr("after the as-of date"));
}

TEST_F(CheckAnswerTest, FactRecordedAfterKnownAtFails) {
  EXPECT_THAT(Check({Buy(), More()}, 500'000, v1::APPROXIMATELY, 20251231, 1).message(),
              HasSubstr("was not known at position 1"));
}

TEST_F(CheckAnswerTest, EntryDisagreeingWithItsRecordFails) {
  v1::StakeEntry buy = Buy();
  buy.set_quote("words the source never had");
  EXPECT_THAT(Check({buy}, 400'000, v1::EXACT).message(), HasSubstr("the quote"));
  buy = Buy();
  buy.set_position(2);
  buy.set_known_from(2);
  EXPECT_THAT(Check({buy}, 400'000, v1::EXACT).message(), HasSubstr("the announcement"));
}

TEST_F(CheckAnswerTest, MovedDateIsProvedByItsCorrection) {
  EXPECT_TRUE(
      Check({Venture("2023-03")}, 600'000, v1::EXACT, 20251231, 5, "jv", /*with_correction=*/true)
          .ok());
  EXPECT_THAT(Check({Venture("2023-03")}, 600'000, v1::EXACT, 20251231, 5, "jv").message(),
              HasSubstr("comes without its record"));
  EXPECT_THAT(Check({Venture("2023-04")}, 600'000, v1::EXACT, 20251231, 5, "jv", true).message(),
              HasSubstr("does not move venture fact 0 to 2023-04"));
}

TEST_F(CheckAnswerTest, RecordThatIsNoAnnouncementFails) {
  v1::StakeEntry entry = Buy();
  entry.set_position(5);
  entry.set_known_from(5);
  EXPECT_THAT(Check({entry}, 400'000, v1::EXACT).message(), HasSubstr("not an announcement"));
}

TEST_F(CheckAnswerTest, ProofForAnotherTreeFails) {
  head_.set_tree_size(4);
  EXPECT_THAT(Check({Buy()}, 400'000, v1::EXACT, 20251231, 4).message(),
              HasSubstr("a tree of size 5"));
}

// verify-report decodes each record by its content type: the binary form
// and the JSON of earlier builds give the same announcement.
TEST(DecodeAnnouncementRecord, DecodesBinaryAndJsonRecords) {
  const v1::Announcement announcement = StakeAnnouncement("buy", true, 1, v1::EXACT, "2020");
  for (const bool json : {false, true}) {
    v1::RecordedEvent event;
    event.set_position(1);
    event.set_event_type(domain::kAnnouncementEventType);
    event.set_content_type(json ? domain::kJsonContentType : domain::kAnnouncementContentType);
    event.set_payload(json ? domain::ToPayloadJson(announcement)
                           : domain::ToPayloadBinary(announcement));
    const absl::StatusOr<DecodedRecord> decoded =
        DecodeAnnouncementRecord(event.SerializeAsString());
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->announcement.SerializeAsString(), announcement.SerializeAsString());
  }
}

TEST(DecodeAnnouncementRecord, UnknownContentTypeIsDataLossNamingIt) {
  v1::RecordedEvent event;
  event.set_position(1);
  event.set_event_type(domain::kAnnouncementEventType);
  event.set_content_type("text/plain");
  event.set_payload("buy");
  const absl::StatusOr<DecodedRecord> decoded = DecodeAnnouncementRecord(event.SerializeAsString());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(decoded.status().message(), HasSubstr("'text/plain'"));
}

TEST(PercentText, HasFourDecimals) {
  EXPECT_EQ(PercentText(50'000), "5.0000");
  EXPECT_EQ(PercentText(1), "0.0001");
  EXPECT_EQ(PercentText(1'000'000), "100.0000");
  EXPECT_EQ(PercentText(0), "0.0000");
}

}  // namespace
}  // namespace stakeledger::clients
