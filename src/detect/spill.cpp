// One record per tuple: its rule first, so that a run's records of one rule are contiguous.
#include "detect/spill.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace eksir::detect {
namespace {

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_text(std::string& out, std::string_view s) {
  put(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  template <class T>
  T get() {
    T v{};
    if (at_ + sizeof v > data_.size()) {
      bad_ = true;
      return v;
    }
    std::memcpy(&v, data_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string_view text() {
    const auto n = get<uint32_t>();
    if (bad_ || at_ + n > data_.size()) {
      bad_ = true;
      return {};
    }
    std::string_view s = data_.substr(at_, n);
    at_ += n;
    return s;
  }
  bool bad() const { return bad_; }

 private:
  std::string_view data_;
  size_t at_ = 0;
  bool bad_ = false;
};

}  // namespace

TupleSpill::~TupleSpill() {
  if (file_) std::fclose(file_);
}

bool TupleSpill::fail(const std::string& what) {
  if (error_.empty()) error_ = what + ": " + std::strerror(errno);
  return false;
}

bool TupleSpill::write(const std::vector<Tuple>& sorted) {
  if (!file_ && !(file_ = std::tmpfile())) return fail("temporary file");
  if (std::fseek(file_, 0, SEEK_END) != 0) return fail("temporary file");
  const long begin = std::ftell(file_);
  if (begin < 0) return fail("temporary file");
  // Written in pieces of about a megabyte: a run is the size of the budget it relieves.
  constexpr size_t kPiece = 1 << 20;
  uint64_t written = 0;
  buffer_.clear();
  std::string record;
  Run run;
  for (const Tuple& t : sorted) {
    const uint64_t at = static_cast<uint64_t>(begin) + written + buffer_.size();
    auto range = run.try_emplace(t.rule, at, at).first;
    record.clear();
    put(record, t.rule);
    put(record, t.steps);
    put(record, static_cast<uint8_t>(t.ref.source));
    put(record, t.ref.line);
    put(record, t.ref.record);
    put(record, t.ref.time);
    put_text(record, t.key);
    put_text(record, t.value);
    put_text(record, t.ref.file);
    put_text(record, t.ref.event_id);
    put(record, static_cast<uint32_t>(t.identity->size()));
    for (const auto& [k, v] : *t.identity) {
      put_text(record, k);
      put_text(record, v);
    }
    put(buffer_, static_cast<uint32_t>(record.size()));
    buffer_ += record;
    range->second.second = static_cast<uint64_t>(begin) + written + buffer_.size();
    ++rules_[t.rule];
    auto& buckets = buckets_[t.rule];
    if (buckets.empty()) buckets.assign(kKeyBuckets, 0);
    ++buckets[key_bucket(t.key)];
    if (buffer_.size() >= kPiece || &t == &sorted.back()) {
      if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
        return fail("temporary file");
      written += buffer_.size();
      buffer_.clear();
    }
  }
  runs_.push_back(std::move(run));
  tuples_ += sorted.size();
  bytes_ += written;
  buffer_ = {};
  return true;
}

bool TupleSpill::read(uint32_t rule, const std::function<bool(std::string_view)>& keep,
                      Interned& strings, std::vector<Tuple>& out) {
  if (!file_) return true;
  constexpr size_t kPiece = 1 << 20;
  std::string buf;
  for (const Run& run : runs_) {
    auto range = run.find(rule);
    if (range == run.end()) continue;
    auto [pos, to] = range->second;
    if (std::fseek(file_, static_cast<long>(pos), SEEK_SET) != 0)
      return fail("reading back the temporary file");
    buf.clear();
    size_t at = 0;
    for (;;) {
      uint32_t size = 0;
      if (buf.size() - at >= sizeof size) std::memcpy(&size, buf.data() + at, sizeof size);
      if (buf.size() - at < sizeof size || buf.size() - at < sizeof size + size) {
        if (pos == to) {
          if (at == buf.size()) break;
          errno = EINVAL;
          return fail("reading back the temporary file");
        }
        buf.erase(0, at);
        at = 0;
        const size_t n = static_cast<size_t>(std::min<uint64_t>(kPiece, to - pos));
        const size_t old = buf.size();
        buf.resize(old + n);
        if (std::fread(buf.data() + old, 1, n, file_) != n)
          return fail("reading back the temporary file");
        pos += n;
        continue;
      }
      Cursor c(std::string_view(buf).substr(at + sizeof size, size));
      at += sizeof size + size;
      Tuple t;
      t.rule = c.get<uint32_t>();
      t.steps = c.get<uint32_t>();
      t.ref.source = static_cast<Source>(c.get<uint8_t>());
      t.ref.line = c.get<uint64_t>();
      t.ref.record = c.get<uint64_t>();
      t.ref.time = c.get<TimeNs>();
      const std::string_view key = c.text();
      if (keep && !c.bad() && !keep(key)) continue;
      t.key = strings.string(key);
      t.value = strings.string(c.text());
      t.ref.file = strings.string(c.text());
      t.ref.event_id = strings.unique(c.text());
      const auto names = c.get<uint32_t>();
      Subject identity(names <= 16 ? names : 0);
      if (names > 16) c.get<std::array<char, 1 << 20>>();  // not a record this file holds
      for (auto& [k, v] : identity) {
        k = c.text();
        v = c.text();
      }
      if (c.bad() || t.rule != rule) {
        errno = EINVAL;
        return fail("reading back the temporary file");
      }
      t.identity = strings.identity(std::move(identity));
      out.push_back(t);
    }
  }
  return true;
}

}  // namespace eksir::detect
