// Elastic EQL rules: the shared set's census (each rule loads or says which construct or events it
// needs) and a query that does not parse. Elastic's case rules, representative rules on one event
// and sequences (maxspan, per-step `by`, `until`) in the real CloudTrail and Kubernetes audit
// shapes are data: tests/cases/detect/eql_case_rules.yaml, elastic_rule_files.yaml,
// eql_sequences_cloudtrail.yaml and eql_sequence_kubernetes.yaml.
#include <gtest/gtest.h>

#include "rules/elastic.h"
#include "test_paths.h"

namespace eksir::detect {
namespace {

std::string elastic_dir() {
  return test::shared_dir() + "/rules/elastic";
}

// Every EQL rule of the shared set (37, by Python's tomllib): 33 load; the 4 sequences whose
// first step reads Elastic Defend's endpoint events are skipped, naming the step, the category
// and the fields.
TEST(ElasticEql, EveryRuleLoadsOrNamesWhatItNeeds) {
  rules::ElasticLoad el = rules::load_elastic_paths({elastic_dir()});
  std::string errors;
  for (const auto& e : el.result.errors) errors += e.text() + "\n";
  EXPECT_TRUE(el.result.errors.empty()) << errors;
  EXPECT_EQ(el.loaded_by_type["eql"], 33u);
  size_t skipped = 0, process = 0, file = 0;
  for (const auto& s : el.skipped) {
    if (s.type != "eql") continue;
    ++skipped;
    EXPECT_NE(s.reason.find("line "), std::string::npos) << s.reason;
    EXPECT_NE(s.reason.find("from Elastic Defend (endpoint), which eksir does not read"),
              std::string::npos)
        << s.reason;
    EXPECT_NE(s.reason.find("(fields host.os.type)"), std::string::npos) << s.reason;
    if (s.reason.find("step 1 (`process where`") != std::string::npos) ++process;
    if (s.reason.find("step 1 (`file where`") != std::string::npos) ++file;
  }
  EXPECT_EQ(skipped, 4u);
  EXPECT_EQ(process, 3u);
  EXPECT_EQ(file, 1u);
  size_t sequences = 0;
  for (const auto& r : el.result.rules) {
    if (r.file.find(".toml") == std::string::npos) continue;
    if (r.correlation.type == rules::CorrelationType::Sequence) ++sequences;
  }
  EXPECT_EQ(sequences, 2u);  // Bedrock (by access key), Kubernetes RBAC (by user.name)
}

TEST(ElasticEql, SkippedRuleNamesTheFileLine) {
  rules::ElasticLoad el = rules::load_elastic_paths(
      {elastic_dir() +
       "/other/cross-platform/"
       "execution_d4c_k8s_mda_service_account_token_access_followed_by_kubernetes_api_request."
       "toml"});
  ASSERT_EQ(el.skipped.size(), 1u);
  EXPECT_EQ(el.skipped[0].type, "eql");
  EXPECT_EQ(el.skipped[0].reason.rfind("line ", 0), 0u) << el.skipped[0].reason;
  EXPECT_NE(el.skipped[0].reason.find("step 1 (`file where`, query line 2) needs `file` events"),
            std::string::npos)
      << el.skipped[0].reason;
}

TEST(ElasticEql, BadQueryIsAnErrorWithFileLineAndRule) {
  rules::ElasticLoad el = rules::load_elastic_text(R"([rule]
rule_id = "r-1"
name = "n"
description = "d"
severity = "low"
type = "eql"
language = "eql"
query = '''
any where event.action == "x"
  and event.outcome = "success"
'''
)",
                                                   "bad.toml");
  ASSERT_EQ(el.result.errors.size(), 1u);
  const auto& e = el.result.errors[0];
  EXPECT_EQ(e.file, "bad.toml");
  EXPECT_EQ(e.line, 10u);
  EXPECT_EQ(e.rule_id, "r-1");
  EXPECT_NE(e.message.find("bad EQL at line 2 column"), std::string::npos) << e.message;
  EXPECT_TRUE(el.result.rules.empty());
}

}  // namespace
}  // namespace eksir::detect
