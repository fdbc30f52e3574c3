// ParseAnnouncementView against protobuf's parser: on every payload it
// reads, it must read what protobuf reads (the view of the message
// protobuf parses), and it must never read a payload protobuf refuses.
// Payloads come three ways: as protobuf writes them (all read); re-encoded
// with the wire format's freedoms (fields in any order, repeated, packed
// or not, unknown fields, longer varints), some read and some left to
// protobuf; and with random bytes changed, mostly malformed.
#include "storage/announcement_view.h"

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/events.h"
#include "google/protobuf/stubs/logging.h"
#include "gtest/gtest.h"
#include "storage/wire_bytes.h"

namespace stakeledger::storage {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Text(const StakeView& stake) {
  return stake.set ? absl::StrCat(stake.ppm, "/", stake.qualifier) : "-";
}

// Every field of a view, the unread kinds' included, in one string: two
// views are the same when their texts are.
std::string Text(const AnnouncementView& view) {
  std::vector<std::string> facts;
  for (const FactView& fact : view.facts) {
    std::vector<std::string> partners;
    for (uint32_t i = fact.joint_venture.partners_begin; i < fact.joint_venture.partners_end; ++i) {
      partners.push_back(absl::StrCat(view.partners[i].partner, ":", Text(view.partners[i].share)));
    }
    const CorrectionView& correction = fact.correction;
    const std::vector<uint32_t> indexes(view.fact_indexes.begin() + correction.fact_indexes_begin,
                                        view.fact_indexes.begin() + correction.fact_indexes_end);
    const StakeChangeView& change = fact.stake_change;
    const AcquisitionView& deal = fact.acquisition;
    facts.push_back(absl::StrCat(
        "kind ", fact.kind, " quote '", fact.quote, "' change[", change.holder, " ", change.target,
        " ", Text(change.resulting_stake), " ", Text(change.change), " ", change.effective_date,
        "] deal[", deal.stage, " ", deal.acquirer, " ", deal.target, " ", Text(deal.stake), " ",
        deal.effective_date, "] venture[", fact.joint_venture.venture, " ",
        absl::StrJoin(partners, ","), " ", fact.joint_venture.effective_date, "] fund[",
        fact.fund.fund, " ", fact.fund.sponsor, "] correction[", correction.action, " ",
        correction.announcement_id, " ", absl::StrJoin(indexes, ","), " ",
        correction.corrected_date, "]"));
  }
  return absl::StrCat("id '", view.announcement_id, "' date '", view.announced_date, "' facts\n",
                      absl::StrJoin(facts, "\n"));
}

// The view of what protobuf parses of `payload`, or "refused".
std::string ProtobufText(const std::string& payload) {
  v1::Announcement message;
  if (!message.ParseFromString(payload)) return "refused";
  AnnouncementView view;
  ViewOfAnnouncement(message, &view);
  return Text(view);
}

// The view ParseAnnouncementView reads, or "left to protobuf".
std::string FastText(const std::string& payload) {
  AnnouncementView view;
  if (!ParseAnnouncementView(payload, &view)) return "left to protobuf";
  return Text(view);
}

class Random {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }
  std::mt19937_64& engine() { return rng_; }
  uint64_t Bits() { return rng_() >> Below(64); }
  // ASCII, Korean and an empty string now and then.
  std::string Text() {
    static const char* const kWords[] = {"softbank", "arm", "약 5%", "지분", "", "2018-06-30"};
    std::string text;
    for (uint64_t i = Below(3); i > 0; --i) text += kWords[Below(6)];
    return text;
  }
  std::string Date() {
    static const char* const kDates[] = {"", "2017", "2019-01", "2023-09-14", "2024-13"};
    return kDates[Below(5)];
  }
  void Stake(v1::Stake* stake) {
    if (!OneIn(4)) stake->set_ppm(static_cast<int64_t>(Below(2'000'001)) - 1'000'000);
    // Proto3 enums are open: a number the schema does not name is kept.
    if (!OneIn(3)) stake->set_qualifier(static_cast<v1::Qualifier>(Below(6) == 5 ? 77 : Below(5)));
  }

 private:
  std::mt19937_64 rng_;
};

