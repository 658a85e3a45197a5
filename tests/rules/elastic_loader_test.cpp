// The Elastic detection-rules (TOML) loader over every rule in the shared Elastic set: exact
// counts of loaded and skipped rules by type, no KQL rule failing, and the mapping of one rule
// of each supported type (query, new_terms → first_seen, threshold → count/distinct_count).
#include <gtest/gtest.h>

#include <algorithm>

#include "rules/elastic.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

std::string elastic_dir() {
  return test::shared_dir() + "/rules/elastic";
}

const Rule* find(const LoadResult& r, std::string_view id) {
  for (const auto& rule : r.rules)
    if (rule.id == id) return &rule;
  return nullptr;
}

// Counts computed from the files with Python's tomllib (rule.type, rule.language):
// query/kuery 112, new_terms/kuery 57, threshold/kuery 5, eql 37, esql 37, machine_learning 5.
// 33 EQL rules load; 4 EQL sequences need Elastic Defend endpoint events (tests/detect/eql_*).
TEST(ElasticLoader, LoadsEverySharedRuleOrSaysWhyNot) {
  ElasticLoad el = load_elastic_paths({elastic_dir()});
  std::string errors;
  for (const auto& e : el.result.errors) errors += e.text() + "\n";
  EXPECT_TRUE(el.result.errors.empty()) << errors;  // every KQL rule parses
  EXPECT_EQ(el.result.files, 253u);
  EXPECT_EQ(el.result.rules.size(), 220u);
  EXPECT_EQ(el.loaded_by_type, (std::map<std::string, size_t>{{"eql", 33},
                                                             {"esql", 13},
                                                             {"query", 112},
                                                             {"new_terms", 57},
                                                             {"threshold", 5}}));
  EXPECT_EQ(el.skipped.size(), 33u);  // EQL and ES|QL: eql_rules_test.cpp, esql_census_test.cpp
  EXPECT_EQ(el.skipped_by_type(),
            (std::map<std::string, size_t>{{"eql", 4}, {"esql", 24}, {"machine_learning", 5}}));
  for (const auto& s : el.skipped) {
    EXPECT_FALSE(s.reason.empty()) << s.file;
    EXPECT_FALSE(s.rule_id.empty()) << s.file;
  }
  for (const auto& r : el.result.rules) {
    EXPECT_EQ(r.origin, "elastic") << r.file;
    EXPECT_FALSE(r.author.empty()) << r.file;  // kept for attribution (ELv2 notices)
    EXPECT_FALSE(r.sources.empty()) << r.file << " routes to no source";
  }
  // Two KQL queries and one ES|QL query name fields eksir does not map, and one ES|QL query a
  // field CloudTrail never has (warnings, not errors).
  EXPECT_EQ(el.result.warnings.size(), 4u);
  // Several authors are joined in file order.
  for (const auto& r : el.result.rules) {
    if (r.file.find("impact_kms_cmk_disabled_or_scheduled_for_deletion") != std::string::npos) {
      EXPECT_EQ(r.author, "Xavier Pich");
    } else if (r.file.find("defense_evasion_rds_instance_restored") != std::string::npos) {
      EXPECT_EQ(r.author, "Austin Songer, Elastic");
    }
  }
}

TEST(ElasticLoader, MapsAQueryRule) {
  ElasticLoad el = load_elastic_paths(
      {elastic_dir() + "/aws/defense_evasion_cloudtrail_logging_suspended.toml"});
  ASSERT_TRUE(el.result.ok());
  ASSERT_EQ(el.result.rules.size(), 1u);
  const Rule& r = el.result.rules[0];
  EXPECT_EQ(r.id, "1aa8fa52-44a7-4dae-b058-f3333b91c8d7");
  EXPECT_EQ(r.title, "AWS CloudTrail Log Suspended");
  EXPECT_EQ(r.severity, Severity::High);
  EXPECT_EQ(r.attack, (std::vector<std::string>{"T1562", "T1562.001", "T1562.008"}));
  EXPECT_EQ(r.sources, std::vector<Source>{Source::CloudTrail});
  EXPECT_EQ(r.correlation.type, CorrelationType::None);
  EXPECT_EQ(r.references.size(), 2u);
  EXPECT_EQ(r.false_positives.size(), 1u);
  EXPECT_EQ(r.origin, "elastic");
  EXPECT_EQ(r.author, "Elastic");
}

