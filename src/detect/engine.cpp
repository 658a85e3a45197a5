// The rule engine: bucketed evaluation on the scan's workers, then correlation and dedup.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <map>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "detect/bucket.h"
#include "detect/engine_impl.h"
#include "detect/spill.h"
#include "detect/values.h"
#include "util/hash.h"
#include "util/time_math.h"

namespace eksir::detect {

bool evidence_before(const EvidenceRef& a, const EvidenceRef& b) {
  return place_before(a, b);
}

const Subject* Interned::identity(Subject&& s) {
  joined_.clear();
  for (const auto& [k, v] : s) {
    joined_ += k;
    joined_.push_back('\x1e');
    joined_ += v;
    joined_.push_back('\x1f');
  }
  auto it = identities_.find(joined_);
  if (it == identities_.end()) {
    bytes_ += 2 * joined_.size() + 96;
    it = identities_.emplace(joined_, std::move(s)).first;
  }
  return &it->second;
}

std::string_view Interned::unique(std::string_view s) {
  constexpr size_t kChunk = 1 << 20;
  if (s.empty()) return {};
  if (s.size() > kChunk) return string(s);
  if (chunks_.empty() || used_ + s.size() > kChunk) {
    chunks_.push_back(std::make_unique<char[]>(kChunk));
    used_ = 0;
    bytes_ += kChunk;
  }
  char* at = chunks_.back().get() + used_;
  std::memcpy(at, s.data(), s.size());
  used_ += s.size();
  return {at, s.size()};
}

Finding rule_finding(const rules::Rule& r) {
  Finding f;
  f.rule_id = r.id;
  f.rule_title = r.title;
  f.origin = r.origin;
  f.author = r.author;
  f.severity = r.severity;
  f.title = r.title;
  f.description = r.description;
  f.attack = r.attack;
  f.tactics = r.tactics;
  f.criterion = r.criterion;
  return f;
}

namespace {

// Calls add(name, text) for the IAM ARN, access key, session name and source IP of an audit or
// CloudTrail event, each when present; `text` is reused. Native paths are read through the
// event's cache: the rules have often read them already.
template <class Add>
void for_identity(const EventView& ev, std::string& text, Add&& add) {
  static const FieldRef audit_arn("user.extra.arn"), audit_canonical("user.extra.canonicalArn"),
      audit_key("user.extra.accessKeyId"), audit_session("user.extra.sessionName"),
      audit_ip("sourceIPs"), ct_arn("userIdentity.arn"), ct_key("userIdentity.accessKeyId"),
      ct_ip("sourceIPAddress");
  auto first = [&](const FieldRef& f) {
    text.clear();
    f.any(ev, [&](const FieldValue& v) {
      if (v.type == FieldValue::Type::Null) return false;
      append_value(text, v);
      return !text.empty();
    });
    return !text.empty();
  };
  if (ev.source == Source::K8sAudit) {
    if (first(audit_arn) || first(audit_canonical)) add("arn", text);
    if (first(audit_key)) add("access_key_id", text);
    if (first(audit_session)) add("session_name", text);
    if (first(audit_ip)) add("source_ip", text);
  } else if (ev.source == Source::CloudTrail) {
    if (first(ct_arn)) add("arn", text);
    if (first(ct_key)) add("access_key_id", text);
    if (first(ct_ip)) add("source_ip", text);
  }
}

}  // namespace

void add_identity(const EventView& ev, Subject& s) {
  std::string text;
  for_identity(ev, text, [&](const char* key, const std::string& v) {
    for (const auto& kv : s)
      if (kv.first == key) return;
    s.emplace_back(key, v);
  });
}

void merge_finding(Finding& cur, Finding&& f) {
  cur.count += f.count;
  if (f.last_seen != kNoTime && (cur.last_seen == kNoTime || f.last_seen > cur.last_seen))
    cur.last_seen = f.last_seen;
  for (auto& e : f.evidence)
    if (cur.evidence.size() < kMaxEvidence) cur.evidence.push_back(std::move(e));
  if (f.severity > cur.severity) cur.severity = f.severity;
}

std::vector<Finding> dedupe(std::vector<Finding> in, TimeNs window) {
  std::stable_sort(in.begin(), in.end(), [](const Finding& a, const Finding& b) {
    if (a.dedup_key != b.dedup_key) return a.dedup_key < b.dedup_key;
    return a.first_seen < b.first_seen;
  });
  // Merged in place: a second list of findings would double what the end of a run holds.
  size_t kept = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (kept && in[kept - 1].dedup_key == in[i].dedup_key &&
        within(in[kept - 1].last_seen, in[i].first_seen, window)) {
      merge_finding(in[kept - 1], std::move(in[i]));
      continue;
    }
    if (kept != i) in[kept] = std::move(in[i]);
    ++kept;
  }
  in.erase(in.begin() + static_cast<std::ptrdiff_t>(kept), in.end());
  std::vector<Finding> out = std::move(in);
  for (auto& f : out) {
    uint64_t h = util::fnv1a(f.dedup_key);
    h = util::fnv1a(format_time(f.first_seen), h);
    f.id = fmt::format("{:016x}", h);
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    if (a.first_seen != b.first_seen) return a.first_seen < b.first_seen;
    if (a.rule_id != b.rule_id) return a.rule_id < b.rule_id;
    return a.dedup_key < b.dedup_key;
  });
  return out;
}

