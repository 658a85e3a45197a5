// Containment: preserve the evidence, isolate pods and nodes, revoke credentials, close what the
// attacker opened and restrict the API endpoint — in that order, so that each step still has the
// access it needs.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "respond/plan_internal.h"

namespace eksir::respond {

namespace {

std::string selector_text(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ",";
    out += k + "=" + v;
  }
  return out;
}

// A NetworkPolicy name from the first pod's name, within the 63 characters kubectl shows.
std::string policy_name(const std::string& pod) {
  std::string name = "eksir-isolate-" + pod;
  if (name.size() > 63) name.resize(63);
  while (!name.empty() && (name.back() == '-' || name.back() == '.')) name.pop_back();
  return name;
}

void evidence_steps(PlanContext& ctx, const Affected& pod) {
  Step logs;
  logs.id = "contain/evidence/pod-logs/" + pod.ns + "/" + pod.name;
  logs.kind = "evidence";
  logs.action = "Preserve the pod's logs (all containers, with timestamps) in the journal";
  logs.target = "pod " + pod.ns + "/" + pod.name;
  logs.command = ctx.finish(logs, ctx.kubectl()
                                      .word("logs")
                                      .opt("--namespace", pod.ns)
                                      .flag("--all-containers")
                                      .flag("--timestamps")
                                      .flag("--prefix")
                                      .name(pod.name));
  logs.reason = pod.why;
  logs.findings = pod.findings;
  logs.expected = "the container logs are kept in the case before anything restarts the pod";
  logs.impact = "none (read-only)";
  logs.undo_text = "nothing to undo";
  logs.permanent = true;
  ctx.add(logs);

  Step spec;
  spec.id = "contain/evidence/pod-spec/" + pod.ns + "/" + pod.name;
  spec.kind = "evidence";
  spec.action = "Preserve the pod's full spec and status in the journal";
  spec.target = "pod " + pod.ns + "/" + pod.name;
  spec.command = ctx.finish(spec, ctx.kubectl()
                                      .word("get")
                                      .word("pod")
                                      .opt("--namespace", pod.ns)
                                      .opt("--output", "yaml")
                                      .name(pod.name));
  spec.reason = pod.why;
  spec.findings = pod.findings;
  spec.expected = "the pod's spec (image, mounts, security context, node) is kept in the case";
  spec.impact = "none (read-only)";
  spec.undo_text = "nothing to undo";
  spec.permanent = true;
  ctx.add(spec);
}

void snapshot_step(PlanContext& ctx, const std::string& instance, const std::string& node,
                   const std::vector<std::string>& findings, const std::string& why) {
  Step s;
  s.id = "contain/evidence/ebs-snapshot/" + instance;
  s.kind = "evidence";
  s.action = "Snapshot every EBS volume of the node's instance (crash-consistent, for forensics)";
  s.target = "instance " + instance + (node.empty() ? "" : " (node " + node + ")");
  std::string description = "eksir evidence of " + instance;
  if (!ctx.incident.id.empty() &&
      std::all_of(ctx.incident.id.begin(), ctx.incident.id.end(),
                  [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }))
    description += " for " + ctx.incident.id;
  s.command = ctx.finish(
      s, ctx.aws("ec2", "create-snapshots")
             .opt("--instance-specification", "InstanceId=" + instance + ",ExcludeBootVolume=false")
             .opt("--description", description)
             .opt("--copy-tags-from-source", "volume"));
  s.reason = why;
  s.findings = findings;
  s.expected = "one snapshot per attached volume, taken before the node is drained or replaced";
  s.impact = "none on the workloads; snapshot storage is billed";
  s.undo_text =
      "keep the snapshots for the retention period, then delete them (aws ec2 delete-snapshot)";
  s.permanent = true;
  ctx.add(s);
}

// How the incident's pods of one namespace are isolated: by their own labels when those pick
// nothing they must not, else by a quarantine label eksir puts on just those pods.
struct Isolation {
  Selector sel;
  std::string policy;                         // the NetworkPolicy's name
  std::map<std::string, std::string> labels;  // what the policy selects
  bool quarantine = false;
  std::string why_quarantine;
  std::string blocked;  // the snapshot it relies on cannot be trusted
};

Isolation plan_isolation(const PlanContext& ctx, const std::string& ns,
                         const std::vector<const Affected*>& pods) {
  Isolation iso;
  iso.policy = policy_name(pods.front()->name);
  if (!ctx.incident.snapshot_problem.empty()) {
    iso.blocked =
        "the selector relies on the cluster snapshot, and " + ctx.incident.snapshot_problem;
    return iso;
  }
  iso.sel = narrowest_selector(ctx.incident, pods);
  const Selector& sel = iso.sel;
  if (sel.labels.empty())
    iso.why_quarantine = "the pods have no label that can select them";
  else if (!sel.protected_others.empty())
    iso.why_quarantine = "their own labels (" + selector_text(sel.labels) + ") also select " +
                         join(sel.protected_others) +
                         (system_namespace(ns) ? ", system pods"
                                               : ", production pods of workloads the incident "
                                                 "does not name");
  else if (!sel.known && (system_namespace(ns) || ctx.incident.production))
    iso.why_quarantine = "without a snapshot of " + ns +
                         "'s pods nothing shows that their labels (" + selector_text(sel.labels) +
                         ") select no " +
                         (system_namespace(ns) ? "system pod" : "other production pod");
  iso.quarantine = !iso.why_quarantine.empty();
  if (iso.quarantine)
    iso.labels = {{std::string(kQuarantineLabel), iso.policy}};
  else
    iso.labels = sel.labels;
  return iso;
}

// Returns why the label step is blocked ("" when it is not).
std::string quarantine_label(PlanContext& ctx, const std::string& ns,
                             const std::vector<const Affected*>& pods, const Isolation& iso) {
  Step s;
  s.id = "contain/quarantine-label/" + ns + "/" + iso.policy;
  s.kind = "change";
  s.action =
      "Label the compromised pod(s) so that the isolation policy selects them and nothing else";
  std::vector<std::string> names;
  for (const auto* p : pods) {
    names.push_back(p->name);
    s.findings.insert(s.findings.end(), p->findings.begin(), p->findings.end());
  }
  s.target = "pod " + ns + "/" + join(names, ", " + ns + "/");
  std::string label = std::string(kQuarantineLabel) + "=" + iso.policy;
  command::Builder set =
      ctx.kubectl().word("label").word("pod").opt("--namespace", ns).flag("--overwrite");
  command::Builder unset = ctx.kubectl().word("label").word("pod").opt("--namespace", ns);
  for (const auto& n : names) set.name(n), unset.name(n);
  set.name(label);
  unset.name(std::string(kQuarantineLabel) + "-");
  s.command = ctx.finish(s, set);
  s.undo = ctx.finish(s, unset);
  s.reason = iso.why_quarantine;
  s.expected = "the incident's pods, and only they, carry " + label;
  s.impact = "none by itself: a label no controller selects by";
  s.warning = production_warning(ctx.incident, ns);
  s.undo_text = "remove the label " + std::string(kQuarantineLabel);
  std::string blocked = s.blocked;
  ctx.add(s);
  return blocked;
}

void isolate_pods(PlanContext& ctx, const std::string& ns, const std::vector<const Affected*>& pods,
                  const Isolation& iso) {
  std::vector<std::string> names;
  std::vector<std::string> findings;
  for (const auto* p : pods) {
    names.push_back(p->name);
    findings.insert(findings.end(), p->findings.begin(), p->findings.end());
  }
  std::string label_blocked;
  if (iso.quarantine && iso.blocked.empty()) label_blocked = quarantine_label(ctx, ns, pods, iso);
  Step s;
  const std::string& name = iso.policy;
  s.id = "contain/netpol/" + ns + "/" + name;
  s.kind = "change";
  s.action = "Isolate the compromised pod(s) with a deny-all ingress and egress NetworkPolicy";
  s.target = "pod " + ns + "/" + join(names, ", " + ns + "/");
  s.reason = pods.front()->why;
  s.findings = findings;
  s.blocked = iso.blocked;
  if (!label_blocked.empty())
    s.blocked = "the quarantine label cannot be put on the pods: " + label_blocked;
  Manifest manifest;
  manifest["apiVersion"] = "networking.k8s.io/v1";
  manifest["kind"] = "NetworkPolicy";
  Manifest& meta = manifest["metadata"];
  meta["name"] = name;
  meta["namespace"] = ns;
  meta["labels"]["app.kubernetes.io/managed-by"] = "eksir";
  if (!ctx.incident.id.empty()) meta["annotations"]["eksir/incident"] = ctx.incident.id;
  Manifest& spec = manifest["spec"];
  Manifest& match = spec["podSelector"]["matchLabels"];
  for (const auto& [k, v] : iso.labels) match[k] = v;
  spec["policyTypes"] = Manifest::array({"Ingress", "Egress"});
  spec["ingress"] = Manifest::array();
  spec["egress"] = Manifest::array();
  s.command = ctx.finish(s, ctx.kubectl().word("apply").opt("--filename", "-"));
  if (iso.blocked.empty()) ctx.set_manifest(s, manifest);
  std::string sel_text = selector_text(iso.labels);
  s.expected = "pods matching " + sel_text + " in " + ns +
               " can neither receive nor send any traffic (DNS included) once the network "
               "policy engine applies it (VPC CNI network policy, Calico or Cilium)";
  s.impact = "the selected pods lose all network access; their service stops answering";
  const Selector& sel = iso.sel;
  if (!iso.blocked.empty())
    s.warning.clear();
  else if (iso.quarantine)
    s.warning = iso.why_quarantine + ": the policy selects " + sel_text +
                ", which the previous step puts on the incident's pods only. ";
  else if (!sel.known)
    s.warning = "no snapshot of the namespace's pods: cannot tell whether other pods carry " +
                sel_text + " — check with kubectl get pods -n " + ns + " -l " + sel_text + ". ";
  else if (!sel.others.empty())
    s.warning = "the selector also picks pods outside the incident: " + join(sel.others) +
                " — they are isolated too. ";
  else
    s.warning = "the selector " + sel_text + " picks only the affected pod(s) in the snapshot. ";
  if (!sel.unusable.empty())
    s.warning += "Labels left out of the selector: " + join(sel.unusable, "; ") + ". ";
  s.warning += production_warning(ctx.incident, ns);
  s.undo = ctx.finish(s, ctx.kubectl()
                             .word("delete")
                             .word("networkpolicy")
                             .opt("--namespace", ns)
                             .flag("--ignore-not-found")
                             .name(name));
  s.undo_text = "delete the NetworkPolicy " + ns + "/" + name;
  ctx.add(s);
}

void isolate_node(PlanContext& ctx, const std::string& node,
                  const std::vector<const Affected*>& pods_on_node,
                  const std::map<std::string, Isolation>& isolation,
                  const std::vector<std::string>& findings, const std::string& why) {
  Step cordon;
  cordon.id = "contain/cordon/" + node;
  cordon.kind = "change";
  cordon.action = "Cordon the node the compromised pod ran on (no new pods are scheduled there)";
  cordon.target = "node " + node;
  cordon.command = ctx.finish(cordon, ctx.kubectl().word("cordon").name(node));
  cordon.capture = ctx.finish(cordon, ctx.kubectl()
                                          .word("get")
                                          .word("node")
                                          .opt("--output", "jsonpath={.spec.unschedulable}")
                                          .name(node));
  cordon.reason = why;
  cordon.findings = findings;
  cordon.expected = "node " + node + " is SchedulingDisabled";
  cordon.impact = "the cluster loses the node's capacity for new pods";
  cordon.warning = production_warning(ctx.incident, "");
  cordon.undo = ctx.finish(cordon, ctx.kubectl().word("uncordon").name(node));
  cordon.undo_from = UndoFrom::uncordon_if_was_schedulable;
  cordon.undo_text = "uncordon the node (only if it was schedulable before)";
  ctx.add(cordon);

  Step drain;
  drain.id = "contain/drain/" + node;
  drain.kind = "change";
  drain.action = "Drain the node: move its other workloads off it";
  drain.target = "node " + node;
  command::Builder args = ctx.kubectl()
                              .word("drain")
                              .flag("--ignore-daemonsets")
                              .flag("--delete-emptydir-data")
                              .opt("--timeout", "300s");
  // Keep the compromised pod where it is (isolated, for forensics); drain the rest.
  std::string kept;
  if (pods_on_node.size() == 1) {
    auto it = isolation.find(pods_on_node.front()->ns);
    if (it != isolation.end() && !it->second.blocked.empty()) {
      drain.blocked =
          "keeping the compromised pod on the node relies on the cluster snapshot, "
          "and " +
          ctx.incident.snapshot_problem;
    } else if (it != isolation.end() && !it->second.labels.empty()) {
      const auto& [k, v] = *it->second.labels.begin();
      args.opt("--pod-selector", k + "!=" + v);
      kept = pods_on_node.front()->ns + "/" + pods_on_node.front()->name;
    }
  }
  args.name(node);
  drain.command = ctx.finish(drain, args);
  drain.reason = why;
  drain.findings = findings;
  drain.expected = "every pod but DaemonSet pods" +
                   (kept.empty() ? std::string() : " and the isolated " + kept) +
                   " is evicted and rescheduled on other nodes";
  drain.impact =
      "evicted pods restart elsewhere (PodDisruptionBudgets are respected; drain waits up to 5 "
      "minutes); emptyDir data on the node is lost";
  drain.warning = production_warning(ctx.incident, "");
  if (kept.empty() && !pods_on_node.empty())
    drain.warning +=
        " The compromised pod is evicted too when it has a controller; a pod "
        "without one makes drain refuse until it is deleted (eradication).";
  drain.undo_text = "evicted pods do not move back; uncordoning (recovery) lets the node take pods";
  drain.permanent = true;
  ctx.add(drain);
}

void isolate_instance(PlanContext& ctx, const std::string& instance, const std::string& node,
                      const std::vector<std::string>& findings, const std::string& why) {
  Step s;
  s.id = "contain/isolation-sg/" + instance;
  s.kind = "change";
  s.action = "Replace the node's security groups with an isolation group (host compromise)";
  s.target = "instance " + instance + (node.empty() ? "" : " (node " + node + ")");
  const std::string& sg = ctx.options.isolation_sg;
  if (sg.empty())
    s.blocked =
        "no isolation security group: create one in the node's VPC with no inbound and "
        "no outbound rules and pass --isolation-sg sg-…";
  else
    s.command = ctx.finish(s, ctx.aws("ec2", "modify-instance-attribute")
                                  .opt("--instance-id", instance)
                                  .list("--groups", {sg}));
  s.capture =
      ctx.finish(s, ctx.aws("ec2", "describe-instances").list("--instance-ids", {instance}));
  s.reason = why;
  s.findings = findings;
  s.expected =
      "the instance's primary network interface allows no traffic: the attacker's "
      "sessions and the miner lose the network";
  s.impact =
      "the node goes NotReady and every pod on it loses the network (pods using other "
      "interfaces keep theirs: check with describe-network-interfaces)";
  s.warning = production_warning(ctx.incident, "");
  s.undo_from = UndoFrom::instance_groups;
  s.undo_text = "put back the security groups captured before the change";
  ctx.add(s);
}

// What containment acts on: the incident's pods by namespace and by node, the nodes (those of
// the pods, those named with their instances, those of the instances), and instances tied to no
// node.
struct NodeInfo {
  std::string instance;
  std::vector<std::string> findings;
  std::string why;
  bool host = false;  // a compromised host (compromised_host): isolated from the network
};

struct Targets {
  std::map<std::string, std::vector<const Affected*>> pods_by_ns;
  std::map<std::string, std::vector<const Affected*>> pods_by_node;
  std::map<std::string, NodeInfo> nodes;
  std::vector<std::pair<std::string, const Affected*>> lone_instances;
};

Targets targets(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  // Pods by namespace, and the nodes they ran on. A name that breaks its rule still gets its
  // steps: they are blocked and say which value failed.
  Targets t;
  for (const auto* p : inc.of_kind("pod")) {
    t.pods_by_ns[p->ns].push_back(p);
    std::string node = p->attr("node");
    if (!node.empty()) t.pods_by_node[node].push_back(p);
  }
  // Nodes and instances named by the incident (host compromise evidence).
  for (const auto& [node, pods] : t.pods_by_node) {
    t.nodes[node].why = "node of " + pods.front()->ns + "/" + pods.front()->name;
    for (const auto* p : pods)
      t.nodes[node].findings.insert(t.nodes[node].findings.end(), p->findings.begin(),
                                    p->findings.end());
  }
  for (const auto* n : inc.of_kind("node")) {
    std::string id = n->attr("instance_id");
    bool tied = command::valid(Type::instance_id, id);
    // A name the evidence calls a node (a runtime alert's hostname) is only acted on when it is
    // tied to an instance or hosts an affected pod.
    if (!tied && !t.pods_by_node.count(n->name)) {
      ctx.plan.notes.push_back("node " + n->name +
                               " is named by the evidence but tied to no instance or affected "
                               "pod: not cordoned (check with kubectl get node " +
                               command::shell_quote(n->name) + ")");
      continue;
    }
    auto& info = t.nodes[n->name];
    info.host = compromised_host(inc, n->name, tied ? id : "");
    info.why = n->why;
    info.findings.insert(info.findings.end(), n->findings.begin(), n->findings.end());
    if (tied) info.instance = id;
  }
  // The node an instance of the incident runs is cordoned and drained as well (every node of the
  // incident, not only the first).
  for (const auto* i : inc.of_kind("instance")) {
    std::string id = pick(Type::instance_id, {i->name, i->id});
    std::string node = i->attr("node");
    if (!node.empty()) {
      auto& info = t.nodes[node];
      if (info.why.empty()) info.why = i->why;
      info.findings.insert(info.findings.end(), i->findings.begin(), i->findings.end());
      info.instance = id;
      info.host = info.host || compromised_host(inc, node, id);
    } else {
      t.lone_instances.push_back({id, i});
    }
  }
  return t;
}

// Evidence first: the pods' logs and specs, then snapshots of the instances' volumes.
void keep_evidence(PlanContext& ctx, const Targets& t) {
  for (const auto& [ns, pods] : t.pods_by_ns)
    for (const auto* p : pods) evidence_steps(ctx, *p);
  for (const auto& [node, info] : t.nodes)
    if (!info.instance.empty()) snapshot_step(ctx, info.instance, node, info.findings, info.why);
  for (const auto& [id, a] : t.lone_instances) snapshot_step(ctx, id, "", a->findings, a->why);
}

// Network isolation of the pods, then the nodes, then the compromised hosts' instances.
void isolate_network(PlanContext& ctx, const Targets& t) {
  std::map<std::string, Isolation> isolation;
  for (const auto& [ns, pods] : t.pods_by_ns) isolation[ns] = plan_isolation(ctx, ns, pods);
  for (const auto& [ns, pods] : t.pods_by_ns) isolate_pods(ctx, ns, pods, isolation[ns]);
  for (const auto& [node, info] : t.nodes) {
    auto it = t.pods_by_node.find(node);
    isolate_node(ctx, node,
                 it == t.pods_by_node.end() ? std::vector<const Affected*>{} : it->second,
                 isolation, info.findings, info.why);
  }
  for (const auto& [node, info] : t.nodes)
    if (info.host && !info.instance.empty())
      isolate_instance(ctx, info.instance, node, info.findings, info.why);
  for (const auto& [id, a] : t.lone_instances)
    isolate_instance(ctx, id, a->attr("node"), a->findings, a->why);
}

}  // namespace

