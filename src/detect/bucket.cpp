#include "detect/bucket.h"
#include "util/text.h"

#include <algorithm>
#include <charconv>

namespace eksir::detect {

using query::Node;
using query::NodeKind;

namespace {

bool same_field(const std::string& field, const FieldRef& key, Source s) {
  std::string mine = FieldRef(field).describe(s);
  return !mine.empty() && mine == key.describe(s);
}

KeyConstraint both(const KeyConstraint& a, const KeyConstraint& b) {
  KeyConstraint out;
  if (!a.except && !b.except) {
    std::set_intersection(a.values.begin(), a.values.end(), b.values.begin(), b.values.end(),
                          std::inserter(out.values, out.values.end()));
  } else if (a.except && b.except) {
    out.except = true;
    out.values = a.values;
    out.values.insert(b.values.begin(), b.values.end());
  } else {
    const KeyConstraint& inc = a.except ? b : a;
    const KeyConstraint& exc = a.except ? a : b;
    for (const auto& v : inc.values)
      if (!exc.values.count(v)) out.values.insert(v);
  }
  return out;
}

}  // namespace

namespace {

// A match that equal text decides, up to ASCII case when folding.
bool keyable(const query::Pattern& p, bool fold) {
  if (p.plain()) return true;
  return fold && p.icase && p.wildcards.empty() && !p.regex && !p.fieldref && !p.cidr;
}

}  // namespace

std::optional<KeyConstraint> required_values(const Node& n, const FieldRef& key, Source s,
                                             bool fold) {
  switch (n.kind) {
    case NodeKind::Match: {
      if (!keyable(n.value, fold) || !same_field(n.field, key, s)) return std::nullopt;
      return KeyConstraint{false, {fold ? util::ascii_lower(n.value.text) : n.value.text}};
    }
    case NodeKind::Not: {
      const Node& c = n.children[0];
      if (c.kind == NodeKind::Exists && same_field(c.field, key, s))
        return KeyConstraint{false, {kAbsent}};
      // Folded, only a case-insensitive "not" excludes every spelling of its value.
      bool excludes = fold ? keyable(c.value, true) && c.value.icase : c.value.plain();
      if (c.kind == NodeKind::Match && excludes && same_field(c.field, key, s))
        return KeyConstraint{true, {fold ? util::ascii_lower(c.value.text) : c.value.text}};
      return std::nullopt;
    }
    case NodeKind::And: {
      std::optional<KeyConstraint> out;
      for (const auto& c : n.children) {
        auto v = required_values(c, key, s, fold);
        if (!v) continue;
        out = out ? both(*out, *v) : std::move(*v);
      }
      return out;
    }
    case NodeKind::Or: {
      KeyConstraint out;
      for (const auto& c : n.children) {
        auto v = required_values(c, key, s, fold);
        if (!v || v->except) return std::nullopt;
        out.values.insert(v->values.begin(), v->values.end());
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

namespace {

// A value routes only when it is plain: strings, and integers written as such.
bool routable(const std::string& v) {
  if (v.empty()) return false;
  if (v == "true" || v == "false" || v == "null") return false;
  bool digits = std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) return v.size() == 1 || v[0] != '0';
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  return !(ec == std::errc() && p == v.data() + v.size());  // other numbers: not routed
}

}  // namespace

void Buckets::build(Source s, const std::vector<std::vector<const Node*>>& trees,
                    const std::vector<uint32_t>& candidates) {
  candidates_ = candidates;
  words_ = (candidates.size() + 63) / 64;
  std::vector<std::string> names;
  if (s == Source::K8sAudit)
    names = {"verb", "objectRef.resource", "objectRef.subresource", "responseStatus.code",
             "user.username"};
  else if (s == Source::CloudTrail)
    names = {"eventSource", "eventName"};
  for (const auto& name : names) {
    FieldRef key(name);
    // Folding when that lets more rules be routed (Sigma's matches ignore case).
    auto constrained = [&](bool fold) {
      size_t n = 0;
      for (uint32_t c : candidates)
        for (const Node* t : trees[c])
          if (required_values(*t, key, s, fold)) {
            ++n;
            break;
          }
      return n;
    };
    const bool fold = constrained(true) > constrained(false);
    std::vector<std::optional<KeyConstraint>> req(candidates.size());
    std::vector<std::string> values;
    bool useful = false, ok = true;
    for (size_t i = 0; i < candidates.size() && ok; ++i) {
      // A rule with several trees (a sequence's steps) needs one of them: the union.
      std::optional<KeyConstraint> u;
      const auto& ts = trees[candidates[i]];
      if (ts.size() == 1) {
        u = required_values(*ts[0], key, s, fold);
      } else {
        for (const Node* t : ts) {
          auto v = required_values(*t, key, s, fold);
          if (!v || v->except) {
            u.reset();
            break;
          }
          if (!u) u.emplace();
          u->values.insert(v->values.begin(), v->values.end());
        }
      }
      if (u) {
        for (const auto& v : u->values) {
          if (v != kAbsent && !routable(v)) ok = false;
          if (v != kAbsent && std::find(values.begin(), values.end(), v) == values.end())
            values.push_back(v);
        }
        useful = true;
      }
      req[i] = std::move(u);
    }
    if (!useful || !ok) continue;
    // Rows: the known values, then "another value", then "no value".
    std::vector<uint64_t> masks((values.size() + 2) * words_, 0);
    for (size_t v = 0; v < values.size() + 2; ++v)
      for (size_t i = 0; i < candidates.size(); ++i) {
        bool allowed = !req[i];
        if (!allowed && v < values.size()) allowed = req[i]->allows(values[v]);
        if (!allowed && v == values.size()) allowed = req[i]->except;  // a value no rule names
        if (!allowed && v == values.size() + 1) allowed = req[i]->allows(kAbsent);
        if (allowed) masks[v * words_ + i / 64] |= 1ULL << (i % 64);
      }
    for (size_t w = 0; w < words_; ++w) constrained_.push_back(0);
    for (size_t i = 0; i < candidates.size(); ++i)
      if (req[i]) constrained_[keys_.size() * words_ + i / 64] |= 1ULL << (i % 64);
    // The audit resource field is computed (it adds "resource/subresource"); while no rule names
    // a "resource/subresource" value, the plain objectRef.resource routes the same, cheaper.
    std::string native;
    if (s == Source::K8sAudit && name == "objectRef.resource" &&
        std::none_of(values.begin(), values.end(),
                     [](const std::string& v) { return v.find('/') != std::string::npos; }))
      native = "objectRef.resource";
    if (native.empty() && key.steps(s).size() == 1 && key.steps(s)[0].kind == FieldStep::Kind::Path)
      native = key.steps(s)[0].path;
    native_.push_back(std::move(native));
    fold_.push_back(fold);
    keys_.push_back(std::move(key));
    values_.push_back(std::move(values));
    masks_.push_back(std::move(masks));
  }
  index_.assign(values_.size(), {});
  for (size_t k = 0; k < values_.size(); ++k)
    for (size_t i = 0; i < values_[k].size(); ++i)
      index_[k].emplace(values_[k][i], static_cast<uint32_t>(i));
  // One pass over the top-level keys when every key is a plain path of one or two keys.
  fast_ = !keys_.empty() && keys_.size() <= 8 && words_ <= kMaxWords;
  for (const auto& np : native_) {
    size_t dot = np.find('.');
    if (np.empty() || (dot != std::string::npos && np.find('.', dot + 1) != std::string::npos))
      fast_ = false;
    paths_.push_back(dot == std::string::npos ? Path{np, ""}
                                              : Path{np.substr(0, dot), np.substr(dot + 1)});
  }
  if (!fast_) paths_.clear();
  for (size_t k = 0; k < paths_.size(); ++k) {
    auto it = std::find_if(tops_.begin(), tops_.end(),
                           [&](const Top& t) { return t.name == paths_[k].first; });
    if (it == tops_.end()) {
      tops_.push_back({paths_[k].first, {}});
      it = tops_.end() - 1;
    }
    it->keys.push_back(k);
  }
}

size_t Buckets::value_index(size_t k, std::string_view text) const {
  std::string folded;
  if (fold_[k] &&
      std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    folded = util::ascii_lower(text);
    text = folded;
  }
  auto it = index_[k].find(text);
  return it == index_[k].end() ? values_[k].size() : it->second;
}

void Buckets::apply_value(size_t k, std::string_view text, uint64_t* any) const {
  size_t idx = value_index(k, text);
  const uint64_t* m = &masks_[k][idx * words_];
  for (size_t w = 0; w < words_; ++w) any[w] |= m[w];
}

// Most keys differ from a routing key in length or first letter: test those before memcmp.
static inline bool same_key(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || a[0] == b[0]) && a == b;
}

bool Buckets::fast_restrict(const EventView& ev, uint64_t* acc) const {
  if (!fast_) return false;
  simdjson::dom::object root;
  if (ev.doc.get_object().get(root)) return false;
  constexpr size_t kMaxKeys = 8;
  enum State : uint8_t { Absent, One, Skip };
  State state[kMaxKeys] = {};
  std::string_view text[kMaxKeys];
  char bufs[kMaxKeys][24];
  auto record = [&](size_t k, simdjson::dom::element v) {
    if (state[k] != Absent) {
      state[k] = Skip;  // a repeated key: let the rules decide
      return;
    }
    switch (v.type()) {
      case simdjson::dom::element_type::NULL_VALUE:
        return;
      case simdjson::dom::element_type::STRING:
        text[k] = v.get_string().value_unsafe();
        break;
      case simdjson::dom::element_type::INT64: {
        auto r = std::to_chars(bufs[k], bufs[k] + 24, v.get_int64().value_unsafe());
        text[k] = std::string_view(bufs[k], static_cast<size_t>(r.ptr - bufs[k]));
        break;
      }
      case simdjson::dom::element_type::UINT64: {
        auto r = std::to_chars(bufs[k], bufs[k] + 24, v.get_uint64().value_unsafe());
        text[k] = std::string_view(bufs[k], static_cast<size_t>(r.ptr - bufs[k]));
        break;
      }
      default:
        state[k] = Skip;
        return;  // arrays, objects, booleans, doubles
    }
    state[k] = One;
  };
  size_t found = 0;
  for (auto field : root) {
    std::string_view key = field.key;
    const Top* top = nullptr;
    for (const Top& t : tops_) {
      if (same_key(key, t.name)) {
        top = &t;
        break;
      }
      // A dotted key that spells a routing path ("objectRef.resource"): the slow path.
      if (key.size() > t.name.size() && key[t.name.size()] == '.' && key.starts_with(t.name))
        return false;
    }
    if (!top) continue;
    for (size_t k : top->keys) {
      const Path& p = paths_[k];
      if (p.second.empty()) {
        record(k, field.value);
        continue;
      }
      if (field.value.is_null()) continue;
      simdjson::dom::object inner;
      if (field.value.get_object().get(inner)) {
        state[k] = Skip;
        continue;
      }
      for (auto sub : inner) {
        if (same_key(sub.key, p.second)) {
          record(k, sub.value);
        } else if (sub.key.size() > p.second.size() && sub.key[p.second.size()] == '.' &&
                   sub.key.starts_with(p.second)) {
          return false;
        }
      }
    }
    // Every routing key seen: the rest of the event (request and response bodies) is not
    // looked at. (A key repeated later, or a dotted key spelling a routing path, is then not
    // noticed; evidence does not carry either.)
    if (++found == tops_.size()) break;
  }
  for (size_t k = 0; k < paths_.size(); ++k) {
    if (state[k] == Skip) continue;
    uint64_t any[kMaxWords] = {};
    if (state[k] == Absent) {
      const uint64_t* m = &masks_[k][(values_[k].size() + 1) * words_];
      for (size_t w = 0; w < words_; ++w) any[w] = m[w];
    } else {
      apply_value(k, text[k], any);
    }
    for (size_t w = 0; w < words_; ++w) acc[w] &= any[w];
  }
  return true;
}

void Buckets::restrict(size_t k, const EventView& ev, uint64_t* acc) const {
  const auto& values = values_[k];
  uint64_t any[kMaxWords] = {};
  bool seen = false, routable = true;
  auto add = [&](size_t v) {
    const uint64_t* m = &masks_[k][v * words_];
    for (size_t w = 0; w < words_; ++w) any[w] |= m[w];
  };
  auto visit = [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Null) return false;
    std::string_view text;
    char buf[24];
    if (v.type == FieldValue::Type::String) {
      text = v.str;
    } else if (v.type == FieldValue::Type::Int || v.type == FieldValue::Type::Uint) {
      auto [p, ec] = v.type == FieldValue::Type::Int ? std::to_chars(buf, buf + sizeof buf, v.i)
                                                     : std::to_chars(buf, buf + sizeof buf, v.u);
      text = std::string_view(buf, static_cast<size_t>(p - buf));
    } else {
      routable = false;
      return true;
    }
    seen = true;
    add(value_index(k, text));
    return false;
  };
  if (native_[k].empty())
    keys_[k].any(ev, visit);
  else
    FieldRef::any_in(ev.doc, native_[k], visit);
  if (!routable) return;
  if (!seen) add(values.size() + 1);
  for (size_t w = 0; w < words_; ++w) acc[w] &= any[w];
}

}  // namespace eksir::detect