struct Engine::Impl {
  std::vector<rules::Rule> rules;
  std::vector<CompiledRule> compiled;
  std::array<std::vector<uint32_t>, kSourceCount> single, corr;
  std::array<Buckets, kSourceCount> routes;  // single-event rules first, then correlations
  // Per compiled index, the trees an event must satisfy one of (a rule's condition, or a
  // sequence's steps and until; a watch query): what routing and the prefilter derive from.
  std::vector<std::vector<const query::Node*>> trees;
  std::vector<WorkerState> workers;
  EngineOptions options;
  std::vector<Withheld> withheld;
  // Where the evidence starts, for first_seen's history, counts only times evidence can carry:
  // one record dated 1700 must not make every value look new after centuries of history.
  util::PlausibleRange plausible = util::plausible_range(util::now_ns());
  size_t worker_budget = 0;  // bytes of correlation events a worker holds before it spills
  size_t print_budget = 0;   // bytes of fingerprints likewise: a quarter more
  SpillStats spilled;
};

namespace {
// Appends the values of fields to a correlation key, '\x1f' between fields and ',' between the
// values of one field. False when a field has no value.
bool append_key(std::string& key, const std::vector<FieldRef>& fields, const EventView& ev) {
  bool all = true;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) key.push_back('\x1f');
    const size_t before = key.size();
    fields[i].any(ev, [&](const FieldValue& v) {
      if (v.type == FieldValue::Type::Null) return false;
      if (key.size() > before) key.push_back(',');
      append_value(key, v);
      return false;
    });
    all = all && key.size() > before;
  }
  return all;
}
}  // namespace

