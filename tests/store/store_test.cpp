// The case store through its API: runs, notes, plans, the journal, case status.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_helpers.h"
#include "test_paths.h"

namespace eksir::store {
namespace {

std::unique_ptr<Case> create(const std::string& dir) {
  Status st;
  auto c = Case::open(dir, true, st);
  EXPECT_TRUE(c) << st.error;
  return c;
}

TEST(StoreRun, SmokeCreateSaveReopen) {
  std::string dir = eksir::test::temp_dir() + "/INC-1";
  auto c = create(dir);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->schema_version(), kSchemaVersion);
  EXPECT_EQ(c->dir(), dir);
  EXPECT_FALSE(c->latest_run());
  EXPECT_EQ(c->latest_incident_json(), "");
  EXPECT_TRUE(std::filesystem::exists(dir + "/case.db"));

  auto run = test::sample_run(1);
  ASSERT_TRUE(c->save_run(run));
  EXPECT_EQ(run.id, 1);
  c.reset();

  Status st;
  c = Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  auto latest = c->latest_run();
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, 1);
  EXPECT_EQ(latest->incident_json, run.incident_json);
  CaseInfo info = c->info();
  EXPECT_EQ(info.id, "INC-1");
  EXPECT_EQ(info.status, "open");
  EXPECT_EQ(info.title, run.title);
  EXPECT_EQ(info.severity, "Critical");
  EXPECT_EQ(info.runs, 1);
  EXPECT_EQ(info.findings, 3);
  EXPECT_NE(info.created, kNoTime);
  EXPECT_GE(info.updated, info.created);
}

TEST(StoreRun, RoundTripKeepsEveryField) {
  auto c = create(eksir::test::temp_dir() + "/case");
  ASSERT_TRUE(c);
  auto run = test::sample_run(7);
  run.findings[1].json = std::string("{\"bytes\":\"\xe2\x9c\x93 \\u0000 nul\"}");
  run.timeline[0].text = std::string("with a \0 inside", 15);
  ASSERT_TRUE(c->save_run(run));
  auto back = c->load_run(run.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->started, run.started);
  EXPECT_EQ(back->finished, run.finished);
  EXPECT_EQ(back->tool_version, run.tool_version);
  EXPECT_EQ(back->operator_name, run.operator_name);
  EXPECT_EQ(back->incident_id, run.incident_id);
  EXPECT_EQ(back->title, run.title);
  EXPECT_EQ(back->severity, run.severity);
  EXPECT_EQ(back->incident_json, run.incident_json);
  ASSERT_EQ(back->inputs.size(), 2u);
  EXPECT_EQ(back->inputs[1].path, run.inputs[1].path);
  EXPECT_EQ(back->inputs[1].sha256, run.inputs[1].sha256);
  EXPECT_EQ(back->inputs[1].size, 4096u);
  EXPECT_EQ(back->rule_sources, run.rule_sources);
  ASSERT_EQ(back->findings.size(), run.findings.size());
  for (size_t i = 0; i < run.findings.size(); ++i) {
    EXPECT_EQ(back->findings[i].id, run.findings[i].id);
    EXPECT_EQ(back->findings[i].rule_id, run.findings[i].rule_id);
    EXPECT_EQ(back->findings[i].severity, run.findings[i].severity);
    EXPECT_EQ(back->findings[i].title, run.findings[i].title);
    EXPECT_EQ(back->findings[i].first_seen, run.findings[i].first_seen);
    EXPECT_EQ(back->findings[i].last_seen, run.findings[i].last_seen);
    EXPECT_EQ(back->findings[i].json, run.findings[i].json);
  }
  EXPECT_EQ(back->finding_count, 3);
  ASSERT_EQ(back->entities.size(), 2u);
  EXPECT_EQ(back->entities[1].key, "pod:kube-system/backup-agent");
  EXPECT_EQ(back->entities[1].ns, "kube-system");
  ASSERT_EQ(back->timeline.size(), 2u);
  EXPECT_EQ(back->timeline[0].time, run.timeline[0].time);
  EXPECT_EQ(back->timeline[0].text, run.timeline[0].text);
  EXPECT_EQ(back->timeline[0].evidence_json, run.timeline[0].evidence_json);
  EXPECT_EQ(back->timeline[1].time, kNoTime);
  EXPECT_EQ(back->timeline[1].tag, "DETECTION");
  EXPECT_FALSE(c->load_run(99));

  auto summaries = c->runs();
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].incident_json, "");
  EXPECT_EQ(summaries[0].inputs.size(), 2u);
  EXPECT_EQ(summaries[0].finding_count, 3);
}

