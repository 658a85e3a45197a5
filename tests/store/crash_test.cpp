// A run killed in the middle of writing leaves the case as it was before that run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "store/store.h"
#include "store/store_helpers.h"
#include "test_paths.h"

namespace eksir::store {
namespace {

std::string create_with_one_run(RunRecord& first) {
  std::string dir = eksir::test::temp_dir() + "/case";
  Status st;
  auto c = Case::open(dir, true, st);
  EXPECT_TRUE(c) << st.error;
  first = test::sample_run(1, 5);
  EXPECT_TRUE(c->save_run(first));
  Note n{0, kNoTime, "alice", "written before the crash"};
  EXPECT_TRUE(c->add_note(n));
  return dir;
}

void expect_first_run_intact(const std::string& dir, const RunRecord& first) {
  Status st;
  auto c = Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  auto latest = c->latest_run();
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, first.id);
  EXPECT_EQ(latest->incident_json, first.incident_json);
  EXPECT_EQ(c->runs().size(), 1u);
  EXPECT_EQ(c->info().findings, 5);
  EXPECT_EQ(c->info().title, first.title);
  ASSERT_EQ(c->notes().size(), 1u);
  auto whole = c->load_run(first.id);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->findings.size(), 5u);
  // And the case takes a new run.
  auto next = test::sample_run(3, 2);
  EXPECT_TRUE(c->save_run(next));
  EXPECT_EQ(c->runs().size(), 2u);
}

// The child writes a large run inside an open transaction with a tiny page cache, so SQLite
// has already overwritten pages of case.db (a hot journal beside it) when the child is killed.
TEST(StoreCrash, KilledMidTransactionLeavesThePreviousRun) {
  RunRecord first;
  std::string dir = create_with_one_run(first);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(ready[0]);
    sqlite3* db = nullptr;
    if (sqlite3_open((dir + "/case.db").c_str(), &db) != SQLITE_OK) ::_exit(3);
    sqlite3_exec(db, "PRAGMA cache_size = 2; PRAGMA synchronous = FULL; BEGIN IMMEDIATE", nullptr,
                 nullptr, nullptr);
    sqlite3_exec(db,
                 "INSERT INTO runs (saved, title, severity, incident_json) "
                 "VALUES (1, 'half-written', 'Critical', '{}')",
                 nullptr, nullptr, nullptr);
    std::string big(4000, 'x');
    for (int i = 0; i < 2000; ++i) {
      std::string sql =
          "INSERT INTO findings (run_id, seq, finding_id, json) VALUES ((SELECT max(id) FROM "
          "runs), " +
          std::to_string(i) + ", 'f-" + std::to_string(i) + "', '" + big + "')";
      sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    }
    sqlite3_exec(db, "UPDATE case_meta SET title = 'half-written'", nullptr, nullptr, nullptr);
    char c = 1;
    if (::write(ready[1], &c, 1) != 1) ::_exit(4);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  // The transaction has spilled into the database file: a hot journal is beside it.
  EXPECT_TRUE(std::filesystem::exists(dir + "/case.db-journal"));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  expect_first_run_intact(dir, first);
}

// save_run itself, killed at whatever point it has reached.
TEST(StoreCrash, SaveRunKilledAtRandomPointsNeverLeavesAPartialRun) {
  for (int round = 0; round < 4; ++round) {
    RunRecord first;
    std::string dir = create_with_one_run(first);
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(ready[0]);
      Status st;
      auto c = Case::open(dir, false, st);
      if (!c) ::_exit(3);
      char b = 1;
      if (::write(ready[1], &b, 1) != 1) ::_exit(4);
      for (int n = 2;; ++n) {
        auto run = test::sample_run(n, 20000);
        run.title = "run with " + std::to_string(run.findings.size()) + " findings";
        if (!c->save_run(run)) ::_exit(5);
      }
    }
    ::close(ready[1]);
    char b = 0;
    ASSERT_EQ(::read(ready[0], &b, 1), 1);
    ::close(ready[0]);
    ::usleep(50000 + round * 120000);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round << " status " << status;

    Status st;
    auto c = Case::open(dir, false, st);
    ASSERT_TRUE(c) << st.error;
    auto runs = c->runs();
    ASSERT_GE(runs.size(), 1u);
    EXPECT_EQ(runs[0].id, first.id);
    for (size_t i = 1; i < runs.size(); ++i) EXPECT_EQ(runs[i].finding_count, 20000);
    CaseInfo info = c->info();
    EXPECT_EQ(info.runs, static_cast<int64_t>(runs.size()));
    EXPECT_EQ(info.title, runs.back().title);
    ASSERT_EQ(c->notes().size(), 1u);
  }
}

}  // namespace
}  // namespace eksir::store
