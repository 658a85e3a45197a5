#include "hunt/time_order.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>

namespace eksir::hunt {
namespace {

constexpr size_t kRunBuffer = 64 << 10;
constexpr size_t kHeldOverhead = sizeof(TimeNs) + sizeof(uint64_t) + sizeof(std::string);

// An unnamed temporary file in $TMPDIR (else /tmp): unlinked at once, so nothing is left behind
// whatever ends the process.
std::FILE* temporary_file(std::string& error) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/eksir-hunt-sort-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) {
    error = fmt::format("cannot create a temporary file in {}: {}", path.substr(0, path.rfind('/')),
                        std::strerror(errno));
    return nullptr;
  }
  unlink(path.c_str());
  std::FILE* f = fdopen(fd, "w+b");
  if (!f) {
    close(fd);
    error = fmt::format("cannot open a temporary file: {}", std::strerror(errno));
  }
  return f;
}

}  // namespace

TimeOrder::~TimeOrder() {
  for (auto* f : runs_) std::fclose(f);
}

bool TimeOrder::before(TimeNs ta, uint64_t sa, TimeNs tb, uint64_t sb) {
  // No time sorts after every time.
  bool na = ta == kNoTime, nb = tb == kNoTime;
  if (na != nb) return nb;
  if (ta != tb) return ta < tb;
  return sa < sb;
}

void TimeOrder::trim() {
  if (!limit_ || held_.size() <= limit_) return;
  auto cmp = [](const Held& a, const Held& b) { return before(a.time, a.seq, b.time, b.seq); };
  std::nth_element(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(limit_ - 1),
                   held_.end(), cmp);
  const Held& last = held_[limit_ - 1];
  cutoff_time_ = last.time;
  cutoff_seq_ = last.seq;
  have_cutoff_ = true;
  held_.resize(limit_);
  held_bytes_ = 0;
  for (const auto& h : held_) held_bytes_ += h.item.size() + kHeldOverhead;
}

bool TimeOrder::add(TimeNs time, uint64_t seq, std::string item) {
  if (!error_.empty()) return false;
  if (have_cutoff_ && !before(time, seq, cutoff_time_, cutoff_seq_)) return true;
  held_bytes_ += item.size() + kHeldOverhead;
  held_.push_back({time, seq, std::move(item)});
  if (limit_ && held_.size() >= std::max<uint64_t>(2 * limit_, 1024)) trim();
  if (held_bytes_ > budget_) {
    trim();
    if (held_bytes_ > budget_) return spill();
  }
  return true;
}

bool TimeOrder::spill() {
  std::sort(held_.begin(), held_.end(),
            [](const Held& a, const Held& b) { return before(a.time, a.seq, b.time, b.seq); });
  std::FILE* f = temporary_file(error_);
  if (!f) return false;
  runs_.push_back(f);
  buffers_.push_back(std::make_unique<char[]>(kRunBuffer));
  std::setvbuf(f, buffers_.back().get(), _IOFBF, kRunBuffer);
  for (const auto& h : held_) {
    uint64_t n = h.item.size();
    bool ok = std::fwrite(&h.time, 8, 1, f) == 1 && std::fwrite(&h.seq, 8, 1, f) == 1 &&
              std::fwrite(&n, 8, 1, f) == 1 && (n == 0 || std::fwrite(h.item.data(), n, 1, f) == 1);
    if (!ok) {
      error_ = fmt::format("cannot write the matches to sort to a temporary file: {}",
                           std::strerror(errno));
      return false;
    }
    spilled_ += n + 24;
  }
  if (std::fflush(f) != 0 || std::fseek(f, 0, SEEK_SET) != 0) {
    error_ = fmt::format("cannot write the matches to sort to a temporary file: {}",
                         std::strerror(errno));
    return false;
  }
  held_.clear();
  held_.shrink_to_fit();
  held_bytes_ = 0;
  return true;
}

bool TimeOrder::drain(const std::function<bool(std::string_view item)>& fn) {
  if (!error_.empty()) return false;
  std::sort(held_.begin(), held_.end(),
            [](const Held& a, const Held& b) { return before(a.time, a.seq, b.time, b.seq); });
  if (runs_.empty()) {
    uint64_t n = 0;
    for (const auto& h : held_) {
      if (limit_ && n++ >= limit_) break;
      if (!fn(h.item)) break;
    }
    return true;
  }
  // A k-way merge of the runs on disk and what is still held (source runs_.size()).
  struct Head {
    TimeNs time;
    uint64_t seq;
    size_t source;
    std::string item;
  };
  std::vector<size_t> next_held(1, 0);
  auto read = [&](size_t source, Head& h) -> bool {
    h.source = source;
    if (source == runs_.size()) {
      if (next_held[0] >= held_.size()) return false;
      Held& x = held_[next_held[0]++];
      h.time = x.time;
      h.seq = x.seq;
      h.item = std::move(x.item);
      return true;
    }
    std::FILE* f = runs_[source];
    uint64_t n = 0;
    if (std::fread(&h.time, 8, 1, f) != 1) {
      if (std::ferror(f)) error_ = "cannot read back the matches sorted in a temporary file";
      return false;
    }
    if (std::fread(&h.seq, 8, 1, f) != 1 || std::fread(&n, 8, 1, f) != 1) {
      error_ = "a temporary file of sorted matches is cut short";
      return false;
    }
    h.item.resize(n);
    if (n && std::fread(h.item.data(), n, 1, f) != 1) {
      error_ = "a temporary file of sorted matches is cut short";
      return false;
    }
    return true;
  };
  auto later = [](const Head& a, const Head& b) { return before(b.time, b.seq, a.time, a.seq); };
  std::priority_queue<Head, std::vector<Head>, decltype(later)> heads(later);
  for (size_t s = 0; s <= runs_.size(); ++s) {
    Head h;
    if (read(s, h)) heads.push(std::move(h));
    if (!error_.empty()) return false;
  }
  uint64_t n = 0;
  while (!heads.empty()) {
    Head h = std::move(const_cast<Head&>(heads.top()));
    heads.pop();
    if (limit_ && n++ >= limit_) break;
    if (!fn(h.item)) break;
    Head next;
    if (read(h.source, next)) heads.push(std::move(next));
    if (!error_.empty()) return false;
  }
  return true;
}

}  // namespace eksir::hunt
