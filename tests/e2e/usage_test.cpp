// Usage errors of the built `eksir`: a mistyped command or option is named with the closest one
// the command line knows, and a time window that ends before it starts is refused, both exit 2.
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

TEST(UsageE2E, MistypedCommandIsNamedWithTheClosest) {
  auto r = run_eksir({"investgate", example()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "eksir: unknown command \"investgate\"; did you mean \"investigate\"?"))
      << r.err;
  EXPECT_FALSE(has(r.err, "A subcommand is required")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  auto swapped = run_eksir({"plna", "case"});
  EXPECT_EQ(swapped.exit_code, 2);
  EXPECT_TRUE(has(swapped.err, "unknown command \"plna\"; did you mean \"plan\"?")) << swapped.err;

  // A command's own commands: `case`, `rules`.
  auto nested = run_eksir({"case", "shw", "x"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_TRUE(has(nested.err, "eksir case: unknown command \"shw\"; did you mean \"show\"?"))
      << nested.err;
  auto rules = run_eksir({"rules", "lst"});
  EXPECT_EQ(rules.exit_code, 2);
  EXPECT_TRUE(has(rules.err, "eksir rules: unknown command \"lst\"; did you mean \"list\"?"))
      << rules.err;
}

TEST(UsageE2E, CommandFarFromEveryNameListsThem) {
  auto r = run_eksir({"xyzzy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "eksir: unknown command \"xyzzy\" (commands: hunt, detect, ")) << r.err;
  EXPECT_FALSE(has(r.err, "did you mean")) << r.err;
  // No command at all is still CLI11's message.
  auto none = run_eksir({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(has(none.err, "A subcommand is required")) << none.err;
}

TEST(UsageE2E, MistypedOptionIsNamedWithTheClosestOfItsCommand) {
  auto r = run_eksir({"hunt", "verb:get", example(), "--formt", "json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "eksir hunt: unknown option \"--formt\"; did you mean \"--format\"?"))
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  auto eq = run_eksir({"hunt", "verb:get", example(), "--formt=json"});
  EXPECT_EQ(eq.exit_code, 2);
  EXPECT_TRUE(has(eq.err, "unknown option \"--formt\"; did you mean \"--format\"?")) << eq.err;

  auto d = run_eksir({"detect", example(), "--min-severty", "high"});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_TRUE(has(d.err,
                  "eksir detect: unknown option \"--min-severty\"; did you mean "
                  "\"--min-severity\"?"))
      << d.err;

  auto inv = run_eksir({"investigate", example(), "--confg", "eksir.yaml"});
  EXPECT_EQ(inv.exit_code, 2);
  EXPECT_TRUE(has(inv.err, "did you mean \"--config\"?")) << inv.err;

  // The mistyped option is the cause, not the --phase it left missing.
  auto plan = run_eksir({"plan", "case", "--phse", "contain"});
  EXPECT_EQ(plan.exit_code, 2);
  EXPECT_TRUE(has(plan.err, "eksir plan: unknown option \"--phse\"; did you mean \"--phase\"?"))
      << plan.err;

  // Suggestions come from the command's own options: detect's --rules is not hunt's.
  auto other = run_eksir({"hunt", "verb:get", example(), "--rules", "x"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_TRUE(has(other.err, "eksir hunt: unknown option \"--rules\" (see eksir hunt --help)"))
      << other.err;
}

TEST(UsageE2E, UnknownNamesAreShownVisibly) {
  auto r = run_eksir({"inv\x1b[2Jestigate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(has(r.err, "\x1b")) << r.err;
  EXPECT_TRUE(has(r.err, "unknown command \"inv\\x1b[2Jestigate\"")) << r.err;
  auto o = run_eksir({"hunt", "x", example(), "--form\x1b]8;;at"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_FALSE(has(o.err, "\x1b")) << o.err;
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

// A mistyped query field: an unknown name gets the closest ECS name or native path; a path
// under a known top-level key (which is "known", so not warned about when parsed) that no event
// of the evidence has is said after the scan, with the closest name. Fields present in the
// evidence, matched or not, are not named.
TEST(UsageE2E, MistypedQueryFieldsAreNamedWithTheClosest) {
  auto ecs = run_eksir({"hunt", "sourc.ip:203.0.113.45", example(), "-q"});
  EXPECT_EQ(ecs.exit_code, 1) << ecs.err;  // nothing matched
  EXPECT_TRUE(has(ecs.err, "unknown field 'sourc.ip'")) << ecs.err;
  EXPECT_TRUE(has(ecs.err, "did you mean 'source.ip'?")) << ecs.err;
  EXPECT_FALSE(has(ecs.err, "no event in the evidence has the field 'sourc.ip'"))
      << "said once: " << ecs.err;

  auto native = run_eksir({"hunt", "objectRef.resourse:pods and verb:create", example(), "-q"});
  EXPECT_EQ(native.exit_code, 1) << native.err;
  // Only the lines holding "pods" and "create" are parsed (the literal prefilter): said so.
  EXPECT_TRUE(has(native.err,
                  "no event parsed has the field 'objectRef.resourse'; did you mean "
                  "'objectRef.resource'? (lines without the query's words were not parsed)"))
      << native.err;
  auto all = run_eksir(
      {"hunt", "objectRef.resourse:pods and verb:create", example(), "-q", "--no-prefilter"});
  EXPECT_TRUE(has(all.err,
                  "no event in the evidence has the field 'objectRef.resourse'; did you mean "
                  "'objectRef.resource'?"))
      << all.err;
  EXPECT_FALSE(has(native.err, "'verb'")) << native.err;

  auto fine = run_eksir(
      {"hunt", "objectRef.resource:pods and requestParameters.roleArn:nothing-like-it", example()});
  EXPECT_FALSE(has(fine.err, "no event in the evidence has")) << fine.err;
}

}  // namespace
}  // namespace eksir
