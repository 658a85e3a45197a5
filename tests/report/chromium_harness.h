// Headless Chromium for the report's browser tests (report_chromium_test.cpp,
// report_layout_chromium_test.cpp): finding it, running it with a time limit, its console
// messages and the network requests a page made. Artifacts (screenshots, DOMs,
// net logs) go under BUILD_DIR/test-artifacts/report/.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_paths.h"

namespace eksir::test::chromium {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// $EKSIR_CHROMIUM, else Debian's or Google's; "" when there is none.
inline std::string find_chromium() {
  if (const char* env = std::getenv("EKSIR_CHROMIUM")) return env;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

// Runs argv with stdout and stderr to files; kills it after timeout. Returns
// the exit code, or -1 when it could not be started or timed out.
inline int run(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err,
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

inline std::vector<std::string> args(const std::string& chromium, const fs::path& profile) {
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
inline std::vector<std::string> console_lines(const std::string& stderr_text) {
  std::vector<std::string> out;
  std::istringstream in(stderr_text);
  for (std::string line; std::getline(in, line);)
    if (line.find(":CONSOLE") != std::string::npos) out.push_back(line);
  return out;
}

// Network requests made on behalf of the page (its network isolation key is the
// file:// site), to anything but file: and data: URLs. The browser's own
// background requests are not the page's and are left out.
inline std::vector<std::string> page_requests(const fs::path& netlog) {
  using nlohmann::json;
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

inline fs::path artifacts() {
  fs::path dir = fs::path(test::eksir_binary()).parent_path() / "test-artifacts" / "report";
  fs::create_directories(dir);
  return dir;
}

// Why Chromium cannot render a blank page here ("" when it can): a test skips rather than fails
// on a machine whose sandbox will not run it. Every file and profile is the test's own (`name`),
// since two Chromium processes on one profile directory refuse to start (ctest -j).
inline std::string cannot_start(const std::string& chromium, const std::string& name) {
  fs::path dir = artifacts();
  fs::path blank = dir / ("blank-" + name + ".html");
  std::ofstream(blank) << "<!DOCTYPE html><title>blank</title><p>ok</p>\n";
  auto argv = args(chromium, dir / ("profile-probe-" + name));
  argv.push_back("--dump-dom");
  argv.push_back("file://" + fs::absolute(blank).string());
  fs::path out = dir / ("probe-" + name + ".out"), err = dir / ("probe-" + name + ".err");
  int rc = run(argv, out, err);
  if (rc == 0 && slurp(out).find("<p>ok</p>") != std::string::npos) return "";
  return "exit " + std::to_string(rc) + ": " + slurp(err).substr(0, 1500);
}

}  // namespace eksir::test::chromium
