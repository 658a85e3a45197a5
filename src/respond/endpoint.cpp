// Containment's last step: the cluster's public API endpoint restricted to trusted ranges, when the
// incident's credentials reached it or it is open to everyone.
#include <algorithm>
#include <string>
#include <vector>

#include "respond/plan_internal.h"

namespace eksir::respond {

void contain_endpoint(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  bool credentials = !inc.of_kind("access_key").empty() || !inc.of_kind("iam_role").empty() ||
                     !inc.of_kind("iam_user").empty() || !inc.of_kind("access_entry").empty();
  bool open_endpoint = std::find(inc.public_access_cidrs.begin(), inc.public_access_cidrs.end(),
                                 "0.0.0.0/0") != inc.public_access_cidrs.end() ||
                       inc.has_rule("eksir-eks-endpoint-public");
  if ((credentials || open_endpoint) && !inc.cluster.empty()) {
    const std::vector<std::string>& cidrs = ctx.options.trusted_cidrs;
    Step s;
    s.id = "contain/restrict-endpoint/" + inc.cluster;
    s.kind = "change";
    s.action = "Restrict the cluster's public API endpoint to trusted source ranges";
    s.target = "EKS cluster " + inc.cluster;
    if (cidrs.empty()) {
      s.blocked = "no trusted CIDR: pass --trusted-cidr (or set trusted_cidrs in eksir.yaml)";
    } else {
      for (const auto& c : cidrs) ctx.require(s, Type::ipv4_cidr, c, "trusted CIDR");
      s.command = ctx.finish(
          s, ctx.aws("eks", "update-cluster-config")
                 .opt("--name", inc.cluster)
                 .opt("--resources-vpc-config",
                      "endpointPublicAccess=true,publicAccessCidrs=" + join(cidrs, ",")));
    }
    s.capture = ctx.finish(s, ctx.aws("eks", "describe-cluster").opt("--name", inc.cluster));
    s.reason = open_endpoint ? "the API endpoint is open to 0.0.0.0/0 and the incident's "
                               "credentials reached it from outside"
                             : "the incident's credentials reached the API from outside";
    s.expected = "only " + (cidrs.empty() ? std::string("the trusted ranges") : join(cidrs)) +
                 " reach the public endpoint (the update takes a few minutes: aws eks "
                 "describe-update)";
    s.impact =
        "clients outside these ranges (CI/CD, developers, SaaS tools) lose API access "
        "until recovery";
    s.warning =
        "the machine running eksir must be inside these ranges or reach the private "
        "endpoint, or later kubectl steps fail. " +
        production_warning(ctx.incident, "");
    s.undo_from = UndoFrom::endpoint_cidrs;
    s.undo_text = "restore the public access ranges captured before the change";
    ctx.add(s);
  }
}

}  // namespace eksir::respond
