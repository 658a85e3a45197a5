// The argv of every kubectl and aws command eksir runs, built and checked in one place. Evidence
// is written by the attacker: a name read from it reaches an argv only as a value of the type it
// names (a ClusterRoleBinding name, an IAM user name, an instance id...) and only when it meets
// that type's rule; nothing starting with '-' is ever a value. Options take the --flag=value form
// (kubectl and the aws CLI both read it), aws lists are --flag v1 v2 with each value checked,
// kubectl object names come after "--". validate() re-checks a whole argv against the same
// grammar, for argv read back from a journal or a plan. The one public header of the command
// stage, used by respond (plans, execution, recovery) and collect.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eksir::command {

// What a value names; each has its own rule.
enum class Type {
  // Kubernetes
  k8s_name,        // DNS-1123 subdomain: pods, nodes, workloads, service accounts, policies
  k8s_label_name,  // DNS-1123 label: namespaces, services
  rbac_name,       // Role, ClusterRole, RoleBinding, ClusterRoleBinding: a path segment
  label_key,
  label_value,
  label_selector,  // key=value or key!=value, comma-separated
  label_change,    // kubectl label: key=value, or key- to remove it
  image_ref,       // a container image: [REGISTRY[:PORT]/]PATH[:TAG][@ALGORITHM:HEX]
  image_change,    // kubectl set image: CONTAINER=IMAGE (a DNS-1123 label, an image_ref)
  kube_context,    // a kubeconfig context name (the operator's)
  file_path,       // a kubeconfig file (the operator's)
  k8s_time,        // RFC 3339 time in UTC: 2026-03-14T09:12:31Z
  duration,        // 300s, 5m, 1h
  kubectl_output,  // json, yaml, wide, name, jsonpath={.spec.unschedulable}
  stdin_file,      // "-": the manifest comes on stdin
  field_manager,   // server-side apply field manager: a lower-case word
  // AWS
  iam_user_name,
  iam_role_name,
  iam_policy_name,
  iam_principal_arn,  // arn:PARTITION:iam::ACCOUNT:user/... or role/...
  iam_role_arn,
  iam_policy_arn,  // arn:PARTITION:iam::aws|ACCOUNT:policy/[PATH/]NAME
  access_key_id,
  access_key_status,  // Active | Inactive
  instance_id,
  security_group_id,
  sg_rule_id,
  snapshot_id,
  cluster_name,  // EKS cluster
  trail_name,    // CloudTrail trail: its name or its ARN
  nodegroup_name,
  region,
  ipv4_cidr,
  vpc_config,         // endpointPublicAccess=true|false[,publicAccessCidrs=CIDR,...]
  instance_spec,      // InstanceId=i-...,ExcludeBootVolume=true|false
  tag_source,         // volume
  description,        // short printable text of eksir's own
  json_document,      // a JSON object or array (policy documents, criteria, logging)
  aws_output,         // json | text
  aws_profile,        // the operator's profile name
  url,                // http(s) endpoint (the operator's)
  aws_time,           // ISO 8601 seconds or epoch milliseconds
  log_group_name,     // CloudWatch Logs group
  log_stream_prefix,  // CloudWatch Logs stream name prefix
  jmespath,           // --query of eksir's own: [Account,Arn,UserId], FindingIds...
  lookup_attribute,   // AttributeKey=EventSource,AttributeValue=SERVICE.amazonaws.com
  guardduty_id,       // detector and finding ids
  count,              // a positive integer
  page_token,         // the aws CLI's NextToken
  aws_account_id,     // 12 digits: an ECR registry id
  // ECR: a repository name (lower-case parts joined by '.', '_', '-', '/'), and an image as
  // imageDigest=sha256:<64 hex digits> or imageTag=TAG
  ecr_repository_name,
  ecr_image_id,
};

// The rule's name as messages give it: "DNS-1123 subdomain", "IAM user name"...
std::string_view rule_name(Type t);
// "" when value meets t's rule, else why not ("starts with '-'", "holds '/'", ...).
std::string check(Type t, std::string_view value);
inline bool valid(Type t, std::string_view value) {
  return check(t, value).empty();
}
// "" when value meets t's rule, else the message naming what it is, the value (escaped so that
// it can be read) and the rule: `ClusterRoleBinding name "-x" is not a valid RBAC name...`.
std::string explain(Type t, std::string_view value, std::string_view what);

enum class Tool { kubectl, aws };

struct Argv {
  std::vector<std::string> words;  // argv[0] is "kubectl" or "aws"; empty when error is set
  std::string error;               // which value failed which rule
  bool ok() const { return error.empty(); }
};

// One command being put together; build() checks the whole argv with validate(). Words come out
// in the order they were added, then "--" and the object names.
class Builder {
 public:
  static Builder kubectl();
  static Builder aws(std::string_view service, std::string_view operation);

  Builder& word(std::string_view w);                            // kubectl verb or kind
  Builder& opt(std::string_view name, std::string_view value);  // --name=value
  Builder& flag(std::string_view name);                         // --name
  Builder& list(std::string_view name, const std::vector<std::string>& values);  // aws lists
  Builder& name(std::string_view value);  // kubectl object name or label change, after "--"
  Argv build() const;
  Tool tool() const { return tool_; }

 private:
  explicit Builder(Tool tool) : tool_(tool) {}
  Tool tool_;
  std::vector<std::string> head_, names_;
  std::string error_;  // a mistake in the building itself (a name given to aws)
};

// "" when argv is a command of the grammar eksir writes, with every value meeting its rule; else
// the first problem. argv[0] must be "kubectl" or "aws".
std::string validate(const std::vector<std::string>& argv);

// Replaces the value(s) of option name in a valid argv (an undo made from captured settings) and
// validates the result.
Argv with_option(const std::vector<std::string>& argv, std::string_view name,
                 const std::vector<std::string>& values);

// One word for bash, exactly: bare when it holds only safe characters, in single quotes when
// it is printable, and in ANSI-C quotes ($'...\x1b...') when it holds control, C1, bidi or
// zero-width characters or bytes that are not UTF-8, so that what is shown is what runs and can
// be pasted back.
std::string shell_quote(std::string_view s);
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace eksir::command
