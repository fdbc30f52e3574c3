#include "service/read_reactors.h"

#include <algorithm>
#include <limits>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "service/grpc_status.h"
#include "service/request_codec.h"

namespace stakeledger::service {
namespace {

// The part both reads share: the write loop. Subclasses fill one chunk.
class ChunkedReadReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit ChunkedReadReactor(const storage::EventLog* log) : log_(log) {}

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading"));
      return;
    }
    WriteNext();
  }
  void OnDone() override { delete this; }

 protected:
  // Fills `out` with the next chunk. Returns false when the read is over.
  virtual absl::StatusOr<bool> ReadChunk(v1::ReadResponse* out) = 0;

  // Resolves the proof tree of a read that asks for proofs (0: the head
  // now). Errors: OUT_OF_RANGE beyond the head.
  absl::Status SetUpProofs(bool include_proof, uint64_t proof_tree_size) {
    include_proof_ = include_proof;
    if (!include_proof) return absl::OkStatus();
    const uint64_t head = log_->tree_head().size;
    proof_tree_size_ = proof_tree_size == 0 ? head : proof_tree_size;
    if (proof_tree_size_ > head) {
      return absl::OutOfRangeError(absl::StrCat("proof_tree_size ", proof_tree_size_,
                                                " is beyond the tree head, whose size is ", head));
    }
    return absl::OkStatus();
  }

  // Adds the inclusion proof of every event inside the proof tree.
  absl::Status AttachProofs(v1::ReadResponse* out) const {
    out->set_proof_tree_size(proof_tree_size_);
    for (v1::RecordedEvent& event : *out->mutable_events()) {
      if (event.position() == 0 || event.position() > proof_tree_size_) continue;
      absl::StatusOr<std::vector<std::string>> hashes =
          log_->merkle().InclusionProof(event.position() - 1, proof_tree_size_);
      if (!hashes.ok()) return hashes.status();
      for (std::string& hash : *hashes) event.add_inclusion_proof(std::move(hash));
    }
    return absl::OkStatus();
  }

  void WriteNext() {
    for (;;) {
      response_.Clear();
      absl::StatusOr<bool> more = ReadChunk(&response_);
      if (more.ok() && include_proof_ && response_.events_size() > 0) {
        if (absl::Status proved = AttachProofs(&response_); !proved.ok()) more = proved;
      }
      if (!more.ok()) {
        Finish(ToGrpcStatus(more.status()));
        return;
      }
      if (response_.events_size() > 0) {
        const absl::Status encoded = EncodeMessage(response_, &buffer_);
        if (!encoded.ok()) {
          Finish(ToGrpcStatus(encoded));
          return;
        }
        StartWrite(&buffer_);
        return;
      }
      if (!*more) {
        Finish(grpc::Status::OK);
        return;
      }
      // The filter emptied this chunk: keep scanning.
    }
  }

  storage::ChunkBounds Bounds(uint64_t remaining) const {
    storage::ChunkBounds bounds;
    bounds.events_max = std::min<uint64_t>(remaining, log_->limits().response_events_max);
    bounds.bytes_max = log_->limits().response_bytes_max;
    return bounds;
  }

  const storage::EventLog* log_;
  v1::ReadResponse response_;
  bool include_proof_ = false;
  uint64_t proof_tree_size_ = 0;
  grpc::ByteBuffer buffer_;  // response_ serialized; gRPC reads it until OnWriteDone
};

uint64_t CountOrAll(uint64_t count) {
  return count == 0 ? std::numeric_limits<uint64_t>::max() : count;
}

class ReadAllReactor : public ChunkedReadReactor {
 public:
  ReadAllReactor(const storage::EventLog* log, const v1::ReadAllRequest& request)
      : ChunkedReadReactor(log),
        backwards_(request.direction() == v1::BACKWARDS),
        include_record_(request.include_record() || request.include_proof()),
        remaining_(CountOrAll(request.count())) {
    absl::StatusOr<storage::EventFilter> filter =
        storage::EventFilter::FromProto(request.filter(), log->limits());
    if (!filter.ok()) {
      Finish(ToGrpcStatus(filter.status()));
      return;
    }
    filter_ = *std::move(filter);
    if (absl::Status proofs = SetUpProofs(request.include_proof(), request.proof_tree_size());
        !proofs.ok()) {
      Finish(ToGrpcStatus(proofs));
      return;
    }
    next_ = request.from_position();
    if (next_ == 0) next_ = backwards_ ? std::numeric_limits<uint64_t>::max() : 1;
    WriteNext();
  }

 private:
  absl::StatusOr<bool> ReadChunk(v1::ReadResponse* out) override {
    if (remaining_ == 0 || next_ == 0) return false;
    absl::StatusOr<storage::ScanResult> scan = log_->ReadAllChunk(
        next_, backwards_, filter_, include_record_, Bounds(remaining_), out->mutable_events());
    if (!scan.ok()) return scan.status();
    remaining_ -= out->events_size();
    if (scan->scanned > 0) next_ = backwards_ ? scan->last_scanned - 1 : scan->last_scanned + 1;
    return !scan->reached_end;
  }

  const bool backwards_;
  const bool include_record_;
  uint64_t remaining_;
  uint64_t next_ = 1;
  storage::EventFilter filter_;
};

class ReadStreamReactor : public ChunkedReadReactor {
 public:
  ReadStreamReactor(const storage::EventLog* log, const v1::ReadStreamRequest& request)
      : ChunkedReadReactor(log),
        backwards_(request.direction() == v1::BACKWARDS),
        include_record_(request.include_record() || request.include_proof()),
        remaining_(CountOrAll(request.count())) {
    absl::StatusOr<storage::StreamHead> head = log->GetStreamHead(request.stream());
    if (!head.ok()) {
      Finish(ToGrpcStatus(head.status()));
      return;
    }
    if (absl::Status proofs = SetUpProofs(request.include_proof(), request.proof_tree_size());
        !proofs.ok()) {
      Finish(ToGrpcStatus(proofs));
      return;
    }
    stream_id_ = head->stream_id;
    next_ = request.from_end() ? head->last_revision : request.from_revision();
    if (backwards_) next_ = std::min(next_, head->last_revision);
    WriteNext();
  }

 private:
  absl::StatusOr<bool> ReadChunk(v1::ReadResponse* out) override {
    if (remaining_ == 0 || done_) return false;
    absl::StatusOr<storage::ScanResult> scan = log_->ReadStreamChunk(
        stream_id_, next_, backwards_, include_record_, Bounds(remaining_), out->mutable_events());
    if (!scan.ok()) return scan.status();
    remaining_ -= out->events_size();
    if (scan->scanned > 0) {
      if (backwards_ && scan->last_scanned == 0) done_ = true;
      next_ = backwards_ ? scan->last_scanned - 1 : scan->last_scanned + 1;
    }
    done_ = done_ || scan->reached_end;
    return !done_;
  }

  const bool backwards_;
  const bool include_record_;
  uint64_t remaining_;
  uint64_t stream_id_ = 0;
  uint64_t next_ = 0;
  bool done_ = false;
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* NewReadAllReactor(const storage::EventLog* log,
                                                              const v1::ReadAllRequest& request) {
  return new ReadAllReactor(log, request);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* NewReadStreamReactor(
    const storage::EventLog* log, const v1::ReadStreamRequest& request) {
  return new ReadStreamReactor(log, request);
}

}  // namespace stakeledger::service
