#include "storage/large_blocks.h"

#include <sys/mman.h>

#include <cstdint>

namespace stakeledger::storage {
namespace {

size_t MappedBytes(size_t bytes) {
  return (bytes + kLargeBlockBytesMin - 1) / kLargeBlockBytesMin * kLargeBlockBytesMin;
}

}  // namespace

void* AllocateLarge(size_t bytes) {
  if (bytes < kLargeBlockBytesMin) return ::operator new(bytes);
  if (bytes > SIZE_MAX - 2 * kLargeBlockBytesMin) throw std::bad_alloc();
  const size_t mapped = MappedBytes(bytes);
  // A mapping is aligned to 4 KiB only: map one huge page more and give
  // back the ends, so that the block starts on a huge page's boundary
  // (the kernel backs only whole aligned 2 MiB ranges with one).
  const size_t over = mapped + kLargeBlockBytesMin;
  void* const raw = mmap(nullptr, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t begin = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (begin + kLargeBlockBytesMin - 1) & ~(kLargeBlockBytesMin - 1);
  if (aligned > begin) munmap(raw, aligned - begin);
  const uintptr_t end = begin + over;
  if (end > aligned + mapped)
    munmap(reinterpret_cast<void*>(aligned + mapped), end - aligned - mapped);
  void* const block = reinterpret_cast<void*>(aligned);
  // A hint: a kernel without transparent huge pages refuses it, and the
  // block is ordinary memory.
  (void)madvise(block, mapped, MADV_HUGEPAGE);
  return block;
}

void FreeLarge(void* block, size_t bytes) noexcept {
  if (block == nullptr) return;
  if (bytes < kLargeBlockBytesMin) {
    ::operator delete(block);
    return;
  }
  munmap(block, MappedBytes(bytes));
}

}  // namespace stakeledger::storage