void RandomFact(Random& random, v1::Fact* fact) {
  if (!random.OneIn(4)) fact->set_quote(random.Text());
  switch (random.Below(10)) {
    case 0: {
      v1::StakeChange* change = fact->mutable_stake_change();
      change->set_holder(random.Text());
      change->set_target(random.Text());
      if (!random.OneIn(3)) random.Stake(change->mutable_resulting_stake());
      if (!random.OneIn(3)) random.Stake(change->mutable_change());
      change->set_method(static_cast<v1::StakeMethod>(random.Below(10)));
      change->set_effective_date(random.Date());
      break;
    }
    case 1: {
      v1::Acquisition* deal = fact->mutable_acquisition();
      deal->set_stage(static_cast<v1::Acquisition::Stage>(random.Below(4)));
      deal->set_acquirer(random.Text());
      deal->set_target(random.Text());
      deal->mutable_price()->set_minor_units(static_cast<int64_t>(random.Bits()));
      deal->mutable_price()->set_currency(random.Text());
      if (!random.OneIn(2)) random.Stake(deal->mutable_stake());
      deal->set_effective_date(random.Date());
      break;
    }
    case 2: {
      v1::JointVentureFormed* venture = fact->mutable_joint_venture_formed();
      venture->set_venture(random.Text());
      for (uint64_t i = random.Below(4); i > 0; --i) {
        v1::JointVenturePartner* partner = venture->add_partners();
        partner->set_partner(random.Text());
        if (!random.OneIn(3)) random.Stake(partner->mutable_share());
      }
      venture->mutable_committed_capital()->set_currency(random.Text());
      venture->set_effective_date(random.Date());
      break;
    }
    case 3:
      fact->mutable_fund_established()->set_fund(random.Text());
      fact->mutable_fund_established()->set_sponsor(random.Text());
      fact->mutable_fund_established()->mutable_size()->set_minor_units(7);
      break;
    case 4: {
      v1::Correction* correction = fact->mutable_correction();
      correction->set_action(static_cast<v1::Correction::Action>(random.Below(3)));
      correction->set_announcement_id(random.Text());
      for (uint64_t i = random.Below(4); i > 0; --i) {
        correction->add_fact_indexes(static_cast<uint32_t>(random.Bits()));
      }
      correction->set_reason(random.Text());
      correction->set_corrected_date(random.Date());
      break;
    }
    case 5: {
      v1::FundingRound* round = fact->mutable_funding_round();
      round->set_company(random.Text());
      round->add_participants()->set_participant(random.Text());
      round->mutable_participants(0)->set_lead(true);
      break;
    }
    case 6:
      fact->mutable_warrant_granted()->set_holder(random.Text());
      random.Stake(fact->mutable_warrant_granted()->mutable_potential_stake());
      break;
    case 7:
      fact->mutable_valuation_reported()->set_company(random.Text());
      break;
    case 8:
      fact->mutable_financial_results()->mutable_net_loss()->set_currency(random.Text());
      break;
    default:
      break;  // no kind
  }
}

v1::Announcement RandomAnnouncement(Random& random) {
  v1::Announcement announcement;
  announcement.set_announcement_id(random.Text());
  announcement.set_announced_date(random.Date());
  if (!random.OneIn(3)) {
    announcement.mutable_source()->set_seed_file(random.Text());
    announcement.mutable_source()->set_outlet(random.Text());
    announcement.mutable_source()->set_language("ko");
  }
  for (uint64_t i = random.Below(4); i > 0; --i) RandomFact(random, announcement.add_facts());
  return announcement;
}

// The wire format's freedoms, taken at random: `message` encoded with its
// fields in a random order, a singular field now and then written twice
// (a scalar first with another value: the last one counts; a message
// whole both times: protobuf merges them), repeated numbers packed or
// not, varints longer than they need be, and unknown fields between.
class Scrambler {
 public:
  explicit Scrambler(Random* random) : random_(*random) {}

