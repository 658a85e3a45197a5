// The ES|QL reader and compiler, one construct at a time: what each condition compiles to (with
// ES|QL's null semantics), the STATS shapes that become count / distinct_count correlations,
// and each construct reported as not supported or as an error, never a crash.
#include <gtest/gtest.h>

#include "rules/esql.h"

namespace eksir::rules::esql {
namespace {

constexpr TimeNs kMin = 60'000'000'000LL;

std::string where(const std::string& cond) {
  Result r = compile("FROM logs-aws.cloudtrail-*\n| WHERE " + cond, 5 * kMin);
  if (r.status != Result::Status::Compiled) return "ISSUE: " + r.issue.message;
  return query::to_string(r.compiled.match);
}

struct CondCase {
  std::string cond, tree;
};

// Conditions as ES|QL writes them and the tree each compiles to.
const CondCase kConds[] = {
    {R"(event.action == "CreateUser")", R"((match event.action "CreateUser"))"},
    {R"(event.action != "CreateUser")",
     R"((and (exists event.action) (not (match event.action "CreateUser"))))"},
    // null (a missing field) drops the row, also under NOT.
    {R"(not event.action == "CreateUser")",
     R"((and (exists event.action) (not (match event.action "CreateUser"))))"},
    {R"(NOT (a == "1" OR b == "2"))",
     R"((and (exists a) (not (match a "1")) (exists b) (not (match b "2"))))"},
    {R"(not (a == "1" and b == "2"))",
     R"((or (and (exists a) (not (match a "1"))) (and (exists b) (not (match b "2")))))"},
    {"code >= 400", "(range code >= 400)"},
    {"400 < code", "(range code > 400)"},
    {"source.ip IS NULL", "(not (exists source.ip))"},
    {"source.ip is not null", "(exists source.ip)"},
    {"not source.ip is null", "(exists source.ip)"},
    {R"(event.action IN ("A", "B"))", R"((or (match event.action "A") (match event.action "B")))"},
    {R"(event.action not in ("A", "B"))",
     R"((and (exists event.action) (not (or (match event.action "A") (match event.action "B")))))"},
    {R"(user.name LIKE "eks:*")", R"((match user.name eks\:*))"},
    {R"(user.name like "a?c")", R"((match user.name "^(?:a.c)$"))"},
    {R"(user.name like "a\\*b")", R"((match user.name "a*b"))"},
    {R"(user.name NOT LIKE "x*")", "(and (exists user.name) (not (match user.name x*)))"},
    {R"(user.name RLIKE """(eks:|system:).*""")", R"((match user.name "^(?:(eks:|system:).*)$"))"},
    {R"(TO_LOWER(user_agent.original) LIKE "*terraform*")",
     "(match user_agent.original *terraform*)"},
    // TO_LOWER never yields an upper-case letter: never true, false when the field is there.
    {R"(TO_LOWER(user_agent.original) == "Terraform")", R"((not (all)))"},
    {R"(to_string(source.ip) in ("127.0.0.1", "::1"))",
     R"((or (match source.ip "127.0.0.1") (match source.ip "::1")))"},
    {R"(STARTS_WITH(user.name, "system:"))", R"((match user.name system\:*))"},
    {R"(ends_with(user.name, ".js"))", "(match user.name *.js)"},
    {"user.name != user.target.name",
     "(and (exists user.name) (exists user.target.name) (not (match user.name "
     "user.target.name)))"},
    {R"(KQL("""event.action:CreateUser"""))", "(match event.action CreateUser)"},
    {R"(true in (starts_with(a, "x"), starts_with(a, "y")))", "(or (match a x*) (match a y*))"},
    {"`kubernetes.audit.annotations.authorization_k8s_io/decision` == \"allow\"",
     R"((match kubernetes.audit.annotations.authorization_k8s_io/decision "allow"))"},
};

TEST(Esql, ConditionsCompileWithNullSemantics) {
  for (const auto& c : kConds) EXPECT_EQ(where(c.cond), c.tree) << c.cond;
}

struct Reported {
  std::string query, message;
  uint32_t line;
};

// Constructs eksir does not run: reported with the construct and its line (query lines).
const Reported kReported[] = {
    {"FROM logs-aws.cloudtrail-*\n| GROK message \"%{WORD:x}\"",
     "ES|QL command `GROK` is not supported", 2},
    {"FROM a\n| DISSECT message \"%{x}\"", "ES|QL command `DISSECT` is not supported", 2},
    {"FROM a\n| ENRICH p", "ES|QL command `ENRICH` is not supported", 2},
    {"FROM a\n| LOOKUP JOIN t ON k", "ES|QL command `LOOKUP JOIN` is not supported", 2},
    {"FROM a\n| INLINESTATS c = COUNT(*) BY f", "ES|QL command `INLINESTATS` is not supported", 2},
    {"FROM a\n| MV_EXPAND f", "ES|QL command `MV_EXPAND` is not supported", 2},
    {"ROW a = 1", "source command `ROW` is not supported (FROM only)", 1},
    {"FROM a\n| EVAL x = TO_LOWER(f)\n| WHERE x == \"y\"",
     "WHERE on an EVAL column (`x`, line 2) is not supported", 3},
    {"FROM a\n| EVAL x = CASE(f == \"a\", 1, 0)\n| STATS c = COUNT(*) BY x",
     "`STATS … BY` on an EVAL column (`x`, line 2) is not supported", 3},
    {"FROM a\n| EVAL x = f\n| STATS c = COUNT_DISTINCT(x) BY g\n| WHERE c >= 2",
     "`STATS` of a count on an EVAL column (`x`, line 2) is not supported", 3},
    {"FROM a\n| STATS c = COUNT(*) WHERE f == \"x\" BY g",
     "`STATS … WHERE` (an aggregate over some rows) is not supported", 2},
    {"FROM a\n| STATS c = COUNT(*), d = COUNT_DISTINCT(h) BY g\n| WHERE c >= 5 AND d >= 2",
     "a condition on several aggregates is not supported", 2},
    {"FROM a\n| STATS s = SUM(n) BY g\n| WHERE s > 3",
     "a condition on the aggregate `SUM()` is not supported (COUNT and COUNT_DISTINCT only)", 3},
    {"FROM a\n| STATS c = COUNT(*) BY g\n| WHERE c < 50",
     "`<` on a count is not a threshold (only `>=`, `>`)", 3},
    {"FROM a\n| STATS c = COUNT(*) BY g\n| WHERE c == 3",
     "`==` on a count is not a threshold (only `>=`, `>`)", 3},
    {"FROM a\n| STATS c = COUNT(*) BY g\n| WHERE c >= 2 OR c >= 1",
     "a condition after STATS other than lower bounds joined by AND", 3},
    {"FROM a\n| STATS c = COUNT(*) BY g\n| WHERE g IS NOT NULL",
     "a condition after STATS other than lower bounds joined by AND", 3},
    {"FROM a\n| STATS c = COUNT(*) BY g\n| WHERE g == \"x\"",
     "a condition on the group key `g` after STATS is not supported", 3},
    {"FROM a\n| STATS c = COUNT(*)",
     "STATS without a BY field (one group of every event) is not supported", 2},
    {"FROM a\n| STATS c = COUNT(*) BY g\n| STATS d = COUNT(*) BY c",
     "a second STATS (after the one at line 2) is not supported", 3},
    {"FROM a\n| STATS c = COUNT(*) BY TO_LOWER(g)",
     "`STATS … BY` on an expression is not supported", 2},
    {"FROM a\n| STATS c = COUNT(*) BY DATE_TRUNC(1 month, @timestamp), g",
     "DATE_TRUNC other than of @timestamp by a fixed span", 2},
    {"FROM a\n| LIMIT 10\n| WHERE f == 1",
     "LIMIT before WHERE or STATS (it changes which rows match)", 2},
    {"FROM a\n| WHERE @timestamp >= NOW() - 1 hour",
     "a comparison with arithmetic is not supported", 2},
    {"FROM a\n| WHERE MV_COUNT(f) > 1", "`MV_COUNT()` in a condition is not supported", 2},
    {"FROM a\n| WHERE CIDR_MATCH(source.ip, \"10.0.0.0/8\")",
     "ES|QL function `CIDR_MATCH` in WHERE is not supported", 2},
    {"FROM a\n| WHERE f == null", "a comparison with null (always null: IS NULL is meant)", 2},
    {"FROM a\n| WHERE f RLIKE \"^abc\"", "the RLIKE pattern uses `^` (Lucene and RE2 differ)", 2},
    {"FROM a\n| WHERE f RLIKE \"a&b\"", "the RLIKE pattern uses `&` (Lucene and RE2 differ)", 2},
    {"FROM a\n| WHERE f RLIKE \"\"\"\\bword\"\"\"",
     "the RLIKE pattern uses `\\b` (Lucene and RE2 differ)", 2},
    {"FROM a\n| WHERE f < g", "comparing two fields with `<` is not supported", 2},
    {"FROM a\n| WHERE f IN (\"a\", null)", "null in an IN list is not supported", 2},
};

TEST(Esql, ReportsEachConstructItDoesNotRun) {
  for (const auto& c : kReported) {
    Result r = compile(c.query, 5 * kMin);
    EXPECT_EQ(r.status, Result::Status::Unsupported) << c.query;
    EXPECT_EQ(r.issue.message, c.message) << c.query;
    EXPECT_EQ(r.issue.line, c.line) << c.query;
  }
}

// Wrong or hostile input: an error naming the line, never a crash.
const Reported kErrors[] = {
    {"", "an empty query", 1},
    {"FROM a\n| WHERE (f == \"x\"", "expected `)`, found the end of the command", 2},
    {"FROM a\n| WHERE f == \"x", "unterminated string", 2},
    {"FROM a\n| WHERE f == \"\"\"x", "unterminated \"\"\" string", 2},
    {"FROM a\n|\n| WHERE f == 1", "an empty command (two `|` in a row)", 3},
    {"FROM a /* open", "unterminated /* comment", 1},
    {"FROM a\n| WHERE f == 1 )", "expected the end of the condition, found `)`", 2},
    {"FROM a\n| WHERE f::keyword == \"x\"", "`::` casts are not supported, found `::`", 2},
    {"FROM a\n| WHERE f RLIKE \"(a\"", "bad RLIKE pattern: missing ): ^(?:(a)$", 2},
    {"FROM a\n| WHERE KQL(\"a:(\")", "", 2},
    {"FROM a\n| KEEP b\n| WHERE f == 1", "column `f` was removed by the KEEP at line 2", 3},
    {"FROM a\n| DROP f*\n| WHERE f.x == 1", "column `f.x` was removed by the DROP at line 2", 3},
    {"FROM a\n| STATS c = COUNT(*) BY g\n| WHERE d > 1", "unknown column `d` after STATS", 3},
    {"FROM\n| WHERE f == 1", "FROM names no index", 1},
    {"FROM a\n| WHERE f == \"\\q\"", "unknown escape \\q in a string", 2},
};

TEST(Esql, ErrorsNameTheLineAndNeverCrash) {
  for (const auto& c : kErrors) {
    Result r = compile(c.query, 5 * kMin);
    EXPECT_EQ(r.status, Result::Status::Error) << c.query;
    if (!c.message.empty()) {
      EXPECT_EQ(r.issue.message, c.message) << c.query;
    }
    EXPECT_FALSE(r.issue.message.empty()) << c.query;
    EXPECT_EQ(r.issue.line, c.line) << c.query;
  }
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
