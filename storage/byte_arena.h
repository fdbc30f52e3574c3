// Bytes copied into a few large blocks that live as long as the arena: a
// projection transaction or a bulk fold keeps millions of small keys and
// values, and one heap block each cost more to allocate and free (and
// scattered them through memory) than the rest of the work on them.
#ifndef STAKELEDGER_STORAGE_BYTE_ARENA_H_
#define STAKELEDGER_STORAGE_BYTE_ARENA_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"

namespace stakeledger::storage {

// Blocks double from kByteArenaBlockBytesMin (an arena that keeps a few
// changes stays small) to kByteArenaBlockBytesMax; a copy larger than a
// quarter of the current block gets a block of its own.
inline constexpr size_t kByteArenaBlockBytesMin = size_t{4} << 10;
inline constexpr size_t kByteArenaBlockBytesMax = size_t{1} << 20;

// The views Copy returns stay valid until the arena is destroyed or
// cleared, also when it is moved. Not thread-safe.
class ByteArena {
 public:
  absl::string_view Copy(absl::string_view bytes);
  // Room for up to `bytes_max` bytes, for a caller that writes bytes of a
  // size it knows only once written (wire_bytes.h's WireCursor) and
  // keeps them with Commit: no copy through a buffer of its own.
  char* Reserve(size_t bytes_max);
  // Keeps the first `bytes` bytes of the room Reserve made, and gives the
  // rest back. REQUIRES: bytes <= that Reserve's bytes_max, and no other
  // call on the arena since it.
  absl::string_view Commit(size_t bytes);
  // The bytes copied so far (not the blocks' sizes).
  size_t bytes() const { return bytes_; }
  // Frees every block.
  void Clear();

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  // Where Reserve's room begins: next_, or a block of its own.
  char* reserved_ = nullptr;
  char* next_ = nullptr;
  size_t left_ = 0;
  size_t block_bytes_ = kByteArenaBlockBytesMin;
  size_t bytes_ = 0;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_BYTE_ARENA_H_
