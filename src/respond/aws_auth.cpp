// The aws-auth entries the attacker added, removed exactly: kube-system/aws-auth as the cluster
// snapshot holds it, without those entries and with every other entry and key as it was, put
// back with `kubectl replace` at the snapshot's resourceVersion — so that it fails instead of
// overwriting when the live ConfigMap changed since. Never the whole ConfigMap deleted.
#include <yaml-cpp/yaml.h>

#include <set>

#include "respond/plan_internal.h"

namespace eksir::respond {

namespace {

struct Entry {
  bool user = false;  // mapUsers
  std::string arn, username, groups;
  const Affected* affected = nullptr;
  bool found = false;
};

std::string scalar(const YAML::Node& n) {
  return n && n.IsScalar() ? n.Scalar() : std::string();
}

bool matches(const YAML::Node& item, const Entry& e) {
  if (!item.IsMap()) return false;
  if (scalar(item[e.user ? "userarn" : "rolearn"]) != e.arn) return false;
  if (!e.username.empty() && scalar(item["username"]) != e.username) return false;
  if (!e.groups.empty()) {
    std::string groups;
    if (item["groups"] && item["groups"].IsSequence())
      for (const auto& g : item["groups"]) groups += (groups.empty() ? "" : ",") + scalar(g);
    if (groups != e.groups) return false;
  }
  return true;
}

// The list without the entries of this map; error set when it is not a YAML list.
std::string without(const std::string& text, bool users, std::vector<Entry>& entries,
                    std::string& error) {
  YAML::Node list;
  try {
    list = YAML::Load(text);
  } catch (const YAML::Exception& ex) {
    error = "line " + std::to_string(ex.mark.line + 1) + ": " + ex.msg;
    return text;
  }
  if (!list.IsSequence()) {
    error = "is not a YAML list";
    return text;
  }
  YAML::Node kept(YAML::NodeType::Sequence);
  bool removed = false;
  for (const auto& item : list) {
    bool drop = false;
    for (auto& e : entries)
      if (e.user == users && matches(item, e)) drop = e.found = true;
    if (drop)
      removed = true;
    else
      kept.push_back(item);
  }
  if (!removed) return text;
  YAML::Emitter out;
  out << kept;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

void contain_aws_auth(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  std::vector<Entry> entries;
  std::set<std::string> seen;
  Step s;
  for (const auto* a : inc.of_kind("aws_auth_entry")) {
    Entry e;
    e.user = a->attr("map") == "mapUsers";
    e.arn = a->attr("arn").empty() ? a->name : a->attr("arn");
    e.username = a->attr("username");
    e.groups = a->attr("groups");
    e.affected = a;
    if (!seen.insert(std::string(e.user ? "user|" : "role|") + e.arn + "|" + e.username + "|" +
                     e.groups)
             .second)
      continue;
    entries.push_back(e);
    s.findings.insert(s.findings.end(), a->findings.begin(), a->findings.end());
  }
  if (entries.empty()) return;
  std::vector<std::string> names;
  for (const auto& e : entries)
    names.push_back(std::string(e.user ? "mapUsers" : "mapRoles") + " entry " + e.arn +
                    (e.username.empty() ? "" : " as " + e.username) +
                    (e.groups.empty() ? "" : " in " + e.groups));
  s.id = "contain/aws-auth-revert/kube-system/aws-auth";
  s.kind = "change";
  s.action = entries.size() == 1 ? "Remove exactly the aws-auth entry the attacker added"
                                 : "Remove exactly the aws-auth entries the attacker added";
  s.target = "ConfigMap kube-system/aws-auth: " + join(names, "; ");
  s.reason = entries.front().affected->why +
             (entries.size() > 1 ? " (and " + std::to_string(entries.size() - 1) + " more)" : "");
  s.command = ctx.finish(s, ctx.kubectl().word("replace").opt("--filename", "-"));
  s.capture = ctx.finish(s, ctx.kubectl()
                                .word("get")
                                .word("configmap")
                                .opt("--namespace", "kube-system")
                                .opt("--output", "yaml")
                                .name("aws-auth"));
  std::vector<std::string> arns;
  for (const auto& e : entries) arns.push_back(e.arn);
  s.expected = join(arns) + (arns.size() == 1 ? " no longer maps" : " no longer map") +
               " to a Kubernetes identity through aws-auth; every other entry (node roles, "
               "users, accounts) is unchanged";
  s.impact = "whoever signs in as " + join(arns) +
             " loses the cluster access aws-auth gave it; nothing else changes";
  s.undo_text =
      "re-add an entry from the ConfigMap captured in the journal if it proves legitimate; "
      "recovery leaves it removed";
  s.permanent = true;
  if (!inc.snapshot_problem.empty()) {
    s.blocked =
        "the manifest is built from the cluster snapshot's aws-auth, and " + inc.snapshot_problem;
  } else if (!inc.aws_auth) {
    s.blocked =
        "the cluster snapshot holds no kube-system/aws-auth to build the manifest from: add it to "
        "the evidence (kubectl get configmap aws-auth -n kube-system -o yaml) and investigate "
        "again, or remove the entry by hand (kubectl edit configmap aws-auth -n kube-system)";
  }
  if (!s.blocked.empty()) {
    s.command = {};
    ctx.add(s);
    return;
  }
  const cluster::ConfigMapCopy& cm = *inc.aws_auth;
  Manifest manifest;
  Manifest& data = manifest["data"];
  std::string problem;
  for (const auto& [key, value] : cm.data) {
    std::string text = value;
    if (key == "mapRoles" || key == "mapUsers") {
      std::string error;
      text = without(value, key == "mapUsers", entries, error);
      if (!error.empty() && problem.empty())
        problem = "the snapshot's aws-auth " + key + " cannot be read (" + error +
                  "): remove the entry by hand (kubectl edit configmap aws-auth -n kube-system)";
    }
    data[key] = text;
  }
  for (const auto& e : entries)
    if (!e.found && problem.empty())
      problem = "the snapshot's aws-auth (" + cm.file + ") does not hold the " +
                (e.user ? "mapUsers" : "mapRoles") + " entry " + e.arn +
                ": it was taken before the attacker's write or the entry is already gone — "
                "check with kubectl get configmap aws-auth -n kube-system -o yaml";
  if (!problem.empty()) {
    s.blocked = problem;
    s.command = {};
    ctx.add(s);
    return;
  }
  manifest["apiVersion"] = "v1";
  manifest["kind"] = "ConfigMap";
  Manifest& meta = manifest["metadata"];
  meta["name"] = "aws-auth";
  meta["namespace"] = "kube-system";
  if (!cm.resource_version.empty()) meta["resourceVersion"] = cm.resource_version;
  ctx.set_manifest(s, manifest);
  s.warning =
      "built from the cluster snapshot's aws-auth (" + cm.file +
      (cm.resource_version.empty()
           ? std::string("), which records no resourceVersion: compare it with the live ConfigMap "
                         "first — entries added since would be lost. ")
           : ", resourceVersion " + cm.resource_version +
                 "): if the ConfigMap changed since, the replace fails (Conflict) rather than "
                 "overwrite it — collect it again and re-plan. ") +
      production_warning(inc, "kube-system");
  ctx.add(s);
}

}  // namespace eksir::respond
