// End to end: `eksir investigate` on the bundled evidence, then `eksir report` on the case, in
// every format: every section, the severity the ground truth expects, every timeline line.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_paths.h"

namespace eksir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Scenario {
  std::string evidence, config, truth;
};

std::vector<Scenario> scenarios() {
  std::string ex = test::source_dir() + "/examples";
  std::vector<Scenario> out = {
      {ex + "/incident-2026-03-14", ex + "/eksir.yaml", ex + "/incident-2026-03-14.truth.json"}};
  for (const char* name : {"web-pod-miner", "benign-cicd-day"}) {
    std::string base = ex + "/scenarios/" + name;
    if (fs::exists(base) && fs::exists(base + ".truth.json"))
      out.push_back({base, base + ".eksir.yaml", base + ".truth.json"});
  }
  return out;
}

std::string expected_line(const json& t) {
  return t.at("time").get<std::string>().substr(0, 19) + "Z [" + t.at("tag").get<std::string>() +
         "] " + t.at("text").get<std::string>() + " (" + t.at("confidence").get<std::string>() +
         " confidence, " + t.at("source").get<std::string>() + ")";
}

TEST(ReportE2E, EveryScenarioReportsEverySectionSeverityAndTimelineLine) {
  for (const auto& s : scenarios()) {
    SCOPED_TRACE(s.evidence);
    std::string dir = test::temp_dir() + "/case";
    std::vector<std::string> args = {"investigate", s.evidence, "-o", dir, "-q"};
    if (fs::exists(s.config)) {
      args.push_back("--config");
      args.push_back(s.config);
    }
    auto inv = test::run_eksir(args);
    ASSERT_TRUE(inv.exit_code == 0 || inv.exit_code == 1) << inv.err;
    json incident = json::parse(slurp(fs::path(dir) / "incident.json"), nullptr, false);
    ASSERT_TRUE(incident.is_object());
    json truth = json::parse(slurp(s.truth), nullptr, false);
    std::string severity = incident["incident"].value("severity", "");
    if (truth.is_object() && truth.contains("severity")) {
      EXPECT_EQ(severity, truth["severity"].get<std::string>());
    }

    auto md = test::run_eksir({"report", dir});
    ASSERT_EQ(md.exit_code, 0) << md.err;
    for (const char* h :
         {"## 1. Incident summary", "## 2. Timeline", "## 3. Technical investigation",
          "## 4. Impact", "## 5. Containment and remediation actions", "## 6. Root cause",
          "## 7. Lessons learned and detection improvements", "## 8. Key metrics"})
      EXPECT_NE(md.out.find(h), std::string::npos) << h;
    EXPECT_NE(md.out.find("| Severity | **" + severity + "** |"), std::string::npos);
    for (const auto& c : incident["incident"]["criteria"])
      EXPECT_NE(md.out.find(c.value("criterion", "?")), std::string::npos) << c.dump();
    size_t lines = 0;
    for (const auto& t : incident["incident"]["timeline"]) {
      std::string line = expected_line(t);
      for (auto& ch : line)
        if (ch == '\n') ch = ' ';
      EXPECT_NE(md.out.find("\n" + line + "\n"), std::string::npos) << line;
      ++lines;
    }

    auto js = test::run_eksir({"report", dir, "--format", "json"});
    ASSERT_EQ(js.exit_code, 0) << js.err;
    json report = json::parse(js.out, nullptr, false);
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(report["summary"]["severity"], severity);
    EXPECT_EQ(report["timeline"]["events"].size(), lines);
    EXPECT_EQ(report["impact"]["affected"].size(), incident["incident"]["affected"].size());

    fs::path html = fs::path(dir) / "report-e2e.html";
    auto h = test::run_eksir({"report", dir, "--format", "html", "-o", html.string()});
    ASSERT_EQ(h.exit_code, 0) << h.err;
    std::string page = slurp(html);
    EXPECT_NE(page.find("<svg class=\"chart\""), std::string::npos);
    EXPECT_EQ(page.find("src=\"http"), std::string::npos);
    // The only links: the ATT&CK technique pages the rules cite.
    for (size_t a = page.find("href=\"http"); a != std::string::npos;
         a = page.find("href=\"http", a + 1))
      EXPECT_EQ(page.compare(a, 42, "href=\"https://attack.mitre.org/techniques/"), 0)
          << page.substr(a, 120);
  }
}

}  // namespace
}  // namespace eksir
