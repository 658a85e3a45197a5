// The rule loader: the test rules load with every field; bad rules are errors naming file, line
// and rule id (one data-driven table); test events written in YAML become typed JSON.
#include <gtest/gtest.h>

#include <fstream>

#include "rules/elastic.h"
#include "rules/rules.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

std::string data_dir() {
  return test::source_dir() + "/tests/rules/data";
}

TEST(RuleLoader, LoadsTheTestRulesWithEveryField) {
  LoadResult res = load_paths({data_dir()});
  ASSERT_TRUE(res.ok()) << (res.errors.empty() ? "" : res.errors[0].text());
  ASSERT_EQ(res.rules.size(), 3u);
  const Rule& r = res.rules[0];
  EXPECT_EQ(r.id, "test-crb-cluster-admin");
  EXPECT_EQ(r.severity, Severity::High);
  EXPECT_EQ(r.attack, (std::vector<std::string>{"T1098", "T1078.004"}));
  EXPECT_EQ(r.criterion, "critical.cluster_admin");
  EXPECT_EQ(r.sources, std::vector<Source>{Source::K8sAudit});
  EXPECT_EQ(r.subject, (std::vector<std::string>{"user.username", "objectRef.name"}));
  EXPECT_EQ(r.false_positives.size(), 1u);
  EXPECT_EQ(r.references.size(), 1u);
  EXPECT_EQ(r.origin, "builtin");
  EXPECT_EQ(r.author, "tests");
  EXPECT_EQ(r.match.kind, query::NodeKind::And);
  EXPECT_EQ(r.positive.size(), 1u);
  EXPECT_EQ(r.negative.size(), 1u);
  ASSERT_TRUE(r.positive[0].events[0].hint.has_value());
  EXPECT_EQ(*r.positive[0].events[0].hint, Source::K8sAudit);
  EXPECT_EQ(r.file, data_dir() + "/engine_rules.yml");
  EXPECT_EQ(r.line, 2u);

  const Rule& count = res.rules[1];
  EXPECT_EQ(count.correlation.type, CorrelationType::Count);
  EXPECT_EQ(count.correlation.window, 300LL * 1000000000LL);
  EXPECT_EQ(count.correlation.threshold, 3u);
  EXPECT_EQ(count.positive[0].events.size(), 3u);

  const Rule& seq = res.rules[2];
  EXPECT_EQ(seq.correlation.type, CorrelationType::Sequence);
  EXPECT_EQ(seq.correlation.step_nodes.size(), 2u);
  EXPECT_TRUE(seq.condition.empty());
}

const char* kGood = R"(id: r1
title: T
severity: low
condition: 'verb:get'
tests:
  positive: [{verb: get}]
  negative: [{verb: list}]
)";

std::string with(std::string_view find, std::string_view replace) {
  std::string s = kGood;
  s.replace(s.find(find), find.size(), replace);
  return s;
}

struct BadCase {
  std::string name;
  std::string yaml;
  std::string message;  // substring of the first error
  uint64_t line;
  std::string rule_id;
};