Engine::Engine(std::vector<rules::Rule> rules, const EngineOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.rules = std::move(rules);
  m.options = options;
  m.workers.resize(std::max(1u, options.workers));
  if (options.memory) {
    m.worker_budget = std::max<size_t>(1, options.memory / m.workers.size());
    m.print_budget = std::max<size_t>(1, m.worker_budget / 4);
  }
  m.compiled.resize(m.rules.size() + options.watch.size());
  for (size_t i = 0; i < m.rules.size(); ++i) {
    const rules::Rule& r = m.rules[i];
    CompiledRule& c = m.compiled[i];
    c.rule = &r;
    c.match = query::compile(r.match);
    c.has_condition = !r.condition.empty();
    for (const auto& s : r.correlation.step_nodes) c.steps.push_back(query::compile(s));
    for (const auto& f : r.subject) c.subject.emplace_back(f);
    for (const auto& f : r.correlation.group_by) c.group_by.emplace_back(f);
    c.key_names = r.correlation.group_by;
    for (const auto& fs : r.correlation.step_by) c.step_by.emplace_back(fs.begin(), fs.end());
    if (!r.correlation.step_by.empty())
      c.key_names.insert(c.key_names.end(), r.correlation.step_by[0].begin(),
                         r.correlation.step_by[0].end());
    if (r.correlation.until) c.until = query::compile(*r.correlation.until);
    for (const auto& f : r.correlation.until_by) c.until_by.emplace_back(f);
    if (!r.correlation.field.empty()) c.field = FieldRef(r.correlation.field);
    bool correlation = c.correlation = r.correlation.type != rules::CorrelationType::None;
    for (int s = 0; s < kSourceCount; ++s) {
      Source src = static_cast<Source>(s);
      bool ok = r.sources.empty() ||
                std::find(r.sources.begin(), r.sources.end(), src) != r.sources.end();
      ok = ok && c.match.may_match(src);
      if (!c.steps.empty()) {
        bool any = false;
        for (const auto& q : c.steps) any = any || q.may_match(src);
        if (c.until) any = any || c.until->may_match(src);
        ok = ok && any;
      }
      for (const auto& g : c.group_by) ok = ok && g.applies_to(src);
      if (!c.field.name().empty()) ok = ok && c.field.applies_to(src);
      c.applies[s] = ok;
      if (ok) (correlation ? m.corr : m.single)[s].push_back(static_cast<uint32_t>(i));
    }
  }
  // Watch queries come after the rules: compiled[i] with no rule.
  std::array<std::vector<uint32_t>, kSourceCount> watched;
  for (size_t i = 0; i < m.options.watch.size(); ++i) {
    CompiledRule& c = m.compiled[m.rules.size() + i];
    c.match = query::compile(m.options.watch[i]);
    for (int s = 0; s < kSourceCount; ++s)
      if (c.match.may_match(static_cast<Source>(s)))
        watched[s].push_back(static_cast<uint32_t>(m.rules.size() + i));
  }
  // Route by key-field values: the trees whose constraints an event must meet. (m.rules and
  // m.options.watch do not change after this: the pointers hold.)
  m.trees.resize(m.compiled.size());
  for (size_t i = 0; i < m.rules.size(); ++i) {
    const rules::Rule& r = m.rules[i];
    if (r.correlation.type == rules::CorrelationType::Sequence && r.condition.empty()) {
      for (const auto& n : r.correlation.step_nodes) m.trees[i].push_back(&n);
      if (r.correlation.until) m.trees[i].push_back(&*r.correlation.until);
    } else {
      m.trees[i].push_back(&r.match);
    }
  }
  for (size_t i = 0; i < m.options.watch.size(); ++i)
    m.trees[m.rules.size() + i].push_back(&m.options.watch[i]);
  for (int s = 0; s < kSourceCount; ++s) {
    // One routing for both kinds: the event's key fields are read once.
    std::vector<uint32_t> both = m.single[s];
    both.insert(both.end(), m.corr[s].begin(), m.corr[s].end());
    both.insert(both.end(), watched[s].begin(), watched[s].end());
    m.routes[s].build(static_cast<Source>(s), m.trees, both);
  }
}

Engine::~Engine() = default;

const std::vector<Withheld>& Engine::withheld() const {
  return impl_->withheld;
}

const SpillStats& Engine::spilled() const {
  return impl_->spilled;
}

const std::vector<rules::Rule>& Engine::rules() const {
  return impl_->rules;
}

void Engine::prefilter(sources::ScanOptions& so) const {
  const Impl& m = *impl_;
  for (const rules::Rule& r : m.rules)
    if (r.correlation.type == rules::CorrelationType::FirstSeen) return;
  std::vector<query::Node> any;
  for (const auto& trees : m.trees)
    for (const query::Node* t : trees) any.push_back(*t);
  if (any.empty()) return;
  util::LiteralClauses clauses =
      query::text_literals(query::combine(query::NodeKind::Or, std::move(any)));
  if (clauses.empty()) return;
  so.prefilter = std::move(clauses);
  if (m.options.alerts) so.prefilter_guards = alert_marks();
}

