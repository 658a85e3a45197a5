// The ES|QL compiler's kinds of case: a condition into its tree, a pipeline into its tree and
// correlation, or a query that does not compile into the issue it reports.
#include <gtest/gtest.h>

#include <string>

#include "checks.h"
#include "rules/esql.h"
#include "util/time.h"

namespace eksir::test {
namespace {

namespace esql = rules::esql;

constexpr TimeNs kFiveMinutes = 5 * 60'000'000'000LL;

void esql_condition(const Case& c) {
  esql::Result r =
      esql::compile("FROM logs-aws.cloudtrail-*\n| WHERE " + c.text("condition"), kFiveMinutes);
  ASSERT_EQ(r.status, esql::Result::Status::Compiled) << r.issue.message;
  EXPECT_EQ(query::to_string(r.compiled.match), c.text("tree"));
}

// `message` when the case gives it, else any message.
void esql_issue(const Case& c) {
  esql::Result r = esql::compile(c.text("query"), kFiveMinutes);
  const std::string status = c.text("status");
  ASSERT_TRUE(status == "unsupported" || status == "error") << "status: " << status;
  EXPECT_EQ(r.status,
            status == "error" ? esql::Result::Status::Error : esql::Result::Status::Unsupported);
  if (c.has("message")) {
    EXPECT_EQ(r.issue.message, c.text("message"));
  }
  EXPECT_FALSE(r.issue.message.empty());
  EXPECT_EQ(r.issue.line, c.number("line"));
}

// A pipeline (`query`, or the file's `template` filled) compiled with the rule's lookback
// (`window`): the match's tree, and the correlation, indices and fields when the case gives them.
void esql_compile(const Case& c) {
  const std::string text = c.has("query") ? c.text("query") : fill(c.text("template"), c);
  esql::Result r = esql::compile(text, parse_duration(c.text("window")));
  ASSERT_EQ(r.status, esql::Result::Status::Compiled) << r.issue.message;
  EXPECT_EQ(query::to_string(r.compiled.match), c.text("tree"));
  expect_correlation(c, r.compiled.correlation);
  if (c.has("indices")) {
    EXPECT_EQ(r.compiled.indices, c.strings("indices"));
  }
  if (c.has("fields")) {
    EXPECT_EQ(r.compiled.fields, c.strings("fields"));
  }
}

}  // namespace

void add_esql_checks(Checks& checks) {
  checks["esql-compile"] = esql_compile;
  checks["esql-condition"] = esql_condition;
  checks["esql-issue"] = esql_issue;
}

}  // namespace eksir::test
