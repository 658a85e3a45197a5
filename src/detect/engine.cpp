// The rule engine: bucketed evaluation on the scan's workers, then correlation and dedup.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "detect/bucket.h"
#include "detect/engine_impl.h"
#include "detect/values.h"

namespace eksir::detect {

bool evidence_before(const EvidenceRef& a, const EvidenceRef& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.file != b.file) return a.file < b.file;
  if (a.line != b.line) return a.line < b.line;
  return a.record < b.record;
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
  f.criterion = r.criterion;
  return f;
}

namespace {

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool within(TimeNs a, TimeNs b, TimeNs window) {
  if (a == kNoTime || b == kNoTime) return true;
  return b - a <= window;
}

}  // namespace

// The identity of who acted on EKS: IAM ARN, access key, session, source IP.
void add_identity(const EventView& ev, Subject& s) {
  auto add = [&](const char* key, std::string v) {
    if (v.empty()) return;
    for (const auto& kv : s)
      if (kv.first == key) return;
    s.emplace_back(key, std::move(v));
  };
  auto d = ev.doc;
  if (ev.source == Source::K8sAudit) {
    add("arn", first_path(d, {"user.extra.arn", "user.extra.canonicalArn"}));
    add("access_key_id", path_text(d, "user.extra.accessKeyId"));
    add("session_name", path_text(d, "user.extra.sessionName"));
    add("source_ip", path_text(d, "sourceIPs"));
  } else if (ev.source == Source::CloudTrail) {
    add("arn", path_text(d, "userIdentity.arn"));
    add("access_key_id", path_text(d, "userIdentity.accessKeyId"));
    add("source_ip", path_text(d, "sourceIPAddress"));
  }
}

