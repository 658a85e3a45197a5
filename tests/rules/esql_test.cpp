// The ES|QL reader and compiler on hostile input. What each condition and pipeline compiles to
// (the STATS shapes that become count / distinct_count correlations, filter-only pipelines) and
// each construct reported as not supported or as an error are data:
// tests/cases/rules/esql_conditions.yaml, esql_pipelines.yaml and esql_issues.yaml.
#include <gtest/gtest.h>

#include "rules/esql.h"

namespace eksir::rules::esql {
namespace {

constexpr TimeNs kMin = 60'000'000'000LL;

TEST(Esql, HostileInputIsAnErrorNeverACrash) {
  std::string deep = "FROM a\n| WHERE " + std::string(5000, '(') + "f == 1";
  EXPECT_EQ(compile(deep, kMin).status, Result::Status::Error);
  std::string chain = "FROM a\n| WHERE f == 1";
  for (int i = 0; i < 100000; ++i) chain += " and f == 1";
  Result long_chain = compile(chain, kMin);
  EXPECT_EQ(long_chain.status, Result::Status::Error);
  EXPECT_EQ(long_chain.issue.message.rfind("expression too long (over 1000 terms)", 0), 0u);
  std::string nots = "FROM a\n| WHERE ";
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_EQ(compile(nots + "f == 1", kMin).status, Result::Status::Error);
}

}  // namespace
}  // namespace eksir::rules::esql
