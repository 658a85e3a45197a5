#include <algorithm>
#include <chrono>
#include <set>

#include "respond/plan_internal.h"

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

Command PlanContext::kubectl(std::vector<std::string> args) const {
  Command c;
  c.argv.push_back("kubectl");
  if (!options.kube_context.empty()) {
    c.argv.push_back("--context");
    c.argv.push_back(options.kube_context);
  }
  for (auto& a : args) c.argv.push_back(std::move(a));
  return c;
}

Command PlanContext::aws(std::vector<std::string> args) const {
  Command c;
  c.argv.push_back("aws");
  for (auto& a : args) c.argv.push_back(std::move(a));
  if (!incident.region.empty() && is_region(incident.region)) {
    c.argv.push_back("--region");
    c.argv.push_back(incident.region);
  }
  c.argv.push_back("--output");
  c.argv.push_back("json");
  return c;
}

void PlanContext::set_manifest(Step& step, const nlohmann::json& manifest) const {
  step.manifest_kind = manifest.value("kind", "");
  step.manifest_json = manifest.dump(2);
  step.command.stdin_text = to_yaml(manifest);
}

void PlanContext::add(Step step) {
  std::sort(step.findings.begin(), step.findings.end());
  step.findings.erase(std::unique(step.findings.begin(), step.findings.end()), step.findings.end());
  for (const auto& s : plan.steps)
    if (s.id == step.id) return;  // two entities leading to the same step
  plan.steps.push_back(std::move(step));
}

bool PlanContext::check(bool ok, std::string_view what, std::string_view value) {
  if (!ok) {
    std::string v(value.substr(0, 80));
    for (char& c : v)
      if (static_cast<unsigned char>(c) < 0x20) c = '?';
    skipped.push_back(std::string(what) + " \"" + v + "\" is not a valid name: left out");
  }
  return ok;
}

std::string production_warning(const IncidentView& incident, std::string_view ns) {
  std::string w;
  if (ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease")
    w = std::string(ns) +
        " holds the cluster's system components: check no add-on (CNI, DNS, "
        "kube-proxy) is affected. ";
  if (incident.production)
    w += "Production cluster " + incident.cluster +
         ": coordinate with the application owners before running this step.";
  return w;
}

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
    if (!is_label_key(it->first) || !is_label_value(it->second))
      it = common.erase(it);
    else
      ++it;
  }
  if (common.empty()) return sel;
  const std::string& ns = pods.front()->ns;
  std::set<std::string> affected;
  for (const auto* p : pods) affected.insert(p->name);
  std::vector<const SnapshotPod*> in_ns;
  for (const auto& sp : incident.snapshot_pods)
    if (sp.ns == ns) in_ns.push_back(&sp);
  sel.known = incident.have_snapshot_pods && !in_ns.empty();
  auto selected_others = [&](const std::map<std::string, std::string>& labels) {
    std::vector<std::string> others;
    for (const auto* sp : in_ns) {
      if (affected.count(sp->name)) continue;
      bool match = std::all_of(labels.begin(), labels.end(), [&](const auto& kv) {
        auto f = sp->labels.find(kv.first);
        return f != sp->labels.end() && f->second == kv.second;
      });
      if (match) others.push_back(ns + "/" + sp->name);
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
  sel.others = selected_others(best);
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
  plan.generated = options.now != kNoTime ? options.now
                                          : std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                    .count() *
                                                1000000;
  PlanContext ctx{incident, options, plan, {}};
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
  for (auto& s : ctx.skipped) plan.notes.push_back(std::move(s));
  if (options.kube_context.empty() && !plan.steps.empty() &&
      std::any_of(plan.steps.begin(), plan.steps.end(),
                  [](const Step& s) { return s.command.argv.front() == "kubectl"; }))
    plan.notes.push_back(
        "kubectl uses the current context: check it is " +
        (incident.cluster.empty() ? std::string("the incident's cluster") : incident.cluster) +
        " (kubectl config current-context), or pass --context");
  return r;
}

}  // namespace eksir::respond
