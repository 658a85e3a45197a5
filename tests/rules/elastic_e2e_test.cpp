// End to end: Elastic TOML rules loaded through `eksir detect --rules <folder|file>` over real
// samples (Stratus Red Team CloudTrail, Falco's Kubernetes audit traces) and synthetic events;
// findings keep origin "elastic" and the rule author (ELv2 attribution).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "test_paths.h"

namespace eksir {
namespace {

using test::run_eksir;

std::string elastic_dir() {
  return test::shared_dir() + "/rules/elastic";
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// The rule ids of the findings in `eksir detect --format json` output (with origin and author).
std::multiset<std::string> fired(const std::string& json) {
  std::multiset<std::string> ids;
  const std::string key = "\"rule\":{\"id\":\"";
  for (size_t p = json.find(key); p != std::string::npos; p = json.find(key, p + 1)) {
    size_t start = p + key.size();
    ids.insert(json.substr(start, json.find('"', start) - start));
  }
  return ids;
}

TEST(ElasticE2E, CloudTrailStopAndDeleteRulesFireOnStratusDetonations) {
  std::string s = test::samples_dir() + "/cloudtrail/stratus-red-team-detonation-logs/";
  auto r = run_eksir({"detect", s + "aws.defense-evasion.cloudtrail-stop.json",
                      s + "aws.defense-evasion.cloudtrail-delete.json", "--rules", elastic_dir(),
                      "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fired(r.out), (std::multiset<std::string>{
                              "1aa8fa52-44a7-4dae-b058-f3333b91c8d7",    // CloudTrail Log Suspended
                              "7024e2a0-315d-4334-bb1a-441c593e16ab"}))  // CloudTrail Log Deleted
      << r.out;
  EXPECT_NE(r.out.find("\"title\":\"AWS CloudTrail Log Suspended\",\"origin\":\"elastic\","
                       "\"author\":\"Elastic\""),
            std::string::npos)
      << r.out;
  // Skipped rule types are said, never dropped silently.
  EXPECT_NE(r.err.find("33 Elastic rules skipped, not run (4 eql, 24 esql, 5 machine_learning"),
            std::string::npos)
      << r.err;
}

TEST(ElasticE2E, EksControlPlaneLoggingDisabledFiresFromOneTomlFile) {
  std::string dir = test::temp_dir();
  std::string ev = write_file(
      dir, "eks.json",
      R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333"},"eventTime":"2026-03-14T09:00:00Z","eventSource":"eks.amazonaws.com","eventName":"UpdateClusterConfig","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.5","userAgent":"aws-cli/2.15","requestParameters":{"name":"prod","logging":{"clusterLogging":[{"types":["api","audit"],"enabled":false}]}},"responseElements":null,"eventID":"6b1f0c2e-0000-4000-8000-000000000001","eventType":"AwsApiCall","recipientAccountId":"111122223333"})"
      "\n");
  auto r =
      run_eksir({"detect", ev, "--rules",
                 elastic_dir() + "/aws/defense_evasion_eks_control_plane_logging_disabled.toml",
                 "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fired(r.out), std::multiset<std::string>{"0f189343-dac7-4c1b-aca7-be8baa6bd02b"})
      << r.out;
  EXPECT_NE(r.out.find("\"origin\":\"elastic\",\"author\":\"Elastic\""), std::string::npos);
  EXPECT_NE(r.out.find("\"severity\":\"high\""), std::string::npos);
}

TEST(ElasticE2E, KubernetesAuditRulesOnFalcoTraces) {
  std::string t = test::samples_dir() + "/k8s-audit/falco-trace-files/";
  auto r = run_eksir({"detect", t + "create_nginx_pod_privileged.json",
                      t + "create_nginx_pod_hostnetwork.json", t + "attach_cluster_admin_role.json",
                      t + "create_nginx_pod_unprivileged.json", "--rules",
                      elastic_dir() + "/kubernetes", "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fired(r.out),
            (std::multiset<std::string>{
                "c7908cac-337a-4f38-b50d-5eeb78bdb531",    // Privileged Pod Created
                "12cbf709-69e8-4055-94f9-24314385c27e",    // Pod Created With HostNetwork
                "a2951930-dd35-438c-b10e-1bbdc5881cb4"}))  // Cluster-Admin Role Binding Created
      << r.out;
}

const char* kNewTermsRule = R"([metadata]
creation_date = "2026/03/01"
maturity = "production"

[rule]
author = ["Test Author"]
description = "First ListBuckets by an identity."
index = ["logs-aws.cloudtrail-*"]
language = "kuery"
license = "Elastic License v2"
name = "Test New Identity Lists Buckets"
risk_score = 21
rule_id = "00000000-0000-4000-8000-00000000e1e1"
severity = "low"
type = "new_terms"
query = '''
event.provider: "s3.amazonaws.com" and event.action: "ListBuckets"
'''

[rule.new_terms]
field = "new_terms_fields"
value = ["aws.cloudtrail.user_identity.arn"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-7d"
)";

std::string list_buckets(const std::string& user, const std::string& time, int n) {
  return "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:"
         "iam::111122223333:user/" +
         user + "\",\"accountId\":\"111122223333\"},\"eventTime\":\"" + time +
         "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"ListBuckets\",\"awsRegion\":"
         "\"us-east-1\",\"sourceIPAddress\":\"203.0.113.5\",\"userAgent\":\"aws-cli/2\","
         "\"requestParameters\":null,\"responseElements\":null,\"eventID\":\"id-" +
         std::to_string(n) +
         "\",\"eventType\":\"AwsApiCall\",\"recipientAccountId\":\"111122223333\"}\n";
}

TEST(ElasticE2E, NewTermsFiresOnlyWhenTheEvidenceCoversTheHistoryWindow) {
  std::string dir = test::temp_dir();
  std::string rule = write_file(dir, "new_terms.toml", kNewTermsRule);
  // Covered: alice from 1 March, bob first on 9 March (8 days of history before him ≥ 7d).
  std::string covered = write_file(dir, "covered.json",
                                   list_buckets("alice", "2026-03-01T10:00:00Z", 1) +
                                       list_buckets("alice", "2026-03-09T10:00:00Z", 2) +
                                       list_buckets("bob", "2026-03-09T11:00:00Z", 3));
  auto r = run_eksir({"detect", covered, "--rules", rule, "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fired(r.out), std::multiset<std::string>{"00000000-0000-4000-8000-00000000e1e1"})
      << r.out;
  EXPECT_NE(r.out.find("user/bob"), std::string::npos) << r.out;
  // alice, seen at the start, is not called new: no finding names her; the summary says she was
  // withheld for want of history.
  ASSERT_NE(r.out.find("\"withheld\""), std::string::npos) << r.out;
  EXPECT_GT(r.out.find("user/alice"), r.out.find("\"withheld\"")) << r.out;
  // The finding states the history the evidence covers against the window required.
  EXPECT_NE(r.out.find("the evidence covers 8d"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("history required 7d"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"author\":\"Test Author\""), std::string::npos) << r.out;

  // Not covered: bob first seen 2 days in; the engine's first_seen withholds the finding (it
  // cannot call a value new without the history window), so no finding at all.
  std::string short_ev = write_file(dir, "short.json",
                                    list_buckets("alice", "2026-03-01T10:00:00Z", 1) +
                                        list_buckets("bob", "2026-03-03T10:00:00Z", 2));
  r = run_eksir({"detect", short_ev, "--rules", rule, "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fired(r.out).empty()) << r.out;
  EXPECT_NE(r.err.find("1 Elastic new_terms rule run as first_seen: a value is reported as new "
                       "only when the evidence covers the rule's history window (7d) before it; "
                       "values first seen earlier are withheld, not reported"),
            std::string::npos)
      << r.err;
  // ...and says, for the rule, what it withheld.
  EXPECT_NE(r.err.find("withheld: Test New Identity Lists Buckets (00000000-0000-4000-8000-"
                       "00000000e1e1): 2 values first seen within 7d of the evidence start "
                       "(2026-03-01T10:00:00.000Z)"),
            std::string::npos)
      << r.err;
}

std::string root_login_failures(int n) {
  std::string out;
  for (int i = 10; i < 10 + n; ++i)
    out +=
        "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"Root\",\"principalId\":"
        "\"111122223333\",\"arn\":\"arn:aws:iam::111122223333:root\",\"accountId\":"
        "\"111122223333\"},\"eventTime\":\"2026-03-14T09:00:" +
        std::to_string(i) +
        "Z\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\","
        "\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\",\"userAgent\":"
        "\"Mozilla/5.0\",\"errorMessage\":\"Failed authentication\",\"requestParameters\":"
        "null,\"responseElements\":{\"ConsoleLogin\":\"Failure\"},\"eventID\":\"ev-" +
        std::to_string(i) +
        "\",\"eventType\":\"AwsConsoleSignIn\",\"recipientAccountId\":\"111122223333\"}\n";
  return out;
}

// threshold (field cloud.account.id, value 10, from now-6m) → count >= 10 within 6m.
TEST(ElasticE2E, ThresholdRuleCountsWithinTheLookBack) {
  std::string dir = test::temp_dir();
  std::string rule = elastic_dir() + "/aws/credential_access_root_console_failure_brute_force.toml";
  std::string ten = write_file(dir, "ten.json", root_login_failures(10));
  auto r = run_eksir({"detect", ten, "--rules", rule, "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fired(r.out), std::multiset<std::string>{"4d50a94f-2844-43fa-8395-6afbd5e1c5ef"})
      << r.out;
  EXPECT_NE(r.out.find("10 matching events for cloud.account.id=111122223333 within 6m"),
            std::string::npos)
      << r.out;
  std::string nine = write_file(dir, "nine.json", root_login_failures(9));
  r = run_eksir({"detect", nine, "--rules", rule, "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fired(r.out).empty()) << r.out;
}

TEST(ElasticE2E, ValidateCountsPerFormatAndFailsWhenRulesAreSkipped) {
  auto r = run_eksir({"rules", "validate", elastic_dir()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("elastic: 253 files: 220 loaded (33 eql, 13 esql, 57 new_terms, 112 "
                       "query, 5 threshold), 33 skipped (4 eql, 24 esql, 5 machine_learning), 0 "
                       "errors"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("eql: 33 loaded, 4 skipped (4 need endpoint events eksir does not read, 0 "
                       "use a construct eksir does not run)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("count as not loaded (exit 1)"), std::string::npos) << r.out;

  auto one = run_eksir({"rules", "validate",
                        elastic_dir() + "/aws/defense_evasion_cloudtrail_logging_suspended.toml"});
  EXPECT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_NE(one.out.find("elastic: 1 files: 1 loaded (1 query), 0 skipped (none), 0 errors"),
            std::string::npos)
      << one.out;

  // The built-in pack output is unchanged (no Elastic lines).
  auto builtin = run_eksir({"rules", "validate"});
  EXPECT_EQ(builtin.exit_code, 0) << builtin.out << builtin.err;
  EXPECT_EQ(builtin.out.find("elastic:"), std::string::npos) << builtin.out;
}

}  // namespace
}  // namespace eksir
