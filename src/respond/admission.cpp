// Eradication's admission controls: Pod Security Admission labels on the incident's namespaces,
// and the Gatekeeper constraint that denies privileged containers.
#include <set>

#include "respond/plan_internal.h"

namespace eksir::respond {

void eradicate_pod_security(PlanContext& ctx, const std::set<std::string>& namespaces) {
  for (const auto& ns : namespaces) {
    bool system = ns == "kube-system";
    Manifest manifest;
    manifest["apiVersion"] = "v1";
    manifest["kind"] = "Namespace";
    manifest["metadata"]["name"] = ns;
    Manifest& labels = manifest["metadata"]["labels"];
    labels["pod-security.kubernetes.io/warn"] = "restricted";
    labels["pod-security.kubernetes.io/audit"] = "restricted";
    if (!system) {
      labels["pod-security.kubernetes.io/enforce"] = "baseline";
      labels["pod-security.kubernetes.io/enforce-version"] = "latest";
    }
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
}

void eradicate_privileged_containers(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  bool privileged_pod = !inc.of_kind("pod").empty();
  if ((ctx.options.gatekeeper || inc.gatekeeper) && privileged_pod) {
    Manifest exempt = Manifest::array();
    if (command::valid(Type::region, inc.region))
      exempt.push_back("602401143452.dkr.ecr." + inc.region + ".amazonaws.com/*");
    Manifest kinds;
    kinds["apiGroups"] = Manifest::array({""});
    kinds["kinds"] = Manifest::array({"Pod"});
    Manifest manifest;
    manifest["apiVersion"] = "constraints.gatekeeper.sh/v1beta1";
    manifest["kind"] = "K8sPSPPrivilegedContainer";
    manifest["metadata"]["name"] = "psp-privileged-container";
    Manifest& spec = manifest["spec"];
    spec["enforcementAction"] = "deny";
    spec["match"]["kinds"] = Manifest::array({kinds});
    spec["parameters"]["exemptImages"] = exempt;
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
}

}  // namespace eksir::respond
