#include "util/compact_id.h"

#include <algorithm>
#include <functional>

#include "util/uuid.h"

namespace eksir::util {

namespace {

// No id: a UUID of zeros is kept as text, so that these bytes mean none.
bool all_zero(const Uuid& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

CompactId::CompactId(std::string_view id) {
  auto bytes = parse_uuid(id);
  // Upper case is kept as text: it would not read back the same.
  if (bytes && std::any_of(id.begin(), id.end(), [](char c) { return c >= 'A' && c <= 'F'; }))
    bytes.reset();
  if (bytes && !all_zero(*bytes))
    uuid_ = *bytes;
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
  return all_zero(uuid_) ? std::string() : format_uuid(uuid_);
}

}  // namespace eksir::util
