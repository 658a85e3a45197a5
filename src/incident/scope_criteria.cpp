// Criteria of the playbook's table that the attacker's scope shows, beyond what any one rule
// flagged: the cluster-admin the API server granted the attacker's requests, the secrets they
// read, the S3 objects they took, a production workload they exploited.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "incident/internal.h"

namespace eksir::incident {

Evidence event_evidence(const EventFacts& ef, std::string text) {
  Evidence e;
  e.text = std::move(text);
  e.source = std::string(source_label(ef.event->source));
  e.file = ef.event->file;
  e.line = ef.event->line;
  e.record = ef.event->record;
  e.event_id = ef.event_id;
  e.time = ef.event->time;
  return e;
}

void add_criterion(std::vector<Criterion>& criteria, std::string_view id, Evidence e) {
  auto it = std::find_if(criteria.begin(), criteria.end(),
                         [&](const Criterion& c) { return c.id == id; });
  if (it == criteria.end()) {
    Criterion c;
    c.id = std::string(id);
    c.level = criterion_level(id);
    c.criterion = std::string(criterion_text(id));
    criteria.push_back(std::move(c));
    it = criteria.end() - 1;
  }
  it->likely_benign = false;
  for (const auto& x : it->evidence)
    if (!x.event_id.empty() && x.event_id == e.event_id) return;
  if (it->evidence.size() < 20) it->evidence.push_back(std::move(e));
}

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

// A role that can do anything: cluster-admin, EKS's cluster admin access policies, or a role
// of the snapshot with every verb on every resource.
bool admin_role(std::string_view role, const cluster::Snapshot* snap) {
  std::string_view name = role.substr(role.find('/') + 1);
  if (name == "cluster-admin" || name.find("AmazonEKSClusterAdminPolicy") != std::string_view::npos)
    return true;
  if (!snap) return false;
  for (const auto& r : snap->roles) {
    if (r.name != name) continue;
    for (const auto& rule : r.rules) {
      bool all_verbs = std::find(rule.verbs.begin(), rule.verbs.end(), "*") != rule.verbs.end();
      bool all_res =
          std::find(rule.resources.begin(), rule.resources.end(), "*") != rule.resources.end();
      if (all_verbs && all_res) return true;
    }
  }
  return false;
}

bool s3_object_read(std::string_view action) {
  return action == "GetObject" || action == "SelectObjectContent" || action == "CopyObject" ||
         action == "GetObjectAttributes" || action == "RestoreObject";
}

}  // namespace

void scope_criteria(const ScopeFacts& scope, const Graph& g, const CorrelationInput& in,
                    const std::vector<const FindingFacts*>& group,
                    std::vector<Criterion>& criteria) {
  std::map<std::string, std::vector<const EventFacts*>> s3_reads;  // bucket → reads
  std::set<std::string> admin_actors;
  for (const auto& [ef, pulled] : scope.pulled) {
    if (!pulled.by_attacker || !ef->event || ef->failed) continue;
    const Source src = ef->event->source;
    const std::string& verb = ef->entities.verb;
    if (src == Source::K8sAudit) {
      if (!ef->granted_role.empty() && admin_role(ef->granted_role, in.snapshot)) {
        std::string who = ef->summary.actor.empty() ? "the attacker" : ef->summary.actor;
        if (admin_actors.insert(who).second)
          add_criterion(
              criteria, "critical.cluster_admin",
              event_evidence(*ef, fmt::format("{} acted with {} (the API server's decision): {}",
                                              who, ef->granted_role, ef->sentence)));
      }
      bool secret = false;
      for (const auto& t : ef->entities.targets) secret = secret || starts_with(t, "secret:");
      if (!secret && verb == "list" && ef->summary.target.find("secrets") != std::string::npos)
        secret = true;
      if (secret && (verb == "get" || verb == "list" || verb == "watch"))
        add_criterion(
            criteria, "high.sensitive_config_exposure",
            event_evidence(*ef, fmt::format("secrets read by the attacker: {}", ef->sentence)));
    } else if (src == Source::CloudTrail) {
      std::string action = verb;
      if (action == "GetSecretValue" || action == "BatchGetSecretValue" ||
          action == "GetParameter" || action == "GetParameters" || action == "GetParametersByPath")
        add_criterion(criteria, "high.sensitive_config_exposure",
                      event_evidence(*ef, fmt::format("secret values read by the attacker: {}",
                                                      ef->sentence)));
      if (s3_object_read(action))
        for (const auto& t : ef->entities.targets)
          if (starts_with(t, "bucket:")) s3_reads[t.substr(7)].push_back(ef);
    }
  }
  // Objects taken from a bucket: many, or any from outside the organisation's addresses.
  for (const auto& [bucket, reads] : s3_reads) {
    size_t outside = 0;
    for (const auto* ef : reads)
      if (!ef->entities.source_ip.empty()) ++outside;  // public addresses only are kept there
    if (reads.size() < 10 && !outside) continue;
    TimeNs first = reads.front()->event->time, last = first;
    for (const auto* ef : reads) {
      first = std::min(first, ef->event->time);
      last = std::max(last, ef->event->time);
    }
    add_criterion(criteria, "critical.data_exfiltration",
                  event_evidence(
                      *reads.front(),
                      fmt::format("{} object{} of S3 bucket {} read by the attacker between {} and "
                                  "{}{}",
                                  reads.size(), reads.size() == 1 ? "" : "s", bucket,
                                  format_time(first), format_time(last),
                                  outside ? fmt::format(", {} from outside AWS", outside) : "")));
  }
  // A production workload that was running before the attack, exploited: its service is hit.
  if (in.policy && !in.policy->production_namespaces.empty()) {
    for (const FindingFacts* ff : group) {
      if (ff->benign || !ff->alert) continue;
      if (criterion_level(ff->criterion) != Level::Critical) continue;
      for (const auto& k : ff->entities) {
        if (!starts_with(k, "pod:")) continue;
        const Entity* pod = g.find(k);
        if (!pod || scope.result.seeds.count(k)) continue;  // the attacker's own pod
        bool prod = false;
        for (const auto& p : in.policy->production_namespaces)
          if (cluster::policy_glob(p, pod->ns)) prod = true;
        if (!prod || !pod->attributes.count("owner_kind")) continue;
        Evidence e;
        e.finding = ff->finding->id;
        e.rule = ff->finding->rule_id;
        e.time = ff->finding->first_seen;
        e.text = fmt::format("{} in {}/{}, a serving workload of the production namespace {}",
                             ff->finding->title, pod->ns, pod->name, pod->ns);
        if (!ff->events.empty()) {
          const EventFacts& ef = *ff->events.front();
          e.source = std::string(source_label(ef.event->source));
          e.file = ef.event->file;
          e.line = ef.event->line;
          e.record = ef.event->record;
          e.event_id = ef.event_id;
        }
        add_criterion(criteria, "critical.production_impact", std::move(e));
        break;
      }
    }
  }
  std::stable_sort(criteria.begin(), criteria.end(), [](const Criterion& a, const Criterion& b) {
    if (a.likely_benign != b.likely_benign) return !a.likely_benign;
    return a.level > b.level;
  });
}

}  // namespace eksir::incident
