// ATT&CK tactics: taken from each rule source where it names them (Sigma tags, Elastic threat
// entries, Falco mitre_ tags, the YAML format's `tactics`), else from the techniques' tactics in
// ATT&CK (rules/attack.cpp); each once, in the matrix's order.
#include <gtest/gtest.h>

#include <set>

#include "rules/elastic.h"
#include "rules/rules.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

using V = std::vector<std::string>;

TEST(AttackTactics, NamesInEveryFormTheSourcesWrite) {
  for (const char* name : {"privilege-escalation", "Privilege Escalation", "privilege_escalation",
                           "mitre_privilege_escalation", "TA0004", "ta0004"})
    EXPECT_EQ(tactic_short_name(name), "privilege-escalation") << name;
  EXPECT_EQ(tactic_short_name("Command and Control"), "command-and-control");
  EXPECT_EQ(tactic_short_name("TA0011"), "command-and-control");
  EXPECT_EQ(tactic_short_name("TA0010"), "exfiltration");
  EXPECT_EQ(tactic_short_name("stealth"), "stealth");  // ATT&CK v19's half of defense-evasion
  EXPECT_FALSE(tactic_short_name("t1098"));
  EXPECT_FALSE(tactic_short_name("mitre_remote_service"));
  EXPECT_FALSE(tactic_short_name("container"));
  EXPECT_FALSE(tactic_short_name(""));
}

TEST(AttackTactics, TechniquesUnderTheirTacticsInTheMatrixOrder) {
  EXPECT_EQ(technique_tactics("T1610"), (V{"execution", "defense-evasion"}));
  EXPECT_EQ(technique_tactics("T1098"), (V{"persistence", "privilege-escalation"}));
  EXPECT_EQ(technique_tactics("T1098.006"), (V{"persistence", "privilege-escalation"}));
  EXPECT_EQ(technique_tactics("T1078.004"),
            (V{"initial-access", "persistence", "privilege-escalation", "defense-evasion"}));
  EXPECT_EQ(technique_tactics("T1611"), V{"privilege-escalation"});
  EXPECT_EQ(technique_tactics("T1552.007"), V{"credential-access"});
  EXPECT_EQ(technique_tactics("T1613"), V{"discovery"});
  EXPECT_EQ(technique_tactics("T1496"), V{"impact"});
  EXPECT_EQ(technique_tactics("T1595"), V{"reconnaissance"});
  EXPECT_EQ(technique_tactics("T1572"), V{"command-and-control"});
  EXPECT_TRUE(technique_tactics("T9999").empty());
  EXPECT_TRUE(technique_tactics("").empty());
  // Every technique the shared rule sets name has its tactics: the table is sorted and whole.
  ElasticLoad el = load_elastic_paths({test::shared_dir() + "/rules/elastic"});
  LoadResult yaml =
      load_paths({test::shared_dir() + "/rules/sigma",
                  test::shared_dir() + "/rules/falco/k8s_audit_rules.yaml", builtin_rules_dir()});
  std::set<std::string> missing;
  for (const auto* set : {&el.result, &yaml})
    for (const auto& r : set->rules)
      for (const auto& t : r.attack)
        if (technique_tactics(t).empty()) missing.insert(t);
  std::string names;
  for (const auto& m : missing) names += m + " ";
  EXPECT_EQ(names, "");
  V order;
  for (auto t : {"impact", "execution", "stealth", "persistence", "execution", "reconnaissance"})
    add_tactic(order, t);
  EXPECT_EQ(order, (V{"reconnaissance", "execution", "persistence", "stealth", "impact"}));
  EXPECT_EQ(join_ids({"T1098", "T1098.006", "T1098", "T1098.006"}), "T1098, T1098.006");
}

TEST(AttackTactics, EveryBuiltInRuleHasTactics) {
  LoadResult pack = load_paths({builtin_rules_dir()});
  ASSERT_TRUE(pack.ok()) << pack.errors[0].text();
  ASSERT_GT(pack.rules.size(), 30u);
  for (const auto& r : pack.rules) {
    EXPECT_FALSE(r.attack.empty()) << r.id;
    EXPECT_FALSE(r.tactics.empty()) << r.id;
    V sorted = r.tactics;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return tactic_rank(a) < tactic_rank(b); });
    EXPECT_EQ(sorted, r.tactics) << r.id;
  }
}

