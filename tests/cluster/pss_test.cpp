// Pod Security Standards: every control with a failing and a passing case, pod-level inheritance.
#include <gtest/gtest.h>

#include <set>

#include "cluster/cluster.h"

using namespace eksir::cluster;

namespace {

std::string pod(const std::string& spec, const std::string& meta_extra = "") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: apps\n" + meta_extra +
         "spec:\n" + spec;
}

// "check field" for every finding whose check starts with prefix.
std::set<std::string> found(const std::string& yaml, const std::string& prefix) {
  Snapshot snap;
  add_text(snap, yaml, "t.yaml");
  EXPECT_TRUE(snap.skips.empty()) << snap.skips.front().message();
  Policy pol;
  std::set<std::string> out;
  for (const auto& f : run_checks(snap, pol))
    if (f.check.starts_with(prefix)) out.insert(f.check + " " + f.field);
  return out;
}

// Container security context that passes every restricted control.
const std::string kGoodSc =
    "    securityContext:\n"
    "      allowPrivilegeEscalation: false\n"
    "      runAsNonRoot: true\n"
    "      seccompProfile: {type: RuntimeDefault}\n"
    "      capabilities: {drop: [ALL]}\n";
const std::string kGood =
    "  containers:\n  - name: app\n    image: public.ecr.aws/x/y:1@sha256:abc\n" + kGoodSc;

struct Case {
  const char* name;
  std::string yaml;
  const char* prefix;
  std::set<std::string> want;
};

