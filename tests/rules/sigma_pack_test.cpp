// The SigmaHQ rules under shared/rules/sigma: every kubernetes/audit and cloudtrail rule loads;
// the legacy-aggregation ones load as correlations or are reported; run over the samples.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "rules/rules.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

std::string sigma_dir(const std::string& sub) {
  return test::shared_dir() + "/rules/sigma/" + sub;
}

size_t yml_files(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yml") ++n;
  return n;
}

TEST(SigmaPack, KubernetesAndCloudTrailRulesAllLoad) {
  ASSERT_EQ(yml_files(sigma_dir("kubernetes")), 16u);
  ASSERT_EQ(yml_files(sigma_dir("cloudtrail")), 57u);
  struct Folder {
    const char* name;
    size_t rules;
    Source source;
  };
  for (const Folder& f :
       {Folder{"kubernetes", 16, Source::K8sAudit}, Folder{"cloudtrail", 57, Source::CloudTrail}}) {
    SCOPED_TRACE(f.name);
    LoadResult res = load_paths({sigma_dir(f.name)});
    EXPECT_TRUE(res.errors.empty()) << res.errors[0].text();
    for (const auto& w : res.warnings) ADD_FAILURE() << w.text();
    EXPECT_EQ(res.files, f.rules);
    ASSERT_EQ(res.rules.size(), f.rules);
    for (const Rule& r : res.rules) {
      EXPECT_EQ(r.origin, "sigma") << r.id;
      EXPECT_FALSE(r.author.empty()) << r.id;
      EXPECT_FALSE(r.title.empty()) << r.id;
      EXPECT_EQ(r.sources, std::vector<Source>{f.source}) << r.id;
      EXPECT_EQ(r.correlation.type, CorrelationType::None) << r.id;
      EXPECT_NE(r.match.kind, query::NodeKind::All) << r.id;
    }
  }
}

TEST(SigmaPack, LegacyAggregationsLoadAsCorrelationsOrAreReported) {
  ASSERT_EQ(yml_files(sigma_dir("cloudtrail-unsupported")), 8u);
  LoadResult res = load_paths({sigma_dir("cloudtrail-unsupported")});
  EXPECT_TRUE(res.ok());
  std::map<std::string, std::pair<CorrelationType, uint64_t>> loaded;
  for (const Rule& r : res.rules)
    loaded[std::filesystem::path(r.file).filename().string()] = {r.correlation.type,
                                                                 r.correlation.threshold};
  const std::map<std::string, std::pair<CorrelationType, uint64_t>> expected = {
      {"aws_ec2_download_userdata.yml", {CorrelationType::Count, 11}},  // count() > 10
      {"aws_enum_backup.yml", {CorrelationType::Count, 6}},
      {"aws_enum_listing.yml", {CorrelationType::Count, 51}},
      {"aws_enum_network.yml", {CorrelationType::Count, 6}},
      {"aws_enum_storage.yml", {CorrelationType::Count, 6}},
      {"aws_macic_evasion.yml", {CorrelationType::Count, 6}},
  };
  EXPECT_EQ(loaded, expected);
  std::map<std::string, std::string> reported;
  for (const auto& w : res.warnings)
    reported[std::filesystem::path(w.file).filename().string()] = w.message;
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_NE(reported["aws_lambda_function_created_or_invoked.yml"].find("'near' aggregation"),
            std::string::npos);
  EXPECT_NE(reported["aws_ses_messaging_enabled.yml"].find("'timeframe' without an aggregation"),
            std::string::npos);

  // The placeholder rule needs an |expand config: reported, not dropped.
  res = load_paths({sigma_dir("cloudtrail-placeholder")});
  EXPECT_TRUE(res.ok());
  EXPECT_TRUE(res.rules.empty());
  ASSERT_EQ(res.warnings.size(), 1u);
  EXPECT_NE(res.warnings[0].message.find("modifier '|expand'"), std::string::npos);
  EXPECT_EQ(res.warnings[0].rule_id, "313e72de-0c0d-4d65-8c95-87f4d546eceb");
}

// `rules validate` counts Sigma rules read but not loaded, as it does Falco's and Elastic's, and
// exits 1 when any is.
TEST(SigmaPack, ValidateCountsSkippedRules) {
  auto bad = test::run_eksir({"rules", "validate", sigma_dir("cloudtrail-unsupported")});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("sigma: 6 loaded, 2 skipped (1 unsupported 'timeframe' without an "
                         "aggregation (a multi-event correlation); 1 unsupported the 'near' "
                         "aggregation), 0 disabled"),
            std::string::npos)
      << bad.out;
  EXPECT_NE(bad.out.find("skipped: "), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("aws_lambda_function_created_or_invoked.yml"), std::string::npos)
      << bad.out;
  auto good = test::run_eksir({"rules", "validate", sigma_dir("kubernetes")});
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("sigma: 16 loaded, 0 skipped, 0 disabled"), std::string::npos)
      << good.out;
}

