// A damaged case.db (random bytes, a real case cut short, a page overwritten) is an error with
// SQLite's message wherever it is opened, never an empty case; listing and showing a case only
// read it, byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "store/store.h"
#include "store/store_helpers.h"
#include "test_paths.h"

namespace eksir::store {
namespace {

namespace fs = std::filesystem;
using eksir::test::run_eksir;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A case with one run of many findings, so that its database spans many pages.
std::string real_case(const std::string& dir) {
  Status st;
  auto c = Case::open(dir, true, st);
  EXPECT_TRUE(c) << st.error;
  auto run = test::sample_run(1, 2000);
  EXPECT_TRUE(c->save_run(run));
  Note n{0, kNoTime, "alice", "looked at it"};
  EXPECT_TRUE(c->add_note(n));
  return dir + "/case.db";
}

void random_bytes(const std::string& path, size_t n) {
  std::mt19937 rng(42);
  std::string bytes(n, '\0');
  for (auto& b : bytes) b = static_cast<char>(rng());
  std::ofstream(path, std::ios::binary) << bytes;
}

// Each damage, seen by every command that opens the case.
void expect_refused_everywhere(const std::string& root, const std::string& dir,
                               const std::string& message) {
  std::string db = dir + "/case.db";
  std::string before = slurp(db);
  auto show = run_eksir({"case", "show", dir});
  EXPECT_EQ(show.exit_code, 2) << show.out;
  EXPECT_NE(show.err.find(db), std::string::npos) << show.err;
  EXPECT_NE(show.err.find(message), std::string::npos) << show.err;
  EXPECT_EQ(show.out.find("no investigation run yet"), std::string::npos);
  auto list = run_eksir({"case", "list", "--root", root, "--format", "json"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("\"status\":\"error\""), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(message), std::string::npos) << list.out;
  auto report = run_eksir({"report", dir});
  EXPECT_EQ(report.exit_code, 2);
  EXPECT_NE(report.err.find(message), std::string::npos) << report.err;
  auto inv =
      run_eksir({"investigate", eksir::test::source_dir() + "/examples/incident-2026-03-14/falco",
                 "-o", dir});
  EXPECT_EQ(inv.exit_code, 2);
  EXPECT_NE(inv.err.find(db), std::string::npos) << inv.err;
  EXPECT_NE(inv.err.find(message), std::string::npos) << inv.err;
  EXPECT_FALSE(fs::exists(dir + "/incident.json"));
  EXPECT_EQ(slurp(db), before) << "the damaged database is left as it was";
}

TEST(DamagedCase, RandomBytesAreNotADatabase) {
  std::string root = eksir::test::temp_dir();
  fs::create_directories(root + "/random");
  random_bytes(root + "/random/case.db", 64 * 1024);
  expect_refused_everywhere(root, root + "/random", "file is not a database");
}

TEST(DamagedCase, ATruncatedRealCaseIsMalformed) {
  std::string root = eksir::test::temp_dir();
  std::string db = real_case(root + "/cut");
  uintmax_t size = fs::file_size(db);
  ASSERT_GT(size, 64u * 1024);
  fs::resize_file(db, size / 2);
  expect_refused_everywhere(root, root + "/cut", "malformed");
}

TEST(DamagedCase, AnOverwrittenPageFailsTheIntegrityCheck) {
  std::string root = eksir::test::temp_dir();
  std::string db = real_case(root + "/bad-page");
  {
    std::fstream f(db, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(fs::file_size(db) / 2));
    for (int i = 0; i < 4096; ++i) f.put(static_cast<char>(0xA5));
  }
  Status st;
  EXPECT_FALSE(Case::open(root + "/bad-page", false, st));
  EXPECT_NE(st.error.find(db), std::string::npos) << st.error;
  EXPECT_FALSE(Case::open_readonly(root + "/bad-page", st));
  EXPECT_NE(st.error.find(db), std::string::npos) << st.error;
}

// Damage after the open's check (the file overwritten while a command holds it open): the reads
// that fail are kept, not taken for tables that end there.
TEST(DamagedCase, AReadThatFailsAfterTheOpenIsReported) {
  std::string root = eksir::test::temp_dir();
  std::string db = real_case(root + "/later");
  Status st;
  auto c = Case::open_readonly(root + "/later", st);
  ASSERT_TRUE(c) << st.error;
  EXPECT_TRUE(c->read_status());
  EXPECT_EQ(c->runs().size(), 1u);
  {
    std::fstream f(db, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(4096);  // every page past the first
    for (uintmax_t i = 4096; i < fs::file_size(db); ++i) f.put(static_cast<char>(0xA5));
    // A new file change counter, as any writer leaves it: the reader's page cache is stale.
    f.seekp(24);
    for (int i = 0; i < 4; ++i) f.put(static_cast<char>(0x5A));
  }
  c->latest_findings();
  c->notes();
  Status read = c->read_status();
  EXPECT_FALSE(read);
  EXPECT_NE(read.error.find(db), std::string::npos) << read.error;
}

TEST(DamagedCase, ListingAndShowingLeaveTheDatabaseByteForByte) {
  std::string root = eksir::test::temp_dir();
  std::string db = real_case(root + "/INC-1");
  std::string before = slurp(db);
  auto mtime = fs::last_write_time(db);
  EXPECT_EQ(run_eksir({"case", "list", "--root", root}).exit_code, 0);
  EXPECT_EQ(run_eksir({"case", "show", root + "/INC-1"}).exit_code, 0);
  EXPECT_EQ(run_eksir({"case", "show", root + "/INC-1", "--format", "json"}).exit_code, 0);
  EXPECT_EQ(run_eksir({"report", root + "/INC-1"}).exit_code, 0);
  EXPECT_EQ(slurp(db), before);
  EXPECT_EQ(fs::last_write_time(db), mtime);
  EXPECT_FALSE(fs::exists(db + "-journal"));
}

TEST(DamagedCase, ACaseNeedingMigrationIsListedWithANoteAndNotMigrated) {
  std::string root = eksir::test::temp_dir();
  fs::create_directories(root + "/old");
  { std::ofstream(root + "/old/case.db"); }  // an empty file: a version-0 case
  auto cases = list_cases(root);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].status, "needs migration");
  EXPECT_NE(cases[0].error.find("schema version 0"), std::string::npos) << cases[0].error;
  EXPECT_EQ(fs::file_size(root + "/old/case.db"), 0u);
  auto list = run_eksir({"case", "list", "--root", root});
  EXPECT_NE(list.out.find("needs migration"), std::string::npos) << list.out;
  EXPECT_EQ(fs::file_size(root + "/old/case.db"), 0u);
  // A command that writes migrates it.
  Status st;
  EXPECT_TRUE(Case::open(root + "/old", false, st)) << st.error;
  EXPECT_TRUE(Case::open_readonly(root + "/old", st)) << st.error;
}

}  // namespace
}  // namespace eksir::store