std::vector<Case> cases() {
  const std::string c0 = "spec.containers[0].securityContext";
  return {
      {"hardened pod passes all", pod(kGood), "pss-", {}},
      {"B1 host process pod",
       pod("  securityContext: {windowsOptions: {hostProcess: true}}\n" + kGood),
       "pss-b1",
       {"pss-b1-host-process spec.securityContext.windowsOptions.hostProcess"}},
      {"B1 host process false passes",
       pod("  securityContext: {windowsOptions: {hostProcess: false}}\n" + kGood),
       "pss-b1",
       {}},
      {"B2 host namespaces",
       pod("  hostNetwork: true\n  hostPID: true\n  hostIPC: true\n" + kGood),
       "pss-b2",
       {"pss-b2-host-namespaces spec.hostNetwork", "pss-b2-host-namespaces spec.hostPID",
        "pss-b2-host-namespaces spec.hostIPC"}},
      {"B2 false passes", pod("  hostNetwork: false\n" + kGood), "pss-b2", {}},
      {"B3 privileged init container",
       pod(kGood + "  initContainers:\n  - name: init\n    image: i\n    securityContext: "
                   "{privileged: true}\n"),
       "pss-b3",
       {"pss-b3-privileged spec.initContainers[0].securityContext.privileged"}},
      {"B3 privileged false passes",
       pod(kGood + "  - name: b\n    securityContext: {privileged: false}\n"),
       "pss-b3",
       {}},
      {"B4 SYS_ADMIN fails, baseline caps pass",
       pod("  containers:\n  - name: a\n    securityContext: {capabilities: {add: [CHOWN, "
           "SYS_ADMIN]}}\n"
           "  - name: b\n    securityContext: {capabilities: {add: [NET_BIND_SERVICE, KILL]}}\n"),
       "pss-b4",
       {"pss-b4-capabilities " + c0 + ".capabilities.add"}},
      {"B5 hostPath, R1 volume type",
       pod(kGood + "  volumes:\n  - name: ok\n    configMap: {name: c}\n  - name: h\n    hostPath: "
                   "{path: /var/log}\n"),
       "pss-b5",
       {"pss-b5-host-path spec.volumes[1].hostPath"}},
      {"B6 host port; 0 passes",
       pod("  containers:\n  - name: a\n    ports:\n    - containerPort: 80\n    - containerPort: "
           "81\n      hostPort: 8081\n    - hostPort: 0\n"),
       "pss-b6",
       {"pss-b6-host-ports spec.containers[0].ports[1].hostPort"}},
      {"B7 probe host",
       pod("  containers:\n  - name: a\n    livenessProbe: {httpGet: {host: 169.254.169.254, path: "
           "/}}\n"),
       "pss-b7",
       {"pss-b7-probe-host spec.containers[0].livenessProbe.httpGet.host"}},
      {"B8 AppArmor field and annotation; runtime/default passes",
       pod("  securityContext: {appArmorProfile: {type: Unconfined}}\n" + kGood,
           "  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: unconfined\n"
           "    container.apparmor.security.beta.kubernetes.io/b: runtime/default\n"),
       "pss-b8",
       {"pss-b8-apparmor spec.securityContext.appArmorProfile.type",
        "pss-b8-apparmor "
        "metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/app\"]"}},
      {"B9 SELinux type/user; container_t passes",
       pod("  securityContext: {seLinuxOptions: {type: container_t}}\n  containers:\n  - name: a\n"
           "    securityContext: {seLinuxOptions: {type: spc_t, user: root}}\n"),
       "pss-b9",
       {"pss-b9-selinux " + c0 + ".seLinuxOptions.type",
        "pss-b9-selinux " + c0 + ".seLinuxOptions.user"}},
      {"B10 procMount Unmasked; Default passes",
       pod("  containers:\n  - name: a\n    securityContext: {procMount: Unmasked}\n  - name: b\n  "
           "  securityContext: {procMount: Default}\n"),
       "pss-b10",
       {"pss-b10-proc-mount " + c0 + ".procMount"}},
      {"B11 seccomp Unconfined",
       pod("  containers:\n  - name: a\n    securityContext: {seccompProfile: {type: "
           "Unconfined}}\n"),
       "pss-b11",
       {"pss-b11-seccomp " + c0 + ".seccompProfile.type"}},
      {"B12 unsafe sysctl; safe passes",
       pod("  securityContext:\n    sysctls:\n    - {name: net.ipv4.tcp_syncookies, value: '1'}\n  "
           "  - {name: kernel.msgmax, value: '1'}\n" +
           kGood),
       "pss-b12",
       {"pss-b12-sysctls spec.securityContext.sysctls[1].name"}},
      {"R1 hostPath and nfs fail, secret passes",
       pod(kGood + "  volumes:\n  - name: s\n    secret: {secretName: s}\n  - name: h\n    "
                   "hostPath: {path: /x}\n  - name: n\n    nfs: {server: a, path: /}\n"),
       "pss-r1",
       {"pss-r1-volume-types spec.volumes[1]", "pss-r1-volume-types spec.volumes[2]"}},
      {"R2 unset fails, true fails",
       pod("  containers:\n  - name: a\n  - name: b\n    securityContext: "
           "{allowPrivilegeEscalation: true}\n"),
       "pss-r2",
       {"pss-r2-privilege-escalation " + c0 + ".allowPrivilegeEscalation",
        "pss-r2-privilege-escalation spec.containers[1].securityContext.allowPrivilegeEscalation"}},
      {"R3 pod-level runAsNonRoot is inherited; explicit container false still fails",
       pod("  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n  - name: b\n    "
           "securityContext: {runAsNonRoot: false}\n"),
       "pss-r3",
       {"pss-r3-run-as-non-root spec.containers[1].securityContext.runAsNonRoot"}},
      {"R3 unset everywhere fails per container",
       pod("  containers:\n  - name: a\n"),
       "pss-r3",
       {"pss-r3-run-as-non-root " + c0 + ".runAsNonRoot"}},
      {"R4 explicit 0 fails at pod and container; 1000 passes",
       pod("  securityContext: {runAsUser: 0}\n  containers:\n  - name: a\n    securityContext: "
           "{runAsUser: 0}\n  - name: b\n    securityContext: {runAsUser: 1000}\n"),
       "pss-r4",
       {"pss-r4-run-as-user spec.securityContext.runAsUser",
        "pss-r4-run-as-user " + c0 + ".runAsUser"}},
      {"R5 pod-level RuntimeDefault covers containers",
       pod("  securityContext: {seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: "
           "a\n"),
       "pss-r5",
       {}},
      {"R5 unset fails; Localhost passes",
       pod("  containers:\n  - name: a\n  - name: b\n    securityContext: {seccompProfile: {type: "
           "Localhost, localhostProfile: x}}\n"),
       "pss-r5",
       {"pss-r5-seccomp " + c0 + ".seccompProfile.type"}},
      {"R6 drop ALL needed; only NET_BIND_SERVICE may be added",
       pod("  containers:\n  - name: a\n    securityContext: {capabilities: {drop: [ALL], add: "
           "[NET_BIND_SERVICE]}}\n"
           "  - name: b\n    securityContext: {capabilities: {drop: [NET_RAW], add: [CHOWN]}}\n"),
       "pss-r6",
       {"pss-r6-capabilities spec.containers[1].securityContext.capabilities.drop",
        "pss-r6-capabilities spec.containers[1].securityContext.capabilities.add"}},
      {"Linux-only restricted controls skip windows pods",
       pod("  os: {name: windows}\n  containers:\n  - name: a\n"),
       "pss-r",
       {}},
  };
}

