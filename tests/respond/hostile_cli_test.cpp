// `eksir plan` and `eksir respond` from the command line on hostile cases: a ClusterRoleBinding
// named like an option, the same plan from any directory, --step 0, a journal tampered to carry
// a hostile argv, a case database that cannot be read or written.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "respond/respond.h"
#include "store/store.h"
#include "test_paths.h"

namespace eksir::respond {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A case folder holding the stolen-key incident, its snapshot found from the checkout.
std::string make_case(const std::function<void(json&)>& change = {}) {
  std::string dir = test::temp_dir() + "/case";
  fs::create_directories(dir);
  json doc = json::parse(slurp(test::source_dir() + "/tests/respond/fixtures/stolen-key.json"));
  doc["run"]["cwd"] = test::source_dir();
  if (change) change(doc);
  std::ofstream(dir + "/incident.json") << doc.dump(2);
  return dir;
}

void sql(const std::string& case_dir, const std::string& statements) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((case_dir + "/case.db").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statements.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// Every word of an argv in a value position: option values and the words after "--". None may
// start with '-' (the stdin marker of --filename=- is the option's own fixed value).
std::vector<std::string> dash_values(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  bool names = false;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (names) {
      if (a.rfind('-', 0) == 0) out.push_back(a);
      continue;
    }
    if (a == "--") {
      names = true;
      continue;
    }
    if (a.rfind('-', 0) != 0) continue;  // a verb, a kind or an aws list value
    if (a.rfind("--", 0) != 0) {
      out.push_back(a);  // a single-dash word: never written by eksir
      continue;
    }
    size_t eq = a.find('=');
    if (eq != std::string::npos && a.compare(eq + 1, 1, "-") == 0 && a != "--filename=-")
      out.push_back(a);
  }
  return out;
}

TEST(RespondHostileCli, BindingNamedLikeAnOptionIsBlockedInEveryPhase) {
  const std::string hostile = "--field-selector=metadata.name!=x:y";
  std::string dir = make_case([&](json& doc) {
    for (auto& a : doc["incident"]["affected"])
      if (a["kind"] == "binding") a["name"] = hostile;
  });
  auto r = test::run_eksir({"plan", dir, "--phase", "eradicate", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json plan = json::parse(r.out);
  bool found = false;
  for (const auto& s : plan["steps"]) {
    if (s["id"] != "eradicate/delete-clusterrolebinding/" + hostile) continue;
    found = true;
    ASSERT_TRUE(s["blocked"].is_string());
    EXPECT_NE(s["blocked"].get<std::string>().find("ClusterRoleBinding name \"" + hostile +
                                                   "\" is not a valid RBAC name"),
              std::string::npos)
        << s["blocked"];
    EXPECT_TRUE(s["command"]["argv"].empty());
    EXPECT_FALSE(s.contains("capture"));
  }
  EXPECT_TRUE(found) << r.out;

  for (const char* phase : {"contain", "eradicate", "recover"}) {
    auto p = test::run_eksir(
        {"plan", dir, "--phase", phase, "--format", "json", "--trusted-cidr", "10.42.0.0/16"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    json doc = json::parse(p.out);
    for (const auto& s : doc["steps"])
      for (const json* part : {&s["command"], s.contains("capture") ? &s["capture"] : nullptr,
                               s["undo"].contains("command") ? &s["undo"]["command"] : nullptr}) {
        if (!part) continue;
        auto argv = (*part)["argv"].get<std::vector<std::string>>();
        EXPECT_EQ(dash_values(argv), std::vector<std::string>{}) << phase << " " << s["id"];
        for (const auto& a : argv) EXPECT_EQ(a.find(hostile), std::string::npos) << s["id"];
      }
  }
  // The script shows the step as blocked, and runs nothing of it.
  auto script = test::run_eksir({"plan", dir, "--phase", "eradicate", "--format", "script"});
  EXPECT_EQ(script.out.find("delete clusterrolebinding --ignore-not-found -- '--field"),
            std::string::npos);
  EXPECT_NE(script.out.find("#     BLOCKED:  unsafe to run: ClusterRoleBinding name"),
            std::string::npos);
  // respond skips it, saying why, and runs nothing.
  auto dry = test::run_eksir({"respond", dir, "--phase", "eradicate", "--kubectl", "/bin/false"});
  EXPECT_NE(dry.out.find("BLOCKED: unsafe to run: ClusterRoleBinding name"), std::string::npos)
      << dry.out;
}

TEST(RespondHostileCli, ConfirmationShowsTheArgvThatRuns) {
  const std::string name = "harmless\x1b[35D\x1b[K";
  std::string dir = make_case([&](json& doc) {
    for (auto& a : doc["incident"]["affected"])
      if (a["kind"] == "binding") a["name"] = name;
  });
  auto plan = test::run_eksir({"plan", dir, "--phase", "eradicate", "--format", "json"});
  int number = 0;
  json doc = json::parse(plan.out);
  for (const auto& s : doc["steps"])
    if (s["id"] == "eradicate/delete-clusterrolebinding/" + name) number = s["number"];
  ASSERT_GT(number, 0) << plan.out;
  // No --yes and no answer: the step is shown, asked for, declined. (/bin/false cannot say
  // which cluster it talks to: the context check is overridden.)
  auto r = test::run_eksir({"respond", dir, "--phase", "eradicate", "--execute", "--step",
                            std::to_string(number), "--kubectl", "/bin/false", "--force-context"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("command:  /bin/false delete clusterrolebinding --ignore-not-found -- "
                       "$'harmless\\x1b[35D\\x1b[K'"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
}

TEST(RespondHostileCli, SamePlanFromAnyDirectory) {
  std::string dir = test::temp_dir() + "/case";
  auto inv = test::run_eksir({"investigate", "examples/incident-2026-03-14", "-o", dir, "-q"},
                             test::source_dir());
  ASSERT_TRUE(fs::exists(dir + "/case.db")) << inv.err;
  auto plan_in = [&](const std::string& cwd) {
    auto r = test::run_eksir(
        {"plan", dir, "--phase", "contain", "--format", "json", "--trusted-cidr", "10.42.0.0/16"},
        cwd);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    j.erase("generated");
    for (auto& s : j["steps"])  // the revocation time is the time of planning
      if (s["id"].get<std::string>().rfind("contain/revoke-sessions/", 0) == 0) {
        s.erase("command");
        s.erase("expected");
      }
    return j;
  };
  json from_checkout = plan_in(test::source_dir()), from_elsewhere = plan_in(test::temp_dir()),
       from_root = plan_in("/");
  EXPECT_EQ(from_checkout, from_elsewhere);
  EXPECT_EQ(from_checkout, from_root);
  for (const auto& s : from_root["steps"]) {
    if (s["id"] != "contain/netpol/kube-system/eksir-isolate-backup-agent") continue;
    EXPECT_NE(s["warning"].get<std::string>().find("picks only the affected pod"),
              std::string::npos)
        << s["warning"];
  }
}

TEST(RespondHostileCli, StepZeroIsAUsageError) {
  std::string dir = make_case();
  for (const char* step : {"0", "-1"}) {
    auto r = test::run_eksir({"respond", dir, "--phase", "contain", "--execute", "--yes", "--step",
                              step, "--kubectl", "/bin/false", "--aws", "/bin/false"});
    EXPECT_EQ(r.exit_code, 2) << step << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("--step"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir + "/case.db"));  // nothing journaled, nothing run
}

TEST(RespondHostileCli, TamperedJournalArgvIsNotRun) {
  std::string dir = make_case();
  std::string log = test::temp_dir() + "/kubectl.log";
  std::string kubectl = test::temp_dir() + "/kubectl";
  std::ofstream(kubectl) << "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " << log << "\n";
  fs::permissions(kubectl, fs::perms::owner_all);
  store::Status st;
  auto c = store::Case::open(dir, true, st);
  ASSERT_TRUE(c) << st.error;
  store::JournalEntry e;
  e.phase = "contain";
  e.step_id = "contain/cordon/ip-10-42-11-27.ec2.internal";
  e.action = "Cordon";
  e.target = "node";
  e.undo_json = json({{"argv",
                       {"kubectl", "delete", "clusterrolebinding",
                        "--field-selector=metadata.name!=x:y", "--ignore-not-found"}},
                      {"text", "uncordon"},
                      {"permanent", false}})
                    .dump();
  ASSERT_TRUE(c->append_journal(e));
  c.reset();
  auto r = test::run_eksir(
      {"respond", dir, "--phase", "recover", "--execute", "--yes", "--kubectl", kubectl,
       "--force-context"});  // the logging kubectl cannot say which cluster it talks to
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("BLOCKED: the journal's undo command is not run"), std::string::npos)
      << r.out;
  EXPECT_EQ(slurp(log).find("clusterrolebinding"), std::string::npos);
}

// A capture that fails with bytes that are not UTF-8 on stderr (an error message naming what the
// evidence named) is journaled with them replaced, and the response goes on: it used to stop at
// that step, unjournaled, on the JSON writer's exception.
TEST(RespondHostileCli, CaptureFailingWithInvalidUtf8IsJournaledAndTheRunGoesOn) {
  std::string dir = make_case();
  std::string tmp = test::temp_dir();
  const std::string arn = "arn:aws:eks:us-east-1:111122223333:cluster/prod-payments";
  std::ofstream(tmp + "/kubectl") << "#!/bin/sh\ncase \"$*\" in\n  *'config view'*) printf '%s' "
                                     "'{\"current-context\":\""
                                  << arn << "\",\"contexts\":[{\"name\":\"" << arn
                                  << "\",\"context\":{\"cluster\":\"" << arn
                                  << "\"}}]}';;\nesac\nexit 0\n";
  std::ofstream(tmp + "/aws")
      << "#!/bin/sh\ncase \"$*\" in\n"
         "  *get-caller-identity*) echo '{\"Account\":\"111122223333\","
         "\"Arn\":\"arn:aws:iam::111122223333:user/r\"}';;\n"
         "  *list-access-keys*) printf 'no such user \\377\\n' >&2; exit 254;;\n"
         "  *) echo '{}';;\nesac\nexit 0\n";
  fs::permissions(tmp + "/kubectl", fs::perms::owner_all);
  fs::permissions(tmp + "/aws", fs::perms::owner_all);
  auto r = test::run_eksir({"respond", dir, "--phase", "contain", "--execute", "--yes", "--kubectl",
                            tmp + "/kubectl", "--aws", tmp + "/aws", "--trusted-cidr",
                            "10.42.0.0/16", "--isolation-sg", "sg-0aaaaaaaaaaaaaaaa"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  store::Status st;
  auto c = store::Case::open_readonly(dir, st);
  ASSERT_TRUE(c) << st.error;
  int failed_captures = 0;
  for (const auto& e : c->journal()) {
    if (e.captured_state.find("capture_failed") == std::string::npos) continue;
    ++failed_captures;
    json captured = json::parse(e.captured_state);
    EXPECT_EQ(captured["capture_failed"], 254);
    EXPECT_EQ(captured["stderr"], "no such user \xef\xbf\xbd\n");
    EXPECT_EQ(e.exit_status, 0) << e.step_id;  // the step itself ran
  }
  EXPECT_GE(failed_captures, 1);
}

TEST(RespondHostileCli, UnreadableCaseDatabaseStopsInsteadOfFallingBack) {
  std::string dir = make_case();
  ASSERT_EQ(test::run_eksir({"plan", dir, "--phase", "contain"}).exit_code, 0);
  sql(dir, "PRAGMA foreign_keys = OFF; DROP TABLE run_inputs; DROP TABLE runs;");
  auto plan = test::run_eksir({"plan", dir, "--phase", "contain"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out;
  EXPECT_NE(plan.err.find(dir + "/case.db: cannot read the latest run"), std::string::npos)
      << plan.err;
  EXPECT_TRUE(plan.out.empty());
  auto run = test::run_eksir({"respond", dir, "--phase", "contain", "--execute", "--yes",
                              "--kubectl", "/bin/false", "--aws", "/bin/false"});
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.err.find("case.db"), std::string::npos) << run.err;

  std::string other = make_case();
  ASSERT_EQ(test::run_eksir({"plan", other, "--phase", "contain"}).exit_code, 0);
  sql(other, "DROP TABLE journal;");
  auto recover = test::run_eksir({"respond", other, "--phase", "recover", "--execute", "--yes"});
  EXPECT_EQ(recover.exit_code, 2) << recover.out;
  EXPECT_NE(recover.err.find("cannot read the journal"), std::string::npos) << recover.err;
}

TEST(RespondHostileCli, PlanThatCannotBeSavedExits2) {
  std::string dir = make_case();
  ASSERT_EQ(test::run_eksir({"plan", dir, "--phase", "contain"}).exit_code, 0);
  sql(dir,
      "CREATE TRIGGER refuse BEFORE INSERT ON plans BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  auto r = test::run_eksir({"plan", dir, "--phase", "contain"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir + "/case.db"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("could not be saved"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace eksir::respond
