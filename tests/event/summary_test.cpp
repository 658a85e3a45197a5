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

}  // namespace
}  // namespace eksir
