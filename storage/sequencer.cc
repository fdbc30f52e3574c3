#include "storage/sequencer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "storage/check.h"
#include "storage/record.h"
#include "storage/status_macros.h"
#include "storage/uuid.h"

namespace stakeledger::storage {
namespace {

std::string DescribeHead(const StreamHead* head) {
  return head == nullptr ? "does not exist" : absl::StrCat("is at revision ", head->last_revision);
}

bool SameContent(const v1::RecordedEvent& stored, const std::string& stream,
                 const v1::ProposedEvent& proposed) {
  if (stored.stream() != stream) return false;
  if (stored.event_type() != proposed.event_type()) return false;
  if (stored.content_type() != proposed.content_type()) return false;
  if (stored.payload() != proposed.payload()) return false;
  if (stored.metadata_size() != proposed.metadata_size()) return false;
  for (const auto& [key, value] : proposed.metadata()) {
    auto it = stored.metadata().find(key);
    if (it == stored.metadata().end() || it->second != value) return false;
  }
  return true;
}

void SetTimestamp(int64_t micros, google::protobuf::Timestamp* out) {
  out->set_seconds(micros / 1'000'000);
  out->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
}

}  // namespace

absl::Status CheckExpectedRevision(const PreparedAppend& append, const StreamHead* head) {
  const std::string prefix = absl::StrCat("stream '", append.stream, "' ", DescribeHead(head));
  switch (append.expected_kind) {
    case v1::ExpectedRevision::NO_STREAM:
      if (head == nullptr) return absl::OkStatus();
      return absl::FailedPreconditionError(absl::StrCat(prefix, ", expected no stream"));
    case v1::ExpectedRevision::STREAM_EXISTS:
      if (head != nullptr) return absl::OkStatus();
      return absl::FailedPreconditionError(absl::StrCat(prefix, ", expected it to exist"));
    case v1::ExpectedRevision::EXACT:
      if (head != nullptr && head->last_revision == append.expected_revision) {
        return absl::OkStatus();
      }
      return absl::FailedPreconditionError(
          absl::StrCat(prefix, ", expected revision ", append.expected_revision));
    default:
      return absl::OkStatus();
  }
}

Sequencer::Sequencer(const Database* db, const LogTail& tail, int64_t now_us, UuidV7Generator* ids,
                     MerkleTreeMode tree_mode)
    : db_(db),
      tail_before_(tail),
      next_position_(tail.next_position),
      recorded_at_us_(std::max(now_us, tail.last_recorded_at_us)),
      ids_(ids),
      tree_mode_(tree_mode),
      heads_(db, tail.next_stream_id),
      merkle_(tail.merkle),
      committed_(std::make_shared<CommittedBatch>()) {}

absl::StatusOr<v1::AppendResponse> Sequencer::Add(PreparedAppend append) {
  ASSIGN_OR_RETURN(std::optional<v1::AppendResponse> replay, CheckReplay(append));
  if (replay.has_value()) return *replay;
  ASSIGN_OR_RETURN(const StreamHead* head, heads_.Find(append.stream));
  RETURN_IF_ERROR(CheckExpectedRevision(append, head));
  return Commit(std::move(append), head);
}

absl::StatusOr<std::optional<uint64_t>> Sequencer::FindEventId(const std::string& id_bytes) {
  auto pending = pending_ids_.find(id_bytes);
  if (pending != pending_ids_.end()) {
    return (*committed_)[pending->second]->event.position();
  }
  std::string value;
  const rocksdb::Status status =
      db_->db()->Get(rocksdb::ReadOptions(), db_->event_ids(), id_bytes, &value);
  if (status.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocksStatus(status, "reading the event id index"));
  if (value.size() != kPositionBytes) return absl::DataLossError("event id entry has wrong size");
  return ReadBigEndian64(value);
}

absl::Status Sequencer::LoadEvent(uint64_t position, v1::RecordedEvent* event) {
  if (position >= tail_before_.next_position) {
    const size_t index = position - tail_before_.next_position;
    CHECK(index < committed_->size());
    *event = (*committed_)[index]->event;
    return absl::OkStatus();
  }
  std::string value;
  RETURN_IF_ERROR(FromRocksStatus(
      db_->db()->Get(rocksdb::ReadOptions(), db_->log(), EncodePosition(position), &value),
      absl::StrCat("reading position ", position)));
  return DecodeLogValue(value, /*include_record=*/false, event);
}

// A request is a retry when every one of its event ids is already recorded
// with the same content. Some ids recorded and some not, or the same id
// with other content, is a different request reusing ids: rejected.
absl::StatusOr<std::optional<v1::AppendResponse>> Sequencer::CheckReplay(
    const PreparedAppend& append) {
  std::vector<uint64_t> positions;
  std::string new_id;
  std::string found_id;
  for (const PreparedEvent& prepared : append.events) {
    if (!prepared.id_from_client) {
      new_id = "(server-made)";
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<uint64_t> position, FindEventId(prepared.id_bytes));
    if (position.has_value()) {
      positions.push_back(*position);
      found_id = FormatUuid(prepared.id_bytes);
    } else {
      new_id = FormatUuid(prepared.id_bytes);
    }
  }
  if (positions.empty()) return std::nullopt;
  if (positions.size() != append.events.size()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "event id ", found_id, " is already recorded at position ", positions.back(),
        ", but event id ", new_id, " of the same request is not: a retry must resend the same ",
        "events, and new events need new ids"));
  }
  v1::AppendResponse response;
  for (size_t i = 0; i < positions.size(); ++i) {
    v1::RecordedEvent stored;
    RETURN_IF_ERROR(LoadEvent(positions[i], &stored));
    if (!SameContent(stored, append.stream, append.events[i].event)) {
      return absl::AlreadyExistsError(absl::StrCat(
          "event id ", FormatUuid(append.events[i].id_bytes), " is already recorded at position ",
          positions[i], " with different content"));
    }
    if (i == 0) {
      response.set_first_position(stored.position());
      response.set_first_revision(stored.revision());
      *response.mutable_recorded_at() = stored.recorded_at();
    }
    response.set_last_position(stored.position());
    response.set_next_expected_revision(stored.revision());
  }
  response.set_idempotent_replay(true);
  return response;
}