namespace {

struct SourceIdHash {
  size_t operator()(const std::pair<Source, std::string_view>& k) const {
    return std::hash<std::string_view>()(k.second) ^ static_cast<size_t>(k.first);
  }
};

TupleRef tuple_ref(WorkerState& w, Interned& strings, const EventView& ev) {
  if (w.files.empty() || w.files.back() != ev.file) w.files.emplace_back(ev.file);
  return {ev.source, w.files.back(), ev.line, ev.record, ev.time, strings.unique(event_id(ev))};
}

// What a tuple read back takes in memory, about: the struct, its strings, the sort. A rule's
// events read back take at most half the budget.
constexpr uint64_t kReadBackBytes = 256;
// At most so many passes over the spill for one rule.
constexpr uint64_t kMaxParts = 256;

bool by_rule_then_place(const Tuple& a, const Tuple& b) {
  if (a.rule != b.rule) return a.rule < b.rule;
  return tuple_before(a.ref, b.ref);
}

// A worker's tuples of one rule (they are sorted by rule once the scan is done).
std::span<const Tuple> rule_tuples(const std::vector<Tuple>& tuples, uint32_t rule) {
  Tuple probe;
  probe.rule = rule;
  auto [from, to] =
      std::equal_range(tuples.begin(), tuples.end(), probe,
                       [](const Tuple& a, const Tuple& b) { return a.rule < b.rule; });
  return {from, to};
}

// Past its share of the budget, a worker writes its tuples to its spill as one sorted run and
// starts again with none. The list grows only up to the budget (doubling would reach past it,
// and hold both lists while it copies) and keeps its room after a spill: refilled, not
// reallocated and faulted in again. Should the file fail, the tuples stay in memory: never
// dropped.
void spill_if_over(WorkerState& w, size_t budget) {
  if (!budget || (w.spill && !w.spill->error().empty())) return;
  const size_t strings = w.interned.bytes();
  const size_t room = budget > strings ? (budget - strings) / sizeof(Tuple) : 0;
  if (w.tuples.size() < room) {
    if (w.tuples.size() == w.tuples.capacity())
      w.tuples.reserve(std::min(room, std::max<size_t>(64, 2 * w.tuples.capacity())));
    return;
  }
  if (!w.spill) w.spill = std::make_shared<TupleSpill>();
  std::sort(w.tuples.begin(), w.tuples.end(), by_rule_then_place);
  if (!w.spill->write(w.tuples)) return;
  w.tuples.clear();
  w.interned = Interned();
}

// After the scan, the worker's tuples (sorted by rule, those of first_seen rules among them) go
// to its spill and are freed with their strings. Should the file fail, they stay in memory.
void spill_rest(WorkerState& w) {
  if (w.tuples.empty() || (w.spill && !w.spill->error().empty())) return;
  if (!w.spill) w.spill = std::make_shared<TupleSpill>();
  if (!w.spill->write(w.tuples)) return;
  std::vector<Tuple>().swap(w.tuples);
  w.interned = Interned();
  w.first_interned = Interned();
}

}  // namespace

unsigned Engine::on_event(const EventView& event, unsigned worker) {
  uint32_t first_rule = kNoRule;
  return on_event(event, worker, first_rule);
}

