#include "sources/input.h"

#include <fcntl.h>
#include <isa-l.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

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

bool Input::read_raw(char* dst, size_t max, size_t& got) {
  got = 0;
  while (got < max) {
    ssize_t n = ::read(fd_, dst + got, max - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  disk_bytes_ += got;
  if (digest_ && got) digest_->update({dst, got});
  return true;
}

void Input::keep_digest() {
  digest_ = std::make_unique<Sha256>();
}

FileDigest Input::finish_digest() {
  FileDigest d;
  if (!digest_) {
    d.error = "not hashed";
    return d;
  }
  std::vector<char> block(1u << 20);
  for (;;) {
    size_t got = 0;
    if (!read_raw(block.data(), block.size(), got)) {
      d.error = error_;
      return d;
    }
    if (got == 0) break;
  }
  d.size = disk_bytes_;
  d.hex = digest_->hex();
  digest_.reset();
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
