// Usage errors of the built `eksir`: a time window that ends before it starts is refused, exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_paths.h"

namespace eksir {
namespace {

using test::run_eksir;

std::string example() {
  return test::source_dir() + "/examples/incident-2026-03-14";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(UsageE2E, SinceLaterThanUntilIsAUsageErrorNamingBoth) {
  const std::string since = "2026-03-15T00:00:00Z", until = "2026-03-14T00:00:00Z";
  const std::string want =
      "--since 2026-03-15T00:00:00Z (2026-03-15T00:00:00.000Z) is later than --until "
      "2026-03-14T00:00:00Z (2026-03-14T00:00:00.000Z)";
  std::string cases = test::temp_dir();
  std::vector<std::vector<std::string>> commands = {
      {"hunt", "verb:get", example()},
      {"detect", example()},
      {"investigate", example(), "-o", cases + "/c1"},
  };
  for (auto args : commands) {
    args.insert(args.end(), {"--since", since, "--until", until});
    auto r = run_eksir(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_TRUE(has(r.err, "eksir " + args[0] + ": " + want)) << args[0] << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args[0] << ": " << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(cases + "/c1")) << "nothing is written";
  // Durations are named with the times they stand for: 1h ago is later than 2h ago.
  auto d = run_eksir({"hunt", "verb:get", example(), "--since", "1h", "--until", "2h"});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_TRUE(has(d.err, "eksir hunt: --since 1h (")) << d.err;
  EXPECT_TRUE(has(d.err, ") is later than --until 2h (")) << d.err;
  // collect checks before it runs anything; an empty window is refused there too.
  std::string bundle = test::temp_dir() + "/bundle";
  auto c =
      run_eksir({"collect", "--cluster", "prod", "--region", "us-east-1", "-o", bundle, "--since",
                 since, "--until", until, "--aws", "/bin/false", "--kubectl", "/bin/false"});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_TRUE(has(c.err, "eksir collect: " + want)) << c.err;
  auto same =
      run_eksir({"collect", "--cluster", "prod", "--region", "us-east-1", "-o", bundle, "--since",
                 until, "--until", until, "--aws", "/bin/false", "--kubectl", "/bin/false"});
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_TRUE(has(same.err,
                  "eksir collect: --since 2026-03-14T00:00:00Z (2026-03-14T00:00:00.000Z) "
                  "is the same time as --until"))
      << same.err;
  EXPECT_FALSE(std::filesystem::exists(bundle));
  // A window that holds time still runs.
  auto ok = run_eksir({"hunt", "verb:get", example(), "--since", until, "--until", since, "-q"});
  EXPECT_NE(ok.exit_code, 2) << ok.err;
}

}  // namespace
}  // namespace eksir
