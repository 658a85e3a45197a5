// The ES|QL reader and compiler: the STATS shapes that become count / distinct_count correlations,
// filter-only pipelines, hostile input. What each condition compiles to and each construct
// reported as not supported or as an error are data: tests/cases/rules/esql_conditions.yaml and
// esql_issues.yaml.
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
  for (std::string junk :
       {"|", "| |", "FROM a |", "\"", "`", "FROM a | STATS BY", "FROM a | EVAL",
        "FROM a | STATS c = COUNT(", "FROM a | WHERE -", "FROM a | WHERE f IN ("})
    EXPECT_NE(compile(junk, kMin).status, Result::Status::Compiled) << junk;
}

TEST(Esql, FilterOnlyPipelinesAreSingleEventRules) {
  Result r =
      compile(R"(from logs-aws.cloudtrail-*, logs-kubernetes.audit_logs-* metadata _id, _index
// a comment | with a pipe
| where event.provider == "iam.amazonaws.com" /* block */
| Where event.action == "CreateAccessKey"
| eval Esql.note = concat(user.name, "!")
| keep @timestamp, user.*, Esql.*
| sort @timestamp desc
| limit 100)",
              5 * kMin);
  ASSERT_EQ(r.status, Result::Status::Compiled) << r.issue.message;
  EXPECT_EQ(r.compiled.correlation.type, CorrelationType::None);
  EXPECT_EQ(r.compiled.indices,
            (std::vector<std::string>{"logs-aws.cloudtrail-*", "logs-kubernetes.audit_logs-*"}));
  EXPECT_EQ(
      query::to_string(r.compiled.match),
      R"((and (match event.provider "iam.amazonaws.com") (match event.action "CreateAccessKey")))");
  EXPECT_EQ(r.compiled.fields, (std::vector<std::string>{"event.provider", "event.action"}));
}

struct StatsCase {
  std::string stats;  // the commands after `FROM a | WHERE f == "x"`
  CorrelationType type;
  std::vector<std::string> group_by;
  std::string field;
  uint64_t threshold;
  TimeNs window;
  std::string match;
};

const StatsCase kStats[] = {
    {"| STATS c = COUNT(*), v = VALUES(u) BY g\n| WHERE c >= 1000 | SORT c DESC",
     CorrelationType::Count,
     {"g"},
     "",
     1000,
     6 * kMin,
     R"((match f "x"))"},
    {"| stats c = count() by g, h | where c > 5",
     CorrelationType::Count,
     {"g", "h"},
     "",
     6,
     6 * kMin,
     R"((match f "x"))"},
    {"| STATS d = COUNT_DISTINCT(n) BY g, b = DATE_TRUNC(10 seconds, @timestamp)\n| WHERE d > 15",
     CorrelationType::DistinctCount,
     {"g"},
     "n",
     16,
     10'000'000'000LL,
     R"((match f "x"))"},
    {"| EVAL w = date_trunc(30 seconds, @timestamp)\n| KEEP w, g, n\n"
     "| STATS d = count_distinct(n), c = count(*), t = MIN(@timestamp) BY w, g\n"
     "| WHERE d >= 10 and c >= 10",
     CorrelationType::DistinctCount,
     {"g"},
     "n",
     10,
     30'000'000'000LL,
     R"((match f "x"))"},
    {"| STATS c = COUNT(n) BY g | WHERE 3 <= c",
     CorrelationType::Count,
     {"g"},
     "",
     3,
     6 * kMin,
     R"((and (match f "x") (exists n)))"},
    {"| STATS c = COUNT(*) BY g",
     CorrelationType::Count,
     {"g"},
     "",
     1,
     6 * kMin,
     R"((match f "x"))"},
    {"| STATS c = COUNT(*) BY g | WHERE c > 0 | EVAL r = c * 2 | KEEP r",
     CorrelationType::Count,
     {"g"},
     "",
     1,
     6 * kMin,
     R"((match f "x"))"},
};

TEST(Esql, StatsBecomeCountAndDistinctCorrelations) {
  for (const auto& c : kStats) {
    Result r = compile("FROM a\n| WHERE f == \"x\"\n" + c.stats, 6 * kMin);
    ASSERT_EQ(r.status, Result::Status::Compiled) << c.stats << ": " << r.issue.message;
    const Correlation& k = r.compiled.correlation;
    EXPECT_EQ(k.type, c.type) << c.stats;
    EXPECT_EQ(k.group_by, c.group_by) << c.stats;
    EXPECT_EQ(k.field, c.field) << c.stats;
    EXPECT_EQ(k.threshold, c.threshold) << c.stats;
    EXPECT_EQ(k.window, c.window) << c.stats;
    EXPECT_EQ(query::to_string(r.compiled.match), c.match) << c.stats;
  }
}

}  // namespace
}  // namespace eksir::rules::esql
