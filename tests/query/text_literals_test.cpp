// text_literals(): what the readers' prefilter requires of a record's raw text, case by case.
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

std::string literals_of(const std::string& kql) {
  ParseResult r = parse(kql);
  EXPECT_TRUE(r.ok()) << kql << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? show(text_literals(r->root)) : "";
}

struct Case {
  const char* query;
  const char* clauses;
};

const Case kCases[] = {
    // AND: every branch adds its clauses (longest first)
    {"eventName:CreateCluster", "CreateCluster"},
    {"event.action:CreateCluster", "CreateCluster"},  // ECS name over verbatim native paths
    {"verb:create and objectRef.resource:secrets", "secrets & create"},
    {"verb:create and not user.username:admin", "create"},
    // OR: a literal from each side, else nothing
    {"verb:create and (objectRef.resource:pods or objectRef.resource:secrets)",
     "create & pods | secrets"},
    {"objectRef.resource:(pods or secrets or configmaps)", "pods | secrets | configmaps"},
    {"(verb:create and objectRef.resource:secrets) or verb:delete", "secrets | delete"},
    {"verb:create or responseStatus.code:403", ""},
    {"verb:create or not verb:delete", ""},
    // NOT, exists, ranges, numbers, booleans, times: nothing
    {"not verb:create", ""},
    {"errorCode:*", ""},
    {"responseStatus.code >= 400", ""},
    {"responseStatus.code:403", ""},
    {"privileged:true", ""},
    {"a:1e3", ""},
    {"eventTime:\"2018-05-28T19:16:43Z\"", ""},
    {"@timestamp:\"2018-05-28T19:16:43Z\"", ""},
    {"stageTimestamp:now-1d", ""},
    {"source.ip:10.0.0.0/8", ""},  // an address prefix matches addresses, not its text
    // computed or normalised fields: nothing
    {"event.outcome:failure", ""},
    {"event.dataset:aws.cloudtrail", ""},
    {"cloud.provider:aws", ""},
    {"user.name:alice", "alice"},  // the ARN's last part: still a substring of the record
    // wildcards: each literal run
    {"eventName:List*", "List"},
    {"eventName:*Cluster", "Cluster"},
    {"eventName:Del*Clust*", "Clust & Del"},
    {"eventName:Li*st", ""},  // runs too short
    {"a:*123*", ""},          // could be the text of a number written otherwise
    {"a:*12x3*", "12x3"},
    // escapes: only runs JSON never escapes (no " \ / < > & ' nor non-ASCII)
    {"objectRef.resource:pods/exec", "pods"},  // resource/subresource: either part is there
    {"requestURI:\"/api/v1/namespaces\"", "namespaces"},
    {"message:\"say \\\"hi\\\" twice\"", " twice"},
    {R"(a:x\<y\>zzz)", "zzz"},
    {"a:\"caf\u00e9 latte\"", " latte"},
    {"a:\"tab\there\"", "here"},
    // free text: ignoring case; a number also matches numbers
    {"minikube", "~minikube~"},
    {"\"10.1.2.3\"", "~10.1.2.3~"},
    {"403", ""},
    {"*ube*", "~ube~"},
    {"verb:create and Minikube", "~Minikube~ & create"},
    // nested: the subquery's values are the record's strings
    {"requestObject.spec.containers:{ image:nginx and securityContext.privileged:true }", "nginx"},
    {"a:xyz and a:xyz", "xyz"},
    {"", ""},
};

TEST(TextLiterals, Cases) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.query);
    EXPECT_EQ(literals_of(c.query), c.clauses);
  }
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