  std::string Encode(const Message& message) {
    const Reflection& reflection = *message.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    reflection.ListFields(message, &fields);
    // One part per field, the decoy before the value that counts and a
    // repeated field's elements in order; the parts in a random order.
    std::vector<std::string> parts;
    for (const FieldDescriptor* field : fields) {
      std::string part;
      if (field->is_repeated()) {
        part = Repeated(message, *field);
      } else {
        if (random_.OneIn(6)) part = Decoy(message, *field);
        part += Singular(message, *field);
      }
      parts.push_back(std::move(part));
    }
    for (uint64_t i = random_.Below(3); i > 0 && random_.OneIn(3); --i) parts.push_back(Unknown());
    std::shuffle(parts.begin(), parts.end(), random_.engine());
    return absl::StrJoin(parts, "");
  }

 private:
  void Tag(uint32_t number, int wire_type, std::string* out) {
    Varint((uint64_t{number} << 3) | static_cast<uint64_t>(wire_type), out);
  }
  // Now and then with a redundant byte: 0x80 continues, adding nothing.
  void Varint(uint64_t value, std::string* out) {
    char bytes[10];
    const size_t n = WireCursor::Varint(value, bytes);
    if (n < 10 && random_.OneIn(8)) {
      bytes[n - 1] = static_cast<char>(bytes[n - 1] | 0x80);
      out->append(bytes, n);
      out->push_back('\0');
      return;
    }
    out->append(bytes, n);
  }
  void Delimited(uint32_t number, const std::string& bytes, std::string* out) {
    Tag(number, 2, out);
    Varint(bytes.size(), out);
    out->append(bytes);
  }

  uint64_t Number(const Message& message, const FieldDescriptor& field, int index) {
    const Reflection& r = *message.GetReflection();
    const bool repeated = index >= 0;
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT64:
        return static_cast<uint64_t>(repeated ? r.GetRepeatedInt64(message, &field, index)
                                              : r.GetInt64(message, &field));
      case FieldDescriptor::CPPTYPE_UINT32:
        return repeated ? r.GetRepeatedUInt32(message, &field, index)
                        : r.GetUInt32(message, &field);
      case FieldDescriptor::CPPTYPE_BOOL:
        return r.GetBool(message, &field) ? 1 : 0;
      case FieldDescriptor::CPPTYPE_ENUM:
        return static_cast<uint64_t>(static_cast<int64_t>(r.GetEnumValue(message, &field)));
      default:
        ADD_FAILURE() << "a number field of an unexpected type: " << field.full_name();
        return 0;
    }
  }

  std::string Singular(const Message& message, const FieldDescriptor& field) {
    const Reflection& reflection = *message.GetReflection();
    std::string out;
    if (field.type() == FieldDescriptor::TYPE_MESSAGE) {
      Delimited(field.number(), Encode(reflection.GetMessage(message, &field)), &out);
    } else if (field.type() == FieldDescriptor::TYPE_STRING) {
      Delimited(field.number(), reflection.GetString(message, &field), &out);
    } else {
      Tag(field.number(), 0, &out);
      Varint(Number(message, field, -1), &out);
    }
    return out;
  }

  // Another value for a field, written before its own: a scalar's is
  // overwritten; into a message protobuf merges the one after it, which
  // keeps each of the decoy's fields the other leaves out.
  std::string Decoy(const Message& message, const FieldDescriptor& field) {
    std::string out;
    if (field.type() == FieldDescriptor::TYPE_MESSAGE) {
      std::unique_ptr<Message> other(message.GetReflection()->GetMessage(message, &field).New());
      Randomize(other.get());
      Delimited(field.number(), Encode(*other), &out);
      return out;
    }
    if (field.type() == FieldDescriptor::TYPE_STRING) {
      Delimited(field.number(), random_.Text(), &out);
    } else {
      Tag(field.number(), 0, &out);
      Varint(random_.Bits(), &out);
    }
    return out;
  }

  // Random values in some of `message`'s singular strings and numbers.
  void Randomize(Message* message) {
    const Reflection& reflection = *message->GetReflection();
    const google::protobuf::Descriptor& type = *message->GetDescriptor();
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor& field = *type.field(i);
      if (field.is_repeated() || random_.OneIn(2)) continue;
      switch (field.cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          reflection.SetString(message, &field, random_.Text());
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          reflection.SetInt64(message, &field, static_cast<int64_t>(random_.Bits()));
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          reflection.SetEnumValue(message, &field, static_cast<int>(random_.Below(4)));
          break;
        default:
          break;
      }
    }
  }

  std::string Repeated(const Message& message, const FieldDescriptor& field) {
    const Reflection& reflection = *message.GetReflection();
    const int size = reflection.FieldSize(message, &field);
    std::string out;
    if (field.type() == FieldDescriptor::TYPE_MESSAGE) {
      for (int i = 0; i < size; ++i) {
        Delimited(field.number(), Encode(reflection.GetRepeatedMessage(message, &field, i)), &out);
      }
    } else if (random_.OneIn(2)) {  // packed
      std::string packed;
      for (int i = 0; i < size; ++i) Varint(Number(message, field, i), &packed);
      Delimited(field.number(), packed, &out);
    } else {
      for (int i = 0; i < size; ++i) {
        Tag(field.number(), 0, &out);
        Varint(Number(message, field, i), &out);
      }
    }
    return out;
  }

  // A field no message here has, of a wire type protobuf skips.
  std::string Unknown() {
    std::string out;
    const uint32_t number = 900 + static_cast<uint32_t>(random_.Below(50));
    switch (random_.Below(4)) {
      case 0:
        Tag(number, 0, &out);
        Varint(random_.Bits(), &out);
        break;
      case 1:
        Tag(number, 1, &out);
        out.append(8, 'x');
        break;
      case 2:
        Delimited(number, random_.Text(), &out);
        break;
      default:
        Tag(number, 5, &out);
        out.append(4, 'y');
        break;
    }
    return out;
  }

  Random& random_;
};