TEST(AttackTactics, SigmaTagsNameTactics) {
  // attack.<tactic> in both spellings; the rule's tactics as given, not the techniques'.
  LoadResult sigma = load_text(R"(title: Sigma tactics
id: 11111111-2222-3333-4444-555555555555
tags: [attack.privilege_escalation, attack.t1078.004, attack.initial-access, attack.g0016,
       attack.privilege-escalation, car.2016-04-005]
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: StopLogging}
  condition: selection
level: low
)",
                               "s.yml");
  ASSERT_TRUE(sigma.ok()) << sigma.errors[0].text();
  EXPECT_EQ(sigma.rules[0].tactics, (V{"initial-access", "privilege-escalation"}));
  // From the shared set: a rule tagged with tactics alone, and v19's stealth.
  LoadResult shared = load_paths(
      {test::shared_dir() + "/rules/sigma/kubernetes/kubernetes_audit_cronjob_modification.yml",
       test::shared_dir() + "/rules/sigma/kubernetes/kubernetes_audit_hostpath_mount.yml",
       test::shared_dir() + "/rules/sigma/kubernetes/kubernetes_audit_events_deleted.yml"});
  ASSERT_EQ(shared.rules.size(), 3u);
  for (const auto& r : shared.rules) {
    if (r.title.find("CronJob") != std::string::npos)
      EXPECT_EQ(r.tactics, (V{"execution", "persistence", "privilege-escalation"}));
    else if (r.title.find("hostPath") != std::string::npos)
      EXPECT_EQ(r.tactics, V{"privilege-escalation"});
    else
      EXPECT_EQ(r.tactics, V{"stealth"}) << r.title;
  }
}

TEST(AttackTactics, ElasticThreatTactics) {
  ElasticLoad el = load_elastic_paths(
      {test::shared_dir() +
       "/rules/elastic/aws/"
       "privilege_escalation_eks_access_entry_granted_cluster_admin_policy.toml"});
  ASSERT_TRUE(el.result.ok());
  ASSERT_EQ(el.result.rules.size(), 1u);
  EXPECT_EQ(el.result.rules[0].tactics, (V{"persistence", "privilege-escalation"}));
  // Every Elastic rule of the shared set that names a threat has its tactics.
  ElasticLoad all = load_elastic_paths({test::shared_dir() + "/rules/elastic"});
  size_t with = 0;
  for (const auto& r : all.result.rules) {
    if (!r.attack.empty()) {
      EXPECT_FALSE(r.tactics.empty()) << r.file;
    }
    with += !r.tactics.empty();
  }
  EXPECT_GT(with, 20u);
}

TEST(AttackTactics, FalcoMitreTagsAndTheOwnFormat) {
  LoadResult falco = load_text(R"(- rule: Tagged
  desc: d
  condition: ka.verb=get
  output: o
  priority: WARNING
  source: k8s_audit
  tags: [k8s, T1098, mitre_persistence, mitre_remote_service, mitre_discovery]
- rule: Untagged
  desc: d
  condition: ka.verb=list
  output: o
  priority: WARNING
  source: k8s_audit
  tags: [k8s, T1610]
)",
                               "f.yaml");
  ASSERT_TRUE(falco.ok()) << falco.errors[0].text();
  ASSERT_EQ(falco.rules.size(), 2u);
  EXPECT_EQ(falco.rules[0].tactics, (V{"persistence", "discovery"}));
  EXPECT_EQ(falco.rules[1].tactics, (V{"execution", "defense-evasion"}));  // from T1610

  auto own = [](const std::string& extra) {
    return load_text("id: r1\ntitle: T\nseverity: low\nattack: [T1610]\n" + extra +
                         "condition: 'verb:get'\ntests:\n  positive: [{verb: get}]\n"
                         "  negative: [{verb: list}]\n",
                     "own.yml");
  };
  LoadResult from_table = own("");
  ASSERT_TRUE(from_table.ok()) << from_table.errors[0].text();
  EXPECT_EQ(from_table.rules[0].tactics, (V{"execution", "defense-evasion"}));
  LoadResult given = own("tactics: [Execution, execution]\n");
  ASSERT_TRUE(given.ok()) << given.errors[0].text();
  EXPECT_EQ(given.rules[0].tactics, V{"execution"});
  LoadResult bad = own("tactics: [lunch]\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.errors[0].message.find("unknown ATT&CK tactic 'lunch'"), std::string::npos)
      << bad.errors[0].text();
}

}  // namespace
}  // namespace eksir::rules
