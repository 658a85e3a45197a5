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
#include "util/severity.h"

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
  // What the kubelet reports it runs (a Pod's status.containerStatuses[].imageID): the image's
  // digest, often as repository@sha256:..., the join to image scan results.
  std::string image_id;
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

// ---------------------------------------------------------------- images and their scan results

// One vulnerability of one package of an image, as a scanner reported it: an event of
// Source::Vulnerability (sources/unwrap_vulnerability.h), kept with where it is in the evidence.
struct ImageVulnerability {
  std::string id;        // CVE-2021-44228, GHSA-..., ALAS-...
  std::string severity;  // the scanner's word, upper case: CRITICAL, HIGH, MEDIUM, ...
  double score = 0;      // CVSS base score, 0 when none
  bool exploit_available = false;
  std::string fix_available;  // YES | NO | PARTIAL | ""
  std::string package, version, fixed_version;
  std::string image_name;  // registry/repository without tag or digest ("" when not known)
  std::string repository, digest;
  std::vector<std::string> tags;
  std::string scanner;  // Amazon Inspector, Amazon ECR, Trivy, Grype
  std::string file, event_id;
  uint64_t line = 0;
  TimeNs time = kNoTime;
  // CRITICAL 4, HIGH 3, MEDIUM 2, LOW 1, else 0.
  int rank() const;
};
// The vulnerability an event reports; nullopt for events of other sources, and for findings
// the scanner itself closed or suppressed.
std::optional<ImageVulnerability> image_vulnerability(const EventView& ev);

// An image reference taken apart: [registry/]repository[:tag][@digest], or a kubelet imageID
// (docker-pullable://repository@sha256:..., or the bare digest).
struct ImageRef {
  std::string registry;    // docker.io when the reference names none
  std::string repository;  // as written (nginx, shop/web); "" for a bare digest
  std::string tag, digest;
  // registry/repository with Docker Hub's spelled in full (docker.io/library/nginx): the same
  // image however it is written.
  std::string canonical() const;
  // The repository part of canonical() (library/nginx, shop/web).
  std::string canonical_repository() const;
};
ImageRef parse_image_ref(std::string_view ref);

// How a scanner's finding is about the image a container runs: by digest when both know one
// (different digests: another image, whatever the tags say), by repository and tag only when one
// side knows no digest.
enum class ImageJoin { none, digest, tag };
// image: the container's image as its spec names it; image_id: what the kubelet reported it runs
// (status.containerStatuses[].imageID), "" when not known.
ImageJoin image_join(const ImageVulnerability& v, std::string_view image,
                     std::string_view image_id);
// The digest a container is known to run: the imageID's, else the spec's own (@sha256:...).
std::string running_digest(std::string_view image, std::string_view image_id);

// Version order as package managers mostly agree on it: numeric runs compared as numbers, the
// rest as text (2.17.1 > 2.9.0; 1.1.1f-1ubuntu2.17 > 1.1.1f-1ubuntu2.16).
bool version_less(std::string_view a, std::string_view b);
// The lowest version that fixes every one of a package's findings: the highest of their fixed
// versions (a finding naming one per release line, "2.12.2, 2.15.0", counts by its highest);
// "" when none names one.
std::string fix_for_all(const std::vector<std::string>& fixed);

// The scan results, looked up by the image a container runs.
class ImageIndex {
 public:
  explicit ImageIndex(const std::vector<ImageVulnerability>& v);
  struct Match {
    std::vector<const ImageVulnerability*> findings;  // worst first: severity, exploit, score
    ImageJoin how = ImageJoin::none;                  // digest when any finding joined by digest
  };
  Match match(std::string_view image, std::string_view image_id) const;
  bool empty() const { return by_repository_.empty(); }

 private:
  const std::vector<ImageVulnerability>* all_;
  std::map<std::string, std::vector<size_t>, std::less<>> by_repository_;
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
  // What scanners report about images (CRITICAL and HIGH findings: what the checks and the
  // incident use), from the evidence beside the snapshot; how many records of any severity.
  std::vector<ImageVulnerability> vulnerabilities;
  uint64_t vulnerability_records = 0;
  uint64_t vulnerabilities_dropped = 0;  // critical or high findings past what is kept
  // What kubelets reported pods' containers run, from the audit log's pod status writes:
  // "namespace/pod/container" → imageID.
  std::map<std::string, std::string> audit_image_ids;
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

using util::parse_severity;
using util::Severity;
using util::severity_name;

struct Finding {
  std::string check;
  Severity severity = Severity::Info;
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
// width: the terminal's columns the table fits (0: not a terminal, nothing cut); colour: the
// header bold and the severities coloured (util/colour.h).
void format_table(std::ostream& out, const std::vector<Finding>& findings, size_t width = 0,
                  bool colour = false);

// Reads the snapshot files or folders and the image scan results among them (Inspector, ECR,
// Trivy, Grype: evidence, read as such); what could not be read is in the snapshot's skips.
Snapshot read_posture_snapshot(const std::vector<std::string>& paths);
// The results at or above min, as posture shows them: most severe first, exempted EKS system
// components after everything else.
std::vector<Finding> posture_results(std::vector<Finding> all, Severity min);

}  // namespace eksir::cluster