unsigned Engine::on_event(const EventView& event, unsigned worker, uint32_t& first_rule) {
  first_rule = kNoRule;
  Impl& m = *impl_;
  WorkerState& w = m.workers[worker % m.workers.size()];
  EventView ev = event;
  ev.cache = &w.cache;
  w.cache.next();
  const size_t s = static_cast<size_t>(ev.source);
  if (ev.time < w.min_time[s] && m.plausible.contains(ev.time)) w.min_time[s] = ev.time;
  unsigned used = 0;
  auto on_single = [&](uint32_t idx) {
    const CompiledRule& c = m.compiled[idx];
    if (!c.match.matches(ev)) return;
    Subject& subject = w.subject;
    subject.clear();
    std::string& text = w.text;
    for (const auto& f : c.subject) {
      text.clear();
      append_field_text(text, f, ev);
      subject.emplace_back(f.name(), text);
    }
    for_identity(ev, text, [&](const char* key, const std::string& v) {
      for (const auto& kv : subject)
        if (kv.first == key) return;
      subject.emplace_back(key, v);
    });
    std::string& key = w.key;
    key = c.rule->id;
    const size_t keyed = c.subject.empty() ? subject.size() : c.subject.size();
    for (size_t k = 0; k < keyed && k < subject.size(); ++k) {
      key.push_back('\x1f');
      key.append(subject[k].second);
    }
    // Folded into its group's runs here, on the worker: finish() only merges the workers' runs.
    auto group = w.groups.find(key);
    if (group == w.groups.end()) {
      group = w.groups.emplace(key, HitGroup{}).first;
      name_group(group->second, key);
    }
    if (w.files.empty() || w.files.back() != ev.file) w.files.emplace_back(ev.file);
    HitRef at{ev.source, w.files.back(), ev.line,
              ev.record, ev.time,        util::CompactId(event_id(ev))};
    const size_t ids_before = group->second.ids.capacity();
    Run* run = add_hit(group->second, std::move(at), m.options.dedup_window);
    if (const size_t ids_now = group->second.ids.capacity(); ids_now != ids_before) {
      w.print_bytes += (ids_now - ids_before) * sizeof(group->second.ids[0]);
      if (m.print_budget && w.print_bytes > m.print_budget) spill_prints(w);
    }
    if (run) {
      run->rule = idx;
      run->subject.clear();
      for (const auto& [k, v] : subject)
        if (!v.empty()) run->subject.emplace_back(w.run_strings.string(k), w.run_strings.string(v));
      run->description = c.rule->render ? c.rule->render(ev) : std::string();
    }
    if (first_rule == kNoRule) first_rule = idx;
    used |= kFedHit;
  };
  auto on_correlation = [&](uint32_t idx) {
    const CompiledRule& c = m.compiled[idx];
    uint32_t steps = 0;
    if (!c.steps.empty()) {
      if (c.has_condition && !c.match.matches(ev)) return;
      for (size_t i = 0; i < c.steps.size(); ++i)
        if (c.steps[i].matches(ev)) steps |= 1u << i;
      if (c.until && c.until->matches(ev)) steps |= kUntilBit;
      if (!steps) return;
    } else if (!c.match.matches(ev)) {
      return;
    }
    std::string& key = w.key;
    key.clear();
    append_key(key, c.group_by, ev);
    if (!c.step_by.empty() || !c.until_by.empty()) {
      // Per-step join fields: one tuple per distinct key, holding the steps keyed by it.
      const std::string base = key;
      std::vector<std::pair<std::string, uint32_t>> keyed;
      for (size_t i = 0; i <= c.steps.size(); ++i) {
        const uint32_t bit = i < c.steps.size() ? 1u << i : kUntilBit;
        if (!(steps & bit)) continue;
        const auto& by = i < c.steps.size() ? c.step_by[i] : c.until_by;
        std::string k = base;
        if (!k.empty() || !c.group_by.empty()) k.push_back('\x1f');
        if (!append_key(k, by, ev)) continue;  // a join value is missing: no key to join on
        auto it = std::find_if(keyed.begin(), keyed.end(), [&](auto& p) { return p.first == k; });
        if (it == keyed.end())
          keyed.emplace_back(std::move(k), bit);
        else
          it->second |= bit;
      }
      for (auto& [k, mask] : keyed) {
        Tuple t;
        t.rule = idx;
        t.steps = mask;
        t.key = w.interned.string(k);
        t.ref = tuple_ref(w, w.interned, ev);
        Subject identity;
        add_identity(ev, identity);
        t.identity = w.interned.identity(std::move(identity));
        w.tuples.push_back(t);
        spill_if_over(w, m.worker_budget);
        used |= kFedCorrelation;
      }
      return;
    }
    const bool first_seen = c.rule->correlation.type == rules::CorrelationType::FirstSeen;
    if (first_seen) {
      // Keep the earliest event of each key: one tuple per key, not one per event.
      key.append(reinterpret_cast<const char*>(&idx), sizeof idx);
      auto it = w.first.find(key);
      if (it != w.first.end()) {
        if (!place_before(ev, it->second.ref)) return;
      }
      key.resize(key.size() - sizeof idx);
    }
    Interned& strings = first_seen ? w.first_interned : w.interned;
    Tuple t;
    t.rule = idx;
    t.steps = steps;
    if (!c.field.name().empty()) {
      const std::string value = field_text(c.field, ev);
      if (value.empty()) return;
      t.value = strings.string(value);
    }
    t.key = strings.string(key);
    t.ref = tuple_ref(w, strings, ev);
    Subject identity;
    add_identity(ev, identity);
    t.identity = strings.identity(std::move(identity));
    if (first_seen) {
      key.append(reinterpret_cast<const char*>(&idx), sizeof idx);
      w.first.insert_or_assign(key, t);
      used |= kFedCorrelation;
      return;
    }
    w.tuples.push_back(t);
    spill_if_over(w, m.worker_budget);
    used |= kFedCorrelation;
  };
  const size_t watch_from = m.rules.size();
  m.routes[s].for_each(ev, [&](uint32_t idx) {
    if (idx >= watch_from) {
      if (!(used & kFedWatch) && m.compiled[idx].match.matches(ev)) used |= kFedWatch;
    } else if (m.compiled[idx].correlation)
      on_correlation(idx);
    else
      on_single(idx);
  });
  if (m.options.alerts && ev.source != Source::CloudTrail && ev.source != Source::K8sAudit)
    if (auto f = alert_finding(ev)) {
      w.alerts.push_back(std::move(*f));
      used |= kFedHit;
    }
  return used;
}

