// The report of a case in the store: `eksir report` in each format and the reports
// `eksir investigate` writes into the case directory.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/report.h"
#include "store/store.h"
#include "test_paths.h"

namespace eksir {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A case holding the fixture incident, one note and one journal entry.
std::string make_case() {
  std::string dir = test::temp_dir() + "/INC-20260314-3f9a1c";
  store::Status st;
  auto c = store::Case::open(dir, true, st);
  EXPECT_TRUE(c) << st.error;
  if (!c) return dir;
  store::RunRecord run;
  run.started = parse_time("2026-11-27T23:40:00Z");
  run.finished = parse_time("2026-11-27T23:40:01Z");
  run.tool_version = "test";
  run.operator_name = "alice";
  run.incident_id = "INC-20260314-3f9a1c";
  run.title = "Stolen IAM access key of ci-deployer used to gain cluster-admin on prod-payments";
  run.severity = "Critical";
  run.incident_json = slurp(test::source_dir() + "/tests/report/fixtures/incident-2026-03-14.json");
  run.findings.push_back({"f1", "eksir-k8s-cluster-admin-binding", "critical",
                          "cluster-admin bound", kNoTime, kNoTime, "{}"});
  run.findings.push_back(
      {"f2", "eksir-ct-new-access-key", "high", "access key created", kNoTime, kNoTime, "{}"});
  EXPECT_TRUE(c->save_run(run)) << dir;
  store::Note n;
  n.time = parse_time("2026-03-14T10:05:00Z");
  n.author = "carol";
  n.text = "root cause: the key leaked from the old Jenkins host";
  EXPECT_TRUE(c->add_note(n));
  store::JournalEntry j;
  j.phase = "contain";
  j.step_id = "contain/isolate-pod/kube-system/backup-agent";
  j.action = "isolate-pod";
  j.target = "kube-system/backup-agent";
  j.argv = {"kubectl", "apply", "-f", "-"};
  j.started = parse_time("2026-03-14T09:47:00Z");
  j.finished = parse_time("2026-03-14T09:47:02Z");
  j.operator_name = "alice";
  j.stdout_text = "networkpolicy.networking.k8s.io/isolate-backup-agent created\n";
  EXPECT_TRUE(c->append_journal(j));
  return dir;
}

TEST(ReportCase, CommandWritesEachFormat) {
  std::string dir = make_case();
  auto md = test::run_eksir({"report", dir});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("| Severity | **Critical** |"), std::string::npos);
  EXPECT_NE(md.out.find("[RESPONSE] contain: isolate-pod — kube-system/backup-agent"),
            std::string::npos);
  EXPECT_NE(md.out.find("the key leaked from the old Jenkins host"), std::string::npos);
  EXPECT_NE(md.out.find("| Contained | 2026-03-14T09:47:02Z"), std::string::npos);

  fs::path html = fs::path(dir) / "out.html";
  auto h = test::run_eksir({"report", dir, "--format", "html", "-o", html.string()});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  std::string page = slurp(html);
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(page.find("<svg class=\"graph\""), std::string::npos);

  auto j = test::run_eksir({"report", dir, "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["summary"]["severity"], "Critical");
  EXPECT_EQ(doc["actions"]["actions"].size(), 1u);
  // The runs table counts each run's findings as stored (it once said 0 for every run).
  ASSERT_EQ(doc["investigation"]["runs"].size(), 1u);
  EXPECT_EQ(doc["investigation"]["runs"][0]["findings"], 2);
}

// A journaled argv holding a name with terminal escapes is reported as the exact bash words that
// ran, the escape shown, never the raw byte.
TEST(ReportCase, JournaledArgvIsShownExactly) {
  std::string dir = make_case();
  store::Status st;
  auto c = store::Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  store::JournalEntry j;
  j.phase = "eradicate";
  j.step_id = "eradicate/delete-clusterrolebinding/x";
  j.argv = {"kubectl",
            "delete",
            "clusterrolebinding",
            "--ignore-not-found",
            "--",
            "harmless\x1b[35D\x1b[K"};
  j.started = j.finished = parse_time("2026-03-14T10:00:00Z");
  ASSERT_TRUE(c->append_journal(j));
  c.reset();
  auto r = test::run_eksir({"report", dir, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["actions"]["actions"].size(), 2u);
  EXPECT_EQ(doc["actions"]["actions"][1]["command"],
            "kubectl delete clusterrolebinding --ignore-not-found -- $'harmless\\x1b[35D\\x1b[K'");
}

TEST(ReportCase, UsageAndCaseErrorsExitTwo) {
  std::string dir = make_case();
  EXPECT_EQ(test::run_eksir({"report", dir, "--format", "pdf"}).exit_code, 2);
  auto missing = test::run_eksir({"report", test::temp_dir() + "/no-such-case"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_FALSE(missing.err.empty());
  // A case without an investigation has nothing to report yet.
  std::string empty = test::temp_dir() + "/empty-case";
  store::Status st;
  ASSERT_TRUE(store::Case::open(empty, true, st)) << st.error;
  auto e = test::run_eksir({"report", empty});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_NE(e.err.find("no investigation"), std::string::npos) << e.err;
}

TEST(ReportCase, WriteCaseReportsWritesMarkdownAndHtml) {
  std::string dir = make_case();
  std::string error;
  ASSERT_TRUE(report::write_case_reports(dir, error)) << error;
  std::string md = slurp(fs::path(dir) / "report.md");
  std::string html = slurp(fs::path(dir) / "report.html");
  EXPECT_NE(md.find("## 8. Key metrics"), std::string::npos);
  EXPECT_NE(html.find("<h2>8. Key metrics</h2>"), std::string::npos);
  EXPECT_FALSE(fs::exists(fs::path(dir) / "report.md.tmp"));
  EXPECT_FALSE(report::write_case_reports(test::temp_dir() + "/nothing-here", error));
  EXPECT_FALSE(error.empty());
}

// investigate hands the reports the incident it parsed while saving the run: the reports are
// the ones the stored case gives.
TEST(ReportCase, ReportsFromAnIncidentParsedAheadAreTheStoredCasesReports) {
  std::string dir = make_case();
  std::string error;
  report::ReportInput stored_input;
  {
    auto in = report::load_case(dir, error);
    ASSERT_TRUE(in) << error;
    stored_input = std::move(*in);
  }
  std::optional<incident::Investigation> incident;
  ASSERT_TRUE(report::parse_incident(
      slurp(test::source_dir() + "/tests/report/fixtures/incident-2026-03-14.json"), incident,
      error));
  auto ahead = report::load_case(dir, error, incident);
  ASSERT_TRUE(ahead) << error;
  stored_input.generated = ahead->generated = parse_time("2026-03-14T12:00:00Z");
  for (auto f : {report::Format::Markdown, report::Format::Html, report::Format::Json}) {
    std::ostringstream a, b;
    report::write(stored_input, f, a);
    report::write(*ahead, f, b);
    EXPECT_EQ(a.str(), b.str()) << report::format_extension(f);
  }
  ASSERT_TRUE(report::write_case_reports(dir, error, incident)) << error;
  std::ostringstream md;
  report::write(stored_input, report::Format::Markdown, md);
  std::string written = slurp(fs::path(dir) / "report.md");
  // Equal but for the instant each was generated.
  auto without_generated = [](std::string s) {
    size_t p = s.find("Generated ");
    if (p != std::string::npos) s.erase(p, s.find(' ', p + 10) - p);
    return s;
  };
  EXPECT_EQ(without_generated(written), without_generated(md.str()));
}

}  // namespace
}  // namespace eksir
