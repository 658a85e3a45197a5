// The check catalogue: id, default severity, title, why it matters, and the established ids it
// matches.
#include "cluster/cluster.h"

namespace eksir::cluster {

const std::vector<CheckInfo>& check_catalog() {
  using S = Severity;
  static const std::vector<CheckInfo> c{
      {"pss-b1-host-process", S::High, "Windows HostProcess container",
       "A HostProcess container has administrator access to the Windows node.",
       "PSS B1; KS C-0202; PO hostProcess"},
      {"pss-b2-host-namespaces", S::High, "Host namespaces shared",
       "hostNetwork/hostPID/hostIPC let the pod see and attack node processes, traffic and IPC; a "
       "classic escape path.",
       "PSS B2; KS C-0038, C-0041; PO hostPIDSet/hostIPCSet/hostNetworkSet"},
      {"pss-b3-privileged", S::Critical, "Privileged container",
       "A privileged container has every capability and the host's devices: root on the node.",
       "PSS B3; KS C-0057; PO runAsPrivileged"},
      {"pss-b4-capabilities", S::High, "Capability outside the baseline set",
       "Capabilities like SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE enable container escape or "
       "network attacks.",
       "PSS B4; KS C-0046; PO dangerousCapabilities"},
      {"pss-b5-host-path", S::High, "hostPath volume",
       "A hostPath volume exposes the node's filesystem to the pod.",
       "PSS B5; KS C-0048; PO hostPathSet"},
      {"pss-b6-host-ports", S::Medium, "Host port",
       "A hostPort binds directly on the node, bypassing Service and NetworkPolicy controls.",
       "PSS B6; KS C-0044; PO hostPortSet"},
      {"pss-b7-probe-host", S::Medium, "Probe or hook to another host",
       "Probes and hooks with a host make the kubelet send requests to an arbitrary address "
       "(SSRF).",
       "PSS B7 (v1.34+)"},
      {"pss-b8-apparmor", S::Medium, "AppArmor disabled",
       "An Unconfined AppArmor profile removes a mandatory access control layer.",
       "PSS B8; PO linuxHardening"},
      {"pss-b9-selinux", S::Medium, "Custom SELinux options",
       "A custom SELinux type, user or role can lift the container's confinement.", "PSS B9"},
      {"pss-b10-proc-mount", S::Medium, "Unmasked /proc",
       "procMount Unmasked removes the default masking of sensitive /proc paths.",
       "PSS B10; PO procMount"},
      {"pss-b11-seccomp", S::Medium, "Seccomp Unconfined",
       "Seccomp Unconfined allows every system call, including those used in kernel exploits.",
       "PSS B11; KS C-0055"},
      {"pss-b12-sysctls", S::Medium, "Unsafe sysctl",
       "Sysctls outside the safe set affect the whole node, not just the pod.", "PSS B12"},
      {"pss-r1-volume-types", S::Low, "Volume type outside restricted",
       "Restricted allows only configMap, csi, downwardAPI, emptyDir, ephemeral, "
       "persistentVolumeClaim, projected and secret volumes.",
       "PSS R1"},
      {"pss-r2-privilege-escalation", S::Low, "Privilege escalation allowed",
       "Without allowPrivilegeEscalation: false, setuid binaries can gain privileges inside the "
       "container.",
       "PSS R2; KS C-0016; PO privilegeEscalationAllowed"},
      {"pss-r3-run-as-non-root", S::Low, "May run as root",
       "A container running as root makes every escape worse.",
       "PSS R3; KS C-0013; PO runAsRootAllowed"},
      {"pss-r4-run-as-user", S::Medium, "Runs as UID 0",
       "An explicit runAsUser: 0 runs the workload as root.", "PSS R4; KS C-0013"},
      {"pss-r5-seccomp", S::Low, "No seccomp profile",
       "Without RuntimeDefault or Localhost seccomp every system call is reachable.",
       "PSS R5; KS C-0055"},
      {"pss-r6-capabilities", S::Low, "Capabilities not dropped",
       "Restricted requires dropping ALL capabilities and adding back at most NET_BIND_SERVICE.",
       "PSS R6; PO insecureCapabilities"},
      {"hostpath-sensitive", S::Critical, "Sensitive host path mounted",
       "Mounting /, /etc, /root, /proc, the kubelet directory or a container runtime socket gives "
       "control of the node.",
       "KA SensitivePathsMounted; KS C-0074, C-0020"},
      {"image-untrusted-registry", S::Medium, "Image from an untrusted registry",
       "Images from unexpected registries are a common way attackers run tooling (miners, shells).",
       "KS C-0078, C-0001"},
      {"image-mutable-tag", S::Medium, "Image with latest or no tag",
       "A mutable tag can be repointed to a different image without any change in the cluster.",
       "PO tagNotSpecified; KA ImageTagMissing; KS C-0075"},
      {"image-critical-vulnerability", S::High, "Running image with critical vulnerabilities",
       "A scanner (Amazon Inspector, ECR image scanning, Trivy, Grype) reports critical "
       "vulnerabilities in an image a pod runs: a way in for an attacker, first of all where an "
       "exploit is public (raised to critical then).",
       "Inspector PACKAGE_VULNERABILITY; Trivy; Grype"},
      {"image-no-digest", S::Low, "Image not pinned by digest",
       "Only a digest guarantees the image that runs is the one that was reviewed.", "KS C-0306"},
      {"name-suspicious", S::High, "Suspicious name",
       "Miner and shell tool names, controller-style names without a controller and system "
       "look-alikes are common attacker camouflage.",
       "eksir (no tool has this)"},
      {"workload-unexpected-namespace", S::Medium, "Workload in an unexpected namespace",
       "Attackers create their own namespaces to hide workloads.",
       "eksir; KS C-0209 lists namespaces"},
      {"kube-system-unknown-workload", S::High, "Unknown workload in kube-system",
       "kube-system workloads run with powerful service accounts and are rarely reviewed: a "
       "favourite hiding place.",
       "eksir; KS C-0061 related"},
      {"daemonset-unexpected", S::High, "Unexpected DaemonSet",
       "A DaemonSet runs on every node: the fastest way to deploy a miner or an agent "
       "cluster-wide.",
       "eksir (no tool has this)"},
      {"node-unexpected-nodegroup", S::High, "Node outside the expected node groups",
       "A node that joined outside managed node groups may be attacker-controlled and receive "
       "workloads and secrets.",
       "eksir (no tool has this)"},
      {"node-unknown-provider", S::High, "Node with an unknown providerID",
       "A node that is not an EC2 instance of this account may be a rogue kubelet.",
       "eksir (no tool has this)"},
      {"rbac-wildcard", S::High, "Wildcard RBAC rule",
       "Wildcards grant every current and future verb or resource, including ones added by CRDs.",
       "KS C-0187, C-0035; KU risky-any-verb"},
      {"rbac-cluster-admin-binding", S::Critical, "cluster-admin binding",
       "cluster-admin can do anything in the cluster; every extra holder is a path to full "
       "compromise.",
       "KS C-0185, C-0035; PO clusterrolebindingClusterAdmin; RP cluster_admin"},
      {"rbac-anonymous-binding", S::High, "Binding to anonymous or all authenticated users",
       "system:anonymous / system:unauthenticated reach anyone on the network; "
       "system:authenticated is every AWS principal that can call the cluster.",
       "KS C-0262, C-0265"},
      {"rbac-secrets-read", S::High, "Can read secrets",
       "Reading secrets exposes service-account tokens and credentials: a direct escalation.",
       "KS C-0015, C-0186; RP list_secrets, retrieve_token_secrets"},
      {"rbac-pods-exec", S::High, "Can exec or attach into pods",
       "Exec gives a shell in any pod in scope, with its service-account token.",
       "KS C-0002; PO clusterrolePodExecAttach; RP pods_exec"},
      {"rbac-escalation-verbs", S::Critical, "Can bind, escalate or impersonate",
       "bind/escalate/impersonate let a subject give itself any permission.",
       "KS C-0191, C-0065; RP bind_roles, escalate_roles, impersonate"},
      {"rbac-nodes-proxy", S::High, "Can use nodes/proxy",
       "nodes/proxy reaches the kubelet API: code execution in any pod on the node, outside the "
       "audit log.",
       "KS C-0279; RP nodes_proxy"},
      {"rbac-sa-token", S::High, "Can create service-account tokens",
       "Minting tokens for other service accounts inherits their permissions.",
       "KS C-0282; RP token_request"},
      {"rbac-csr-approve", S::Critical, "Can approve CSRs",
       "Approving certificate signing requests can mint a client certificate for any user, "
       "including system:masters.",
       "KS C-0280; RP approve_csrs"},
      {"rbac-create-pods-kube-system", S::Critical, "Can create pods in kube-system",
       "A pod in kube-system can mount any system service account token.",
       "KS C-0188; RP assign_sa"},
      {"rbac-aws-auth-modify", S::Critical, "Can modify aws-auth",
       "Editing kube-system/aws-auth maps any IAM principal to system:masters.",
       "RP eks_modify_aws_auth"},
      {"admin-aws-auth-masters", S::High, "IAM principal in system:masters",
       "system:masters bypasses RBAC entirely and cannot be revoked by removing bindings.",
       "KS C-0246"},
      {"admin-access-policy", S::High, "EKS admin access policy",
       "AmazonEKSClusterAdminPolicy makes the principal cluster-admin through the access-entry "
       "API.",
       "EKS access entries; KS C-0285"},
      {"service-exposed", S::Medium, "Service exposed outside the cluster",
       "LoadBalancer and NodePort services are reachable from outside; without source ranges, from "
       "anywhere.",
       "KS C-0256, C-0021"},
      {"ingress-exposed", S::Medium, "Ingress",
       "An Ingress publishes workloads outside the cluster; without TLS, in clear text.",
       "KS C-0256, C-0263; PO tlsSettingsMissing"},
      {"namespace-no-networkpolicy", S::Medium, "Namespace without NetworkPolicy",
       "Without any NetworkPolicy a compromised pod can reach every other pod and the instance "
       "metadata service.",
       "KS C-0030, C-0206; PO missingNetworkPolicy; KA netpols"},
      {"sa-token-powerful", S::High, "Powerful service-account token mounted",
       "The pod automounts a token bound to powerful RBAC: whoever compromises the pod gets those "
       "rights.",
       "KS C-0272, C-0267, C-0034; KU risky-pods"},
  };
  return c;
}

const CheckInfo& check_info(std::string_view id) {
  for (const auto& c : check_catalog())
    if (c.id == id) return c;
  static const CheckInfo unknown{"unknown", Severity::Info, "Unknown check", "", ""};
  return unknown;
}

}  // namespace eksir::cluster
