// Parity: the same hunt queries and rules give identical output on the evidence files, on one
// ClickHouse server and on two servers as the shards of a Distributed table.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "app/app.h"
#include "backend/backend.h"
#include "backend/clickhouse_fixture.h"
#include "backend/store.h"
#include "detect/detect.h"
#include "hunt/hunt.h"
#include "test_paths.h"

namespace eksir {
namespace {

// Queries of tests/e2e/hunt_test.cpp and tests/query/eval_test.cpp, plus wildcard, exists and
// free-text forms on the typed columns.
const char* const kQueries[] = {
    "event.source:\"eks.amazonaws.com\" AND event.action:(\"CreateCluster\" OR \"DeleteCluster\" "
    "OR \"DeleteNodegroup\" OR \"UpdateClusterConfig\" OR \"UpdateNodegroupConfig\")",
    "eventSource:\"eks.amazonaws.com\" and eventName:(CreateCluster or DeleteCluster or "
    "DeleteNodegroup or UpdateClusterConfig or UpdateNodegroupConfig)",
    "verb:create and objectRef.subresource:exec",
    "objectRef.resource:pods",
    "eventName:CreateCluster",
    "verb:delete",
    "eventName:*",
    "*",
    "verb:get",
    "no.such.fieldname:x",
    "CreateCluster",
    "createcluster",
    "kube-system",
    "*admin*",
    "event.action:Delete*",
    "event.action:*Cluster",
    "source.ip:*",
    "not source.ip:*",
    "event.id:*",
    "user.name:*admin*",
    "not event.action:get",
    "kubernetes.audit.verb:(create or patch) and not kubernetes.audit.objectRef.namespace:default",
    "aws.cloudtrail.user_identity.access_key_id:*",
    "event.outcome:failure or event.outcome:success",
    "http.response.status_code:403",
    "http.response.status_code >= 400",
    "cloud.account.id:*",
    "orchestrator.cluster.name:*",
    "@timestamp >= \"2026-03-14T00:00:00Z\"",
    "event.action:\"Create*\"",
    "verb:create and objectRef.resource:pods/exec",
    "verb:create and objectRef.resource:pods and objectRef.subresource:exec",
    "objectRef.resource:pods/exec",
    "kubernetes.audit.objectRef.resource:pods",
    "requestObject.spec.containers.securityContext.privileged:true",
    "kubernetes.audit.requestObject.spec.containers.securityContext.privileged:true",
    "requestObject.spec.containers.securityContext.privileged:false",
    "requestObject.spec.hostNetwork:true",
    "requestObject.spec.volumes.hostPath.path:/etc*",
    "user.groups:\"system:masters\"",
    "sourceIPs:192.168.99.1",
    "verb:create AND objectRef.resource:pods",
    "verb:create And objectRef.resource:pods",
    "verb:CREATE",
    "verb:get OR verb:create",
    "verb:(get or create) and not user.username:admin",
    "NOT verb:create",
    "not requestObject:*",
    "not nosuch.field:1",
    "nosuch.field:1",
    "annotations.authorization.k8s.io/decision:allow",
    "kubernetes.audit.annotations.authorization_k8s_io/decision:allow",
    "kubernetes.audit.annotations.authorization_k8s_io/decision:forbid",
    "event.outcome:failure",
    "event.outcome:success",
    "responseStatus.code >= 400",
    "responseStatus.code:403",
    "responseStatus.code:\"403\"",
    "responseStatus.code < 200",
    "responseStatus.code > 101",
    "responseStatus.code >= 101 and responseStatus.code <= 101",
    "responseStatus.code:1*",
    "http.response.status_code >= 200 and http.response.status_code < 300",
    "user.name:\"system:anonymous\" and event.outcome:failure",
    "user.name:system\\:serviceaccount\\:*",
    "@timestamp >= \"2018-10-26T00:00:00Z\"",
    "@timestamp < \"2018-10-26\"",
    "@timestamp >= 2018-10-26 and @timestamp < 2018-10-27",
    "stageTimestamp > \"2018-10-26T13:38:34.9Z\"",
    "@timestamp:\"2018-10-26T13:38:34.902914Z\"",
    "@timestamp >= \"2024-01-01\"",
    "@timestamp > now-24h",
    "requestObject.spec.containers:{ image:mysql* and securityContext.privileged:true }",
    "requestObject.spec.containers:{ image:nginx and securityContext.privileged:true }",
    "requestObject.spec.containers.image:nginx and "
    "requestObject.spec.containers.securityContext.privileged:true",
    "requestObject.spec.containers:{ not securityContext:* }",
    "requestObject.spec:{ containers:{ image:nginx } }",
    "minikube-user",
    "MINIKUBE-User",
    "\"deployment-7998\"",
    "Minikube*",
    "inikube",
    "inikube*",
    "101",
    "nosuchthing",
    "verb",
    "event.action:CreateCluster",
    "action.event:CreateCluster",
    "event.source:\"eks.amazonaws.com\" AND event.action:(\"CreateCluster\" OR \"DeleteCluster\" "
    "OR \"DeleteNodegroup\")",
    "event.source:\"eks.amazonaws.com\" AND event.action:(\"CreateCluster\" OR \"DeleteCluster\")",
    "eventName:*Cluster",
    "eventName:Cre*Clu*",
    "eventName:Del*Clu*",
    "eventName:CreateCluster*",
    "eventName:List*",
    "eventName:(GetSecretValue or List*)",
    "requestParameters.clusterName:test",
    "aws.cloudtrail.flattened.request_parameters.resourcesVpcConfig.subnetIds:subnet-4f8c5004",
    "source.ip:205.251.233.178",
    "source.address:pods.eks.amazonaws.com",
    "user.name:username",
    "user.name:eks-security-workshop",
    "user.name:Admin",
    "user.id:*\\:i-*",
    "readOnly:false",
    "readOnly:true",
    "readOnly:\"false\"",
    "errorCode:*",
    "aws.cloudtrail.error_code:Client.UnauthorizedOperation",
    "eventTime >= \"2024-07-30T21:31:21Z\" and eventTime <= \"2024-07-30T21:31:21Z\"",
    "requestParameters.tags:{ key:kubernetes-namespace and value:ns-a }",
    "requestParameters.tags:{ key:kubernetes-namespace and value:sa1 }",
    "requestParameters.durationSeconds >= 3600",
    "data_stream.dataset: \"aws.cloudtrail\"\n and event.provider: \"cloudtrail.amazonaws.com\"\n "
    "and event.action: \"StopLogging\"\n and event.outcome: \"success\"",
    "data_stream.dataset: \"aws.cloudtrail\" and event.provider: \"cloudtrail.amazonaws.com\" and "
    "event.action: \"PutEventSelectors\" and event.outcome: \"success\" and "
    "aws.cloudtrail.request_parameters: *includeManagementEvents*false*",
    "data_stream.dataset:aws.cloudtrail and event.provider:signin.amazonaws.com and "
    "event.action:ConsoleLogin and "
    "aws.cloudtrail.console_login.additional_eventdata.mfa_used:false",
    "event.dataset: \"aws.cloudtrail\" and aws.cloudtrail.user_identity.type: \"AssumedRole\" and "
    "user.id: *\\:i-*",
    "data_stream.dataset:\"kubernetes.audit_logs\" and "
    "kubernetes.audit.annotations.authorization_k8s_io/decision:\"allow\" and "
    "kubernetes.audit.user.username:(\"system:anonymous\" or \"system:unauthenticated\" or not *) "
    "and not kubernetes.audit.requestURI:(/healthz* or /livez* or /readyz* or /version)",
    "event.dataset:kubernetes.audit_logs",
    "event.dataset:aws.*",
    "type:\"Persistence:Kubernetes/SuccessfulAnonymousAccess\"",
    "event.action:*Kubernetes*",
    "rule.category:PrivilegeEscalation",
    "severity >= 8",
    "event.severity:5",
    "service.additionalInfo.sample:true",
    "resource.eksClusterDetails.name:GeneratedFindingEKSClusterName",
    "aws.guardduty.resource.eks_cluster_details.name:GeneratedFindingEKSClusterName",
    "source.ip:175.16.199.1",
    "user.name:\"system:anonymous\"",
    "resource.eksClusterDetails.tags:{ key:GeneratedFindingEKSClusterTag2 and "
    "value:GeneratedFindingEKSClusterTagValue2 }",
    "resource.eksClusterDetails.tags:{ key:GeneratedFindingEKSClusterTag2 and "
    "value:GeneratedFindingEKSClusterTagValue3 }",
    "output_fields.k8s.pod.name:alpine",
    "output_fields.ka.uri.param[command]:cat",
    "output_fields.ka.target.subresource:exec and output_fields.ka.user.name:kubernetes-admin",
    "rule:\"Terminal shell in container\" and priority:Critical",
    "rule.name:\"Terminal shell in container\"",
    "output_fields.ka.response.code >= 400",
    "output_fields.ka.response.code:403",
    "event.severity <= 4",
    "orchestrator.resource.name:alpine",
    "output_fields.proc.tty:34817",
    "source:syscall",
    "finding_info.types:*CloudTrailLoggingDisabled",
    "cloud.region:us-east-2 and event.kind:alert",
    "source.ip:52.94.133.131",
    "actor.user.groups:{ name:\"system:nodes\" }",
    "event.outcome:success and user.name:system\\:node\\:*",
    // Vulnerability findings: their documents are rebuilt, so what queries read is in the
    // normalised text, not always in the record as written.
    "vulnerability.id:CVE-2024-3094",
    "vulnerability.severity:CRITICAL and container.image.name:*backup*",
    "vulnerability.severity:NEGLIGIBLE",
    "container.image.name:\"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments-api\"",
    "image_name:*payments-api",
    "fix_available:NO and package.name:*",
    "vulnerability.score.base >= 9",
    "event.kind:state",
    "payments-api",
    "tools/backup",
};

std::vector<std::string> evidence() {
  return {test::samples_dir(), test::source_dir() + "/examples/incident-2026-03-14",
          test::source_dir() + "/tests/data/vulnerability"};
}

// Loads the evidence into both stores once per test process; "" or why it failed.
const std::string& loaded() {
  static const std::string error = [] {
    auto& s = test::ClickHouseServers::get();
    if (!s.error.empty()) return s.error;
    for (const auto& url : {s.single_url, s.sharded_url}) {
      backend::LoadOptions o;
      o.evidence = evidence();
      o.to = url;
      o.quiet = true;
      o.batch_bytes = 1 << 20;  // several batches per load
      std::ostringstream out, err;
      if (int rc = app::load(o, out, err); rc != 0)
        return "load into " + url + " failed (" + std::to_string(rc) + "): " + err.str();
    }
    return std::string();
  }();
  return error;
}

#define REQUIRE_STORES()                                \
  const auto& servers = test::ClickHouseServers::get(); \
  ASSERT_TRUE(servers.error.empty()) << servers.error;  \
  ASSERT_TRUE(loaded().empty()) << loaded()

std::string hunt_output(hunt::HuntOptions o, const std::string& on) {
  std::ostringstream out, err;
  o.threads = 2;
  app::HuntCommand c{o, "", on, {}, {}};
  c.output.quiet = true;
  int rc = app::hunt(c, out, err);
  return "exit " + std::to_string(rc) + "\n" + out.str();
}

std::string detect_output(app::DetectCommand c, const std::string& on) {
  std::ostringstream out, err;
  c.quiet = true;
  c.options.threads = 2;
  c.format = detect::Format::Ndjson;
  c.on = on;
  int rc = app::detect(c, out, err);
  return "exit " + std::to_string(rc) + "\n" + out.str() + (rc == 2 ? err.str() : "");
}

size_t lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(ClickHouseParity, HuntQueriesGiveTheSameRowsOnFilesOneServerAndTwoShards) {
  REQUIRE_STORES();
  size_t with_matches = 0;
  size_t n = 0;
  for (const char* q : kQueries) {
    // The table's columns come from the same events: every query as ndjson, some as a table.
    for (auto format : {hunt::Format::Ndjson, hunt::Format::Table}) {
      if (format == hunt::Format::Table && n % 8 != 0) continue;
      SCOPED_TRACE(q);
      hunt::HuntOptions o;
      o.query = q;
      o.evidence = evidence();
      o.format = format;
      std::string local = hunt_output(o, "");
      EXPECT_EQ(hunt_output(o, servers.single_url), local);
      EXPECT_EQ(hunt_output(o, servers.sharded_url), local);
      if (format == hunt::Format::Ndjson && lines(local) > 1) ++with_matches;
    }
    ++n;
  }
  EXPECT_GT(with_matches, 60u);  // the set is not vacuous
}

TEST(ClickHouseParity, HuntOptionsGiveTheSameRows) {
  REQUIRE_STORES();
  std::vector<hunt::HuntOptions> cases(7);
  for (auto& c : cases) {
    c.evidence = evidence();
    c.query = "*";
    c.format = hunt::Format::Ndjson;
  }
  cases[0].only = Source::Falco;
  cases[1].since = parse_time("2026-03-14T09:00:00Z");
  cases[1].until = parse_time("2026-03-14T12:00:00Z");
  cases[2].limit = 7;
  cases[3].count_only = true;
  cases[4].format = hunt::Format::Csv;
  cases[4].fields = {"@timestamp", "user.name", "event.action", "source.ip"};
  cases[5].query = "verb:(create or delete)";
  cases[5].format = hunt::Format::Table;
  cases[5].limit = 3;
  // Nothing matched: exit 1, also where the server alone counts.
  cases[6].query = "eventName:NoSuchCallAnywhere";
  cases[6].count_only = true;
  EXPECT_EQ(hunt_output(cases[6], ""), "exit 1\n0\n");
  for (const auto& o : cases) {
    std::string local = hunt_output(o, "");
    EXPECT_GT(lines(local), 1u);
    EXPECT_EQ(hunt_output(o, servers.single_url), local);
    EXPECT_EQ(hunt_output(o, servers.sharded_url), local);
  }
}

TEST(ClickHouseParity, BuiltinPackGivesTheSameFindings) {
  REQUIRE_STORES();
  app::DetectCommand o;
  o.options.evidence = evidence();
  std::string local = detect_output(o, "");
  EXPECT_GT(lines(local), 10u);
  EXPECT_EQ(detect_output(o, servers.single_url), local);
  EXPECT_EQ(detect_output(o, servers.sharded_url), local);
}

TEST(ClickHouseParity, EachBuiltinRuleAloneGivesTheSameFindings) {
  REQUIRE_STORES();
  std::vector<std::string> files;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(test::source_dir() + "/rules/builtin"))
    if (e.path().extension() == ".yml" || e.path().extension() == ".yaml")
      files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 50u);
  size_t firing = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    app::DetectCommand o;
    o.options.evidence = evidence();
    o.builtin = false;
    o.rule_paths = {f};
    std::string local = detect_output(o, "");
    if (lines(local) > 1) ++firing;
    EXPECT_EQ(detect_output(o, servers.single_url), local);
    EXPECT_EQ(detect_output(o, servers.sharded_url), local);
  }
  EXPECT_GT(firing, 10u);
}

