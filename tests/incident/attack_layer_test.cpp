// The incident's ATT&CK: techniques each once with their tactics, scored by the findings and the
// criteria that cite them, in incident.json, the summary and the ATT&CK Navigator layer
// (`eksir report CASE --format navigator`).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "incident/incident.h"
#include "test_paths.h"

namespace eksir::incident {
namespace {

using nlohmann::json;

detect::Finding finding(std::string id, std::string title, detect::Severity sev,
                        std::vector<std::string> attack, std::vector<std::string> tactics = {}) {
  detect::Finding f;
  f.id = std::move(id);
  f.rule_id = "r-" + f.id;
  f.title = std::move(title);
  f.severity = sev;
  f.attack = std::move(attack);
  f.tactics = tactics.empty() ? rules::tactics_for({}, f.attack) : std::move(tactics);
  return f;
}

Evidence cites(std::string finding) {
  Evidence e;
  e.text = "evidence of " + finding;
  e.finding = std::move(finding);
  return e;
}

Investigation synthetic() {
  Investigation inv;
  inv.run.case_id = "INC-T";
  Incident& inc = inv.incident;
  inc.id = "INC-T";
  inc.title = "Cluster-admin for a stolen key";
  inc.severity = Level::Critical;
  // A rule that repeats its techniques, as the issue saw: T1098, T1098.006, T1098, T1098.006.
  inv.findings.push_back(finding("F1", "ClusterRoleBinding to cluster-admin \x1b[2J\xE2\x80\xAE",
                                 detect::Severity::Critical,
                                 {"T1098", "T1098.006", "T1098", "T1098.006"}));
  inv.findings.push_back(finding("F2", "Access entry with AmazonEKSClusterAdminPolicy",
                                 detect::Severity::High, {"T1098.006"},
                                 {"persistence", "privilege-escalation"}));
  inv.findings.push_back(
      finding("F3", "Privileged pod", detect::Severity::High, {"T1610", "T1611"}));
  inv.findings.push_back(
      finding("F4", "CI deploys a pod", detect::Severity::Medium, {"T1610", "T1059"}));
  inv.findings.push_back(finding("F5", "GuardDuty: malicious IP caller", detect::Severity::High, {},
                                 {"credential-access"}));
  inv.findings.push_back(finding("F6", "Lead only", detect::Severity::High, {"T1496"}));
  inc.findings = {"F1", "F2", "F3", "F4", "F5"};  // F6 is a lead's
  Benign ci;
  ci.finding = "F4";
  ci.title = "CI deploys a pod";
  ci.kind = "cicd";
  inc.likely_benign.push_back(ci);
  Criterion admin;
  admin.level = Level::Critical;
  admin.id = "critical.cluster_admin";
  admin.evidence.push_back(cites("F1"));
  admin.evidence.push_back(cites("F2"));
  inc.criteria.push_back(admin);
  Criterion pods;
  pods.level = Level::High;
  pods.id = "high.privileged_pods";
  pods.evidence.push_back(cites("F3"));
  inc.criteria.push_back(pods);
  return inv;
}

TEST(AttackView, TechniquesOnceWithTheirTacticsAndScores) {
  AttackView v = attack_view(synthetic());
  std::vector<std::string> ids;
  for (const auto& t : v.techniques) ids.push_back(t.id);
  // Matrix order of the first tactic, then id; the benign finding's T1059 and the lead's T1496
  // are not the incident's.
  EXPECT_EQ(ids, (std::vector<std::string>{"T1610", "T1098", "T1098.006", "T1611"}));
  EXPECT_EQ(v.tactics, (std::vector<std::string>{"execution", "persistence", "privilege-escalation",
                                                 "defense-evasion", "credential-access"}));
  auto at = [&](const std::string& id) {
    return *std::find_if(v.techniques.begin(), v.techniques.end(),
                         [&](const AttackTechnique& t) { return t.id == id; });
  };
  AttackTechnique sub = at("T1098.006");
  EXPECT_EQ(sub.findings, (std::vector<std::string>{"F1", "F2"}));
  EXPECT_EQ(sub.criteria, std::vector<std::string>{"critical.cluster_admin"});
  EXPECT_EQ(sub.score(), 3u);
  EXPECT_EQ(sub.severity, detect::Severity::Critical);
  EXPECT_EQ(sub.tactics, (std::vector<std::string>{"persistence", "privilege-escalation"}));
  EXPECT_EQ(at("T1098").findings, std::vector<std::string>{"F1"});
  AttackTechnique deploy = at("T1610");
  EXPECT_EQ(deploy.findings, std::vector<std::string>{"F3"});  // F4 is likely benign
  EXPECT_EQ(deploy.tactics, (std::vector<std::string>{"execution", "defense-evasion"}));
  EXPECT_EQ(deploy.score(), 2u);
}

TEST(AttackView, TheNavigatorLayerIsFormat45WithVisibleComments) {
  json layer = json::parse(navigator_layer(synthetic()));
  EXPECT_EQ(layer["versions"]["layer"], "4.5");
  EXPECT_EQ(layer["domain"], "enterprise-attack");
  EXPECT_TRUE(layer["name"].get<std::string>().starts_with("eksir INC-T"));
  EXPECT_FALSE(layer["description"].get<std::string>().empty());
  ASSERT_TRUE(layer["gradient"]["colors"].is_array());
  EXPECT_EQ(layer["gradient"]["maxValue"], 3);
  ASSERT_TRUE(layer["legendItems"].is_array());
  EXPECT_EQ(layer["legendItems"].size(), 2u);  // critical and high
  std::map<std::string, json> by_id;
  for (const auto& t : layer["techniques"]) {
    std::string id = t["techniqueID"];
    EXPECT_FALSE(by_id.count(id)) << "twice: " << id;
    by_id[id] = t;
    EXPECT_EQ(t["enabled"], true);
  }
  ASSERT_EQ(by_id.size(), 4u);  // T1098 is cited itself: its own entry unfolds T1098.006
  const json& sub = by_id["T1098.006"];
  EXPECT_EQ(sub["score"], 3);
  EXPECT_EQ(sub["color"], by_id["T1098"]["color"]);  // both critical
  std::string comment = sub["comment"];
  // The evidence's title through the sanitizer: the escape and the bidi override as text.
  EXPECT_NE(comment.find("ClusterRoleBinding to cluster-admin \\x1b[2J\\u202e"), std::string::npos)
      << comment;
  EXPECT_EQ(comment.find('\x1b'), std::string::npos);
  EXPECT_NE(comment.find("; Access entry with AmazonEKSClusterAdminPolicy"), std::string::npos);
  bool tactics = false;
  for (const auto& m : sub["metadata"]) {
    EXPECT_TRUE(m["name"].is_string() && m["value"].is_string()) << m.dump();
    if (m["name"] == "tactics") tactics = m["value"] == "persistence, privilege-escalation";
  }
  EXPECT_TRUE(tactics) << sub.dump();
  // T1098 is cited itself, so it carries both its score and the unfolding of T1098.006.
  EXPECT_EQ(by_id["T1098"]["showSubtechniques"], true);
  EXPECT_EQ(by_id["T1098"]["score"], 2);
}

// The bundled example incident: its JSON and its layer name the same techniques.
TEST(AttackView, TheExampleIncidentInJsonSummaryAndLayer) {
  std::string ex = test::source_dir() + "/examples/";
  std::string dir = test::temp_dir() + "/case";
  auto r = test::run_eksir({"investigate", ex + "incident-2026-03-14", "--config",
                            ex + "eksir.yaml", "-o", dir, "--format", "json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  const json& attack = doc["incident"]["attack"];
  ASSERT_TRUE(attack["techniques"].is_array()) << doc["incident"].dump().substr(0, 500);
  std::set<std::string> findings;
  for (const auto& f : doc["findings"]) {
    ASSERT_TRUE(f["tactics"].is_array()) << f.dump();
    std::set<std::string> once;
    for (const auto& t : f["attack"]) EXPECT_TRUE(once.insert(t).second) << f.dump();
    findings.insert(f["id"].get<std::string>());
  }
  std::set<std::string> techniques;
  for (const auto& t : attack["techniques"]) {
    EXPECT_TRUE(techniques.insert(t["id"].get<std::string>()).second) << t.dump();
    EXPECT_FALSE(t["tactics"].empty()) << t.dump();
    EXPECT_GE(t["score"].get<int>(), 1);
    for (const auto& f : t["findings"]) EXPECT_TRUE(findings.count(f)) << f;
  }
  // The stolen key's path: cluster-admin granted (T1098.006), a privileged pod deployed (T1610)
  // and an escape to the node (T1611).
  for (const char* want : {"T1098.006", "T1610", "T1611"})
    EXPECT_TRUE(techniques.count(want)) << want << " in " << attack.dump();
  std::set<std::string> tactics;
  for (const auto& t : attack["tactics"]) tactics.insert(t);
  for (const char* want : {"execution", "persistence", "privilege-escalation"})
    EXPECT_TRUE(tactics.count(want)) << want;

  // The layer from the case: the same techniques, and nothing else but unfoldings.
  auto l = test::run_eksir({"report", dir, "--format", "navigator"});
  ASSERT_EQ(l.exit_code, 0) << l.err;
  json layer = json::parse(l.out);
  EXPECT_EQ(layer["versions"]["layer"], "4.5");
  EXPECT_EQ(layer["domain"], "enterprise-attack");
  std::set<std::string> scored;
  for (const auto& t : layer["techniques"]) {
    if (!t.contains("score")) {
      EXPECT_EQ(t["showSubtechniques"], true) << t.dump();
      continue;
    }
    scored.insert(t["techniqueID"].get<std::string>());
    EXPECT_FALSE(t["comment"].get<std::string>().empty());
    EXPECT_TRUE(t["color"].get<std::string>().starts_with("#"));
  }
  EXPECT_EQ(scored, techniques);
  // -o writes the same layer.
  std::string file = test::temp_dir() + "/layer.json";
  auto o = test::run_eksir({"report", dir, "--format", "navigator", "-o", file});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), l.out);

  // The summary lists the tactics with their techniques.
  auto text = test::run_eksir(
      {"investigate", ex + "incident-2026-03-14", "--config", ex + "eksir.yaml", "-o", dir, "-q"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  size_t at = text.out.find("\nATT&CK (");
  ASSERT_NE(at, std::string::npos) << text.out;
  std::string section = text.out.substr(at, text.out.find("\n\n", at + 1) - at);
  EXPECT_NE(section.find("\n  persistence "), std::string::npos) << section;
  EXPECT_NE(section.find("T1098.006"), std::string::npos) << section;
  EXPECT_EQ(section.find("T1098.006, T1098.006"), std::string::npos) << section;
}

}  // namespace
}  // namespace eksir::incident
