// Every scenario with a ground truth that carries an "expect" block (examples/*.truth.json,
// examples/scenarios/*.truth.json): investigate its evidence with its policy, plan containment
// and eradication, execute them against stand-ins for aws and kubectl when recovery is scored,
// plan recovery, and score it all against the truth. The item-by-item table is printed; the test
// fails below 100 % unless the truth says "pending": true, in which case it is skipped with its
// score.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "scenarios/scorer.h"
#include "test_paths.h"

namespace eksir::test::scenarios {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Scenario {
  std::string name;
  fs::path truth;
};

// gtest prints the parameter in test listings: the scenario's name, not its bytes.
void PrintTo(const Scenario& s, std::ostream* os) {
  *os << s.name;
}

std::vector<Scenario> discover() {
  std::vector<Scenario> out;
  fs::path root = fs::path(source_dir()) / "examples";
  for (const auto& dir : {root, root / "scenarios"}) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string f = entry.path().filename().string();
      if (f.size() > 11 && f.substr(f.size() - 11) == ".truth.json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      json t = json::parse(slurp(f), nullptr, false);
      if (t.is_discarded() || !t.contains("expect")) continue;
      std::string stem = f.filename().string();
      out.push_back({stem.substr(0, stem.size() - 11), f});
    }
  }
  return out;
}

std::string test_name(const ::testing::TestParamInfo<Scenario>& info) {
  std::string n;
  for (char c : info.param.name) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return n;
}

