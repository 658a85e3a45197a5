#include "hunt/item.h"

#include <functional>

namespace eksir::hunt {

Identity identity_of(Source source, std::string_view event_id) {
  // Two independent 64-bit hashes: the library's, and FNV-1a from another offset.
  std::string key(source_name(source));
  key.push_back('\x1f');
  key.append(event_id);
  Identity id;
  id.a = std::hash<std::string_view>{}(key);
  uint64_t h = 0x84222325cbf29ce4ull;
  for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ull;
  id.b = h;
  return id;
}

size_t IdentitySet::find(const Identity& id) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = id.b & mask;; i = (i + 1) & mask)
    if (!slots_[i].used || slots_[i].id == id) return i;
}

void IdentitySet::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  for (const auto& s : old)
    if (s.used) slots_[find(s.id)] = s;
}

bool IdentitySet::insert(const Identity& id, uint64_t value, uint64_t& first) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  Slot& s = slots_[find(id)];
  if (s.used) {
    first = s.value;
    return false;
  }
  s = {id, value, true};
  ++size_;
  first = value;
  return true;
}

uint64_t& IdentitySet::value_at(const Identity& id) {
  return slots_[find(id)].value;
}

}  // namespace eksir::hunt
