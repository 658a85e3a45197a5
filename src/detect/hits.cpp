// Single-event hits to findings: each hit folded into its group's runs on the scan's worker, the
// workers' runs merged after the scan, copies of one event taken out of the counts.
#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

#include "detect/engine_impl.h"
#include "util/hash.h"
#include "util/time_math.h"

namespace eksir::detect {

namespace {

uint64_t id_hash(Source source, const util::CompactId& id) {
  return id.hash() ^ (static_cast<uint64_t>(source) * 0x9e3779b97f4a7c15ULL);
}

// The earliest kMaxEvidence places, kept as a max-heap so that the latest is dropped first.
void keep_evidence(std::vector<HitRef>& heap, HitRef&& at) {
  if (heap.size() < kMaxEvidence) {
    // Grown to the bound, not past it: doubling would leave room for 64.
    if (heap.size() == heap.capacity() && heap.size() >= kMaxEvidence / 2)
      heap.reserve(kMaxEvidence);
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

// The group's runs as they will be findings: untimed hits come first in time order, so they
// open the first run. Each run's copies start at none.
void settle_runs(HitGroup& g) {
  std::vector<Run>& runs = g.timed;
  if (g.untimed) {
    if (runs.empty())
      runs.push_back(std::move(*g.untimed));
    else
      merge_into(runs.front(), std::move(*g.untimed));
    g.untimed.reset();
  }
  g.copies.assign(runs.size(), 0);
}

// One more copy of an event at t: taken out of the count of the run it falls in.
void count_copy(HitGroup& g, TimeNs t) {
  auto& runs = g.timed;
  auto run =
      std::partition_point(runs.begin(), runs.end(), [&](const Run& r) { return r.end < t; });
  if (t == kNoTime || run == runs.end()) run = runs.begin();
  if (run != runs.end()) ++g.copies[static_cast<size_t>(run - runs.begin())];
}

// Copies of one event (same time, source and id) count once.
void count_copies(HitGroup& g) {
  std::sort(g.ids.begin(), g.ids.end());
  for (size_t i = 1; i < g.ids.size(); ++i)
    if (g.ids[i] == g.ids[i - 1]) count_copy(g, g.ids[i].first);
  decltype(g.ids)().swap(g.ids);
}

// The groups of a map by their names in the spill, the order of its runs.
template <class Groups>
std::vector<HitGroup*> by_name(Groups& groups) {
  std::vector<HitGroup*> named;
  for (auto& [key, g] : groups) named.push_back(&g);
  std::sort(named.begin(), named.end(), [](const HitGroup* a, const HitGroup* b) {
    return std::tie(a->key1, a->key2) < std::tie(b->key1, b->key2);
  });
  return named;
}

// The same from every worker's spill and the ids still in memory, merged in order: equal prints
// in a row are copies. The prints come by group name, so the groups are walked alongside.
void count_spilled_copies(std::vector<WorkerState>& workers,
                          std::map<std::string, HitGroup>& groups, SpillStats& spilled) {
  std::vector<PrintSpill*> spills;
  for (auto& w : workers)
    if (w.prints) spills.push_back(w.prints.get());
  // A worker whose file failed kept its ids: those are merged from memory.
  std::vector<Print> rest;
  for (auto& [key, g] : groups) {
    for (const auto& [t, id] : g.ids) rest.push_back({g.key1, g.key2, t, id});
    decltype(g.ids)().swap(g.ids);
  }
  std::sort(rest.begin(), rest.end());
  const std::vector<HitGroup*> named = by_name(groups);
  auto group = named.begin();
  Print last;
  bool any = false;
  std::string error;
  const bool ok = PrintSpill::merge(
      spills, rest,
      [&](const Print& p) {
        const bool copy = any && p == last;
        last = p;
        any = true;
        if (!copy) return;
        while (group != named.end() &&
               std::tie((*group)->key1, (*group)->key2) < std::tie(p.key1, p.key2))
          ++group;
        if (group != named.end() && (*group)->key1 == p.key1 && (*group)->key2 == p.key2)
          count_copy(**group, p.time);
      },
      error);
  for (PrintSpill* s : spills) {
    spilled.prints += s->prints();
    spilled.print_bytes += s->bytes();
    if (spilled.print_error.empty()) spilled.print_error = s->error();
  }
  if (!ok) {
    spilled.prints_lost = true;
    if (spilled.print_error.empty()) spilled.print_error = error;
  }
}

// The group's findings, in time order, each run's copies taken out of its count; their places
// stay among the evidence.
void group_findings(const std::vector<rules::Rule>& rules, const std::string& key, HitGroup& g,
                    std::vector<Finding>& out) {
  std::vector<Run>& runs = g.timed;
  const std::vector<uint64_t>& copies = g.copies;
  for (size_t i = 0; i < runs.size(); ++i) {
    Run& r = runs[i];
    Finding f = rule_finding(rules[r.rule]);
    if (!r.description.empty()) f.description = std::move(r.description);
    f.first_seen = r.start;
    f.last_seen = r.end;
    f.dedup_key = key;
    f.subject.reserve(r.subject.size());
    for (const auto& [k, v] : r.subject) f.subject.emplace_back(k, v);
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

void name_group(HitGroup& g, std::string_view key) {
  g.key1 = util::fnv1a(key);
  g.key2 = std::hash<std::string_view>()(key);
}

void spill_prints(WorkerState& w) {
  if (!w.print_bytes) return;
  if (!w.prints) w.prints = std::make_unique<PrintSpill>();
  PrintSpill& spill = *w.prints;
  if (!spill.begin_run()) return;
  // By name, each group's ids sorted: the run comes out in order without a copy of it.
  const std::vector<HitGroup*> named = by_name(w.groups);
  for (HitGroup* g : named) {
    std::sort(g->ids.begin(), g->ids.end());
    for (const auto& [t, id] : g->ids)
      if (!spill.add({g->key1, g->key2, t, id})) return;
  }
  if (!spill.end_run()) return;
  for (HitGroup* g : named) decltype(g->ids)().swap(g->ids);
  w.print_bytes = 0;
}

void findings_from_hits(const std::vector<rules::Rule>& rules, std::vector<WorkerState>& workers,
                        TimeNs window, std::vector<Finding>& out, SpillStats& spilled) {
  // Once one worker spilled, every worker's ids go to a last run of its own spill.
  bool spilt = false;
  for (const auto& w : workers) spilt = spilt || w.prints;
  if (spilt)
    for (auto& w : workers) spill_prints(w);
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
  for (auto& [key, g] : groups) settle_runs(g);
  if (spilt)
    count_spilled_copies(workers, groups, spilled);
  else
    for (auto& [key, g] : groups) count_copies(g);
  // Each group freed once it is findings: the runs and the findings are not held together.
  for (auto it = groups.begin(); it != groups.end(); it = groups.erase(it))
    group_findings(rules, it->first, it->second, out);
}

}  // namespace eksir::detect
