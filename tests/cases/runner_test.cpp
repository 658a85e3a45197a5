// The runner of the test cases written as data (tests/cases/README.md): one GoogleTest case per
// case of every file, named <stage>_<file>_<index>_<name>; a failure names the file and line.
#include <gtest/gtest.h>

#include <cstdlib>

#include "case_file.h"
#include "checks.h"
#include "test_paths.h"

namespace eksir::test {
namespace {

// The cases of the checkout, or of the folder EKSIR_CASES_DIR names (to run a changed copy, as the
// check that every case fails when its expected result is wrong does).
std::string cases_dir() {
  const char* dir = std::getenv("EKSIR_CASES_DIR");
  return dir ? dir : source_dir() + "/tests/cases";
}

const Checks& checks() {
  static const Checks all = [] {
    Checks c;
    add_query_checks(c);
    add_rule_checks(c);
    add_eql_checks(c);
    add_esql_checks(c);
    add_regex_checks(c);
    add_correlation_checks(c);
    return c;
  }();
  return all;
}

// CTest runs each case as its own process, filtered to the one test by its full name: then only
// the file that holds it is read, as reading every file is most of the time of such a run. Any
// other filter (a pattern, several names, none) reads them all.
std::vector<Case> cases_to_run() {
  const std::string filter = GTEST_FLAG_GET(filter);
  const std::string prefix = "Files/Cases.Hold/";
  if (filter.starts_with(prefix) &&
      filter.find_first_of("*?:-", prefix.size()) == std::string::npos)
    return load_cases(cases_dir(), filter.substr(prefix.size()));
  return load_cases(cases_dir());
}

class Cases : public testing::TestWithParam<Case> {};

TEST_P(Cases, Hold) {
  const Case& c = GetParam();
  SCOPED_TRACE(c.where());
  ASSERT_EQ(c.broken, "");
  auto check = checks().find(c.kind);
  ASSERT_NE(check, checks().end()) << "unknown kind '" << c.kind << "'";
  try {
    check->second(c);
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Cases, testing::ValuesIn(cases_to_run()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.id; });

// Every file holds cases, and every case a kind the runner knows.
TEST(CaseFiles, EveryCaseHasAKnownKind) {
  std::vector<Case> all = load_cases(cases_dir());
  ASSERT_FALSE(all.empty());
  for (const Case& c : all) EXPECT_TRUE(checks().count(c.kind)) << c.where();
}

}  // namespace
}  // namespace eksir::test
