#include <algorithm>
#include <chrono>
#include <set>

#include "respond/plan_internal.h"
#include "util/time_math.h"

namespace eksir::respond {

std::optional<Phase> parse_phase(std::string_view s) {
  if (s == "contain" || s == "containment") return Phase::contain;
  if (s == "eradicate" || s == "eradication") return Phase::eradicate;
  if (s == "recover" || s == "recovery") return Phase::recover;
  return std::nullopt;
}

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::contain:
      return "contain";
    case Phase::eradicate:
      return "eradicate";
    case Phase::recover:
      return "recover";
  }
  return "contain";
}

command::Builder PlanContext::kubectl() const {
  command::Builder b = command::Builder::kubectl();
  if (!options.kube_context.empty()) b.opt("--context", options.kube_context);
  return b;
}

command::Builder PlanContext::aws(std::string_view service, std::string_view operation) const {
  return command::Builder::aws(service, operation);
}

Command PlanContext::finish(Step& step, command::Builder b, std::string_view region) const {
  if (b.tool() == command::Tool::aws) {
    if (region.empty()) region = incident.region;
    if (!region.empty()) b.opt("--region", region);
    b.opt("--output", "json");
  }
  command::Argv a = b.build();
  Command c;
  if (!a.ok()) {
    if (step.blocked.empty()) step.blocked = "unsafe to run: " + a.error;
    return c;
  }
  c.argv = std::move(a.words);
  return c;
}

bool PlanContext::require(Step& step, Type t, std::string_view value, std::string_view what) const {
  std::string e = command::explain(t, value, what);
  if (!e.empty() && step.blocked.empty()) step.blocked = "unsafe to run: " + e;
  return e.empty();
}

void PlanContext::set_manifest(Step& step, const Manifest& manifest) const {
  std::string kind = manifest.text_at({"kind"});
  require(step, kind == "Namespace" ? Type::k8s_label_name : Type::k8s_name,
          manifest.text_at({"metadata", "name"}), kind + " name");
  const Manifest* meta = manifest.find("metadata");
  if (meta && meta->find("namespace"))
    require(step, Type::k8s_label_name, meta->text_at({"namespace"}), "namespace");
  auto labels = [&](const Manifest* map, std::string_view what) {
    if (!map || !map->is_object()) return;
    for (const auto& [key, value] : map->members()) {
      require(step, Type::label_key, key, std::string(what) + " key");
      require(step, Type::label_value, value.is_string() ? value.text() : "",
              std::string(what) + " value");
    }
  };
  if (meta) labels(meta->find("labels"), "label");
  if (const Manifest* spec = manifest.find("spec"); spec && spec->find("podSelector"))
    labels(spec->find("podSelector")->find("matchLabels"), "selector label");
  std::string role = manifest.text_at({"metadata", "annotations", "eks.amazonaws.com/role-arn"});
  if (!role.empty()) require(step, Type::iam_role_arn, role, "role ARN annotation");
  step.manifest_kind = kind;
  step.manifest_json = manifest.json(2);
  step.command.stdin_text = to_yaml(manifest);
}

void PlanContext::add(Step step) {
  std::sort(step.findings.begin(), step.findings.end());
  step.findings.erase(std::unique(step.findings.begin(), step.findings.end()), step.findings.end());
  for (const auto& s : plan.steps)
    if (s.id == step.id) return;  // two entities leading to the same step
  plan.steps.push_back(std::move(step));
}

bool compromised_host(const IncidentView& incident, std::string_view node,
                      std::string_view instance) {
  bool named = false;
  for (const auto* n : incident.of_kind("node"))
    if (!node.empty() && n->name == node && !n->findings.empty()) named = true;
  for (const auto* i : incident.of_kind("instance"))
    if (!instance.empty() && (i->name == instance || i->id == instance) && !i->findings.empty())
      named = true;
  if (!named) return false;
  bool pod_there = false;
  for (const auto* p : incident.of_kind("pod")) {
    if (node.empty() || p->attr("node") != node) continue;
    pod_there = true;
    const SnapshotPod* sp =
        incident.have_snapshot_pods ? incident.snapshot_pod(p->ns, p->name) : nullptr;
    if (!sp || sp->host_access) return true;
  }
  return !pod_there;
}

bool system_namespace(std::string_view ns) {
  return ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease";
}

std::string production_warning(const IncidentView& incident, std::string_view ns) {
  std::string w;
  if (system_namespace(ns))
    w = std::string(ns) +
        " holds the cluster's system components: check no add-on (CNI, DNS, "
        "kube-proxy) is affected. ";
  if (incident.production)
    w += "Production cluster " + incident.cluster +
         ": coordinate with the application owners before running this step.";
  return w;
}

namespace {

// A pod outside the incident whose controller the incident names (another replica of the
// compromised Deployment) is part of what is being contained.
bool workload_named(const IncidentView& incident, const SnapshotPod& pod) {
  if (pod.owner_name.empty()) return false;
  for (const auto& a : incident.affected) {
    if (a.ns != pod.ns) continue;
    if (a.kind == "pod" &&
        (a.attr("owner_name") == pod.owner_name || a.attr("workload_name") == pod.owner_name))
      return true;
    if (a.kind == "workload" && a.name == pod.owner_name) return true;
  }
  return false;
}

}  // namespace