void build_contain(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  if (inc.severity == "Low") {
    ctx.plan.notes.push_back(
        "severity Low: nothing to contain — the playbook's containment is for incidents of "
        "Medium severity and above; review the findings and close or escalate the case");
    return;
  }
  const Targets t = targets(ctx);
  // 1. Evidence first.
  keep_evidence(ctx, t);
  // 2. Logging the attacker turned off, back on: what happens from now on is recorded.
  contain_trails(ctx);
  // 3. Network isolation of the pods, then the nodes.
  isolate_network(ctx, t);
  // 4. Credentials: access keys, EKS access, aws-auth mappings, role sessions, service account
  // tokens.
  contain_access_keys(ctx);
  contain_access_entries(ctx);
  contain_aws_auth(ctx);
  contain_open_bindings(ctx);
  contain_role_sessions(ctx);
  contain_service_accounts(ctx);
  // 5. What the attacker opened on security groups.
  contain_security_groups(ctx);
  // 6. The API endpoint, last: once restricted, only trusted ranges reach the cluster.
  contain_endpoint(ctx);
  if (ctx.plan.steps.empty())
    ctx.plan.notes.push_back(
        "nothing to contain: the incident names no pod, node, credential, security group or "
        "endpoint exposure");
}

}  // namespace eksir::respond