// The part of its rule's read-back each key bucket goes to: consecutive buckets, each part's
// events about half the budget. Parts by a hash of the key modulo their number came out up to
// 2.6 times that when a few keys hold most events; counted by bucket as the events went to the
// spill, the parts are even but for a bucket bigger than a part. Empty: one part.
std::vector<uint16_t> key_parts(const std::vector<WorkerState>& workers, size_t memory,
                                uint32_t rule) {
  if (!memory) return {};
  std::vector<uint64_t> count(kKeyBuckets, 0);
  bool spilled = false;
  for (const auto& w : workers) {
    if (w.spill)
      if (const std::vector<uint32_t>* b = w.spill->key_buckets(rule)) {
        for (size_t i = 0; i < kKeyBuckets; ++i) count[i] += (*b)[i];
        spilled = true;
      }
    for (const Tuple& t : rule_tuples(w.tuples, rule)) ++count[key_bucket(t.key)];
  }
  if (!spilled) return {};  // all of it was in memory already
  uint64_t total = 0;
  for (uint64_t n : count) total += n;
  const uint64_t target =
      std::max<uint64_t>({1, memory / (2 * kReadBackBytes), (total + kMaxParts - 1) / kMaxParts});
  if (total <= target) return {};
  std::vector<uint16_t> part_of(kKeyBuckets, 0);
  uint64_t in_part = 0;
  uint16_t part = 0;
  for (size_t i = 0; i < kKeyBuckets; ++i) {
    if (in_part && in_part + count[i] > target && uint64_t{part} + 1 < kMaxParts) {
      ++part;
      in_part = 0;
    }
    part_of[i] = part;
    in_part += count[i];
  }
  return part_of;
}

