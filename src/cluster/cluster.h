// Cluster snapshot: kubectl / aws eks output read into compact typed objects, the
// organisation policy (eksir.yaml) and the posture checks run over both.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/sources.h"

namespace eksir::cluster {

// ---------------------------------------------------------------- snapshot objects

using Labels = std::map<std::string, std::string, std::less<>>;

struct OwnerRef {
  std::string kind, name;
};

struct SecurityContext {  // container- or pod-level; unset fields stay nullopt / empty
  std::optional<bool> privileged, allow_privilege_escalation, run_as_non_root, read_only_root_fs,
      host_process;
  std::optional<int64_t> run_as_user;
  std::string seccomp_type;   // "" when unset
  std::string apparmor_type;  // "" when unset
  std::string proc_mount;     // "" when unset
  std::vector<std::string> cap_add, cap_drop;
  std::string selinux_type, selinux_user, selinux_role;
};

struct Container {
  std::string name, image;
  SecurityContext sc;
  std::vector<int64_t> host_ports;  // one per port, 0 when unset
  std::vector<std::pair<std::string, std::string>>
      probe_hosts;  // (field relative to the container, host)
};

struct Volume {
  std::string name;
  std::string source;     // "hostPath", "configMap", "emptyDir", ... ("" when none)
  std::string host_path;  // for hostPath
};

struct PodSpec {
  std::string node_name, service_account;
  std::optional<bool> automount_token;
  bool host_pid = false, host_ipc = false, host_network = false;
  std::string os_name;
  SecurityContext sc;  // pod-level
  std::vector<std::pair<std::string, std::string>> sysctls;
  std::vector<Volume> volumes;
  std::vector<Container> containers, init_containers, ephemeral_containers;
  std::map<std::string, std::string> apparmor_annotations;  // container name -> profile
};

// A Pod or a workload's pod template.
struct Workload {
  std::string kind, ns, name;
  Labels labels;
  std::vector<OwnerRef> owners;
  std::string spec_path;  // "spec" or "spec.template.spec" or "spec.jobTemplate.spec.template.spec"
  uint64_t line = 0;
  PodSpec pod;
};

struct PolicyRule {
  std::vector<std::string> verbs, api_groups, resources, resource_names;
};

struct Role {  // Role or ClusterRole
  std::string kind, ns, name;
  std::vector<PolicyRule> rules;
};

struct Subject {
  std::string kind, name, ns;
};

struct Binding {  // RoleBinding or ClusterRoleBinding
  std::string kind, ns, name;
  std::string role_kind, role_name;
  std::vector<Subject> subjects;
};

struct Node {
  std::string name, provider_id, kubelet_version, created;
  Labels labels;
};

struct Service {
  std::string ns, name, type;
  std::vector<std::string> source_ranges;
  std::vector<int64_t> ports, node_ports;
};

struct Ingress {
  std::string ns, name;
  std::vector<std::string> hosts;
  bool tls = false;
};

struct NetworkPolicy {
  std::string ns, name;
};

struct ServiceAccount {
  std::string ns, name;
  std::optional<bool> automount_token;
  std::string role_arn;  // IRSA annotation
};

struct Namespace {
  std::string name;
  Labels labels;
};

struct AwsAuthEntry {  // one mapRoles / mapUsers item of kube-system/aws-auth
  std::string arn, username;
  std::vector<std::string> groups;
  bool user = false;  // mapUsers
};

// The entries of one aws-auth mapRoles (users = false) or mapUsers value, a YAML list in a string.
// error is set, and the entries read so far returned, when the text is not such a list.
std::vector<AwsAuthEntry> parse_aws_auth_list(std::string_view yaml, bool users,
                                              std::string& error);

struct AccessPolicy {
  std::string policy_arn, scope_type;
  std::vector<std::string> namespaces;
};

struct AccessEntry {
  std::string principal_arn, type, username;
  std::vector<std::string> groups;
  std::vector<AccessPolicy> policies;
};

// A ConfigMap as the snapshot holds it: its data, and the resourceVersion a replace of it must
// match (so that it fails, rather than overwrite, when the live object changed since).
struct ConfigMapCopy {
  std::string ns, name, resource_version, file;
  Labels data;
};

struct ClusterInfo {
  std::string name, version, auth_mode;
  bool public_endpoint = false, private_endpoint = false;
  std::vector<std::string> public_cidrs;
};

struct Snapshot {
  std::vector<Workload> workloads;  // pods and pod-bearing controllers
  std::vector<Role> roles;
  std::vector<Binding> bindings;
  std::vector<Node> nodes;
  std::vector<Service> services;
  std::vector<Ingress> ingresses;
  std::vector<NetworkPolicy> network_policies;
  std::vector<ServiceAccount> service_accounts;
  std::vector<Namespace> namespaces;
  std::vector<AwsAuthEntry> aws_auth;
  std::optional<ConfigMapCopy> aws_auth_configmap;  // kube-system/aws-auth itself
  std::vector<AccessEntry> access_entries;
  std::optional<ClusterInfo> cluster;
  std::vector<sources::Skip> skips;
  uint64_t files = 0, objects = 0, other = 0;  // other: valid objects of kinds no check reads
};

// Reads files or folders (recursively, in sorted order) of `kubectl get -o json|yaml` and
// `aws eks` output into snap. Bad files and objects become skips; nothing throws.
void load_snapshot(const std::vector<std::string>& paths, Snapshot& snap);
// Reads one document text (JSON or YAML, multi-document allowed); file names the skips.
void add_text(Snapshot& snap, std::string_view text, std::string_view file);

// ---------------------------------------------------------------- policy (eksir.yaml)

struct Suppression {
  std::string rule, ns, name, principal, reason, expires;  // "" = any; expires YYYY-MM-DD
  uint64_t line = 0;
  bool expired = false;
  mutable uint64_t hits = 0;
};

struct MaintenanceWindow {
  std::string start, end;         // ISO times, or
  std::vector<std::string> days;  // weekly: mon..sun
  std::string from, to;           // HH:MM
};

struct Policy {
  std::vector<std::string> trusted_registries{"*.dkr.ecr.*.amazonaws.com", "public.ecr.aws",
                                              "registry.k8s.io", "602401143452.dkr.ecr.*"};
  std::vector<std::string> expected_namespaces;  // empty: not checked
  std::vector<std::string> production_clusters, production_namespaces;
  std::vector<std::string> trusted_cidrs, admin_principals, cicd_identities;
  std::vector<std::string> expected_nodegroups;  // empty: any node group label is accepted
  std::vector<std::string> expected_daemonsets{"aws-node",
                                               "kube-proxy",
                                               "ebs-csi-node",
                                               "efs-csi-node",
                                               "eks-pod-identity-agent",
                                               "fsx-csi-node",
                                               "s3-csi-node",
                                               "aws-cloudwatch-agent",
                                               "fluent-bit",
                                               "dcgm-exporter"};
  std::vector<MaintenanceWindow> maintenance_windows;
  std::vector<Suppression> suppressions;

