#include "collect/exec.h"
#include "util/time_math.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace eksir::collect {

namespace {

// Waits for pid until the deadline; true when it was reaped (status set).
bool wait_until(pid_t pid, int& status, std::chrono::steady_clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // nothing left to wait for
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace

std::string ExecResult::describe() const {
  if (!error.empty()) return "not started: " + error;
  if (timed_out) return "timed out";
  if (signal != 0) return fmt::format("killed by signal {}", signal);
  return fmt::format("exit {}", exit_code);
}

ExecResult exec(const std::vector<std::string>& argv, const std::string& stdout_path,
                const std::string& stderr_path, std::chrono::milliseconds timeout) {
  ExecResult r;
  r.start = util::now_ns();
  if (argv.empty()) {
    r.error = "empty command";
    r.end = r.start;
    return r;
  }
  int out =
      ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  int err =
      ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int report[2] = {-1, -1};  // the child writes errno here when exec fails
  if (out < 0 || err < 0 || in < 0 || ::pipe2(report, O_CLOEXEC) != 0) {
    r.error = fmt::format("cannot open output files: {}", std::strerror(errno));
    for (int fd : {out, err, in, report[0], report[1]})
      if (fd >= 0) ::close(fd);
    r.end = util::now_ns();
    return r;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so a timeout also ends what it started
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execvp(args[0], args.data());
    int e = errno;
    [[maybe_unused]] auto n = ::write(report[1], &e, sizeof e);
    ::_exit(127);
  }
  int spawn_errno = pid < 0 ? errno : 0;
  for (int fd : {out, err, in, report[1]}) ::close(fd);
  if (pid < 0) {
    ::close(report[0]);
    r.error = fmt::format("fork: {}", std::strerror(spawn_errno));
    r.end = util::now_ns();
    return r;
  }
  ::setpgid(pid, pid);
  int child_errno = 0;
  ssize_t got = ::read(report[0], &child_errno, sizeof child_errno);  // EOF once exec succeeds
  ::close(report[0]);

  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!wait_until(pid, status, deadline)) {
    r.timed_out = true;
    ::kill(-pid, SIGTERM);
    if (!wait_until(pid, status, std::chrono::steady_clock::now() + std::chrono::seconds(2))) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
  }
  r.end = util::now_ns();
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    r.error = fmt::format("{}: {}", argv[0], std::strerror(child_errno));
    return r;
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

}  // namespace eksir::collect
