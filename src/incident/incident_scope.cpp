// The scope of an incident: the entities its findings name, what the attacker's records the
// scope pulled in used, created, changed or read, and one hop from those; each an affected entity
// with why it is in scope and what the attacker did with it.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "incident/incident_parts.h"
#include "util/time.h"

namespace eksir::incident {
namespace {

bool affected_kind(const std::string& kind) {
  static const std::set<std::string> kinds = {"cluster",
                                              "node",
                                              "instance",
                                              "pod",
                                              "workload",
                                              "service_account",
                                              "binding",
                                              "role",
                                              "secret",
                                              "configmap",
                                              "iam_user",
                                              "iam_role",
                                              "access_key",
                                              "access_entry",
                                              "security_group",
                                              "image",
                                              "ip",
                                              "s3_bucket",
                                              "cloudtrail_trail",
                                              "aws_account",
                                              "aws_auth_entry"};
  return kinds.count(kind) > 0;
}

int kind_order(const std::string& k) {
  static const std::vector<std::string> order = {"cluster",
                                                 "cloudtrail_trail",
                                                 "aws_account",
                                                 "iam_user",
                                                 "iam_role",
                                                 "access_key",
                                                 "ip",
                                                 "k8s_user",
                                                 "access_entry",
                                                 "aws_auth_entry",
                                                 "binding",
                                                 "role",
                                                 "service_account",
                                                 "secret",
                                                 "configmap",
                                                 "s3_bucket",
                                                 "workload",
                                                 "pod",
                                                 "image",
                                                 "node",
                                                 "instance",
                                                 "security_group"};
  auto it = std::find(order.begin(), order.end(), k);
  return static_cast<int>(it - order.begin());
}
// "a; b; c; 2 more": the titles of the findings that name k.
std::string titles_of(const IncidentScope& s, const std::string& k) {
  const auto& t = s.titles.at(k);
  std::vector<std::string> v(t.begin(), t.end());
  if (v.size() > 3) {
    size_t more = v.size() - 3;
    v.resize(3);
    v.push_back(fmt::format("{} more", more));
  }
  return fmt::format("{}", fmt::join(v, "; "));
}

// Every entity the group's findings name, likely benign ones aside.
IncidentScope named_by_findings(const std::vector<const FindingFacts*>& group, const Graph& g) {
  IncidentScope s;
  for (const FindingFacts* ff : group) {
    if (ff->benign) continue;
    for (const auto& k : ff->entities) {
      auto& v = s.findings[k];
      if (std::find(v.begin(), v.end(), ff->finding->id) == v.end()) v.push_back(ff->finding->id);
      s.titles[k].insert(ff->finding->title);
    }
  }
  for (const auto& [k, ids] : s.findings) {
    const Entity* e = g.find(k);
    if (!e || !affected_kind(e->kind)) continue;
    if (e->kind == "ip")
      s.why[k] = fmt::format("source address of flagged activity: {}", titles_of(s, k));
    else
      s.why[k] = fmt::format("named by {} finding{}: {}", ids.size(), ids.size() == 1 ? "" : "s",
                             titles_of(s, k));
  }
  return s;
}

std::string cite(const EventFacts& ef) {
  return fmt::format("{}:{}", ef.event->file.substr(ef.event->file.rfind('/') + 1), ef.event->line);
}

bool read_only(const EventFacts& ef) {
  const std::string& v = ef.entities.verb;
  return v == "get" || v == "list" || v == "watch" || v.rfind("Describe", 0) == 0 ||
         v.rfind("Get", 0) == 0 || v.rfind("List", 0) == 0 || v.rfind("Head", 0) == 0;
}

// One record the scope pulled in, and what of what it names enters the scope.
struct PulledRecord {
  IncidentScope& s;
  const Graph& g;
  const ScopeFacts& sc;
  const ScopeContext& hub_ctx;
  const EventFacts* ef;

  void consider(const std::string& k, bool acted) {
    // Named by a finding already: only what the attacker did with it is added.
    if (s.why.count(k)) {
      if (acted && !sc.result.seeds.count(k) && !s.used_by_attacker.count(k))
        s.used_by_attacker[k] = {"used", ef};
      return;
    }
    const Entity* e = g.find(k);
    if (!e || !affected_kind(e->kind)) return;
    if (!hub_reason(k, hub_ctx).empty() && e->kind != "node" && e->kind != "instance") return;
    // Reading an object does not touch it, except where reading is the harm: secrets,
    // configuration, stored objects.
    if (!acted && read_only(*ef) && e->kind != "secret" && e->kind != "configmap" &&
        e->kind != "s3_bucket")
      return;
    if ((e->kind == "node" || e->kind == "instance") &&
        (acted || read_only(*ef) || !ef->pod_binding))
      return;
    auto seed = sc.result.seeds.find(k);
    if (seed != sc.result.seeds.end()) {
      s.why[k] = fmt::format("{} [{}]", seed->second.why, cite(*ef));
    } else if (acted) {
      s.why[k] = fmt::format("used by the attacker: {} [{}]", ef->sentence, cite(*ef));
      s.used_by_attacker[k] = {"used", ef};
    } else {
      s.why[k] = fmt::format("{} by the attacker: {} [{}]", read_only(*ef) ? "read" : "acted on",
                             ef->sentence, cite(*ef));
      s.used_by_attacker[k] = {read_only(*ef) ? "read" : "acted on", ef};
    }
  }

