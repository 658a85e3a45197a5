// The HTML report opened in headless Chromium: it renders with no console
// message and no network request, its sorting script runs under the page's
// Content-Security-Policy, and hostile evidence text stays text. Screenshots,
// the DOM and the net log are kept under BUILD_DIR/test-artifacts/report/.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "report/report.h"
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

std::string find_chromium() {
  if (const char* env = std::getenv("EKSIR_CHROMIUM")) return env;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

// Runs argv with stdout and stderr to files; kills it after timeout. Returns
// the exit code, or -1 when it could not be started or timed out.
int run(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err,
        int timeout_seconds = 90) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::setpgid(0, 0);
    FILE* o = std::freopen(out.c_str(), "w", stdout);
    FILE* e = std::freopen(err.c_str(), "w", stderr);
    if (!o || !e) ::_exit(126);
    std::vector<char*> args;
    std::vector<std::string> copy = argv;
    for (auto& a : copy) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> chromium_args(const std::string& chromium, const fs::path& profile) {
  return {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
          "--enable-logging=stderr", "--v=0",
          // Any name lookup fails, so a request that slips past the page's
          // policy cannot leave the machine; the net log still records it.
          "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=3000",
          "--user-data-dir=" + profile.string()};
}

// Console messages the page produced (Chromium logs them as "...:CONSOLE..."
// lines).
std::vector<std::string> console_lines(const std::string& stderr_text) {
  std::vector<std::string> out;
  std::istringstream in(stderr_text);
  for (std::string line; std::getline(in, line);)
    if (line.find(":CONSOLE") != std::string::npos) out.push_back(line);
  return out;
}

// Network requests made on behalf of the page (its network isolation key is the
// file:// site), to anything but file: and data: URLs. The browser's own
// background requests are not the page's and are left out.
std::vector<std::string> page_requests(const fs::path& netlog) {
  std::vector<std::string> out;
  std::string text = slurp(netlog);
  json log = json::parse(text, nullptr, false);
  if (log.is_discarded()) {
    // Chromium killed before it closed the log leaves the events array open.
    log = json::parse(text + "]}", nullptr, false);
  }
  if (log.is_discarded() || !log.contains("events")) {
    out.push_back("(net log unreadable: " + netlog.string() + ")");
    return out;
  }
  for (const auto& e : log["events"]) {
    if (!e.is_object() || !e.contains("params") || !e["params"].is_object()) continue;
    const auto& p = e["params"];
    if (!p.contains("url") || !p["url"].is_string()) continue;
    std::string url = p["url"];
    if (url.starts_with("file:") || url.starts_with("data:") || url.starts_with("about:") ||
        url.starts_with("chrome"))
      continue;
    std::string nik = p.contains("network_isolation_key") && p["network_isolation_key"].is_string()
                          ? p["network_isolation_key"].get<std::string>()
                          : "";
    if (nik.find("file://") != std::string::npos) out.push_back(url);
  }
  return out;
}

fs::path artifacts() {
  fs::path dir = fs::path(test::eksir_binary()).parent_path() / "test-artifacts" / "report";
  fs::create_directories(dir);
  return dir;
}

report::ReportInput fixture_input() {
  report::ReportInput in;
  std::string error;
  EXPECT_TRUE(report::parse_incident(
      slurp(test::source_dir() + "/tests/report/fixtures/incident-2026-03-14.json"), in.incident,
      error));
  in.info.dir = "cases/INC-20260314-3f9a1c";
  in.info.status = "open";
  store::JournalEntry j;
  j.id = 1;
  j.phase = "contain";
  j.action = "isolate-pod";
  j.target = "kube-system/backup-agent";
  j.argv = {"kubectl", "apply", "-f", "-"};
  j.started = parse_time("2026-03-14T09:47:00Z");
  j.finished = parse_time("2026-03-14T09:47:02Z");
  j.operator_name = "alice";
  j.stdout_text = "networkpolicy.networking.k8s.io/isolate-backup-agent created";
  in.journal.push_back(j);
  store::Note n;
  n.time = parse_time("2026-03-14T10:05:00Z");
  n.author = "carol";
  n.text = "root cause: the key leaked from the old Jenkins host";
  in.notes.push_back(n);
  return in;
}

const char* const kHostile =
    "</script><script>document.body.setAttribute('data-pwned','1')</script>"
    "<img src=x onerror=\"document.title='PWNED'\"><img "
    "src=\"https://evil.example/p.png\">"
    "<style>body{display:none}</style><!-- ]]> \"' &amp;";

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
  auto shot = chromium_args(chromium, dir / ("profile-" + name));
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

  auto dump = chromium_args(chromium, dir / ("profile-" + name));
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
    // Tests run in parallel (ctest -j): every file and profile of the probe is the test's own,
    // since two Chromium processes on one profile directory refuse to start.
    fs::path dir = artifacts();
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::path blank = dir / ("blank-" + name + ".html");
    std::ofstream(blank) << "<!DOCTYPE html><title>blank</title><p>ok</p>\n";
    auto args = chromium_args(chromium_, dir / ("profile-probe-" + name));
    args.push_back("--dump-dom");
    args.push_back("file://" + fs::absolute(blank).string());
    fs::path out = dir / ("probe-" + name + ".out"), err = dir / ("probe-" + name + ".err");
    int rc = run(args, out, err);
    if (rc != 0 || slurp(out).find("<p>ok</p>") == std::string::npos)
      GTEST_SKIP() << "chromium cannot start here (exit " << rc
                   << "): " << slurp(err).substr(0, 1500);
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