std::vector<Finding> Engine::finish() {
  Impl& m = *impl_;
  m.withheld.clear();
  std::vector<Finding> raw;
  std::array<TimeNs, kSourceCount> start;
  start.fill(INT64_MAX);
  std::vector<Finding> alerts;
  for (auto& w : m.workers) {
    for (auto& [k, t] : w.first) w.tuples.push_back(t);
    w.first.clear();
    std::sort(w.tuples.begin(), w.tuples.end(), by_rule_then_place);
    for (auto& a : w.alerts) alerts.push_back(std::move(a));
    for (int s = 0; s < kSourceCount; ++s) start[s] = std::min(start[s], w.min_time[s]);
  }
  // The same alert read twice (two exports of the same findings) counts once; its other
  // locations are kept as evidence.
  std::sort(alerts.begin(), alerts.end(), [](const Finding& a, const Finding& b) {
    return evidence_before(a.evidence[0], b.evidence[0]);
  });
  std::unordered_map<std::string, size_t> first_copy;
  for (auto& a : alerts) {
    const EvidenceRef& ref = a.evidence[0];
    if (!ref.event_id.empty()) {
      auto key =
          fmt::format("{}\x1f{}\x1f{}", a.origin, static_cast<int>(ref.source), ref.event_id);
      auto [it, fresh] = first_copy.emplace(std::move(key), raw.size());
      if (!fresh) {
        Finding& first = raw[it->second];
        if (first.evidence.size() < kMaxEvidence) first.evidence.push_back(ref);
        continue;
      }
    }
    raw.push_back(std::move(a));
  }
  // Once a worker has spilled, what the workers still hold goes to their spills as well: it is
  // read back rule by rule like the rest, and does not sit beside the findings being made (a
  // budget's worth of events, a quarter of the peak on weeks of evidence).
  bool spilt = false;
  for (const auto& w : m.workers) spilt = spilt || (w.spill && w.spill->error().empty());
  if (spilt)
    for (auto& w : m.workers) spill_rest(w);
  // The correlation rules' findings first, into their own list: the rules' events are read back
  // while the single-event rules' hits are still runs, which take less than the findings they
  // become. They are joined after, in the order they always were.
  std::vector<Finding> correlated;

  // One rule at a time: its tuples from each worker's memory and spill, in evidence order.
  std::set<uint32_t> rules;
  for (auto& w : m.workers) {
    for (size_t i = 0; i < w.tuples.size(); ++i)  // sorted by rule
      if (i == 0 || w.tuples[i].rule != w.tuples[i - 1].rule) rules.insert(w.tuples[i].rule);
    if (w.spill)
      for (const auto& [rule, n] : w.spill->rules()) rules.insert(rule);
  }
  std::vector<Tuple> mine;
  // A rule's correlation findings are merged as soon as the rule is done, so that what is held
  // until the end is the findings, not every window that fired over weeks of evidence. Not for
  // a rule whose id another rule shares: their findings merge with each other's.
  std::map<std::string_view, int> ids;
  for (const auto& r : m.rules) ++ids[r.id];
  for (uint32_t rule : rules) {
    const CompiledRule& c = m.compiled[rule];
    const size_t rule_begin = correlated.size();
    TimeNs ev_start = INT64_MAX;
    for (int s = 0; s < kSourceCount; ++s)
      if (c.applies[s]) ev_start = std::min(ev_start, start[s]);
    // A rule with more events than the budget holds is correlated in parts by key: each key's
    // events are one part's, and the correlation of one key never looks at another's. Not
    // first_seen (its withheld examples are across keys), nor sequences joined per step (an
    // event then has several keys).
    const bool by_key = c.rule->correlation.type != rules::CorrelationType::FirstSeen &&
                        c.step_by.empty() && c.until_by.empty();
    const std::vector<uint16_t> part_of =
        by_key ? key_parts(m.workers, m.options.memory, rule) : std::vector<uint16_t>();
    const uint64_t parts = part_of.empty() ? 1 : 1 + uint64_t{part_of.back()};  // in order
    for (uint64_t part = 0; part < parts; ++part) {
      auto keep = [&](std::string_view key) {
        return parts == 1 || part_of[key_bucket(key)] == part;
      };
      mine.clear();
      Interned read_back;
      for (auto& w : m.workers) {
        for (const Tuple& t : rule_tuples(w.tuples, rule))
          if (keep(t.key)) mine.push_back(t);
        if (w.spill && !w.spill->read(rule, keep, read_back, mine)) m.spilled.lost = true;
      }
      std::sort(mine.begin(), mine.end(), by_rule_then_place);
      // Copies of one event (the same log read twice) count once: compacted in place.
      std::unordered_set<std::pair<Source, std::string_view>, SourceIdHash> ids;
      size_t end = 0;
      for (size_t k = 0; k < mine.size(); ++k) {
        const auto& ref = mine[k].ref;
        if (!ref.event_id.empty() && !ids.emplace(ref.source, ref.event_id).second) continue;
        mine[end++] = mine[k];
      }
      decltype(ids)().swap(ids);
      if (!end) continue;
      correlate(c, std::span<const Tuple>(mine.data(), end),
                ev_start == INT64_MAX ? kNoTime : ev_start, m.options.dedup_window, correlated,
                m.withheld);
    }
    if (correlated.size() - rule_begin > 1 && ids[c.rule->id] == 1) {
      std::vector<Finding> own(std::make_move_iterator(correlated.begin() + rule_begin),
                               std::make_move_iterator(correlated.end()));
      correlated.erase(correlated.begin() + rule_begin, correlated.end());
      for (auto& f : dedupe(std::move(own), m.options.dedup_window))
        correlated.push_back(std::move(f));
    }
  }
  mine = {};
  findings_from_hits(m.rules, m.workers, m.options.dedup_window, raw, m.spilled);
  raw.reserve(raw.size() + correlated.size());
  for (auto& f : correlated) raw.push_back(std::move(f));
  correlated = {};
  for (const auto& w : m.workers)
    if (w.spill) {
      m.spilled.tuples += w.spill->tuples();
      m.spilled.runs += w.spill->runs();
      m.spilled.bytes += w.spill->bytes();
      if (m.spilled.error.empty()) m.spilled.error = w.spill->error();
    }
  for (auto& w : m.workers) w.reset();  // the tuples' strings live there
  return dedupe(std::move(raw), m.options.dedup_window);
}

}  // namespace eksir::detect
