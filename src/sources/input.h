// Private to sources/: reads one evidence file, plain or gzip (multi-member too), in pieces.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "util/sha256.h"

namespace eksir::sources::detail {

// A growable byte buffer that always keeps simdjson's padding readable past its end.
class Buffer {
 public:
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }
  void reserve(size_t n);
  // Space for n more bytes; commit() what was actually written.
  char* grow(size_t n) {
    reserve(size_ + n);
    return data_.get() + size_;
  }
  void commit(size_t n) { size_ += n; }
  void append(const char* p, size_t n) {
    if (n == 0) return;
    std::memcpy(grow(n), p, n);
    commit(n);
  }
  void resize(size_t n) { size_ = n < size_ ? n : size_; }
  // Drops the first n bytes, keeping the rest.
  void consume(size_t n);
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

class Input {
 public:
  ~Input();
  // nullptr and `error` set when the file cannot be opened.
  static std::unique_ptr<Input> open(const std::string& path, std::string& error);

  bool gzip() const { return gzip_; }
  // Appends up to `max` bytes of content to `out`. Returns false at the end of the content or on
  // error; error() tells which. Content read before an error stays valid.
  bool read(Buffer& out, size_t max);
  const std::string& error() const { return error_; }
  uint64_t disk_bytes() const { return disk_bytes_; }
  // Hashes the file's bytes as read() takes them; finish_digest() reads whatever was not taken
  // (a file passed over after its first chunk) and gives the SHA-256 of the whole file.
  void keep_digest();
  FileDigest finish_digest();

 private:
  Input() = default;
  bool read_raw(char* dst, size_t max, size_t& got);
  bool inflate(Buffer& out, size_t max);

  int fd_ = -1;
  bool gzip_ = false;
  bool eof_ = false;
  std::string error_;
  uint64_t disk_bytes_ = 0;
  struct Gz;
  std::unique_ptr<Gz> gz_;
  std::unique_ptr<Sha256> digest_;
};

}  // namespace eksir::sources::detail

namespace eksir::sources::detail {
// Number of '\n' bytes in [p, p+n). memchr runs vectorised; lines are long, so this is far
// faster than a byte loop (which compilers do not vectorise at -O2).
inline uint64_t count_newlines(const char* p, size_t n) {
  uint64_t count = 0;
  const char* end = p + n;
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (!nl) break;
    ++count;
    p = static_cast<const char*>(nl) + 1;
  }
  return count;
}
}  // namespace eksir::sources::detail
