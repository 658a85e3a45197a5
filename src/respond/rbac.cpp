// Eradication of RBAC: only what the attacker created — a name that looks built in (system:…) is
// no proof of anything, and a binding that existed before is someone's.
#include <string_view>

#include "respond/plan_internal.h"
#include "util/text.h"

namespace eksir::respond {

namespace {

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

void eradicate_rbac(PlanContext& ctx, const std::vector<store::JournalEntry>& journal) {
  const IncidentView& inc = ctx.incident;
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
}

}  // namespace eksir::respond
