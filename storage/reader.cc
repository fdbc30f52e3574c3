#include "storage/reader.h"

#include <algorithm>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/iterator.h"
#include "storage/check.h"
#include "storage/record.h"
#include "storage/status_macros.h"

namespace stakeledger::storage {

absl::StatusOr<EventFilter> EventFilter::FromProto(const v1::Filter& filter, const Limits& limits) {
  if (filter.stream_prefix().size() > limits.stream_name_bytes_max) {
    return absl::ResourceExhaustedError(
        absl::StrCat("filter stream prefix size is ", filter.stream_prefix().size(),
                     ", over the limit stream_name_bytes_max=", limits.stream_name_bytes_max));
  }
  if (static_cast<size_t>(filter.event_types_size()) > limits.filter_event_types_max) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "filter names ", filter.event_types_size(),
        " event types, over the limit filter_event_types_max=", limits.filter_event_types_max));
  }
  EventFilter result;
  result.stream_prefix_ = filter.stream_prefix();
  for (const std::string& type : filter.event_types()) {
    if (type.empty()) return absl::InvalidArgumentError("filter names an empty event type");
    result.event_types_.insert(type);
  }
  return result;
}

bool EventFilter::Matches(const v1::RecordedEvent& event) const {
  if (!absl::StartsWith(event.stream(), stream_prefix_)) return false;
  return event_types_.empty() || event_types_.contains(event.event_type());
}

bool EventFilter::Matches(const LogEventView& event) const {
  if (!absl::StartsWith(event.stream, stream_prefix_)) return false;
  return event_types_.empty() || event_types_.contains(event.event_type);
}

namespace {

bool ChunkFull(const EventList& out, size_t bytes, const ChunkBounds& bounds) {
  return static_cast<size_t>(out.size()) >= bounds.events_max || bytes >= bounds.bytes_max;
}

}  // namespace

absl::StatusOr<ScanResult> ScanLog(const Database& db, uint64_t from, bool backwards,
                                   const EventFilter& filter, bool include_record,
                                   const ChunkBounds& bounds, EventList* out) {
  ScanResult result;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions(), db.log()));
  const std::string start = EncodePosition(from);
  if (backwards) {
    it->SeekForPrev(start);
  } else {
    it->Seek(start);
  }
  size_t bytes = 0;
  v1::RecordedEvent scratch;
  for (; it->Valid(); backwards ? it->Prev() : it->Next()) {
    if (result.scanned >= bounds.scanned_max || ChunkFull(*out, bytes, bounds)) return result;
    const rocksdb::Slice value = it->value();
    scratch.Clear();
    RETURN_IF_ERROR(
        DecodeLogValue(absl::string_view(value.data(), value.size()), include_record, &scratch));
    DCHECK(scratch.position() == ReadBigEndian64(View(it->key())));
    ++result.scanned;
    result.last_scanned = scratch.position();
    if (!filter.Matches(scratch)) continue;
    bytes += value.size();
    out->Add()->Swap(&scratch);
  }
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "scanning the log"));
  result.reached_end = true;
  return result;
}

namespace {

// An iterator over positions first..last of the log that does not fill
// the block cache: a scan reads them once, in order, and caching the
// blocks would only evict what queries and appends use.
// REQUIRES: first <= last; `upper` outlives the iterator.
std::unique_ptr<rocksdb::Iterator> OnceThrough(const Database& db, uint64_t first, uint64_t last,
                                               std::string* upper, rocksdb::Slice* upper_slice) {
  *upper = EncodePosition(last + 1);
  *upper_slice = rocksdb::Slice(*upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = last == UINT64_MAX ? nullptr : upper_slice;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(options, db.log()));
  it->Seek(EncodePosition(first));
  return it;
}

}  // namespace

absl::Status ForEachLogEvent(const Database& db, uint64_t first, uint64_t last,
                             const EventFilter& filter,
                             const std::function<absl::Status(const v1::RecordedEvent&)>& fn) {
  if (first > last) return absl::OkStatus();
  std::string upper;
  rocksdb::Slice upper_slice;
  std::unique_ptr<rocksdb::Iterator> it = OnceThrough(db, first, last, &upper, &upper_slice);
  v1::RecordedEvent event;
  for (; it->Valid(); it->Next()) {
    const rocksdb::Slice value = it->value();
    event.Clear();
    RETURN_IF_ERROR(DecodeLogValue(absl::string_view(value.data(), value.size()),
                                   /*include_record=*/false, &event));
    if (!filter.Matches(event)) continue;
    RETURN_IF_ERROR(fn(event));
  }
  return FromRocksStatus(it->status(), "scanning the log");
}

absl::Status ForEachLogEventView(const Database& db, uint64_t first, uint64_t last,
                                 const EventFilter& filter,
                                 const std::function<absl::Status(const LogEventView&)>& fn) {
  if (first > last) return absl::OkStatus();
  std::string upper;
  rocksdb::Slice upper_slice;
  std::unique_ptr<rocksdb::Iterator> it = OnceThrough(db, first, last, &upper, &upper_slice);
  LogEventView event;
  for (; it->Valid(); it->Next()) {
    const rocksdb::Slice value = it->value();
    RETURN_IF_ERROR(DecodeLogView(absl::string_view(value.data(), value.size()), &event));
    if (!filter.Matches(event)) continue;
    RETURN_IF_ERROR(fn(event));
  }
  return FromRocksStatus(it->status(), "scanning the log");
}

