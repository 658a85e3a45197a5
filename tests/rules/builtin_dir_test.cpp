// Where an executable finds the built-in rule pack: the installed one beside it, an unpacked
// tree's, the checkout's only for a program of this build tree, and otherwise the installed path
// (missing: the caller warns, naming it), never the checkout's.
#include <gtest/gtest.h>

#include <filesystem>

#include "rules/rules.h"
#include "test_paths.h"

namespace fs = std::filesystem;

namespace eksir::rules {
namespace {

std::string canonical(const std::string& p) {
  return fs::weakly_canonical(p).string();
}

TEST(BuiltinRulesDir, InstalledPackBesideTheBinary) {
  fs::path prefix = test::temp_dir();
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "share/eksir/rules/builtin");
  EXPECT_EQ(builtin_rules_dir_for((prefix / "bin/eksir").string()),
            (prefix / "share/eksir/rules/builtin").string());
  fs::remove_all(prefix);
}

TEST(BuiltinRulesDir, InstalledBinaryWithoutItsPackNamesTheInstalledPath) {
  fs::path prefix = test::temp_dir();
  fs::create_directories(prefix / "bin");
  // Outside the build tree: the checkout's pack is never the answer.
  EXPECT_EQ(builtin_rules_dir_for((prefix / "bin/eksir").string()),
            (prefix / "share/eksir/rules/builtin").string());
  fs::remove_all(prefix);
}

TEST(BuiltinRulesDir, UnpackedTreeBesideTheBinary) {
  fs::path root = test::temp_dir();
  fs::create_directories(root / "bin");
  fs::create_directories(root / "rules/builtin");
  EXPECT_EQ(builtin_rules_dir_for((root / "bin/eksir").string()),
            (root / "rules/builtin").string());
  fs::remove_all(root);
}

TEST(BuiltinRulesDir, ProgramOfThisBuildTreeReadsTheCheckoutsPack) {
  // This test program runs from the build tree: the checkout's pack, as for build/eksir.
  std::string self = fs::read_symlink("/proc/self/exe").string();
  EXPECT_EQ(canonical(builtin_rules_dir_for(self)),
            canonical(test::source_dir() + "/rules/builtin"));
  EXPECT_EQ(canonical(builtin_rules_dir_for(test::eksir_binary())),
            canonical(test::source_dir() + "/rules/builtin"));
}

}  // namespace
}  // namespace eksir::rules
