// End to end: the built `eksir detect` and `eksir rules` on the shared samples and the bundled
// example incident, with the engine test rules (the built-in pack has its own tests).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "test_paths.h"

namespace eksir {
namespace {

using test::run_eksir;

std::string test_rules() {
  return test::source_dir() + "/tests/rules/data";
}
std::string incident() {
  return test::source_dir() + "/examples/incident-2026-03-14";
}

std::vector<std::string> detect_args(const std::string& evidence, const std::string& format) {
  return {"detect", evidence, "--no-builtin", "--rules", test_rules(), "--format", format, "-q"};
}

TEST(DetectE2E, JsonContractOnTheSamples) {
  auto r = run_eksir(detect_args(test::samples_dir(), "json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(r.out).get(doc)) << r.out.substr(0, 500);
  simdjson::dom::array findings = doc["findings"].get_array();
  ASSERT_GT(findings.size(), 10u);
  const std::set<std::string> sev = {"critical", "high", "medium", "low", "info"};
  std::string prev_first;
  for (simdjson::dom::element f : findings) {
    for (const char* key : {"id", "rule", "severity", "title", "description", "first_seen",
                            "last_seen", "count", "attack", "criterion", "subject", "evidence"})
      EXPECT_FALSE(f[key].error()) << key << " missing in " << simdjson::minify(f);
    for (const char* key : {"id", "title", "origin"})
      EXPECT_TRUE(f["rule"][key].is_string()) << key;
    EXPECT_TRUE(sev.count(std::string(f["severity"].get_string().value())));
    EXPECT_GE(f["count"].get_uint64().value(), 1u);
    EXPECT_TRUE(f["attack"].is_array());
    EXPECT_TRUE(f["subject"].is_object());
    std::string first(f["first_seen"].get_string().value());
    EXPECT_LE(prev_first, first) << "findings are ordered by first_seen";
    prev_first = first;
    simdjson::dom::array ev = f["evidence"].get_array();
    ASSERT_GE(ev.size(), 1u);
    for (simdjson::dom::element e : ev)
      for (const char* key : {"source", "file", "line", "event_id"})
        EXPECT_FALSE(e[key].error()) << key;
  }
  simdjson::dom::element summary = doc["summary"];
  EXPECT_EQ(summary["findings"].get_uint64().value(), findings.size());
  EXPECT_GT(summary["events"].get_uint64().value(), 0u);
  EXPECT_EQ(summary["rules"].get_uint64().value(), 3u);
}

TEST(DetectE2E, SarifAndNdjsonCarryTheSameFindingsAsJson) {
  auto json = run_eksir(detect_args(test::samples_dir(), "json"));
  auto sarif = run_eksir(detect_args(test::samples_dir(), "sarif"));
  auto ndjson = run_eksir(detect_args(test::samples_dir(), "ndjson"));
  ASSERT_EQ(sarif.exit_code, 0) << sarif.err;
  simdjson::dom::parser p1, p2;
  simdjson::dom::element j, s;
  ASSERT_FALSE(p1.parse(json.out).get(j));
  ASSERT_FALSE(p2.parse(sarif.out).get(s)) << sarif.out.substr(0, 300);
  EXPECT_EQ(std::string(s["version"].get_string().value()), "2.1.0");
  simdjson::dom::array findings = j["findings"].get_array();
  simdjson::dom::array results = s["runs"].at(0)["results"].get_array();
  ASSERT_EQ(findings.size(), results.size());
  size_t i = 0;
  for (simdjson::dom::element res : results) {
    simdjson::dom::element f = findings.at(i++);
    EXPECT_EQ(res["ruleId"].get_string().value(), f["rule"]["id"].get_string().value());
    std::string severity(f["severity"].get_string().value());
    std::string level(res["level"].get_string().value());
    EXPECT_EQ(level, severity == "critical" || severity == "high" ? "error"
                     : severity == "medium"                       ? "warning"
                                                                  : "note");
    EXPECT_EQ(res["properties"]["severity"].get_string().value(),
              f["severity"].get_string().value());
    EXPECT_TRUE(res["properties"]["security-severity"].is_string());
    EXPECT_EQ(res["locations"].get_array().size(), f["evidence"].get_array().size());
  }
  size_t lines = 0;
  std::istringstream in(ndjson.out);
  for (std::string l; std::getline(in, l);) lines += !l.empty();
  EXPECT_EQ(lines, findings.size());
}

TEST(DetectE2E, FailOnSetsExitCode) {
  auto args = detect_args(test::samples_dir(), "ndjson");
  args.push_back("--fail-on");
  args.push_back("critical");  // a Falco Critical among the samples
  EXPECT_EQ(run_eksir(args).exit_code, 1);
  auto gd = detect_args(test::samples_dir() + "/guardduty", "ndjson");
  gd.push_back("--fail-on");
  gd.push_back("high");  // the sample findings are capped at info; the rest are medium
  auto r = run_eksir(gd);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  gd.back() = "medium";
  EXPECT_EQ(run_eksir(gd).exit_code, 1);
  auto min = detect_args(test::samples_dir(), "ndjson");
  min.insert(min.end(), {"--min-severity", "critical"});
  r = run_eksir(min);
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\"severity\":\"critical\""), std::string::npos);
  for (const char* s : {"\"severity\":\"high\"", "\"severity\":\"medium\"", "\"severity\":\"low\"",
                        "\"severity\":\"info\""})
    EXPECT_EQ(r.out.find(s), std::string::npos) << s;
}

TEST(DetectE2E, ExampleIncidentRulesCarryTheEksIdentity) {
  auto r = run_eksir(detect_args(incident(), "json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(r.out).get(doc));
  bool crb = false, seq = false, guardduty = false;
  for (simdjson::dom::element f : doc["findings"].get_array()) {
    std::string_view rule = f["rule"]["id"].get_string().value();
    if (rule == "test-crb-cluster-admin") {
      crb = true;
      auto s = f["subject"];
      EXPECT_EQ(s["user.username"].get_string().value(), "ci-deployer");
      EXPECT_EQ(s["objectRef.name"].get_string().value(), "backup-sa-admin");
      EXPECT_EQ(s["arn"].get_string().value(), "arn:aws:iam::111122223333:user/ci-deployer");
      EXPECT_EQ(s["access_key_id"].get_string().value(), "AKIARQ4WZT7KHB3D6FXQ");
      EXPECT_EQ(s["source_ip"].get_string().value(), "203.0.113.45");
      EXPECT_EQ(f["count"].get_uint64().value(),
                1u);  // one event, found in two copies of the audit log
      EXPECT_EQ(f["evidence"].get_array().size(), 2u);
      EXPECT_EQ(f["criterion"].get_string().value(), "critical.cluster_admin");
    }
    if (rule == "test-admin-then-privileged-pod") {
      seq = true;
      EXPECT_EQ(f["severity"].get_string().value(), "critical");
      EXPECT_EQ(f["subject"]["user.username"].get_string().value(), "ci-deployer");
      EXPECT_EQ(f["subject"]["arn"].get_string().value(),
                "arn:aws:iam::111122223333:user/ci-deployer");
      EXPECT_EQ(f["subject"]["source_ip"].get_string().value(), "203.0.113.45");
      EXPECT_EQ(f["evidence"].get_array().size(), 2u);
    }
    if (rule == "guardduty") guardduty = true;
  }
  EXPECT_TRUE(crb);
  EXPECT_TRUE(seq);
  EXPECT_TRUE(guardduty);
}

TEST(DetectE2E, TableAndSummary) {
  auto r = run_eksir({"detect", incident(), "--no-builtin", "--rules", test_rules()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("SEVERITY", 0), 0u) << r.out.substr(0, 200);
  // The RULE column holds the rule's title (test-crb-cluster-admin's).
  EXPECT_NE(r.out.find("ClusterRoleBinding grants cluster-admin"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("eksir detect: "), std::string::npos);
  EXPECT_NE(r.err.find(" 3 rules, "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not event evidence"), std::string::npos) << r.err;  // the snapshot folder
}

TEST(DetectE2E, TableNamesSigmaAndElasticRulesByTitle) {
  auto r = run_eksir({"detect", incident(), "--no-builtin", "--rules",
                      test::shared_dir() + "/rules/sigma", "--rules",
                      test::shared_dir() + "/rules/elastic", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);
  size_t rule = line.find("RULE"), subject = line.find("SUBJECT");
  ASSERT_NE(rule, std::string::npos) << line;
  size_t rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    std::string cell = line.substr(rule, subject - rule);
    // A UUID id (8-4-4-4-12 hex) is no longer what the column shows.
    bool uuid = cell.size() >= 36 && cell[8] == '-' && cell[13] == '-' && cell[18] == '-' &&
                cell[23] == '-' && cell.find_first_not_of("0123456789abcdef-") >= 36;
    EXPECT_FALSE(uuid) << line;
  }
  EXPECT_GT(rows, 5u);
  // Elastic's "AWS EKS Access Entry Granted Cluster Admin Policy" (9550ec87-...) by its title;
  // an alert still reads source: title.
  EXPECT_NE(r.out.find("AWS EKS Access Entry Granted Cluster Admin"), std::string::npos) << r.out;
  // Its tactics as Elastic gives them and its techniques, each once, in columns of their own.
  ASSERT_NE(r.out.find("  TACTIC "), std::string::npos) << r.out.substr(0, 300);
  ASSERT_NE(r.out.find("  TECHNIQUE "), std::string::npos) << r.out.substr(0, 300);
  EXPECT_NE(r.out.find("persistence, privilege-escalation  T1098, T1098.006 "), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("T1098, T1098.006, T1098"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("9550ec87-e73c-4baa-ad44-e448a33fbc3d"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("guardduty: "), std::string::npos) << r.out;
  // The JSON keeps the id, and lists each technique once.
  auto j = run_eksir({"detect", incident(), "--no-builtin", "--rules",
                      test::shared_dir() + "/rules/elastic", "--format", "json", "-q"});
  EXPECT_NE(j.out.find("\"id\":\"9550ec87-e73c-4baa-ad44-e448a33fbc3d\""), std::string::npos);
  EXPECT_NE(j.out.find("\"attack\":[\"T1098\",\"T1098.006\"],\"tactics\":[\"persistence\","
                       "\"privilege-escalation\"]"),
            std::string::npos)
      << j.out;
  EXPECT_EQ(j.out.find("\"T1098\",\"T1098.006\",\"T1098\""), std::string::npos);
  auto list = run_eksir({"rules", "list",
                         test::shared_dir() + "/rules/elastic/aws/"
                                              "privilege_escalation_eks_access_entry_granted_"
                                              "cluster_admin_policy.toml"});
  EXPECT_NE(list.out.find(" persistence, privilege-escalation  T1098, T1098.006 "),
            std::string::npos)
      << list.out;
}

size_t occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t p = text.find(part); p != std::string::npos; p = text.find(part, p + 1)) ++n;
  return n;
}

TEST(DetectE2E, RulesFolderSkipsFilesThatAreNotRules) {
  std::string dir = test::temp_dir();
  std::filesystem::copy_file(test_rules() + "/engine_rules.yml", dir + "/engine_rules.yml");
  std::ofstream(dir + "/kustomization.yaml") << "resources: [deploy.yaml]\nnamespace: web\n";
  std::ofstream(dir + "/cases.yaml") << "trace_files: !mux\n  a: {detect: True}\n";
  auto r = run_eksir({"detect", incident(), "--no-builtin", "--rules", dir, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(occurrences(r.err, "eksir detect: warning: " + dir +
                                   "/kustomization.yaml: not a rule file, skipped: no eksir, "
                                   "Sigma or Falco rule structure (top-level keys resources, "
                                   "namespace)\n"),
            1u)
      << r.err;
  EXPECT_EQ(occurrences(r.err, dir + "/cases.yaml: not a rule file, skipped"), 1u) << r.err;
  EXPECT_NE(r.out.find("\"id\":\"test-crb-cluster-admin\""), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("rule error"), std::string::npos) << r.err;

  // A file shaped like a rule that does not load still stops the run.
  std::ofstream(dir + "/broken.yml") << "id: broken\ntitle: t\nseverity: urgent\n"
                                        "condition: 'verb:get'\n";
  auto bad = run_eksir({"detect", incident(), "--no-builtin", "--rules", dir});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(dir + "/broken.yml:3: [broken] bad severity 'urgent'"), std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("rule errors; nothing was run"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty()) << bad.out;
}

// The shared rule folders as they are: Falco's regression matrix (falco_k8s_audit_tests.yaml)
// sits beside its rules and once failed the whole run ("6 rule errors; nothing was run").
TEST(DetectE2E, SharedRuleFoldersRunWithTheirNonRuleFilesSkipped) {
  const std::string matrix = "falco/regression/falco_k8s_audit_tests.yaml";
  const std::string shared = test::shared_dir() + "/rules";
  if (!std::filesystem::exists(shared + "/" + matrix)) GTEST_SKIP() << "no " << matrix;
  for (const std::string& folder : {shared + "/falco", shared}) {
    auto r = run_eksir({"detect", incident(), "--rules", folder, "--format", "json", "-q"});
    ASSERT_EQ(r.exit_code, 0) << folder << ": " << r.err;
    EXPECT_EQ(occurrences(r.err, "not a rule file, skipped"), 1u) << folder << ": " << r.err;
    EXPECT_EQ(occurrences(r.err, matrix + ": not a rule file, skipped: no eksir, Sigma or Falco "
                                          "rule structure (top-level key trace_files)"),
              1u)
        << r.err;
    EXPECT_EQ(r.err.find("rule error"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("\"origin\":\"falco\""), std::string::npos) << folder;
  }
  auto inv = run_eksir({"investigate", incident(), "--rules", shared + "/falco", "-o",
                        test::temp_dir() + "/case", "--format", "json", "-q"});
  EXPECT_EQ(inv.exit_code, 0) << inv.err;
  EXPECT_EQ(occurrences(inv.err, matrix + ": not a rule file, skipped"), 1u) << inv.err;
  auto validate = run_eksir({"rules", "validate", shared + "/falco"});
  EXPECT_NE(validate.out.find("1 file skipped, not rule files"), std::string::npos) << validate.out;
  EXPECT_NE(validate.err.find(matrix + ": not a rule file, skipped"), std::string::npos)
      << validate.err;
  EXPECT_EQ(validate.err.find("error:"), std::string::npos) << validate.err;
}

TEST(DetectE2E, SinceAndUntilBoundTheEvents) {
  auto all = run_eksir(detect_args(incident(), "ndjson"));
  auto args = detect_args(incident(), "ndjson");
  args.insert(args.end(), {"--since", "2026-03-14T08:47:00Z", "--until", "2026-03-14T08:48:00Z"});
  auto window = run_eksir(args);
  ASSERT_EQ(window.exit_code, 0) << window.err;
  EXPECT_LT(window.out.size(), all.out.size());
  EXPECT_NE(window.out.find("test-crb-cluster-admin"), std::string::npos);  // 08:47:20
  EXPECT_EQ(window.out.find("test-admin-then-privileged-pod"),
            std::string::npos);  // its pod is at 08:49
}

TEST(DetectE2E, UsageAndInputErrorsExit2) {
  EXPECT_EQ(run_eksir({"detect", incident(), "--no-builtin", "--format", "xml"}).exit_code, 2);
  EXPECT_EQ(run_eksir({"detect", incident(), "--no-builtin", "--fail-on", "severe"}).exit_code, 2);
  EXPECT_EQ(run_eksir({"detect", incident(), "--no-builtin", "--since", "yesterday"}).exit_code, 2);
  auto none = run_eksir({"detect", test::temp_dir(), "--no-builtin"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no evidence files found"), std::string::npos) << none.err;
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/bad.yml")
      << "id: broken\ntitle: t\nseverity: urgent\ncondition: 'verb:get'\n";
  auto bad = run_eksir({"detect", incident(), "--no-builtin", "--rules", dir + "/bad.yml"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(dir + "/bad.yml:3: [broken] bad severity 'urgent'"), std::string::npos)
      << bad.err;
}

TEST(RulesE2E, ListValidateTest) {
  auto list = run_eksir({"rules", "list", test_rules()});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("test-forbidden-burst"), std::string::npos);
  EXPECT_NE(list.out.find("sequence"), std::string::npos);
  auto validate = run_eksir({"rules", "validate", test_rules()});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_NE(validate.out.find("3 rules in 1 files: 0 errors"), std::string::npos) << validate.out;
  auto test = run_eksir({"rules", "test", test_rules()});
  EXPECT_EQ(test.exit_code, 0) << test.out << test.err;
  EXPECT_NE(test.out.find("ok   test-crb-cluster-admin (2/2 cases)"), std::string::npos)
      << test.out;
  EXPECT_NE(test.out.find("3 rules passed, 0 failed"), std::string::npos) << test.out;

  std::string dir = test::temp_dir();
  std::ofstream(dir + "/wrong.yml")
      << "id: wrong\ntitle: t\nseverity: low\ncondition: 'verb:delete'\n"
         "tests:\n  positive: [{kind: Event, apiVersion: audit.k8s.io/v1, auditID: x, "
         "user: {username: u}, verb: get, stageTimestamp: '2026-03-14T09:00:00Z'}]\n";
  auto failing = run_eksir({"rules", "test", dir});
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_NE(failing.out.find("FAIL wrong (0/1 cases)"), std::string::npos) << failing.out;
  EXPECT_NE(failing.out.find("wrong.yml:6: positive #1: positive case did not match"),
            std::string::npos)
      << failing.out;
  std::ofstream(dir + "/invalid.yml")
      << "id: invalid\ntitle: t\nseverity: low\ncondition: 'verb:(get'\n";
  auto invalid = run_eksir({"rules", "validate", dir});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_NE(invalid.err.find("invalid.yml:4: [invalid] condition: bad KQL at column"),
            std::string::npos)
      << invalid.err;
}

}  // namespace
}  // namespace eksir

namespace eksir {
namespace {

// The built-in pack through the real engine: every rule's own test events (the pack's shape is
// checked in tests/rules/builtin_pack_test.cpp), then a run over the example incident.
TEST(BuiltinPackE2E, EveryRulePassesItsTestsAndTheExampleIsCritical) {
  auto t = test::run_eksir({"rules", "test"});
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_NE(t.out.find(" failed, 0 could not be loaded"), std::string::npos) << t.out;
  auto r = test::run_eksir({"detect", test::source_dir() + "/examples/incident-2026-03-14",
                            "--format", "ndjson", "-q", "--fail-on", "critical"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the incident has critical findings
  EXPECT_NE(r.out.find("\"severity\":\"critical\""), std::string::npos);
}

}  // namespace
}  // namespace eksir

namespace eksir {
namespace {

// --memory: past it, correlation events go to a temporary file; the findings are the same, and
// the run says so on stderr and in the JSON summary. A negative or unknown size is a usage error.
TEST(DetectE2E, MemoryBudgetSpillsAndSaysSoWithTheSameFindings) {
  auto whole = run_eksir({"detect", incident(), "--format", "json", "-q", "--memory", "0"});
  auto spilled = run_eksir({"detect", incident(), "--format", "json", "--memory", "1K"});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  ASSERT_EQ(spilled.exit_code, 0) << spilled.err;
  auto findings = [](const std::string& out) { return out.substr(0, out.find("\"summary\"")); };
  EXPECT_EQ(findings(whole.out), findings(spilled.out));
  EXPECT_EQ(whole.out.find("\"spilled\""), std::string::npos);
  EXPECT_NE(spilled.out.find("\"spilled\":{\"events\":"), std::string::npos);
  EXPECT_NE(spilled.err.find("went to a temporary file to stay within --memory 1K"),
            std::string::npos)
      << spilled.err;
  for (const char* bad : {"-5", "abc"}) {
    auto r = run_eksir({"detect", incident(), "-q", "--memory", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--memory"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace eksir

namespace eksir {
namespace {

std::vector<std::string> counts_of(const std::string& json) {
  std::vector<std::string> out;
  for (size_t at = json.find("\"count\":"); at != std::string::npos;
       at = json.find("\"count\":", at + 1))
    out.push_back(json.substr(at, json.find_first_of(",}", at) - at));
  return out;
}

// The audit log read twice (two copies in one folder): every event twice, counted once, whether
// the fingerprints that tell copies apart stay in memory or go to a temporary file in runs (past
// a quarter of --memory).
TEST(DetectE2E, CopiesOfAnEventCountOnceWhenTheirFingerprintsSpill) {
  const std::string log = incident() + "/k8s-audit/kube-apiserver-audit.log";
  const std::string twice = test::temp_dir();
  std::filesystem::copy_file(log, twice + "/a.log");
  std::filesystem::copy_file(log, twice + "/b.log");
  auto once = run_eksir({"detect", log, "--format", "json", "-q", "--memory", "0"});
  auto whole = run_eksir({"detect", twice, "--format", "json", "-q", "--memory", "0"});
  auto spilled = run_eksir({"detect", twice, "--format", "json", "--memory", "1K"});
  for (const auto* r : {&once, &whole, &spilled}) ASSERT_EQ(r->exit_code, 0) << r->err;
  auto findings = [](const std::string& out) { return out.substr(0, out.find("\"summary\"")); };
  ASSERT_GT(counts_of(once.out).size(), 5u);
  EXPECT_EQ(counts_of(once.out), counts_of(whole.out));
  EXPECT_EQ(findings(whole.out), findings(spilled.out));
  EXPECT_EQ(whole.out.find("\"spilled_fingerprints\""), std::string::npos);
  EXPECT_NE(spilled.out.find("\"spilled_fingerprints\":{\"fingerprints\":"), std::string::npos);
  EXPECT_NE(spilled.err.find("fingerprints of matched events ("), std::string::npos) << spilled.err;
  EXPECT_NE(spilled.err.find("to stay within --memory 1K, and were merged after the scan"),
            std::string::npos)
      << spilled.err;
}

// The temporary file fails part way (a full disk: writes past 100 KB refused): the runs written
// before are merged with the fingerprints that stayed in memory, the counts are the same, and the
// run says the file failed.
TEST(DetectE2E, AFailedFingerprintFileKeepsThemInMemoryWithTheSameCounts) {
  const std::string dir = test::temp_dir();
  {
    std::ofstream a(dir + "/a.log"), b(dir + "/b.log");
    for (int i = 0; i < 8000; ++i) {
      const std::string line = fmt::format(
          R"({{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",)"
          R"("auditID":"00000000-0000-4000-8000-{:012d}","stage":"ResponseComplete",)"
          R"("requestURI":"/api/v1/namespaces/payments/secrets/db-{}","verb":"get",)"
          R"("user":{{"username":"ci-deployer","groups":["system:authenticated"]}},)"
          R"("sourceIPs":["203.0.113.45"],"userAgent":"kubectl/v1.29.2",)"
          R"("objectRef":{{"resource":"secrets","namespace":"payments","name":"db-{}",)"
          R"("apiVersion":"v1"}},"responseStatus":{{"code":200}},)"
          R"("requestReceivedTimestamp":"2026-03-14T{:02d}:{:02d}:{:02d}.000000Z",)"
          R"("stageTimestamp":"2026-03-14T{:02d}:{:02d}:{:02d}.000000Z"}})",
          i, i % 7, i % 7, i / 3600, i / 60 % 60, i % 60, i / 3600, i / 60 % 60, i % 60);
      a << line << "\n";
      b << line << "\n";
    }
  }
  auto whole = run_eksir({"detect", dir, "--format", "json", "-q", "--memory", "0"});
  auto failed =
      run_eksir({"detect", dir, "--format", "json", "--memory", "1K"}, uint64_t{100} << 10);
  for (const auto* r : {&whole, &failed}) ASSERT_EQ(r->exit_code, 0) << r->err;
  auto findings = [](const std::string& out) { return out.substr(0, out.find("\"summary\"")); };
  ASSERT_LT(whole.out.size(), size_t{80} << 10);  // stdout stays below the limit
  const auto counts = counts_of(whole.out);
  ASSERT_FALSE(counts.empty());
  EXPECT_NE(std::find(counts.begin(), counts.end(), "\"count\":1143"), counts.end())
      << whole.out.substr(0, 2000);
  EXPECT_EQ(findings(whole.out), findings(failed.out));
  EXPECT_NE(failed.err.find("the temporary file for the fingerprints of matched events failed"),
            std::string::npos)
      << failed.err;
  const size_t at = failed.out.find("\"spilled_fingerprints\":{\"fingerprints\":");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(failed.out.find("\"error\":", at), std::string::npos);
  EXPECT_EQ(failed.out.find("\"lost\"", at), std::string::npos);
}

}  // namespace
}  // namespace eksir
