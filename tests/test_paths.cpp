#include "test_paths.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace eksir::test {

std::string source_dir() {
  return EKSIR_SOURCE_DIR;
}

std::string shared_dir() {
  if (const char* s = std::getenv("EKSIR_SHARED")) return s;
  return std::filesystem::weakly_canonical(std::filesystem::path(EKSIR_SOURCE_DIR) / ".." /
                                           "shared")
      .string();
}

std::string samples_dir() {
  return shared_dir() + "/samples";
}

std::string eksir_binary() {
  return EKSIR_BINARY;
}

std::string gzip(const std::string& data) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(6);
  std::string out(libdeflate_gzip_compress_bound(c, data.size()), '\0');
  size_t n = libdeflate_gzip_compress(c, data.data(), data.size(), out.data(), out.size());
  libdeflate_free_compressor(c);
  out.resize(n);
  return out;
}

bool returns_within(unsigned seconds, const std::function<void()>& fn) {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::alarm(seconds);
    fn();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string temp_dir() {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("eksir-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

static std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {
// "NAME=value" sets NAME, "NAME" unsets it (in the child).
void apply_env(const std::vector<std::string>& env) {
  for (const auto& e : env) {
    size_t eq = e.find('=');
    if (eq == std::string::npos)
      ::unsetenv(e.c_str());
    else
      ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
  }
}

RunResult run_eksir_in(const std::vector<std::string>& args, const std::string& cwd,
                       uint64_t max_file_bytes, const std::vector<std::string>& env = {}) {
  std::string dir = temp_dir();
  std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::dup2(in, 0);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    apply_env(env);
    if (max_file_bytes) {
      // stdout and stderr were opened before the limit and stay below it in these tests.
      ::signal(SIGXFSZ, SIG_IGN);
      rlimit lim{max_file_bytes, max_file_bytes};
      ::setrlimit(RLIMIT_FSIZE, &lim);
    }
    std::vector<char*> argv;
    std::string bin = eksir_binary();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  std::filesystem::remove_all(dir);
  return r;
}
}  // namespace

RunResult run_eksir(const std::vector<std::string>& args, const std::string& cwd) {
  return run_eksir_in(args, cwd, 0);
}

RunResult run_eksir_env(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return run_eksir_in(args, "", 0, env);
}

RunResult run_eksir_tty(const std::vector<std::string>& args, unsigned columns,
                        bool use_columns_env, const std::string& cwd,
                        const std::vector<std::string>& env) {
  auto quote = [](const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  std::string dir = temp_dir();
  std::string err_path = dir + "/stderr";
  std::string cmd = use_columns_env
                        ? "COLUMNS=" + std::to_string(columns) + " exec"
                        : "unset COLUMNS; stty cols " + std::to_string(columns) + " rows 50; exec";
  for (const auto& a : std::vector<std::string>{eksir_binary()}) cmd += " " + quote(a);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " 2>" + quote(err_path);
  // script runs cmd in a new pseudo-terminal; -e: its exit status is the command's.
  RunResult r = [&] {
    std::string out_path = dir + "/stdout";
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int in = ::open("/dev/null", O_RDONLY);
      ::dup2(out, 1);
      ::dup2(out, 2);
      ::dup2(in, 0);
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
      ::setenv("SHELL", "/bin/sh", 1);
      apply_env(env);
      ::execlp("script", "script", "-qec", cmd.c_str(), "/dev/null", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    RunResult res;
    res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    res.out = slurp(out_path);
    return res;
  }();
  r.out.erase(std::remove(r.out.begin(), r.out.end(), '\r'), r.out.end());
  r.err = slurp(err_path);
  std::filesystem::remove_all(dir);
  return r;
}

RunResult run_eksir(const std::vector<std::string>& args, uint64_t max_file_bytes) {
  return run_eksir_in(args, "", max_file_bytes);
}

}  // namespace eksir::test
