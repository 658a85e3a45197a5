// Private to sources/: reads one evidence file, plain or gzip (multi-member too), in pieces.
#pragma once

#include <simdjson.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "sources/mapped.h"
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

struct PartialDigest;

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
  // A plain file's bytes at an offset, without moving the reading position: false (error set)
  // when they cannot all be read. Not for gzip files.
  bool read_at(uint64_t offset, char* dst, size_t n);
  // A plain regular file mapped whole, as long as it is now; nullptr for a gzip file, a pipe or a
  // device, or when mapping fails (read() it then).
  std::shared_ptr<MappedFile> map();
  // Bytes [pos, pos + n) of the content taken from map() rather than read(): hashed and counted
  // as read() would have. In order, each run ending at or past the previous one's end.
  void take_mapped(const char* p, uint64_t pos, size_t n);
  // read() goes on from pos (at or past what was taken); false, error set, if it cannot.
  bool seek(uint64_t pos);
  // Hashes the file's bytes as read() takes them, up to offset `stop`; `ahead`, when it is a
  // prefix of this same file hashed before, is carried on instead of starting over. finish_digest()
  // reads whatever was not taken (a file passed over after its first chunk) and gives the SHA-256
  // of the whole file; or nullopt when hashing reached the stop first, and take_partial_digest()
  // carries it on later.
  void keep_digest(uint64_t stop = UINT64_MAX, std::unique_ptr<PartialDigest> ahead = nullptr);
  std::optional<FileDigest> finish_digest();
  std::unique_ptr<PartialDigest> take_partial_digest(const std::string& path);

 private:
  Input() = default;
  bool read_raw(char* dst, size_t max, size_t& got);
  void hash_block(const char* p, uint64_t pos, size_t n);
  bool inflate(Buffer& out, size_t max);

  int fd_ = -1;
  bool gzip_ = false;
  bool eof_ = false;
  std::string error_;
  uint64_t disk_bytes_ = 0;
  struct Gz;
  std::unique_ptr<Gz> gz_;
  std::unique_ptr<Sha256> digest_;
  uint64_t hashed_ = 0, digest_stop_ = UINT64_MAX;
  bool raw_eof_ = false;  // read() of the file returned 0
};

// A digest whose hashing stopped partway through the file. It holds the file open, so that the
// rest finish() hashes is of the same file even if it was renamed or replaced since.
struct PartialDigest {
  std::string path;
  int fd = -1;
  uint64_t hashed = 0;
  std::unique_ptr<Sha256> sha;
  PartialDigest() = default;
  PartialDigest(const PartialDigest&) = delete;
  PartialDigest& operator=(const PartialDigest&) = delete;
  ~PartialDigest();
  // Opens path and hashes from its start until `stop` is set or the end; nullptr if it cannot be
  // opened or read.
  static std::unique_ptr<PartialDigest> start(const std::string& path,
                                              const std::atomic<bool>& stop);
  bool same_file(int other_fd) const;
  FileDigest finish();
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
