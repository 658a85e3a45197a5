// Eradication: remove what the attacker left behind — only what the evidence shows it created
// (workloads, each owning controller before what it made; bindings, roles, service accounts,
// access entries, keys, IAM users and roles), and a compromised host — and put back the controls
// it turned off (control-plane logging, Pod Security Admission, Gatekeeper).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "respond/plan_internal.h"
#include "util/text.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

bool builtin_role(std::string_view name) {
  return name.substr(0, 7) == "system:" || name.substr(0, 4) == "eks:" || name == "cluster-admin" ||
         name == "admin" || name == "edit" || name == "view";
}

void delete_step(PlanContext& ctx, const std::string& kind, const std::string& ns,
                 const std::string& name, const Affected& why, std::string action,
                 std::string impact) {
  std::string k = util::ascii_lower(kind);
  Step s;
  s.id = "eradicate/delete-" + k + "/" + (ns.empty() ? "" : ns + "/") + name;
  s.kind = "change";
  s.action = std::move(action);
  s.target = kind + " " + (ns.empty() ? "" : ns + "/") + name;
  command::Builder del = ctx.kubectl().word("delete").word(k);
  command::Builder get = ctx.kubectl().word("get").word(k);
  if (!ns.empty()) del.opt("--namespace", ns), get.opt("--namespace", ns);
  s.command = ctx.finish(s, del.flag("--ignore-not-found").name(name));
  s.capture = ctx.finish(s, get.opt("--output", "yaml").name(name));
  s.reason = why.why;
  s.findings = why.findings;
  s.expected = s.target + " no longer exists";
  s.impact = std::move(impact);
  s.warning = production_warning(ctx.incident, ns);
  s.undo_text =
      "re-create it from the manifest captured in the journal (kubectl apply) if it "
      "turns out to be legitimate";
  s.permanent = true;
  ctx.add(s);
}

}  // namespace

