// A sequence that grows by fixed chunks of 2^kChunkBits elements: it never
// moves an element (views and pointers into it stay valid as it grows, and
// growing copies nothing), and finding element i costs one look into a
// small array of chunk pointers that stays in cache. A bulk fold keeps
// millions of versions and announcements so, and reads them in key order,
// all over memory: with std::deque (3 versions to a 512-byte block) the
// block map alone missed the cache on every lookup, before the element.
// Chunks come from AllocateLarge (large_blocks.h): a chunk of 2 MiB or
// more gets huge pages. An element is constructed when it is added, so a
// chunk's memory is touched only as far as it is filled.
#ifndef STAKELEDGER_STORAGE_CHUNKED_VECTOR_H_
#define STAKELEDGER_STORAGE_CHUNKED_VECTOR_H_

#include <cstddef>
#include <iterator>
#include <new>
#include <utility>
#include <vector>

#include "storage/large_blocks.h"

namespace stakeledger::storage {

// Not thread-safe. T must be default-constructible.
template <typename T, int kChunkBits = 12>
class ChunkedVector {
 public:
  static constexpr size_t kChunkElements = size_t{1} << kChunkBits;
  static constexpr size_t kChunkBytes = kChunkElements * sizeof(T);

  ChunkedVector() = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ChunkedVector(ChunkedVector&& other) noexcept { swap(other); }
  ChunkedVector& operator=(ChunkedVector&& other) noexcept {
    clear();
    swap(other);
    return *this;
  }
  ~ChunkedVector() { clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // REQUIRES: i < size().
  T& operator[](size_t i) { return chunks_[i >> kChunkBits][i & (kChunkElements - 1)]; }
  const T& operator[](size_t i) const { return chunks_[i >> kChunkBits][i & (kChunkElements - 1)]; }
  // REQUIRES: !empty().
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  // Appends a default-constructed element and returns it.
  T& emplace_back() {
    if ((size_ & (kChunkElements - 1)) == 0 && (size_ >> kChunkBits) == chunks_.size()) {
      // Room first, so that the push below cannot throw and leak the chunk;
      // doubling, as push_back would.
      if (chunks_.size() == chunks_.capacity()) chunks_.reserve(2 * chunks_.size() + 1);
      chunks_.push_back(static_cast<T*>(AllocateLarge(kChunkBytes)));
    }
    T* const slot = &chunks_[size_ >> kChunkBits][size_ & (kChunkElements - 1)];
    new (slot) T();
    ++size_;
    return *slot;
  }
  void push_back(T value) { emplace_back() = std::move(value); }

  // Destroys every element and frees every chunk.
  void clear() {
    for (size_t i = 0; i < size_; ++i) (*this)[i].~T();
    for (T* chunk : chunks_) FreeLarge(chunk, kChunkBytes);
    chunks_.clear();
    size_ = 0;
  }
  void swap(ChunkedVector& other) noexcept {
    chunks_.swap(other.chunks_);
    std::swap(size_, other.size_);
  }

  template <typename Container, typename Value>
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = Value*;
    using reference = Value&;

    Iterator(Container* vector, size_t i) : vector_(vector), i_(i) {}
    reference operator*() const { return (*vector_)[i_]; }
    pointer operator->() const { return &(*vector_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return i_ == other.i_; }
    bool operator!=(const Iterator& other) const { return i_ != other.i_; }

   private:
    Container* vector_;
    size_t i_;
  };
  using iterator = Iterator<ChunkedVector, T>;
  using const_iterator = Iterator<const ChunkedVector, const T>;

  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, size_); }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

 private:
  // Each of kChunkBytes, its first elements (up to size_) constructed.
  std::vector<T*> chunks_;
  size_t size_ = 0;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_CHUNKED_VECTOR_H_
