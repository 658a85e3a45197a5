// The one-line gist of an event: a request that names no object reads "in <namespace>", never
// "<namespace>/"; a runtime alert without its pod's name names the container or host and the
// namespace.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "event/summary.h"

namespace eksir {
namespace {

EventSummary of(Source source, const std::string& json) {
  static simdjson::dom::parser parser;
  EventView ev;
  ev.source = source;
  EXPECT_EQ(parser.parse(json).get(ev.doc), simdjson::SUCCESS) << json;
  return summarize(ev);
}

TEST(EventSummary, AuditTargets) {
  auto list =
      of(Source::K8sAudit,
         R"({"verb":"list","user":{"username":"ci"},"objectRef":{"resource":"deployments",)"
         R"("namespace":"payments"},"responseStatus":{"code":200},"sourceIPs":["10.0.0.1"]})");
  EXPECT_EQ(list.action, "list");
  EXPECT_EQ(list.target, "deployments in payments");
  auto get = of(Source::K8sAudit,
                R"({"verb":"get","user":{"username":"ci"},"objectRef":{"resource":"configmaps",)"
                R"("namespace":"kube-system","name":"aws-auth"}})");
  EXPECT_EQ(get.target, "configmaps kube-system/aws-auth");
  auto nodes = of(Source::K8sAudit,
                  R"({"verb":"list","user":{"username":"ci"},"objectRef":{"resource":"nodes"}})");
  EXPECT_EQ(nodes.target, "nodes");
}

TEST(EventSummary, FalcoTargets) {
  auto pod =
      of(Source::Falco,
         R"({"rule":"Terminal shell in container","priority":"Notice","output_fields":)"
         R"({"k8s.ns.name":"kube-system","k8s.pod.name":"backup-agent","container.name":"c"}})");
  EXPECT_EQ(pod.target, "kube-system/backup-agent");
  auto container =
      of(Source::Falco, R"({"rule":"r","priority":"Notice","output_fields":{"k8s.ns.name":)"
                        R"("kube-system","container.name":"agent"}})");
  EXPECT_EQ(container.target, "agent in kube-system");
  auto host = of(Source::Falco, R"({"rule":"r","priority":"Notice","hostname":"ip-10-0-0-1",)"
                                R"("output_fields":{"proc.name":"sh"}})");
  EXPECT_EQ(host.target, "ip-10-0-0-1");
}

// Native paths are dotted; a key may hold dots itself (Falco's output_fields) and an array on the
// way is entered at its first element (GuardDuty's network interfaces, CloudTrail's items).
TEST(EventSummary, DottedPathsReachDottedKeysAndEnterArrays) {
  auto falco =
      of(Source::Falco, R"({"rule":"r","priority":"Warning","output_fields":{"ka":{"other":1},)"
                        R"("ka.user.name":"alice","k8s.ns.name":"prod","k8s.pod.name":"web"}})");
  EXPECT_EQ(falco.actor, "alice");
  EXPECT_EQ(falco.target, "prod/web");
  EXPECT_EQ(falco.outcome, "Warning");
  auto gd =
      of(Source::GuardDuty,
         R"({"type":"Execution:Kubernetes/ExecInKubeSystemPod","severity":5,"resource":)"
         R"({"eksClusterDetails":{"name":"prod"},"kubernetesDetails":{)"
         R"("kubernetesUserDetails":{"username":"bob"},"kubernetesWorkloadDetails":)"
         R"({"namespace":"kube-system","name":"aws-node-x"}}},"service":{"action":)"
         R"({"kubernetesApiCallAction":{"remoteIpDetails":{"ipAddressV4":"203.0.113.9"}}}}})");
  EXPECT_EQ(gd.actor, "bob");
  EXPECT_EQ(gd.action, "Execution:Kubernetes/ExecInKubeSystemPod");
  EXPECT_EQ(gd.target, "prod kube-system/aws-node-x");
  EXPECT_EQ(gd.outcome, "severity 5");
  EXPECT_EQ(gd.source_ip, "203.0.113.9");
  auto ct = of(Source::CloudTrail,
               R"({"eventSource":"ec2.amazonaws.com","eventName":"TerminateInstances",)"
               R"("userIdentity":{"arn":"arn:aws:iam::1:user/x"},"requestParameters":)"
               R"({"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}})");
  EXPECT_EQ(ct.action, "ec2:TerminateInstances");
  EXPECT_EQ(ct.target, "i-1");
  EXPECT_EQ(ct.outcome, "success");
}

}  // namespace
}  // namespace eksir
