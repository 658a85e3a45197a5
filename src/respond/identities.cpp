// Eradication in IAM: the access keys the attacker used or made are deleted; the users and roles
// it created — and only those — are deleted once what IAM requires first is gone (their keys,
// their managed policies, containment's inline policy). A principal of another account gets a
// blocked step naming the account that must act; one that existed before the incident is never
// deleted.
#include <algorithm>

#include "respond/plan_internal.h"

namespace eksir::respond {

namespace {

bool is_cicd(const PlanOptions& o, const std::string& user, const std::string& arn) {
  return std::any_of(o.cicd_identities.begin(), o.cicd_identities.end(),
                     [&](const std::string& c) { return c == user || c == arn; });
}

// Managed policies the incident says the attacker attached: a step for each; when it names none,
// one blocked step saying how to find them (IAM refuses to delete a principal with any attached).
void detach_policies(PlanContext& ctx, const Affected& a, bool user) {
  std::string name = iam_name(a);
  std::string kind = user ? "user" : "role";
  std::string option = user ? "--user-name" : "--role-name";
  std::vector<std::string> policies = split_list(a.attr("attached_policies"));
  auto base = [&](Step& s) {
    s.kind = "change";
    s.target = "IAM " + kind + " " + name;
    s.reason = "IAM refuses to delete a " + kind + " that has managed policies attached";
    s.findings = a.findings;
    s.expected = "the policy no longer grants " + name + " anything";
    s.impact = "none expected: the " + kind + " is the attacker's and is deleted next";
    s.undo_text = "attach it again (aws iam attach-" + kind + "-policy) if the " + kind +
                  " proves legitimate";
    s.permanent = true;
    s.capture =
        ctx.finish(s, ctx.aws("iam", "list-attached-" + kind + "-policies").opt(option, name));
  };
  if (policies.empty()) {
    Step s;
    s.id = "eradicate/detach-" + kind + "-policies/" + name;
    s.action = "Detach every managed policy from the " + kind + " before deleting it";
    base(s);
    s.blocked = "the incident names no policy attached to " + name +
                ": list them (aws iam list-attached-" + kind + "-policies " + option + " " +
                command::shell_quote(name) + ") and detach each with --policy-arn";
    s.command = ctx.finish(s, ctx.aws("iam", "detach-" + kind + "-policy").opt(option, name));
    ctx.add(s);
    return;
  }
  for (const auto& policy : policies) {
    Step s;
    s.id = "eradicate/detach-" + kind + "-policy/" + name + "/" + policy;
    s.action = "Detach the managed policy the attacker attached";
    base(s);
    s.target += " policy " + policy;
    s.command = ctx.finish(
        s,
        ctx.aws("iam", "detach-" + kind + "-policy").opt(option, name).opt("--policy-arn", policy));
    ctx.add(s);
  }
}

}  // namespace

void eradicate_access_keys(PlanContext& ctx) {
  for (const auto* k : ctx.incident.of_kind("access_key")) {
    std::string key =
        command::valid(Type::access_key_id, k->name) || k->id.empty() ? k->name : k->id;
    std::string user = k->attr("user");
    Step s;
    s.id = "eradicate/delete-key/" + key;
    s.kind = "change";
    s.action = attacker_created(*k) ? "Delete the access key the attacker created"
                                    : "Delete the compromised access key";
    s.target = "access key " + key + " of IAM user " + user;
    if (user.empty())
      s.blocked = "the key's IAM user is not known";
    else
      s.blocked = other_account(ctx.incident, *k, "the access key " + key + " of IAM user", user,
                                "delete it");
    s.command = ctx.finish(
        s,
        ctx.aws("iam", "delete-access-key").opt("--user-name", user).opt("--access-key-id", key));
    s.capture = ctx.finish(s, ctx.aws("iam", "list-access-keys").opt("--user-name", user));
    s.reason = k->why;
    s.findings = k->findings;
    s.expected = key + " is gone for good";
    s.impact = attacker_created(*k)
                   ? "none expected: the attacker created this key"
                   : "whatever used the key needs a new one (aws iam create-access-key "
                     "--user-name " +
                         command::shell_quote(user) + ")";
    if (is_cicd(ctx.options, user, k->attr("user_arn")))
      s.warning = user +
                  " is a CI/CD identity: hand its pipelines a new key (or move them to a "
                  "role) before deleting this one";
    s.undo_text = "a deleted key cannot come back";
    s.permanent = true;
    ctx.add(s);
  }
}

void eradicate_users(PlanContext& ctx) {
  for (const auto* u : ctx.incident.of_kind("iam_user")) {
    std::string name = iam_name(*u);
    if (!attacker_created(*u)) continue;  // its keys are dealt with; the user is someone's
    std::string foreign = other_account(ctx.incident, *u, "user", name, "delete it");
    if (foreign.empty()) detach_policies(ctx, *u, true);
    Step s;
    s.id = "eradicate/delete-user/" + name;
    s.kind = "change";
    s.action = "Delete the IAM user the attacker created (after its keys and policies)";
    s.target = "IAM user " + name;
    s.blocked = foreign;
    s.command = ctx.finish(s, ctx.aws("iam", "delete-user").opt("--user-name", name));
    s.capture = ctx.finish(s, ctx.aws("iam", "get-user").opt("--user-name", name));
    s.reason = u->why;
    s.findings = u->findings;
    s.expected = "the user no longer exists: nothing can sign in or sign requests as it";
    s.impact = "none expected: the user was created during the incident";
    s.warning =
        "IAM refuses while the user still has access keys, inline policies, a console password, "
        "MFA devices, signing certificates, SSH keys or group memberships: the steps before "
        "remove what the incident shows; check the rest (aws iam list-user-policies, "
        "list-groups-for-user, get-login-profile --user-name " +
        command::shell_quote(name) + ")";
    s.undo_text = "a deleted user cannot come back; re-create it from the captured one if needed";
    s.permanent = true;
    ctx.add(s);
  }
}

void eradicate_roles(PlanContext& ctx, const std::vector<store::JournalEntry>& journal) {
  for (const auto* r : ctx.incident.of_kind("iam_role")) {
    std::string role = iam_name(*r);
    std::string foreign = other_account(ctx.incident, *r, "role", role, "delete it");
    if (!attacker_created(*r)) {
      if (!foreign.empty())
        ctx.plan.notes.push_back(
            "role " + role + " belongs to account " + owner_account(*r) +
            ": this account can neither delete it nor revoke its sessions — its access to the "
            "cluster ends with its access entry or aws-auth mapping; tell that account's owners");
      else if (identity_center_role(*r))
        ctx.plan.notes.push_back("IAM role " + role +
                                 " belongs to IAM Identity Center: it existed before and is not "
                                 "deleted — the user's access is revoked in IAM Identity Center "
                                 "(see containment)");
      else if (r->attr("node_role") == "true")
        ctx.plan.notes.push_back("IAM role " + role +
                                 " is the nodes' role: it existed before and every node needs it "
                                 "— not deleted (its stolen sessions are revoked in containment)");
      else
        ctx.plan.notes.push_back("IAM role " + role +
                                 " is affected but nothing shows the attacker created it: review "
                                 "its trust policy (aws iam get-role) rather than deleting it");
      continue;
    }
    if (foreign.empty()) {
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
      detach_policies(ctx, *r, false);
    }
    Step s;
    s.id = "eradicate/delete-role/" + role;
    s.kind = "change";
    s.action = "Delete the IAM role the attacker created";
    s.target = "IAM role " + role;
    s.blocked = foreign;
    s.command = ctx.finish(s, ctx.aws("iam", "delete-role").opt("--role-name", role));
    s.capture = ctx.finish(s, ctx.aws("iam", "get-role").opt("--role-name", role));
    s.reason = r->why;
    s.findings = r->findings;
    s.expected = "the role no longer exists: nobody can assume it" +
                 (r->attr("trusted_accounts").empty()
                      ? std::string()
                      : " (it trusted account " + r->attr("trusted_accounts") + ")");
    s.impact = "none expected: the role was created during the incident";
    s.warning =
        "IAM refuses while managed policies are attached, other inline policies exist or an "
        "instance profile holds it: the steps before detach what the incident shows; check the "
        "rest (aws iam list-attached-role-policies / list-role-policies / "
        "list-instance-profiles-for-role --role-name " +
        command::shell_quote(role) + ")";
    s.undo_text = "re-create from the captured role if it was legitimate";
    s.permanent = true;
    ctx.add(s);
  }
}

}  // namespace eksir::respond
