// KQL parser: depth limits, columns, patterns, fields and warnings. The cases of a query and its
// tree or syntax error are data: tests/cases/query/kql_trees.yaml and kql_errors.yaml.
#include <gtest/gtest.h>

#include <string>

#include "query/query.h"

namespace eksir::query {
namespace {

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
