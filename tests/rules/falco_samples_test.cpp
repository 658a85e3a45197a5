// Falco's k8s_audit rules over the shared audit samples whose README names an attack: which
// Falco rules fire on each (the Falco column beside the Sigma and Elastic ones).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "detect/detect.h"
#include "rules/rules.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

std::set<std::string> fired(const std::vector<Rule>& rules, const std::string& file) {
  detect::EngineOptions eo;
  eo.workers = 1;
  detect::Engine engine(rules, eo);
  sources::ScanOptions so;
  so.threads = 1;
  sources::scan(
      {file}, so,
      [&](const EventView& ev, sources::ChunkOutput& chunk) { engine.on_event(ev, chunk.worker); },
      [](std::vector<std::string>&) { return true; });
  std::set<std::string> out;
  for (const auto& f : engine.finish()) out.insert(f.rule_id);
  return out;
}

TEST(FalcoSamples, RulesThatFireOnEachAuditAttackSample) {
  LoadResult loaded = load_paths({test::shared_dir() + "/rules/falco/k8s_audit_rules.yaml"});
  ASSERT_EQ(loaded.rules.size(), 48u);
  const std::string dir = test::samples_dir() + "/k8s-audit/falco-trace-files/";
  // Sample (README: the attack it shows) → the Falco rules that fire.
  const std::map<std::string, std::set<std::string>> expected = {
      {"anonymous_creates_namespace_foo",
       {"Anonymous Request Allowed", "Create Disallowed Namespace", "K8s Namespace Created"}},
      {"attach_cluster_admin_role",
       {"Attach to cluster-admin Role", "K8s ClusterRoleBinding Created"}},
      {"attach_pod", {"Attach/Exec Pod"}},
      {"exec_pod", {"Attach/Exec Pod"}},
      {"create_cluster_role_wildcard_resources",
       {"ClusterRole With Wildcard Created", "K8s ClusterRole Created"}},
      {"create_cluster_role_wildcard_verbs",
       {"ClusterRole With Wildcard Created", "K8s ClusterRole Created"}},
      {"create_cluster_role_pod_exec",
       {"ClusterRole With Pod Exec Created", "K8s ClusterRole Created"}},
      {"create_nginx_pod_hostnetwork", {"Create HostNetwork Pod"}},
      {"create_nginx_pod_privileged", {"Create Privileged Pod"}},
      {"create_nginx_pod_privileged_2nd_container", {"Create Privileged Pod"}},
      {"create_nginx_pod_no_secctx_1st_container_privileged_2nd_container",
       {"Create Privileged Pod"}},
      {"create_nginx_pod_sensitive_mount", {"Create Sensitive Mount Pod"}},
      {"create_nginx_pod_sensitive_mount_2nd_container", {"Create Sensitive Mount Pod"}},
      {"create_nginx_service_nodeport", {"Create NodePort Service", "K8s Service Created"}},
      {"create_pod_kube_system_namespace", {"Pod Created in Kube Namespace"}},
      {"create_pod_kube_public_namespace", {"Pod Created in Kube Namespace"}},
      {"create_configmap_sensitive_values",
       {"Create/Modify Configmap With Private Credentials", "K8s ConfigMap Created"}},
      {"delete_cluster_role_kube_aggregator",
       {"System ClusterRole Modified/Deleted", "K8s ClusterRole Deleted"}},
      {"modify_cluster_role_node_problem_detector", {"System ClusterRole Modified/Deleted"}},
  };
  for (const auto& [sample, rules] : expected)
    EXPECT_EQ(fired(loaded.rules, dir + sample + ".json"), rules) << sample;
}

}  // namespace
}  // namespace eksir::rules
