// Eradication of workloads. A controller the attacker created is deleted before what it made —
// CronJob, then its Jobs, then their pods; Deployment, then its ReplicaSets, then their pods;
// DaemonSet or StatefulSet, then its pods — so that nothing makes a new pod while the others
// go. A pod of a controller that is not the attacker's (a compromised replica of a production
// Deployment) is deleted alone: its controller replaces it from its own template, and the
// controller, which existed before the incident, is never deleted.
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <tuple>

#include "respond/plan_internal.h"
#include "util/text.h"

namespace eksir::respond {

namespace {

bool deletable_kind(std::string_view kind) {
  std::string k = util::ascii_lower(kind);
  return k == "deployment" || k == "daemonset" || k == "statefulset" || k == "replicaset" ||
         k == "job" || k == "cronjob";
}

// Controllers first that make others: a CronJob makes Jobs, a Deployment ReplicaSets.
int kind_rank(std::string_view kind) {
  std::string k = util::ascii_lower(kind);
  if (k == "cronjob") return 0;
  if (k == "deployment") return 1;
  if (k == "daemonset") return 2;
  if (k == "statefulset") return 3;
  if (k == "job") return 4;
  if (k == "replicaset") return 5;
  return 6;
}

bool suffix_of(const std::string& name, const std::string& owner, bool digits) {
  if (name.size() <= owner.size() + 1 || name.compare(0, owner.size(), owner) != 0 ||
      name[owner.size()] != '-')
    return false;
  return std::all_of(
      name.begin() + static_cast<std::ptrdiff_t>(owner.size()) + 1, name.end(),
      [&](unsigned char c) { return digits ? std::isdigit(c) != 0 : std::isalnum(c) != 0; });
}

struct Node {
  const Affected* entity = nullptr;  // the workload entity, when the incident names one
  std::string kind, ns, name;
  Node* parent = nullptr;
  std::vector<Node*> children;
  std::vector<const Affected*> pods;
  bool created = false;  // the attacker's, itself or through what owns it
};

std::string key(std::string_view kind, std::string_view ns, std::string_view name) {
  return util::ascii_lower(kind) + "/" + std::string(ns) + "/" + std::string(name);
}

}  // namespace

void eradicate_workloads(PlanContext& ctx, std::set<std::string>& namespaces) {
  const IncidentView& inc = ctx.incident;
  std::map<std::string, Node> nodes;
  for (const auto* w : inc.of_kind("workload")) {
    std::string kind = w->attr("kind");
    if (!deletable_kind(kind)) continue;
    Node& n = nodes[key(kind, w->ns, w->name)];
    n.entity = w;
    n.kind = kind;
    n.ns = w->ns;
    n.name = w->name;
  }
  auto find = [&](std::string_view kind, std::string_view ns, std::string_view name) -> Node* {
    auto it = nodes.find(key(kind, ns, name));
    return it == nodes.end() ? nullptr : &it->second;
  };
  // What owns each workload: the incident's attribute, the snapshot, else Kubernetes' naming (a
  // CronJob's Job is NAME-<minutes>, a Deployment's ReplicaSet NAME-<template hash>).
  for (auto& [k, n] : nodes) {
    Node* owner = nullptr;
    if (!n.entity->attr("owner_kind").empty())
      owner = find(n.entity->attr("owner_kind"), n.ns, n.entity->attr("owner_name"));
    for (const auto& c : inc.snapshot_controllers)
      if (!owner && c.ns == n.ns && c.name == n.name &&
          util::ascii_lower(c.kind) == util::ascii_lower(n.kind) && !c.owner_kind.empty())
        owner = find(c.owner_kind, n.ns, c.owner_name);
    for (auto& [ok, o] : nodes) {
      if (owner) break;
      if ((util::ascii_lower(n.kind) == "job" && util::ascii_lower(o.kind) == "cronjob" &&
           o.ns == n.ns && suffix_of(n.name, o.name, true)) ||
          (util::ascii_lower(n.kind) == "replicaset" && util::ascii_lower(o.kind) == "deployment" &&
           o.ns == n.ns && suffix_of(n.name, o.name, false)))
        owner = &o;
    }
    if (owner && owner != &n) {
      n.parent = owner;
      owner->children.push_back(&n);
    }
  }
  std::vector<const Affected*> lone_pods;
  for (const auto* p : inc.of_kind("pod")) {
    namespaces.insert(p->ns);
    Node* owner = find(p->attr("owner_kind"), p->ns, p->attr("owner_name"));
    if (!owner) owner = find(p->attr("workload_kind"), p->ns, p->attr("workload_name"));
    if (owner)
      owner->pods.push_back(p);
    else
      lone_pods.push_back(p);
  }
  // The attacker's: created itself, or made by something it created.
  for (auto& [k, n] : nodes) {
    for (Node* up = &n; up; up = up->parent)
      if (attacker_created(*up->entity)) n.created = true;
  }
  std::vector<Node*> roots;
  for (auto& [k, n] : nodes)
    if (n.created && !(n.parent && n.parent->created)) roots.push_back(&n);
  std::sort(roots.begin(), roots.end(), [](const Node* a, const Node* b) {
    return std::tuple(kind_rank(a->kind), a->ns, a->name) <
           std::tuple(kind_rank(b->kind), b->ns, b->name);
  });

  auto delete_step = [&](const std::string& kind, const std::string& ns, const std::string& name,
                         const Affected& why, std::string action, std::string impact,
                         std::string undo) {
    std::string k = util::ascii_lower(kind);
    Step s;
    s.id = "eradicate/delete-" + k + "/" + ns + "/" + name;
    s.kind = "change";
    s.action = std::move(action);
    s.target = kind + " " + ns + "/" + name;
    s.command = ctx.finish(s, ctx.kubectl()
                                  .word("delete")
                                  .word(k)
                                  .opt("--namespace", ns)
                                  .flag("--ignore-not-found")
                                  .name(name));
    s.capture = ctx.finish(s, ctx.kubectl()
                                  .word("get")
                                  .word(k)
                                  .opt("--namespace", ns)
                                  .opt("--output", "yaml")
                                  .name(name));
    s.reason = why.why;
    s.findings = why.findings;
    s.expected = s.target + " no longer exists";
    s.impact = std::move(impact);
    s.warning = production_warning(inc, ns);
    s.undo_text = std::move(undo);
    s.permanent = true;
    ctx.add(s);
  };
  const std::string recreate =
      "re-create it from the manifest captured in the journal (kubectl apply) if it turns out to "
      "be legitimate";
  // A controller, then what it made, depth first: a CronJob, its first Job, that Job's pods, ...
  std::function<void(const Node&, const Node*)> remove = [&](const Node& n, const Node* root) {
    namespaces.insert(n.ns);
    if (!root)
      delete_step(n.kind, n.ns, n.name, *n.entity,
                  "Delete the " + n.kind +
                      " the attacker created (before what it made, so that it "
                      "makes nothing more)",
                  "every pod of " + n.kind + " " + n.ns + "/" + n.name +
                      " stops; nothing legitimate runs it: the evidence shows the attacker "
                      "created it",
                  recreate);
    else
      delete_step(n.kind, n.ns, n.name, *n.entity,
                  "Delete the " + n.kind + " that the attacker's " + root->kind + " " + root->name +
                      " made (if deleting its owner has not already removed it)",
                  "none beyond its owner's deletion", recreate);
    std::vector<const Node*> children(n.children.begin(), n.children.end());
    std::sort(children.begin(), children.end(), [](const Node* a, const Node* b) {
      return std::tuple(kind_rank(a->kind), a->name) < std::tuple(kind_rank(b->kind), b->name);
    });
    for (const Node* c : children) remove(*c, root ? root : &n);
    std::vector<const Affected*> pods = n.pods;
    std::sort(pods.begin(), pods.end(),
              [](const Affected* a, const Affected* b) { return a->name < b->name; });
    for (const auto* p : pods)
      delete_step("Pod", p->ns, p->name, *p,
                  "Delete the pod that the attacker's " + (root ? root->kind : n.kind) + " " +
                      (root ? root->name : n.name) +
                      " made (if deleting its owner has not already removed it)",
                  "none beyond its owner's deletion", recreate);
  };
  for (const Node* r : roots) remove(*r, nullptr);

  // Workloads the incident names that are not the attacker's.
  for (const auto& [k, n] : nodes) {
    if (n.created) continue;
    if (attacker(*n.entity) == "changed")
      ctx.plan.notes.push_back(
          n.kind + " " + n.ns + "/" + n.name +
          " existed before and the attacker changed it: roll it back to its last trusted "
          "revision (kubectl rollout history / rollout undo) rather than delete it");
    else if (n.pods.empty() && n.children.empty())
      ctx.plan.notes.push_back(n.kind + " " + n.ns + "/" + n.name +
                               " is in the incident, but nothing shows the attacker created it: "
                               "not deleted");
  }
  // Pods outside the attacker's controllers: each deleted alone.
  for (auto& [k, n] : nodes)
    if (!n.created) lone_pods.insert(lone_pods.end(), n.pods.begin(), n.pods.end());
  std::sort(lone_pods.begin(), lone_pods.end(), [](const Affected* a, const Affected* b) {
    return std::tie(a->ns, a->name) < std::tie(b->ns, b->name);
  });
  for (const auto* p : lone_pods) {
    std::string owner_kind = p->attr("workload_kind"), owner = p->attr("workload_name");
    if (owner_kind.empty() || owner.empty())
      owner_kind = p->attr("owner_kind"), owner = p->attr("owner_name");
    bool controlled = !p->attr("owner_kind").empty() || !owner_kind.empty();
    std::string action, impact;
    if (!controlled) {
      action = attacker_created(*p) ? "Delete the pod the attacker created (no controller)"
                                    : "Delete the compromised pod (no controller)";
      impact = "the pod stops for good (nothing recreates it)";
    } else {
      action = "Delete the compromised pod only: its " + owner_kind + " " + owner +
               " is not the attacker's and replaces it from its own template";
      impact = "one replica of " + owner_kind + " " + p->ns + "/" + owner +
               " restarts; the others keep serving";
      if (attacker_created(*p))
        ctx.plan.notes.push_back(
            "pod " + p->ns + "/" + p->name + " was made by the attacker, but its controller " +
            owner_kind + " " + owner +
            " is not shown to be the attacker's: it is not deleted — check what it runs (kubectl "
            "get " +
            util::ascii_lower(owner_kind) + " -n " + command::shell_quote(p->ns) + " " +
            command::shell_quote(owner) + " -o yaml)");
    }
    delete_step("Pod", p->ns, p->name, *p, action, impact,
                controlled ? "nothing to undo: its controller has made a new pod"
                           : "re-create it from the manifest captured in the journal if it "
                             "turns out to be legitimate");
  }
}

}  // namespace eksir::respond
