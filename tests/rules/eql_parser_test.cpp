// The EQL parser: each construct into its tree (with the flags to_string does not show), each
// error with its line and column, constructs eksir does not run reported as such, and Elastic's
// case rules evaluated on a CloudTrail event.
#include <gtest/gtest.h>

#include <string>

#include "rules/eql.h"

namespace eksir::rules::eql {
namespace {

using query::Node;
using query::NodeKind;

// A tree as text, with the pattern's flags: i (ignore case), w (wildcard offsets), re (regex).
std::string show(const Node& n) {
  std::string out;
  switch (n.kind) {
    case NodeKind::All:
      return "all";
    case NodeKind::And:
    case NodeKind::Or:
      out = n.kind == NodeKind::And ? "(and" : "(or";
      for (const auto& c : n.children) out += " " + show(c);
      return out + ")";
    case NodeKind::Not:
      return "(not " + show(n.children.at(0)) + ")";
    case NodeKind::Exists:
      return "(exists " + n.field + ")";
    case NodeKind::Range:
      return "(" + n.field + " " + std::string(query::range_op_text(n.op)) + " " + n.value.text +
             ")";
    case NodeKind::Match: {
      out = "(" + n.field + " " + (n.value.quoted ? "\"" + n.value.text + "\"" : n.value.text);
      if (n.value.icase) out += " i";
      if (n.value.regex) out += " re";
      if (n.value.cidr) out += " cidr";
      if (!n.value.wildcards.empty()) {
        out += " ";
        for (uint32_t w : n.value.wildcards) out += "w" + std::to_string(w);
      }
      return out + ")";
    }
    case NodeKind::Custom:
      return "(custom " + n.predicate->text() + ")";
    default:
      return "?";
  }
}

std::string tree(std::string_view text, const Options& o = {}) {
  Result r = parse(text, o);
  if (const Error* e = std::get_if<Error>(&r))
    return "error " + std::to_string(e->line) + ":" + std::to_string(e->column) + " " + e->message;
  const Query& q = std::get<Query>(r);
  return show(q.steps.at(0).match);
}

struct Case {
  const char* eql;
  const char* want;
};

const Case kTrees[] = {
    {R"(any where a == "x")", R"((a "x"))"},
    {R"(any where a != "x")", R"((not (a "x")))"},
    {R"(any where a == 5)", R"((a 5))"},
    {R"(any where a == true)", R"((a true))"},
    {R"(any where a == null)", R"((not (exists a)))"},
    {R"(any where a != null)", R"((exists a))"},
    {R"(any where a == "")", R"((a ""))"},
    {R"(any where a < 5 and b >= "m")", R"((and (a < 5) (b >= m)))"},
    {R"(any where a <= 1.5 or a > -2)", R"((or (a <= 1.5) (a > -2)))"},
    // `==` does not expand wildcards; `:` does, ignoring case.
    {R"(any where a == "x*y")", R"((a "x*y"))"},
    {R"(any where a : "x*y")", R"((a "x*y" i w1))"},
    {R"(any where a : ("x", "y*"))", R"((or (a "x" i) (a "y*" i w1)))"},
    {R"(any where a : "x?y")", R"((a "^(?:x.y)$" i re))"},
    {R"(any where a like "x*")", R"((a "x*" w1))"},
    {R"(any where a like~ "x*")", R"((a "x*" i w1))"},
    {R"(any where a like ("x*", "*y"))", R"((or (a "x*" w1) (a "*y" w0)))"},
    {R"(any where a like "x\\*")", R"((a "x*"))"},
    {R"(any where a regex "ab+")", R"((a "^(?:ab+)$" re))"},
    {R"(any where a regex~ ("ab+", "c"))", R"((or (a "^(?:ab+)$" i re) (a "^(?:c)$" i re)))"},
    {R"(any where a in ("x", "y"))", R"((or (a "x") (a "y")))"},
    {R"(any where a in~ ("x"))", R"((a "x" i))"},
    {R"(any where a not in ("x", "y"))", R"((not (or (a "x") (a "y"))))"},
    {R"(any where not a in ("x"))", R"((not (a "x")))"},
    {R"(any where a in ("x", null))", R"((or (a "x") (not (exists a))))"},
    {R"(any where stringContains(a, "x"))", R"((a "*x*" w0w2))"},
    {R"(any where stringContains~(a, "X"))", R"((a "*X*" i w0w2))"},
    {R"(any where startsWith(a, "x"))", R"((a "x*" w1))"},
    {R"(any where endsWith~ (a, "x"))", R"((a "*x" i w0))"},
    {R"(any where stringContains(a, "p=\\*"))", R"((a "*p=**" w0w4))"},
    {R"(any where stringContains(a, b) and endsWith~(a, b))",
     "(and (custom stringContains(a, b)) (custom endsWith~(a, b)))"},
    {R"(any where cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16"))",
     R"((or (source.ip "10.0.0.0/8" cidr) (source.ip "192.168.0.0/16" cidr)))"},
    {R"(any where ?a.b == "x")", R"((a.b "x"))"},
    {"any where `k.annotations.authorization_k8s_io/decision` == \"allow\"",
     R"((k.annotations.authorization_k8s_io/decision "allow"))"},
    {"any where `a``b` == \"x\"", R"((a`b "x"))"},
    {"any where a == \"x\" /* c1 */ and // c2\n b == \"y\"", R"((and (a "x") (b "y")))"},
    {R"(any where a == "t\tq\"\\\u{e9}")", "(a \"t\tq\"\\\xc3\xa9\")"},
    {R"(any where a == """raw\n""")", R"((a "raw\n"))"},
    {R"(any where not (a == "x" or b == "y") and c == "z")",
     R"((and (not (or (a "x") (b "y"))) (c "z")))"},
    {R"(any where true)", "all"},
    {R"(any where false)", "(not all)"},
    {R"(ANY WHERE a == "x" AND b == "y")", R"((and (a "x") (b "y")))"},
    {R"(iam where a == "x")", R"((and (event.category "iam") (a "x")))"},
    {R"("iam" where a == "x")", R"((and (event.category "iam") (a "x")))"},
};

TEST(EqlParser, ConstructsIntoTrees) {
  for (const auto& c : kTrees) EXPECT_EQ(tree(c.eql), c.want) << c.eql;
}

TEST(EqlParser, CategoryOverride) {
  Options o;
  o.category_field = "event.type";
  EXPECT_EQ(tree(R"(info where a == "x")", o), R"((and (event.type "info") (a "x")))");
}

struct ErrCase {
  const char* eql;
  uint32_t line, column;
  const char* message;
  bool unsupported;
};

const ErrCase kErrors[] = {
    {R"(any where a == "x)", 1, 16, "unterminated string", false},
    {R"(any where a == 'x')", 1, 16, "single-quoted strings are not EQL", false},
    {R"(any where a == "\q")", 1, 17, "bad escape '\\q'", false},
    {R"(any where a == "\u{110000}")", 1, 17, "bad escape: \\u{...}", false},
    {"any where a == \"x\" /* open", 1, 20, "unterminated /* comment", false},
    {"any where `a == \"x\"", 1, 11, "unterminated backquoted field name", false},
    {R"(any a == "x")", 1, 5, "expected `where`", false},
    {R"(where a == "x")", 1, 1, "expected an event category", false},
    {R"(any where (a == "x")", 1, 20, "expected ')' to close the '('", false},
    {R"(any where a == "x" and)", 1, 23, "expected a condition, found end of query", false},
    {R"(any where a ~= "x")", 1, 13, "expected an operator after `a`", false},
    {"any where a == \"x\"\n  b == \"y\"", 2, 3, "unexpected 'b'", false},
    {R"(any where a like 5)", 1, 18, "like needs strings", false},
    {R"(any where a in "x")", 1, 16, "expected '(' and a list after `in`", false},
    {R"(any where a < null)", 1, 13, "'<' needs a number or a string", false},
    {R"(any where a == 1x)", 1, 16, "bad number '1x'", false},
    {R"(any where startsWith(a, "x", "y"))", 1, 11, "takes one value after the field", false},
    {"any where a == \"x\" \x01", 1, 20, "unexpected byte 0x01", false},
    {R"(sequence by a [any where true])", 1, 31, "two or more [steps]", false},
    {R"(sequence by a with maxspan=5w [any where true] [any where true])", 1, 28,
     "bad maxspan unit 'w'", false},
    {R"(sequence [any where true] by a [any where true])", 1, 1,
     "every step of a sequence needs the same number of `by` fields", false},
    // Valid EQL eksir does not run: reported with the construct.
    {R"(any where cidrMatch~(a, "10.0.0.0/8"))", 1, 11, "has no case-insensitive form", false},
    {R"(any where length(a) > 3)", 1, 11, "EQL function `length` is not supported", true},
    {R"(any where between(a, "x", "y") == "z")", 1, 11, "EQL function `between` is not supported",
     true},
    {R"(any where cidrMatch(a, b))", 1, 24,
     "EQL function `cidrMatch` with a field (`b`) as a value is not supported", true},
    {R"(any where a == b)", 1, 16, "comparing two fields (`b`) is not supported", true},
    {R"(any where "x" == a)", 1, 11, "a value on the left of a comparison", true},
    {R"(any where a)", 1, 11, "a field on its own (`a`)", true},
    {R"(any where a regex "x@y")", 1, 19, "Lucene regular-expression operator `@`", true},
    {R"(any where a == "x" | head 5)", 1, 20, "EQL pipe `| head` is not supported", true},
    {R"(sample by a [any where true] [any where true])", 1, 1, "EQL `sample` queries", true},
    {R"(sequence with maxspan=1s [any where true] [any where true])", 1, 1,
     "a sequence without `by` fields", true},
    {R"(sequence by a [any where true] ![any where true])", 1, 32, "missing-event steps", true},
};

TEST(EqlParser, ErrorsNameLineAndColumn) {
  for (const auto& c : kErrors) {
    Result r = parse(c.eql);
    const Error* e = std::get_if<Error>(&r);
    ASSERT_NE(e, nullptr) << c.eql;
    EXPECT_EQ(e->line, c.line) << c.eql << ": " << e->message;
    EXPECT_EQ(e->column, c.column) << c.eql << ": " << e->message;
    EXPECT_NE(e->message.find(c.message), std::string::npos) << c.eql << ": " << e->message;
    EXPECT_EQ(e->unsupported, c.unsupported) << c.eql << ": " << e->message;
  }
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
  EXPECT_EQ(show(q.until.match), R"((a "3"))");
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
