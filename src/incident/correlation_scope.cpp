// The incident's scope: from the top group's findings, everything the attacker did. Leads that
// share what the attacker touched join the incident, and the pivot runs again from them; the
// records it pulls in are read back, one of each activity, the others counted on it.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "incident/context.h"
#include "incident/correlation.h"
#include "util/hash.h"

namespace eksir::incident {

void Correlation::grow_scope() {
  main_findings = ranked[0].group->findings;
  merged.assign(ranked.size(), false);
  merged[0] = true;
  for (int round = 0; round < 8; ++round) {
    std::vector<size_t> seeds;
    for (const FindingFacts* ff : main_findings) {
      if (ff->benign) continue;
      for (const auto* ef : ff->events)
        if (ef->record >= 0) seeds.push_back(static_cast<size_t>(ef->record));
    }
    scope.result = pivot(records, *scope_index, seeds, {}, sctx);
    fold_pulled();
    std::vector<size_t> to_load;
    for (const auto& [idx, pulled] : scope.result.pulled)
      if (!activity_rep.count(idx)) to_load.push_back(idx);
    prefetch_context(to_load);
    for (size_t idx : to_load) load_context(idx);
    g.index();
    const std::set<std::string> hosts = compromised_hosts();
    const std::set<std::string> owners = owners_of_incident();
    // The attacker's window so far: the records of the scope and the findings of the incident.
    TimeNs window_first = kNoTime, window_last = kNoTime;
    auto widen = [&](TimeNs t) {
      if (t == kNoTime) return;
      if (window_first == kNoTime || t < window_first) window_first = t;
      if (window_last == kNoTime || t > window_last) window_last = t;
    };
    for (const auto& [idx, pulled] : scope.result.pulled) widen(records[idx].time);
    for (const FindingFacts* ff : main_findings)
      if (!ff->benign) widen(ff->finding->first_seen);
    bool grew = false;
    for (size_t r = 1; r < ranked.size(); ++r) {
      if (merged[r] || !joins(*ranked[r].group, hosts, owners, window_first, window_last)) continue;
      merged[r] = true;
      grew = true;
      for (const FindingFacts* ff : ranked[r].group->findings) main_findings.push_back(ff);
    }
    if (!grew) break;
  }
}

// The pulled records no finding cites are read back and added to the graph — one of each
// activity: the others that did the same (another session of the same role listing the same
// thing from the same address, or the same call again past the records a finding cites) are
// counted on it, or on a record a finding cites that did the same.
void Correlation::fold_pulled() {
  for (const auto& [idx, pulled] : scope.result.pulled) {
    if (!grouped.insert(idx).second) continue;
    const bool kept_uncited = idx < context_base && deferred.count(idx);
    const bool cited = cited_activity.count(idx) > 0;
    // Other records a finding cites (pod placements, alerts) stand for nothing but themselves.
    if (idx < context_base && !kept_uncited && !cited) continue;
    std::string key = activity_key(records[idx].encoded()) + (pulled.by_attacker ? "a" : "m");
    auto [it, first] = first_of_activity.try_emplace(std::move(key), idx);
    if (first) continue;
    // Records a finding cites are shown as its evidence, never folded into another; the others
    // fold into one of them, else into the earliest of the activity.
    const bool rep_cited = cited_activity.count(it->second) > 0;
    if (cited) {
      if (!rep_cited) {
        activity_rep[it->second] = idx;
        it->second = idx;
      }
      continue;
    }
    if (rep_cited || records[idx].time >= records[it->second].time) {
      activity_rep[idx] = it->second;
      continue;
    }
    activity_rep[it->second] = idx;
    it->second = idx;
  }
  for (auto& [other, rep] : activity_rep)
    while (activity_rep.count(rep)) rep = activity_rep.at(rep);
}

// Compromised hosts: the nodes where the attacker's pods ran, and the nodes and instances a
// detector's alert of the incident names; each with its counterpart (node ↔ instance).
std::set<std::string> Correlation::compromised_hosts() const {
  std::set<std::string> hosts;
  auto add_host = [&](const std::string& key) {
    if (!hosts.insert(key).second) return;
    for (const auto& [other, link] : g.neighbours(key))
      if ((other.rfind("instance:", 0) == 0 || other.rfind("node:", 0) == 0) &&
          link->relation == "is instance")
        hosts.insert(other);
  };
  for (const auto& [key, seed] : scope.result.seeds) {
    if (key.rfind("pod:", 0) != 0) continue;
    for (const auto& [other, link] : g.neighbours(key))
      if (other.rfind("node:", 0) == 0) add_host(other);
  }
  for (const FindingFacts* ff : main_findings)
    if (ff->alert && !ff->benign && ff->finding->severity >= detect::Severity::High)
      for (const auto& k : ff->entities)
        if (k.rfind("node:", 0) == 0 || k.rfind("instance:", 0) == 0) add_host(k);
  return hosts;
}

// What the incident's workloads belong to: a compromised pod's ReplicaSet, Deployment, DaemonSet
// or Job and CronJob. A lead about the workload that made them (its creation by a stolen token)
// is the same attack. A pod several parties act on (the replica admins and the attacker all exec
// into) is common ground: where it came from is not the attack.
std::set<std::string> Correlation::owners_of_incident() const {
  std::set<std::string> owners;
  std::vector<std::string> work;
  for (const FindingFacts* ff : main_findings)
    if (!ff->benign)
      for (const auto& k : ff->entities)
        if ((k.rfind("pod:", 0) == 0 || k.rfind("workload:", 0) == 0) && !shared.count(k))
          work.push_back(k);
  for (const auto& [key, seed] : scope.result.seeds)
    if (key.rfind("pod:", 0) == 0 || key.rfind("workload:", 0) == 0) work.push_back(key);
  while (!work.empty()) {
    std::string k = std::move(work.back());
    work.pop_back();
    for (const auto& [other, link] : g.neighbours(k))
      if (link->from == k && link->relation == "owned by" && owners.insert(other).second)
        work.push_back(other);
  }
  return owners;
}

// Whether a lead is the incident's attack: a finding of it cites a record the scope pulled or
// names a key the scope holds, is a detector's alert about a compromised host while the attacker
// was active (within half an hour of the window; kNoTime when unknown), or is about a workload that
// made the incident's pods.
bool Correlation::joins(const Group& group, const std::set<std::string>& hosts,
                        const std::set<std::string>& owners, TimeNs window_first,
                        TimeNs window_last) const {
  constexpr TimeNs kHostMargin = 30LL * 60 * 1000000000LL;
  for (const FindingFacts* ff : group.findings) {
    if (ff->benign) continue;
    for (const auto* ef : ff->events)
      if (ef->record >= 0 && scope.result.pulled.count(static_cast<size_t>(ef->record)))
        return true;
    for (const auto& k : ff->entities) {
      if (scope.result.seeds.count(k)) return true;
      if (ff->alert && hosts.count(k) && ff->finding->first_seen != kNoTime &&
          window_first != kNoTime && ff->finding->first_seen >= window_first - kHostMargin &&
          ff->finding->first_seen <= window_last + kHostMargin)
        return true;
      if (k.rfind("workload:", 0) == 0 && owners.count(k)) return true;
    }
  }
  return false;
}

namespace {

// The first kMaxAlsoIds of a line's repeat ids, in their sorted order. Taken again as they come
// in, it keeps the same ones as once at the end: the first of a part are among the first of all.
void keep_first_ids(EventFacts& f) {
  std::sort(f.also.begin(), f.also.end());
  if (f.also.size() > kMaxAlsoIds) f.also.resize(kMaxAlsoIds);
}

}  // namespace

// The same activity done again is counted on its first record — once per request: a copy of one
// already counted (the S3 object and lookup-events both hold it) is not another time.
void Correlation::count_repeats() {
  // The ids counted on each line, as 128-bit fingerprints of the line and the id (two independent
  // hashes: about 2^-128 to take two for one, as the context store tells requests apart): a
  // busy day folds millions of copies, whose ids as strings took a hundred bytes each.
  struct Print {
    uint64_t a, b;
    bool operator==(const Print&) const = default;
  };
  struct PrintHash {
    size_t operator()(const Print& p) const { return p.a; }
  };
  auto print_of = [](const EventFacts* ef, std::string_view id) {
    const auto line = reinterpret_cast<uintptr_t>(ef);
    return Print{std::hash<std::string_view>{}(id) ^ (line * 0x9e3779b97f4a7c15ULL),
                 util::fnv1a(id, util::kFnvOffset ^ line)};
  };
  std::unordered_set<Print, PrintHash> ids;
  std::unordered_set<const EventFacts*> started;
  auto counted = [&](EventFacts* ef, const std::string& id) {
    if (started.insert(ef).second) {
      ids.insert(print_of(ef, ef->event_id));
      for (const auto& other : ef->also) ids.insert(print_of(ef, other));
    }
    return !ids.insert(print_of(ef, id)).second;
  };
  static const std::vector<ContextStore::Id> no_ids;
  for (const auto& [idx, rep] : activity_rep) {
    auto it = fact_of.find(rep);
    if (it == fact_of.end() || !scope.result.pulled.count(idx)) continue;
    auto* ef = const_cast<EventFacts*>(it->second);
    // A record of the context store, with the copies of it the scan counted; or a kept event.
    const ContextStore::Record* r =
        idx >= context_base ? &input.context->at(idx - context_base) : nullptr;
    const auto d = r ? deferred.end() : deferred.find(idx);
    if (!r && d == deferred.end()) continue;
    const TimeNs time = records[idx].time;
    uint64_t more = 1 + (r ? r->repeats() : 0);
    auto add_id = [&](const std::string& id) {
      if (id.empty()) return;
      if (counted(ef, id)) {
        if (more) --more;
      } else {
        ef->also.push_back(id);
        if (ef->also.size() >= 4 * kMaxAlsoIds) keep_first_ids(*ef);
      }
    };
    add_id(r ? r->event_id.str() : d->second.event_id());
    for (const auto& id : r ? r->repeat_ids() : no_ids) add_id(id.str());
    if (!more) continue;
    ef->repeats += more;
    const TimeNs last = r ? r->repeats_last() : kNoTime, first = r ? r->repeats_first() : kNoTime;
    TimeNs until = last != kNoTime ? std::max(last, time) : time;
    TimeNs from = first != kNoTime ? std::min(first, time) : time;
    if (until != kNoTime && (ef->repeats_until == kNoTime || until > ef->repeats_until))
      ef->repeats_until = until;
    if (from != kNoTime && (ef->repeats_from == kNoTime || from < ef->repeats_from))
      ef->repeats_from = from;
  }
  // Which copy of a repeated request a scan worker kept, and so the order its repeats were
  // counted in, depends on how the evidence was split among workers: the ids are sorted so that
  // the same evidence gives the same incident, run after run. A line keeps the first kMaxAlsoIds
  // of them in that order, so the same ones whatever the split.
  for (auto& f : pulled_facts) keep_first_ids(f);
  for (auto& f : facts) keep_first_ids(f);
}

// The records the scope pulled that are shown: one of each activity, in evidence order.
void Correlation::keep_pulled() {
  for (const auto& [idx, pulled] : scope.result.pulled) {
    if (activity_rep.count(idx)) continue;
    auto it = fact_of.find(idx);
    if (it != fact_of.end()) scope.pulled.emplace_back(it->second, pulled);
  }
}

// Common ground the incident's findings name: said, so that nobody reads its absence as nothing
// there.
void Correlation::note_common_ground() {
  for (const FindingFacts* ff : main_findings)
    for (const auto& k : ff->entities)
      if (auto it = shared.find(k);
          it != shared.end() && k.rfind("ip:", 0) != 0 && !scope.result.seeds.count(k))
        scope.result.not_expanded.emplace(
            k, fmt::format("acted on by the findings of {} different identities: common ground, "
                           "not by itself a link between them",
                           it->second));
}

}  // namespace eksir::incident
