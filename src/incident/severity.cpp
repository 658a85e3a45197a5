// The playbook's severity table, its criteria, and the false positives of the investigation
// pattern.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "incident/internal.h"
#include "util/cidr.h"

namespace eksir::incident {
namespace {

struct CriterionInfo {
  std::string_view id, text;
  Level level;
};

// The playbook's words (Severity Assessment Criteria).
constexpr CriterionInfo kCriteria[] = {
    {"critical.cluster_admin", "Confirmed unauthorized access to cluster admin credentials",
     Level::Critical},
    {"critical.data_exfiltration", "Evidence of data exfiltration", Level::Critical},
    {"critical.multiple_nodes", "Multiple nodes compromised", Level::Critical},
    {"critical.active_exploitation", "Active exploitation of critical vulnerabilities",
     Level::Critical},
    {"critical.production_impact", "Production impact with service disruption", Level::Critical},
    {"high.privileged_pods", "Suspicious privileged pods deployed", Level::High},
    {"high.lateral_movement", "Lateral movement attempts", Level::High},
    {"high.unauthorised_deployment_change", "Unauthorized deployment modifications", Level::High},
    {"high.unusual_network", "Unusual network activity from container workloads", Level::High},
    {"high.sensitive_config_exposure", "Exposure of sensitive configurations", Level::High},
    {"medium.unusual_api_calls", "Unusual API calls with limited impact", Level::Medium},
    {"medium.policy_violation", "Policy violations without evidence of malicious intent",
     Level::Medium},
    {"medium.non_production", "Suspicious activity in non-production clusters", Level::Medium},
    {"medium.vulnerable_component", "Vulnerable components identified but not actively exploited",
     Level::Medium},
    {"low.minor_policy_violation", "Minor policy violations", Level::Low},
    {"low.expected_unusual", "Expected but unusual activity pattern", Level::Low},
    {"low.likely_false_positive", "Potential false positive with no evidence of compromise",
     Level::Low},
};

const CriterionInfo* info(std::string_view id) {
  for (const auto& c : kCriteria)
    if (c.id == id) return &c;
  return nullptr;
}

bool contains(std::string_view s, std::string_view p) {
  return s.find(p) != std::string_view::npos;
}

bool in_cidr(std::string_view ip, std::string_view cidr) {
  auto range = util::parse_cidr(cidr);
  return range && util::cidr_contains(*range, ip);
}

bool matches_any(const std::vector<std::string>& patterns, const std::vector<std::string>& names,
                 std::string* which) {
  for (const auto& p : patterns)
    for (const auto& n : names)
      if (!n.empty() && cluster::policy_glob(p, n)) {
        if (which) *which = n;
        return true;
      }
  return false;
}

// Day of week (0 = Sunday) of a time.
int weekday(TimeNs t) {
  int64_t days = t / 1000000000LL / 86400;
  if (t < 0 && (t / 1000000000LL) % 86400) --days;
  return static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
}

bool in_window(const cluster::MaintenanceWindow& w, TimeNs t) {
  if (!w.start.empty() && !w.end.empty()) {
    TimeNs s = parse_time(w.start), e = parse_time(w.end);
    return s != kNoTime && e != kNoTime && t >= s && t < e;
  }
  if (w.from.empty() || w.to.empty()) return false;
  static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  if (!w.days.empty()) {
    std::string today = names[weekday(t)];
    bool ok = false;
    for (const auto& d : w.days)
      if (d.substr(0, 3) == today) ok = true;
    if (!ok) return false;
  }
  int64_t sec = (t / 1000000000LL) % 86400;
  auto minutes = [](const std::string& hhmm) {
    return std::atoi(hhmm.substr(0, 2).c_str()) * 60 + std::atoi(hhmm.substr(3, 2).c_str());
  };
  int64_t m = sec / 60, from = minutes(w.from), to = minutes(w.to);
  return from <= to ? (m >= from && m < to) : (m >= from || m < to);
}

// Every name a finding's actors go by: IAM ARNs, Kubernetes user names, and the IAM principal a
// Kubernetes user authenticated as.
std::vector<std::string> actor_names(const FindingFacts& ff, const Graph& g) {
  std::vector<std::string> names;
  auto add = [&](const std::string& s) {
    if (!s.empty() && std::find(names.begin(), names.end(), s) == names.end()) names.push_back(s);
  };
  for (const auto& key : ff.actors) {
    const Entity* e = g.find(key);
    if (!e) continue;
    add(e->id);
    add(e->name);
    if (e->kind == "service_account") add("system:serviceaccount:" + e->ns + ":" + e->name);
    for (const auto& [other, link] : g.neighbours(key))
      if (link->relation == "authenticated as" || link->relation.rfind("mapped from", 0) == 0)
        if (const Entity* o = g.find(other)) add(o->id);
  }
  for (const auto& [k, v] : ff.finding->subject)
    if (k == "user.username" || k == "arn" || k == "userIdentity.arn" || k == "user.name") add(v);
  return names;
}

std::string source_ip_of(const FindingFacts& ff) {
  for (const auto* e : ff.events)
    if (!e->summary.source_ip.empty()) return e->summary.source_ip;
  for (const auto& [k, v] : ff.finding->subject)
    if (k == "source_ip") return v;
  return {};
}

std::string user_agent_of(const FindingFacts& ff) {
  for (const auto* e : ff.events) {
    if (!e->event) continue;
    std::string_view raw = e->event->raw;
    for (std::string_view key : {"\"userAgent\":\"", "\"userAgent\": \""}) {
      size_t p = raw.find(key);
      if (p == std::string_view::npos) continue;
      size_t b = p + key.size(), end = raw.find('"', b);
      if (end != std::string_view::npos) return std::string(raw.substr(b, end - b));
    }
  }
  return {};
}

}  // namespace

std::optional<Level> parse_level(std::string_view s) {
  auto l = util::parse_severity(s);
  if (l == util::Severity::Info) return std::nullopt;
  return l;
}

std::string_view criterion_text(std::string_view id) {
  const CriterionInfo* c = info(id);
  return c ? c->text : id;
}

Level criterion_level(std::string_view id) {
  const CriterionInfo* c = info(id);
  return c ? c->level : Level::Low;
}

std::string_view source_label(Source s) {
  switch (s) {
    case Source::CloudTrail:
      return "CloudTrail";
    case Source::K8sAudit:
      return "Kubernetes audit";
    case Source::GuardDuty:
      return "GuardDuty";
    case Source::Falco:
      return "Falco";
    case Source::Ocsf:
      return "EDR (OCSF)";
    case Source::Vulnerability:
      return "vulnerability scan";
  }
  return "evidence";
}

std::string alert_criterion(const detect::Finding& f) {
  if (!f.criterion.empty()) return f.criterion;
  std::string t = f.rule_id + " " + f.title;
  for (const auto& [k, v] : f.subject)
    if (k == "type") t += " " + v;
  std::string l = t;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  using detect::Severity;
  if (f.severity <= Severity::Low) return "low.expected_unusual";
  if (f.severity == Severity::Medium) return "medium.unusual_api_calls";
  if (contains(l, "exfiltration")) return "critical.data_exfiltration";
  if (contains(l, "crypto") || contains(l, "miner") || contains(l, "bitcoin") ||
      contains(l, "stratum") || contains(l, "reverseshell") || contains(l, "reverse shell") ||
      contains(l, "redirect stdout") || contains(l, "backdoor") || contains(l, "trojan") ||
      contains(l, "drop and execute"))
    return f.severity == Severity::Critical ? "critical.active_exploitation"
                                            : "high.unusual_network";
  if (contains(l, "privilege") || contains(l, "privileged")) return "high.privileged_pods";
  if (contains(l, "credentialaccess") || contains(l, "secret") || contains(l, "sensitive"))
    return "high.sensitive_config_exposure";
  if (contains(l, "persistence") || contains(l, "deployment"))
    return "high.unauthorised_deployment_change";
  if (contains(l, "discovery") || contains(l, "lateral") || contains(l, "exec"))
    return "high.lateral_movement";
  if (contains(l, "network") || contains(l, "connection") || contains(l, "outbound"))
    return "high.unusual_network";
  return f.severity == Severity::Critical ? "critical.active_exploitation"
                                          : "high.lateral_movement";
}

std::string confidence_of(const detect::Finding& f, bool benign) {
  if (benign) return "Low";
  if (f.severity >= detect::Severity::High) return "High";
  if (f.severity == detect::Severity::Medium) return "Medium";
  return "Low";
}

std::optional<Benign> likely_benign(const FindingFacts& ff, const Graph& g,
                                    const cluster::Policy& policy) {
  const detect::Finding& f = *ff.finding;
  if (criterion_level(ff.criterion) == Level::Critical) return std::nullopt;
  // A pipeline credential used from elsewhere is never the pipeline.
  if (f.rule_id == "eksir-cicd-credential-misuse") return std::nullopt;
  std::vector<std::string> names = actor_names(ff, g);
  std::string ip = source_ip_of(ff);
  bool ip_trusted =
      !ip.empty() && std::any_of(policy.trusted_cidrs.begin(), policy.trusted_cidrs.end(),
                                 [&](const std::string& c) { return in_cidr(ip, c); });
  // With trusted CIDRs configured, an identity is trusted only where it is seen acting from
  // them: a stolen CI key used from elsewhere (or from an unknown address) is not CI/CD.
  bool ip_ok = policy.trusted_cidrs.empty() || ip_trusted || (!ip.empty() && !is_public_ip(ip));
  Benign b;
  b.finding = f.id;
  b.rule = f.rule_id;
  b.title = f.title;
  b.severity = f.severity;

  std::string who;
  if (matches_any(policy.cicd_identities, names, &who) && ip_ok) {
    b.kind = "cicd";
    b.reason = fmt::format(
        "CI/CD deployment: {} is a CI/CD identity in the policy{}", who,
        ip.empty() ? ""
                   : fmt::format(", acting from {}", ip) + (ip_trusted ? " (a trusted CIDR)" : ""));
    return b;
  }
  std::string ua = user_agent_of(ff);
  if ((contains(ua, "Terraform") || contains(ua, "terraform-provider")) && ip_trusted) {
    b.kind = "cicd";
    b.reason = fmt::format("CI/CD change: Terraform client ({}) from the trusted address {}",
                           ua.substr(0, ua.find(' ')), ip);
    return b;
  }
  // A node's instance-profile session (its session name is the instance id) acting from the
  // organisation's own addresses: node agents and bootstrap scripts do this all day.
  for (const auto& n : names) {
    size_t p = n.find(":assumed-role/");
    size_t slash = p == std::string::npos ? p : n.find('/', p + 14);
    if (slash != std::string::npos && n.compare(slash + 1, 2, "i-") == 0 && ip_trusted) {
      b.kind = "expected";
      b.reason = fmt::format(
          "node credentials used from the node's own network: {} acting from {} (a trusted CIDR)",
          n.substr(p + 14), ip);
      return b;
    }
  }
  // Runtime alerts name no actor: the scaling controller is then the pod the alert is about.
  std::vector<std::string> scaling = names;
  for (const auto& k : ff.entities)
    if (const Entity* e = g.find(k); e && e->kind == "pod" && e->ns == "kube-system")
      scaling.push_back(e->ns + "/" + e->name);
  for (const auto& n : scaling) {
    std::string l = n;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
    if (contains(l, "cluster-autoscaler") || contains(l, "karpenter") ||
        contains(l, "awsserviceroleforautoscaling")) {
      b.kind = "autoscaling";
      b.reason = fmt::format("autoscaling: {} is a scaling controller", n);
      return b;
    }
  }
  if (matches_any(policy.admin_principals, names, &who)) {
    for (const auto& w : policy.maintenance_windows)
      if (in_window(w, f.first_seen)) {
        b.kind = "maintenance";
        b.reason = fmt::format(
            "administrative maintenance: {} is a known admin acting in the maintenance window {}",
            who,
            !w.start.empty() ? w.start + " to " + w.end
                             : fmt::format("{} {}-{}", fmt::join(w.days, ","), w.from, w.to));
        return b;
      }
  }
  return std::nullopt;
}

std::vector<Criterion> assess(const std::vector<const FindingFacts*>& group, const Graph& g,
                              bool non_production) {
  std::map<std::string, Criterion> by_id;
  std::map<std::string, size_t> benign_only;  // criterion → findings that were benign
  auto evidence_of = [&](const FindingFacts& ff) {
    Evidence e;
    const detect::Finding& f = *ff.finding;
    e.finding = f.id;
    e.rule = f.rule_id;
    e.time = f.first_seen;
    if (!ff.events.empty()) {
      const EventFacts& ef = *ff.events.front();
      if (ff.alert)
        e.text = fmt::format("{} reported \"{}\"{}", source_label(ef.event->source), f.title,
                             ef.summary.target.empty() ? "" : " on " + ef.summary.target);
      else
        e.text = fmt::format("{}: {}", f.title, ef.sentence);
      e.source = std::string(source_label(ef.event->source));
      e.file = ef.event->file;
      e.line = ef.event->line;
      e.record = ef.event->record;
      e.event_id = ef.event_id;
    } else {
      e.text = f.title;
      if (!f.evidence.empty()) {
        e.source = std::string(source_label(f.evidence[0].source));
        e.file = f.evidence[0].file;
        e.line = f.evidence[0].line;
        e.record = f.evidence[0].record;
        e.event_id = f.evidence[0].event_id;
      }
    }
    if (ff.benign) e.text += " — likely benign: " + ff.benign->reason;
    return e;
  };
  for (const FindingFacts* ff : group) {
    std::string id = ff->criterion;
    if (id.empty()) continue;
    Criterion& c = by_id[id];
    if (c.id.empty()) {
      c.id = id;
      c.level = criterion_level(id);
      c.criterion = std::string(criterion_text(id));
      c.likely_benign = true;
    }
    if (!ff->benign) c.likely_benign = false;
    if (c.evidence.size() < 20) c.evidence.push_back(evidence_of(*ff));
  }
  // Multiple nodes compromised: runtime detections or active exploitation on two or more nodes.
  std::set<std::string> nodes;
  Criterion multi;
  for (const FindingFacts* ff : group) {
    if (ff->benign) continue;
    Level l = criterion_level(ff->criterion);
    bool runtime = ff->alert && ff->finding->severity >= detect::Severity::High;
    if (!runtime && l < Level::Critical) continue;
    for (const auto* ev : ff->events)
      for (const auto& t : ev->entities.targets)
        if (t.rfind("node:", 0) == 0 || t.rfind("instance:", 0) == 0) {
          const Entity* e = g.find(t);
          std::string node = e ? e->name : t;
          if (e && e->kind == "instance" && e->attributes.count("node"))
            node = e->attributes.at("node");
          if (nodes.insert(node).second) {
            Evidence x = evidence_of(*ff);
            x.text = fmt::format("{} on {}", ff->finding->title, node);
            multi.evidence.push_back(x);
          }
        }
  }
  // Nodes named once as node and once as instance are the same node.
  std::set<std::string> distinct;
  for (const auto& n : nodes) {
    const Entity* inst = g.find("instance:" + n);
    distinct.insert(inst && inst->attributes.count("node") ? inst->attributes.at("node") : n);
  }
  if (distinct.size() >= 2) {
    multi.id = "critical.multiple_nodes";
    multi.level = Level::Critical;
    multi.criterion = std::string(criterion_text(multi.id));
    by_id[multi.id] = std::move(multi);
  }
  std::vector<Criterion> out;
  for (auto& [id, c] : by_id) out.push_back(std::move(c));
  if (non_production) {
    bool high = false;
    std::vector<Evidence> ev;
    for (auto& c : out)
      if (c.level == Level::High && !c.likely_benign) {
        high = true;
        for (const auto& e : c.evidence) ev.push_back(e);
        c.likely_benign = true;  // counted through the non-production criterion instead
        c.criterion += " (non-production cluster: counted as Medium)";
      }
    if (high) {
      Criterion np;
      np.id = "medium.non_production";
      np.level = Level::Medium;
      np.criterion = std::string(criterion_text(np.id));
      np.evidence = std::move(ev);
      out.push_back(std::move(np));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Criterion& a, const Criterion& b) {
    if (a.likely_benign != b.likely_benign) return !a.likely_benign;
    return a.level > b.level;
  });
  return out;
}

Level level_of(const std::vector<Criterion>& criteria) {
  Level l = Level::Low;
  for (const auto& c : criteria)
    if (!c.likely_benign) l = std::max(l, c.level);
  return l;
}

}  // namespace eksir::incident
