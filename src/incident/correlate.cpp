// Correlation: findings → the entities their events name → groups of findings that share an
// entity (the incident and the leads), each with its criteria, scope, timeline and metrics. The
// steps are Correlation's (incident/correlation.h); here, the grouping of findings.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "incident/context.h"
#include "incident/correlation.h"
#include "incident/incident_parts.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::incident {
namespace {

struct UnionFind {
  std::unordered_map<std::string, std::string> parent;
  std::string find(const std::string& k) {
    auto it = parent.find(k);
    if (it == parent.end()) {
      parent[k] = k;
      return k;
    }
    if (it->second == k) return k;
    std::string root = find(it->second);
    parent[k] = root;
    return root;
  }
  void unite(const std::string& a, const std::string& b) {
    std::string ra = find(a), rb = find(b);
    if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
  }
};

bool strong_relation(const Link& l) {
  static const std::set<std::string> strong = {"key of",
                                               "authenticated as",
                                               "mapped from (aws-auth)",
                                               "mapped from (access entry)",
                                               "grants cluster access to",
                                               "runs as"};
  if (strong.count(l.relation)) return true;
  return l.relation.rfind("grants ", 0) == 0;
}

// What findings of more than one party name: a pod two admins exec into, a secret several
// people read, a workload both a pipeline and an engineer change — and the IAM role whose
// sessions several people use, the session name two logins share. Such an entity is common
// ground, not a link between those parties: a finding joins the others only through what ties
// the actors themselves (an access key, an address, a binding, what one created and another
// used). A party is the access keys a finding's requests were signed with — one login of a
// session, one user's key — else its most specific actor. Findings without an actor (a
// detector's alert about the pod) are nobody's party.
std::unordered_map<std::string, size_t> shared_objects(const std::vector<FindingFacts>& ffs) {
  auto is_key = [](const std::string& k) { return k.rfind("key:", 0) == 0; };
  UnionFind party;
  std::vector<std::string> party_of(ffs.size());
  for (size_t i = 0; i < ffs.size(); ++i) {
    const auto& actors = ffs[i].actors;
    std::string first;
    for (const auto& a : actors)
      if (is_key(a)) {
        if (first.empty())
          first = a;
        else
          party.unite(first, a);  // one finding's keys: one party
      }
    party_of[i] = first;
  }
  // A finding whose requests name no key (a detector's copy of an audit record) is the party of
  // its actor's one key, when the actor has one; else its actor's own.
  std::unordered_map<std::string, std::set<std::string>> keys_of;
  for (size_t i = 0; i < ffs.size(); ++i)
    if (!party_of[i].empty())
      for (const auto& a : ffs[i].actors)
        if (!is_key(a)) keys_of[a].insert(party.find(party_of[i]));
  for (size_t i = 0; i < ffs.size(); ++i) {
    if (!party_of[i].empty()) continue;
    std::string actor;
    for (const auto& a : ffs[i].actors)
      if (a.rfind("iam:", 0) != 0 || actor.empty()) actor = a;  // a user or token over a role
    if (actor.empty()) continue;
    auto it = keys_of.find(actor);
    party_of[i] = it != keys_of.end() && it->second.size() == 1 ? *it->second.begin() : actor;
  }
  std::unordered_map<std::string, std::set<std::string>> parties;
  for (size_t i = 0; i < ffs.size(); ++i) {
    if (party_of[i].empty()) continue;
    const std::string who = party.find(party_of[i]);
    for (const auto& k : ffs[i].entities)
      if (!is_key(k) && k.rfind("ip:", 0) != 0) parties[k].insert(who);
  }
  std::unordered_map<std::string, size_t> shared;
  for (const auto& [k, who] : parties)
    if (who.size() > 1) shared.emplace(k, who.size());
  return shared;
}

}  // namespace

Correlation::Correlation(const CorrelationInput& in) : input(in) {
  static const cluster::Policy default_policy;
  if (!input.policy) input.policy = &default_policy;
  if (input.snapshot) add_snapshot(g, *input.snapshot);
  // A record for each kept event and each of the context store's: made at that size (and a
  // little more, for the alerts and pulled events added on the way), not doubled as it grows.
  records.reserve((input.events ? input.events->size() : 0) +
                  (input.context ? input.context->size() : 0) + 1024);
  preworked = input.events && input.prework && input.prework->size() == input.events->size();
}

