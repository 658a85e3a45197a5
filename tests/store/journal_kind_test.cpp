// Journal entries that record the operator's decisions (a skipped step, an overridden check),
// and cases written before the journal recorded them.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/migrations.h"
#include "store/store.h"
#include "test_paths.h"

namespace eksir::store {
namespace {

TEST(JournalKind, SkipAndOverrideRoundTrip) {
  std::string dir = eksir::test::temp_dir();
  Status st;
  auto c = Case::open(dir, true, st);
  ASSERT_TRUE(c) << st.error;
  JournalEntry ran, skipped, forced;
  ran.phase = skipped.phase = forced.phase = "contain";
  ran.step_id = "contain/cordon/n1";
  ran.argv = {"kubectl", "cordon", "--", "n1"};
  skipped.step_id = "contain/netpol/ns/p";
  skipped.kind = "skipped";
  skipped.reason = "the pod is already gone";
  forced.step_id = "contain/context-check";
  forced.kind = "override";
  forced.reason = "renamed context";
  for (auto* e : {&ran, &skipped, &forced}) ASSERT_TRUE(c->append_journal(*e));
  auto j = c->journal();
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0].kind, "step");
  EXPECT_TRUE(j[0].succeeded());
  EXPECT_EQ(j[1].kind, "skipped");
  EXPECT_EQ(j[1].reason, "the pod is already gone");
  EXPECT_FALSE(j[1].succeeded());  // nothing ran: recovery has nothing to undo
  EXPECT_EQ(j[2].kind, "override");
  EXPECT_FALSE(j[2].succeeded());
}

TEST(JournalKind, CaseAtVersionTwoReadsEveryEntryAsAStep) {
  std::string dir = eksir::test::temp_dir();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/case.db").c_str(), &db), SQLITE_OK);
  auto list = migrations();
  std::string sql = std::string(list[0].sql) + list[1].sql +
                    "PRAGMA application_id = " + std::to_string(kApplicationId) +
                    "; PRAGMA user_version = 2;"
                    "INSERT INTO case_meta (singleton, case_id, created, updated) "
                    "VALUES (1, 'INC-V2', 1, 2);"
                    "INSERT INTO journal (recorded, phase, step_id) VALUES (5, 'contain', 's1');";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Status st;
  auto r = Case::open_readonly(dir, st);
  ASSERT_TRUE(r) << st.error;
  EXPECT_EQ(r->schema_version(), 2);
  ASSERT_EQ(r->journal().size(), 1u);
  EXPECT_EQ(r->journal()[0].kind, "step");
  EXPECT_TRUE(r->read_status());
  r.reset();
  auto c = Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  EXPECT_EQ(c->schema_version(), kSchemaVersion);
  ASSERT_EQ(c->journal().size(), 1u);
  EXPECT_EQ(c->journal()[0].kind, "step");
  EXPECT_EQ(c->journal()[0].reason, "");
}

}  // namespace
}  // namespace eksir::store