TEST(AnnouncementViewTest, ReadsEveryPayloadProtobufWritesAsProtobufReadsIt) {
  Random random(1);
  for (int i = 0; i < 3000; ++i) {
    const v1::Announcement announcement = RandomAnnouncement(random);
    const std::string payload = domain::ToPayloadBinary(announcement);
    AnnouncementView view;
    ASSERT_TRUE(ParseAnnouncementView(payload, &view)) << announcement.ShortDebugString();
    ASSERT_EQ(Text(view), ProtobufText(payload)) << "case " << i;
  }
}

TEST(AnnouncementViewTest, ReadsTheWireFormatsFreedomsAsProtobufDoesOrLeavesThemToIt) {
  Random random(2);
  int read = 0;
  int left = 0;
  for (int i = 0; i < 3000; ++i) {
    const v1::Announcement announcement = RandomAnnouncement(random);
    const std::string payload = Scrambler(&random).Encode(announcement);
    const std::string expected = ProtobufText(payload);
    ASSERT_NE(expected, "refused") << "case " << i << ": the scrambler wrote bad bytes";
    const std::string fast = FastText(payload);
    if (fast == "left to protobuf") {
      ++left;
      continue;
    }
    ++read;
    ASSERT_EQ(fast, expected) << "case " << i << ": " << announcement.ShortDebugString();
  }
  // Both ways are taken often: the reader reads most of what it meets.
  EXPECT_GT(read, 1500);
  EXPECT_GT(left, 300);
}

TEST(AnnouncementViewTest, NeverReadsBytesProtobufRefusesAndReadsTheRestAsItDoes) {
  Random random(3);
  int read = 0;
  int refused = 0;
  const google::protobuf::LogSilencer quiet;  // protobuf logs each bad string
  for (int i = 0; i < 20000; ++i) {
    std::string payload = domain::ToPayloadBinary(RandomAnnouncement(random));
    if (payload.empty()) continue;
    for (uint64_t n = 1 + random.Below(3); n > 0; --n) {
      const size_t at = random.Below(payload.size());
      switch (random.Below(4)) {
        case 0:  // a byte changed: a tag, a length, a varint or a string's
          payload[at] = static_cast<char>(random.Below(256));
          break;
        case 1:  // cut short
          payload.resize(at);
          break;
        case 2:  // bytes of its own copied elsewhere
          payload.insert(random.Below(payload.size() + 1), payload.substr(at, 1 + random.Below(8)));
          break;
        default:  // invalid UTF-8
          payload[at] = static_cast<char>(random.OneIn(2) ? 0xc0 : 0xff);
          break;
      }
      if (payload.empty()) break;
    }
    const std::string expected = ProtobufText(payload);
    const std::string fast = FastText(payload);
    if (expected == "refused") ++refused;
    if (fast == "left to protobuf") continue;
    ++read;
    ASSERT_EQ(fast, expected) << "case " << i;
  }
  EXPECT_GT(read, 800);
  EXPECT_GT(refused, 15000);
}

