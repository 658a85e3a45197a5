#include "collect/commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "util/json_writer.h"
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
      {Tool::aws, "inspector2", "list-findings"},
      {Tool::aws, "ecr", "describe-image-scan-findings"},
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
  std::string out = command::shell_quote(program);
  for (const auto& a : args) out += " " + command::shell_quote(a);
  return out;
}

std::string check_target(const Target& t) {
  using command::Type;
  std::vector<std::tuple<Type, std::string_view, std::string_view>> values = {
      {Type::cluster_name, t.cluster, "--cluster"}, {Type::region, t.region, "--region"}};
  if (!t.profile.empty()) values.emplace_back(Type::aws_profile, t.profile, "--profile");
  if (!t.endpoint_url.empty()) values.emplace_back(Type::url, t.endpoint_url, "--endpoint-url");
  if (!t.kubeconfig.empty()) values.emplace_back(Type::file_path, t.kubeconfig, "--kubeconfig");
  if (!t.context.empty()) values.emplace_back(Type::kube_context, t.context, "--context");
  for (const auto& ns : t.namespaces) values.emplace_back(Type::k8s_label_name, ns, "--namespace");
  for (const auto& [type, value, what] : values)
    if (auto e = command::explain(type, value, what); !e.empty()) return e;
  return {};
}

namespace {

Command built(Tool tool, const command::Builder& b, std::string output) {
  Command c;
  c.tool = tool;
  c.output = std::move(output);
  command::Argv a = b.build();
  if (a.ok())
    c.args.assign(a.words.begin() + 1, a.words.end());
  else
    c.refused = a.error;
  return c;
}

}  // namespace

Command kubectl_command(const Target& t, command::Builder b, std::string output) {
  if (!t.kubeconfig.empty()) b.opt("--kubeconfig", t.kubeconfig);
  if (!t.context.empty()) b.opt("--context", t.context);
  return built(Tool::kubectl, b, std::move(output));
}

Command aws_command(const Target& t, command::Builder b, std::string output, bool text) {
  b.opt("--region", t.region);
  if (!t.profile.empty()) b.opt("--profile", t.profile);
  if (!t.endpoint_url.empty()) b.opt("--endpoint-url", t.endpoint_url);
  b.opt("--output", text ? "text" : "json");
  return built(Tool::aws, b, std::move(output));
}

Command page_command(const Command& c, size_t items, const std::string& token) {
  Command p = c;
  if (!c.refused.empty()) return p;
  std::vector<std::string> argv = {std::string(tool_name(c.tool))};
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  argv.push_back("--max-items=" + std::to_string(items));
  if (!token.empty()) argv.push_back("--starting-token=" + token);
  if (auto e = command::validate(argv); !e.empty()) {
    p.args.clear();
    p.refused = e;
    return p;
  }
  p.args.assign(argv.begin() + 1, argv.end());
  return p;
}

std::vector<Command> snapshot_commands(const Target& t) {
  static const char* const kNamespaced[] = {
      "pods",         "deployments", "replicasets", "statefulsets",    "daemonsets",      "jobs",
      "cronjobs",     "services",    "ingresses",   "networkpolicies", "serviceaccounts", "roles",
      "rolebindings", "configmaps"};
  static const char* const kClusterScoped[] = {"nodes", "namespaces", "clusterroles",
                                               "clusterrolebindings"};
  auto get = [](const char* kind) { return command::Builder::kubectl().word("get").word(kind); };
  std::vector<Command> cmds;
  for (const char* kind : kClusterScoped)
    cmds.push_back(kubectl_command(t, get(kind).opt("--output", "json"),
                                   fmt::format("snapshot/{}.json", kind)));
  bool kube_system = t.namespaces.empty();
  for (const char* kind : kNamespaced) {
    if (t.namespaces.empty()) {
      cmds.push_back(kubectl_command(t, get(kind).flag("--all-namespaces").opt("--output", "json"),
                                     fmt::format("snapshot/{}.json", kind)));
      continue;
    }
    for (const auto& ns : t.namespaces) {
      if (ns == "kube-system") kube_system = true;
      cmds.push_back(kubectl_command(t, get(kind).opt("--namespace", ns).opt("--output", "json"),
                                     fmt::format("snapshot/{}-{}.json", kind, safe_name(ns))));
    }
  }
  // aws-auth decides who is cluster-admin, whatever namespaces the responder asked for.
  if (!kube_system)
    cmds.push_back(kubectl_command(
        t,
        get("configmap").opt("--namespace", "kube-system").opt("--output", "json").name("aws-auth"),
        "snapshot/configmap-kube-system-aws-auth.json"));
  return cmds;
}

