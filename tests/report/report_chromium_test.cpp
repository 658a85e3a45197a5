// The HTML report opened in headless Chromium: it renders with no console
// message and no network request, its sorting script runs under the page's
// Content-Security-Policy, and hostile evidence text stays text. Screenshots,
// the DOM and the net log are kept under BUILD_DIR/test-artifacts/report/.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "report/chromium_harness.h"
#include "report/fixture_input.h"
#include "report/report.h"
#include "test_paths.h"

namespace eksir {
namespace {

namespace fs = std::filesystem;
using test::chromium::artifacts;
using test::chromium::console_lines;
using test::chromium::find_chromium;
using test::chromium::page_requests;
using test::chromium::run;
using test::chromium::slurp;
using test::report_fixture::fixture_input;
using test::report_fixture::kHostile;

struct Opened {
  std::string dom, console, problem;
  std::vector<std::string> requests;
  bool started = false;
};

// Renders the page to a screenshot (with a net log) and to its DOM.
Opened open_page(const std::string& chromium, const fs::path& html, const std::string& name) {
  Opened o;
  fs::path dir = artifacts();
  fs::path png = dir / (name + ".png"), netlog = dir / (name + "-netlog.json");
  fs::remove(png);
  auto shot = test::chromium::args(chromium, dir / ("profile-" + name));
  shot.push_back("--window-size=1200,6000");
  shot.push_back("--screenshot=" + png.string());
  shot.push_back("--log-net-log=" + netlog.string());
  shot.push_back("file://" + fs::absolute(html).string());
  int rc = run(shot, dir / (name + "-screenshot.out"), dir / (name + "-screenshot.err"));
  std::string err = slurp(dir / (name + "-screenshot.err"));
  if (rc != 0 || !fs::exists(png)) {
    o.problem = "chromium exited " + std::to_string(rc) + ": " +
                err.substr(err.size() > 2000 ? err.size() - 2000 : 0);
    return o;
  }
  o.started = true;
  std::string head = slurp(png).substr(0, 8);
  if (head != "\x89PNG\r\n\x1a\n") o.problem = "the screenshot is not a PNG";
  o.requests = page_requests(netlog);
  for (const auto& l : console_lines(err)) o.console += l + "\n";

  auto dump = test::chromium::args(chromium, dir / ("profile-" + name));
  dump.push_back("--dump-dom");
  dump.push_back("file://" + fs::absolute(html).string());
  rc = run(dump, dir / (name + ".dom.html"), dir / (name + "-dom.err"));
  o.dom = slurp(dir / (name + ".dom.html"));
  for (const auto& l : console_lines(slurp(dir / (name + "-dom.err")))) o.console += l + "\n";
  if (rc != 0) o.problem += " dump-dom exited " + std::to_string(rc);
  return o;
}

class ReportChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty())
      GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs "
                      "Debian's chromium)";
    // A blank page first: if that does not render, Chromium cannot run in this
    // sandbox.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (std::string why = test::chromium::cannot_start(chromium_, name); !why.empty())
      GTEST_SKIP() << "chromium cannot start here (" << why << ")";
  }
  std::string chromium_;
};

TEST_F(ReportChromium, RendersWithoutConsoleErrorsOrNetworkRequests) {
  fs::path html = artifacts() / "report.html";
  {
    std::ofstream out(html);
    report::write(fixture_input(), report::Format::Html, out);
  }
  Opened o = open_page(chromium_, html, "report");
  ASSERT_TRUE(o.started) << o.problem;
  EXPECT_TRUE(o.problem.empty()) << o.problem;
  EXPECT_TRUE(o.console.empty()) << o.console;
  EXPECT_TRUE(o.requests.empty()) << o.requests.front();
  // The sorting script ran (it titles every sortable header), so the policy let
  // it run.
  EXPECT_NE(o.dom.find("title=\"Sort\""), std::string::npos);
  EXPECT_NE(o.dom.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_NE(o.dom.find("<svg class=\"graph\""), std::string::npos);
  EXPECT_NE(o.dom.find("[RESPONSE] contain: isolate-pod — kube-system/backup-agent"),
            std::string::npos);
  std::cout << "screenshot: " << (artifacts() / "report.png").string() << "\n";
}

TEST_F(ReportChromium, HostileEvidenceStaysText) {
  report::ReportInput in = fixture_input();
  auto& inc = in.incident->incident;
  inc.title = std::string("T ") + kHostile;
  inc.timeline[0].text = kHostile;
  inc.affected[0].name = kHostile;
  inc.entities[0].name = kHostile;
  in.notes[0].text = std::string("impact: ") + kHostile;
  in.journal[0].target = kHostile;
  fs::path html = artifacts() / "hostile.html";
  {
    std::ofstream out(html);
    report::write(in, report::Format::Html, out);
  }
  Opened o = open_page(chromium_, html, "hostile");
  ASSERT_TRUE(o.started) << o.problem;
  EXPECT_TRUE(o.console.empty()) << o.console;
  EXPECT_TRUE(o.requests.empty()) << o.requests.front();
  EXPECT_EQ(o.dom.find("data-pwned=\"1\""), std::string::npos) << "injected script ran";
  EXPECT_EQ(o.dom.find("<title>PWNED"), std::string::npos);
  EXPECT_EQ(o.dom.find("<img"), std::string::npos);
  EXPECT_NE(o.dom.find("title=\"Sort\""), std::string::npos);
}

// The biggest example, investigated by the built CLI and reported from its case.
TEST_F(ReportChromium, RealCaseRendersWithoutNetwork) {
  fs::path dir = artifacts() / "case-incident-2026-03-14";
  fs::remove_all(dir);
  std::string ex = test::source_dir() + "/examples";
  auto inv = test::run_eksir({"investigate", ex + "/incident-2026-03-14", "--config",
                              ex + "/eksir.yaml", "-o", dir.string(), "-q"});
  ASSERT_TRUE(inv.exit_code == 0 || inv.exit_code == 1) << inv.err;
  fs::path html = artifacts() / "incident-2026-03-14.html";
  auto rep = test::run_eksir({"report", dir.string(), "--format", "html", "-o", html.string()});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  Opened o = open_page(chromium_, html, "incident-2026-03-14");
  ASSERT_TRUE(o.started) << o.problem;
  EXPECT_TRUE(o.problem.empty()) << o.problem;
  EXPECT_TRUE(o.console.empty()) << o.console;
  EXPECT_TRUE(o.requests.empty()) << o.requests.front();
  EXPECT_NE(o.dom.find("title=\"Sort\""), std::string::npos);
  EXPECT_NE(o.dom.find("<svg class=\"graph\""), std::string::npos);
}

// The checks above would see a console error and an external request if there were one.
TEST_F(ReportChromium, HarnessSeesConsoleErrorsAndExternalRequests) {
  fs::path html = artifacts() / "bad.html";
  std::ofstream(html) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>bad</title>"
                         "</head><body><img src=\"http://example.invalid/x.png\">"
                         "<script>console.error('boom')</script></body></html>\n";
  Opened o = open_page(chromium_, html, "bad");
  ASSERT_TRUE(o.started) << o.problem;
  EXPECT_NE(o.console.find("boom"), std::string::npos) << o.console;
  ASSERT_FALSE(o.requests.empty());
  EXPECT_EQ(o.requests.front(), "http://example.invalid/x.png");
}

}  // namespace
}  // namespace eksir