std::vector<Finding> dedupe(std::vector<Finding> in, TimeNs window) {
  std::stable_sort(in.begin(), in.end(), [](const Finding& a, const Finding& b) {
    if (a.dedup_key != b.dedup_key) return a.dedup_key < b.dedup_key;
    return a.first_seen < b.first_seen;
  });
  std::vector<Finding> out;
  for (auto& f : in) {
    if (!out.empty() && out.back().dedup_key == f.dedup_key &&
        within(out.back().last_seen, f.first_seen, window)) {
      Finding& cur = out.back();
      cur.count += f.count;
      if (f.last_seen != kNoTime && (cur.last_seen == kNoTime || f.last_seen > cur.last_seen))
        cur.last_seen = f.last_seen;
      for (auto& e : f.evidence)
        if (cur.evidence.size() < kMaxEvidence) cur.evidence.push_back(std::move(e));
      if (f.severity > cur.severity) cur.severity = f.severity;
      continue;
    }
    out.push_back(std::move(f));
  }
  for (auto& f : out) {
    uint64_t h = fnv1a(f.dedup_key);
    h = fnv1a(format_time(f.first_seen), h);
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
  std::array<Buckets, kSourceCount> single_b, corr_b;
  std::vector<WorkerState> workers;
  EngineOptions options;
};

Engine::Engine(std::vector<rules::Rule> rules, const EngineOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.rules = std::move(rules);
  m.options = options;
  m.workers.resize(std::max(1u, options.workers));
  m.compiled.resize(m.rules.size());
  for (size_t i = 0; i < m.rules.size(); ++i) {
    const rules::Rule& r = m.rules[i];
    CompiledRule& c = m.compiled[i];
    c.rule = &r;
    c.match = query::compile(r.match);
    c.has_condition = !r.condition.empty();
    for (const auto& s : r.correlation.step_nodes) c.steps.push_back(query::compile(s));
    for (const auto& f : r.subject) c.subject.emplace_back(f);
    for (const auto& f : r.correlation.group_by) c.group_by.emplace_back(f);
    if (!r.correlation.field.empty()) c.field = FieldRef(r.correlation.field);
    bool correlation = r.correlation.type != rules::CorrelationType::None;
    for (int s = 0; s < kSourceCount; ++s) {
      Source src = static_cast<Source>(s);
      bool ok = r.sources.empty() ||
                std::find(r.sources.begin(), r.sources.end(), src) != r.sources.end();
      ok = ok && c.match.may_match(src);
      if (!c.steps.empty()) {
        bool any = false;
        for (const auto& q : c.steps) any = any || q.may_match(src);
        ok = ok && any;
      }
      for (const auto& g : c.group_by) ok = ok && g.applies_to(src);
      if (!c.field.name().empty()) ok = ok && c.field.applies_to(src);
      c.applies[s] = ok;
      if (ok) (correlation ? m.corr : m.single)[s].push_back(static_cast<uint32_t>(i));
    }
  }
  // Route by key-field values: the trees whose constraints an event must meet.
  std::vector<std::vector<const query::Node*>> trees(m.rules.size());
  for (size_t i = 0; i < m.rules.size(); ++i) {
    const rules::Rule& r = m.rules[i];
    if (r.correlation.type == rules::CorrelationType::Sequence && r.condition.empty()) {
      for (const auto& n : r.correlation.step_nodes) trees[i].push_back(&n);
    } else {
      trees[i].push_back(&r.match);
    }
  }
  for (int s = 0; s < kSourceCount; ++s) {
    m.single_b[s].build(static_cast<Source>(s), trees, m.single[s]);
    m.corr_b[s].build(static_cast<Source>(s), trees, m.corr[s]);
  }
}

Engine::~Engine() = default;

const std::vector<rules::Rule>& Engine::rules() const {
  return impl_->rules;
}

unsigned Engine::on_event(const EventView& ev, unsigned worker) {
  Impl& m = *impl_;
  WorkerState& w = m.workers[worker % m.workers.size()];
  const size_t s = static_cast<size_t>(ev.source);
  if (ev.time != kNoTime && ev.time < w.min_time[s]) w.min_time[s] = ev.time;
  unsigned used = 0;
  m.single_b[s].for_each(ev, [&](uint32_t idx) {
    const CompiledRule& c = m.compiled[idx];
    if (!c.match.matches(ev)) return;
    Hit h;
    h.rule = idx;
    for (const auto& f : c.subject) h.subject.emplace_back(f.name(), field_text(f, ev));
    add_identity(ev, h.subject);
    h.ref = {ev.source, std::string(ev.file), ev.line, ev.record, ev.time, event_id(ev)};
    if (c.rule->render) h.description = c.rule->render(ev);
    w.hits.push_back(std::move(h));
    used |= kFedHit;
  });
  m.corr_b[s].for_each(ev, [&](uint32_t idx) {
    const CompiledRule& c = m.compiled[idx];
    uint32_t steps = 0;
    if (!c.steps.empty()) {
      if (c.has_condition && !c.match.matches(ev)) return;
      for (size_t i = 0; i < c.steps.size(); ++i)
        if (c.steps[i].matches(ev)) steps |= 1u << i;
      if (!steps) return;
    } else if (!c.match.matches(ev)) {
      return;
    }
    std::string& key = w.key;
    key.clear();
    for (size_t i = 0; i < c.group_by.size(); ++i) {
      if (i) key.push_back('\x1f');
      c.group_by[i].any(ev, [&](const FieldValue& v) {
        if (v.type == FieldValue::Type::Null) return false;
        if (key.size() && key.back() != '\x1f') key.push_back(',');
        append_value(key, v);
        return false;
      });
    }
    const bool first_seen = c.rule->correlation.type == rules::CorrelationType::FirstSeen;
    if (first_seen) {
      // Keep the earliest event of each key: one tuple per key, not one per event.
      key.append(reinterpret_cast<const char*>(&idx), sizeof idx);
      auto it = w.first.find(key);
      if (it != w.first.end()) {
        const EvidenceRef& old = it->second.ref;
        bool earlier = ev.time != old.time   ? ev.time < old.time
                       : ev.file != old.file ? ev.file < old.file
                       : ev.line != old.line ? ev.line < old.line
                                             : ev.record < old.record;
        if (!earlier) return;
      }
      key.resize(key.size() - sizeof idx);
    }
    Tuple t;
    t.rule = idx;
    t.steps = steps;
    t.key = key;
    if (!c.field.name().empty()) {
      t.value = field_text(c.field, ev);
      if (t.value.empty()) return;
    }
    t.ref = {ev.source, std::string(ev.file), ev.line, ev.record, ev.time, event_id(ev)};
    add_identity(ev, t.identity);
    if (first_seen) {
      key.append(reinterpret_cast<const char*>(&idx), sizeof idx);
      w.first.insert_or_assign(key, std::move(t));
      used |= kFedCorrelation;
      return;
    }
    w.tuples.push_back(std::move(t));
    used |= kFedCorrelation;
  });
  if (m.options.alerts && ev.source != Source::CloudTrail && ev.source != Source::K8sAudit)
    if (auto f = alert_finding(ev)) {
      w.alerts.push_back(std::move(*f));
      used |= kFedHit;
    }
  return used;
}

std::vector<Finding> Engine::finish() {
  Impl& m = *impl_;
  std::vector<Finding> raw;
  std::vector<Hit> hits;
  std::vector<Tuple> tuples;
  std::array<TimeNs, kSourceCount> start;
  start.fill(INT64_MAX);
  for (auto& w : m.workers) {
    for (auto& h : w.hits) hits.push_back(std::move(h));
    for (auto& t : w.tuples) tuples.push_back(std::move(t));
    for (auto& [k, t] : w.first) tuples.push_back(std::move(t));
    for (auto& a : w.alerts) raw.push_back(std::move(a));
    for (int s = 0; s < kSourceCount; ++s) start[s] = std::min(start[s], w.min_time[s]);
    w = WorkerState();
  }
  // The same event read twice (an S3 delivery and a lookup-events export, two copies of an audit
  // log) counts once; its other locations are kept as evidence.
  std::unordered_map<std::string, size_t> first_copy;
  // `holder`: the index in raw of the finding that will hold the event if it is a first copy.
  auto copy_of = [&](const std::string& rule, const EvidenceRef& ref, size_t holder) -> Finding* {
    if (ref.event_id.empty()) return nullptr;
    auto key = fmt::format("{}\x1f{}\x1f{}", rule, static_cast<int>(ref.source), ref.event_id);
    auto [it, fresh] = first_copy.emplace(std::move(key), holder);
    return fresh ? nullptr : &raw[it->second];
  };
  std::vector<Finding> alerts = std::move(raw);
  raw.clear();
  std::sort(alerts.begin(), alerts.end(), [](const Finding& a, const Finding& b) {
    return evidence_before(a.evidence[0], b.evidence[0]);
  });
  for (auto& a : alerts) {
    if (Finding* first = copy_of(a.origin, a.evidence[0], raw.size())) {
      if (first->evidence.size() < kMaxEvidence) first->evidence.push_back(a.evidence[0]);
      continue;
    }
    raw.push_back(std::move(a));
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.rule != b.rule) return a.rule < b.rule;
    return evidence_before(a.ref, b.ref);
  });
  // Hits of one rule on one subject within the dedup window become one finding here, rather than
  // a finding each for dedupe() to fold: a rule matching thousands of events builds a handful.
  // The order and the merge rule are dedupe()'s, so the result is the same.
  std::vector<std::string> keys(hits.size());
  for (size_t i = 0; i < hits.size(); ++i) {
    const rules::Rule& r = m.rules[hits[i].rule];
    keys[i] = r.id;
    size_t keyed = r.subject.empty() ? hits[i].subject.size() : r.subject.size();
    for (size_t k = 0; k < keyed && k < hits[i].subject.size(); ++k)
      keys[i] += "\x1f" + hits[i].subject[k].second;
  }
  std::vector<size_t> order(hits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (keys[a] != keys[b]) return keys[a] < keys[b];
    return hits[a].ref.time < hits[b].ref.time;
  });
  size_t open = SIZE_MAX;  // the finding in raw that the current run of hits adds to
  for (size_t i : order) {
    Hit& h = hits[i];
    const rules::Rule& r = m.rules[h.rule];
    bool joins = open != SIZE_MAX && raw[open].dedup_key == keys[i] &&
                 within(raw[open].last_seen, h.ref.time, m.options.dedup_window);
    if (Finding* first = copy_of(r.id, h.ref, joins ? open : raw.size())) {
      if (first->evidence.size() < kMaxEvidence) first->evidence.push_back(std::move(h.ref));
      continue;
    }
    if (joins) {
      Finding& cur = raw[open];
      cur.count += 1;
      if (h.ref.time != kNoTime && (cur.last_seen == kNoTime || h.ref.time > cur.last_seen))
        cur.last_seen = h.ref.time;
      if (cur.evidence.size() < kMaxEvidence) cur.evidence.push_back(std::move(h.ref));
      continue;
    }
    Finding f = rule_finding(r);
    if (!h.description.empty()) f.description = std::move(h.description);
    f.first_seen = f.last_seen = h.ref.time;
    f.dedup_key = std::move(keys[i]);
    for (auto& kv : h.subject)
      if (!kv.second.empty()) f.subject.push_back(std::move(kv));
    f.evidence.push_back(std::move(h.ref));
    raw.push_back(std::move(f));
    open = raw.size() - 1;
  }
  std::sort(tuples.begin(), tuples.end(), [](const Tuple& a, const Tuple& b) {
    if (a.rule != b.rule) return a.rule < b.rule;
    return evidence_before(a.ref, b.ref);
  });
  for (size_t i = 0; i < tuples.size();) {
    size_t j = i;
    while (j < tuples.size() && tuples[j].rule == tuples[i].rule) ++j;
    std::vector<Tuple> mine;
    std::unordered_set<std::string> ids;
    for (size_t k = i; k < j; ++k) {
      const auto& ref = tuples[k].ref;
      if (!ref.event_id.empty() &&
          !ids.insert(fmt::format("{}\x1f{}", static_cast<int>(ref.source), ref.event_id)).second)
        continue;
      mine.push_back(std::move(tuples[k]));
    }
    const CompiledRule& c = m.compiled[mine.front().rule];
    TimeNs ev_start = INT64_MAX;
    for (int s = 0; s < kSourceCount; ++s)
      if (c.applies[s]) ev_start = std::min(ev_start, start[s]);
    correlate(c, mine, ev_start == INT64_MAX ? kNoTime : ev_start, raw);
    i = j;
  }
  return dedupe(std::move(raw), m.options.dedup_window);
}

}  // namespace eksir::detect