  // True when an unexpired suppression covers the finding; counts the hit.
  bool suppressed(std::string_view rule, std::string_view ns = {}, std::string_view name = {},
                  std::string_view principal = {}) const;
};

struct PolicyResult {
  Policy policy;
  std::vector<std::string> errors;  // "file:line: key: problem"
  std::string sha256;               // load_policy: of the bytes read ("" when none could be)
  bool ok() const { return errors.empty(); }
};

// Shell-style glob (`*`, `?`) as used by every list in the policy.
bool policy_glob(std::string_view pattern, std::string_view s);

// today: YYYY-MM-DD used for expiry (empty: the current UTC date).
PolicyResult load_policy(const std::string& path, std::string today = {});
PolicyResult parse_policy(std::string_view text, std::string_view file, std::string today = {});

// ---------------------------------------------------------------- checks

enum class Severity { info, low, medium, high, critical };
std::string_view severity_name(Severity s);
std::optional<Severity> parse_severity(std::string_view s);

struct Finding {
  std::string check;
  Severity severity = Severity::info;
  std::string kind, ns, name;
  std::string field;  // the exact path that triggered it
  std::string message, why;
  bool exempted = false;  // EKS system component: reported, not counted towards --fail-on
};

struct CheckInfo {
  std::string_view id;
  Severity severity;  // default; some findings raise or lower it (stated in the message)
  std::string_view title, why, anchors;  // anchors: the matching kubescape / Polaris / PSS ids
};
// Every check eksir posture runs, in report order.
const std::vector<CheckInfo>& check_catalog();
const CheckInfo& check_info(std::string_view id);  // an "unknown" entry when absent

// Every check over the snapshot. Suppressed findings are dropped (and counted in the policy).
// cluster_admins, when given, receives every principal that effectively has cluster-admin.
std::vector<Finding> run_checks(const Snapshot& snap, const Policy& policy,
                                std::vector<std::string>* cluster_admins = nullptr);

// Output writers; all take the same list.
std::string format_json(const std::vector<Finding>& findings, const Snapshot& snap,
                        const Policy& policy, const std::vector<std::string>& cluster_admins = {});
std::string format_sarif(const std::vector<Finding>& findings);
// width: the terminal's columns the table fits (0: not a terminal, nothing cut).
void format_table(std::ostream& out, const std::vector<Finding>& findings, size_t width = 0);

struct PostureOptions {
  std::vector<std::string> snapshot;
  std::string config;  // eksir.yaml; "" = defaults
  std::string format = "table";
  std::string min_severity = "info";
  std::string fail_on;  // "" = never exit 1
  bool quiet = false;
  size_t width = 0;  // the table's terminal columns (lines fit, cells cut); 0: nothing cut
};
// eksir posture. Returns 0, 1 (--fail-on reached) or 2 (input or usage error).
int run_posture(const PostureOptions& opts, std::ostream& out, std::ostream& err);

}  // namespace eksir::cluster