// Rule id → title for the findings of `eksir detect`; checks origin and author on each.
std::map<std::string, std::string> fired(const std::string& samples, const std::string& rules) {
  auto r = test::run_eksir(
      {"detect", samples, "--rules", rules, "--no-builtin", "--format", "json", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::string> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r.out).get(doc)) {
    ADD_FAILURE() << r.out.substr(0, 500);
    return out;
  }
  for (simdjson::dom::element f : doc["findings"].get_array()) {
    simdjson::dom::element rule = f["rule"];
    EXPECT_EQ(std::string(rule["origin"].get_string().value()), "sigma");
    std::string_view author;
    EXPECT_FALSE(rule["author"].get(author)) << simdjson::minify(rule);
    EXPECT_FALSE(author.empty());
    out[std::string(rule["id"].get_string().value())] =
        std::string(rule["title"].get_string().value());
  }
  return out;
}

TEST(SigmaPack, CloudTrailRulesOverStratusDetonations) {
  auto got = fired(test::samples_dir() + "/cloudtrail/stratus-red-team-detonation-logs",
                   sigma_dir("cloudtrail"));
  const std::set<std::string> expected = {
      "4db60cc0-36fb-42b7-9b58-a5b53019fb74",  // AWS CloudTrail Important Change (Stop/Delete)
      "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2",  // AWS IAM Backdoor Users Keys
      "97fbabf8-8e1b-47a2-b7d5-a418d2b95e3d",  // AWS New Lambda Layer Attached
      "905d389b-b853-46d0-9d3d-dea0d3a3cd49",  // AWS STS AssumeRole Misuse
      "abae8fec-57bd-4f87-aff6-6e3db989843d",  // AWS Snapshot Backup Exfiltration
      "77caf516-34e5-4df9-b4db-20744fea0a60",  // AWS Successful Console Login Without MFA
      "055fb148-60f8-462d-ad16-26926ce050f1",  // AWS User Login Profile Was Modified (|fieldref)
      "e386b9b5-af12-450e-afff-761730fb8a98",  // AWS VPC Flow Logs Deleted
      "6fb77778-040f-4015-9440-572aa9b6b580",  // Ingress/Egress Security Group Modification
      "38e7f511-3f74-41d4-836e-f57dfa18eead",  // Potential Malicious Usage of CloudTrail SSM
  };
  std::set<std::string> ids;
  for (const auto& [id, title] : got) ids.insert(id);
  EXPECT_EQ(ids, expected);
}

TEST(SigmaPack, KubernetesRulesOverFalcoTraces) {
  auto got = fired(test::samples_dir() + "/k8s-audit/falco-trace-files", sigma_dir("kubernetes"));
  const std::set<std::string> expected = {
      "a80d927d-ac6e-443f-a867-e8d6e3897318",  // Creation Of Pod In System Namespace
      "40967487-139b-4811-81d9-c9767a92aa5a",  // Deployment Deleted From Kubernetes Cluster
      "10b97915-ec8d-455f-a815-9a78926585f6",  // Kubernetes Rolebinding Modification
      "58d31a75-a4f8-4c40-985b-373d58162ca2",  // Kubernetes Secrets Modified or Deleted
      "e31bae15-83ed-473e-bf31-faf4f8a17d36",  // New Kubernetes Service Account Created
      "a1b0ca4e-7835-413e-8471-3ff2b8a66be6",  // Potential Remote Command Execution In Pod (exec)
      "402b955c-8fe0-4a8c-b635-622b4ac5f902",  // Container With A hostPath Mount (hostPath: '*')
  };
  std::set<std::string> ids;
  for (const auto& [id, title] : got) ids.insert(id);
  EXPECT_EQ(ids, expected);
}

TEST(SigmaPack, LegacyCountRulesOverStratusDetonations) {
  auto got = fired(test::samples_dir() + "/cloudtrail/stratus-red-team-detonation-logs",
                   sigma_dir("cloudtrail-unsupported"));
  const std::set<std::string> expected = {
      "26ff4080-194e-47e7-9889-ef7602efed0c",  // AWS EC2 Download Userdata: 11 calls > 10
      "76255e09-755e-4675-8b6b-dbce9842cd2a",  // Potential Backup Enumeration on AWS
  };
  std::set<std::string> ids;
  for (const auto& [id, title] : got) ids.insert(id);
  EXPECT_EQ(ids, expected);
}

// Engine routing keys on exact values: a case-insensitive Sigma value must not be routed as one.
TEST(SigmaPack, CaseInsensitiveValuesAreNotRoutedAsExact) {
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/rule.yml") << "title: Lower-case event name\nid: lower-case\n"
                                      "author: test\nlogsource:\n  product: aws\n"
                                      "  service: cloudtrail\ndetection:\n  sel:\n"
                                      "    eventName: stoplogging\n  condition: sel\n"
                                      "level: high\n";
  std::ofstream(dir + "/ev.json")
      << R"({"eventVersion":"1.08","eventTime":"2026-03-14T09:00:00Z",)"
         R"("eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",)"
         R"("awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4",)"
         R"("userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}})"
      << "\n";
  auto got = fired(dir + "/ev.json", dir + "/rule.yml");
  EXPECT_EQ(got.size(), 1u);
  EXPECT_TRUE(got.count("lower-case"));
}

}  // namespace
}  // namespace eksir::rules
