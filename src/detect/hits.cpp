// Single-event hits to findings: each hit folded into its group's runs on the scan's worker, the
// workers' runs merged after the scan, copies of one event taken out of the counts.
#include <algorithm>
#include <functional>
#include <map>

#include "detect/engine_impl.h"
#include "util/time_math.h"

namespace eksir::detect {

namespace {

uint64_t id_hash(Source source, std::string_view id) {
  uint64_t h = std::hash<std::string_view>()(id);
  return h ^ (static_cast<uint64_t>(source) * 0x9e3779b97f4a7c15ULL);
}

// The earliest kMaxEvidence places, kept as a max-heap so that the latest is dropped first.
void keep_evidence(std::vector<HitRef>& heap, HitRef&& at) {
  if (heap.size() < kMaxEvidence) {
    heap.push_back(std::move(at));
    std::push_heap(heap.begin(), heap.end(), hit_before);
    return;
  }
  if (!hit_before(at, heap.front())) return;
  std::pop_heap(heap.begin(), heap.end(), hit_before);
  heap.back() = std::move(at);
  std::push_heap(heap.begin(), heap.end(), hit_before);
}

// a takes b's hits. kNoTime is the smallest time, so an untimed run merged into a timed one
// starts untimed and ends at the timed one's end, as its hits would in time order.
void merge_into(Run& a, Run&& b) {
  a.start = std::min(a.start, b.start);
  a.end = std::max(a.end, b.end);
  if (hit_before(b.first, a.first)) {
    a.rule = b.rule;
    a.first = std::move(b.first);
    a.description = std::move(b.description);
    a.subject = std::move(b.subject);
  }
  a.hits += b.hits;
  for (auto& e : b.evidence) keep_evidence(a.evidence, std::move(e));
}

bool apart(TimeNs earlier, TimeNs later, TimeNs window) {
  return earlier < later && util::span_ns(earlier, later) > window;
}

// Adds a run of other hits to runs sorted by start: it merges with every run it comes within the
// window of. Two runs merge exactly when two of their hits are within the window, since the hits
// of a run are never more than the window apart.
void insert_run(std::vector<Run>& runs, Run&& r, TimeNs window) {
  auto lo = std::partition_point(runs.begin(), runs.end(),
                                 [&](const Run& x) { return apart(x.end, r.start, window); });
  auto hi = std::partition_point(lo, runs.end(),
                                 [&](const Run& x) { return !apart(r.end, x.start, window); });
  for (auto it = lo; it != hi; ++it) merge_into(r, std::move(*it));
  lo = runs.erase(lo, hi);
  runs.insert(lo, std::move(r));
}

void merge_group(HitGroup& into, HitGroup&& from, TimeNs window) {
  for (auto& r : from.timed) insert_run(into.timed, std::move(r), window);
  if (from.untimed) {
    if (into.untimed)
      merge_into(*into.untimed, std::move(*from.untimed));
    else
      into.untimed = std::move(from.untimed);
  }
  into.ids.insert(into.ids.end(), from.ids.begin(), from.ids.end());
  from = HitGroup();
}

// The group's findings, in time order. Copies of one event (same time, source and id) count once;
// their places stay among the evidence.
void group_findings(const std::vector<rules::Rule>& rules, const std::string& key, HitGroup& g,
                    std::vector<Finding>& out) {
  std::vector<Run>& runs = g.timed;
  if (g.untimed) {  // untimed hits come first in time order, so they open the first run
    if (runs.empty())
      runs.push_back(std::move(*g.untimed));
    else
      merge_into(runs.front(), std::move(*g.untimed));
  }
  std::vector<uint64_t> copies(runs.size(), 0);
  std::sort(g.ids.begin(), g.ids.end());
  for (size_t i = 1; i < g.ids.size(); ++i) {
    if (g.ids[i] != g.ids[i - 1]) continue;
    const TimeNs t = g.ids[i].first;
    auto run =
        std::partition_point(runs.begin(), runs.end(), [&](const Run& r) { return r.end < t; });
    if (t == kNoTime || run == runs.end()) run = runs.begin();
    ++copies[static_cast<size_t>(run - runs.begin())];
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    Run& r = runs[i];
    Finding f = rule_finding(rules[r.rule]);
    if (!r.description.empty()) f.description = std::move(r.description);
    f.first_seen = r.start;
    f.last_seen = r.end;
    f.dedup_key = key;
    f.subject = std::move(r.subject);
    f.count = r.hits - copies[i];
    std::sort_heap(r.evidence.begin(), r.evidence.end(), hit_before);
    f.evidence.reserve(r.evidence.size());
    for (const HitRef& e : r.evidence) f.evidence.push_back(e.ref());
    out.push_back(std::move(f));
  }
}

}  // namespace

Run* add_hit(HitGroup& g, HitRef&& at, TimeNs window) {
  if (!at.event_id.empty()) g.ids.emplace_back(at.time, id_hash(at.source, at.event_id));
  Run* run = nullptr;
  bool fresh = false;
  if (at.time == kNoTime) {
    fresh = !g.untimed;
    if (fresh) g.untimed.emplace();
    run = &*g.untimed;
  } else {
    auto& runs = g.timed;
    const TimeNs t = at.time;
    auto it = std::partition_point(runs.begin(), runs.end(),
                                   [&](const Run& r) { return apart(r.end, t, window); });
    if (it != runs.end() && !apart(t, it->start, window)) {
      run = &*it;
      run->start = std::min(run->start, t);
      if (t > run->end) {
        run->end = t;
        // The hit may close the gap to the next run.
        auto next = it + 1;
        if (next != runs.end() && !apart(run->end, next->start, window)) {
          merge_into(*run, std::move(*next));
          runs.erase(next);
          run = &*it;
        }
      }
    } else {
      it = runs.insert(it, Run{});
      run = &*it;
      run->start = run->end = t;
      fresh = true;
    }
  }
  ++run->hits;
  const bool first = fresh || hit_before(at, run->first);
  if (first) run->first = at;
  keep_evidence(run->evidence, std::move(at));
  return first ? run : nullptr;
}

void findings_from_hits(const std::vector<rules::Rule>& rules, std::vector<WorkerState>& workers,
                        TimeNs window, std::vector<Finding>& out) {
  // In key order: the order dedupe() would give them.
  std::map<std::string, HitGroup> groups;
  for (auto& w : workers) {
    for (auto& [key, g] : w.groups) {
      auto [it, fresh] = groups.try_emplace(key);
      if (fresh)
        it->second = std::move(g);
      else
        merge_group(it->second, std::move(g), window);
    }
    w.groups.clear();
  }
  for (auto& [key, g] : groups) group_findings(rules, key, g, out);
}

}  // namespace eksir::detect