Command caller_identity_command(const Target& t) {
  return aws_command(
      t, command::Builder::aws("sts", "get-caller-identity").opt("--query", "[Account,Arn,UserId]"),
      "operator/caller-identity.txt", true);
}

Command describe_cluster_command(const Target& t) {
  return aws_command(t, command::Builder::aws("eks", "describe-cluster").opt("--name", t.cluster),
                     "snapshot/eks-describe-cluster.json");
}

Command list_access_entries_command(const Target& t) {
  return aws_command(
      t, command::Builder::aws("eks", "list-access-entries").opt("--cluster-name", t.cluster),
      "snapshot/eks-list-access-entries.json");
}

Command list_nodegroups_command(const Target& t) {
  return aws_command(
      t, command::Builder::aws("eks", "list-nodegroups").opt("--cluster-name", t.cluster),
      "eks/list-nodegroups.json");
}

std::vector<Command> cloudtrail_commands(const Target& t) {
  std::vector<Command> cmds;
  auto lookup = [&](const Target& where, std::string_view source, std::string output) {
    Command c = aws_command(
        where,
        command::Builder::aws("cloudtrail", "lookup-events")
            .opt("--lookup-attributes",
                 fmt::format("AttributeKey=EventSource,AttributeValue={}.amazonaws.com", source))
            .opt("--start-time", iso_seconds(t.since))
            .opt("--end-time", iso_seconds(t.until)),
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
  Command c =
      aws_command(t,
                  command::Builder::aws("logs", "filter-log-events")
                      .opt("--log-group-name", fmt::format("/aws/eks/{}/cluster", t.cluster))
                      .opt("--log-stream-name-prefix", "kube-apiserver-audit")
                      .opt("--start-time", std::to_string(t.since / 1000000))
                      .opt("--end-time", std::to_string(t.until / 1000000)),
                  "k8s-audit/filter-log-events.json");
  c.paginate = true;
  return c;
}

Command list_detectors_command(const Target& t) {
  return aws_command(
      t, command::Builder::aws("guardduty", "list-detectors").opt("--query", "DetectorIds"),
      "guardduty/list-detectors.txt", true);
}

std::vector<Command> access_entry_commands(const Target& t, const std::string& principal_arn) {
  std::string base = "snapshot/access-entries/" + safe_name(principal_arn);
  auto op = [&](const char* operation) {
    return command::Builder::aws("eks", operation)
        .opt("--cluster-name", t.cluster)
        .opt("--principal-arn", principal_arn);
  };
  return {aws_command(t, op("describe-access-entry"), base + ".json"),
          aws_command(t, op("list-associated-access-policies"), base + "-policies.json")};
}

Command describe_nodegroup_command(const Target& t, const std::string& nodegroup) {
  return aws_command(t,
                     command::Builder::aws("eks", "describe-nodegroup")
                         .opt("--cluster-name", t.cluster)
                         .opt("--nodegroup-name", nodegroup),
                     "eks/nodegroups/" + safe_name(nodegroup) + ".json");
}

Command list_findings_command(const Target& t, const std::string& detector) {
  util::JsonWriter j;
  j.open('{');
  j.key("Criterion");
  j.open('{');
  j.key("resource.eksClusterDetails.name");
  j.open('{');
  j.kv_list("Equals", {t.cluster});
  j.close('}');
  j.key("updatedAt");
  j.open('{');
  j.kv_num("GreaterThanOrEqual", t.since / 1000000);
  j.close('}');
  j.close('}');
  j.close('}');
  const std::string& criteria = j.o;
  return aws_command(t,
                     command::Builder::aws("guardduty", "list-findings")
                         .opt("--detector-id", detector)
                         .opt("--finding-criteria", criteria)
                         .opt("--query", "FindingIds"),
                     "guardduty/list-findings-" + safe_name(detector) + ".txt", true);
}

std::vector<Command> get_findings_commands(const Target& t, const std::string& detector,
                                           const std::vector<std::string>& finding_ids) {
  constexpr size_t kBatch = 50;  // the most GetFindings accepts
  std::vector<Command> cmds;
  for (size_t i = 0; i < finding_ids.size(); i += kBatch) {
    std::vector<std::string> ids(finding_ids.begin() + static_cast<std::ptrdiff_t>(i),
                                 finding_ids.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                           finding_ids.size(), i + kBatch)));
    std::string output = "guardduty/get-findings-" + safe_name(detector);
    if (finding_ids.size() > kBatch) output += fmt::format("-{:03}", i / kBatch + 1);
    cmds.push_back(aws_command(t,
                               command::Builder::aws("guardduty", "get-findings")
                                   .opt("--detector-id", detector)
                                   .list("--finding-ids", ids),
                               output + ".json"));
  }
  return cmds;
}

