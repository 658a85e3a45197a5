// Schema versions: a fresh or empty database is migrated forward, a newer one is refused, and a
// file that is not a case database is a clear error.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/migrations.h"
#include "store/store.h"
#include "test_paths.h"

namespace eksir::store {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Runs sql on a database file outside the store.
void raw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  std::string error = msg ? msg : "";
  sqlite3_free(msg);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << error;
}

int64_t raw_int(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

TEST(StoreMigration, TheLastMigrationIsTheSchemaVersion) {
  auto list = migrations();
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list.back().version, kSchemaVersion);
  for (size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i].version, static_cast<int>(i) + 1);
}

TEST(StoreMigration, EmptyFileIsMigratedToTheCurrentVersion) {
  std::string dir = eksir::test::temp_dir();
  std::ofstream(dir + "/case.db").close();  // zero bytes: SQLite's empty database, version 0
  Status st;
  auto c = Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  EXPECT_EQ(c->schema_version(), kSchemaVersion);
  c.reset();
  EXPECT_EQ(raw_int(dir + "/case.db", "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(raw_int(dir + "/case.db", "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(raw_int(dir + "/case.db", "SELECT count(*) FROM case_meta"), 1);
}

TEST(StoreMigration, NewerDatabaseIsRefusedWithTheVersions) {
  std::string dir = eksir::test::temp_dir();
  {
    Status st;
    ASSERT_TRUE(Case::open(dir, true, st)) << st.error;
  }
  raw(dir + "/case.db", "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  Status st;
  EXPECT_FALSE(Case::open(dir, false, st));
  EXPECT_NE(st.error.find(dir + "/case.db"), std::string::npos) << st.error;
  EXPECT_NE(st.error.find("newer eksir"), std::string::npos) << st.error;
  EXPECT_NE(st.error.find("schema version " + std::to_string(kSchemaVersion + 1)),
            std::string::npos)
      << st.error;
  // Refusing changed nothing.
  EXPECT_EQ(raw_int(dir + "/case.db", "PRAGMA user_version"), kSchemaVersion + 1);
}

TEST(StoreMigration, AnotherProgramsDatabaseIsRefused) {
  std::string dir = eksir::test::temp_dir();
  raw(dir + "/case.db", "CREATE TABLE customers (id INTEGER, name TEXT)");
  Status st;
  EXPECT_FALSE(Case::open(dir, false, st));
  EXPECT_NE(st.error.find("not an eksir case database"), std::string::npos) << st.error;
  EXPECT_EQ(raw_int(dir + "/case.db", "SELECT count(*) FROM sqlite_master"), 1);

  std::string other = eksir::test::temp_dir();
  raw(other + "/case.db", "PRAGMA application_id = 42; CREATE TABLE t (x)");
  EXPECT_FALSE(Case::open(other, false, st));
  EXPECT_NE(st.error.find("another program"), std::string::npos) << st.error;
}

TEST(StoreMigration, CorruptFileIsAClearError) {
  std::string dir = eksir::test::temp_dir();
  {
    std::ofstream f(dir + "/case.db", std::ios::binary);
    for (int i = 0; i < 200; ++i) f << "garbage, not a database ";
  }
  Status st;
  EXPECT_FALSE(Case::open(dir, false, st));
  EXPECT_NE(st.error.find(dir + "/case.db"), std::string::npos) << st.error;
  EXPECT_NE(st.error.find("not a database"), std::string::npos) << st.error;

  // A real case with its pages overwritten past the header.
  std::string dir2 = eksir::test::temp_dir();
  {
    auto c = Case::open(dir2, true, st);
    ASSERT_TRUE(c) << st.error;
  }
  {
    std::fstream f(dir2 + "/case.db", std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(100);
    for (int i = 0; i < 4000; ++i) f.put(static_cast<char>(0xA5));
  }
  auto c = Case::open(dir2, false, st);
  if (c) {
    // Whatever SQLite still reads, nothing crashes and writes report the damage.
    c->info();
    c->runs();
    c->notes();
    Note n{0, kNoTime, "x", "y"};
    c->add_note(n);
  } else {
    EXPECT_NE(st.error.find(dir2 + "/case.db"), std::string::npos) << st.error;
  }
}

TEST(StoreMigration, RunnerAppliesOnlyMissingStepsInOrder) {
  std::string path = eksir::test::temp_dir() + "/t.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const Migration v1[] = {{1, "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"}};
  EXPECT_EQ(migrate(db, v1), "");
  // A binary one version later: the same list plus one entry.
  const Migration v2[] = {v1[0], {2, "ALTER TABLE a ADD COLUMN y TEXT DEFAULT 'two';"}};
  EXPECT_EQ(migrate(db, v2), "");
  EXPECT_EQ(migrate(db, v2), "");  // idempotent
  sqlite3_close(db);
  EXPECT_EQ(raw_int(path, "PRAGMA user_version"), 2);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM a WHERE y = 'two'"), 1);
  // The older binary now refuses it.
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_NE(migrate(db, v1).find("newer eksir"), std::string::npos);
  sqlite3_close(db);
}

TEST(StoreMigration, FailedStepLeavesThePreviousVersion) {
  std::string path = eksir::test::temp_dir() + "/t.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const Migration list[] = {{1, "CREATE TABLE a (x INTEGER);"},
                            {2, "CREATE TABLE b (x INTEGER); CREATE TABLE a (dup INTEGER);"}};
  std::string e = migrate(db, list);
  EXPECT_NE(e.find("schema version 2"), std::string::npos) << e;
  sqlite3_close(db);
  EXPECT_EQ(raw_int(path, "PRAGMA user_version"), 1);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 0);
}

TEST(StoreMigration, RunRecordsItsPolicy) {
  std::string dir = eksir::test::temp_dir();
  Status st;
  auto c = Case::open(dir, true, st);
  ASSERT_TRUE(c) << st.error;
  RunRecord run;
  run.policy_path = "/etc/eksir/eksir.yaml";
  run.policy_sha256 = std::string(64, 'a');
  ASSERT_TRUE(c->save_run(run));
  RunRecord none;
  ASSERT_TRUE(c->save_run(none));
  auto runs = c->runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].policy_path, "/etc/eksir/eksir.yaml");
  EXPECT_EQ(runs[0].policy_sha256, std::string(64, 'a'));
  EXPECT_EQ(runs[1].policy_path, "");
  auto first = c->load_run(runs[0].id);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->policy_sha256, std::string(64, 'a'));
  EXPECT_EQ(c->latest_run()->policy_path, "");
}

