// Private to detect/: routes an event to the rules that can match it, by the exact values a few
// key fields must take (audit: verb, objectRef.resource, responseStatus.code, user.username;
// CloudTrail: eventSource, eventName), derived once from each rule's match tree. Per key and
// value a bit mask of the rules allowed; an event evaluates the AND of its values' masks.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "event/fields.h"
#include "query/query.h"

namespace eksir::detect {

// What a tree requires of the values of `key` on source s: one of `values` (except = false), or
// none of them (except = true). kAbsent stands for "the field has no value".
struct KeyConstraint {
  bool except = false;
  std::set<std::string> values;
  bool allows(const std::string& v) const { return except != (values.count(v) > 0); }
};
inline const std::string kAbsent = std::string("\0absent", 7);
// nullopt when the tree does not constrain the key. With `fold`, values are lower-cased and
// ASCII-case-insensitive matches (Sigma's) constrain too: the event's value is then looked up
// lower-cased, which can only let more rules through (an exact-case "not" is not a constraint).
std::optional<KeyConstraint> required_values(const query::Node& node, const FieldRef& key, Source s,
                                             bool fold = false);

class Buckets {
 public:
  // trees[i]: the trees of rule i that an event must satisfy one of (the condition, or a
  // sequence's steps); candidates: the rules that may run on source s.
  void build(Source s, const std::vector<std::vector<const query::Node*>>& trees,
             const std::vector<uint32_t>& candidates);

  // Calls fn(rule index) for every rule that may match the event.
  template <class Fn>
  void for_each(const EventView& ev, Fn&& fn) const {
    if (keys_.empty() || words_ > kMaxWords) {
      for (uint32_t r : candidates_) fn(r);
      return;
    }
    uint64_t acc[kMaxWords];
    for (size_t w = 0; w < words_; ++w) acc[w] = ~0ULL;
    if (!fast_restrict(ev, acc))
      for (size_t k = 0; k < keys_.size(); ++k) {
        // Look the key up only when some rule still in play is constrained by it.
        uint64_t live = 0;
        const uint64_t* c = &constrained_[k * words_];
        for (size_t w = 0; w < words_; ++w) live |= acc[w] & c[w];
        if (live) restrict(k, ev, acc);
      }
    for (size_t w = 0; w < words_; ++w) {
      uint64_t bits = acc[w];
      while (bits) {
        size_t i = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        bits &= bits - 1;
        if (i < candidates_.size()) fn(candidates_[i]);
      }
    }
  }

 private:
  static constexpr size_t kMaxWords = 16;  // 1,024 rules per source; more are evaluated unrouted
  // ANDs into acc the rules that key k allows for this event: the OR of the masks of its values
  // (a Match is true when any value matches); the "other" mask when it has none; nothing when a
  // value is neither a string nor an integer.
  void restrict(size_t k, const EventView& ev, uint64_t* acc) const;
  // The same for every key in one pass over the event's top-level keys, when every key is a
  // native path of one or two plain keys; false (nothing done) when it cannot be used.
  bool fast_restrict(const EventView& ev, uint64_t* acc) const;
  void apply_value(size_t k, std::string_view text, uint64_t* any) const;
  struct Path {
    std::string first, second;  // second empty for a top-level key
  };
  std::vector<Path> paths_;  // per key, when fast_ is set
  struct Top {
    std::string name;
    std::vector<size_t> keys;  // the keys whose path starts here
  };
  std::vector<Top> tops_;  // distinct first keys, for the one pass
  bool fast_ = false;
  std::vector<uint32_t> candidates_;
  size_t words_ = 0;
  std::vector<FieldRef> keys_;
  std::vector<bool> fold_;           // per key: values looked up lower-cased
  std::vector<std::string> native_;  // per key: a native path giving the same routing, or ""
  std::vector<std::vector<std::string>> values_;
  // values_[k] by text, for one hash probe per event instead of a scan of every value.
  std::vector<std::unordered_map<std::string_view, uint32_t>> index_;
  size_t value_index(size_t k, std::string_view text) const;
  std::vector<std::vector<uint64_t>> masks_;  // per key: (values+1) x words_
  std::vector<uint64_t> constrained_;         // per key: the rules the key constrains (words_ each)
};

}  // namespace eksir::detect
