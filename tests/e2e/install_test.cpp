// The installed layout: `cmake --install` into a temporary prefix, then the installed eksir
// investigates the bundled example with no EKSIR_RULES_DIR and reaches the example's verdict
// from the pack installed beside it; without that pack it names where the pack should be and
// never reads the checkout's. And the Debian package cpack makes holds the same layout, with the
// shared libraries the binary links as its dependencies.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_paths.h"

namespace fs = std::filesystem;
using eksir::test::RunResult;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// argv[0] run as is (no shell, no PATH search), in cwd, with EKSIR_RULES_DIR unset.
RunResult run(const std::vector<std::string>& argv, const std::string& cwd) {
  std::string dir = eksir::test::temp_dir();
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
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::unsetenv("EKSIR_RULES_DIR");
    std::vector<std::string> copy = argv;
    std::vector<char*> args;
    for (auto& a : copy) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out_path),
              slurp(err_path)};
  fs::remove_all(dir);
  return r;
}

size_t rule_files(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".yml") ++n;
  return n;
}

// `cmake --install` and cpack write install_manifest.txt into the build folder: the one a
// developer's own install left there is put back (the tests hold a CTest resource lock, so they
// never overlap).
class ManifestKept {
 public:
  ManifestKept() : path_(fs::path(EKSIR_BUILD_DIR) / "install_manifest.txt") {
    had_ = fs::exists(path_);
    if (had_) text_ = slurp(path_);
  }
  ~ManifestKept() {
    if (had_)
      std::ofstream(path_, std::ios::binary | std::ios::trunc) << text_;
    else
      fs::remove(path_);
  }

 private:
  fs::path path_;
  bool had_ = false;
  std::string text_;
};

// `cmake --install` of this build into prefix.
void install_into(const fs::path& prefix, const std::string& cwd) {
  RunResult r = run({EKSIR_CMAKE, "--install", EKSIR_BUILD_DIR, "--prefix", prefix.string()}, cwd);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

// `installed investigate` on the bundled example (the one scripts/example.sh runs).
RunResult investigate_example(const fs::path& eksir, const fs::path& work) {
  const std::string ex = eksir::test::source_dir() + "/examples/";
  return run({eksir.string(), "investigate", ex + "incident-2026-03-14/", "--config",
              ex + "eksir.yaml", "-o", (work / "case").string(), "--format", "json", "-q"},
             work.string());
}

// run.rules.builtin of investigate's JSON: the rules of the built-in pack it loaded; -1 when
// not there.
int64_t builtin_rules_loaded(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  simdjson::dom::element doc;
  int64_t n = -1;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS) return -1;
  if (doc["run"]["rules"]["builtin"].get(n) != simdjson::SUCCESS) return -1;
  return n;
}

std::string severity_of(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  simdjson::dom::element doc;
  std::string_view v;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS) return "(not JSON)";
  if (doc["incident"]["severity"].get(v) != simdjson::SUCCESS) return "(no severity)";
  return std::string(v);
}

TEST(Install, InstalledBinaryInvestigatesWithItsOwnRulePackAndNeverTheCheckouts) {
  ManifestKept manifest;
  const fs::path work = eksir::test::temp_dir();
  const fs::path prefix = work / "prefix";
  // Run from the temporary folder: nothing relative to the checkout can be found by accident.
  install_into(prefix, work.string());
  if (HasFatalFailure()) return;

  const fs::path rules = prefix / "share/eksir/rules/builtin";
  ASSERT_TRUE(fs::is_directory(rules));
  EXPECT_EQ(rule_files(rules), rule_files(eksir::test::source_dir() + "/rules/builtin"));
  EXPECT_TRUE(fs::is_regular_file(prefix / "share/man/man1/eksir.1.gz"));
  EXPECT_TRUE(fs::is_regular_file(prefix / "share/doc/eksir/README.md"));
  EXPECT_TRUE(fs::is_regular_file(prefix / "share/doc/eksir/docs/incident-json.md"));

  const fs::path eksir = prefix / "bin/eksir";
  ASSERT_TRUE(fs::is_regular_file(eksir));
  RunResult r = investigate_example(eksir, work);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("rule pack not found"), std::string::npos) << r.err;
  EXPECT_EQ(severity_of(r.out), "Critical") << r.err;
  EXPECT_EQ(builtin_rules_loaded(r.out), static_cast<int64_t>(rule_files(rules))) << r.err;
  // `rules validate` reads the same pack: every rule of it loads.
  RunResult validate = run({eksir.string(), "rules", "validate"}, work.string());
  EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;

  // Without its pack, the installed binary names where the pack should be; it never reads the
  // checkout's: it loads no built-in rule (the alerts and posture checks still run).
  fs::remove_all(prefix / "share/eksir");
  fs::remove_all(work / "case");
  r = investigate_example(eksir, work);
  EXPECT_NE(r.err.find("built-in rule pack not found at " + rules.string()), std::string::npos)
      << r.err;
  EXPECT_EQ(builtin_rules_loaded(r.out), 0) << r.err;
  fs::remove_all(work);
}

// The Debian package: built with cpack into a temporary folder (nothing written to the build
// folder), then read with dpkg-deb. Installing it needs root and is left to the packager.
TEST(Install, DebianPackageHoldsTheLayoutAndNamesTheSharedLibraries) {
  if (!fs::exists("/usr/bin/dpkg-deb") || !fs::exists(EKSIR_CPACK))
    GTEST_SKIP() << "no dpkg-deb or cpack on this machine";
  ManifestKept manifest;
  const fs::path work = eksir::test::temp_dir();
  RunResult made =
      run({EKSIR_CPACK, "--config", std::string(EKSIR_BUILD_DIR) + "/CPackConfig.cmake", "-G",
           "DEB", "-B", work.string()},
          work.string());
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  fs::path deb;
  for (const auto& e : fs::directory_iterator(work))
    if (e.path().extension() == ".deb") deb = e.path();
  ASSERT_FALSE(deb.empty()) << made.out;

  RunResult contents = run({"/usr/bin/dpkg-deb", "-c", deb.string()}, work.string());
  ASSERT_EQ(contents.exit_code, 0) << contents.err;
  for (const char* path : {"./usr/bin/eksir", "./usr/share/eksir/rules/builtin/eks/",
                           "./usr/share/man/man1/eksir.1.gz", "./usr/share/doc/eksir/README.md",
                           "./usr/share/doc/eksir/docs/incident-json.md"})
    EXPECT_NE(contents.out.find(path), std::string::npos) << path << "\n" << contents.out;

  RunResult info = run({"/usr/bin/dpkg-deb", "-I", deb.string()}, work.string());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("Package: eksir"), std::string::npos) << info.out;
  std::string depends;
  std::istringstream lines(info.out);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(" Depends: ")) depends = line;
  std::vector<std::string> libs = {"libsimdjson", "libfmt",    "libyaml-cpp",    "libsqlite3",
                                   "libdeflate",  "libisal",   "libre2",         "libssl",
                                   "libc6",       "libstdc++", "libtomlplusplus"};
  // jemalloc is linked unless the build is a sanitizer's (which brings its own allocator).
  if (EKSIR_LINKS_JEMALLOC) libs.push_back("libjemalloc");
  for (const auto& lib : libs)
    EXPECT_NE(depends.find(" " + lib), std::string::npos) << lib << " missing from:" << depends;
  fs::remove_all(work);
}

}  // namespace
