#include "sources/input.h"

#include <fcntl.h>
#include <isa-l.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "util/read_at.h"

namespace eksir::sources::detail {

void Buffer::reserve(size_t n) {
  if (n <= capacity_) return;
  size_t cap = std::max(n, capacity_ + capacity_ / 2);
  std::unique_ptr<char[]> fresh(new char[cap + simdjson::SIMDJSON_PADDING]);
  if (size_) std::memcpy(fresh.get(), data_.get(), size_);
  std::memset(fresh.get() + cap, 0, simdjson::SIMDJSON_PADDING);
  data_ = std::move(fresh);
  capacity_ = cap;
}

void Buffer::consume(size_t n) {
  if (n >= size_) {
    size_ = 0;
    return;
  }
  std::memmove(data_.get(), data_.get() + n, size_ - n);
  size_ -= n;
}

struct Input::Gz {
  inflate_state state{};
  std::vector<uint8_t> in = std::vector<uint8_t>(1u << 20);
  size_t in_pos = 0, in_len = 0;
  bool in_member = false;  // inside a gzip member whose end has not been seen
};

Input::~Input() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<Input> Input::open(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<Input> in(new Input());
  in->fd_ = fd;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  unsigned char magic[2] = {0, 0};
  ssize_t n = ::pread(fd, magic, 2, 0);
  if (n < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    in->gzip_ = true;
    in->gz_ = std::make_unique<Gz>();
    isal_inflate_init(&in->gz_->state);
    in->gz_->state.crc_flag = ISAL_GZIP;
  }
  return in;
}

bool Input::read_at(uint64_t offset, char* dst, size_t n) {
  error_ = util::read_at(fd_, offset, dst, n);
  return error_.empty();
}

bool Input::read_raw(char* dst, size_t max, size_t& got) {
  got = 0;
  while (got < max) {
    ssize_t n = ::read(fd_, dst + got, max - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = std::strerror(errno);
      return false;
    }
    if (n == 0) {
      raw_eof_ = true;
      break;
    }
    got += static_cast<size_t>(n);
  }
  hash_block(dst, disk_bytes_, got);
  disk_bytes_ += got;
  return true;
}

// The block is [pos, pos + n); what of it lies past what is already hashed and before the stop is
// hashed now.
void Input::hash_block(const char* p, uint64_t pos, size_t n) {
  if (digest_ && n && hashed_ >= pos && hashed_ < pos + n && hashed_ < digest_stop_) {
    const uint64_t end = std::min<uint64_t>(pos + n, digest_stop_);
    digest_->update({p + (hashed_ - pos), static_cast<size_t>(end - hashed_)});
    hashed_ = end;
  }
}

std::shared_ptr<MappedFile> Input::map() {
  struct stat st {};
  if (gzip_ || ::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return nullptr;
  return MappedFile::map(fd_, static_cast<uint64_t>(st.st_size));
}

void Input::take_mapped(const char* p, uint64_t pos, size_t n) {
  hash_block(p, pos, n);
  disk_bytes_ = std::max(disk_bytes_, pos + n);
}

bool Input::seek(uint64_t pos) {
  if (::lseek(fd_, static_cast<off_t>(pos), SEEK_SET) < 0) {
    error_ = std::strerror(errno);
    return false;
  }
  disk_bytes_ = std::max(disk_bytes_, pos);
  return true;
}

void Input::keep_digest(uint64_t stop, std::unique_ptr<PartialDigest> ahead) {
  digest_stop_ = stop;
  if (ahead && ahead->sha && ahead->same_file(fd_)) {
    digest_ = std::move(ahead->sha);
    hashed_ = ahead->hashed;
    return;
  }
  digest_ = std::make_unique<Sha256>();
  hashed_ = 0;
}

std::optional<FileDigest> Input::finish_digest() {
  FileDigest d;
  if (!digest_) {
    d.error = "not hashed";
    return d;
  }
  std::vector<char> block(1u << 20);
  while (!raw_eof_ && hashed_ >= disk_bytes_ && hashed_ < digest_stop_) {
    size_t got = 0;
    if (!read_raw(block.data(), block.size(), got)) {
      d.error = error_;
      return d;
    }
  }
  if (raw_eof_ && hashed_ == disk_bytes_) {
    d.size = disk_bytes_;
    d.hex = digest_->hex();
    digest_.reset();
    return d;
  }
  if (raw_eof_ && hashed_ > disk_bytes_) {
    d.error = "the file became shorter while it was read";
    return d;
  }
  return std::nullopt;
}

namespace {

// Hashes fd from p.hashed until the end, or until *stop is set.
bool hash_rest(PartialDigest& p, const std::atomic<bool>* stop, std::string& error) {
  std::vector<char> block(1u << 20);
  while (!stop || !stop->load(std::memory_order_relaxed)) {
    ssize_t n = ::pread(p.fd, block.data(), block.size(), static_cast<off_t>(p.hashed));
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    p.sha->update({block.data(), static_cast<size_t>(n)});
    p.hashed += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace

std::unique_ptr<PartialDigest> Input::take_partial_digest(const std::string& path) {
  auto p = std::make_unique<PartialDigest>();
  p->path = path;
  p->fd = fd_;
  fd_ = -1;
  p->hashed = hashed_;
  p->sha = std::move(digest_);
  return p;
}

PartialDigest::~PartialDigest() {
  if (fd >= 0) ::close(fd);
}

std::unique_ptr<PartialDigest> PartialDigest::start(const std::string& path,
                                                    const std::atomic<bool>& stop) {
  auto p = std::make_unique<PartialDigest>();
  // Non-blocking: a path that became a pipe since the walk must not hold the thread.
  p->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (p->fd < 0) return nullptr;
  p->path = path;
  p->sha = std::make_unique<Sha256>();
  std::string error;
  if (!hash_rest(*p, &stop, error)) return nullptr;
  return p;
}

bool PartialDigest::same_file(int other_fd) const {
  struct stat a {
  }, b{};
  return ::fstat(fd, &a) == 0 && ::fstat(other_fd, &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

FileDigest PartialDigest::finish() {
  FileDigest d;
  if (!hash_rest(*this, nullptr, d.error)) return d;
  d.size = hashed;
  d.hex = sha->hex();
  return d;
}

bool Input::read(Buffer& out, size_t max) {
  if (eof_ || !error_.empty()) return false;
  if (gzip_) return inflate(out, max);
  size_t got = 0;
  char* dst = out.grow(max);
  if (!read_raw(dst, max, got)) return false;
  out.commit(got);
  if (got == 0) eof_ = true;
  return got > 0;
}

// Inflates whole gzip members back to back (as concatenated .gz files and Firehose objects are);
// input that ends inside a member is a truncated file.
bool Input::inflate(Buffer& out, size_t max) {
  Gz& g = *gz_;
  size_t produced = 0;
  char* dst = out.grow(max);
  while (produced < max) {
    if (g.in_pos == g.in_len) {
      size_t got = 0;
      if (!read_raw(reinterpret_cast<char*>(g.in.data()), g.in.size(), got)) break;
      g.in_pos = 0;
      g.in_len = got;
      if (got == 0) {
        eof_ = true;
        if (g.in_member) error_ = "truncated gzip: the file ends inside a compressed member";
        break;
      }
    }
    if (!g.in_member) {
      // Between members: trailing zero padding is tolerated, anything else must be a new member.
      while (g.in_pos < g.in_len && g.in[g.in_pos] == 0) ++g.in_pos;
      if (g.in_pos == g.in_len) continue;
      isal_inflate_reset(&g.state);
      g.state.crc_flag = ISAL_GZIP;
      g.in_member = true;
    }
    g.state.next_in = g.in.data() + g.in_pos;
    g.state.avail_in = static_cast<uint32_t>(g.in_len - g.in_pos);
    g.state.next_out = reinterpret_cast<uint8_t*>(dst + produced);
    g.state.avail_out = static_cast<uint32_t>(max - produced);
    int rc = isal_inflate(&g.state);
    size_t used = (g.in_len - g.in_pos) - g.state.avail_in;
    g.in_pos += used;
    produced = max - g.state.avail_out;
    if (rc != ISAL_DECOMP_OK) {
      error_ = rc == ISAL_INCORRECT_CHECKSUM ? "corrupt gzip: checksum mismatch"
                                             : "corrupt gzip: invalid compressed data";
      break;
    }
    if (g.state.block_state == ISAL_BLOCK_FINISH) g.in_member = false;
  }
  out.commit(produced);
  return produced > 0 || (error_.empty() && !eof_);
}

}  // namespace eksir::sources::detail