void Correlation::run(Investigation& out) {
  read_kept_events();
  add_context_records();
  add_policy_findings();
  resolve_context_hits();
  index_bindings();
  make_finding_facts();
  judge_benign();
  collect_cited_activity();
  prepare_scope();
  group_findings();
  rank_groups();
  if (!ranked.empty()) {
    grow_scope();
    count_repeats();
    keep_pulled();
    std::sort(main_findings.begin(), main_findings.end());  // the findings' own order
    note_common_ground();
  }
  write(out);
}

// The facts of a finding: the events it cites that were kept, and the entities and actors they
// name.
FindingFacts Correlation::facts_of(const detect::Finding& f) const {
  FindingFacts ff;
  ff.finding = &f;
  for (const auto& r : f.evidence) {
    auto it = by_ref.find(RecordRef{r.file, r.line, r.record});
    if (it == by_ref.end()) continue;
    const EventFacts* ef = it->second;
    if (std::find(ff.events.begin(), ff.events.end(), ef) == ff.events.end())
      ff.events.push_back(ef);
  }
  ff.alert = !f.evidence.empty() &&
             (f.evidence[0].source == Source::GuardDuty || f.evidence[0].source == Source::Falco ||
              f.evidence[0].source == Source::Ocsf);
  auto add = [&](std::vector<std::string>& v, const std::string& k) {
    if (!k.empty() && std::find(v.begin(), v.end(), k) == v.end()) v.push_back(k);
  };
  for (const auto* ef : ff.events) {
    for (const auto& a : ef->entities.actors) {
      add(ff.actors, a);
      add(ff.entities, a);
    }
    for (const auto& t : ef->entities.targets) add(ff.entities, t);
    if (!ef->entities.source_ip.empty()) add(ff.entities, "ip:" + ef->entities.source_ip);
  }
  if (ff.events.empty()) {
    // Evidence events beyond what was kept: fall back on the finding's subject.
    for (const auto& [k, v] : f.subject) {
      std::string key;
      if (k == "arn" || k == "userIdentity.arn")
        key = iam_key(v);
      else if (k == "access_key_id")
        key = "key:" + v;
      else if (k == "user.username")
        key = k8s_user_key(v);
      else if (k == "source_ip" && is_public_ip(v))
        key = "ip:" + v;
      if (key.empty() || !g.find(key)) continue;
      add(ff.actors, key);
      add(ff.entities, key);
    }
  }
  ff.criterion = alert_criterion(f);
  return ff;
}

void Correlation::make_finding_facts() {
  ffs.reserve(all_findings.size());
  for (const auto& f : all_findings) ffs.push_back(facts_of(f));
}

// Which findings are likely benign, by the policy. A detector's alert that names no actor, about
// a pod a benign action touched minutes before (a shell after an admin's exec in a maintenance
// window), shares that action's reason.
void Correlation::judge_benign() {
  for (auto& ff : ffs) ff.benign = likely_benign(ff, g, *input.policy);
  constexpr TimeNs kFollowWindow = 10LL * 60 * 1000000000LL;
  for (auto& ff : ffs) {
    if (ff.benign || !ff.alert || !ff.actors.empty() ||
        criterion_level(ff.criterion) == Level::Critical)
      continue;
    for (const auto& other : ffs) {
      if (!other.benign || other.alert || &other == &ff) continue;
      if (ff.finding->first_seen == kNoTime || other.finding->first_seen == kNoTime) continue;
      TimeNs dt = util::span_ns(other.finding->first_seen, ff.finding->first_seen);
      if (dt < 0 || dt > kFollowWindow) continue;
      bool same_pod = false;
      for (const auto& k : ff.entities)
        if (k.rfind("pod:", 0) == 0 &&
            std::find(other.entities.begin(), other.entities.end(), k) != other.entities.end())
          same_pod = true;
      if (!same_pod) continue;
      Benign b = *other.benign;
      b.finding = ff.finding->id;
      b.rule = ff.finding->rule_id;
      b.title = ff.finding->title;
      b.severity = ff.finding->severity;
      b.reason = fmt::format("follows \"{}\" on the same pod {}s earlier, which is {}",
                             other.finding->title, dt / 1000000000LL, other.benign->reason);
      ff.benign = std::move(b);
      break;
    }
  }
}

// Records shown as a finding's evidence that can stand for the same activity done again: the API
// calls that findings cite, none of them benign (attacker's repeats are not to read as a benign
// finding's).
void Correlation::collect_cited_activity() {
  std::set<size_t> benign_cited;
  for (const auto& ff : ffs)
    for (const auto* ef : ff.events) {
      if (ef->record < 0 || !ef->event || ef->pod_binding) continue;
      if (ff.benign)
        benign_cited.insert(static_cast<size_t>(ef->record));
      else if (!ff.alert &&
               (ef->event->source == Source::CloudTrail || ef->event->source == Source::K8sAudit))
        cited_activity.insert(static_cast<size_t>(ef->record));
    }
  for (size_t r : benign_cited) cited_activity.erase(r);
}

