#include "storage/byte_arena.h"

#include <algorithm>
#include <cstring>

namespace stakeledger::storage {

absl::string_view ByteArena::Copy(absl::string_view bytes) {
  if (bytes.empty()) return absl::string_view();
  bytes_ += bytes.size();
  if (bytes.size() > block_bytes_ / 4) {
    // A block of its own; the current block's rest stays in use.
    blocks_.push_back(std::unique_ptr<char[]>(new char[bytes.size()]));
    std::memcpy(blocks_.back().get(), bytes.data(), bytes.size());
    return absl::string_view(blocks_.back().get(), bytes.size());
  }
  if (bytes.size() > left_) {
    if (!blocks_.empty()) block_bytes_ = std::min(block_bytes_ * 2, kByteArenaBlockBytesMax);
    blocks_.push_back(std::unique_ptr<char[]>(new char[block_bytes_]));
    next_ = blocks_.back().get();
    left_ = block_bytes_;
  }
  std::memcpy(next_, bytes.data(), bytes.size());
  const absl::string_view kept(next_, bytes.size());
  next_ += bytes.size();
  left_ -= bytes.size();
  return kept;
}

void ByteArena::Clear() {
  blocks_.clear();
  next_ = nullptr;
  left_ = 0;
  block_bytes_ = kByteArenaBlockBytesMin;
  bytes_ = 0;
}

}  // namespace stakeledger::storage
