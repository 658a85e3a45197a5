#include "incident/postings.h"

#include <functional>

#include "util/hash.h"

namespace eksir::incident {

Postings::Print Postings::Print::of(std::string_view key) {
  Print p;
  p.a = std::hash<std::string_view>{}(key);
  p.b = util::fnv1a(key);  // independent of std::hash's
  return p;
}

uint32_t Postings::find(const Print& p) const {
  if (slots_.empty()) return kNone;
  const size_t mask = slots_.size() - 1;
  for (size_t at = p.a & mask;; at = (at + 1) & mask) {
    const uint32_t slot = slots_[at];
    if (slot == 0) return kNone;
    if (keys_[slot - 1].print == p) return slot - 1;
  }
}

size_t Postings::count(std::string_view key) const {
  size_t n = 0;
  for_each(key, [&](uint32_t) { ++n; });
  return n;
}

void Postings::grow() {
  std::vector<uint32_t> slots(slots_.empty() ? 1024 : slots_.size() * 2, 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t k = 0; k < keys_.size(); ++k) {
    size_t at = keys_[k].print.a & mask;
    while (slots[at] != 0) at = (at + 1) & mask;
    slots[at] = k + 1;
  }
  slots_.swap(slots);
}

void Postings::add(std::string_view key, uint32_t record) {
  // At most three quarters full, so that a miss ends soon.
  if ((keys_.size() + 1) * 4 > slots_.size() * 3) grow();
  const Print p = Print::of(key);
  const size_t mask = slots_.size() - 1;
  size_t at = p.a & mask;
  uint32_t k = kNone;
  for (;; at = (at + 1) & mask) {
    const uint32_t slot = slots_[at];
    if (slot == 0) break;
    if (keys_[slot - 1].print == p) {
      k = slot - 1;
      break;
    }
  }
  const auto posting = static_cast<uint32_t>(postings_.size());
  postings_.push_back({record, kNone});
  if (k == kNone) {
    keys_.push_back({p, posting, posting});
    slots_[at] = static_cast<uint32_t>(keys_.size());
    return;
  }
  postings_[keys_[k].tail].next = posting;
  keys_[k].tail = posting;
}

}  // namespace eksir::incident
