#include "storage/event_log.h"

#include <future>

#include "absl/strings/str_cat.h"
#include "storage/check.h"
#include "storage/merkle_store.h"
#include "storage/record.h"
#include "storage/status_macros.h"
#include "storage/validate.h"

namespace stakeledger::storage {

absl::StatusOr<LogTail> ReadLogTail(const Database& db) {
  LogTail tail;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions(), db.log()));
  it->SeekToLast();
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "finding the end of the log"));
  if (it->Valid()) {
    v1::RecordedEvent last;
    RETURN_IF_ERROR(DecodeLogValue(View(it->value()), false, &last));
    if (last.position() != ReadBigEndian64(View(it->key()))) {
      return absl::DataLossError(absl::StrCat("the last record says position ", last.position(),
                                              " but is stored at ",
                                              ReadBigEndian64(View(it->key()))));
    }
    tail.next_position = last.position() + 1;
    tail.last_recorded_at_us =
        last.recorded_at().seconds() * 1'000'000 + last.recorded_at().nanos() / 1000;
  }
  std::string next_stream_id;
  const rocksdb::Status status =
      db.db()->Get(rocksdb::ReadOptions(), db.meta(), kMetaNextStreamId, &next_stream_id);
  if (status.ok()) {
    if (next_stream_id.size() != kPositionBytes) {
      return absl::DataLossError("next stream id has the wrong size");
    }
    tail.next_stream_id = ReadBigEndian64(next_stream_id);
  } else if (!status.IsNotFound()) {
    RETURN_IF_ERROR(FromRocksStatus(status, "reading the next stream id"));
  }
  ASSIGN_OR_RETURN(tail.merkle, EnsureTree(db, tail.next_position - 1));
  return tail;
}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(const std::string& dir,
                                                         const Limits& limits) {
  return OpenWithTreeMode(dir, limits, MerkleTreeMode::kKeep);
}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::OpenWithoutTreeForBenchmark(
    const std::string& dir, const Limits& limits) {
  return OpenWithTreeMode(dir, limits, MerkleTreeMode::kSkipForBenchmark);
}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::OpenWithTreeMode(const std::string& dir,
                                                                     const Limits& limits,
                                                                     MerkleTreeMode tree_mode) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                   Database::Open(dir, limits.projection_cache_bytes_max));
  ASSIGN_OR_RETURN(LogTail tail, ReadLogTail(*db));
  return std::unique_ptr<EventLog>(new EventLog(std::move(db), limits, tail, tree_mode));
}

EventLog::EventLog(std::unique_ptr<Database> db, const Limits& limits, const LogTail& tail,
                   MerkleTreeMode tree_mode)
    : limits_(limits), db_(std::move(db)), merkle_(db_.get()) {
  hub_ = std::make_unique<SubscriptionHub>(db_.get(), limits_, tail.next_position - 1);
  SubscriptionHub* hub = hub_.get();
  writer_ = std::make_unique<Writer>(
      db_.get(), tail, limits_,
      [this, hub](CommittedBatchPtr batch) {
        hub->Publish(batch);
        // Taking the lock orders this after a waiter's check of the head.
        { std::lock_guard<std::mutex> lock(head_mu_); }
        head_advanced_.notify_all();
      },
      tree_mode);
}

uint64_t EventLog::head_wake_epoch() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return head_wake_epoch_;
}

uint64_t EventLog::WaitForHeadAfter(uint64_t position, uint64_t epoch,
                                    absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(head_mu_);
  head_advanced_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                          [&] { return head_position() > position || head_wake_epoch_ != epoch; });
  return head_position();
}

void EventLog::WakeHeadWaiters() const {
  {
    std::lock_guard<std::mutex> lock(head_mu_);
    ++head_wake_epoch_;
  }
  head_advanced_.notify_all();
}

EventLog::~EventLog() { Shutdown(); }

void EventLog::Shutdown() {
  writer_->Stop();
  hub_->Shutdown();
}

void EventLog::Append(v1::AppendRequest request, AppendDone done) {
  absl::StatusOr<PreparedAppend> prepared = PrepareAppend(std::move(request), limits_);
  if (!prepared.ok()) {
    done(prepared.status());
    return;
  }
  writer_->Submit(*std::move(prepared), std::move(done));
}

absl::StatusOr<v1::AppendResponse> EventLog::AppendAndWait(v1::AppendRequest request) {
  std::promise<absl::StatusOr<v1::AppendResponse>> promise;
  std::future<absl::StatusOr<v1::AppendResponse>> result = promise.get_future();
  Append(std::move(request), [&promise](absl::StatusOr<v1::AppendResponse> response) {
    promise.set_value(std::move(response));
  });
  return result.get();
}

absl::StatusOr<ScanResult> EventLog::ReadAllChunk(uint64_t from, bool backwards,
                                                  const EventFilter& filter, bool include_record,
                                                  const ChunkBounds& bounds, EventList* out) const {
  return ScanLog(*db_, from, backwards, filter, include_record, bounds, out);
}

absl::StatusOr<ScanResult> EventLog::ReadStreamChunk(uint64_t stream_id, uint64_t from_revision,
                                                     bool backwards, bool include_record,
                                                     const ChunkBounds& bounds,
                                                     EventList* out) const {
  return ScanStream(*db_, stream_id, from_revision, backwards, include_record, bounds, out);
}

absl::StatusOr<StreamHead> EventLog::GetStreamHead(absl::string_view stream) const {
  RETURN_IF_ERROR(ValidateStreamName(stream, limits_));
  return ReadStreamHead(*db_, stream);
}

absl::StatusOr<v1::ListStreamsResponse> EventLog::ListStreams(
    const v1::ListStreamsRequest& request) const {
  if (request.page_size() > limits_.list_streams_page_max) {
    return absl::ResourceExhaustedError(
        absl::StrCat("page_size is ", request.page_size(),
                     ", over the limit list_streams_page_max=", limits_.list_streams_page_max));
  }
  if (request.prefix().size() > limits_.stream_name_bytes_max ||
      request.page_token().size() > limits_.stream_name_bytes_max) {
    return absl::InvalidArgumentError(
        absl::StrCat("prefix or page_token is longer than stream_name_bytes_max=",
                     limits_.stream_name_bytes_max));
  }
  const size_t page_size =
      request.page_size() == 0 ? limits_.list_streams_page_default : request.page_size();
  return ListStreamPage(*db_, request.prefix(), request.page_token(), page_size);
}

v1::LogInfo EventLog::GetInfo() const {
  v1::LogInfo info;
  info.set_head_position(writer_->head_position());
  const int64_t micros = writer_->head_recorded_at_us();
  if (micros > 0) {
    info.mutable_head_recorded_at()->set_seconds(micros / 1'000'000);
    info.mutable_head_recorded_at()->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
  }
  uint64_t streams = 0;
  std::string value;
  // The next stream id counts the streams ever created; none is removed.
  if (db_->db()->Get(rocksdb::ReadOptions(), db_->meta(), kMetaNextStreamId, &value).ok() &&
      value.size() == kPositionBytes) {
    streams = ReadBigEndian64(value) - 1;
  }
  info.set_stream_count(streams);
  return info;
}

absl::StatusOr<std::shared_ptr<Subscription>> EventLog::Subscribe(SubscriptionOptions options,
                                                                  std::function<void()> wake) {
  return hub_->Subscribe(std::move(options), std::move(wake));
}

}  // namespace stakeledger::storage
