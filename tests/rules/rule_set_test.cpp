// load_rule_set: the YAML and Elastic parts of the paths given, each counted, loaded together.
#include "rules/rule_set.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_paths.h"

namespace eksir::rules {
namespace {

TEST(RuleSet, NoPathsIsTheBuiltinPackAlone) {
  RuleSet set = load_rule_set({});
  EXPECT_TRUE(set.loaded.ok());
  EXPECT_FALSE(set.elastic_given);
  EXPECT_GT(set.yaml_rules, 50u);
  EXPECT_EQ(set.loaded.rules.size(), set.yaml_rules);
  EXPECT_EQ(set.elastic_rules, 0u);
}

TEST(RuleSet, ElasticAndYamlPathsAreCountedApartAndMerged) {
  const std::string dir = test::temp_dir();
  std::filesystem::copy_file(
      test::shared_dir() + "/rules/elastic/aws/defense_evasion_cloudtrail_logging_suspended.toml",
      dir + "/suspended.toml");
  std::ofstream(dir + "/bad.yml") << "id: [unclosed\n";
  RuleSet set = load_rule_set({dir});
  EXPECT_TRUE(set.elastic_given);
  EXPECT_EQ(set.elastic_files, 1u);
  EXPECT_EQ(set.elastic_rules, 1u);
  EXPECT_EQ(set.elastic_errors, 0u);
  EXPECT_EQ(set.elastic.loaded_by_type.at("query"), 1u);
  EXPECT_EQ(set.yaml_rules, 0u);
  EXPECT_EQ(set.loaded.rules.size(), 1u);
  EXPECT_EQ(set.loaded.rules[0].origin, "elastic");
  // The YAML part's problem is the set's.
  EXPECT_EQ(set.loaded.errors.size() + set.loaded.skipped_files.size(),
            set.yaml_errors + set.loaded.skipped_files.size());
  EXPECT_FALSE(set.loaded.ok() && set.loaded.skipped_files.empty());
}

}  // namespace
}  // namespace eksir::rules
