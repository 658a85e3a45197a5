// Eradication of a compromised host: its instance is replaced, not cleaned.
#include <map>

#include "respond/plan_internal.h"

namespace eksir::respond {

void eradicate_hosts(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
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
}

}  // namespace eksir::respond