TEST(ElasticLoader, MapsNewTermsAndThreshold) {
  ElasticLoad el = load_elastic_paths({elastic_dir()});
  // new_terms → first_seen over the new-terms fields, history from history_window_start.
  const Rule* nt = find(el.result, "3e7c1b84-9f52-4d63-8a17-6b0e4c2f9d31");
  ASSERT_NE(nt, nullptr);
  EXPECT_EQ(nt->correlation.type, CorrelationType::FirstSeen);
  EXPECT_EQ(nt->correlation.group_by, std::vector<std::string>{"aws.cloudtrail.user_identity.arn"});
  EXPECT_EQ(nt->correlation.history, parse_duration("7d"));
  // threshold with cardinality → distinct_count; window from `from = "now-6m"`.
  const Rule* dc = find(el.result, "185c782e-f86a-11ee-9d9f-f661ea17fbce");
  ASSERT_NE(dc, nullptr);
  EXPECT_EQ(dc->correlation.type, CorrelationType::DistinctCount);
  EXPECT_EQ(dc->correlation.group_by, std::vector<std::string>{"user.id"});
  EXPECT_EQ(dc->correlation.field, "aws.cloudtrail.request_parameters");
  EXPECT_EQ(dc->correlation.threshold, 20u);
  EXPECT_EQ(dc->correlation.window, parse_duration("6m"));
  // plain threshold → count.
  const Rule* ct = nullptr;
  for (const auto& r : el.result.rules)
    if (r.file.find("credential_access_root_console_failure_brute_force") != std::string::npos)
      ct = &r;
  ASSERT_NE(ct, nullptr);
  EXPECT_EQ(ct->correlation.type, CorrelationType::Count);
  EXPECT_EQ(ct->correlation.group_by, std::vector<std::string>{"cloud.account.id"});
  EXPECT_EQ(ct->correlation.threshold, 10u);
  EXPECT_EQ(ct->correlation.window, parse_duration("6m"));
}

TEST(ElasticLoader, ReportsBadInputAsValues) {
  ElasticLoad bad = load_elastic_text("[rule\nname = 1\n", "bad.toml");
  ASSERT_EQ(bad.result.errors.size(), 1u);
  EXPECT_EQ(bad.result.errors[0].file, "bad.toml");
  EXPECT_NE(bad.result.errors[0].message.find("invalid TOML"), std::string::npos);

  ElasticLoad kql = load_elastic_text(
      "[rule]\nrule_id = \"x1\"\nname = \"Broken\"\nseverity = \"low\"\ntype = \"query\"\n"
      "language = \"kuery\"\nquery = '''event.action:(a or'''\n",
      "kql.toml");
  ASSERT_EQ(kql.result.errors.size(), 1u);
  EXPECT_EQ(kql.result.errors[0].rule_id, "x1");
  EXPECT_EQ(kql.result.errors[0].line, 7u);
  EXPECT_NE(kql.result.errors[0].message.find("Broken"), std::string::npos);
  EXPECT_NE(kql.result.errors[0].message.find("bad KQL"), std::string::npos);
  EXPECT_TRUE(kql.result.rules.empty());

  ElasticLoad lucene = load_elastic_text(
      "[rule]\nrule_id = \"x2\"\nname = \"Lucene\"\nseverity = \"low\"\ntype = \"query\"\n"
      "language = \"lucene\"\nquery = 'a:b'\n",
      "lucene.toml");
  EXPECT_TRUE(lucene.result.ok());
  ASSERT_EQ(lucene.skipped.size(), 1u);
  EXPECT_EQ(lucene.skipped[0].type, "query/lucene");
}

}  // namespace
}  // namespace eksir::rules