// What the reader reads of a payload must be what protobuf reads, or it
// must leave the payload to protobuf.
void ExpectReadAsProtobufOrLeft(const std::string& payload) {
  const std::string fast = FastText(payload);
  if (fast != "left to protobuf") {
    EXPECT_EQ(fast, ProtobufText(payload));
  }
}

// The forms where reading field by field and protobuf's parse could part,
// each on its own.
TEST(AnnouncementViewTest, MergesKindChangesAndInvalidUtf8ReadAsProtobufReadsThem) {
  const google::protobuf::LogSilencer quiet;
  v1::Fact fact;
  fact.set_quote("q");
  fact.mutable_stake_change()->set_holder("h");
  fact.mutable_stake_change()->mutable_resulting_stake()->set_ppm(5);
  const std::string fact_bytes = fact.SerializeAsString();
  std::string one_fact;
  WireBytes(&one_fact).Bytes(4, fact_bytes);
  AnnouncementView view;
  ASSERT_TRUE(ParseAnnouncementView(one_fact, &view));
  EXPECT_EQ(view.facts.at(0).stake_change.resulting_stake.ppm, 5);

  // A stake twice in one stake change: protobuf merges the second into
  // the first, keeping the first's ppm and taking the second's qualifier.
  std::string two_stakes;
  WireBytes stakes(&two_stakes);
  stakes.Length(v1::StakeChange::kResultingStakeFieldNumber, 2);
  stakes.Number(v1::Stake::kPpmFieldNumber, 5);
  stakes.Length(v1::StakeChange::kResultingStakeFieldNumber, 2);
  stakes.Number(v1::Stake::kQualifierFieldNumber, v1::APPROXIMATELY);
  std::string change_twice;
  WireBytes(&change_twice).Bytes(v1::Fact::kStakeChangeFieldNumber, two_stakes);
  std::string merged;
  WireBytes(&merged).Bytes(4, change_twice);
  EXPECT_NE(ProtobufText(merged).find("change[  5/2 - ]"), std::string::npos)
      << ProtobufText(merged);
  ExpectReadAsProtobufOrLeft(merged);

  // A stake change twice in one fact, the second without the stake: the
  // merge keeps the first's stake.
  std::string holder_only;
  WireBytes(&holder_only).String(v1::StakeChange::kHolderFieldNumber, "h2");
  std::string second_change;
  WireBytes(&second_change).Bytes(v1::Fact::kStakeChangeFieldNumber, holder_only);
  std::string twice;
  WireBytes(&twice).Bytes(4, fact_bytes + second_change);
  EXPECT_NE(ProtobufText(twice).find("change[h2  5/0 - ]"), std::string::npos)
      << ProtobufText(twice);
  ExpectReadAsProtobufOrLeft(twice);

  // A second kind after the first: the last one counts.
  v1::Fact fund;
  fund.mutable_fund_established()->set_fund("f");
  std::string two_kinds;
  WireBytes(&two_kinds).Bytes(4, fact_bytes + fund.SerializeAsString());
  EXPECT_NE(ProtobufText(two_kinds).find("kind 14"), std::string::npos);
  ExpectReadAsProtobufOrLeft(two_kinds);

  // Invalid UTF-8 in a field the fold does not read: protobuf refuses it.
  v1::Announcement announcement;
  announcement.mutable_source()->set_outlet("\xff");
  const std::string bad_outlet = announcement.SerializePartialAsString();
  EXPECT_EQ(ProtobufText(bad_outlet), "refused");
  EXPECT_FALSE(ParseAnnouncementView(bad_outlet, &view));

  // A known field in another wire type: protobuf keeps it as unknown, and
  // the id stays empty.
  std::string wrong_type;
  WireBytes(&wrong_type).Number(v1::Announcement::kAnnouncementIdFieldNumber, 7);
  EXPECT_EQ(ProtobufText(wrong_type), ProtobufText(""));
  ExpectReadAsProtobufOrLeft(wrong_type);
}

}  // namespace
}  // namespace stakeledger::storage