uint64_t table_rows(const std::string& url, const std::string& table) {
  std::string error;
  auto target = backend::parse_target(url, error);
  backend::Store store(*target);
  std::string n = store.query(
      "SELECT count() FROM " + target->database + "." + table + " FORMAT TabSeparated", error);
  EXPECT_EQ(error, "");
  return std::strtoull(n.c_str(), nullptr, 10);
}

TEST(ClickHouseLoad, ReloadingTheSameFilesAddsNothing) {
  REQUIRE_STORES();
  for (const auto& url : {servers.single_url, servers.sharded_url}) {
    uint64_t before = table_rows(url, "events");
    ASSERT_GT(before, 100u);
    backend::LoadOptions o;
    o.evidence = evidence();
    o.to = url;
    o.quiet = true;
    std::ostringstream out, err;
    EXPECT_EQ(app::load(o, out, err), 0) << err.str();
    EXPECT_NE(out.str().find("loaded 0 events"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("already loaded, skipped"), std::string::npos) << out.str();
    EXPECT_EQ(table_rows(url, "events"), before);
  }
  // Both shards hold part of the rows.
  std::string error;
  auto t = backend::parse_target(servers.sharded_url, error);
  backend::Store store(*t);
  for (size_t s = 0; s < 2; ++s) {
    std::string n = store.query("SELECT count() FROM eksir.events_local", error, s);
    EXPECT_GT(std::strtoull(n.c_str(), nullptr, 10), 50u) << "shard " << s;
  }
}

TEST(ClickHouseLoad, UnreachableServerIsAClearError) {
  auto port = test::free_ports(1)[0];
  backend::LoadOptions o;
  o.evidence = {test::samples_dir() + "/falco"};
  o.to = "clickhouse://127.0.0.1:" + std::to_string(port) + "/eksir";
  std::ostringstream out, err;
  EXPECT_EQ(app::load(o, out, err), 2);
  EXPECT_NE(err.str().find("cannot connect to 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << err.str();
  hunt::HuntOptions h;
  h.query = "*";
  std::ostringstream hout, herr;
  EXPECT_EQ(app::hunt({h, "", o.to, {}, {}}, hout, herr), 2);
  EXPECT_NE(herr.str().find("cannot connect"), std::string::npos) << herr.str();
}

TEST(ClickHouseLoad, RejectedBatchAndForeignTableAreClearErrors) {
  REQUIRE_STORES();
  std::string error;
  auto t = backend::parse_target(servers.single_url, error);
  backend::Store store(*t);
  std::string e = store.insert("eksir.events", "not\ta\trow\n");
  EXPECT_NE(e.find("rejected the batch"), std::string::npos) << e;

  ASSERT_EQ(store.exec("CREATE DATABASE IF NOT EXISTS foreign_db"), "");
  ASSERT_EQ(store.exec("CREATE TABLE IF NOT EXISTS foreign_db.events (x String) ENGINE = Memory"),
            "");
  backend::LoadOptions o;
  o.evidence = {test::samples_dir() + "/falco"};
  o.to = "clickhouse://127.0.0.1:" + std::to_string(t->shards[0].port) + "/foreign_db";
  std::ostringstream out, err;
  EXPECT_EQ(app::load(o, out, err), 2);
  EXPECT_NE(err.str().find("exists with another layout"), std::string::npos) << err.str();
}

TEST(ClickHouseHunt, SaysWhichPartRanWhere) {
  REQUIRE_STORES();
  hunt::HuntOptions o;
  o.query = "verb:create and requestObject.spec.hostNetwork:true";
  o.count_only = true;
  std::ostringstream out, err;
  EXPECT_EQ(app::hunt({o, "", servers.single_url, {}, {}}, out, err), 0);
  EXPECT_NE(err.str().find("on the server, exactly: (match verb create)"), std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find("locally, on the rows the server returns:"), std::string::npos);
}

}  // namespace
}  // namespace eksir

namespace eksir {
namespace {

TEST(ClickHouseLoad, AStoppedLoadResumesWithoutDuplicates) {
  const auto& servers = test::ClickHouseServers::get();
  ASSERT_TRUE(servers.error.empty()) << servers.error;
  std::string error;
  auto t = backend::parse_target(servers.single_url, error);
  std::string url = "clickhouse://127.0.0.1:" + std::to_string(t->shards[0].port) + "/resume";
  backend::LoadOptions o;
  o.evidence = {test::samples_dir() + "/k8s-audit"};
  o.to = url;
  o.quiet = true;
  std::ostringstream out, err;
  ASSERT_EQ(app::load(o, out, err), 0) << err.str();
  uint64_t rows = table_rows(url, "events");
  ASSERT_GT(rows, 10u);
  // The rows are in but no file is recorded: what a load stopped before its records leaves.
  backend::Store store(*backend::parse_target(url, error));
  ASSERT_EQ(store.exec("DROP TABLE resume.files"), "");
  ASSERT_EQ(app::load(o, out, err), 0) << err.str();
  EXPECT_EQ(table_rows(url, "events"), rows);
  ASSERT_EQ(app::load(o, out, err), 0) << err.str();
  EXPECT_EQ(table_rows(url, "events"), rows);
}

}  // namespace
}  // namespace eksir
