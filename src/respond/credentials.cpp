// Containment of the attacker's credentials: every access key it used or made is deactivated,
// the EKS access entries it made (or made for a principal it let in) are removed, the sessions of
// every role it used are revoked — node roles included — and the service accounts whose tokens it
// held are deleted. IAM changes are planned only in the account that owns the principal.
// Eradication removes an access entry containment did not.
#include <algorithm>
#include <map>
#include <set>

#include "respond/plan_internal.h"
#include "util/json_writer.h"

namespace eksir::respond {

namespace {

std::string iso_seconds(TimeNs t) {
  std::string s = format_time(t);
  return s.size() >= 19 ? s.substr(0, 19) + "Z" : s;
}

bool is_cicd(const PlanOptions& o, const std::string& user, const std::string& arn) {
  return std::any_of(o.cicd_identities.begin(), o.cicd_identities.end(),
                     [&](const std::string& c) { return c == user || c == arn; });
}

// The ARN an access entry is for.
std::string entry_principal(const Affected& e) {
  std::string arn = e.attr("principal_arn");
  if (arn.empty()) arn = e.name.rfind("arn:", 0) == 0 ? e.name : e.id;
  return arn;
}

// Service accounts the kube-controller-manager acts as: they make the attacker's pods for its
// controllers, which ties them into the incident, but nothing the attacker holds.
bool controller_identity(const Affected& sa) {
  return sa.ns == "kube-system" && sa.name.size() > 11 &&
         sa.name.compare(sa.name.size() - 11, 11, "-controller") == 0;
}

// A finding of the incident shows the account's token used where only the cluster should use it
// (from outside the cluster's networks, or a CI/CD identity's from outside its trusted ranges):
// read while the incident does not yet mark the account attacker "used".
bool token_used_from_outside(const IncidentView& inc, const Affected& sa) {
  std::string user = "system:serviceaccount:" + sa.ns + ":" + sa.name;
  for (const auto& f : inc.findings) {
    if (f.rule_id != "eksir-k8s-serviceaccount-token-outside" &&
        f.rule_id != "eksir-cicd-credential-misuse")
      continue;
    if (std::find(sa.findings.begin(), sa.findings.end(), f.id) == sa.findings.end()) continue;
    for (const auto& [k, v] : f.subject)
      if ((k == "user.username" || k == "cicd_identity") && v == user) return true;
  }
  return false;
}

}  // namespace

void contain_access_keys(PlanContext& ctx) {
  for (const auto* k : ctx.incident.of_kind("access_key")) {
    std::string key = pick(Type::access_key_id, {k->name, k->id});
    std::string user = k->attr("user");
    Step s;
    s.id = "contain/deactivate-key/" + key;
    s.kind = "change";
    s.action = attacker_created(*k) ? "Deactivate the IAM access key the attacker created"
                                    : "Deactivate the IAM access key seen in CloudTrail";
    s.target = "access key " + key + (user.empty() ? "" : " of IAM user " + user);
    s.reason = k->why;
    s.findings = k->findings;
    if (user.empty()) {
      s.blocked =
          "the key's IAM user is not known: find it with aws iam get-access-key-last-used "
          "--access-key-id " +
          command::shell_quote(key);
      s.command = ctx.finish(s, ctx.aws("iam", "update-access-key")
                                    .opt("--access-key-id", key)
                                    .opt("--status", "Inactive"));
    } else {
      s.blocked = other_account(ctx.incident, *k, "the access key " + key + " of IAM user", user,
                                "deactivate it");
      s.command = ctx.finish(s, ctx.aws("iam", "update-access-key")
                                    .opt("--user-name", user)
                                    .opt("--access-key-id", key)
                                    .opt("--status", "Inactive"));
      s.capture = ctx.finish(s, ctx.aws("iam", "list-access-keys").opt("--user-name", user));
      s.undo = ctx.finish(s, ctx.aws("iam", "update-access-key")
                                 .opt("--user-name", user)
                                 .opt("--access-key-id", key)
                                 .opt("--status", "Active"));
    }
    s.expected = "every request signed with " + key + " is denied (InvalidClientTokenId)";
    s.impact = attacker_created(*k)
                   ? "none expected: the attacker created this key"
                   : "anything legitimately using this key stops working until it gets a new key";
    if (is_cicd(ctx.options, user, k->attr("user_arn")))
      s.warning = user +
                  " is a CI/CD identity: its pipelines fail until they are given a new "
                  "key — tell the team that owns them. ";
    s.undo_text =
        "the key stays inactive (it is compromised): issue a new key instead; "
        "reactivating is possible with update-access-key --status Active";
    s.permanent = true;
    ctx.add(s);
  }
}

namespace {

// The access entries the attacker made, or made for a principal it let into the cluster, with
// why; the others are noted.
std::vector<std::pair<const Affected*, std::string>> attacker_access_entries(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  std::vector<std::pair<const Affected*, std::string>> out;
  std::set<std::string> admitted;
  for (const char* kind : {"iam_role", "iam_user"})
    for (const auto* p : inc.of_kind(kind))
      if (attacker(*p) == "admitted") admitted.insert(p->id);
  for (const auto* e : inc.of_kind("access_entry")) {
    std::string arn = entry_principal(*e);
    if (attacker_created(*e)) {
      out.emplace_back(e, "the attacker created it");
    } else if (admitted.count(arn)) {
      out.emplace_back(e, "it lets in " + arn + ", whom the attacker let in");
    } else if (attacker(*e) == "changed") {
      ctx.plan.notes.push_back(
          "access entry " + arn +
          " existed before and the attacker changed it: compare its access policies (aws eks "
          "list-associated-access-policies) with what its owners expect and disassociate what "
          "the attacker added (aws eks disassociate-access-policy)");
    } else {
      ctx.plan.notes.push_back("access entry " + arn +
                               " is in the incident but nothing shows the attacker created it: "
                               "not removed (review it with aws eks describe-access-entry)");
    }
  }
  return out;
}

void delete_access_entry(PlanContext& ctx, const Affected& e, const std::string& why,
                         std::string_view phase) {
  const IncidentView& inc = ctx.incident;
  std::string arn = entry_principal(e);
  Step s;
  s.id = std::string(phase) + "/delete-access-entry/" + arn;
  s.kind = "change";
  s.action = "Remove the EKS access entry (and with it its access policies): " + why;
  s.target = "access entry " + arn + " on " + inc.cluster;
  s.command = ctx.finish(s, ctx.aws("eks", "delete-access-entry")
                                .opt("--cluster-name", inc.cluster)
                                .opt("--principal-arn", arn));
  s.capture = ctx.finish(s, ctx.aws("eks", "describe-access-entry")
                                .opt("--cluster-name", inc.cluster)
                                .opt("--principal-arn", arn));
  s.reason = e.why;
  s.findings = e.findings;
  s.expected = arn + " can no longer authenticate to " + inc.cluster +
               (e.attr("policies").empty() ? "" : " (it held " + e.attr("policies") + ")");
  s.impact = "none expected: the entry was made during the incident";
  s.warning = "access entries need aws CLI 2.15 or later";
  s.undo_text =
      "re-create it with aws eks create-access-entry and associate-access-policy from what was "
      "captured, if it was legitimate; recovery does not";
  s.permanent = true;
  ctx.add(s);
}

}  // namespace

void contain_access_entries(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  if (inc.cluster.empty()) return;
  for (const auto& [e, why] : attacker_access_entries(ctx)) {
    std::string arn = entry_principal(*e);
    Step policies;
    policies.id = "contain/evidence/access-entry-policies/" + arn;
    policies.kind = "evidence";
    policies.action =
        "Keep the access policies associated with the attacker's access entry in the journal";
    policies.target = "access entry " + arn + " on " + inc.cluster;
    policies.command = ctx.finish(policies, ctx.aws("eks", "list-associated-access-policies")
                                                .opt("--cluster-name", inc.cluster)
                                                .opt("--principal-arn", arn));
    policies.reason = e->why;
    policies.findings = e->findings;
    policies.expected = "the policies and their scopes are kept in the case";
    policies.impact = "none (read-only)";
    policies.undo_text = "nothing to undo";
    policies.permanent = true;
    ctx.add(policies);
    delete_access_entry(ctx, *e, why, "contain");
  }
}

void eradicate_access_entries(PlanContext& ctx, const std::vector<store::JournalEntry>& journal) {
  if (ctx.incident.cluster.empty()) return;
  for (const auto& [e, why] : attacker_access_entries(ctx))
    if (!journal_done(journal, "contain/delete-access-entry/" + entry_principal(*e)))
      delete_access_entry(ctx, *e, why, "eradicate");
}

void contain_role_sessions(PlanContext& ctx) {
  std::string issued_before = iso_seconds(ctx.plan.generated);
  util::JsonWriter policy;  // members in the order of their names, as it has always been
  policy.open('{');
  policy.key("Statement");
  policy.open('[');
  policy.item();
  policy.open('{');
  policy.kv("Action", "*");
  policy.key("Condition");
  policy.open('{');
  policy.key("DateLessThan");
  policy.open('{');
  policy.kv("aws:TokenIssueTime", issued_before);
  policy.close('}');
  policy.close('}');
  policy.kv("Effect", "Deny");
  policy.kv("Resource", "*");
  policy.kv("Sid", "EksirRevokeOlderSessions");
  policy.close('}');
  policy.close(']');
  policy.kv("Version", "2012-10-17");
  policy.close('}');
  for (const auto* r : ctx.incident.of_kind("iam_role")) {
    std::string role = iam_name(*r);
    bool node_role = r->attr("node_role") == "true";
    Step s;
    s.id = "contain/revoke-sessions/" + role;
    s.kind = "change";
    s.action = "Revoke the role's active sessions (inline deny for tokens issued before now)";
    s.target = "IAM role " + role;
    s.blocked = other_account(ctx.incident, *r, "role", role, "revoke its sessions");
    if (s.blocked.empty() && identity_center_role(*r))
      s.blocked =
          "role " + role +
          " belongs to IAM Identity Center, and IAM refuses any change to it: revoke the "
          "session in IAM Identity Center — put this deny on its permission set (aws "
          "sso-admin put-inline-policy-to-permission-set, then provision-permission-set) "
          "and suspend the user" +
          (r->attr("session_names").empty() ? std::string()
                                            : " (sessions: " + r->attr("session_names") + ")") +
          " until the investigation clears them";
    s.command = ctx.finish(s, ctx.aws("iam", "put-role-policy")
                                  .opt("--role-name", role)
                                  .opt("--policy-name", "eksir-revoke-older-sessions")
                                  .opt("--policy-document", policy.o));
    s.reason = r->why;
    s.findings = r->findings;
    s.expected = "temporary credentials of " + role + " issued before " + issued_before +
                 " are denied everything; new sessions still work";
    if (node_role) {
      s.impact =
          "every node of the role loses its AWS credentials until its instance profile hands out "
          "new ones (the credentials taken from the instance metadata stop working at once): "
          "image pulls from ECR, the VPC CNI assigning pod addresses and the kubelet's "
          "authentication to the cluster can fail for minutes, up to the credentials' refresh; "
          "new pods may not start meanwhile";
      s.warning =
          "a node role: every node using it is affected, not only the compromised ones — run it "
          "in a quiet period and watch kubectl get nodes; the nodes recover without action. ";
    } else {
      s.impact = "workloads using the role re-authenticate once (SDKs do it on the next refresh)";
    }
    s.undo = ctx.finish(s, ctx.aws("iam", "delete-role-policy")
                               .opt("--role-name", role)
                               .opt("--policy-name", "eksir-revoke-older-sessions"));
    s.undo_text =
        "remove the inline policy once the longest session duration (up to 12 h) has "
        "passed — recovery leaves it in place";
    s.permanent = true;
    ctx.add(s);
  }
}

void contain_open_bindings(PlanContext& ctx) {
  for (const auto* b : ctx.incident.of_kind("binding")) {
    if (!attacker_created(*b)) continue;
    std::vector<std::string> open;
    for (const auto& subject : split_list(b->attr("subjects")))
      for (const char* who : {"system:anonymous", "system:unauthenticated", "system:authenticated"})
        if (subject.size() > std::string_view(who).size() &&
            subject.compare(subject.size() - std::string_view(who).size(), std::string::npos,
                            who) == 0 &&
            subject[subject.size() - std::string_view(who).size() - 1] == ':')
          open.push_back(subject);
    if (open.empty()) continue;
    std::string kind = b->attr("kind");
    bool cluster = kind == "ClusterRoleBinding" || (kind.empty() && b->ns.empty());
    std::string k = cluster ? "clusterrolebinding" : "rolebinding";
    Step s;
    s.id = "contain/delete-" + k + "/" + (cluster ? "" : b->ns + "/") + b->name;
    s.kind = "change";
    s.action = "Delete the binding the attacker made to give everyone access (" + join(open) + ")";
    s.target = std::string(cluster ? "ClusterRoleBinding " : "RoleBinding ") +
               (cluster ? "" : b->ns + "/") + b->name;
    command::Builder del = ctx.kubectl().word("delete").word(k);
    command::Builder get = ctx.kubectl().word("get").word(k);
    if (!cluster) del.opt("--namespace", b->ns), get.opt("--namespace", b->ns);
    s.command = ctx.finish(s, del.flag("--ignore-not-found").name(b->name));
    s.capture = ctx.finish(s, get.opt("--output", "yaml").name(b->name));
    s.reason = b->why;
    s.findings = b->findings;
    s.expected = "requests without credentials (or with any) no longer get the role " +
                 b->attr("role") + " through " + b->name;
    s.impact =
        "none expected: the attacker created it; legitimate anonymous access comes from "
        "the built-in bindings, which stay";
    s.warning = production_warning(ctx.incident, "");
    s.undo_text =
        "re-create it from the manifest captured in the journal if it proves legitimate; "
        "recovery does not";
    s.permanent = true;
    ctx.add(s);
  }
}

void contain_service_accounts(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  std::set<std::string> incident_pods;
  std::set<std::string> run_as;  // ns/name of the accounts the incident's pods run as
  for (const auto* p : inc.of_kind("pod")) {
    incident_pods.insert(p->ns + "/" + p->name);
    if (!p->attr("service_account").empty())
      run_as.insert(p->ns + "/" + p->attr("service_account"));
  }
  std::vector<std::string> passed_over;
  for (const auto* sa : inc.of_kind("service_account")) {
    std::string key = sa->ns + "/" + sa->name;
    std::vector<std::string> users = split_list(sa->attr("pods"));
    bool pod_of_incident =
        run_as.count(key) || std::any_of(users.begin(), users.end(), [&](const std::string& u) {
          return incident_pods.count(u);
        });
    std::string a = attacker(*sa);
    bool held = a == "used" || a == "created" || a == "changed" || pod_of_incident ||
                token_used_from_outside(inc, *sa);
    if (!held) {
      if (!controller_identity(*sa)) passed_over.push_back(key);
      continue;
    }
    bool made = attacker_created(*sa);
    std::string who = users.empty() ? "no pod in the evidence uses it"
                                    : "pods using it: " + join(users) +
                                          " — their API calls fail until they are restarted";
    Step del;
    del.id = "contain/sa-delete/" + key;
    del.kind = "change";
    del.action = made ? "Delete the service account the attacker created (its tokens die with it)"
                      : "Delete the compromised service account (invalidates every token issued "
                        "to it)";
    del.target = "service account " + key;
    del.command = ctx.finish(del, ctx.kubectl()
                                      .word("delete")
                                      .word("serviceaccount")
                                      .opt("--namespace", sa->ns)
                                      .flag("--ignore-not-found")
                                      .name(sa->name));
    del.capture = ctx.finish(del, ctx.kubectl()
                                      .word("get")
                                      .word("serviceaccount")
                                      .opt("--namespace", sa->ns)
                                      .opt("--output", "json")
                                      .name(sa->name));
    del.reason = sa->why;
    del.findings = sa->findings;
    del.expected = "tokens of " + key +
                   " are rejected (bound tokens name the deleted account's UID; "
                   "token secrets of it are deleted with it)";
    del.impact = who;
    del.warning = production_warning(inc, sa->ns);
    if (!made)
      del.warning +=
          " Clients holding a long-lived token of it (a kubernetes.io/service-account-token "
          "secret, e.g. a CD tool's cluster credentials) need a new one: Kubernetes does not "
          "make one for the recreated account.";
    del.undo_text = made ? "nothing to undo: the attacker made it"
                         : "the old tokens stay revoked; the next step recreates the account";
    del.permanent = true;
    ctx.add(del);
    if (made) continue;

    Step add;
    add.id = "contain/sa-recreate/" + key;
    add.kind = "change";
    add.action = "Recreate the service account with a new identity";
    add.target = del.target;
    Manifest manifest;
    manifest["apiVersion"] = "v1";
    manifest["kind"] = "ServiceAccount";
    manifest["metadata"]["name"] = sa->name;
    manifest["metadata"]["namespace"] = sa->ns;
    std::string role_arn = sa->attr("role_arn");
    if (!role_arn.empty())
      manifest["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] = role_arn;
    add.command = ctx.finish(add, ctx.kubectl().word("apply").opt("--filename", "-"));
    ctx.set_manifest(add, manifest);
    add.reason = sa->why;
    add.findings = sa->findings;
    add.expected = "a new " + key + " exists; old tokens stay invalid";
    add.impact = who;
    add.warning = production_warning(inc, sa->ns) +
                  (users.empty() ? "" : " Restart the pods that use it to give them new tokens.");
    add.undo = ctx.finish(add, ctx.kubectl()
                                   .word("delete")
                                   .word("serviceaccount")
                                   .opt("--namespace", sa->ns)
                                   .flag("--ignore-not-found")
                                   .name(sa->name));
    add.undo_text = "delete the recreated account (eradication does when it is unauthorised)";
    add.permanent = true;
    ctx.add(add);
  }
  if (!passed_over.empty())
    ctx.plan.notes.push_back(
        "service account" + std::string(passed_over.size() == 1 ? " " : "s ") + join(passed_over) +
        (passed_over.size() == 1 ? " is" : " are") +
        " in the incident, but nothing shows the attacker held " +
        (passed_over.size() == 1 ? "its token" : "their tokens") +
        " (no pod of the incident runs as it, no record of the attacker using it): not deleted");
}

}  // namespace eksir::respond
