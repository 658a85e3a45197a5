// Eradication: remove what the attacker left behind (workloads by their owning controller,
// bindings, roles, service accounts, access entries, keys, roles, a compromised host) and put
// back the controls they turned off (control-plane logging, Pod Security Admission, Gatekeeper).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "respond/plan_internal.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

bool contains_ci(std::string_view text, std::string_view word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

bool builtin_role(std::string_view name) {
  return name.substr(0, 7) == "system:" || name.substr(0, 4) == "eks:" || name == "cluster-admin" ||
         name == "admin" || name == "edit" || name == "view";
}

std::string lower_kind(std::string_view kind) {
  std::string k(kind);
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return k;
}

bool deletable_workload_kind(std::string_view k) {
  return k == "deployment" || k == "daemonset" || k == "statefulset" || k == "replicaset" ||
         k == "job" || k == "cronjob" || k == "pod";
}

void delete_step(PlanContext& ctx, const std::string& kind, const std::string& ns,
                 const std::string& name, const Affected& why, std::string action,
                 std::string impact) {
  std::string k = lower_kind(kind);
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

bool journal_done(const std::vector<store::JournalEntry>& journal, std::string_view step_id) {
  return std::any_of(journal.begin(), journal.end(), [&](const store::JournalEntry& e) {
    return e.step_id == step_id && e.exit_status == 0 && !e.dry_run;
  });
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

  // 1. Workloads: the top controller of each compromised pod, else the pod itself.
  for (const auto* p : inc.of_kind("pod")) {
    namespaces.insert(p->ns);
    std::string kind = p->attr("workload_kind"), name = p->attr("workload_name");
    if (kind.empty() || name.empty()) kind = p->attr("owner_kind"), name = p->attr("owner_name");
    if (!kind.empty() && !name.empty() && deletable_workload_kind(lower_kind(kind))) {
      delete_step(ctx, kind, p->ns, name, *p,
                  "Delete the workload that owns the compromised pod (its pods go with it)",
                  "every pod of " + kind + " " + p->ns + "/" + name +
                      " stops; redeploy it from a trusted image once the root cause is fixed");
    } else {
      delete_step(ctx, "Pod", p->ns, p->name, *p, "Delete the compromised pod (no controller)",
                  "the pod stops for good (nothing recreates it)");
    }
  }
  for (const auto* w : inc.of_kind("workload")) {
    std::string kind = w->attr("kind");
    if (kind.empty() || !deletable_workload_kind(lower_kind(kind))) continue;
    namespaces.insert(w->ns);
    delete_step(ctx, kind, w->ns, w->name, *w,
                "Delete the unauthorised " + kind + " (with every pod it runs)",
                "every pod of " + kind + " " + w->ns + "/" + w->name + " stops");
  }

  // 2. RBAC: bindings, roles, and the service accounts the bindings empowered.
  std::set<std::string> bound_accounts;
  for (const auto* b : inc.of_kind("binding")) {
    std::string kind = b->attr("kind");
    bool cluster = kind == "ClusterRoleBinding" || (kind.empty() && b->ns.empty());
    if (builtin_role(b->name)) {
      ctx.plan.notes.push_back("binding " + b->name + " is built in: not deleted");
      continue;
    }
    for (const auto& subject : split_list(b->attr("subjects")))
      if (subject.rfind("ServiceAccount:", 0) == 0) bound_accounts.insert(subject.substr(15));
    delete_step(ctx, cluster ? "ClusterRoleBinding" : "RoleBinding", cluster ? "" : b->ns, b->name,
                *b, "Delete the unauthorised binding",
                "its subjects lose the role " + b->attr("role") +
                    " (check nothing legitimate relies on it)");
  }
  for (const auto* r : inc.of_kind("role")) {
    if (builtin_role(r->name)) {
      ctx.plan.notes.push_back("role " + r->name + " is built in: not deleted");
      continue;
    }
    bool cluster = r->ns.empty() || r->attr("kind") == "ClusterRole";
    delete_step(ctx, cluster ? "ClusterRole" : "Role", cluster ? "" : r->ns, r->name, *r,
                "Delete the unauthorised role", "bindings to it grant nothing any more");
  }
  for (const auto* sa : inc.of_kind("service_account")) {
    if (sa->name == "default") continue;  // recreated by Kubernetes; tokens revoked in containment
    bool unauthorised = bound_accounts.count(sa->ns + "/" + sa->name) ||
                        contains_ci(sa->why, "creat") || !sa->attr("created_by").empty();
    if (!unauthorised) continue;
    std::string users = sa->attr("pods");
    delete_step(ctx, "ServiceAccount", sa->ns, sa->name, *sa,
                "Delete the unauthorised service account",
                users.empty() ? "no pod in the evidence uses it"
                              : "pods using it (" + users + ") can no longer reach the API");
  }

  // 3. AWS: access entries, the roles behind them, access keys.
  std::set<std::string> entry_principals;
  if (!inc.cluster.empty()) {
    for (const auto* e : inc.of_kind("access_entry")) {
      std::string arn = e->attr("principal_arn");
      if (arn.empty()) arn = e->name.rfind("arn:", 0) == 0 ? e->name : e->id;
      entry_principals.insert(arn);
      Step s;
      s.id = "eradicate/delete-access-entry/" + arn;
      s.kind = "change";
      s.action = "Delete the unauthorised EKS access entry (and its access policies)";
      s.target = "access entry " + arn + " on " + inc.cluster;
      s.command = ctx.finish(s, ctx.aws("eks", "delete-access-entry")
                                    .opt("--cluster-name", inc.cluster)
                                    .opt("--principal-arn", arn));
      s.capture = ctx.finish(s, ctx.aws("eks", "list-associated-access-policies")
                                    .opt("--cluster-name", inc.cluster)
                                    .opt("--principal-arn", arn));
      s.reason = e->why;
      s.findings = e->findings;
      s.expected = arn + " can no longer authenticate to " + inc.cluster;
      s.impact = "none expected: the entry was added during the incident";
      s.warning = "access entries need aws CLI 2.15 or later";
      s.undo_text =
          "re-create with aws eks create-access-entry and associate-access-policy from "
          "the captured policies, if it was legitimate";
      s.permanent = true;
      ctx.add(s);
    }
  }
  for (const auto* r : inc.of_kind("iam_role")) {
    std::string arn = r->id.rfind("arn:", 0) == 0 ? r->id : r->attr("arn");
    std::string role = r->name;
    if (role.find('/') != std::string::npos) role = role.substr(role.rfind('/') + 1);
    bool backdoor = entry_principals.count(arn) || contains_ci(r->why, "creat");
    if (!backdoor) {
      ctx.plan.notes.push_back("IAM role " + role +
                               " is affected but not known to be the attacker's: review its "
                               "trust policy (aws iam get-role) rather than deleting it");
      continue;
    }
    if (journal_done(journal, "contain/revoke-sessions/" + role)) {
      Step p;
      p.id = "eradicate/delete-role-policy/" + role;
      p.kind = "change";
      p.action = "Remove containment's inline deny policy so that the role can be deleted";
      p.target = "IAM role " + role;
      p.command = ctx.finish(p, ctx.aws("iam", "delete-role-policy")
                                    .opt("--role-name", role)
                                    .opt("--policy-name", "eksir-revoke-older-sessions"));
      p.reason = "IAM refuses to delete a role that still has inline policies";
      p.expected = "the role has no eksir policy left";
      p.impact = "none";
      p.undo_text = "nothing to undo: the role is deleted next";
      p.permanent = true;
      ctx.add(p);
    }
    Step s;
    s.id = "eradicate/delete-role/" + role;
    s.kind = "change";
    s.action = "Delete the IAM role created for the attacker";
    s.target = "IAM role " + role;
    s.command = ctx.finish(s, ctx.aws("iam", "delete-role").opt("--role-name", role));
    s.capture = ctx.finish(s, ctx.aws("iam", "get-role").opt("--role-name", role));
    s.reason = r->why;
    s.findings = r->findings;
    s.expected = "the role no longer exists: nobody can assume it";
    s.impact = "none expected: the role was created during the incident";
    s.warning =
        "IAM refuses while managed policies are attached or other inline policies exist: "
        "detach them first (aws iam list-attached-role-policies / list-role-policies "
        "--role-name " +
        command::shell_quote(role) + ")";
    s.undo_text = "re-create from the captured role if it was legitimate";
    s.permanent = true;
    ctx.add(s);
  }
  for (const auto* k : inc.of_kind("access_key")) {
    std::string key =
        command::valid(Type::access_key_id, k->name) || k->id.empty() ? k->name : k->id;
    std::string user = k->attr("user");
    Step s;
    s.id = "eradicate/delete-key/" + key;
    s.kind = "change";
    s.action = "Delete the compromised access key";
    s.target = "access key " + key + " of IAM user " + user;
    if (user.empty()) s.blocked = "the key's IAM user is not known";
    s.command = ctx.finish(
        s,
        ctx.aws("iam", "delete-access-key").opt("--user-name", user).opt("--access-key-id", key));
    s.capture = ctx.finish(s, ctx.aws("iam", "list-access-keys").opt("--user-name", user));
    s.reason = k->why;
    s.findings = k->findings;
    s.expected = key + " is gone for good";
    s.impact = "whatever used the key needs a new one (aws iam create-access-key --user-name " +
               command::shell_quote(user) + ")";
    if (std::any_of(ctx.options.cicd_identities.begin(), ctx.options.cicd_identities.end(),
                    [&](const std::string& c) { return c == user || c == k->attr("user_arn"); }))
      s.warning = user +
                  " is a CI/CD identity: hand its pipelines a new key (or move them to a "
                  "role) before deleting this one";
    s.undo_text = "a deleted key cannot come back";
    s.permanent = true;
    ctx.add(s);
  }

  // 4. A compromised host is replaced, not cleaned.
  for (const auto* n : inc.of_kind("node")) {
    std::string id = n->attr("instance_id");
    if (id.empty()) continue;
    Step s;
    s.id = "eradicate/terminate-instance/" + id;
    s.kind = "change";
    s.action = "Terminate the compromised node's instance (its node group replaces it)";
    s.target = "instance " + id + " (node " + n->name + ")";
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
  bool logging_off = inc.has_rule("eksir-eks-audit-logging-disabled") ||
                     inc.has_rule("eksir-eks-logging-disabled") ||
                     std::any_of(inc.gaps.begin(), inc.gaps.end(), [](const std::string& g) {
                       return contains_ci(g, "logging") && contains_ci(g, "disabled");
                     });
  if (logging_off && !inc.cluster.empty()) {
    Step s;
    s.id = "eradicate/enable-logging/" + inc.cluster;
    s.kind = "change";
    s.action =
        "Turn control-plane logging back on (api, audit, authenticator, controllerManager, "
        "scheduler)";
    s.target = "EKS cluster " + inc.cluster;
    json logging = {
        {"clusterLogging",
         {{{"types", {"api", "audit", "authenticator", "controllerManager", "scheduler"}},
           {"enabled", true}}}}};
    s.command = ctx.finish(s, ctx.aws("eks", "update-cluster-config")
                                  .opt("--name", inc.cluster)
                                  .opt("--logging", logging.dump()));
    s.capture = ctx.finish(s, ctx.aws("eks", "describe-cluster").opt("--name", inc.cluster));
    s.reason = "the incident shows control-plane logging was disabled";
    s.expected = "audit events reach CloudWatch Logs again (/aws/eks/" + inc.cluster + "/cluster)";
    s.impact =
        "none on workloads; CloudWatch Logs ingestion is billed. EKS runs one "
        "configuration update at a time: wait for the endpoint update to finish";
    s.undo_text = "logging stays on";
    s.permanent = true;
    ctx.add(s);
  }
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
  ctx.plan.notes.push_back(
      "version updates (aws eks update-cluster-version, update-nodegroup-version) are planned "
      "only from a vulnerability finding; none is in the incident");
  if (ctx.plan.steps.empty())
    ctx.plan.notes.push_back("nothing to eradicate: the incident names no resource to remove");
}

}  // namespace eksir::respond
