// Containment of what the attacker opened on security groups: the ingress rules it added, revoked.
#include <string>
#include <vector>

#include "respond/plan_internal.h"

namespace eksir::respond {

void contain_security_groups(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  for (const auto* g : inc.of_kind("security_group")) {
    std::string sg = pick(Type::security_group_id, {g->name, g->id});
    std::vector<std::string> rules = split_list(g->attr("rules"));
    Step s;
    s.id = "contain/revoke-sg-rules/" + sg;
    s.kind = "change";
    s.action = "Revoke the ingress rules opened on the security group during the incident";
    s.target = "security group " + sg + (rules.empty() ? "" : " rules " + join(rules));
    if (rules.empty()) {
      s.blocked = "the evidence names no rule ids for " + sg +
                  ": list them with aws ec2 describe-security-group-rules --filters "
                  "Name=group-id,Values=" +
                  command::shell_quote(sg);
    } else {
      s.command = ctx.finish(s, ctx.aws("ec2", "revoke-security-group-ingress")
                                    .opt("--group-id", sg)
                                    .list("--security-group-rule-ids", rules));
      s.capture = ctx.finish(
          s,
          ctx.aws("ec2", "describe-security-group-rules").list("--security-group-rule-ids", rules));
    }
    s.reason = g->why + (g->attr("opened").empty() ? "" : " (opened: " + g->attr("opened") + ")");
    s.findings = g->findings;
    s.expected = "the ports opened to the attacker are closed again";
    s.impact = "none expected: the rules were added during the incident";
    s.undo_text =
        "the revoked rules are in the journal (captured); recovery does not re-open "
        "them because the attacker added them";
    s.permanent = true;
    ctx.add(s);
  }
}

}  // namespace eksir::respond
