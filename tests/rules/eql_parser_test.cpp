// The EQL parser: the category override, hostile input, sequences. Each construct into its tree and
// each error with its line and column are data: tests/cases/rules/eql_trees.yaml and
// eql_errors.yaml.
#include <gtest/gtest.h>

#include <string>

#include "rules/eql.h"
#include "rules/eql_tree_text.h"

namespace eksir::rules::eql {
namespace {

using query::Node;
using query::NodeKind;

std::string tree(std::string_view text, const Options& o = {}) {
  Result r = parse(text, o);
  if (const Error* e = std::get_if<Error>(&r))
    return "error " + std::to_string(e->line) + ":" + std::to_string(e->column) + " " + e->message;
  const Query& q = std::get<Query>(r);
  return test::show_tree(q.steps.at(0).match);
}

TEST(EqlParser, CategoryOverride) {
  Options o;
  o.category_field = "event.type";
  EXPECT_EQ(tree(R"(info where a == "x")", o), R"((and (event.type "info") (a "x")))");
}

TEST(EqlParser, HostileInputNeverCrashes) {
  EXPECT_TRUE(std::holds_alternative<Error>(parse(std::string(100000, '('))));
  EXPECT_TRUE(std::holds_alternative<Error>(parse("any where " + std::string(5000, '(') + "a")));
  std::string nots = "any where ";
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_TRUE(std::holds_alternative<Error>(parse(nots + "a == 1")));
  for (std::string_view s : {"", "any", "any where", "sequence", "sequence by", "\"", "`", "?",
                             "any where a in (", "any where f(", "sequence by a [", "\xff\xfe"})
    EXPECT_TRUE(std::holds_alternative<Error>(parse(s))) << s;
}

TEST(EqlParser, Sequences) {
  Result r = parse(R"(sequence by user.name with maxspan=5m
  [any where a == "1"]
  [iam where a == "2"] by x
  with runs=2
  until [any where a == "3"])");
  ASSERT_TRUE(std::holds_alternative<Error>(r));  // the first step has no `by` of its own
  r = parse(R"(sequence by user.name with maxspan=5m
  [any where a == "1"] by y
  [iam where a == "2"] by x with runs=2
  until [any where a == "3"] by z)");
  ASSERT_TRUE(std::holds_alternative<Query>(r)) << std::get<Error>(r).message;
  const Query& q = std::get<Query>(r);
  EXPECT_TRUE(q.sequence);
  EXPECT_EQ(q.by, std::vector<std::string>{"user.name"});
  EXPECT_EQ(q.maxspan, 300'000'000'000);
  ASSERT_EQ(q.steps.size(), 3u);  // runs=2 repeats the step
  EXPECT_EQ(q.steps[0].line, 2u);
  EXPECT_EQ(q.steps[1].line, 3u);
  EXPECT_EQ(q.steps[1].category, "iam");
  EXPECT_EQ(q.steps[2].by, std::vector<std::string>{"x"});
  EXPECT_TRUE(q.has_until);
  EXPECT_EQ(test::show_tree(q.until.match), R"((a "3"))");
  EXPECT_EQ(q.until.by, std::vector<std::string>{"z"});
  // maxspan before by, units.
  for (auto [text, ns] : {std::pair{"250ms", 250'000'000LL},
                          {"2s", 2'000'000'000LL},
                          {"1h", 3'600'000'000'000LL},
                          {"1d", 86'400'000'000'000LL}}) {
    Result s = parse(std::string("sequence with maxspan=") + text +
                     " by a [any where true] [any where true]");
    ASSERT_TRUE(std::holds_alternative<Query>(s)) << text;
    EXPECT_EQ(std::get<Query>(s).maxspan, ns) << text;
  }
}

}  // namespace
}  // namespace eksir::rules::eql