Command pod_logs_command(const Target& t, const std::string& ns, const std::string& pod) {
  return kubectl_command(t,
                         command::Builder::kubectl()
                             .word("logs")
                             .opt("--namespace", ns)
                             .flag("--all-containers")
                             .flag("--timestamps")
                             .flag("--prefix")
                             .opt("--since-time", iso_seconds(t.since))
                             .name(pod),
                         "logs/" + safe_name(ns) + "/" + safe_name(pod) + ".log");
}

InspectorCommands inspector_findings_commands(const Target& t, const std::string& account,
                                              const std::vector<std::string>& repositories) {
  constexpr size_t kBatch = 10;  // values one Inspector string filter takes
  using command::Type;
  InspectorCommands out;
  std::vector<std::string> names;
  for (const auto& r : repositories) {
    if (auto e = command::explain(Type::ecr_repository_name, r, "repository"); !e.empty())
      out.left_out.push_back({r, e});
    else
      names.push_back(r);
  }
  // "key":[{"comparison":"EQUALS","value":…},…]
  auto equals = [](util::JsonWriter& j, std::string_view key,
                   const std::vector<std::string>& values) {
    j.key(key);
    j.open('[');
    for (const auto& v : values) {
      j.item();
      j.open('{');
      j.kv("comparison", "EQUALS");
      j.kv("value", v);
      j.close('}');
    }
    j.close(']');
  };
  for (size_t i = 0; i < names.size(); i += kBatch) {
    std::vector<std::string> batch(
        names.begin() + static_cast<std::ptrdiff_t>(i),
        names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), i + kBatch)));
    util::JsonWriter j;
    j.open('{');
    equals(j, "awsAccountId", {account});
    equals(j, "ecrImageRepositoryName", batch);
    equals(j, "findingType", {"PACKAGE_VULNERABILITY"});
    equals(j, "findingStatus", {"ACTIVE"});
    equals(j, "resourceType", {"AWS_ECR_CONTAINER_IMAGE"});
    j.close('}');
    const std::string& criteria = j.o;
    std::string output = "inspector2/list-findings";
    if (names.size() > kBatch) output += fmt::format("-{:03}", i / kBatch + 1);
    Command c = command::valid(Type::aws_account_id, account)
                    ? aws_command(t,
                                  command::Builder::aws("inspector2", "list-findings")
                                      .opt("--filter-criteria", criteria),
                                  output + ".json")
                    : Command{};
    if (c.args.empty() && c.refused.empty()) {
      c.output = output + ".json";
      c.refused = command::explain(Type::aws_account_id, account, "account");
    }
    c.paginate = true;
    out.commands.push_back(std::move(c));
    out.asked.push_back(std::move(batch));
  }
  return out;
}

Command image_scan_findings_command(const Target& t, const std::string& account,
                                    const EcrImage& image) {
  bool by_digest = !image.digest.empty();
  std::string id = by_digest ? "imageDigest=" + image.digest : "imageTag=" + image.tag;
  return aws_command(
      t,
      command::Builder::aws("ecr", "describe-image-scan-findings")
          .opt("--registry-id", account)
          .opt("--repository-name", image.repository)
          .opt("--image-id", id),
      fmt::format("ecr/describe-image-scan-findings/{}@{}.json", safe_name(image.repository),
                  safe_name(by_digest ? image.digest : image.tag)));
}

}  // namespace eksir::collect