TEST(RuleLoader, ErrorsNameFileLineAndRule) {
  const std::vector<BadCase> cases = {
      {"unknown key", with("title: T\n", "title: T\nsevertiy: high\n"), "unknown key 'severtiy'", 3,
       "r1"},
      {"bad severity", with("severity: low", "severity: severe"), "bad severity 'severe'", 3, "r1"},
      {"severity in capitals", with("severity: low", "severity: High"), "bad severity 'High'", 3,
       "r1"},
      {"bad KQL", with("'verb:get'", "'verb:(get or'"), "bad KQL at column", 4, "r1"},
      {"bad criterion", with("severity: low\n", "severity: low\ncriterion: high.bogus\n"),
       "unknown criterion 'high.bogus'", 4, "r1"},
      {"missing tests", std::string(kGood).substr(0, std::string(kGood).find("tests:")),
       "'tests' are required", 1, "r1"},
      {"empty positives", with("positive: [{verb: get}]", "positive: []"),
       "needs at least one case", 6, "r1"},
      {"missing id", with("id: r1\n", ""), "'id' is required", 1, ""},
      {"missing condition", with("condition: 'verb:get'\n", ""), "'condition' is required", 1,
       "r1"},
      {"bad attack id", with("severity: low\n", "severity: low\nattack: [T12]\n"),
       "bad ATT&CK technique id 'T12'", 4, "r1"},
      {"bad source", with("severity: low\n", "severity: low\nsources: [syslog]\n"),
       "unknown source 'syslog'", 4, "r1"},
      {"bad correlation type",
       with("severity: low\n", "severity: low\ncorrelation: {type: burst}\n"),
       "bad correlation.type 'burst'", 4, "r1"},
      {"count without window",
       with("severity: low\n",
            "severity: low\ncorrelation: {type: count, group_by: [user.username]}\n"),
       "'window' is required", 4, "r1"},
      {"bad window",
       with("severity: low\n",
            "severity: low\ncorrelation: {type: count, group_by: [a], window: 5 min}\n"),
       "bad correlation.window '5 min'", 4, "r1"},
      {"distinct without field",
       with("severity: low\n",
            "severity: low\ncorrelation: {type: distinct_count, group_by: [a], window: 5m}\n"),
       "distinct_count needs 'field'", 4, "r1"},
      {"sequence with one step",
       with("severity: low\n",
            "severity: low\ncorrelation: {type: sequence, group_by: [a], window: 5m, steps: "
            "['verb:get']}\n"),
       "at least two 'steps'", 4, "r1"},
      {"first_seen without history",
       with("severity: low\n", "severity: low\ncorrelation: {type: first_seen, group_by: [a]}\n"),
       "first_seen needs 'history'", 4, "r1"},
      {"unknown correlation key",
       with("severity: low\n",
            "severity: low\ncorrelation: {type: count, group_by: [a], window: 5m, span: 3}\n"),
       "unknown key 'correlation.span'", 4, "r1"},
      {"unknown tests key", with("  negative:", "  negatives:"), "unknown key 'tests.negatives'", 7,
       "r1"},
      {"bad _source hint", with("[{verb: get}]", "[{_source: syslog, verb: get}]"),
       "unknown _source 'syslog'", 6, "r1"},
      {"invalid YAML", "id: [unclosed\n", "invalid YAML", 2, ""},
      {"not a map", "- just a string\n", "a rule must be a YAML map", 1, ""},
  };
  for (const auto& c : cases) {
    LoadResult res = load_text(c.yaml, "rules/x.yml");
    ASSERT_FALSE(res.ok()) << c.name;
    EXPECT_TRUE(res.rules.empty()) << c.name;
    const Diagnostic& d = res.errors[0];
    EXPECT_NE(d.message.find(c.message), std::string::npos) << c.name << ": " << d.text();
    EXPECT_EQ(d.file, "rules/x.yml") << c.name;
    EXPECT_EQ(d.line, c.line) << c.name << ": " << d.text();
    EXPECT_EQ(d.rule_id, c.rule_id) << c.name;
  }
}

TEST(RuleLoader, GoodRuleLoadsAndWarnsAboutUnknownFieldsAndMissingNegatives) {
  LoadResult res = load_text(kGood, "x.yml");
  ASSERT_TRUE(res.ok()) << res.errors[0].text();
  EXPECT_TRUE(res.warnings.empty());
  res = load_text(with("'verb:get'", "'verbb:get'"), "x.yml");
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res.warnings.size(), 1u);
  EXPECT_NE(res.warnings[0].message.find("verbb"), std::string::npos);
  res = load_text(with("  negative: [{verb: list}]\n", ""), "x.yml");
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res.warnings.size(), 1u);
  EXPECT_NE(res.warnings[0].message.find("no negative test"), std::string::npos);
}

TEST(RuleLoader, DuplicateIdsAcrossFilesAreErrors) {
  std::string dir = test::temp_dir();
  for (const char* name : {"/a.yml", "/b.yaml"}) {
    FILE* f = std::fopen((dir + name).c_str(), "w");
    std::fputs(kGood, f);
    std::fclose(f);
  }
  LoadResult res = load_paths({dir});
  EXPECT_EQ(res.files, 2u);
  EXPECT_EQ(res.rules.size(), 1u);
  ASSERT_EQ(res.errors.size(), 1u);
  EXPECT_EQ(res.errors[0].message, "duplicate rule id");
  EXPECT_EQ(res.errors[0].file, dir + "/b.yaml");
  LoadResult missing = load_paths({dir + "/nope"});
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].message, "no such file or folder");
}