// Sets environment variables for the scope of one test.
class ScopedEnv {
 public:
  void set(const std::string& k, const std::string& v) {
    const char* before = std::getenv(k.c_str());
    saved_.push_back({k, before ? std::optional<std::string>(before) : std::nullopt});
    ::setenv(k.c_str(), v.c_str(), 1);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second)
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      else
        ::unsetenv(it->first.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

bool mentions_phase(const json& e, const std::string& phase) {
  bool found = false;
  std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_object()) {
      if (j.contains("phase") && j["phase"].is_string() &&
          j["phase"].get<std::string>().find(phase) != std::string::npos)
        found = true;
      for (const auto& [k, v] : j.items()) walk(v);
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  for (const char* k : {"plan", "plan_not", "plan_order"})
    if (e.contains(k)) walk(e[k]);
  return found;
}

class ScenarioScore : public ::testing::TestWithParam<Scenario> {};

TEST_P(ScenarioScore, MatchesTheTruth) {
  const Scenario& sc = GetParam();
  json truth = json::parse(slurp(sc.truth));
  const json& e = truth["expect"];
  fs::path dir = sc.truth.parent_path();
  fs::path evidence = dir / (e.contains("evidence") ? e["evidence"].get<std::string>() : sc.name);
  fs::path policy =
      dir / (e.contains("config") ? e["config"].get<std::string>() : sc.name + ".eksir.yaml");
  if (!fs::exists(policy)) policy = dir / "eksir.yaml";
  ASSERT_TRUE(fs::is_directory(evidence)) << evidence;
  ASSERT_TRUE(fs::exists(policy)) << policy;
  std::vector<std::string> extra;
  if (e.contains("plan_args"))
    for (const auto& a : e["plan_args"]) extra.push_back(a.get<std::string>());

  std::string tmp = temp_dir();
  std::string case_dir = tmp + "/case";
  RunResult inv = run_eksir({"investigate", evidence.string(), "--config", policy.string(), "-o",
                             case_dir, "-q", "--no-report"});
  ASSERT_NE(inv.exit_code, 2) << inv.err;
  json incident = json::parse(slurp(fs::path(case_dir) / "incident.json"), nullptr, false);
  ASSERT_FALSE(incident.is_discarded()) << "no incident.json: " << inv.err;
  // Every line's repeats: after or at its own time, each other request once, none of them itself.
  for (const auto& t : incident["incident"]["timeline"]) {
    if (!t.contains("from") || t["from"].is_null()) continue;
    EXPECT_LE(t["from"].get<std::string>(), t["time"].get<std::string>()) << t.dump();
    std::set<std::string> ids;
    for (const auto& id : t.value("also_event_ids", json::array())) {
      EXPECT_TRUE(ids.insert(id.get<std::string>()).second) << "counted twice: " << t.dump();
      EXPECT_NE(id, t["evidence"].value("event_id", "")) << "counted on itself: " << t.dump();
    }
  }

  auto plan = [&](const std::string& phase) {
    std::vector<std::string> args = {"plan",     case_dir, "--phase",  phase,
                                     "--format", "json",   "--config", policy.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = run_eksir(args);
    EXPECT_EQ(r.exit_code, 0) << "eksir plan --phase " << phase << ": " << r.err;
    json doc = json::parse(r.out, nullptr, false);
    return doc.is_discarded() ? json::object() : doc;
  };
  // As a responder goes: plan containment; when recovery is scored, carry out each phase before
  // planning the next (eradication then knows what containment did), then plan recovery.
  std::map<std::string, json> plans;
  plans["contain"] = plan("contain");
  if (!mentions_phase(e, "recover")) {
    plans["eradicate"] = plan("eradicate");
  } else {
    // Execute the phases recovery undoes against stand-ins that answer from the snapshot.
    fs::create_directories(tmp + "/bin");
    std::string script = source_dir() + "/tests/scenarios/fake_cli.py";
    for (const char* prog : {"aws", "kubectl"}) {
      std::ofstream(tmp + "/bin/" + prog)
          << "#!/bin/sh\nexec /usr/bin/python3 " << script << " " << prog << " \"$@\"\n";
      fs::permissions(tmp + "/bin/" + prog, fs::perms::owner_all);
    }
    ScopedEnv env;
    env.set("EKSIR_AWS", tmp + "/bin/aws");
    env.set("EKSIR_KUBECTL", tmp + "/bin/kubectl");
    env.set("FAKE_CLI_SNAPSHOT", (evidence / "snapshot").string());
    env.set("FAKE_CLI_LOG", tmp + "/cli-calls.jsonl");
    env.set("EKSIR_OPERATOR", "scenario-test");
    std::vector<std::string> phases = {"contain"};
    if (e.contains("recover_after")) {
      phases.clear();
      for (const auto& p : e["recover_after"]) phases.push_back(p.get<std::string>());
    }
    auto execute = [&](const std::string& phase) {
      if (std::find(phases.begin(), phases.end(), phase) == phases.end()) return;
      std::vector<std::string> args = {"respond",   case_dir, "--phase",  phase,
                                       "--execute", "--yes",  "--config", policy.string()};
      args.insert(args.end(), extra.begin(), extra.end());
      RunResult r = run_eksir(args);
      // 1 is a blocked or failed step: recovery is still planned from what ran.
      EXPECT_NE(r.exit_code, 2) << "eksir respond --phase " << phase << ": " << r.err;
    };
    execute("contain");
    plans["eradicate"] = plan("eradicate");
    execute("eradicate");
    plans["recover"] = plan("recover");
  }

  // A second investigation of the same evidence on one worker: the incident must depend neither
  // on thread timing nor on how the evidence was split among workers.
  RunResult again = run_eksir({"investigate", evidence.string(), "--config", policy.string(), "-o",
                               tmp + "/again", "-q", "--no-report", "--threads", "1"});
  json rerun = json::parse(slurp(fs::path(tmp) / "again" / "incident.json"), nullptr, false);
  Score s = score(truth, incident, plans, rerun.is_discarded() ? nullptr : &rerun);
  std::cout << table(s, sc.name) << std::flush;
  std::filesystem::remove_all(tmp);
  bool pending = e.value("pending", false);
  if (pending) {
    GTEST_SKIP() << sc.name << " is pending: " << s.overall.passed << "/" << s.overall.total << " ("
                 << static_cast<int>(s.overall.percent()) << " %)";
  }
  EXPECT_TRUE(s.complete()) << sc.name << ": " << s.overall.passed << "/" << s.overall.total
                            << " expected items met; the FAIL lines above say what is missing";
}

INSTANTIATE_TEST_SUITE_P(Truth, ScenarioScore, ::testing::ValuesIn(discover()), test_name);

}  // namespace
}  // namespace eksir::test::scenarios
