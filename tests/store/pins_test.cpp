// Pins: hunt results on the case's timeline, kept once per record, apart from the runs (a
// re-investigation keeps them), removable by id.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_helpers.h"
#include "test_paths.h"

namespace eksir::store {
namespace {

Pin pin(std::string event_id, TimeNs t = 1773478040000000000LL) {
  Pin p;
  p.author = "alice";
  p.query = "eventName:CreateAccessKey";
  p.note = "the attacker's second key";
  p.time = t;
  p.source = "cloudtrail";
  p.event_id = std::move(event_id);
  p.file = "evidence/cloudtrail/lookup-events.json";
  p.line = 1;
  p.record = 7;
  p.text = "ci-deployer iam:CreateAccessKey ci-deployer (success)";
  p.raw = R"({"eventID":"x"})";
  p.copies = 1;
  return p;
}

TEST(Pins, AddedOnceAndReadBack) {
  std::string dir = eksir::test::temp_dir() + "/case";
  Status st;
  auto c = Case::open(dir, true, st);
  ASSERT_TRUE(c) << st.error;
  std::vector<Pin> pins = {pin("e1"), pin("e2")};
  size_t already = 9;
  ASSERT_TRUE(c->add_pins(pins, &already));
  EXPECT_EQ(already, 0u);
  EXPECT_EQ(pins[0].id, 1);
  EXPECT_EQ(pins[1].id, 2);
  EXPECT_NE(pins[0].pinned, kNoTime);

  // The same record again (another query, another note): the first pin stays.
  std::vector<Pin> again = {pin("e2"), pin("e3")};
  again[0].note = "again";
  ASSERT_TRUE(c->add_pins(again, &already));
  EXPECT_EQ(already, 1u);
  EXPECT_EQ(again[0].id, 2);
  EXPECT_EQ(again[1].id, 3);

  auto read = c->pins();
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[1].note, "the attacker's second key");
  EXPECT_EQ(read[0].query, "eventName:CreateAccessKey");
  EXPECT_EQ(read[0].file, "evidence/cloudtrail/lookup-events.json");
  EXPECT_EQ(read[0].record, 7u);
  EXPECT_EQ(read[0].copies, 1u);
  EXPECT_EQ(read[0].raw, R"({"eventID":"x"})");
  EXPECT_EQ(c->info().pins, 3);

  // A record without an event id is known by its place.
  std::vector<Pin> placed = {pin(""), pin("")};
  placed[1].line = 2;
  ASSERT_TRUE(c->add_pins(placed, &already));
  EXPECT_EQ(already, 0u);
  EXPECT_EQ(c->pins().size(), 5u);
}

TEST(Pins, SurviveANewRun) {
  std::string dir = eksir::test::temp_dir() + "/case";
  Status st;
  auto c = Case::open(dir, true, st);
  ASSERT_TRUE(c) << st.error;
  auto run = test::sample_run(1);
  ASSERT_TRUE(c->save_run(run));
  std::vector<Pin> pins = {pin("e1")};
  ASSERT_TRUE(c->add_pins(pins));
  auto run2 = test::sample_run(2);
  ASSERT_TRUE(c->save_run(run2));
  c.reset();
  auto r = Case::open_readonly(dir, st);
  ASSERT_TRUE(r) << st.error;
  ASSERT_EQ(r->pins().size(), 1u);
  EXPECT_EQ(r->pins()[0].event_id, "e1");
}

TEST(Pins, RemovedByIdAllOrNone) {
  std::string dir = eksir::test::temp_dir() + "/case";
  Status st;
  auto c = Case::open(dir, true, st);
  ASSERT_TRUE(c) << st.error;
  std::vector<Pin> pins = {pin("e1"), pin("e2"), pin("e3")};
  ASSERT_TRUE(c->add_pins(pins));
  Status bad = c->remove_pins({1, 99});
  EXPECT_FALSE(bad);
  EXPECT_NE(bad.error.find("no pin 99"), std::string::npos) << bad.error;
  EXPECT_EQ(c->pins().size(), 3u) << "nothing removed when one id is wrong";
  ASSERT_TRUE(c->remove_pins({1, 3}));
  ASSERT_EQ(c->pins().size(), 1u);
  EXPECT_EQ(c->pins()[0].event_id, "e2");
}

// Pins came with version 4: a case of version 3 (journal kinds, no pins) reads as having none.
TEST(Pins, AVersionThreeCaseReadsAsHavingNone) {
  std::string dir = eksir::test::temp_dir() + "/case";
  Status st;
  {
    auto c = Case::open(dir, true, st);
    ASSERT_TRUE(c) << st.error;
  }
  // Back to version 3, as an older eksir left it.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/case.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE pins; PRAGMA user_version = 3", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto r = Case::open_readonly(dir, st);
  ASSERT_TRUE(r) << st.error;
  EXPECT_EQ(r->schema_version(), 3);
  EXPECT_TRUE(r->pins().empty());
  EXPECT_EQ(r->info().pins, 0);
  EXPECT_TRUE(r->read_status()) << r->read_status().error;
  r.reset();
  // A command that writes migrates it, and pins are kept from then on.
  auto w = Case::open(dir, false, st);
  ASSERT_TRUE(w) << st.error;
  EXPECT_EQ(w->schema_version(), kSchemaVersion);
  std::vector<Pin> pins = {pin("e1")};
  EXPECT_TRUE(w->add_pins(pins));
}

}  // namespace
}  // namespace eksir::store
