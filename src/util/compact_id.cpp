#include "util/compact_id.h"

#include <algorithm>
#include <functional>

namespace eksir::util {

namespace {

constexpr size_t kUuidText = 36;

bool dash_at(size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

// No id: a UUID of zeros is kept as text, so that these bytes mean none.
bool all_zero(const std::array<uint8_t, 16>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case too: it would not read back the same
}

}  // namespace

CompactId::CompactId(std::string_view id) {
  bool uuid = id.size() == kUuidText;
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0, n = 0; uuid && i < id.size(); ++i) {
    if (dash_at(i)) {
      uuid = id[i] == '-';
      continue;
    }
    int v = hex_value(id[i]);
    if (v < 0) {
      uuid = false;
      break;
    }
    bytes[n / 2] = static_cast<uint8_t>(bytes[n / 2] | (n % 2 ? v : v << 4));
    ++n;
  }
  if (uuid && !all_zero(bytes))
    uuid_ = bytes;
  else if (!id.empty())
    other_ = std::make_unique<std::string>(id);
}

CompactId::CompactId(const CompactId& other)
    : uuid_(other.uuid_),
      other_(other.other_ ? std::make_unique<std::string>(*other.other_) : nullptr) {}

CompactId& CompactId::operator=(const CompactId& other) {
  if (this != &other) {
    uuid_ = other.uuid_;
    other_ = other.other_ ? std::make_unique<std::string>(*other.other_) : nullptr;
  }
  return *this;
}

uint64_t CompactId::hash() const {
  if (other_) return std::hash<std::string_view>()(*other_);
  return std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(uuid_.data()), uuid_.size()));
}

bool CompactId::empty() const {
  return !other_ && all_zero(uuid_);
}

std::string CompactId::str() const {
  if (other_) return *other_;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  if (all_zero(uuid_)) return out;
  out.reserve(kUuidText);
  for (size_t i = 0, n = 0; i < kUuidText; ++i) {
    if (dash_at(i)) {
      out.push_back('-');
      continue;
    }
    uint8_t b = uuid_[n / 2];
    out.push_back(kDigits[n % 2 ? b & 0xf : b >> 4]);
    ++n;
  }
  return out;
}

}  // namespace eksir::util