namespace {

// Keys per MultiGet: bounds the values held at once while looking for
// where bytes_max is reached.
constexpr size_t kMultiGetKeysMax = 64;

// Appends the log values at `keys`, in order, to `out` until the chunk
// holds `bytes_max` bytes (always at least one event), as ScanLog does.
// Returns how many were appended.
absl::StatusOr<size_t> ReadLogValues(const Database& db, const std::vector<std::string>& keys,
                                     bool include_record, size_t bytes_max, EventList* out) {
  size_t added = 0;
  size_t bytes = 0;
  for (size_t begin = 0; begin < keys.size() && (added == 0 || bytes < bytes_max);
       begin += kMultiGetKeysMax) {
    const size_t end = std::min(keys.size(), begin + kMultiGetKeysMax);
    std::vector<rocksdb::Slice> slices(keys.begin() + begin, keys.begin() + end);
    std::vector<std::string> values;
    const std::vector<rocksdb::Status> statuses = db.db()->MultiGet(
        rocksdb::ReadOptions(), std::vector<rocksdb::ColumnFamilyHandle*>(slices.size(), db.log()),
        slices, &values);
    for (size_t i = 0; i < slices.size(); ++i) {
      if (added > 0 && bytes >= bytes_max) return added;
      if (statuses[i].IsNotFound()) {
        return absl::DataLossError(absl::StrCat("the stream index names position ",
                                                ReadBigEndian64(keys[begin + i]),
                                                ", which is missing"));
      }
      RETURN_IF_ERROR(FromRocksStatus(statuses[i], "reading a stream's events"));
      RETURN_IF_ERROR(DecodeLogValue(values[i], include_record, out->Add()));
      bytes += values[i].size();
      ++added;
    }
  }
  return added;
}

}  // namespace

absl::StatusOr<ScanResult> ScanStream(const Database& db, uint64_t stream_id,
                                      uint64_t from_revision, bool backwards, bool include_record,
                                      const ChunkBounds& bounds, EventList* out) {
  ScanResult result;
  const std::string lower = EncodeStreamKey(stream_id, 0);
  const std::string upper = EncodeStreamKey(stream_id + 1, 0);
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(options, db.streams()));
  const std::string start = EncodeStreamKey(stream_id, from_revision);
  if (backwards) {
    it->SeekForPrev(start);
  } else {
    it->Seek(start);
  }
  std::vector<std::string> positions;
  for (; it->Valid(); backwards ? it->Prev() : it->Next()) {
    if (positions.size() >= bounds.events_max) break;
    positions.push_back(it->value().ToString());
    result.last_scanned = ReadBigEndian64(View(it->key()).substr(8));
  }
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "scanning a stream"));
  result.reached_end = !it->Valid();
  ASSIGN_OR_RETURN(const size_t added,
                   ReadLogValues(db, positions, include_record, bounds.bytes_max, out));
  if (added < positions.size()) {  // bytes_max reached first
    result.reached_end = false;
    result.last_scanned = out->Get(out->size() - 1).revision();
  }
  result.scanned = added;
  return result;
}

absl::StatusOr<StreamHead> ReadStreamHead(const Database& db, absl::string_view stream) {
  std::string bytes;
  const rocksdb::Status status = db.db()->Get(rocksdb::ReadOptions(), db.stream_heads(),
                                              rocksdb::Slice(stream.data(), stream.size()), &bytes);
  if (status.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("stream '", stream, "' does not exist"));
  }
  RETURN_IF_ERROR(FromRocksStatus(status, "reading a stream head"));
  StreamHead head;
  if (!DecodeStreamHead(bytes, &head)) return absl::DataLossError("stream head has wrong size");
  return head;
}

v1::StreamInfo ToStreamInfo(absl::string_view stream, const StreamHead& head) {
  v1::StreamInfo info;
  info.set_stream(std::string(stream));
  info.set_head_revision(head.last_revision);
  info.set_event_count(head.last_revision + 1);  // no event is ever removed
  info.set_first_position(head.first_position);
  info.set_last_position(head.last_position);
  return info;
}

absl::StatusOr<v1::ListStreamsResponse> ListStreamPage(const Database& db, absl::string_view prefix,
                                                       absl::string_view page_token,
                                                       size_t page_size) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.db()->NewIterator(rocksdb::ReadOptions(), db.stream_heads()));
  const std::string start = page_token.empty() ? std::string(prefix) : std::string(page_token);
  it->Seek(start);
  if (!page_token.empty() && it->Valid() && View(it->key()) == page_token) it->Next();
  CHECK(page_size > 0);
  v1::ListStreamsResponse page;
  for (; it->Valid(); it->Next()) {
    const absl::string_view name = View(it->key());
    if (!absl::StartsWith(name, prefix)) break;
    if (static_cast<size_t>(page.streams_size()) == page_size) {
      page.set_next_page_token(page.streams().rbegin()->stream());
      break;
    }
    StreamHead head;
    if (!DecodeStreamHead(View(it->value()), &head)) {
      return absl::DataLossError(absl::StrCat("stream head of '", name, "' has wrong size"));
    }
    *page.add_streams() = ToStreamInfo(name, head);
  }
  RETURN_IF_ERROR(FromRocksStatus(it->status(), "listing streams"));
  return page;
}

}  // namespace stakeledger::storage
