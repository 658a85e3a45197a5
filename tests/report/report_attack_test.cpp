// The report's MITRE ATT&CK section: the incident's techniques (incident::attack_view) with their
// names, tactics, findings, severity and criteria, in Markdown, HTML and JSON; a link to
// attack.mitre.org only for a well-formed technique id, every other id shown as escaped text.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "report/report.h"
#include "rules/rules.h"

namespace eksir::report {
namespace {

using nlohmann::json;

detect::Finding finding(std::string id, std::string title, detect::Severity sev,
                        std::vector<std::string> attack) {
  detect::Finding f;
  f.id = std::move(id);
  f.rule_id = "r-" + f.id;
  f.title = std::move(title);
  f.severity = sev;
  f.attack = std::move(attack);
  f.tactics = rules::tactics_for({}, f.attack);
  return f;
}

const char* const kHostileId = "T1098\"><script>alert(1)</script>";

ReportInput input() {
  ReportInput in;
  incident::Investigation inv;
  inv.run.case_id = "INC-A";
  incident::Incident& inc = inv.incident;
  inc.id = "INC-A";
  inc.title = "Cluster-admin for a stolen key";
  inc.severity = incident::Level::Critical;
  inv.findings.push_back(
      finding("F1", "Binding grants cluster-admin", detect::Severity::Critical, {"T1098.006"}));
  inv.findings.push_back(
      finding("F2", "Privileged pod", detect::Severity::High, {"T1611", kHostileId}));
  inc.findings = {"F1", "F2"};
  incident::Criterion admin;
  admin.level = incident::Level::Critical;
  admin.id = "critical.cluster_admin";
  incident::Evidence e;
  e.text = "binding";
  e.finding = "F1";
  admin.evidence.push_back(e);
  inc.criteria.push_back(admin);
  in.incident = std::move(inv);
  in.generated = parse_time("2026-03-14T12:00:00Z");
  return in;
}

std::string render(Format f) {
  std::ostringstream out;
  write(input(), f, out);
  return out.str();
}

TEST(ReportAttack, RulesNameTechniquesTitleTacticsAndLinkOnlyTechniqueIds) {
  EXPECT_EQ(rules::technique_name("T1098.006"), "Account Manipulation");
  EXPECT_EQ(rules::technique_name("T1611"), "Escape to Host");
  EXPECT_EQ(rules::technique_name("T9999"), "");
  EXPECT_EQ(rules::tactic_display_name("privilege-escalation"), "Privilege Escalation");
  EXPECT_EQ(rules::tactic_display_name("command-and-control"), "Command and Control");
  EXPECT_EQ(rules::technique_url("T1098.006"), "https://attack.mitre.org/techniques/T1098/006/");
  EXPECT_EQ(rules::technique_url("T1611"), "https://attack.mitre.org/techniques/T1611/");
  EXPECT_EQ(rules::technique_url(kHostileId), "");
  EXPECT_EQ(rules::technique_url("javascript:alert(1)"), "");
}

TEST(ReportAttack, MarkdownTableWithNamesTacticsCriteriaAndLinks) {
  std::string md = render(Format::Markdown);
  size_t at = md.find("### MITRE ATT&CK");
  ASSERT_NE(at, std::string::npos) << md;
  std::string section = md.substr(at, md.find("### Key evidence", at) - at);
  EXPECT_NE(section.find("Tactics: Persistence → Privilege Escalation"), std::string::npos)
      << section;
  EXPECT_NE(
      section.find("| [T1098.006](https://attack.mitre.org/techniques/T1098/006/) | "
                   "Account Manipulation | Persistence, Privilege Escalation | 1 | critical | "
                   "critical.cluster\\_admin | Binding grants cluster-admin |"),
      std::string::npos)
      << section;
  EXPECT_NE(section.find("[T1611](https://attack.mitre.org/techniques/T1611/) | Escape to Host"),
            std::string::npos)
      << section;
  // The id that is not one is a code span (literal text in every renderer), not a link.
  EXPECT_NE(section.find("| `T1098\"><script>alert(1)</script>` | — |"), std::string::npos)
      << section;
  EXPECT_EQ(section.find("](javascript"), std::string::npos) << section;
  EXPECT_NE(section.find("--format navigator"), std::string::npos);
}

TEST(ReportAttack, HtmlTableLinksTechniquesAndEscapesTheRest) {
  std::string html = render(Format::Html);
  size_t at = html.find("<h3>MITRE ATT&amp;CK</h3>");
  ASSERT_NE(at, std::string::npos);
  std::string section = html.substr(at, html.find("<h3>Key evidence", at) - at);
  EXPECT_NE(section.find("<table class=\"sortable\" id=\"attack\">"), std::string::npos);
  EXPECT_NE(section.find("<a href=\"https://attack.mitre.org/techniques/T1098/006/\" "
                         "rel=\"noopener noreferrer\"><code>T1098.006</code></a>"),
            std::string::npos)
      << section;
  EXPECT_EQ(section.find("<script>"), std::string::npos);
  EXPECT_NE(section.find("&lt;script&gt;"), std::string::npos) << section;
  EXPECT_EQ(section.find("href=\"T1098"), std::string::npos);
  // One link per well-formed id: T1098.006 and T1611.
  size_t links = 0;
  for (size_t p = section.find("<a href="); p != std::string::npos;
       p = section.find("<a href=", p + 1))
    ++links;
  EXPECT_EQ(links, 2u);
}

TEST(ReportAttack, JsonCarriesTacticsAndTechniques) {
  json doc = json::parse(render(Format::Json));
  const json& attack = doc["investigation"]["attack"];
  EXPECT_EQ(attack["tactics"][0], "persistence");
  bool found = false;
  for (const auto& t : attack["techniques"])
    if (t["technique"] == "T1098.006") {
      found = true;
      EXPECT_EQ(t["name"], "Account Manipulation");
      EXPECT_EQ(t["findings"], 1);
      EXPECT_EQ(t["severity"], "critical");
      EXPECT_EQ(t["criteria"], json::array({"critical.cluster_admin"}));
      EXPECT_EQ(t["titles"], json::array({"Binding grants cluster-admin"}));
    }
  EXPECT_TRUE(found) << attack.dump(1);
}

TEST(ReportAttack, AnIncidentWithoutTechniquesSaysSo) {
  ReportInput in = input();
  for (auto& f : in.incident->findings) {
    f.attack.clear();
    f.tactics.clear();
  }
  std::ostringstream md;
  write(in, Format::Markdown, md);
  EXPECT_NE(md.str().find("No finding of this incident cites an ATT&CK technique or tactic."),
            std::string::npos);
}

}  // namespace
}  // namespace eksir::report