// What the pivot knows of the cluster, and its index of every record by what it names.
void Correlation::prepare_scope() {
  sctx.policy = input.policy;
  sctx.account = g.cluster.account;
  if (input.context)
    for (const auto& [ip, n] : input.context->egress()) sctx.egress.insert(ip);
  for (const auto& [k, e] : g.entities)
    if (e.attributes.count("node_role")) sctx.node_roles.insert(k);
  scope_index.emplace(records, sctx);
  sctx.shared = scope_index->shared;
}

// Group findings: entities they share, and strong links between entities — never through common
// ground.
void Correlation::group_findings() {
  shared = shared_objects(ffs);
  for (const auto& [ip, n] : sctx.shared) shared.emplace("ip:" + ip, n);
  UnionFind uf;
  for (const auto& l : g.links)
    if (strong_relation(l) && !shared.count(l.from) && !shared.count(l.to)) {
      const Entity* a = g.find(l.from);
      const Entity* b = g.find(l.to);
      if (a && b && links_findings(*a) && links_findings(*b) &&
          !(b->kind == "service_account" && b->name == "default"))
        uf.unite(l.from, l.to);
    }
  std::vector<std::string> group_of(ffs.size());
  for (size_t i = 0; i < ffs.size(); ++i) {
    std::string anchor;
    for (const auto& k : ffs[i].entities) {
      const Entity* e = g.find(k);
      if (!e || !links_findings(*e) || shared.count(k)) continue;
      if (anchor.empty())
        anchor = k;
      else
        uf.unite(anchor, k);
    }
    group_of[i] = anchor.empty() ? "finding:" + ffs[i].finding->id : anchor;
  }
  for (size_t i = 0; i < ffs.size(); ++i) {
    std::string root = group_of[i].rfind("finding:", 0) == 0 ? group_of[i] : uf.find(group_of[i]);
    groups[root].findings.push_back(&ffs[i]);
  }
}

// The groups, most severe first; then by how many findings count, then the earliest.
void Correlation::rank_groups() {
  for (const auto& [root, grp] : groups) {
    auto crit = assess(grp.findings, g, false);
    size_t counted = 0;
    TimeNs first = INT64_MAX;
    for (const auto* ff : grp.findings) {
      if (!ff->benign) ++counted;
      first = std::min(first, ff->finding->first_seen);
    }
    Level l = counted ? level_of(crit) : Level::Low;
    ranked.push_back({l, counted, first, &grp});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.level != b.level) return a.level > b.level;
    if (a.counted != b.counted) return a.counted > b.counted;
    return a.first < b.first;
  });
}

void Correlation::note_unread(Incident& inc) const {
  if (unread_kept)
    inc.gaps.push_back(fmt::format(
        "{} record{} behind findings could not be read back from the evidence ({}): the "
        "incident lacks them",
        util::thousands(unread_kept), unread_kept == 1 ? "" : "s", unread_why));
}

// The incident (with nothing found, one about the evidence itself) and the leads that did not
// join it.
void Correlation::write(Investigation& out) {
  out.findings = all_findings;
  if (input.posture) out.posture = *input.posture;
  const Implausibles bad = implausible_values(facts, pulled_facts, input.findings, input.now);
  if (ranked.empty()) {
    build_incident({}, g, input, binding_by_pod, nullptr, bad, out.incident, true);
    describe(out.incident, {}, input, nullptr, bad);
    note_unread(out.incident);
    return;
  }
  build_incident(main_findings, g, input, binding_by_pod, &scope, bad, out.incident, true);
  describe(out.incident, main_findings, input, &scope, bad);
  note_unread(out.incident);
  size_t n = 0;
  for (size_t i = 1; i < ranked.size(); ++i) {
    if (merged[i]) continue;
    Incident lead;
    build_incident(ranked[i].group->findings, g, input, binding_by_pod, nullptr, bad, lead, false);
    describe(lead, ranked[i].group->findings, input, nullptr, bad);
    lead.id = fmt::format("LEAD-{}", ++n);
    out.leads.push_back(std::move(lead));
  }
}

void build(const CorrelationInput& in, Investigation& out) {
  Correlation(in).run(out);
}

}  // namespace eksir::incident
