// Eradication: remove what the attacker left behind — only what the evidence shows it created
// (workloads, each owning controller before what it made; bindings, roles, service accounts,
// access entries, keys, IAM users and roles), and a compromised host — and put back the controls
// it turned off (control-plane logging, Pod Security Admission, Gatekeeper).
#include <algorithm>
#include <set>

#include "respond/plan_internal.h"

namespace eksir::respond {

namespace {

// What cannot be planned: exposed secrets are rotated at their source, versions are updated only
// from a vulnerability finding.
void eradication_notes(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
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
  // 2. RBAC the attacker created.
  eradicate_rbac(ctx, journal);
  // 3. AWS: access entries containment did not remove, keys, then the users and roles the
  // attacker created (a user after its keys).
  eradicate_access_entries(ctx, journal);
  eradicate_access_keys(ctx);
  eradicate_users(ctx);
  eradicate_roles(ctx, journal);
  // 4. A compromised host is replaced, not cleaned.
  eradicate_hosts(ctx);
  // 5. Controls: control-plane logging, Pod Security Admission, Gatekeeper.
  eradicate_control_plane_logging(ctx);
  for (const auto* ns : inc.of_kind("namespace")) namespaces.insert(ns->name);
  eradicate_pod_security(ctx, namespaces);
  eradicate_privileged_containers(ctx);
  eradication_notes(ctx);
  if (ctx.plan.steps.empty())
    ctx.plan.notes.push_back("nothing to eradicate: the incident names no resource to remove");
}

}  // namespace eksir::respond
