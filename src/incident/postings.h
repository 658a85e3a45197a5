// Private to incident/: record indices by key, as the scope's index holds them for millions of
// records. A key is kept as two independent 64-bit hashes of its text, not the text (most keys
// of busy evidence are the one object a record names, tens of bytes each): two keys are taken for
// one only if both hashes collide, about 2^-128, as the context store tells identical requests
// apart. Each posting is a record index and a link to the key's next posting. About 8 bytes a
// posting and 30 a key, grown in blocks: no reallocation doubles what is held.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

namespace eksir::incident {

class Postings {
 public:
  // Records are added in the order they are to be read back.
  void add(std::string_view key, uint32_t record);
  // Calls f(record) for each record of key, in the order added.
  template <class F>
  void for_each(std::string_view key, F&& f) const {
    const uint32_t k = find(Print::of(key));
    if (k == kNone) return;
    for (uint32_t p = keys_[k].head; p != kNone; p = postings_[p].next) f(postings_[p].record);
  }
  // How many records key has (0 when it has none).
  size_t count(std::string_view key) const;
  size_t keys() const { return keys_.size(); }
  size_t size() const { return postings_.size(); }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Print {
    uint64_t a = 0, b = 0;
    static Print of(std::string_view key);
    bool operator==(const Print&) const = default;
  };
  struct Key {
    Print print;
    uint32_t head, tail;
  };
  struct Posting {
    uint32_t record, next;
  };
  uint32_t find(const Print& p) const;
  void grow();

  std::deque<Key> keys_;
  std::vector<uint32_t> slots_;  // open addressing: key + 1, 0 when empty
  std::deque<Posting> postings_;
};

}  // namespace eksir::incident
