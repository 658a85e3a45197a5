#include "detect/print_spill.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <queue>

namespace eksir::detect {
namespace {

constexpr size_t kBufferPrints = 2048;  // 64 KiB

// One sorted run read back through its own buffer.
class RunReader {
 public:
  RunReader(int fd, uint64_t at, uint64_t count) : fd_(fd), at_(at), left_(count) {}
  // The next print, or false at the end (error() when the read failed).
  bool next(Print& p) {
    if (pos_ == buffer_.size()) {
      if (!left_) return false;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(left_, kBufferPrints));
      buffer_.resize(n);
      const size_t want = n * sizeof(Print);
      size_t got = 0;
      while (got < want) {
        const ssize_t r = ::pread(fd_, reinterpret_cast<char*>(buffer_.data()) + got, want - got,
                                  static_cast<off_t>(at_ + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          error_ = r == 0 ? EIO : errno;
          left_ = 0;
          return false;
        }
        got += static_cast<size_t>(r);
      }
      at_ += want;
      left_ -= n;
      pos_ = 0;
    }
    p = buffer_[pos_++];
    return true;
  }
  int error() const { return error_; }  // errno of a failed read, or 0

 private:
  int fd_;
  uint64_t at_, left_;
  std::vector<Print> buffer_;
  size_t pos_ = 0;
  int error_ = 0;
};

}  // namespace

PrintSpill::~PrintSpill() {
  if (file_) std::fclose(file_);
}

// The run being written is given up: its prints are still in the caller's memory.
bool PrintSpill::fail(const std::string& what) {
  if (error_.empty()) error_ = what + ": " + std::strerror(errno);
  if (open_ && !runs_.empty()) {
    prints_ -= runs_.back().count;
    runs_.pop_back();
  }
  open_ = false;
  buffer_ = {};
  return false;
}

bool PrintSpill::begin_run() {
  if (!error_.empty()) return false;
  if (!file_ && !(file_ = std::tmpfile())) return fail("temporary file");
  runs_.push_back({end_, 0});
  open_ = true;
  buffer_.reserve(kBufferPrints);
  return true;
}

bool PrintSpill::flush() {
  if (buffer_.empty()) return true;
  if (std::fwrite(buffer_.data(), sizeof(Print), buffer_.size(), file_) != buffer_.size())
    return fail("temporary file");
  end_ += buffer_.size() * sizeof(Print);
  runs_.back().count += buffer_.size();
  prints_ += buffer_.size();
  buffer_.clear();
  return true;
}

bool PrintSpill::add(const Print& p) {
  if (!open_) return false;
  buffer_.push_back(p);
  return buffer_.size() < kBufferPrints || flush();
}

bool PrintSpill::end_run() {
  if (!open_) return false;
  if (!flush() || std::fflush(file_) != 0) return fail("temporary file");
  open_ = false;
  buffer_ = {};
  return true;
}

bool PrintSpill::merge(std::span<PrintSpill* const> spills, std::span<const Print> in_memory,
                       const std::function<void(const Print&)>& each, std::string& error) {
  std::vector<RunReader> readers;
  for (PrintSpill* s : spills)
    if (s && s->file_)
      for (const Run& r : s->runs_)
        if (r.count) readers.emplace_back(::fileno(s->file_), r.at, r.count);
  // (print, source): source readers.size() is in_memory.
  using Head = std::pair<Print, size_t>;
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  size_t memory_at = 0;
  auto refill = [&](size_t source) {
    Print p;
    if (source == readers.size()) {
      if (memory_at < in_memory.size()) heads.emplace(in_memory[memory_at++], source);
    } else if (readers[source].next(p)) {
      heads.emplace(p, source);
    }
  };
  for (size_t i = 0; i <= readers.size(); ++i) refill(i);
  while (!heads.empty()) {
    const auto [p, source] = heads.top();
    heads.pop();
    each(p);
    refill(source);
  }
  for (const RunReader& r : readers)
    if (r.error()) {
      error = std::string("reading back the temporary file: ") + std::strerror(r.error());
      return false;
    }
  return true;
}

}  // namespace eksir::detect