v1::AppendResponse Sequencer::Commit(PreparedAppend append, const StreamHead* head) {
  uint64_t revision = head == nullptr ? 0 : head->last_revision + 1;
  v1::AppendResponse response;
  response.set_first_position(next_position_);
  response.set_first_revision(revision);
  SetTimestamp(recorded_at_us_, response.mutable_recorded_at());
  for (PreparedEvent& prepared : append.events) {
    auto committed = std::make_shared<CommittedEvent>();
    CommittedEvent& out = *committed;
    v1::RecordedEvent& event = out.event;
    event.set_position(next_position_++);
    event.set_stream(append.stream);
    event.set_revision(revision++);
    if (!prepared.id_from_client) prepared.id_bytes = ids_->Next(recorded_at_us_ / 1000);
    event.set_event_id(FormatUuid(prepared.id_bytes));
    event.set_event_type(std::move(*prepared.event.mutable_event_type()));
    event.set_content_type(std::move(*prepared.event.mutable_content_type()));
    event.set_payload(std::move(*prepared.event.mutable_payload()));
    event.mutable_metadata()->swap(*prepared.event.mutable_metadata());
    *event.mutable_recorded_at() = response.recorded_at();
    const std::string record = SerializeRecord(event);
    const std::string hash = LeafHash(record);
    out.value = EncodeLogValue(hash, record);
    event.set_leaf_hash(hash);
    CHECK(batch_.Put(db_->log(), EncodePosition(event.position()), out.value).ok());
    if (tree_mode_ == MerkleTreeMode::kKeep) {
      CHECK(merkle_.size() + 1 == event.position());
      merkle_.Append(hash, [this](int level, uint64_t index, absl::string_view node) {
        merkle_nodes_.Add(level, index, node);
      });
    }
    const StreamHead& after = heads_.Advance(event);
    IndexRecord(*db_, event, prepared.id_bytes, after.stream_id, &batch_);
    committed_->push_back(std::move(committed));
    pending_ids_.emplace(std::move(prepared.id_bytes), committed_->size() - 1);
  }
  response.set_last_position(next_position_ - 1);
  response.set_next_expected_revision(revision - 1);
  return response;
}

LogTail Sequencer::tail_after() const {
  LogTail tail;
  tail.next_position = next_position_;
  tail.next_stream_id = heads_.next_stream_id();
  tail.last_recorded_at_us = empty() ? tail_before_.last_recorded_at_us : recorded_at_us_;
  tail.merkle = merkle_;
  return tail;
}

rocksdb::WriteBatch* Sequencer::FinishBatch() {
  heads_.WriteChanged(&batch_);
  merkle_nodes_.WriteTo(*db_, &batch_);
  return &batch_;
}

}  // namespace stakeledger::storage
