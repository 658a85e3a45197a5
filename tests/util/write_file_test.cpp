// util::write_file_atomic: the file is whole or as it was; a planted symlink is never written
// through; a full disk is an error naming the path, with no temporary file left behind.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_paths.h"
#include "util/write_file.h"

namespace eksir::util {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t entries(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(WriteFile, WritesAndReplacesWhole) {
  std::string dir = test::temp_dir();
  std::string path = dir + "/report.md";
  EXPECT_EQ(write_file_atomic(path, "first"), "");
  EXPECT_EQ(slurp(path), "first");
  EXPECT_EQ(write_file_atomic(path, std::string(100000, 'x')), "");
  EXPECT_EQ(slurp(path), std::string(100000, 'x'));
  EXPECT_EQ(entries(dir), 1u);  // no temporary file left
}

TEST(WriteFile, APlantedSymlinkAtTheTemporaryNameIsNotFollowed) {
  std::string dir = test::temp_dir();
  std::string victim = dir + "/victim";
  { std::ofstream(victim) << "precious"; }
  std::string path = dir + "/report.html";
  fs::create_symlink(victim, path + ".tmp");
  fs::create_symlink(dir + "/nowhere", path + ".tmp.dangling");
  EXPECT_EQ(write_file_atomic(path, "<html>"), "");
  EXPECT_EQ(slurp(path), "<html>");
  EXPECT_EQ(slurp(victim), "precious");
  EXPECT_TRUE(fs::is_symlink(path + ".tmp"));
  EXPECT_FALSE(fs::is_symlink(path));
}

TEST(WriteFile, AFolderThatCannotBeWrittenIsAnErrorNamingThePath) {
  std::string path = test::temp_dir() + "/no/such/folder/incident.json";
  std::string e = write_file_atomic(path, "{}");
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("No such file or directory"), std::string::npos) << e;
}

// In a child with a 64 KiB file-size limit: the write fails part way, the old file stays, the
// temporary file is removed.
TEST(WriteFile, DiskFullLeavesTheOldFileAndNoTemporary) {
  std::string dir = test::temp_dir();
  std::string path = dir + "/report.html";
  ASSERT_EQ(write_file_atomic(path, "old report"), "");
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    std::string e = write_file_atomic(path, std::string(1 << 20, 'y'));
    [[maybe_unused]] auto n = ::write(pipe_fds[1], e.data(), e.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string error;
  char buf[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) error.append(buf, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("File too large"), std::string::npos) << error;
  EXPECT_EQ(slurp(path), "old report");
  EXPECT_EQ(entries(dir), 1u);
}

}  // namespace
}  // namespace eksir::util
