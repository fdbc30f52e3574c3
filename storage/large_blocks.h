// Memory for the large blocks of a bulk fold (millions of versions, a hash
// table of a million ids, the runs' sort arrays), backed by 2 MiB pages
// where the kernel has them (Linux transparent huge pages, asked for with
// madvise; the system default is often "madvise", which leaves ordinary
// allocations on 4 KiB pages). A rebuild touches hundreds of megabytes of
// fresh memory once: on 4 KiB pages that is a page fault per 4 KiB (on the
// fold's own thread, the pipeline's busiest) and a TLB miss on most
// random reads of the runs. RocksDB asks the same for its arenas
// (huge_page_tlb_size).
#ifndef STAKELEDGER_STORAGE_LARGE_BLOCKS_H_
#define STAKELEDGER_STORAGE_LARGE_BLOCKS_H_

#include <cstddef>
#include <limits>
#include <new>

namespace stakeledger::storage {

// The page size asked for, and the least block that gets such pages.
inline constexpr size_t kLargeBlockBytesMin = size_t{2} << 20;

// At least `bytes` bytes, zeroed or not. From kLargeBlockBytesMin on,
// mapped on their own, aligned to kLargeBlockBytesMin, rounded up to a
// multiple of it and advised for huge pages (a hint: without them the
// block is ordinary memory); smaller blocks come from operator new.
// Errors: throws std::bad_alloc, as operator new. Thread-safe.
void* AllocateLarge(size_t bytes);
// Frees a block of AllocateLarge. REQUIRES: `bytes` is what it was
// allocated with. Thread-safe.
void FreeLarge(void* block, size_t bytes) noexcept;

// An allocator for standard containers that takes its memory from
// AllocateLarge: a vector or a hash table of a million items gets huge
// pages, a small one the heap's.
template <typename T>
class LargeAllocator {
 public:
  using value_type = T;

  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

  T* allocate(size_t n) {
    if (n > std::numeric_limits<size_t>::max() / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(AllocateLarge(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { FreeLarge(p, n * sizeof(T)); }

  template <typename U>
  bool operator==(const LargeAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const LargeAllocator<U>&) const noexcept {
    return false;
  }
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_LARGE_BLOCKS_H_
