// A sequence that grows by fixed chunks of 2^kChunkBits elements: it never
// moves an element (views and pointers into it stay valid as it grows, and
// growing copies nothing), and finding element i costs one look into a
// small array of chunk pointers that stays in cache. A bulk fold keeps
// millions of versions and announcements so, and reads them in key order,
// all over memory: with std::deque (3 versions to a 512-byte block) the
// block map alone missed the cache on every lookup, before the element.
#ifndef STAKELEDGER_STORAGE_CHUNKED_VECTOR_H_
#define STAKELEDGER_STORAGE_CHUNKED_VECTOR_H_

#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace stakeledger::storage {

// Not thread-safe. T must be default-constructible (a chunk is allocated
// whole).
template <typename T, int kChunkBits = 12>
class ChunkedVector {
 public:
  static constexpr size_t kChunkElements = size_t{1} << kChunkBits;

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
      chunks_.push_back(std::make_unique<T[]>(kChunkElements));
    }
    return (*this)[size_++];
  }
  void push_back(T value) { emplace_back() = std::move(value); }

  // Frees every chunk.
  void clear() {
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
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace stakeledger::storage

#endif  // STAKELEDGER_STORAGE_CHUNKED_VECTOR_H_
