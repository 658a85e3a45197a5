// End to end: `eksir case ...` on cases written through the store's API.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>

#include "store/store.h"
#include "store/store_helpers.h"
#include "test_paths.h"

namespace eksir::store {
namespace {

using eksir::test::run_eksir;

std::string make_case(const std::string& root, const std::string& id, int runs) {
  std::string dir = root + "/" + id;
  Status st;
  auto c = Case::open(dir, true, st);
  EXPECT_TRUE(c) << st.error;
  for (int i = 1; i <= runs; ++i) {
    auto run = test::sample_run(i, 2 + i);
    EXPECT_TRUE(c->save_run(run));
  }
  JournalEntry j;
  j.phase = "contain";
  j.step_id = "contain.cordon";
  j.action = "cordon node";
  j.target = "ip-10-42-11-27.ec2.internal";
  j.argv = {"kubectl", "cordon", "ip-10-42-11-27.ec2.internal"};
  j.started = 1773480000000000000LL;
  j.dry_run = true;
  EXPECT_TRUE(c->append_journal(j));
  return dir;
}

TEST(CaseCli, ShowPrintsHeaderRunsIncidentNotesAndJournal) {
  std::string root = eksir::test::temp_dir();
  std::string dir = make_case(root, "INC-20260314-3f9a1c", 2);
  auto note =
      run_eksir({"case", "note", dir, "key owner confirmed it was not him", "--author", "bob"});
  ASSERT_EQ(note.exit_code, 0) << note.err;
  auto r = run_eksir({"case", "show", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* want :
       {"Case INC-20260314-3f9a1c", "Stolen key, run 2", "status    open", "severity  High",
        "Runs (2)", "RUN", "INPUTS", "FINDINGS", "Incident (run 2)",
        "Critical  Unauthorized access to cluster-admin credentials (2 evidence)",
        "used from 203.0.113.45, run 2", "Notes (1)", "bob: key owner confirmed it was not him",
        "Journal (1)", "contain.cordon", "dry-run", "2026-03-14T09:20:00.000Z"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
}

TEST(CaseCli, ShowJsonIsValidAndComplete) {
  std::string root = eksir::test::temp_dir();
  std::string dir = make_case(root, "INC-J", 1);
  auto r = run_eksir({"case", "show", dir, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(std::string_view(doc["case"]["id"]), "INC-J");
  EXPECT_EQ(int64_t(doc["case"]["runs"]), 1);
  EXPECT_EQ(std::string_view(doc["runs"].at(0)["started"]), "2026-03-14T08:47:21.000Z");
  EXPECT_EQ(int64_t(doc["runs"].at(0)["findings"]), 3);
  EXPECT_EQ(int64_t(doc["runs"].at(0)["inputs"]), 2);
  EXPECT_EQ(std::string_view(doc["incident"]["severity"]), "Critical");
  EXPECT_EQ(std::string_view(doc["incident"]["criteria"].at(0)["id"]), "critical.cluster_admin");
  EXPECT_EQ(std::string_view(doc["journal"].at(0)["argv"].at(0)), "kubectl");
  EXPECT_TRUE(bool(doc["journal"].at(0)["dry_run"]));
}

TEST(CaseCli, ListTableAndJsonUnderRootAndEnvironment) {
  std::string root = eksir::test::temp_dir();
  make_case(root, "INC-OLDER", 1);
  make_case(root, "INC-NEWER", 3);
  auto r = run_eksir({"case", "list", "--root", root});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto header = r.out.substr(0, r.out.find('\n'));
  for (const char* col :
       {"ID", "STATUS", "SEVERITY", "TITLE", "RUNS", "FINDINGS", "NOTES", "UPDATED"})
    EXPECT_NE(header.find(col), std::string::npos) << header;
  auto newer = r.out.find("INC-NEWER"), older = r.out.find("INC-OLDER");
  ASSERT_NE(newer, std::string::npos) << r.out;
  ASSERT_NE(older, std::string::npos) << r.out;
  EXPECT_LT(newer, older);

  auto j = run_eksir({"case", "list", "--root", root, "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(j.out).get(doc), simdjson::SUCCESS) << j.out;
  simdjson::dom::array cases = doc["cases"];
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(std::string_view(cases.at(0)["id"]), "INC-NEWER");
  EXPECT_EQ(int64_t(cases.at(0)["runs"]), 3);
  EXPECT_EQ(int64_t(cases.at(0)["findings"]), 5);

  auto empty = run_eksir({"case", "list", "--root", root + "/none"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_NE(empty.err.find("no cases"), std::string::npos) << empty.err;
}

TEST(CaseCli, CloseReopenAndIdsUnderTheCaseRoot) {
  std::string root = eksir::test::temp_dir();
  std::string dir = make_case(root, "INC-C", 1);
  ::setenv("EKSIR_CASES", root.c_str(), 1);  // inherited by the child
  auto close = run_eksir({"case", "close", "INC-C", "--reason", "contained; key rotated"});
  EXPECT_EQ(close.exit_code, 0) << close.err;
  auto show = run_eksir({"case", "show", "INC-C"});
  EXPECT_NE(show.out.find("status    closed"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("contained; key rotated"), std::string::npos) << show.out;
  auto again = run_eksir({"case", "close", "INC-C", "--reason", "x"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already closed"), std::string::npos) << again.err;
  auto reopen = run_eksir({"case", "reopen", "INC-C"});
  EXPECT_EQ(reopen.exit_code, 0) << reopen.err;
  ::unsetenv("EKSIR_CASES");
  Status st;
  auto c = Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  EXPECT_EQ(c->info().status, "open");
}

TEST(CaseCli, ErrorsNameTheCaseAndExitTwo) {
  std::string root = eksir::test::temp_dir();
  auto missing = run_eksir({"case", "show", root + "/INC-NOPE"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find(root + "/INC-NOPE"), std::string::npos) << missing.err;

  std::filesystem::create_directories(root + "/bad");
  std::ofstream(root + "/bad/case.db") << std::string(2048, 'z');
  auto bad = run_eksir({"case", "show", root + "/bad"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(root + "/bad/case.db"), std::string::npos) << bad.err;
  auto list = run_eksir({"case", "list", "--root", root});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("error"), std::string::npos) << list.out;

  std::string dir = make_case(root, "INC-E", 1);
  auto no_reason = run_eksir({"case", "close", dir});
  EXPECT_EQ(no_reason.exit_code, 2);
  auto empty_note = run_eksir({"case", "note", dir, ""});
  EXPECT_EQ(empty_note.exit_code, 2);
  auto fmt = run_eksir({"case", "show", dir, "--format", "xml"});
  EXPECT_EQ(fmt.exit_code, 2);
}

TEST(CaseCli, ShowSurvivesAnUnreadableIncidentDocument) {
  std::string dir = eksir::test::temp_dir() + "/INC-U";
  Status st;
  auto c = Case::open(dir, true, st);
  ASSERT_TRUE(c) << st.error;
  auto run = test::sample_run(1);
  run.incident_json = "{\"incident\": [truncated";
  ASSERT_TRUE(c->save_run(run));
  auto r = run_eksir({"case", "show", dir});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("unreadable"), std::string::npos) << r.out;
  auto j = run_eksir({"case", "show", dir, "--format", "json"});
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(j.out).get(doc), simdjson::SUCCESS) << j.out;
}

}  // namespace
}  // namespace eksir::store
