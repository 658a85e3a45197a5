// Every posture check: one bad object each plus benign look-alikes; the exact set of results.
#include <gtest/gtest.h>

#include <set>

#include "cluster/cluster.h"

using namespace eksir::cluster;

namespace {

// A container that passes every check (restricted PSS, trusted registry, digest).
std::string good(const std::string& name,
                 const std::string& image = "public.ecr.aws/acme/app:1.4.2@sha256:0a1b") {
  return "  - name: " + name + "\n    image: " + image +
         "\n    securityContext:\n      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"
         "      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [ALL]}\n";
}

std::string pod(const std::string& ns, const std::string& name, const std::string& owner,
                const std::string& spec_extra, const std::string& containers) {
  return "kind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n" +
         (owner.empty()
              ? ""
              : "  ownerReferences: [{kind: " + owner.substr(0, owner.find('/')) +
                    ", name: " + owner.substr(owner.find('/') + 1) + ", controller: true}]\n") +
         "spec:\n  automountServiceAccountToken: false\n" + spec_extra + "  containers:\n" +
         containers + "---\n";
}

std::string workload(const std::string& kind, const std::string& ns, const std::string& name,
                     const std::string& containers) {
  return "kind: " + kind + "\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: false\n      "
         "containers:\n" +
         [&] {
           std::string out, line;
           for (char c : containers) {
             line += c;
             if (c == '\n') out += "    " + line, line.clear();
           }
           return out;
         }() +
         "---\n";
}

std::string role(const std::string& kind, const std::string& ns, const std::string& name,
                 const std::string& rules) {
  return "kind: " + kind + "\nmetadata: {name: '" + name + "'" +
         (ns.empty() ? "" : ", namespace: " + ns) + "}\nrules:\n" + rules + "---\n";
}

std::string binding(const std::string& kind, const std::string& ns, const std::string& name,
                    const std::string& role_kind, const std::string& role_name,
                    const std::string& subjects) {
  return "kind: " + kind + "\nmetadata: {name: '" + name + "'" +
         (ns.empty() ? "" : ", namespace: " + ns) + "}\nroleRef: {kind: " + role_kind +
         ", name: '" + role_name + "'}\nsubjects: " + subjects + "\n---\n";
}

std::string fixture() {
  std::string y;
  // Namespaces with NetworkPolicies, so only "rogue" lacks one.
  for (const char* ns : {"apps", "kube-system"})
    y += std::string("kind: NetworkPolicy\nmetadata: {name: deny, namespace: ") + ns + "}\n---\n";
  // Workloads.
  y += pod("apps", "web-7f9c8d6b5-x2x4z", "ReplicaSet/web-7f9c8d6b5", "", good("web"));  // benign
  y += pod("apps", "batch-worker", "", "", good("worker"));  // benign: no random suffix
  y += pod("apps", "debug-k8s2d", "", "", good("debug"));    // controller-like name, no owner
  y += pod("apps", "cache-6d5f-tz9wq", "ReplicaSet/cache-6d5f", "",
           good("cache", "docker.io/xmrig/xmrig:6.21@sha256:11"));
  y += pod("apps", "hostroot-8b7c6d-pq2lx", "ReplicaSet/hostroot-8b7c6d",
           "  volumes:\n  - name: sock\n    hostPath: {path: /var/run/docker.sock}\n", good("x"));
  y += pod("apps", "logs-8b7c6d-pq2lx", "ReplicaSet/logs-8b7c6d",
           "  volumes:\n  - name: logs\n    hostPath: {path: /var/log/app}\n",
           good("x"));  // hostPath, not sensitive
  y += pod("kube-system", "aws-node-qz7xk", "DaemonSet/aws-node", "  hostNetwork: true\n",
           good("aws-node",
                "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2@sha256:22"));
  y += pod("kube-system", "coredns-5b8cc885bc-5x29f", "ReplicaSet/coredns-5b8cc885bc", "",
           good("coredns"));  // benign
  y += pod("kube-system", "sneaky", "", "", good("sneaky"));
  y += workload("Deployment", "apps", "tagless", good("t", "public.ecr.aws/acme/app"));
  y += workload("Deployment", "rogue", "x", good("x"));
  y += workload("DaemonSet", "apps", "collector", good("c"));
  y += workload("DaemonSet", "kube-system", "kube-proxy", good("kube-proxy"));  // benign
  y += pod("apps", "uses-sa-6d5f-tz9wq", "ReplicaSet/uses-sa-6d5f",
           "  serviceAccountName: app-sa\n", good("a"));
  // The pod above sets automount false: the token is not mounted. This one mounts it.
  y += "kind: Pod\nmetadata: {name: mounts-sa, namespace: apps, ownerReferences: [{kind: Job, "
       "name: j}]}\n"
       "spec:\n  serviceAccountName: app-sa\n  containers:\n" +
       good("a") + "---\n";
  // Nodes.
  y += "kind: Node\nmetadata: {name: ip-10-0-1-1.ec2.internal, labels: "
       "{eks.amazonaws.com/nodegroup: general}}\n"
       "spec: {providerID: 'aws:///us-east-1a/i-0123456789abcdef0'}\n---\n";
  y += "kind: Node\nmetadata: {name: rogue-node}\nspec: {}\n---\n";
  y += "kind: Node\nmetadata: {name: ip-10-0-1-2.ec2.internal, labels: "
       "{eks.amazonaws.com/nodegroup: other}}\n"
       "spec: {providerID: 'aws:///us-east-1b/i-0fedcba9876543210'}\n---\n";
  y += "kind: Node\nmetadata: {name: fargate-ip-10-0-2-2.ec2.internal, labels: "
       "{eks.amazonaws.com/compute-type: fargate}}\n"
       "spec: {providerID: 'aws:///us-east-1a/abcd/fargate-ip-10-0-2-2.ec2.internal'}\n---\n";
  // RBAC.
  y += role("ClusterRole", "", "wild", "- {apiGroups: [''], resources: [pods], verbs: ['*']}\n");
  y += role("ClusterRole", "", "secret-reader",
            "- {apiGroups: [''], resources: [secrets], verbs: [get, list]}\n");
  y += role("ClusterRole", "", "exec",
            "- {apiGroups: [''], resources: [pods/exec], verbs: [create]}\n");
  y += role("ClusterRole", "", "impersonator",
            "- {apiGroups: [''], resources: [users, groups], verbs: [impersonate]}\n");
  y += role("ClusterRole", "", "kubelet-proxy",
            "- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}\n");
  y += role("ClusterRole", "", "token-minter",
            "- {apiGroups: [''], resources: [serviceaccounts/token], verbs: [create]}\n");
  y += role("ClusterRole", "", "csr-approver",
            "- {apiGroups: [certificates.k8s.io], resources: "
            "[certificatesigningrequests/approval], verbs: [update]}\n");
  y += role("Role", "kube-system", "pod-creator",
            "- {apiGroups: [''], resources: [pods], verbs: [create]}\n");
  y += role("Role", "kube-system", "cm-editor",
            "- {apiGroups: [''], resources: [configmaps], verbs: [update, patch]}\n");
  y += role("Role", "kube-system", "cm-editor-scoped",  // benign: limited to another ConfigMap
            "- {apiGroups: [''], resources: [configmaps], resourceNames: [my-config], verbs: "
            "[update]}\n");
  y += role("ClusterRole", "", "pod-launcher",
            "- {apiGroups: [''], resources: [pods], verbs: [create]}\n");
  y += binding("ClusterRoleBinding", "", "launchers", "ClusterRole", "pod-launcher",
               "[{kind: Group, name: launchers}]");
  y += role("ClusterRole", "", "ns-pod-launcher",
            "- {apiGroups: [''], resources: [pods], verbs: [create]}\n");  // benign:
  y += binding("RoleBinding", "apps", "ns-launchers", "ClusterRole", "ns-pod-launcher",
               "[{kind: Group, name: devs}]");  // apps only
  y += role("ClusterRole", "", "pod-reader",
            "- {apiGroups: [''], resources: [pods], verbs: [get, list, watch]}\n");  // benign
  y += role("ClusterRole", "", "system:controller:thing",
            "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n");  // default
  y += binding("ClusterRoleBinding", "", "cluster-admin", "ClusterRole", "cluster-admin",
               "[{kind: Group, name: 'system:masters'}]");  // the default
  y += binding("ClusterRoleBinding", "", "rogue-admin", "ClusterRole", "cluster-admin",
               "[{kind: User, name: mallory}]");
  y += binding("ClusterRoleBinding", "", "anon-view", "ClusterRole", "view",
               "[{kind: User, name: 'system:anonymous'}]");
  y += binding("ClusterRoleBinding", "", "system:public-info-viewer", "ClusterRole",
               "system:public-info-viewer",
               "[{kind: Group, name: 'system:unauthenticated'}]");  // the default
  y += binding("RoleBinding", "apps", "app-secrets", "ClusterRole", "secret-reader",
               "[{kind: ServiceAccount, name: app-sa, namespace: apps}]");
  // Identity.
  y += "kind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n"
       "    - rolearn: arn:aws:iam::1:role/nodes\n      username: "
       "system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n"
       "    - rolearn: arn:aws:iam::1:role/break-glass\n      username: admin\n      groups: "
       "[system:masters]\n---\n";
  y +=
      R"({"principalArn":"arn:aws:iam::1:role/deployer","associatedAccessPolicies":[{"policyArn":"arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy","accessScope":{"type":"cluster"}}]})"
      "\n---\n";
  y +=
      R"({"principalArn":"arn:aws:iam::1:role/viewer","associatedAccessPolicies":[{"policyArn":"arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy","accessScope":{"type":"cluster"}}]})"
      "\n---\n";
  // Exposure.
  y += "kind: Service\nmetadata: {name: public, namespace: apps}\nspec: {type: LoadBalancer, "
       "ports: [{port: 443}]}\n---\n";
  y += "kind: Service\nmetadata: {name: internal, namespace: apps}\nspec: {type: ClusterIP, ports: "
       "[{port: 80}]}\n---\n";
  y += "kind: Service\nmetadata: {name: office, namespace: apps}\nspec: {type: LoadBalancer, "
       "loadBalancerSourceRanges: [10.0.0.0/8], ports: [{port: 443}]}\n---\n";
  y += "kind: Ingress\nmetadata: {name: web, namespace: apps}\nspec: {rules: [{host: "
       "shop.example.com}]}\n";
  return y;
}

Policy fixture_policy() {
  PolicyResult r = parse_policy(
      "expected_namespaces: [apps]\nexpected_nodegroups: [general]\ntrusted_cidrs: [10.0.0.0/8]\n"
      "admin_principals: ['arn:aws:iam::1:role/deployer']\n",
      "eksir.yaml", "2026-03-14");
  EXPECT_TRUE(r.ok());
  return r.policy;
}

std::string key(const Finding& f) {
  return f.check + " " + f.kind + "/" + (f.ns.empty() ? "" : f.ns + "/") + f.name +
         (f.exempted ? " (exempted)" : "");
}

TEST(Checks, ExactResultsOnTheFixture) {
  Snapshot snap;
  // The access-policy documents are JSON; the YAML stream reads them as flow mappings.
  add_text(snap, fixture(), "fixture.yaml");
  ASSERT_TRUE(snap.skips.empty()) << snap.skips.front().message();
  Policy pol = fixture_policy();
  std::multiset<std::string> got;
  for (const auto& f : run_checks(snap, pol)) got.insert(key(f));
  std::multiset<std::string> want{
      "name-suspicious Pod/apps/debug-k8s2d",
      "name-suspicious Pod/apps/cache-6d5f-tz9wq",
      "image-untrusted-registry Pod/apps/cache-6d5f-tz9wq",
      "pss-b5-host-path Pod/apps/hostroot-8b7c6d-pq2lx",
      "pss-r1-volume-types Pod/apps/hostroot-8b7c6d-pq2lx",
      "hostpath-sensitive Pod/apps/hostroot-8b7c6d-pq2lx",
      "pss-b5-host-path Pod/apps/logs-8b7c6d-pq2lx",
      "pss-r1-volume-types Pod/apps/logs-8b7c6d-pq2lx",
      "pss-b2-host-namespaces Pod/kube-system/aws-node-qz7xk (exempted)",
      "kube-system-unknown-workload Pod/kube-system/sneaky",
      "image-mutable-tag Deployment/apps/tagless",
      "image-no-digest Deployment/apps/tagless",
      "workload-unexpected-namespace Deployment/rogue/x",
      "namespace-no-networkpolicy Namespace/rogue",
      "daemonset-unexpected DaemonSet/apps/collector",
      "sa-token-powerful Pod/apps/mounts-sa",
      "node-unexpected-nodegroup Node/rogue-node",
      "node-unknown-provider Node/rogue-node",
      "node-unexpected-nodegroup Node/ip-10-0-1-2.ec2.internal",
      "rbac-wildcard ClusterRole/wild",
      "rbac-secrets-read ClusterRole/secret-reader",
      "rbac-pods-exec ClusterRole/exec",
      "rbac-escalation-verbs ClusterRole/impersonator",
      "rbac-nodes-proxy ClusterRole/kubelet-proxy",
      "rbac-sa-token ClusterRole/token-minter",
      "rbac-csr-approve ClusterRole/csr-approver",
      "rbac-create-pods-kube-system Role/kube-system/pod-creator",
      "rbac-create-pods-kube-system ClusterRole/pod-launcher",
      "rbac-aws-auth-modify Role/kube-system/cm-editor",
      "rbac-cluster-admin-binding ClusterRoleBinding/rogue-admin",
      "rbac-anonymous-binding ClusterRoleBinding/anon-view",
      "admin-aws-auth-masters ConfigMap/kube-system/aws-auth",
      "admin-access-policy AccessEntry/arn:aws:iam::1:role/deployer",
      "service-exposed Service/apps/public",
      "service-exposed Service/apps/office",
      "ingress-exposed Ingress/apps/web",
  };
  EXPECT_EQ(got, want);
  // Every check in the catalogue is exercised by the fixture, except the PSS controls covered in
  // pss_test and the image scan results' check in images_test.
  std::set<std::string> seen;
  for (const auto& k : got) seen.insert(k.substr(0, k.find(' ')));
  for (const auto& c : check_catalog()) {
    if (std::string(c.id).starts_with("pss-") || c.id == "image-critical-vulnerability") continue;
    EXPECT_TRUE(seen.count(std::string(c.id))) << c.id;
  }
}

TEST(Checks, FieldsSeveritiesAndAdmins) {
  Snapshot snap;
  add_text(snap, fixture(), "fixture.yaml");
  Policy pol = fixture_policy();
  std::vector<std::string> admins;
  auto results = run_checks(snap, pol, &admins);
  auto find = [&](const std::string& check, const std::string& name) -> const Finding* {
    for (const auto& f : results)
      if (f.check == check && f.name == name) return &f;
    return nullptr;
  };
  const Finding* f = find("hostpath-sensitive", "hostroot-8b7c6d-pq2lx");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->field, "spec.volumes[0].hostPath.path");
  EXPECT_EQ(f->severity, Severity::Critical);
  EXPECT_FALSE(f->why.empty());
  ASSERT_TRUE(f = find("image-mutable-tag", "tagless"));
  EXPECT_EQ(f->field, "spec.template.spec.containers[0].image");
  ASSERT_TRUE(f = find("service-exposed", "public"));
  EXPECT_EQ(f->severity, Severity::High);  // open to the internet
  ASSERT_TRUE(f = find("service-exposed", "office"));
  EXPECT_EQ(f->severity, Severity::Low);  // only trusted_cidrs
  EXPECT_EQ(f->field, "spec.loadBalancerSourceRanges");
  ASSERT_TRUE(f = find("admin-access-policy", "arn:aws:iam::1:role/deployer"));
  EXPECT_EQ(f->severity, Severity::Info);  // listed in admin_principals
  ASSERT_TRUE(f = find("admin-aws-auth-masters", "aws-auth"));
  EXPECT_EQ(f->field, "data.mapRoles[1].groups");
  ASSERT_TRUE(f = find("rbac-anonymous-binding", "anon-view"));
  EXPECT_EQ(f->severity, Severity::Critical);
  EXPECT_EQ(f->field, "subjects[0]");
  EXPECT_EQ(admins,
            (std::vector<std::string>{
                "group:system:masters (ClusterRoleBinding cluster-admin)",
                "user:mallory (ClusterRoleBinding rogue-admin)",
                "arn:aws:iam::1:role/break-glass (aws-auth system:masters)",
                "arn:aws:iam::1:role/deployer (access policy AmazonEKSClusterAdminPolicy)"}));
}

