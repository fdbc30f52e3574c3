#include "storage/byte_arena.h"

#include <algorithm>
#include <cstring>

namespace stakeledger::storage {

absl::string_view ByteArena::Copy(absl::string_view bytes) {
  if (bytes.empty()) return absl::string_view();
  std::memcpy(Reserve(bytes.size()), bytes.data(), bytes.size());
  return Commit(bytes.size());
}

char* ByteArena::Reserve(size_t bytes_max) {
  if (bytes_max > block_bytes_ / 4) {
    // A block of its own; the current block's rest stays in use.
    blocks_.push_back(std::unique_ptr<char[]>(new char[bytes_max]));
    reserved_ = blocks_.back().get();
    return reserved_;
  }
  if (bytes_max > left_) {
    if (!blocks_.empty()) block_bytes_ = std::min(block_bytes_ * 2, kByteArenaBlockBytesMax);
    blocks_.push_back(std::unique_ptr<char[]>(new char[block_bytes_]));
    next_ = blocks_.back().get();
    left_ = block_bytes_;
  }
  reserved_ = next_;
  return reserved_;
}

absl::string_view ByteArena::Commit(size_t bytes) {
  if (bytes == 0) return absl::string_view();
  bytes_ += bytes;
  if (reserved_ == next_) {
    next_ += bytes;
    left_ -= bytes;
  }
  return absl::string_view(reserved_, bytes);
}

void ByteArena::Clear() {
  blocks_.clear();
  reserved_ = nullptr;
  next_ = nullptr;
  left_ = 0;
  block_bytes_ = kByteArenaBlockBytesMin;
  bytes_ = 0;
}

}  // namespace stakeledger::storage
