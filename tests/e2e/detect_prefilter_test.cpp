// End to end: `eksir detect` writes the same findings and exits the same with its literal
// prefilter (lines holding none of the rules' words are not parsed) as with --no-prefilter: rule
// file by rule file of the built-in pack and the public Sigma and Elastic sets, over the shared
// samples, the test data and the bundled examples; alerts count whatever their words; the summary
// says what was not parsed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_paths.h"

namespace eksir {
namespace {

namespace fs = std::filesystem;
using test::run_eksir;

const char kNotParsed[] = "without the rules' words were not parsed";

std::vector<std::string> evidence() {
  return {test::samples_dir(), test::source_dir() + "/tests/data",
          test::source_dir() + "/examples"};
}

std::vector<std::string> rule_files(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Compared {
  int runs = 0, passed_over = 0;
};

// Each rule file alone (a responder trying one rule over weeks of logs), with and without.
void compare_each(const std::vector<std::string>& files, const std::string& format, Compared& c) {
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    std::vector<std::string> args{"detect", "--no-builtin", "--rules", file, "--format", format};
    for (const auto& e : evidence()) args.push_back(e);
    auto with = run_eksir(args);
    args.push_back("--no-prefilter");
    auto without = run_eksir(args);
    EXPECT_EQ(with.exit_code, without.exit_code) << with.err;
    EXPECT_EQ(with.out, without.out);
    EXPECT_EQ(without.err.find("were not parsed"), std::string::npos);
    ++c.runs;
    if (with.err.find(kNotParsed) != std::string::npos) ++c.passed_over;
  }
}

TEST(DetectPrefilterE2E, SameFindingsRuleFileByRuleFile) {
  Compared c;
  compare_each(rule_files(test::source_dir() + "/rules/builtin", ".yml"), "ndjson", c);
  compare_each(rule_files(test::shared_dir() + "/rules/sigma", ".yml"), "ndjson", c);
  // The table, SARIF and the other documents are written from the same findings: a few rules
  // through each.
  std::vector<std::string> few = rule_files(test::source_dir() + "/rules/builtin", ".yml");
  few.resize(std::min<size_t>(few.size(), 12));
  for (const char* format : {"table", "sarif", "ecs", "ocsf"}) compare_each(few, format, c);
  std::printf("%d of %d runs passed lines over\n", c.passed_over, c.runs);
  EXPECT_GT(c.runs, 150);
  // Most rules name a word every event they match holds: their runs passed lines over.
  EXPECT_GT(c.passed_over, c.runs / 2) << c.passed_over << " of " << c.runs;
}

TEST(DetectPrefilterE2E, SameFindingsElasticRules) {
  Compared c;
  std::vector<std::string> all = rule_files(test::shared_dir() + "/rules/elastic", ".toml");
  // Every third file: the set is large, and its rules are alike in form.
  std::vector<std::string> some;
  for (size_t i = 0; i < all.size(); i += 3) some.push_back(all[i]);
  compare_each(some, "ndjson", c);
  std::printf("%d of %d runs passed lines over\n", c.passed_over, c.runs);
  EXPECT_GT(c.runs, 50);
  EXPECT_GT(c.passed_over, 10) << c.passed_over << " of " << c.runs;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string audit_line(int i, const std::string& verb, const std::string& name) {
  return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-)" +
         std::to_string(i) +
         R"(","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/configmaps/)" +
         name + R"(","verb":")" + verb +
         R"(","user":{"username":"alice"},"sourceIPs":["198.51.100.23"],"objectRef":{"resource":"configmaps","namespace":"kube-system","name":")" +
         name +
         R"("},"requestReceivedTimestamp":"2026-03-14T09:00:00Z","stageTimestamp":"2026-03-14T09:00:00Z"})"
         "\n";
}

// Alerts (Falco, GuardDuty, OCSF) are findings whatever their words: their lines and files are
// parsed. A rule's word spelled with a \u escape is still found.
TEST(DetectPrefilterE2E, AlertsAndEscapedWordsAreStillRead) {
  const std::string dir = test::temp_dir();
  std::string audit;
  // Past a chunk (8 MiB), so that the file is read line by line, not as one document.
  for (int i = 0; i < 30000; ++i) audit += audit_line(i, "get", "kube-proxy-config");
  audit += audit_line(30000, "update", "aws-auth");
  audit += audit_line(30001, "patch", "aws\\u002dauth");  // the same name, escaped
  audit += read(test::samples_dir() + "/falco/falco-website__alerts.jsonl");
  std::ofstream(dir + "/audit.jsonl") << audit;
  for (const char* f : {"/guardduty/cdk-eks-blueprints-patterns__cli-get-findings__"
                        "PrivilegeEscalation-Kubernetes-PrivilegedContainer.json",
                        "/ocsf/ocsf-examples__v1.1.0__securityhub-guardduty__detection_finding"
                        ".ocsf.json"})
    fs::copy_file(test::samples_dir() + f, dir + "/" + fs::path(f).filename().string());
  const std::string rule =
      test::source_dir() + "/rules/builtin/k8s-rbac/eksir-k8s-aws-auth-modified.yml";
  std::vector<std::string> args{"detect", dir,        "--no-builtin", "--rules",
                                rule,     "--format", "ndjson"};
  auto with = run_eksir(args);
  args.push_back("--no-prefilter");
  auto without = run_eksir(args);
  EXPECT_EQ(with.exit_code, without.exit_code) << with.err;
  EXPECT_EQ(with.out, without.out);
  // Every benign line but the file's first (always read: the file's format).
  EXPECT_NE(with.err.find("29,999 lines " + std::string(kNotParsed)), std::string::npos)
      << with.err;
  // Both aws-auth writes (one finding of two events), the Falco alerts, the GuardDuty and OCSF
  // findings.
  const size_t at = with.out.find(R"("rule":{"id":"eksir-k8s-aws-auth-modified")");
  ASSERT_NE(at, std::string::npos) << with.out;
  const std::string line = with.out.substr(at, with.out.find('\n', at) - at);
  EXPECT_NE(line.find("\"count\":2,"), std::string::npos) << line;
  EXPECT_NE(with.out.find("falco"), std::string::npos);
  EXPECT_NE(with.out.find("PrivilegeEscalation:Kubernetes/PrivilegedContainer"), std::string::npos);
}

// A first_seen rule's history starts at the evidence's first event, whatever it says; the JSON
// summary counts every event: every record is parsed.
TEST(DetectPrefilterE2E, FirstSeenRulesAndTheJsonSummaryParseEveryRecord) {
  auto builtin = run_eksir({"detect", test::samples_dir(), "--format", "ndjson"});
  EXPECT_EQ(builtin.err.find("were not parsed"), std::string::npos) << builtin.err;
  const std::string rule =
      test::source_dir() + "/rules/builtin/k8s-rbac/eksir-k8s-aws-auth-modified.yml";
  auto json = run_eksir(
      {"detect", test::samples_dir(), "--no-builtin", "--rules", rule, "--format", "json"});
  EXPECT_EQ(json.err.find("were not parsed"), std::string::npos) << json.err;
  auto table = run_eksir({"detect", test::samples_dir(), "--no-builtin", "--rules", rule});
  EXPECT_NE(table.err.find(kNotParsed), std::string::npos) << table.err;
}

}  // namespace
}  // namespace eksir
