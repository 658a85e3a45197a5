// Correlation rules on ClickHouse: each is aggregated on the server and only the rows of the
// groups that can fire are fetched; the findings must equal a run on the files, on one server and
// on two shards, and the run must have fetched fewer rows than the rules' conditions match.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "app/app.h"
#include "backend/backend.h"
#include "backend/clickhouse_fixture.h"
#include "detect/detect.h"
#include "rules/rules.h"
#include "test_paths.h"

namespace eksir {
namespace {

std::vector<std::string> correlation_rule_files() {
  std::vector<std::string> files;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(test::source_dir() + "/rules/builtin")) {
    if (e.path().extension() != ".yml") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("\ncorrelation:") != std::string::npos) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The scenarios of the built-in correlation rules' own tests (positive and negative), one file
// per scenario: the evidence the count and distinct_count rules fire on.
std::string rule_scenarios_dir() {
  static const std::string dir = [] {
    std::string d = test::ClickHouseServers::get().root + "/rule-scenarios";
    std::filesystem::create_directories(d);
    rules::LoadResult loaded = rules::load_paths(correlation_rule_files());
    simdjson::dom::parser parser;
    for (const auto& r : loaded.rules) {
      size_t n = 0;
      for (const auto* cases : {&r.positive, &r.negative})
        for (const auto& c : *cases) {
          std::ofstream out(d + "/" + r.id + "-" + std::to_string(++n) + ".jsonl");
          for (const auto& ev : c.events) out << simdjson::minify(parser.parse(ev.json)) << "\n";
        }
    }
    return d;
  }();
  return dir;
}

std::vector<std::string> evidence() {
  std::string ex = test::source_dir() + "/examples/";
  return {test::samples_dir(), ex + "incident-2026-03-14", ex + "scenarios/benign-cicd-day",
          ex + "scenarios/web-pod-miner", rule_scenarios_dir()};
}

std::string with_database(const std::string& url, const std::string& db) {
  size_t slash = url.find('/', std::string("clickhouse://").size());
  size_t query = url.find('?');
  return url.substr(0, slash + 1) + db + (query == std::string::npos ? "" : url.substr(query));
}

struct Stores {
  std::string error, single, sharded;
};

const Stores& stores() {
  static const Stores s = [] {
    Stores out;
    auto& servers = test::ClickHouseServers::get();
    if (!servers.error.empty()) {
      out.error = servers.error;
      return out;
    }
    out.single = with_database(servers.single_url, "corr");
    out.sharded = with_database(servers.sharded_url, "corr");
    for (const auto& url : {out.single, out.sharded}) {
      backend::LoadOptions o;
      o.evidence = evidence();
      o.to = url;
      o.quiet = true;
      std::ostringstream lout, lerr;
      if (int rc = app::load(o, lout, lerr); rc != 0)
        out.error = "load into " + url + " failed: " + lerr.str();
    }
    return out;
  }();
  return s;
}

struct DetectRun {
  int rc = 0;
  std::string out, err;
};

DetectRun detect_run(const std::vector<std::string>& rule_files, const std::string& on) {
  app::DetectCommand c;
  c.options.evidence = evidence();
  c.builtin = rule_files.empty();
  c.rule_paths = rule_files;
  c.options.threads = 2;
  c.options.progress = false;
  c.format = detect::Format::Ndjson;
  c.on = on;
  std::ostringstream out, err;
  DetectRun r;
  r.rc = app::detect(c, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::multiset<std::string> rule_ids(const std::string& ndjson) {
  std::multiset<std::string> ids;
  std::regex id("\"rule\":\\{\"id\":\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(ndjson.begin(), ndjson.end(), id);
       it != std::sregex_iterator(); ++it)
    ids.insert((*it)[1]);
  return ids;
}

uint64_t figure(const std::string& text) {
  std::string digits;
  for (char c : text)
    if (c != ',') digits.push_back(c);
  return std::strtoull(digits.c_str(), nullptr, 10);
}

TEST(ClickHouseCorrelation, FindingsEqualTheFilesAndOnlyFiringGroupsAreFetched) {
  const Stores& s = stores();
  ASSERT_TRUE(s.error.empty()) << s.error;
  auto files = correlation_rule_files();
  ASSERT_GE(files.size(), 7u);
  DetectRun local = detect_run(files, "");
  ASSERT_EQ(local.rc, 0) << local.err;
  // Every kind of correlation fires on this evidence.
  auto ids = rule_ids(local.out);
  for (const char* rule :
       {"eksir-k8s-auth-brute-force", "eksir-k8s-forbidden-burst", "eksir-k8s-resource-discovery",
        "eksir-k8s-seq-admin-binding-then-privileged-pod", "eksir-eks-new-source-ip",
        "eksir-k8s-new-source-ip", "eksir-k8s-new-user-agent"})
    EXPECT_GT(ids.count(rule), 0u) << rule << "\n" << local.out.substr(0, 2000);
  for (const auto& url : {s.single, s.sharded}) {
    SCOPED_TRACE(url);
    DetectRun remote = detect_run(files, url);
    EXPECT_EQ(remote.rc, local.rc) << remote.err;
    EXPECT_EQ(remote.out, local.out);
    // "N correlation rules aggregated on the server: M groups of K returned, P of R
    // matching rows pulled": the work happened on the server.
    std::smatch m;
    std::regex summary(
        "(\\d+) correlation rules aggregated on the server: ([\\d,]+) groups? of ([\\d,]+) "
        "returned, ([\\d,]+) of ([\\d,]+) matching rows pulled");
    ASSERT_TRUE(std::regex_search(remote.err, m, summary)) << remote.err;
    EXPECT_EQ(figure(m[1]), files.size());  // every one, first_seen included
    EXPECT_GT(figure(m[2]), 0u);
    EXPECT_LT(figure(m[2]), figure(m[3]));
    EXPECT_GT(figure(m[4]), 0u);
    EXPECT_LT(figure(m[4]) * 2, figure(m[5])) << remote.err;
  }
}

TEST(ClickHouseCorrelation, WholePackWithCorrelationsEqualsTheFiles) {
  const Stores& s = stores();
  ASSERT_TRUE(s.error.empty()) << s.error;
  DetectRun local = detect_run({}, "");
  ASSERT_GT(std::count(local.out.begin(), local.out.end(), '\n'), 20);
  for (const auto& url : {s.single, s.sharded}) {
    DetectRun remote = detect_run({}, url);
    EXPECT_EQ(remote.rc, local.rc) << remote.err;
    EXPECT_EQ(remote.out, local.out) << url;
  }
}

}  // namespace
}  // namespace eksir
