// `eksir plan` and `eksir respond` reuse the policy (eksir.yaml) the case was investigated with:
// investigate --config records its absolute path and SHA-256 in the case; without --config the
// plan is the one --config would give, and a policy gone or changed since is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "store/store.h"
#include "test_paths.h"
#include "util/sha256.h"

namespace eksir {
namespace {

namespace fs = std::filesystem;
using test::run_eksir;

// A scenario whose containment and eradication both depend on its policy (trusted CIDRs for the
// endpoint restriction, the CI/CD identity whose key is rotated).
const std::string kScenario = "aws-auth-cronjob";

std::string scenario() {
  return test::source_dir() + "/examples/scenarios/" + kScenario;
}
std::string policy() {
  return scenario() + ".eksir.yaml";
}

// The plan without the time it was generated.
// A plan without the times it is made at: when it was generated, and the revocation cut-off
// ("tokens issued before now") — two plans made a second apart are the same plan.
std::string timeless(const std::string& plan_json) {
  std::string out = std::regex_replace(plan_json, std::regex("\"generated\": *\"[^\"]*\""), "");
  return std::regex_replace(out, std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"),
                            "TIME");
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PolicyReuse, InvestigateRecordsThePolicysAbsolutePathAndDigest) {
  std::string dir = test::temp_dir();
  // A relative --config, from the scenarios folder.
  auto inv = run_eksir(
      {"investigate", kScenario, "--config", kScenario + ".eksir.yaml", "-o", dir + "/case", "-q"},
      test::source_dir() + "/examples/scenarios");
  ASSERT_EQ(inv.exit_code, 0) << inv.err;
  store::Status st;
  auto c = store::Case::open_readonly(dir + "/case", st);
  ASSERT_TRUE(c) << st.error;
  auto run = c->latest_run();
  ASSERT_TRUE(run);
  EXPECT_EQ(run->policy_path, fs::path(policy()).lexically_normal().string());
  EXPECT_EQ(run->policy_sha256, sha256_hex(slurp(policy())));
  // A run without --config records none.
  auto bare = run_eksir({"investigate", scenario(), "-o", dir + "/bare", "-q"});
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  auto b = store::Case::open_readonly(dir + "/bare", st);
  ASSERT_TRUE(b) << st.error;
  EXPECT_EQ(b->latest_run()->policy_path, "");
  EXPECT_EQ(b->latest_run()->policy_sha256, "");
}

TEST(PolicyReuse, PlanWithoutConfigIsThePlanWithTheInvestigationsConfig) {
  std::string dir = test::temp_dir();
  std::string kase = dir + "/case";
  auto inv = run_eksir({"investigate", scenario(), "--config", policy(), "-o", kase, "-q"});
  ASSERT_EQ(inv.exit_code, 0) << inv.err;
  std::string empty = dir + "/empty.yaml";
  std::ofstream(empty) << "# no organisation knowledge\n";
  for (const char* phase : {"contain", "eradicate"}) {
    SCOPED_TRACE(phase);
    auto reused = run_eksir({"plan", kase, "--phase", phase, "--format", "json"});
    ASSERT_EQ(reused.exit_code, 0) << reused.err;
    EXPECT_NE(reused.err.find("eksir plan: using the policy the case was investigated with: " +
                              policy() + " (SHA-256 " + sha256_hex(slurp(policy())).substr(0, 12)),
              std::string::npos)
        << reused.err;
    auto given =
        run_eksir({"plan", kase, "--phase", phase, "--format", "json", "--config", policy()});
    ASSERT_EQ(given.exit_code, 0) << given.err;
    EXPECT_EQ(given.err.find("using the policy"), std::string::npos) << given.err;
    EXPECT_EQ(timeless(reused.out), timeless(given.out));
    // The policy matters to this plan: another one gives another plan.
    auto other = run_eksir({"plan", kase, "--phase", phase, "--format", "json", "--config", empty});
    ASSERT_EQ(other.exit_code, 0) << other.err;
    EXPECT_NE(timeless(other.out), timeless(given.out));
  }
  // respond's dry run plans the same way.
  auto dry = run_eksir({"respond", kase, "--phase", "contain"});
  EXPECT_NE(
      dry.err.find("eksir respond: using the policy the case was investigated with: " + policy()),
      std::string::npos)
      << dry.err;
  auto dry_given = run_eksir({"respond", kase, "--phase", "contain", "--config", policy()});
  // The revocation cut-off is the time of planning: a second may pass between the two.
  EXPECT_EQ(timeless(dry.out), timeless(dry_given.out));
  EXPECT_EQ(dry.exit_code, dry_given.exit_code);
}

TEST(PolicyReuse, PolicyChangedOrGoneSinceIsRefusedUnlessConfigIsGiven) {
  std::string dir = test::temp_dir();
  std::string copy = dir + "/eksir.yaml", kase = dir + "/case";
  fs::copy_file(policy(), copy);
  auto inv = run_eksir({"investigate", scenario(), "--config", copy, "-o", kase, "-q"});
  ASSERT_EQ(inv.exit_code, 0) << inv.err;
  std::string before = sha256_hex(slurp(copy));
  std::ofstream(copy, std::ios::app) << "\ntrusted_cidrs: [198.51.100.0/24]\n";
  std::string after = sha256_hex(slurp(copy));
  for (const char* command : {"plan", "respond"}) {
    SCOPED_TRACE(command);
    auto changed = run_eksir({command, kase, "--phase", "contain"});
    EXPECT_EQ(changed.exit_code, 2);
    EXPECT_TRUE(changed.out.empty()) << changed.out;
    EXPECT_NE(changed.err.find("eksir " + std::string(command) +
                               ": the policy the case was investigated with, " + copy +
                               ", has changed since (SHA-256 " + before + " then, " + after +
                               " now); give --config FILE to " + command),
              std::string::npos)
        << changed.err;
    // --config takes the policy as it is now.
    auto given = run_eksir({command, kase, "--phase", "contain", "--config", copy});
    EXPECT_NE(given.exit_code, 2) << given.err;
  }
  fs::remove(copy);
  auto gone = run_eksir({"plan", kase, "--phase", "contain"});
  EXPECT_EQ(gone.exit_code, 2);
  EXPECT_NE(gone.err.find("eksir plan: the case was investigated with the policy " + copy +
                          ", which cannot be read now; give --config FILE to plan with a policy"),
            std::string::npos)
      << gone.err;
  auto given = run_eksir({"plan", kase, "--phase", "contain", "--config", policy()});
  EXPECT_EQ(given.exit_code, 0) << given.err;
}

TEST(PolicyReuse, ACaseInvestigatedWithoutAPolicyPlansWithoutOne) {
  std::string dir = test::temp_dir();
  auto inv = run_eksir({"investigate", scenario(), "-o", dir + "/case", "-q"});
  ASSERT_EQ(inv.exit_code, 0) << inv.err;
  auto plan = run_eksir({"plan", dir + "/case", "--phase", "contain"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(plan.err.find("policy"), std::string::npos) << plan.err;
}

}  // namespace
}  // namespace eksir