  void take(const Pulled& pulled) {
    if (!pulled.by_attacker) {
      // The machinery acting for the attacker's objects names only where their pods ran.
      if (ef->pod_binding)
        for (const auto& k : ef->entities.targets)
          if (k.rfind("node:", 0) == 0) consider(k, false);
      return;
    }
    if (ef->event->source == Source::K8sAudit || ef->event->source == Source::CloudTrail) {
      for (const auto& k : ef->entities.actors) consider(k, true);
      if (!ef->entities.source_ip.empty()) consider("ip:" + ef->entities.source_ip, true);
    }
    for (const auto& k : ef->entities.targets) consider(k, false);
  }
};

// What the scope pulled in: the credentials, addresses and principals the attacker's records
// used, and what they created, changed or read — each with the record that shows it.
void add_pulled(IncidentScope& s, const Graph& g, const CorrelationInput& in, const ScopeFacts& sc,
                const std::string& account) {
  ScopeContext hub_ctx;
  hub_ctx.policy = in.policy;
  hub_ctx.account = account;
  for (const auto& [ef, pulled] : sc.pulled) PulledRecord{s, g, sc, hub_ctx, ef}.take(pulled);
  // Everything the attacker created or was handed, though no record of its use was pulled.
  for (const auto& [k, seed] : sc.result.seeds) {
    if (s.why.count(k) || !seed.owned) continue;
    const Entity* e = g.find(k);
    if (!e || !affected_kind(e->kind)) continue;
    s.why[k] = seed.why;
  }
}

// One hop from what is in scope: where pods ran, whose keys they are, who a binding grants;
// and down the ownership chain of a workload (CronJob → Job → Pod), as far as it goes.
void add_hops(IncidentScope& s, const Graph& g, const ScopeFacts* sc) {
  std::vector<std::string> work;
  for (const auto& [k, why] : s.why) work.push_back(k);
  while (!work.empty()) {
    std::string k = std::move(work.back());
    work.pop_back();
    const Entity* e = g.find(k);
    if (!e) continue;
    for (const auto& [other, link] : g.neighbours(k)) {
      const Entity* o = g.find(other);
      if (!o || s.why.count(other) || !affected_kind(o->kind)) continue;
      bool hop = false;
      if (e->kind == "pod" && link->from == k &&
          (o->kind == "node" || (o->kind == "service_account" && o->name != "default")))
        hop = true;
      if (e->kind == "access_key" && (o->kind == "iam_user" || o->kind == "iam_role")) hop = true;
      if (e->kind == "binding" && o->kind == "service_account") hop = true;
      if (e->kind == "pod" && o->kind == "ip" && link->relation == "connected to") hop = true;
      bool owned = e->kind == "workload" && link->to == k && link->relation == "owned by" &&
                   (o->kind == "pod" || o->kind == "workload") &&
                   ((sc && sc->result.seeds.count(k)) || s.findings.count(k));
      if (hop) s.why[other] = fmt::format("{} {} {}", display(*e), link->relation, display(*o));
      if (owned) {
        s.why[other] =
            fmt::format("{} is owned by {} {}", display(*o),
                        e->attributes.count("kind") ? e->attributes.at("kind") : "", display(*e));
        work.push_back(other);
      }
    }
  }
}

// Nodes bring their instances.
void add_instances(IncidentScope& s, const Graph& g) {
  std::vector<std::string> nodes;
  for (const auto& [k, why] : s.why)
    if (k.rfind("node:", 0) == 0) nodes.push_back(k);
  for (const auto& k : nodes)
    for (const auto& [other, link] : g.neighbours(k))
      if (other.rfind("instance:", 0) == 0 && !s.why.count(other))
        s.why[other] = fmt::format("EC2 instance of node {}", g.find(k)->name);
}

// What the attacker did with it, for the planner: only what the attacker created may be
// deleted; a changed thing is put back; a used credential is revoked.
void attacker_attributes(Affected& a, const std::string& k, const IncidentScope& s,
                         const ScopeFacts* sc) {
  if (auto u = s.used_by_attacker.find(k); u != s.used_by_attacker.end()) {
    a.attributes["attacker"] = u->second.first;
    a.attributes["attacker_record"] =
        fmt::format("{}:{}", u->second.second->event->file, u->second.second->event->line);
    a.attributes["attacker_time"] = format_time(u->second.second->event->time);
  }
  if (!sc) return;
  auto seed = sc->result.seeds.find(k);
  if (seed == sc->result.seeds.end()) return;
  a.attributes["attacker"] = seed->second.role;
  if (seed->second.record >= 0)
    for (const auto& [ef, pulled] : sc->pulled)
      if (ef->record == seed->second.record) {
        a.attributes["attacker_record"] = fmt::format("{}:{}", ef->event->file, ef->event->line);
        a.attributes["attacker_time"] = format_time(ef->event->time);
        break;
      }
}

// What its kind adds: the account of an IAM principal, the cluster's region, account and ARN, the
// pods that run as a service account.
void kind_attributes(Affected& a, const std::string& k, const Graph& g, const ClusterRef& cluster) {
  if (a.kind == "iam_role" || a.kind == "iam_user") {
    // arn:aws:iam::ACCOUNT:role/x — the account that owns it, and so the one that can act.
    std::string arn = a.id;
    size_t c4 = 0;
    for (int i = 0; i < 4 && c4 != std::string::npos; ++i) c4 = arn.find(':', c4 + 1);
    size_t c5 = c4 == std::string::npos ? c4 : arn.find(':', c4 + 1);
    if (c5 != std::string::npos) a.attributes["account"] = arn.substr(c4 + 1, c5 - c4 - 1);
  }
  if (a.kind == "cluster") {
    a.attributes["region"] = cluster.region;
    a.attributes["account"] = cluster.account;
    if (!cluster.arn.empty()) a.attributes["arn"] = cluster.arn;
  }
  if (a.kind == "service_account") {
    std::vector<std::string> pods;
    for (const auto& [other, link] : g.neighbours(k))
      if (other.rfind("pod:", 0) == 0 && link->relation == "runs as")
        pods.push_back(other.substr(4));
    std::sort(pods.begin(), pods.end());
    if (!pods.empty()) a.attributes["pods"] = fmt::format("{}", fmt::join(pods, ","));
  }
}

Affected affected_of(const Entity& e, const std::string& k, const std::string& why,
                     const IncidentScope& s, const Graph& g, const ScopeFacts* sc,
                     const ClusterRef& cluster) {
  Affected a;
  a.kind = e.kind;
  a.name = e.name;
  a.ns = e.ns;
  a.id = e.id;
  a.why = why;
  a.attributes = e.attributes;
  a.labels = e.labels;
  if (auto f = s.findings.find(k); f != s.findings.end()) a.findings = f->second;
  attacker_attributes(a, k, s, sc);
  kind_attributes(a, k, g, cluster);
  return a;
}

// The exact aws-auth entries the attacker's writes added, with the write that added them.
void add_aws_auth_entries(Incident& inc, const ScopeFacts& sc) {
  for (const auto& [entry, rec] : sc.result.aws_auth_added) {
    std::vector<std::string> parts;
    std::string_view e = entry;
    for (size_t bar; (bar = e.find('|')) != std::string_view::npos && parts.size() < 3;
         e.remove_prefix(bar + 1))
      parts.emplace_back(e.substr(0, bar));
    parts.emplace_back(e);
    if (parts.size() < 4) continue;
    const EventFacts* by = nullptr;
    for (const auto& [ef, pulled] : sc.pulled)
      if (ef->record == static_cast<long>(rec)) by = ef;
    Affected a;
    a.kind = "aws_auth_entry";
    a.name = parts[1];
    a.ns = "kube-system";
    a.id = entry;
    a.why = by ? fmt::format("added to kube-system/aws-auth by the attacker: {} [{}]", by->sentence,
                             cite(*by))
               : "added to kube-system/aws-auth by the attacker";
    a.attributes["map"] = parts[0] == "user" ? "mapUsers" : "mapRoles";
    a.attributes["arn"] = parts[1];
    a.attributes["username"] = parts[2];
    a.attributes["groups"] = parts[3];
    if (by) {
      a.attributes["file"] = by->event->file;
      a.attributes["line"] = std::to_string(by->event->line);
      a.attributes["event_id"] = by->event_id;
      a.attributes["time"] = format_time(by->event->time);
    }
    inc.affected.push_back(std::move(a));
  }
}

}  // namespace

IncidentScope affected_scope(Incident& inc, const std::vector<const FindingFacts*>& group,
                             const Graph& g, const CorrelationInput& in, const ScopeFacts* sc,
                             size_t counted) {
  IncidentScope s = named_by_findings(group, g);
  if (sc) add_pulled(s, g, in, *sc, inc.cluster.account);
  add_hops(s, g, sc);
  add_instances(s, g);
  if (!inc.cluster.name.empty() && !s.why.count("cluster:" + inc.cluster.name) && counted)
    s.why["cluster:" + inc.cluster.name] = "the cluster the activity targeted";
  for (const auto& [k, why] : s.why)
    if (const Entity* e = g.find(k))
      inc.affected.push_back(affected_of(*e, k, why, s, g, sc, inc.cluster));
  if (sc) {
    add_aws_auth_entries(inc, *sc);
    for (const auto& [k, why] : sc->result.not_expanded)
      inc.not_expanded.emplace_back(key_display(k), why);
    for (const auto& n : sc->result.notes) inc.assumptions.push_back(n);
  }
  return s;
}

void sort_affected(Incident& inc) {
  std::stable_sort(inc.affected.begin(), inc.affected.end(),
                   [](const Affected& a, const Affected& b) {
                     int ka = kind_order(a.kind), kb = kind_order(b.kind);
                     if (ka != kb) return ka < kb;
                     return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
                   });
}

}  // namespace eksir::incident
