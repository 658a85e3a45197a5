// text_literals(): what the readers' prefilter requires of a record's raw text, for what a query's
// text cannot say; the cases of a query are data: tests/cases/query/text_literals.yaml.
// The differential test (tests/sources/prefilter_differential_test.cpp) checks it end to end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query/query.h"

namespace eksir::query {
namespace {

// Clauses written as text: clauses joined by " & ", the literals of one by " | ", a literal
// ignoring case in ~...~.
std::string show(const util::LiteralClauses& clauses) {
  std::string out;
  for (const auto& c : clauses) {
    if (!out.empty()) out += " & ";
    std::string one;
    for (const auto& l : c) {
      if (!one.empty()) one += " | ";
      one += l.icase ? "~" + l.text + "~" : l.text;
    }
    out += one;
  }
  return out;
}

Node match(const std::string& field, const std::string& text) {
  Node n;
  n.kind = NodeKind::Match;
  n.field = field;
  n.value.text = text;
  return n;
}

TEST(TextLiterals, RuleTranslatorPatterns) {
  Node icase = match("eventName", "CreateCluster");
  icase.value.icase = true;
  EXPECT_EQ(show(text_literals(icase)), "~CreateCluster~");

  Node regex = match("eventName", "Create.*Cluster");
  regex.value.regex = true;
  EXPECT_EQ(show(text_literals(regex)), "");

  Node ref = match("eventName", "eventSource");
  ref.value.fieldref = true;
  EXPECT_EQ(show(text_literals(ref)), "");

  Node objects = match("requestObject", "*privileged*");
  objects.value.wildcards = {0, 11};
  objects.value.objects = true;
  EXPECT_EQ(show(text_literals(objects)), "");

  Node custom;
  custom.kind = NodeKind::Custom;
  EXPECT_EQ(show(text_literals(combine(NodeKind::And, {custom, match("verb", "create")}))),
            "create");
  EXPECT_EQ(show(text_literals(combine(NodeKind::Or, {custom, match("verb", "create")}))), "");
}

TEST(TextLiterals, AtMostSixtyFourLiterals) {
  std::string q = "verb:create";
  for (int i = 0; i < 100; ++i) q += " and requestURI:value" + std::to_string(1000 + i);
  ParseResult r = parse(q);
  ASSERT_TRUE(r.ok());
  size_t n = 0;
  for (const auto& c : text_literals(r->root)) n += c.size();
  EXPECT_LE(n, 64u);
  EXPECT_GT(n, 0u);
}

}  // namespace
}  // namespace eksir::query
