// KQL parser: input → tree (to_string), and syntax errors → column and message.
#include <gtest/gtest.h>

#include <string>

#include "query/query.h"

namespace eksir::query {
namespace {

struct TreeCase {
  const char* input;
  const char* tree;
};

const TreeCase kTrees[] = {
    // field:value, quoted phrases and escapes
    {"verb:create", "(match verb create)"},
    {"verb : create", "(match verb create)"},
    {"  verb:create  ", "(match verb create)"},
    {"eventName:\"CreateCluster\"", "(match eventName \"CreateCluster\")"},
    {R"(message:"say \"hi\" to C:\\temp")", R"((match message "say \"hi\" to C:\\temp"))"},
    {R"(a:"tab\there")", "(match a \"tab\there\")"},
    {R"(a:"keep \d and \*")", R"((match a "keep \\d and \\*"))"},  // other escapes kept
    {R"(a:"\u00e9t\u00e9")", "(match a \"\xC3\xA9t\xC3\xA9\")"},
    {"message:hello world", "(match message hello world)"},
    {"message:  hello   world  ", "(match message hello   world)"},
    {R"(user.username:system\:serviceaccount\:kube-system\:*)",
     R"((match user.username system\:serviceaccount\:kube-system\:*))"},
    {R"(a:\(x\) and b:\"y\")", R"((and (match a \(x\)) (match b \"y\")))"},
    {R"(a:back\\slash)", R"((match a back\\slash))"},
    {R"(a:x\ty)", R"((match a x\ty))"},
    {R"(a:x\ and\ y)", "(match a x and y)"},
    {R"(a:\u0041B)", "(match a AB)"},
    {R"(a:\or \and \NOT)", "(match a or and NOT)"},
    {"a:orange and b:android and c:notable",
     "(and (match a orange) (match b android) (match c notable))"},
    {"a:or", "(match a or)"},
    {"a:not", "(match a not)"},
    {"f:(a and not)", "(and (match f a) (match f not))"},  // `not` needs a space after it
    // booleans, numbers and null stay values
    {"privileged:true", "(match privileged true)"},
    {"code:403", "(match code 403)"},
    {"a:null", "(match a null)"},
    // and / or / not in any case, precedence not > and > or
    {"a:1 and b:2", "(and (match a 1) (match b 2))"},
    {"a:1 AND b:2 And c:3", "(and (match a 1) (match b 2) (match c 3))"},
    {"a:1 or b:2 and c:3", "(or (match a 1) (and (match b 2) (match c 3)))"},
    {"a:1 and b:2 or c:3", "(or (and (match a 1) (match b 2)) (match c 3))"},
    {"not a:1 and b:2", "(and (not (match a 1)) (match b 2))"},
    {"NOT a:1 OR Not b:2", "(or (not (match a 1)) (not (match b 2)))"},
    {"not not a:1", "(not (not (match a 1)))"},
    {"(a:1 or b:2) and c:3", "(and (or (match a 1) (match b 2)) (match c 3))"},
    {"not (a:1 or b:2)", "(not (or (match a 1) (match b 2)))"},
    {"not(a:1)", "(not (match a 1))"},
    {"((a:1))", "(match a 1)"},
    {"a:1\nand\tb:2", "(and (match a 1) (match b 2))"},
    // value lists
    {"event.action:(CreateCluster or DeleteCluster)",
     "(or (match event.action CreateCluster) (match event.action DeleteCluster))"},
    {"f:(a or b and c)", "(or (match f a) (and (match f b) (match f c)))"},
    {"f:(a and (b or c))", "(and (match f a) (or (match f b) (match f c)))"},
    {"f:(not a)", "(not (match f a))"},
    {"f:(\"x y\" or z*)", "(or (match f \"x y\") (match f z*))"},
    {"f:( a )", "(match f a)"},
    {"user_agent.original:(* and not (*kubernetes/$Format))",
     "(and (exists user_agent.original) (not (match user_agent.original *kubernetes/$Format)))"},
    {"u:(\"system:anonymous\" or not *)", "(or (match u \"system:anonymous\") (not (exists u)))"},
    {R"(event.source:"eks.amazonaws.com" AND event.action:("CreateCluster" OR "DeleteCluster"))",
     R"((and (match event.source "eks.amazonaws.com") (or (match event.action "CreateCluster") (match event.action "DeleteCluster"))))"},
    // exists and wildcards
    {"source.ip:*", "(exists source.ip)"},
    {"a: *", "(exists a)"},
    {"a:\"*\"", "(match a \"*\")"},
    {"eventName:List*", "(match eventName List*)"},
    {"eventName:*Cluster", "(match eventName *Cluster)"},
    {"eventName:Del*Clu*", "(match eventName Del*Clu*)"},
    {R"(a:lit\*eral*)", R"((match a lit\*eral*))"},
    {"a:**", "(match a **)"},
    // ranges
    {"responseStatus.code >= 400", "(range responseStatus.code >= 400)"},
    {"code<500", "(range code < 500)"},
    {"code <= 500 and code > 100", "(and (range code <= 500) (range code > 100))"},
    {"@timestamp >= \"2026-03-14T09:00:00Z\"", "(range @timestamp >= \"2026-03-14T09:00:00Z\")"},
    {"@timestamp > now-24h", "(range @timestamp > now-24h)"},
    {R"(t < 2026-03-14T09\:00\:00Z)", R"((range t < 2026-03-14T09\:00\:00Z))"},
    {"name >= m", "(range name >= m)"},
    // nested
    {"requestObject.spec.containers:{ image:nginx and securityContext.privileged:true }",
     "(nested requestObject.spec.containers (and (match image nginx) (match "
     "securityContext.privileged true)))"},
    {"a:{b:{c:1}}", "(nested a (nested b (match c 1)))"},
    {"a:{ b:1 or not c:* }", "(nested a (or (match b 1) (not (exists c))))"},
    // free text
    {"privileged", "(text privileged)"},
    {"\"kube-system\"", "(text \"kube-system\")"},
    {"hello world", "(text hello world)"},
    {"*", "(text *)"},
    {"foo and bar:1", "(and (text foo) (match bar 1))"},
    {"not foo", "(not (text foo))"},
    // field names with dots, slashes, brackets, @, quotes
    {"output_fields.ka.uri.param[command]:cat", "(match output_fields.ka.uri.param[command] cat)"},
    {"kubernetes.audit.annotations.authorization_k8s_io/decision:allow",
     "(match kubernetes.audit.annotations.authorization_k8s_io/decision allow)"},
    {"\"odd field\":x", "(match odd field x)"},
    // empty query
    {"", "(all)"},
    {"   ", "(all)"},
};

TEST(KqlParser, Trees) {
  for (const TreeCase& c : kTrees) {
    SCOPED_TRACE(c.input);
    ParseResult r = parse(c.input);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(to_string(r->root), c.tree);
  }
}

struct ErrorCase {
  const char* input;
  size_t column;
  const char* message;  // the full message, "column N: ..."
};

const ErrorCase kErrors[] = {
    {"(verb:create", 13, "column 13: expected ')' to close the '(' at column 1"},
    {"verb:create)", 12, "column 12: unexpected ')' without a matching '('"},
    {"(a:1 or (b:2)", 14, "column 14: expected ')' to close the '(' at column 1"},
    {"f:(a or b", 10, "column 10: expected ')' to close the '(' at column 3"},
    {"a:1 and", 8, "column 8: expected a query after 'and'"},
    {"a:1 AND ", 9, "column 9: expected a query after 'AND'"},
    {"a:1 or", 7, "column 7: expected a query after 'or'"},
    {"(a:1 and )", 10, "column 10: expected a query after 'and'"},
    {"and a:1", 1, "column 1: expected a query before 'and'"},
    {"a:1 and or b:2", 9, "column 9: expected a query before 'or'"},
    {"a:1 and not", 12, "column 12: expected a query after 'not'"},
    {"f:(a or )", 9, "column 9: expected a value after 'or'"},
    {"message:\"unterminated", 9, "column 9: unterminated quoted string (no closing '\"')"},
    {"\"abc", 1, "column 1: unterminated quoted string (no closing '\"')"},
    {"verb:", 6, "column 6: expected a value after 'verb:'"},
    {"verb:  ", 8, "column 8: expected a value after 'verb:'"},
    {"verb: and x", 7, "column 7: expected a value before 'and'"},
    {"f:()", 4, "column 4: empty value list"},
    {"()", 2, "column 2: empty parentheses"},
    {":x", 1, "column 1: expected a field name before ':'"},
    {"code >=", 8, "column 8: expected a value after '>='"},
    {"code >= (1)", 9, "column 9: expected a value after '>='"},
    {"code > 4*", 8, "column 8: wildcards are not allowed in a range value"},
    {"code >< 4", 7, "column 7: expected a value after '>'"},
    {">= 4", 1, "column 1: expected a field name before '>'"},
    {"@timestamp >= 2026-03-14T09:00:00Z", 28,
     "column 28: unexpected ':' after '2026-03-14T09': quote the value or escape the ':' as '\\:'"},
    {"a:b:c", 4, "column 4: unexpected ':' after 'b': quote the value or escape the ':' as '\\:'"},
    {"a:b c:d", 5, "column 5: expected 'and' or 'or' before 'c'"},
    {"a:1 b:2", 5, "column 5: expected 'and' or 'or' before 'b'"},
    {"a:1 not b:2", 5, "column 5: expected 'and' or 'or' before 'not'"},
    {"verb:not create", 6,
     "column 6: 'not' goes before the field: write 'not verb:value' or 'verb:(not value)'"},
    {"a:x\\", 4, "column 4: '\\' at the end of the query escapes nothing"},
    {"a:x\\q", 4,
     "column 4: invalid escape '\\q': escape only \\ ( ) : < > \" * { } and whitespace (\\t \\r "
     "\\n \\ ), or "
     "write the value in quotes"},
    {"a*b:c", 1, "column 1: wildcards in field names are not supported ('a*b')"},
    {"a:{}", 4, "column 4: empty nested query"},
    {"a:{b:1", 7, "column 7: expected '}' to close the '{' at column 3"},
    {"a:1}", 4, "column 4: unexpected '}' without a matching '{'"},
    {"a:\"x\" \"y\"", 7, "column 7: expected 'and' or 'or' before '\"y\"'"},
    {"é:1 and", 8, "column 8: expected a query after 'and'"},  // columns count characters
};

TEST(KqlParser, Errors) {
  for (const ErrorCase& c : kErrors) {
    SCOPED_TRACE(c.input);
    ParseResult r = parse(c.input);
    ASSERT_FALSE(r.ok()) << to_string(r->root);
    EXPECT_EQ(r.error().column, c.column);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(KqlParser, DepthLimit) {
  std::string deep(200, '(');
  deep += "a:1";
  deep += std::string(200, ')');
  ParseResult r = parse(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nested too deeply"), std::string::npos);
  EXPECT_EQ(r.error().column, 65u);

  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  nots += "a:1";
  EXPECT_FALSE(parse(nots).ok());

  std::string ok(30, '(');
  ok += "a:1";
  ok += std::string(30, ')');
  EXPECT_TRUE(parse(ok).ok());
  ParseOptions tight;
  tight.max_depth = 10;
  EXPECT_FALSE(parse(ok, tight).ok());

  // A million opening parentheses: an error, not a crash.
  EXPECT_FALSE(parse(std::string(1000000, '(')).ok());
}

TEST(KqlParser, Columns) {
  ParseResult r = parse("verb:create and not objectRef.resource:(pods or secrets)");
  ASSERT_TRUE(r.ok());
  const Node& root = r->root;
  ASSERT_EQ(root.kind, NodeKind::And);
  EXPECT_EQ(root.column, 1u);
  EXPECT_EQ(root.children[0].column, 1u);
  const Node& n = root.children[1];
  EXPECT_EQ(n.kind, NodeKind::Not);
  EXPECT_EQ(n.column, 17u);
  const Node& list = n.children[0];
  EXPECT_EQ(list.kind, NodeKind::Or);
  EXPECT_EQ(list.children[0].column, 41u);  // values in a list: the value's column
  EXPECT_EQ(list.children[1].column, 49u);

  ParseResult rr = parse("a:1 or  code >= 400");
  ASSERT_TRUE(rr.ok());
  EXPECT_EQ(rr->root.children[1].column, 9u);
  EXPECT_EQ(rr->root.children[1].kind, NodeKind::Range);
  EXPECT_EQ(rr->root.children[1].op, RangeOp::Ge);
}

TEST(KqlParser, Patterns) {
  ParseResult r = parse(R"(a:x\*y*z)");
  ASSERT_TRUE(r.ok());
  const Pattern& p = r->root.value;
  EXPECT_EQ(p.text, "x*y*z");
  EXPECT_FALSE(p.quoted);
  EXPECT_EQ(p.wildcards, std::vector<uint32_t>{3});
  EXPECT_FALSE(p.is_wildcard(1));
  EXPECT_TRUE(p.is_wildcard(3));
  EXPECT_EQ(p.segments(), (std::vector<std::string>{"x*y", "z"}));

  ParseResult q = parse("a:\"x*\"");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->root.value.quoted);
  EXPECT_FALSE(q->root.value.has_wildcards());

  ParseResult w = parse("a:*b*");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->root.value.segments(), (std::vector<std::string>{"", "b", ""}));
}

TEST(KqlParser, Fields) {
  ParseResult r = parse(
      "verb:create and (objectRef.resource:pods or verb:get) and "
      "requestObject.spec.containers:{ image:nginx and securityContext.privileged:true } and x > 1 "
      "and "
      "not source.ip:* and free");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(fields(r->root),
            (std::vector<std::string>{"verb", "objectRef.resource", "requestObject.spec.containers",
                                      "requestObject.spec.containers.image",
                                      "requestObject.spec.containers.securityContext.privileged",
                                      "x", "source.ip"}));
}

TEST(KqlParser, UnknownFieldWarnings) {
  ParseResult r = parse(
      "verb:create and event.action:x and nosuch.field:1 and kubernetes.audit.x:1 and "
      "event.categroy:iam and eventname:Foo");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unknown_fields,
            (std::vector<std::string>{"nosuch.field", "event.categroy", "eventname"}));
  ASSERT_EQ(r->warnings.size(), 3u);
  EXPECT_NE(r->warnings[0].find("unknown field 'nosuch.field'"), std::string::npos);
  EXPECT_TRUE(parse("verb:create")->warnings.empty());
}

TEST(KqlParser, ElasticRuleQueries) {
  // Real-world shapes from Elastic's detection rules (multi-line, escaped colons, lists).
  const char* queries[] = {
      "data_stream.dataset: \"aws.cloudtrail\"\n    and event.provider: \"s3.amazonaws.com\"\n"
      "    and event.action: \"PutBucketAcl\"\n    and event.outcome: \"success\"\n"
      "    and not aws.cloudtrail.user_identity.type: \"AWSService\"\n"
      "    and aws.cloudtrail.flattened.request_parameters.x-amz-acl: (\"public-read\" or "
      "\"public-read-write\")\n"
      "    and not user_agent.original: (*Terraform* or *terraform* or "
      "\"cloudformation.amazonaws.com\")",
      "data_stream.dataset:\"kubernetes.audit_logs\" and\n"
      "kubernetes.audit.user.username:system\\:serviceaccount\\:* and\n"
      "kubernetes.audit.annotations.authorization_k8s_io/decision:\"forbid\"",
      "data_stream.dataset : \"kubernetes.audit_logs\"\n  and "
      "kubernetes.audit.annotations.authorization_k8s_io/decision:\"allow\"\n"
      "  and kubernetes.audit.user.username:(\"system:anonymous\" or \"system:unauthenticated\" or "
      "not *)\n"
      "  and not kubernetes.audit.requestURI:(/healthz* or /livez* or /readyz* or /version)",
      // One query on two lines, in parentheses: clang does not take it for a missing comma.
      ("event.dataset: \"aws.cloudtrail\" and aws.cloudtrail.user_identity.type: \"AssumedRole\" "
       "and user.id: *\\:i-*"),
      "aws.cloudtrail.request_parameters: *includeManagementEvents*false*",
  };
  for (const char* q : queries) {
    SCOPED_TRACE(q);
    ParseResult r = parse(q);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->warnings.empty()) << r->warnings.front();
  }
}

}  // namespace
}  // namespace eksir::query
