// ATT&CK technique ids: every loader lists each once, in the order the rule first names it (an
// Elastic rule names a technique again under each of its tactics).
#include <gtest/gtest.h>

#include <set>

#include "rules/elastic.h"
#include "rules/rules.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

std::string duplicates(const Rule& r) {
  std::set<std::string> seen;
  std::string dup;
  for (const auto& t : r.attack)
    if (!seen.insert(t).second) dup += t + " ";
  return dup;
}

TEST(AttackIds, ElasticTechniqueUnderTwoTacticsIsListedOnce) {
  ElasticLoad el = load_elastic_paths(
      {test::shared_dir() +
       "/rules/elastic/aws/"
       "privilege_escalation_eks_access_entry_granted_cluster_admin_policy.toml"});
  ASSERT_TRUE(el.result.ok());
  ASSERT_EQ(el.result.rules.size(), 1u);
  EXPECT_EQ(el.result.rules[0].attack, (std::vector<std::string>{"T1098", "T1098.006"}));
}

TEST(AttackIds, NoRuleOfTheSharedSetsListsATechniqueTwice) {
  ElasticLoad el = load_elastic_paths({test::shared_dir() + "/rules/elastic"});
  LoadResult yaml = load_paths({test::shared_dir() + "/rules/sigma",
                                test::shared_dir() + "/rules/falco/k8s_audit_rules.yaml",
                                rules::builtin_rules_dir()});
  size_t with_attack = 0;
  for (const auto* set : {&el.result, &yaml})
    for (const auto& r : set->rules) {
      EXPECT_EQ(duplicates(r), "") << r.file;
      with_attack += !r.attack.empty();
    }
  EXPECT_GT(with_attack, 100u);
}

TEST(AttackIds, EachFormatKeepsTheFirstOfRepeatedIds) {
  LoadResult own = load_text(R"(id: r1
title: T
severity: low
attack: [T1098, T1078.004, T1098]
condition: 'verb:get'
tests:
  positive: [{verb: get}]
  negative: [{verb: list}]
)",
                             "own.yml");
  ASSERT_TRUE(own.ok()) << own.errors[0].text();
  EXPECT_EQ(own.rules[0].attack, (std::vector<std::string>{"T1098", "T1078.004"}));

  LoadResult sigma = load_text(R"(title: Sigma twice
id: 11111111-2222-3333-4444-555555555555
tags: [attack.persistence, attack.t1078, attack.privilege-escalation, attack.t1078, attack.T1078]
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: StopLogging}
  condition: selection
level: low
)",
                               "s.yml");
  ASSERT_TRUE(sigma.ok()) << sigma.errors[0].text();
  EXPECT_EQ(sigma.rules[0].attack, std::vector<std::string>{"T1078"});

  LoadResult falco = load_text(R"(- rule: Twice
  desc: d
  condition: ka.verb=get
  output: o
  priority: WARNING
  source: k8s_audit
  tags: [k8s, T1098, mitre_persistence, T1098]
)",
                               "f.yaml");
  ASSERT_TRUE(falco.ok()) << falco.errors[0].text();
  ASSERT_EQ(falco.rules.size(), 1u);
  EXPECT_EQ(falco.rules[0].attack, std::vector<std::string>{"T1098"});
}

}  // namespace
}  // namespace eksir::rules
