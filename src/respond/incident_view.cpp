#include "respond/incident_view.h"
#include "respond/plan_internal.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "cluster/cluster.h"
#include "util/json_dom.h"
#include "util/sha256.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

const json& member(const json& j, const char* key) {
  static const json null_value;
  if (!j.is_object()) return null_value;
  auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

std::map<std::string, std::string> string_map(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string())
      out[it.key()] = it.value().get<std::string>();
    else if (it.value().is_number() || it.value().is_boolean())
      out[it.key()] = it.value().dump();
  }
  return out;
}

Affected parse_affected(const json& a) {
  Affected r;
  r.kind = str(a, "kind");
  r.name = str(a, "name");
  r.ns = str(a, "namespace");
  r.id = str(a, "id");
  r.why = str(a, "why");
  r.findings = string_list(member(a, "findings"));
  r.attributes = string_map(member(a, "attributes"));
  r.labels = string_map(member(a, "labels"));
  return r;
}

}  // namespace

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
  json doc = util::parse_json(text);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "the incident is not a JSON object";
    return v;
  }
  std::string schema = str(doc, "schema");
  if (schema.rfind("eksir.incident/", 0) != 0) {
    error = "not an eksir incident document (schema \"" + schema + "\")";
    return v;
  }
  v.case_dir = str(member(doc, "case"), "dir");
  const json& run = member(doc, "run");
  v.run_cwd = str(run, "cwd");
  for (const auto& in : member(run, "inputs")) {
    InputFile f{str(in, "path"), str(in, "sha256"), 0};
    const json& size = member(in, "size");
    if (size.is_number_unsigned()) f.size = size.get<uint64_t>();
    if (!f.path.empty()) v.inputs.push_back(std::move(f));
  }
  const json& inc = member(doc, "incident");
  if (!inc.is_object()) {
    error = "the document has no \"incident\" object";
    return v;
  }
  v.id = str(inc, "id");
  v.title = str(inc, "title");
  v.type = str(inc, "type");
  v.severity = str(inc, "severity");
  const json& cl = member(inc, "cluster");
  v.cluster = str(cl, "name");
  v.region = str(cl, "region");
  v.account = str(cl, "account");
  v.cluster_arn = str(cl, "arn");
  const json& prod = member(inc, "production");
  v.production = prod.is_boolean() ? prod.get<bool>() : true;
  for (const auto& a : member(inc, "affected"))
    if (a.is_object()) v.affected.push_back(parse_affected(a));
  for (const auto* c : v.of_kind("cluster")) {
    if (v.cluster.empty()) v.cluster = c->name;
    if (v.region.empty()) v.region = c->attr("region");
    if (v.account.empty()) v.account = c->attr("account");
    if (v.cluster_arn.empty()) v.cluster_arn = c->attr("arn");
    if (v.public_access_cidrs.empty())
      v.public_access_cidrs = split_list(c->attr("public_access_cidrs"));
  }
  v.gaps = string_list(member(inc, "gaps"));
  // Findings: the top-level list of finding objects, and the rule ids the criteria cite.
  for (const auto& f : member(doc, "findings")) {
    std::string rule = str(f, "rule");
    if (rule.empty()) rule = str(f, "rule_id");
    if (!rule.empty()) v.finding_rules.push_back(rule);
  }
  for (const auto& c : member(inc, "criteria"))
    for (const auto& e : member(c, "evidence")) {
      std::string rule = str(e, "rule");
      if (!rule.empty()) v.finding_rules.push_back(rule);
    }
  for (const auto& t : member(inc, "timeline")) {
    std::string rule = str(member(t, "evidence"), "rule");
    if (!rule.empty()) v.finding_rules.push_back(rule);
  }
  std::sort(v.finding_rules.begin(), v.finding_rules.end());
  v.finding_rules.erase(std::unique(v.finding_rules.begin(), v.finding_rules.end()),
                        v.finding_rules.end());
  if (v.id.empty()) v.id = str(member(doc, "case"), "id");
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
    SnapshotPod p{w.ns, w.name, w.pod.node_name, "", "", {}};
    if (!w.owners.empty()) {
      p.owner_kind = w.owners.front().kind;
      p.owner_name = w.owners.front().name;
    }
    for (const auto& [k, val] : w.labels) p.labels[k] = val;
    view.snapshot_pods.push_back(std::move(p));
  }
  for (const auto& ns : snap.namespaces)
    if (ns.name == "gatekeeper-system") view.gatekeeper = true;
  for (const auto& w : snap.workloads)
    if (w.ns == "gatekeeper-system") view.gatekeeper = true;
  if (snap.cluster && view.public_access_cidrs.empty())
    view.public_access_cidrs = snap.cluster->public_cidrs;
}

}  // namespace eksir::respond
