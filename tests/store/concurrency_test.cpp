// Several eksir processes on one case at once: writers wait for each other (busy timeout), and
// readers always see whole runs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/store_helpers.h"
#include "test_paths.h"

namespace eksir::store {
namespace {

TEST(StoreConcurrency, WritersInSeveralProcessesAndReadersInThreads) {
  std::string dir = eksir::test::temp_dir() + "/case";
  {
    Status st;
    ASSERT_TRUE(Case::open(dir, true, st)) << st.error;
  }
  constexpr int kWriters = 3, kEach = 8;
  std::vector<pid_t> pids;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      Status st;
      auto c = Case::open(dir, true, st);
      if (!c) ::_exit(3);
      for (int i = 0; i < kEach; ++i) {
        auto run = test::sample_run(w * 100 + i, 50);
        if (!c->save_run(run)) ::_exit(4);
        Note n{0, kNoTime, "w" + std::to_string(w), "note " + std::to_string(i)};
        if (!c->add_note(n)) ::_exit(5);
        JournalEntry j;
        j.step_id = "w" + std::to_string(w) + "-" + std::to_string(i);
        if (!c->append_journal(j)) ::_exit(6);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        Status st;
        auto c = Case::open(dir, false, st);
        if (!c) {
          ++bad;
          continue;
        }
        for (const auto& run : c->runs())
          if (run.finding_count != 50) ++bad;
        ++reads;
      }
    });
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer status " << status;
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_GT(reads, 0);

  Status st;
  auto c = Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  CaseInfo info = c->info();
  EXPECT_EQ(info.runs, kWriters * kEach);
  EXPECT_EQ(info.notes, kWriters * kEach);
  EXPECT_EQ(info.journal, kWriters * kEach);
  // Each writer's journal entries are in its own order of execution.
  std::vector<int> next(kWriters, 0);
  for (const auto& j : c->journal()) {
    int w = j.step_id[1] - '0';
    EXPECT_EQ(j.step_id, "w" + std::to_string(w) + "-" + std::to_string(next[w]));
    ++next[w];
  }
}

TEST(StoreConcurrency, SimultaneousFirstOpenMigratesOnce) {
  std::string dir = eksir::test::temp_dir() + "/case";
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      Status st;
      auto c = Case::open(dir, true, st);
      ::_exit(c && c->schema_version() == kSchemaVersion ? 0 : 1);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  Status st;
  auto c = Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  EXPECT_EQ(c->info().id, "case");
}

}  // namespace
}  // namespace eksir::store
