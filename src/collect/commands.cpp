#include "collect/commands.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/text.h"

namespace eksir::collect {

std::string_view tool_name(Tool t) {
  return t == Tool::kubectl ? "kubectl" : "aws";
}

const std::vector<Verb>& read_only_verbs() {
  static const std::vector<Verb> verbs = {
      {Tool::kubectl, "", "get"},
      {Tool::kubectl, "", "logs"},
      {Tool::aws, "sts", "get-caller-identity"},
      {Tool::aws, "eks", "describe-cluster"},
      {Tool::aws, "eks", "list-nodegroups"},
      {Tool::aws, "eks", "describe-nodegroup"},
      {Tool::aws, "eks", "list-access-entries"},
      {Tool::aws, "eks", "describe-access-entry"},
      {Tool::aws, "eks", "list-associated-access-policies"},
      {Tool::aws, "cloudtrail", "lookup-events"},
      {Tool::aws, "logs", "filter-log-events"},
      {Tool::aws, "guardduty", "list-detectors"},
      {Tool::aws, "guardduty", "list-findings"},
      {Tool::aws, "guardduty", "get-findings"},
  };
  return verbs;
}

bool is_read_only(Tool tool, const std::vector<std::string>& args) {
  for (const auto& v : read_only_verbs()) {
    if (v.tool != tool) continue;
    if (tool == Tool::kubectl && !args.empty() && args[0] == v.operation) return true;
    if (tool == Tool::aws && args.size() >= 2 && args[0] == v.service && args[1] == v.operation)
      return true;
  }
  return false;
}

std::string safe_name(std::string_view s) {
  std::string out;
  for (char c : s)
    out.push_back((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '_' || c == '-'
                      ? c
                      : '_');
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

std::string iso_seconds(TimeNs t) {
  std::string s = format_time(t);  // 2026-03-14T09:12:31.250Z
  if (s.size() == 24 && s[19] == '.') s = s.substr(0, 19) + "Z";
  return s;
}

std::string display(std::string_view program, const std::vector<std::string>& args) {
  std::string out(program);
  for (const auto& a : args) {
    out.push_back(' ');
    bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
      return std::string_view("@%+=:,./-_").find(c) != std::string_view::npos ||
             (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
    if (plain) {
      out += a;
      continue;
    }
    out.push_back('\'');
    for (char c : a) {
      if (c == '\'')
        out += "'\\''";
      else
        out.push_back(c);
    }
    out.push_back('\'');
  }
  return out;
}

Command kubectl_command(const Target& t, std::vector<std::string> args, std::string output) {
  Command c{Tool::kubectl, std::move(args), std::move(output)};
  if (!t.kubeconfig.empty()) c.args.insert(c.args.end(), {"--kubeconfig", t.kubeconfig});
  if (!t.context.empty()) c.args.insert(c.args.end(), {"--context", t.context});
  return c;
}

Command aws_command(const Target& t, std::string_view service, std::string_view operation,
                    std::vector<std::string> args, std::string output, bool text) {
  Command c{Tool::aws, {std::string(service), std::string(operation)}, std::move(output)};
  c.args.insert(c.args.end(), args.begin(), args.end());
  c.args.insert(c.args.end(), {"--region", t.region});
  if (!t.profile.empty()) c.args.insert(c.args.end(), {"--profile", t.profile});
  if (!t.endpoint_url.empty()) c.args.insert(c.args.end(), {"--endpoint-url", t.endpoint_url});
  c.args.insert(c.args.end(), {"--output", text ? "text" : "json"});
  return c;
}

std::vector<Command> snapshot_commands(const Target& t) {
  static const char* const kNamespaced[] = {
      "pods",         "deployments", "replicasets", "statefulsets",    "daemonsets",      "jobs",
      "cronjobs",     "services",    "ingresses",   "networkpolicies", "serviceaccounts", "roles",
      "rolebindings", "configmaps"};
  static const char* const kClusterScoped[] = {"nodes", "namespaces", "clusterroles",
                                               "clusterrolebindings"};
  std::vector<Command> cmds;
  for (const char* kind : kClusterScoped)
    cmds.push_back(
        kubectl_command(t, {"get", kind, "-o", "json"}, fmt::format("snapshot/{}.json", kind)));
  bool kube_system = t.namespaces.empty();
  for (const char* kind : kNamespaced) {
    if (t.namespaces.empty()) {
      cmds.push_back(kubectl_command(t, {"get", kind, "--all-namespaces", "-o", "json"},
                                     fmt::format("snapshot/{}.json", kind)));
      continue;
    }
    for (const auto& ns : t.namespaces) {
      if (ns == "kube-system") kube_system = true;
      cmds.push_back(kubectl_command(t, {"get", kind, "--namespace", ns, "-o", "json"},
                                     fmt::format("snapshot/{}-{}.json", kind, safe_name(ns))));
    }
  }
  // aws-auth decides who is cluster-admin, whatever namespaces the responder asked for.
  if (!kube_system)
    cmds.push_back(kubectl_command(
        t, {"get", "configmap", "aws-auth", "--namespace", "kube-system", "-o", "json"},
        "snapshot/configmap-kube-system-aws-auth.json"));
  return cmds;
}

Command caller_identity_command(const Target& t) {
  return aws_command(t, "sts", "get-caller-identity", {"--query", "[Account,Arn,UserId]"},
                     "operator/caller-identity.txt", true);
}

Command describe_cluster_command(const Target& t) {
  return aws_command(t, "eks", "describe-cluster", {"--name", t.cluster},
                     "snapshot/eks-describe-cluster.json");
}

Command list_access_entries_command(const Target& t) {
  return aws_command(t, "eks", "list-access-entries", {"--cluster-name", t.cluster},
                     "snapshot/eks-list-access-entries.json");
}

Command list_nodegroups_command(const Target& t) {
  return aws_command(t, "eks", "list-nodegroups", {"--cluster-name", t.cluster},
                     "eks/list-nodegroups.json");
}

std::vector<Command> cloudtrail_commands(const Target& t) {
  std::vector<Command> cmds;
  auto lookup = [&](const Target& where, std::string_view source, std::string output) {
    Command c = aws_command(
        where, "cloudtrail", "lookup-events",
        {"--lookup-attributes",
         fmt::format("AttributeKey=EventSource,AttributeValue={}.amazonaws.com", source),
         "--start-time", iso_seconds(t.since), "--end-time", iso_seconds(t.until)},
        std::move(output));
    c.paginate = true;
    cmds.push_back(std::move(c));
  };
  for (std::string_view source : {"eks", "iam", "ec2", "sts"})
    lookup(t, source, fmt::format("cloudtrail/lookup-events-{}.json", source));
  // IAM is global: its events are in the event history of us-east-1.
  if (t.region != "us-east-1") {
    Target east = t;
    east.region = "us-east-1";
    lookup(east, "iam", "cloudtrail/lookup-events-iam-us-east-1.json");
  }
  return cmds;
}

Command audit_log_command(const Target& t) {
  Command c = aws_command(
      t, "logs", "filter-log-events",
      {"--log-group-name", fmt::format("/aws/eks/{}/cluster", t.cluster),
       "--log-stream-name-prefix", "kube-apiserver-audit", "--start-time",
       std::to_string(t.since / 1000000), "--end-time", std::to_string(t.until / 1000000)},
      "k8s-audit/filter-log-events.json");
  c.paginate = true;
  return c;
}

Command list_detectors_command(const Target& t) {
  return aws_command(t, "guardduty", "list-detectors", {"--query", "DetectorIds"},
                     "guardduty/list-detectors.txt", true);
}

std::vector<Command> access_entry_commands(const Target& t, const std::string& principal_arn) {
  std::string base = "snapshot/access-entries/" + safe_name(principal_arn);
  return {
      aws_command(t, "eks", "describe-access-entry",
                  {"--cluster-name", t.cluster, "--principal-arn", principal_arn}, base + ".json"),
      aws_command(t, "eks", "list-associated-access-policies",
                  {"--cluster-name", t.cluster, "--principal-arn", principal_arn},
                  base + "-policies.json")};
}

Command describe_nodegroup_command(const Target& t, const std::string& nodegroup) {
  return aws_command(t, "eks", "describe-nodegroup",
                     {"--cluster-name", t.cluster, "--nodegroup-name", nodegroup},
                     "eks/nodegroups/" + safe_name(nodegroup) + ".json");
}

Command list_findings_command(const Target& t, const std::string& detector) {
  std::string cluster;
  util::append_json_string(cluster, t.cluster);
  std::string criteria =
      fmt::format(R"({{"Criterion":{{"resource.eksClusterDetails.name":{{"Equals":[{}]}},)"
                  R"("updatedAt":{{"GreaterThanOrEqual":{}}}}}}})",
                  cluster, t.since / 1000000);
  return aws_command(
      t, "guardduty", "list-findings",
      {"--detector-id", detector, "--finding-criteria", criteria, "--query", "FindingIds"},
      "guardduty/list-findings-" + safe_name(detector) + ".txt", true);
}

std::vector<Command> get_findings_commands(const Target& t, const std::string& detector,
                                           const std::vector<std::string>& finding_ids) {
  constexpr size_t kBatch = 50;  // the most GetFindings accepts
  std::vector<Command> cmds;
  for (size_t i = 0; i < finding_ids.size(); i += kBatch) {
    std::vector<std::string> args = {"--detector-id", detector, "--finding-ids"};
    for (size_t j = i; j < std::min(finding_ids.size(), i + kBatch); ++j)
      args.push_back(finding_ids[j]);
    std::string output = "guardduty/get-findings-" + safe_name(detector);
    if (finding_ids.size() > kBatch) output += fmt::format("-{:03}", i / kBatch + 1);
    cmds.push_back(aws_command(t, "guardduty", "get-findings", std::move(args), output + ".json"));
  }
  return cmds;
}

Command pod_logs_command(const Target& t, const std::string& ns, const std::string& pod) {
  return kubectl_command(t,
                         {"logs", pod, "--namespace", ns, "--all-containers", "--timestamps",
                          "--prefix", "--since-time", iso_seconds(t.since)},
                         "logs/" + safe_name(ns) + "/" + safe_name(pod) + ".log");
}

}  // namespace eksir::collect
