// Correlation over the time-ordered events of one rule: counts and distinct counts in a sliding
// window, ordered sequences within a span, first sight of a value against the history covered.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include "detect/engine_impl.h"
#include "util/time_math.h"

namespace eksir::detect {
namespace {

using rules::CorrelationType;

Subject key_subject(const CompiledRule& c, std::string_view key) {
  Subject s;
  size_t start = 0;
  for (size_t i = 0; i < c.key_names.size(); ++i) {
    size_t end = key.find('\x1f', start);
    std::string v(key.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (!v.empty()) s.emplace_back(c.key_names[i], v);
    start = end == std::string::npos ? key.size() : end + 1;
  }
  return s;
}

Finding alert(const CompiledRule& c, std::string_view key, const std::vector<const Tuple*>& evs,
              std::string note) {
  Finding f = rule_finding(*c.rule);
  f.subject = key_subject(c, key);
  for (const auto& kv : *evs.front()->identity)
    if (std::none_of(f.subject.begin(), f.subject.end(),
                     [&](const auto& s) { return s.first == kv.first; }))
      f.subject.push_back(kv);
  f.dedup_key = c.rule->id + "\x1f" + std::string(key);
  f.first_seen = evs.front()->ref.time;
  f.last_seen = evs.back()->ref.time;
  f.count = evs.size();
  for (const Tuple* t : evs)
    if (f.evidence.size() < kMaxEvidence) f.evidence.push_back(t->ref.evidence());
  f.note = std::move(note);
  return f;
}

std::string key_text(const CompiledRule& c, std::string_view key) {
  std::string out;
  for (const auto& [k, v] : key_subject(c, key))
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", k, v);
  return out.empty() ? "(no key)" : out;
}

// Findings out, each folded into the previous one of its key when within the dedup window.
class Folded {
 public:
  Folded(std::vector<Finding>& out, TimeNs window) : out_(out), window_(window) {}
  void push_back(Finding&& f) {
    auto [it, fresh] = open_.try_emplace(f.dedup_key, out_.size());
    if (!fresh && within(out_[it->second].last_seen, f.first_seen, window_)) {
      merge_finding(out_[it->second], std::move(f));
      return;
    }
    it->second = out_.size();
    out_.push_back(std::move(f));
  }

 private:
  std::vector<Finding>& out_;
  TimeNs window_;
  std::unordered_map<std::string, size_t> open_;
};

void count(const CompiledRule& c, std::span<const Tuple> ts, Folded out) {
  const auto& cor = c.rule->correlation;
  std::unordered_map<std::string_view, std::deque<const Tuple*>> win;
  for (const Tuple& t : ts) {
    if (t.ref.time == kNoTime) continue;
    auto& q = win[t.key];
    q.push_back(&t);
    while (util::span_ns(q.front()->ref.time, t.ref.time) > cor.window) q.pop_front();
    if (q.size() >= cor.threshold) {
      std::vector<const Tuple*> evs(q.begin(), q.end());
      out.push_back(
          alert(c, t.key, evs,
                fmt::format("{} matching events for {} within {} (threshold {})", evs.size(),
                            key_text(c, t.key), format_duration(cor.window), cor.threshold)));
      q.clear();
    }
  }
}

void distinct(const CompiledRule& c, std::span<const Tuple> ts, Folded out) {
  const auto& cor = c.rule->correlation;
  struct Win {
    std::deque<const Tuple*> q;
    std::map<std::string_view, size_t> values;
  };
  std::unordered_map<std::string_view, Win> wins;
  for (const Tuple& t : ts) {
    if (t.ref.time == kNoTime) continue;
    Win& w = wins[t.key];
    w.q.push_back(&t);
    ++w.values[t.value];
    while (util::span_ns(w.q.front()->ref.time, t.ref.time) > cor.window) {
      auto it = w.values.find(w.q.front()->value);
      if (--it->second == 0) w.values.erase(it);
      w.q.pop_front();
    }
    if (w.values.size() >= cor.threshold) {
      std::vector<const Tuple*> evs(w.q.begin(), w.q.end());
      std::string values;
      for (const auto& [v, n] : w.values)
        values += fmt::format("{}{}", values.empty() ? "" : ", ", v);
      out.push_back(alert(c, t.key, evs,
                          fmt::format("{} distinct {} for {} within {} (threshold {}): {}",
                                      w.values.size(), cor.field, key_text(c, t.key),
                                      format_duration(cor.window), cor.threshold, values)));
      w = Win();
    }
  }
}

void sequence(const CompiledRule& c, std::span<const Tuple> ts, std::vector<Finding>& out) {
  const auto& cor = c.rule->correlation;
  const size_t n = c.steps.size();
  struct Partial {
    TimeNs start = kNoTime;
    std::vector<const Tuple*> chain;
  };
  // Per key: best[k] = the chain that completed steps 0..k-1 with the latest start.
  std::unordered_map<std::string_view, std::vector<std::optional<Partial>>> state;
  for (const Tuple& t : ts) {
    if (t.ref.time == kNoTime || t.key.empty()) continue;
    auto& best = state[t.key];
    if (best.empty()) best.resize(n + 1);
    if (t.steps & kUntilBit)  // `until`: the key's partial sequences end here
      for (auto& b : best) b.reset();
    for (size_t s = n; s-- > 0;) {
      if (!(t.steps & (1u << s))) continue;
      Partial cand;
      if (s == 0) {
        cand.start = t.ref.time;
        cand.chain = {&t};
      } else {
        if (!best[s] || util::span_ns(best[s]->start, t.ref.time) > cor.window) continue;
        cand = *best[s];
        cand.chain.push_back(&t);
      }
      if (s + 1 == n) {
        out.push_back(
            alert(c, t.key, cand.chain,
                  fmt::format("{} steps in order for {} {} (span {})", n, key_text(c, t.key),
                              cor.window == INT64_MAX ? std::string("(no time limit)")
                                                      : "within " + format_duration(cor.window),
                              format_duration(util::span_ns(cand.start, t.ref.time)))));
        for (auto& b : best) b.reset();
        break;
      }
      if (!best[s + 1] || cand.start >= best[s + 1]->start) best[s + 1] = std::move(cand);
    }
  }
}

void first_seen(const CompiledRule& c, std::span<const Tuple> ts, TimeNs evidence_start,
                std::vector<Finding>& out, std::vector<Withheld>& withheld) {
  const auto& cor = c.rule->correlation;
  std::unordered_map<std::string, bool> seen;
  Withheld w;
  for (const Tuple& t : ts) {
    if (t.key.empty()) continue;
    // A value seen in an event without a time (sorted first) is seen: a later sight of it is not
    // new. Skipping it would make the result depend on which worker kept which copy.
    if (!seen.emplace(t.key, true).second) continue;
    if (t.ref.time == kNoTime || evidence_start == kNoTime) continue;
    TimeNs covered = util::span_ns(evidence_start, t.ref.time);
    if (covered < cor.history) {  // not enough history to call it new: said once per rule
      if (w.values++ < 3) w.examples.push_back(key_text(c, t.key));
      continue;
    }
    out.push_back(alert(
        c, t.key, {&t},
        fmt::format("first seen {} at {}; the evidence covers {} before it (since {}; history "
                    "required {})",
                    key_text(c, t.key), format_time(t.ref.time), format_duration(covered),
                    format_time(evidence_start), format_duration(cor.history))));
  }
  if (w.values) {
    w.rule_id = c.rule->id;
    w.rule_title = c.rule->title;
    w.history = cor.history;
    w.evidence_start = evidence_start;
    withheld.push_back(std::move(w));
  }
}

}  // namespace

std::string Withheld::text() const {
  std::string ex;
  for (const auto& e : examples) ex += (ex.empty() ? "" : "; ") + e;
  return fmt::format(
      "{} ({}): {} value{} first seen within {} of the evidence start ({}): too soon to tell if "
      "new, not reported (e.g. {})",
      rule_title, rule_id, values, values == 1 ? "" : "s", format_duration(history),
      format_time(evidence_start), ex);
}

void correlate(const CompiledRule& c, std::span<const Tuple> tuples, TimeNs evidence_start,
               TimeNs window, std::vector<Finding>& out, std::vector<Withheld>& withheld) {
  switch (c.rule->correlation.type) {
    case CorrelationType::Count:
      count(c, tuples, Folded(out, window));
      break;
    case CorrelationType::DistinctCount:
      distinct(c, tuples, Folded(out, window));
      break;
    case CorrelationType::Sequence:
      sequence(c, tuples, out);
      break;
    case CorrelationType::FirstSeen:
      first_seen(c, tuples, evidence_start, out, withheld);
      break;
    case CorrelationType::None:
      break;
  }
}

}  // namespace eksir::detect