TEST(Pss, EveryControlFailsAndPasses) {
  for (const auto& c : cases()) EXPECT_EQ(found(c.yaml, c.prefix), c.want) << c.name;
}

TEST(Pss, TemplatesOfEveryWorkloadKindUseTheirOwnPath) {
  const std::string tmpl =
      "    spec:\n      hostPID: true\n      containers:\n      - name: a\n        "
      "securityContext: {privileged: true}\n";
  std::string y = "kind: Deployment\nmetadata: {name: d, namespace: apps}\nspec:\n  template:\n" +
                  tmpl +
                  "---\nkind: CronJob\nmetadata: {name: c, namespace: apps}\nspec:\n  "
                  "jobTemplate:\n    spec:\n      template:\n"
                  "        spec:\n          containers:\n          - name: a\n            "
                  "securityContext: {privileged: true}\n";
  EXPECT_EQ(found(y, "pss-b"),
            (std::set<std::string>{
                "pss-b2-host-namespaces spec.template.spec.hostPID",
                "pss-b3-privileged spec.template.spec.containers[0].securityContext.privileged",
                "pss-b3-privileged "
                "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged"}));
}

TEST(Pss, NotAppliedToKindsWithoutPods) {
  std::string y =
      "kind: ConfigMap\nmetadata: {name: c, namespace: apps}\ndata: {a: b}\n---\n"
      "kind: ServiceAccount\nmetadata: {name: s, namespace: apps}\n---\n"
      "kind: ClusterRole\nmetadata: {name: r}\nrules: []\n";
  EXPECT_EQ(found(y, "pss-"), std::set<std::string>{});
}

TEST(Pss, EksSystemComponentsAreReportedAsExempted) {
  Snapshot snap;
  add_text(snap,
           "kind: Pod\nmetadata:\n  name: aws-node-abcde\n  namespace: kube-system\n  "
           "ownerReferences: [{kind: DaemonSet, name: aws-node}]\n"
           "spec:\n  hostNetwork: true\n  containers: [{name: aws-node, image: "
           "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2}]\n"
           "---\nkind: Pod\nmetadata:\n  name: aws-node-fake1\n  namespace: kube-system\nspec:\n  "
           "hostNetwork: true\n",
           "t.yaml");
  Policy pol;
  int exempt = 0, not_exempt = 0;
  for (const auto& f : run_checks(snap, pol))
    if (f.check == "pss-b2-host-namespaces") {
      (f.exempted ? exempt : not_exempt) += 1;
      EXPECT_EQ(f.exempted, f.name == "aws-node-abcde");
    }
  EXPECT_EQ(exempt, 1);
  EXPECT_EQ(not_exempt, 1);  // same name prefix, but no DaemonSet owns it
}

}  // namespace