void build_eradicate(PlanContext& ctx, const std::vector<store::JournalEntry>& journal) {
  const IncidentView& inc = ctx.incident;
  if (inc.severity == "Low") {
    ctx.plan.notes.push_back(
        "severity Low: nothing to eradicate — no resource of the incident is known to be "
        "malicious; review the findings");
    return;
  }
  std::set<std::string> namespaces;

  // 1. Workloads: the attacker's controllers before what they made; compromised pods alone.
  eradicate_workloads(ctx, namespaces);
  // Then the workloads that stay, on images rebuilt without the vulnerabilities.
  eradicate_images(ctx, journal);

  // 2. RBAC: only what the attacker created — a name that looks built in (system:…) is no proof
  // of anything, and a binding that existed before is someone's.
  for (const auto* b : inc.of_kind("binding")) {
    std::string kind = b->attr("kind");
    bool cluster = kind == "ClusterRoleBinding" || (kind.empty() && b->ns.empty());
    if (!attacker_created(*b)) {
      ctx.plan.notes.push_back(
          std::string(cluster ? "ClusterRoleBinding " : "RoleBinding ") +
          (cluster ? "" : b->ns + "/") + b->name +
          (attacker(*b) == "changed"
               ? " existed before and the attacker changed it: remove the subjects the attacker "
                 "added (kubectl edit) rather than delete it"
               : " is in the incident, but nothing shows the attacker created it: not deleted"));
      continue;
    }
    if (journal_done(journal, std::string(cluster ? "contain/delete-clusterrolebinding/"
                                                  : "contain/delete-rolebinding/") +
                                  (cluster ? "" : b->ns + "/") + b->name))
      continue;  // containment deleted it
    std::string subjects = b->attr("subjects");
    delete_step(ctx, cluster ? "ClusterRoleBinding" : "RoleBinding", cluster ? "" : b->ns, b->name,
                *b, "Delete the binding the attacker created",
                "its subjects (" + (subjects.empty() ? std::string("as listed in it") : subjects) +
                    ") lose the role " + b->attr("role") +
                    "; nothing legitimate relies on it: the evidence shows the attacker created "
                    "it");
  }
  for (const auto* r : inc.of_kind("role")) {
    bool cluster = r->ns.empty() || r->attr("kind") == "ClusterRole";
    if (!attacker_created(*r) || builtin_role(r->name)) {
      ctx.plan.notes.push_back(std::string(cluster ? "ClusterRole " : "Role ") +
                               (cluster ? "" : r->ns + "/") + r->name +
                               " is in the incident, but nothing shows the attacker created it: "
                               "not deleted");
      continue;
    }
    delete_step(ctx, cluster ? "ClusterRole" : "Role", cluster ? "" : r->ns, r->name, *r,
                "Delete the role the attacker created", "bindings to it grant nothing any more");
  }
  for (const auto* sa : inc.of_kind("service_account")) {
    if (!attacker_created(*sa)) continue;  // compromised ones were deleted and recreated
    std::string users = sa->attr("pods");
    delete_step(ctx, "ServiceAccount", sa->ns, sa->name, *sa,
                "Delete the service account the attacker created",
                users.empty() ? "no pod in the evidence uses it"
                              : "pods using it (" + users + ") can no longer reach the API");
  }

  // 3. AWS: access entries containment did not remove, keys, then the users and roles the
  // attacker created (a user after its keys).
  eradicate_access_entries(ctx, journal);
  eradicate_access_keys(ctx);
  eradicate_users(ctx);
  eradicate_roles(ctx, journal);

  // 4. A compromised host is replaced, not cleaned.
  std::map<std::string, std::pair<std::string, const Affected*>> hosts;  // instance: node, why
  for (const auto* n : inc.of_kind("node"))
    if (!n->attr("instance_id").empty()) hosts.try_emplace(n->attr("instance_id"), n->name, n);
  for (const auto* i : inc.of_kind("instance"))
    hosts.try_emplace(pick(Type::instance_id, {i->name, i->id}), i->attr("node"), i);
  for (const auto& [id, host] : hosts) {
    const auto& [node, n] = host;
    if (!compromised_host(inc, node, id)) continue;
    Step s;
    s.id = "eradicate/terminate-instance/" + id;
    s.kind = "change";
    s.action = "Terminate the compromised node's instance (its node group replaces it)";
    s.target = "instance " + id + (node.empty() ? "" : " (node " + node + ")");
    s.command = ctx.finish(s, ctx.aws("ec2", "terminate-instances").list("--instance-ids", {id}));
    s.capture = ctx.finish(s, ctx.aws("ec2", "describe-instances").list("--instance-ids", {id}));
    s.reason = n->why;
    s.findings = n->findings;
    s.expected =
        "the instance is terminated; the managed node group or Auto Scaling group "
        "starts a clean one from the current AMI";
    s.impact = "the node's capacity is missing until its replacement joins";
    s.warning =
        "make sure the EBS snapshot of containment completed first (aws ec2 "
        "describe-snapshots --filters " +
        command::shell_quote("Name=description,Values=eksir evidence of " + id + "*") + ")";
    s.undo_text = "a terminated instance cannot come back";
    s.permanent = true;
    ctx.add(s);
  }

  // 5. Controls: control-plane logging, Pod Security Admission, Gatekeeper.
  eradicate_control_plane_logging(ctx);
  for (const auto* ns : inc.of_kind("namespace")) namespaces.insert(ns->name);
  for (const auto& ns : namespaces) {
    bool system = ns == "kube-system";
    json labels = {{"pod-security.kubernetes.io/warn", "restricted"},
                   {"pod-security.kubernetes.io/audit", "restricted"}};
    if (!system) {
      labels["pod-security.kubernetes.io/enforce"] = "baseline";
      labels["pod-security.kubernetes.io/enforce-version"] = "latest";
    }
    json manifest = {{"apiVersion", "v1"},
                     {"kind", "Namespace"},
                     {"metadata", {{"name", ns}, {"labels", labels}}}};
    Step s;
    s.id = "eradicate/pod-security/" + ns;
    s.kind = "change";
    s.action = system ? "Label the namespace for Pod Security Admission (warn and audit: "
                        "restricted; system pods need privileges, so no enforce)"
                      : "Enforce the baseline Pod Security Standard on the namespace (warn and "
                        "audit restricted)";
    s.target = "namespace " + ns;
    s.command = ctx.finish(s, ctx.kubectl()
                                  .word("apply")
                                  .flag("--server-side")
                                  .opt("--field-manager", "eksir")
                                  .opt("--filename", "-"));
    ctx.set_manifest(s, manifest);
    s.capture =
        ctx.finish(s, ctx.kubectl().word("get").word("namespace").opt("--output", "json").name(ns));
    s.reason = "the incident's pods ran in " + ns;
    s.expected = system
                     ? "privileged pods in kube-system are reported (warnings, audit "
                       "annotations)"
                     : "new privileged, hostPath or host-namespace pods in " + ns + " are rejected";
    s.impact = system ? "none: warn and audit only"
                      : "existing pods keep running; new pods that break the baseline are "
                        "rejected — check with kubectl label --dry-run=server first";
    s.warning = production_warning(ctx.incident, ns);
    s.undo_text = "remove the labels with kubectl label namespace " + command::shell_quote(ns) +
                  " pod-security.kubernetes.io/enforce- (recovery keeps them)";
    s.permanent = true;
    ctx.add(s);
  }
  bool privileged_pod = !inc.of_kind("pod").empty();
  if ((ctx.options.gatekeeper || inc.gatekeeper) && privileged_pod) {
    json exempt = json::array();
    if (command::valid(Type::region, inc.region))
      exempt.push_back("602401143452.dkr.ecr." + inc.region + ".amazonaws.com/*");
    json manifest = {{"apiVersion", "constraints.gatekeeper.sh/v1beta1"},
                     {"kind", "K8sPSPPrivilegedContainer"},
                     {"metadata", {{"name", "psp-privileged-container"}}},
                     {"spec",
                      {{"enforcementAction", "deny"},
                       {"match", {{"kinds", {{{"apiGroups", {""}}, {"kinds", {"Pod"}}}}}}},
                       {"parameters", {{"exemptImages", exempt}}}}}};
    Step s;
    s.id = "eradicate/gatekeeper/psp-privileged-container";
    s.kind = "change";
    s.action = "Deny privileged containers cluster-wide with the Gatekeeper constraint";
    s.target = "K8sPSPPrivilegedContainer psp-privileged-container";
    s.command = ctx.finish(s, ctx.kubectl().word("apply").opt("--filename", "-"));
    ctx.set_manifest(s, manifest);
    s.capture = ctx.finish(s, ctx.kubectl()
                                  .word("get")
                                  .word("constrainttemplate")
                                  .opt("--output", "name")
                                  .name("k8spspprivilegedcontainer"));
    s.reason = "a privileged pod was part of the incident and Gatekeeper is installed";
    s.expected = "new pods with privileged containers are denied, except the EKS add-on images";
    s.impact =
        "deployments that need privileged containers (CNI, CSI, monitoring agents from "
        "other registries) are denied: add their images to exemptImages first";
    s.warning =
        "the ConstraintTemplate k8spspprivilegedcontainer must be installed before the "
        "constraint (gatekeeper-library).";
    s.undo = ctx.finish(s, ctx.kubectl()
                               .word("delete")
                               .word("k8spspprivilegedcontainer")
                               .flag("--ignore-not-found")
                               .name("psp-privileged-container"));
    s.undo_text = "delete the constraint (recovery keeps it)";
    s.permanent = true;
    ctx.add(s);
  }
  for (const auto* sec : inc.of_kind("secret"))
    ctx.plan.notes.push_back("secret " + sec->ns + "/" + sec->name +
                             " was exposed: rotate the credential it holds at its source, then "
                             "update the secret");
  auto images = inc.of_kind("image");
  auto vulnerable_images = std::count_if(images.begin(), images.end(), [](const Affected* a) {
    return !a->attr("vulnerabilities").empty();
  });
  ctx.plan.notes.push_back(
      vulnerable_images == 0
          ? "version updates (aws eks update-cluster-version, update-nodegroup-version) are "
            "planned only from a vulnerability finding; none is in the incident"
          : "the incident's vulnerability findings are in container images (rebuilt above); "
            "none is in the cluster version or the node AMIs: no version update is planned");
  if (ctx.plan.steps.empty())
    ctx.plan.notes.push_back("nothing to eradicate: the incident names no resource to remove");
}

}  // namespace eksir::respond