Selector narrowest_selector(const IncidentView& incident,
                            const std::vector<const Affected*>& pods) {
  Selector sel;
  if (pods.empty()) return sel;
  // Candidate labels: those every affected pod carries with the same value.
  std::map<std::string, std::string> common = pods.front()->labels;
  for (const auto* p : pods)
    for (auto it = common.begin(); it != common.end();) {
      auto found = p->labels.find(it->first);
      if (found == p->labels.end() || found->second != it->second)
        it = common.erase(it);
      else
        ++it;
    }
  for (auto it = common.begin(); it != common.end();) {
    std::string e = command::explain(Type::label_key, it->first, "label key");
    if (e.empty()) e = command::explain(Type::label_value, it->second, "label value");
    if (!e.empty()) {
      sel.unusable.push_back(e);
      it = common.erase(it);
    } else {
      ++it;
    }
  }
  const std::string& ns = pods.front()->ns;
  std::set<std::string> affected;
  for (const auto* p : pods) affected.insert(p->name);
  std::vector<const SnapshotPod*> in_ns;
  for (const auto& sp : incident.snapshot_pods)
    if (sp.ns == ns) in_ns.push_back(&sp);
  sel.known = incident.have_snapshot_pods && !in_ns.empty();
  if (common.empty()) return sel;
  auto selected_others = [&](const std::map<std::string, std::string>& labels) {
    std::vector<const SnapshotPod*> others;
    for (const auto* sp : in_ns) {
      if (affected.count(sp->name)) continue;
      bool match = std::all_of(labels.begin(), labels.end(), [&](const auto& kv) {
        auto f = sp->labels.find(kv.first);
        return f != sp->labels.end() && f->second == kv.second;
      });
      if (match) others.push_back(sp);
    }
    return others;
  };
  if (!sel.known) {
    sel.labels = common;  // every shared label: as narrow as the evidence allows
    return sel;
  }
  // Fewest labels that select no pod outside the incident; all of them when none does.
  std::vector<std::pair<std::string, std::string>> items(common.begin(), common.end());
  size_t n = std::min<size_t>(items.size(), 12);
  std::map<std::string, std::string> best;
  size_t best_count = SIZE_MAX, best_others = SIZE_MAX;
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    std::map<std::string, std::string> labels;
    for (size_t i = 0; i < n; ++i)
      if (mask & (1u << i)) labels.insert(items[i]);
    size_t others = selected_others(labels).size();
    size_t count = labels.size();
    if (others < best_others || (others == best_others && count < best_count)) {
      best = labels;
      best_others = others;
      best_count = count;
    }
  }
  sel.labels = best;
  for (const auto* sp : selected_others(best)) {
    sel.others.push_back(ns + "/" + sp->name);
    if (system_namespace(ns) || (incident.production && !workload_named(incident, *sp)))
      sel.protected_others.push_back(ns + "/" + sp->name);
  }
  return sel;
}

PlanResult build_plan(std::string_view incident_json, Phase phase, const PlanOptions& options,
                      const std::vector<store::JournalEntry>& journal) {
  PlanResult r;
  std::string error;
  IncidentView incident = parse_incident(incident_json, error);
  if (!error.empty()) {
    r.error = error;
    return r;
  }
  read_snapshot(incident, options.base_dir);
  Plan& plan = r.plan;
  plan.phase = phase;
  plan.case_dir = incident.case_dir;
  plan.incident_id = incident.id;
  plan.title = incident.title;
  plan.severity = incident.severity;
  plan.cluster = incident.cluster;
  plan.region = incident.region;
  plan.account = incident.account;
  plan.cluster_arn = incident.cluster_arn;
  // Whole milliseconds: the plan states its time to the millisecond.
  plan.generated = options.now != kNoTime ? options.now : util::now_ns() / 1000000 * 1000000;
  if (!incident.snapshot_problem.empty())
    plan.notes.push_back(incident.snapshot_problem +
                         ": the steps that rely on the snapshot (isolation selectors, the pods "
                         "kept on a drained node) are blocked until it is back or investigate "
                         "runs again");
  PlanContext ctx{incident, options, plan};
  switch (phase) {
    case Phase::contain:
      build_contain(ctx);
      break;
    case Phase::eradicate:
      build_eradicate(ctx, journal);
      break;
    case Phase::recover:
      build_recover(ctx, journal);
      break;
  }
  if (options.kube_context.empty() &&
      std::any_of(plan.steps.begin(), plan.steps.end(), [](const Step& s) {
        return !s.command.argv.empty() && s.command.argv.front() == "kubectl";
      }))
    plan.notes.push_back(
        "kubectl uses the current context: check it is " +
        (incident.cluster.empty() ? std::string("the incident's cluster") : incident.cluster) +
        " (kubectl config current-context; respond --execute refuses another), or pass "
        "--context");
  return r;
}

}  // namespace eksir::respond