TEST(StoreRun, RerunAddsARunAndKeepsNotesAndJournal) {
  std::string dir = eksir::test::temp_dir() + "/case";
  auto c = create(dir);
  ASSERT_TRUE(c);
  auto first = test::sample_run(1, 2);
  ASSERT_TRUE(c->save_run(first));
  Note n{0, kNoTime, "bob", "key owner on holiday; not him"};
  ASSERT_TRUE(c->add_note(n));
  EXPECT_GT(n.id, 0);
  EXPECT_NE(n.time, kNoTime);
  JournalEntry j;
  j.phase = "contain";
  j.step_id = "contain.deactivate-key";
  j.action = "deactivate access key";
  j.argv = {"aws", "iam", "update-access-key", "--status", "Inactive"};
  ASSERT_TRUE(c->append_journal(j));
  c.reset();

  Status st;
  c = Case::open(dir, true, st);  // the second `investigate` on the same -o
  ASSERT_TRUE(c) << st.error;
  auto second = test::sample_run(2, 4);
  second.findings[3].id = "f-new";
  ASSERT_TRUE(c->save_run(second));
  EXPECT_EQ(second.id, first.id + 1);

  auto notes = c->notes();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].text, n.text);
  EXPECT_EQ(notes[0].author, "bob");
  ASSERT_EQ(c->journal().size(), 1u);
  EXPECT_EQ(c->journal()[0].argv, j.argv);
  EXPECT_EQ(c->runs().size(), 2u);
  EXPECT_EQ(c->latest_run()->id, second.id);
  EXPECT_EQ(c->latest_incident_json(), second.incident_json);
  CaseInfo info = c->info();
  EXPECT_EQ(info.runs, 2);
  EXPECT_EQ(info.findings, 4);
  EXPECT_EQ(info.notes, 1);
  EXPECT_EQ(info.journal, 1);
  EXPECT_EQ(info.title, second.title);
  EXPECT_EQ(info.severity, "High");
  // The first run is still there, whole.
  auto old = c->load_run(first.id);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->findings.size(), 2u);
  // Latest view of each finding id: f-0..f-2 from run 2 and f-new.
  auto latest = c->latest_findings();
  ASSERT_EQ(latest.size(), 4u);
  for (const auto& f : latest) EXPECT_NE(f.title.find("of run 2"), std::string::npos) << f.title;
}

TEST(StoreJournal, KeepsOrderOfExecutionAndEveryField) {
  auto c = create(eksir::test::temp_dir() + "/case");
  ASSERT_TRUE(c);
  for (int i = 0; i < 5; ++i) {
    JournalEntry j;
    j.phase = i < 3 ? "contain" : "recover";
    j.step_id = "step-" + std::to_string(i);
    j.action = "cordon";
    j.target = "node/ip-10-42-11-27";
    j.argv = {"kubectl", "cordon", "ip-10-42-11-27", "arg with \"quotes\" and \\"};
    j.manifest = i == 1 ? "apiVersion: v1\nkind: NetworkPolicy\n" : "";
    j.started = 1000 + i;
    j.finished = i == 4 ? kNoTime : 2000 + i;
    j.exit_status = i == 2 ? 1 : 0;
    j.stdout_text = "node cordoned";
    j.stderr_text = i == 2 ? "error: forbidden" : "";
    j.operator_name = "carol";
    j.captured_state = R"({"unschedulable":false})";
    j.undo_json = R"({"argv":["kubectl","uncordon"]})";
    j.dry_run = i % 2 == 0;
    ASSERT_TRUE(c->append_journal(j));
    EXPECT_EQ(j.id, i + 1);
  }
  auto all = c->journal();
  ASSERT_EQ(all.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    const auto& j = all[i];
    EXPECT_EQ(j.id, i + 1);
    EXPECT_EQ(j.step_id, "step-" + std::to_string(i));
    EXPECT_EQ(j.phase, i < 3 ? "contain" : "recover");
    EXPECT_EQ(j.argv.size(), 4u);
    EXPECT_EQ(j.argv[3], "arg with \"quotes\" and \\");
    EXPECT_EQ(j.started, 1000 + i);
    EXPECT_EQ(j.finished, i == 4 ? kNoTime : 2000 + i);
    EXPECT_EQ(j.exit_status, i == 2 ? 1 : 0);
    EXPECT_EQ(j.stderr_text, i == 2 ? "error: forbidden" : "");
    EXPECT_EQ(j.operator_name, "carol");
    EXPECT_EQ(j.captured_state, R"({"unschedulable":false})");
    EXPECT_EQ(j.undo_json, R"({"argv":["kubectl","uncordon"]})");
    EXPECT_EQ(j.dry_run, i % 2 == 0);
  }
  EXPECT_EQ(all[1].manifest, "apiVersion: v1\nkind: NetworkPolicy\n");
}

TEST(StoreJournal, EmptyOperatorIsTheEnvironmentsOperator) {
  auto c = create(eksir::test::temp_dir() + "/case");
  ASSERT_TRUE(c);
  JournalEntry j;
  ASSERT_TRUE(c->append_journal(j));
  EXPECT_EQ(j.operator_name, operator_name());
  EXPECT_FALSE(j.operator_name.empty());
}

