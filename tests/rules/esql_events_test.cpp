// Loaded ES|QL rules of the shared Elastic set on CloudTrail and Kubernetes audit events: a
// filter-only rule (a field compared with another, null when either is missing) and a STATS
// rule (COUNT_DISTINCT by four keys: the threshold reached or not, groups kept apart).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "detect/detect.h"
#include "rules/elastic.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

Rule load(const std::string& rel) {
  ElasticLoad el = load_elastic_paths({test::shared_dir() + "/rules/elastic/" + rel});
  EXPECT_TRUE(el.result.ok()) << (el.result.errors.empty() ? "" : el.result.errors[0].text());
  EXPECT_EQ(el.result.rules.size(), 1u) << (el.skipped.empty() ? "" : el.skipped[0].reason);
  return el.result.rules.empty() ? Rule{} : el.result.rules[0];
}

std::vector<detect::Finding> run(const Rule& r, const std::vector<std::string>& events) {
  detect::EngineOptions eo;
  eo.workers = 1;
  detect::Engine engine({r}, eo);
  for (const auto& e : events) {
    std::string err = classify_json(e, [&](const EventView& ev) { engine.on_event(ev, 0); });
    EXPECT_EQ(err, "") << e;
  }
  return engine.finish();
}

// CreateAccessKey as CloudTrail records it (the shape of Stratus Red Team's iam-backdoor-user).
std::string create_key(const std::string& caller, const std::string& params,
                       const std::string& extra = "") {
  return fmt::format(
      R"({{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDAKYRO1QIPZ5M62HCS",)"
      R"("arn":"arn:aws:iam::946986569305:user/{0}","accountId":"946986569305","accessKeyId":"AKIA30BEZSJBVKOFKZW0",)"
      R"("userName":"{0}"}},"eventTime":"2024-07-30T21:53:13Z","eventSource":"iam.amazonaws.com",)"
      R"("eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",)"
      R"("userAgent":"aws-cli/2.15.0","requestParameters":{1},"responseElements":null,)"
      R"("requestID":"1af58177","eventID":"c64c4ded-{2}","readOnly":false,"eventType":"AwsApiCall",)"
      R"("managementEvent":true,"recipientAccountId":"946986569305"{3}}})",
      caller, params, params.size(), extra);
}

TEST(EsqlEvents, AccessKeyForAnotherUserIsAFilterWithNullSemantics) {
  Rule r = load("aws/persistence_iam_user_created_access_keys_for_another_user.toml");
  ASSERT_EQ(r.correlation.type, CorrelationType::None);
  auto f = run(r, {create_key("christophe", R"({"userName":"backdoor"})")});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule_id, r.id);
  // Not for oneself; not when the request names no user (user.target.name is null, so `!=`
  // is null, not true); not when the call failed.
  EXPECT_TRUE(run(r, {create_key("christophe", R"({"userName":"christophe"})")}).empty());
  EXPECT_TRUE(run(r, {create_key("christophe", "null")}).empty());
  EXPECT_TRUE(run(r, {create_key("christophe", R"({"userName":"backdoor"})",
                                 R"(,"errorCode":"AccessDenied")")})
                  .empty());
}

// A `get` of a secret as the API server's audit log records it.
std::string get_secret(int second, const std::string& user, const std::string& ip,
                       const std::string& name) {
  return fmt::format(
      R"({{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-{0}-{1}-{3}",)"
      R"("stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/secrets/{3}","verb":"get",)"
      R"("user":{{"username":"{1}","groups":["system:authenticated"]}},"sourceIPs":["{2}"],)"
      R"("userAgent":"kubectl/v1.29.0","objectRef":{{"resource":"secrets","namespace":"prod","name":"{3}",)"
      R"("apiVersion":"v1"}},"responseStatus":{{"code":200}},)"
      R"("requestReceivedTimestamp":"2026-03-14T09:00:{0:02}.000000Z","stageTimestamp":"2026-03-14T09:00:{0:02}.100000Z",)"
      R"("annotations":{{"authorization.k8s.io/decision":"allow"}}}})",
      second, user, ip, name);
}

TEST(EsqlEvents, SecretBurstCountsDistinctNamesPerGroup) {
  Rule r = load("kubernetes/credential_access_kubernetes_multiple_secret_retrieval_burst.toml");
  ASSERT_EQ(r.correlation.type, CorrelationType::DistinctCount);
  EXPECT_EQ(r.correlation.threshold, 3u);
  EXPECT_EQ(r.correlation.field, "kubernetes.audit.objectRef.name");
  const std::string ip = "203.0.113.45";
  // Three names by one user from one address: fires once.
  auto f = run(r, {get_secret(1, "mallory", ip, "db"), get_secret(2, "mallory", ip, "api"),
                   get_secret(3, "mallory", ip, "db"), get_secret(4, "mallory", ip, "tls")});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule_id, r.id);
  // Two names only: below the threshold.
  EXPECT_TRUE(run(r, {get_secret(1, "mallory", ip, "db"), get_secret(2, "mallory", ip, "api"),
                      get_secret(3, "mallory", ip, "db")})
                  .empty());
  // Three names, but over two users (two groups).
  EXPECT_TRUE(run(r, {get_secret(1, "mallory", ip, "db"), get_secret(2, "mallory", ip, "api"),
                      get_secret(3, "bob", ip, "tls")})
                  .empty());
  // From the node itself: excluded by the filter.
  EXPECT_TRUE(run(r, {get_secret(1, "mallory", "127.0.0.1", "db"),
                      get_secret(2, "mallory", "127.0.0.1", "api"),
                      get_secret(3, "mallory", "127.0.0.1", "tls")})
                  .empty());
}

}  // namespace
}  // namespace eksir::rules