// A rules folder may hold files that are no rules at all (Falco's regression matrix beside its
// rules, a manifest, a config): each is skipped with its reason, the rules beside it load.
TEST(RuleLoader, FolderFilesWithoutRuleStructureAreSkipped) {
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/good.yml") << kGood;
  std::ofstream(dir + "/falco_k8s_audit_tests.yaml")
      << "# cases\ntrace_files: !mux\n  create_pod:\n    detect: True\n    rules_file: [a.yaml]\n";
  std::ofstream(dir + "/deployment.yaml")
      << "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n";
  std::ofstream(dir + "/names.yml") << "- alice\n- bob\n";
  std::ofstream(dir + "/chart.yaml") << "name: web\nversion: 1.0.0\ndescription: a chart\n";
  std::ofstream(dir + "/empty.yml") << "# nothing yet\n";
  LoadResult res = load_paths({dir});
  ASSERT_TRUE(res.ok()) << res.errors[0].text();
  ASSERT_EQ(res.rules.size(), 1u);
  EXPECT_EQ(res.files, 2u);  // good.yml and empty.yml; skipped files are not rule files
  ASSERT_EQ(res.skipped_files.size(), 4u);
  EXPECT_EQ(res.skipped_files[0].file, dir + "/chart.yaml");
  EXPECT_EQ(res.skipped_files[1].file, dir + "/deployment.yaml");
  EXPECT_EQ(res.skipped_files[1].reason,
            "no eksir, Sigma or Falco rule structure (top-level keys apiVersion, kind, metadata, "
            "spec)");
  EXPECT_EQ(res.skipped_files[2].file, dir + "/falco_k8s_audit_tests.yaml");
  EXPECT_EQ(res.skipped_files[2].reason,
            "no eksir, Sigma or Falco rule structure (top-level key trace_files)");
  EXPECT_EQ(res.skipped_files[3].file, dir + "/names.yml");

  // Named on its own, a file is meant as rules: not loading is an error.
  LoadResult named = load_paths({dir + "/deployment.yaml"});
  EXPECT_FALSE(named.ok());
  EXPECT_TRUE(named.skipped_files.empty());
}

TEST(RuleLoader, FolderFileShapedLikeRulesThatDoesNotLoadIsStillAnError) {
  struct Case {
    const char* name;
    const char* text;
    const char* error;
  } cases[] = {
      {"own.yml", "id: broken\ntitle: t\nseverity: urgent\ncondition: 'verb:get'\n",
       "bad severity 'urgent'"},
      {"own-list.yml", "- id: a\n  title: A\n  severity: low\n", "'condition' is required"},
      {"sigma.yml", "title: S\nid: s1\nlogsource: {product: aws, service: cloudtrail}\n",
       "unknown key 'logsource'"},
      {"syntax.yml", "id: a\ntitle: [unclosed\n", "invalid YAML"},
  };
  for (const auto& c : cases) {
    std::string dir = test::temp_dir();
    std::ofstream(dir + "/good.yml") << kGood;
    std::ofstream(dir + "/" + c.name) << c.text;
    LoadResult res = load_paths({dir});
    EXPECT_TRUE(res.skipped_files.empty()) << c.name;
    ASSERT_FALSE(res.ok()) << c.name;
    std::string all;
    for (const auto& e : res.errors) all += e.text() + "\n";
    EXPECT_NE(all.find(dir + "/" + c.name), std::string::npos) << all;
    EXPECT_NE(all.find(c.error), std::string::npos) << c.name << ": " << all;
  }
  // A Falco rule that cannot run is reported as not loaded, as it always was, not passed over.
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/falco.yaml")
      << "- rule: R\n  desc: d\n  output: o\n  priority: WARNING\n  source: k8s_audit\n";
  LoadResult falco = load_paths({dir});
  EXPECT_TRUE(falco.skipped_files.empty());
  ASSERT_EQ(falco.not_loaded.size(), 1u);
  EXPECT_EQ(falco.not_loaded[0].rule, "R");
}