TEST(StoreMigration, CaseWrittenAtVersionOneKeepsItsData) {
  // Every later version must open a v1 case with its runs, notes and journal intact; this is
  // the v1 fixture written through the v1 schema itself.
  std::string dir = eksir::test::temp_dir();
  raw(dir + "/case.db", std::string(migrations()[0].sql) +
                            "PRAGMA application_id = " + std::to_string(kApplicationId) +
                            "; PRAGMA user_version = 1;"
                            "INSERT INTO case_meta (singleton, case_id, created, updated) "
                            "VALUES (1, 'INC-OLD', 1, 2);"
                            "INSERT INTO runs (saved, incident_json) VALUES (3, '{}');"
                            "INSERT INTO notes (time, author, text) VALUES (4, 'a', 'kept');"
                            "INSERT INTO journal (recorded, step_id) VALUES (5, 's1');");
  Status st;
  {
    // A command that only reads takes it as it is: nothing is written, the runs read whole.
    std::string before = slurp(dir + "/case.db");
    auto r = Case::open_readonly(dir, st);
    ASSERT_TRUE(r) << st.error;
    EXPECT_EQ(r->schema_version(), 1);
    ASSERT_EQ(r->runs().size(), 1u);
    EXPECT_EQ(r->runs()[0].policy_path, "");
    ASSERT_TRUE(r->latest_run());
    EXPECT_EQ(r->latest_run()->incident_json, "{}");
    r.reset();
    EXPECT_EQ(slurp(dir + "/case.db"), before);
  }
  auto c = Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  EXPECT_EQ(c->info().id, "INC-OLD");
  ASSERT_EQ(c->runs().size(), 1u);
  EXPECT_EQ(c->runs()[0].policy_path, "");  // version 2: runs before it recorded no policy
  EXPECT_EQ(c->latest_run()->policy_sha256, "");
  ASSERT_EQ(c->notes().size(), 1u);
  EXPECT_EQ(c->notes()[0].text, "kept");
  ASSERT_EQ(c->journal().size(), 1u);
  EXPECT_EQ(c->journal()[0].step_id, "s1");
}

}  // namespace
}  // namespace eksir::store
