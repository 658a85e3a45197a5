// From the command line: a failed step's message gives the lines that go on, and pasted into
// bash they do (--continue, --skip); a context of another cluster is refused before anything
// runs. kubectl and aws are small scripts that log their argv.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/store.h"
#include "test_paths.h"

namespace eksir::respond {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const char* kArn = "arn:aws:eks:us-east-1:111122223333:cluster/prod-payments";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  std::string tmp, dir, kubectl, aws, log;
};

// cluster: what `kubectl config view` names; kubectl fails `cordon` while FAIL_CORDON exists.
Fixture make(const std::string& cluster = kArn) {
  Fixture f;
  f.tmp = test::temp_dir();
  f.dir = f.tmp + "/case";
  fs::create_directories(f.dir);
  json doc = json::parse(slurp(test::source_dir() + "/tests/respond/fixtures/stolen-key.json"));
  doc["run"]["cwd"] = test::source_dir();
  std::ofstream(f.dir + "/incident.json") << doc.dump(2);
  f.log = f.tmp + "/calls.log";
  f.kubectl = f.tmp + "/kubectl";
  f.aws = f.tmp + "/aws";
  std::ofstream(f.kubectl) << "#!/bin/sh\necho \"kubectl $*\" >> " << f.log << "\ncase \"$*\" in\n"
                           << "  *'config view'*) printf '%s' '{\"current-context\":\"" << cluster
                           << "\",\"contexts\":[{\"name\":\"" << cluster
                           << "\",\"context\":{\"cluster\":\"" << cluster << "\"}}]}'; exit 0;;\n"
                           << "  cordon*) if [ -e " << f.tmp
                           << "/FAIL_CORDON ]; then echo 'Error from server (NotFound): nodes "
                              "not found' >&2; exit 1; fi;;\n"
                           << "esac\nexit 0\n";
  std::ofstream(f.aws) << "#!/bin/sh\necho \"aws $*\" >> " << f.log << "\ncase \"$*\" in\n"
                       << "  *get-caller-identity*) echo '{\"Account\":\"111122223333\",\"Arn\":"
                          "\"arn:aws:iam::111122223333:user/r\"}';;\n"
                       << "  *) echo '{}';;\nesac\nexit 0\n";
  fs::permissions(f.kubectl, fs::perms::owner_all);
  fs::permissions(f.aws, fs::perms::owner_all);
  return f;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The line under `label` in a "To go on" message, as printed.
std::string line_after(const std::string& err, const std::string& label) {
  size_t at = err.find(label);
  if (at == std::string::npos) return {};
  size_t start = err.find("\n    ", at);
  if (start == std::string::npos) return {};
  start += 5;
  return err.substr(start, err.find('\n', start) - start);
}

// Runs a printed `eksir respond …` line in bash with the built binary: {exit status, stderr}.
std::pair<int, std::string> paste(const Fixture& f, const std::string& line) {
  EXPECT_EQ(line.rfind("eksir respond ", 0), 0u) << line;
  std::string script = f.tmp + "/paste.sh";
  std::ofstream(script) << "exec " << test::eksir_binary() << line.substr(5) << " 2>"
                        << f.tmp + "/paste.err >/dev/null </dev/null\n";
  int status = std::system(("bash " + script).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(f.tmp + "/paste.err")};
}

TEST(RespondResumeCli, PastedLinesGoOn) {
  Fixture f = make();
  std::ofstream(f.tmp + "/FAIL_CORDON").flush();
  auto r = test::run_eksir({"respond", f.dir, "--phase", "contain", "--execute", "--yes",
                            "--kubectl", f.kubectl, "--aws", f.aws, "--trusted-cidr",
                            "10.42.0.0/16", "--isolation-sg", "sg-0aaaaaaaaaaaaaaaa"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("context: kubectl context \"" + std::string(kArn) + "\" is the case's"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("context: the AWS credentials (arn:aws:iam::111122223333:user/r) are of "
                       "the case's account 111122223333"),
            std::string::npos)
      << r.out;
  std::string go_on = line_after(r.err, "without it");
  std::string skip = line_after(r.err, "skipping it for good");
  ASSERT_NE(go_on.find("--continue"), std::string::npos) << r.err;
  ASSERT_NE(skip.find("--skip contain/cordon/"), std::string::npos) << r.err;
  EXPECT_EQ(count(slurp(f.log), "kubectl cordon"), 1);
  EXPECT_EQ(count(slurp(f.log), "update-access-key"), 0);

  // --continue: the cordon is not retried, the key is deactivated, the run exits 1 (left).
  auto [rc, err] = paste(f, go_on);
  EXPECT_EQ(rc, 1) << err;
  EXPECT_NE(err.find("not retried (--continue)"), std::string::npos) << err;
  EXPECT_EQ(count(slurp(f.log), "kubectl cordon"), 1);
  EXPECT_GE(count(slurp(f.log), "update-access-key"), 1);

  // --skip: journaled as skipped; now the phase is complete.
  std::tie(rc, err) = paste(f, skip + " --reason 'node replaced by its group'");
  EXPECT_EQ(rc, 0) << err;
  EXPECT_EQ(count(slurp(f.log), "kubectl cordon"), 1);
  store::Status st;
  auto c = store::Case::open_readonly(f.dir, st);
  ASSERT_TRUE(c) << st.error;
  int skipped = 0, failed = 0;
  for (const auto& e : c->journal()) {
    if (e.step_id.rfind("contain/cordon/", 0) != 0) continue;
    skipped += e.kind == "skipped" && e.reason == "node replaced by its group";
    failed += e.kind == "step" && e.exit_status == 1;
  }
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(failed, 1);
  auto show = test::run_eksir({"case", "show", f.dir});
  EXPECT_NE(show.out.find("skipped"), std::string::npos) << show.out;
}

TEST(RespondResumeCli, AnotherClusterIsRefusedThenForced) {
  Fixture f = make("arn:aws:eks:eu-west-1:111122223333:cluster/prod-payments");
  std::vector<std::string> args = {"respond",   f.dir,   "--phase",   "contain",
                                   "--execute", "--yes", "--kubectl", f.kubectl,
                                   "--aws",     f.aws,   "--step",    "1"};
  auto r = test::run_eksir(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("points to cluster \"arn:aws:eks:eu-west-1:111122223333:cluster/"
                       "prod-payments\"; the case's cluster is prod-payments (" +
                       std::string(kArn) + ")"),
            std::string::npos)
      << r.err;
  // Only the check ran.
  std::istringstream calls(slurp(f.log));
  for (std::string l; std::getline(calls, l);)
    EXPECT_TRUE(l.find("config view") != std::string::npos ||
                l.find("get-caller-identity") != std::string::npos)
        << l;
  args.insert(args.end(), {"--force-context", "--reason", "kubeconfig mislabelled"});
  r = test::run_eksir(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OVERRIDDEN"), std::string::npos) << r.out;
  store::Status st;
  auto c = store::Case::open_readonly(f.dir, st);
  ASSERT_TRUE(c) << st.error;
  auto j = c->journal();
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j.front().kind, "override");
  EXPECT_EQ(j.front().reason, "kubeconfig mislabelled");
  EXPECT_EQ(j.front().step_id, "contain/context-check");
}

}  // namespace
}  // namespace eksir::respond