TEST(RuleLoader, ElasticFolderTomlWithoutRuleTablesIsSkipped) {
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/pyproject.toml") << "[tool.black]\nline-length = 100\n";
  std::ofstream(dir + "/half.toml") << "[metadata]\ncreation_date = \"2026/03/01\"\n";
  ElasticLoad el = load_elastic_paths({dir});
  ASSERT_EQ(el.result.skipped_files.size(), 1u);
  EXPECT_EQ(el.result.skipped_files[0].file, dir + "/pyproject.toml");
  EXPECT_EQ(el.result.skipped_files[0].reason, "no Elastic rule structure (top-level key tool)");
  // [metadata] without [rule]: an Elastic rule file that does not load.
  ASSERT_EQ(el.result.errors.size(), 1u);
  EXPECT_EQ(el.result.errors[0].file, dir + "/half.toml");
  EXPECT_EQ(el.result.files, 1u);
  // Named on its own, the same file is an error.
  EXPECT_FALSE(load_elastic_paths({dir + "/pyproject.toml"}).result.ok());
}

TEST(RuleLoader, SeveralRulesInOneFileAsASequence) {
  std::string two = "- " + with("id: r1", "id: a");
  std::string second = with("id: r1", "id: b");
  for (size_t p = 0; (p = two.find('\n', p)) != std::string::npos && p + 1 < two.size(); ++p)
    two.insert(p + 1, "  ");
  std::string b = "- ";
  for (char c : second) {
    b.push_back(c);
    if (c == '\n') b += "  ";
  }
  LoadResult res = load_text(two + "\n" + b, "x.yml");
  ASSERT_TRUE(res.ok()) << res.errors[0].text();
  ASSERT_EQ(res.rules.size(), 2u);
  EXPECT_EQ(res.rules[1].id, "b");
  EXPECT_EQ(res.rules[1].line, 9u);
}

TEST(RuleLoader, TestEventsBecomeTypedJson) {
  LoadResult res =
      load_text(with("[{verb: get}]",
                     "[{verb: get, code: 403, ratio: 0.5, ok: true, none: null, quoted: '403', "
                     "zip: 0123, list: [a, 1], obj: {k: v}}]"),
                "x.yml");
  ASSERT_TRUE(res.ok()) << res.errors[0].text();
  EXPECT_EQ(
      res.rules[0].positive[0].events[0].json,
      R"({"verb":"get","code":403,"ratio":0.5,"ok":true,"none":null,"quoted":"403","zip":"0123",)"
      R"("list":["a",1],"obj":{"k":"v"}})");
}

// Found by fuzzing (rules, Sigma and Falco targets): a document that starts with a stray ',' made
// yaml-cpp's LoadAll loop forever, allocating until the machine ran out of memory.
TEST(RuleLoader, StrayCommaIsInvalidYamlNotAnEndlessLoop) {
  const std::string text = "id: a\ntitle: A\n---\n,\n";
  ASSERT_TRUE(test::returns_within(10, [&] { load_text(text, "comma.yml"); }));
  LoadResult res = load_text(text, "comma.yml");
  ASSERT_EQ(res.errors.size(), 1u);
  EXPECT_EQ(res.errors[0].line, 4u);
  EXPECT_NE(res.errors[0].message.find("invalid YAML"), std::string::npos) << res.errors[0].text();
  EXPECT_TRUE(res.rules.empty());
}

TEST(RuleModel, DurationsSeveritiesCriteria) {
  EXPECT_EQ(parse_duration("30s"), 30LL * 1000000000LL);
  EXPECT_EQ(parse_duration("5m"), 300LL * 1000000000LL);
  EXPECT_EQ(parse_duration("2h"), 7200LL * 1000000000LL);
  EXPECT_EQ(parse_duration("7d"), 7LL * 86400 * 1000000000LL);
  EXPECT_EQ(parse_duration("5"), 0);
  EXPECT_EQ(parse_duration("m"), 0);
  EXPECT_EQ(parse_duration("-5m"), 0);
  EXPECT_EQ(format_duration(parse_duration("7d")), "7d");
  EXPECT_EQ(format_duration(parse_duration("90s")), "1m30s");
  EXPECT_EQ(format_duration(parse_duration("99h")), "4d3h");
  EXPECT_EQ(format_duration(parse_duration("5m")), "5m");
  EXPECT_EQ(*parse_severity("critical"), Severity::Critical);
  EXPECT_FALSE(parse_severity("severe"));
  EXPECT_EQ(severity_name(Severity::Info), "info");
  EXPECT_EQ(criterion_ids().size(), 17u);
  EXPECT_TRUE(is_criterion("high.privileged_pods"));
  EXPECT_FALSE(is_criterion("high.privileged"));
}

}  // namespace
}  // namespace eksir::rules