TEST(Checks, SuppressionsHideFindingsAndCountHits) {
  Snapshot snap;
  add_text(snap, fixture(), "fixture.yaml");
  PolicyResult r = parse_policy(
      "suppressions:\n"
      "  - {rule: 'node-*', name: rogue-node, reason: lab node, expires: 2099-01-01}\n"
      "  - {rule: rbac-cluster-admin-binding, principal: mallory, reason: expired exception, "
      "expires: 2020-01-01}\n",
      "eksir.yaml", "2026-03-14");
  ASSERT_TRUE(r.ok());
  std::multiset<std::string> got;
  for (const auto& f : run_checks(snap, r.policy)) got.insert(key(f));
  EXPECT_EQ(got.count("node-unexpected-nodegroup Node/rogue-node"), 0u);
  EXPECT_EQ(got.count("node-unknown-provider Node/rogue-node"), 0u);
  EXPECT_EQ(got.count("node-unexpected-nodegroup Node/ip-10-0-1-2.ec2.internal"),
            0u);  // default policy: any group ok
  EXPECT_EQ(got.count("rbac-cluster-admin-binding ClusterRoleBinding/rogue-admin"),
            1u);  // expired: still reported
  EXPECT_EQ(r.policy.suppressions[0].hits, 2u);
  EXPECT_EQ(r.policy.suppressions[1].hits, 0u);
  std::string json = format_json({}, snap, r.policy);
  EXPECT_NE(
      json.find(
          R"({"rule":"node-*","reason":"lab node","hits":2,"expires":"2099-01-01","expired":false})"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("expired":true)"), std::string::npos);
}

}  // namespace
