#include "respond/incident_view.h"
#include "respond/plan_internal.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

#include "cluster/cluster.h"
#include "incident/incident.h"
#include "util/sha256.h"

namespace eksir::respond {

std::vector<std::string> string_list(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& v : j)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<const Affected*> IncidentView::of_kind(std::string_view kind) const {
  std::vector<const Affected*> out;
  for (const auto& a : affected)
    if (a.kind == kind) out.push_back(&a);
  return out;
}

const SnapshotPod* IncidentView::snapshot_pod(std::string_view ns, std::string_view name) const {
  for (const auto& p : snapshot_pods)
    if (p.ns == ns && p.name == name) return &p;
  return nullptr;
}

bool IncidentView::has_rule(std::string_view rule) const {
  return std::find(finding_rules.begin(), finding_rules.end(), rule) != finding_rules.end();
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string_view part =
        s.substr(start, comma == std::string_view::npos ? s.npos : comma - start);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

IncidentView parse_incident(std::string_view text, std::string& error) {
  IncidentView v;
  incident::ReadResult read = incident::read_json(text);
  if (!read.ok()) {
    error = read.error;
    return v;
  }
  if (read.schema.empty()) {
    error = "not an eksir incident document (it names no schema)";
    return v;
  }
  if (!read.has_incident) {
    error = "the document has no \"incident\" object";
    return v;
  }
  const incident::Investigation& inv = read.investigation;
  const incident::Incident& inc = inv.incident;
  v.case_dir = inv.run.case_dir;
  v.run_cwd = inv.run.cwd;
  for (const auto& in : inv.run.inputs)
    if (!in.path.empty()) v.inputs.push_back({in.path, in.sha256, in.size});
  v.id = inc.id.empty() ? inv.run.case_id : inc.id;
  v.title = inc.title;
  v.type = inc.type;
  v.severity = std::string(util::severity_title(inc.severity));
  v.cluster = inc.cluster.name;
  v.region = inc.cluster.region;
  v.account = inc.cluster.account;
  v.cluster_arn = inc.cluster.arn;
  v.production = inc.production;
  v.affected = inc.affected;
  for (const auto* c : v.of_kind("cluster")) {
    if (v.cluster.empty()) v.cluster = c->name;
    if (v.region.empty()) v.region = c->attr("region");
    if (v.account.empty()) v.account = c->attr("account");
    if (v.cluster_arn.empty()) v.cluster_arn = c->attr("arn");
    if (v.public_access_cidrs.empty())
      v.public_access_cidrs = split_list(c->attr("public_access_cidrs"));
  }
  v.gaps = inc.gaps;
  v.not_expanded = inc.not_expanded;
  // Rules of the incident's findings, and those the criteria and the timeline cite.
  std::set<std::string> ids(inc.findings.begin(), inc.findings.end());
  for (const auto& f : inv.findings) {
    if (!ids.count(f.id)) continue;
    if (!f.rule_id.empty()) v.finding_rules.push_back(f.rule_id);
    v.findings.push_back(f);
  }
  for (const auto& c : inc.criteria)
    for (const auto& e : c.evidence)
      if (!e.rule.empty()) v.finding_rules.push_back(e.rule);
  for (const auto& t : inc.timeline)
    if (!t.evidence.rule.empty()) v.finding_rules.push_back(t.evidence.rule);
  std::sort(v.finding_rules.begin(), v.finding_rules.end());
  v.finding_rules.erase(std::unique(v.finding_rules.begin(), v.finding_rules.end()),
                        v.finding_rules.end());
  return v;
}

void read_snapshot(IncidentView& view, const std::string& base_dir) {
  namespace fs = std::filesystem;
  constexpr uint64_t kMaxSnapshotFile = 64ull << 20;  // evidence logs are not snapshots
  const std::string& root = view.run_cwd.empty() ? base_dir : view.run_cwd;
  cluster::Snapshot snap;
  std::vector<std::string> problems;
  for (const auto& in : view.inputs) {
    if (in.size > kMaxSnapshotFile) continue;
    fs::path p(in.path);
    if (p.is_relative()) {
      if (root.empty()) {
        problems.push_back(in.path +
                           ": relative, and the investigation did not record where it ran");
        continue;
      }
      p = fs::path(root) / p;
    }
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (ec) {
      problems.push_back(p.string() + ": missing (" + ec.message() + ")");
      continue;
    }
    if (size > kMaxSnapshotFile) {
      problems.push_back(p.string() + ": changed (now " + std::to_string(size) + " bytes)");
      continue;
    }
    // Read once: the bytes hashed are the bytes parsed.
    std::ifstream f(p, std::ios::binary);
    if (!f) {
      problems.push_back(p.string() + ": unreadable");
      continue;
    }
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (in.sha256.empty()) {
      problems.push_back(p.string() + ": the investigation recorded no SHA-256 for it");
      continue;
    }
    if (sha256_hex(text) != in.sha256) {
      problems.push_back(p.string() + ": changed since the investigation (SHA-256 differs)");
      continue;
    }
    cluster::add_text(snap, text, p.string());
  }
  if (!problems.empty()) {
    view.snapshot_problem =
        "the investigation's inputs cannot be read as they were: " + problems.front() +
        (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "");
    return;
  }
  for (const auto& w : snap.workloads) {
    if (w.kind != "Pod") continue;
    view.have_snapshot_pods = true;
    SnapshotPod p{w.ns, w.name, w.pod.node_name, "", "", {}, false, {}};
    if (!w.owners.empty()) {
      p.owner_kind = w.owners.front().kind;
      p.owner_name = w.owners.front().name;
    }
    for (const auto& [k, val] : w.labels) p.labels[k] = val;
    const cluster::PodSpec& spec = w.pod;
    p.host_access = spec.host_pid || spec.host_ipc || spec.host_network ||
                    std::any_of(spec.volumes.begin(), spec.volumes.end(),
                                [](const cluster::Volume& v) { return v.source == "hostPath"; });
    for (const auto* list : {&spec.containers, &spec.init_containers})
      for (const auto& c : *list) p.containers.emplace_back(c.name, c.image);
    for (const auto* list : {&spec.containers, &spec.init_containers, &spec.ephemeral_containers})
      for (const auto& c : *list)
        if (c.sc.privileged.value_or(false) ||
            std::find(c.sc.cap_add.begin(), c.sc.cap_add.end(), "SYS_ADMIN") != c.sc.cap_add.end())
          p.host_access = true;
    view.snapshot_pods.push_back(std::move(p));
  }
  for (const auto& w : snap.workloads) {
    if (w.kind == "Pod") continue;
    SnapshotController c{w.kind, w.ns, w.name, "", ""};
    if (!w.owners.empty()) {
      c.owner_kind = w.owners.front().kind;
      c.owner_name = w.owners.front().name;
    }
    view.snapshot_controllers.push_back(std::move(c));
  }
  view.aws_auth = snap.aws_auth_configmap;
  for (const auto& ns : snap.namespaces)
    if (ns.name == "gatekeeper-system") view.gatekeeper = true;
  for (const auto& w : snap.workloads)
    if (w.ns == "gatekeeper-system") view.gatekeeper = true;
  if (snap.cluster && view.public_access_cidrs.empty())
    view.public_access_cidrs = snap.cluster->public_cidrs;
}

}  // namespace eksir::respond