TEST(StorePlan, LatestPlanPerPhase) {
  auto c = create(eksir::test::temp_dir() + "/case");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->latest_plan("contain"), "");
  ASSERT_TRUE(c->save_plan("contain", R"({"v":1})"));
  ASSERT_TRUE(c->save_plan("recover", R"({"r":1})"));
  ASSERT_TRUE(c->save_plan("contain", R"({"v":2})"));
  EXPECT_EQ(c->latest_plan("contain"), R"({"v":2})");
  EXPECT_EQ(c->latest_plan("recover"), R"({"r":1})");
  EXPECT_EQ(c->latest_plan("eradicate"), "");
  EXPECT_FALSE(c->save_plan("", "{}"));
}

TEST(StoreNote, RejectsEmptyTextAndKeepsOrder) {
  auto c = create(eksir::test::temp_dir() + "/case");
  ASSERT_TRUE(c);
  Note empty;
  EXPECT_FALSE(c->add_note(empty));
  for (int i = 0; i < 3; ++i) {
    Note n{0, 5000 - i, "", "note " + std::to_string(i)};
    ASSERT_TRUE(c->add_note(n));
    EXPECT_EQ(n.author, operator_name());
  }
  auto notes = c->notes();
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0].text, "note 0");
  EXPECT_EQ(notes[2].time, 4998);
}

TEST(StoreCase, CloseAndReopen) {
  auto c = create(eksir::test::temp_dir() + "/case");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->reopen());  // not closed
  ASSERT_TRUE(c->close("contained and recovered", 1773478040000000000LL));
  CaseInfo info = c->info();
  EXPECT_EQ(info.status, "closed");
  EXPECT_EQ(info.closed, 1773478040000000000LL);
  EXPECT_EQ(info.close_reason, "contained and recovered");
  Status again = c->close("again");
  EXPECT_FALSE(again);
  EXPECT_NE(again.error.find("already closed"), std::string::npos);
  ASSERT_TRUE(c->reopen());
  info = c->info();
  EXPECT_EQ(info.status, "open");
  EXPECT_EQ(info.closed, kNoTime);
  EXPECT_EQ(info.close_reason, "");
}

TEST(StoreCase, OpenWithoutCreateNamesTheDirectory) {
  std::string dir = eksir::test::temp_dir() + "/nothing-here";
  Status st;
  EXPECT_FALSE(Case::open(dir, false, st));
  EXPECT_FALSE(st);
  EXPECT_NE(st.error.find(dir), std::string::npos) << st.error;
  EXPECT_FALSE(std::filesystem::exists(dir + "/case.db"));
}

TEST(StoreCase, ListNewestFirstWithUnreadableCasesShown) {
  std::string root = eksir::test::temp_dir();
  for (std::string id : {"INC-A", "INC-B"}) {
    auto c = create(root + "/" + id);
    ASSERT_TRUE(c);
    auto run = test::sample_run(id == "INC-A" ? 1 : 2);
    ASSERT_TRUE(c->save_run(run));
  }
  std::filesystem::create_directories(root + "/not-a-case");
  std::filesystem::create_directories(root + "/broken");
  {
    std::FILE* f = std::fopen((root + "/broken/case.db").c_str(), "w");
    ASSERT_TRUE(f);
    std::fputs("this is not SQLite, it is a text file long enough to have a header.........", f);
    std::fclose(f);
  }
  auto cases = list_cases(root);
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[0].id, "INC-B");
  EXPECT_EQ(cases[1].id, "INC-A");
  EXPECT_EQ(cases[2].id, "broken");
  EXPECT_EQ(cases[2].status, "error");
  EXPECT_NE(cases[2].error.find("broken/case.db"), std::string::npos) << cases[2].error;
  EXPECT_TRUE(list_cases(root + "/missing").empty());
}

TEST(StoreCase, RootResolveAndOperatorFromEnvironment) {
  ::setenv("EKSIR_CASES", "/tmp/eksir-cases-root", 1);
  EXPECT_EQ(default_case_root(), "/tmp/eksir-cases-root");
  EXPECT_EQ(resolve_case("INC-9"), "/tmp/eksir-cases-root/INC-9");
  std::string dir = eksir::test::temp_dir();
  EXPECT_EQ(resolve_case(dir), dir);
  EXPECT_EQ(resolve_case("some/relative/path"), "some/relative/path");
  ::unsetenv("EKSIR_CASES");
  EXPECT_EQ(default_case_root(), "eksir-cases");
  ::setenv("EKSIR_OPERATOR", "dave", 1);
  EXPECT_EQ(operator_name(), "dave");
  ::unsetenv("EKSIR_OPERATOR");
  EXPECT_FALSE(operator_name().empty());
}

}  // namespace
}  // namespace eksir::store
