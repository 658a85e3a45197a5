// Sigma translation: each modifier and condition form on small inline rules and events, the
// metadata mapping, aggregations, and the features that are reported and skipped.
#include <gtest/gtest.h>

#include <string>

#include "query/query.h"
#include "rules/rules.h"

namespace eksir::rules {
namespace {

const std::string kK8sEvent =
    R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","verb":"create",)"
    R"("user":{"username":"System:Admin","groups":["system:masters","system:authenticated"]},)"
    R"("stageTimestamp":"2026-03-14T09:00:00Z","responseStatus":{"code":403},)"
    R"("objectRef":{"resource":"pods","namespace":"kube-system","name":"a*b"},)"
    R"("sourceIPs":["10.1.2.3","2001:db8::7"],"requestObject":{"metadata":{"namespace":"kube-system"},)"
    R"("spec":{"hostNetwork":true,"containers":[{"image":"evil/xmrig:2"}],)"
    R"("volumes":[{"name":"etc","hostPath":{"path":"/etc"}}]}}})";

std::string k8s_rule(const std::string& detection, const std::string& condition) {
  return "title: Test rule\nid: test-rule\nlogsource:\n  product: kubernetes\n  service: audit\n"
         "detection:\n" +
         detection + "  condition: " + condition + "\nlevel: high\n";
}

struct Case {
  const char* name;
  const char* detection;  // selections, indented by two spaces
  const char* condition;
  bool expected;
};

const Case kCases[] = {
    // plain values: case-insensitive; |cased makes them sensitive
    {"exact", "  sel:\n    verb: create\n", "sel", true},
    {"exact ignores case", "  sel:\n    verb: CREATE\n", "sel", true},
    {"exact other", "  sel:\n    verb: delete\n", "sel", false},
    {"cased differs", "  sel:\n    verb|cased: CREATE\n", "sel", false},
    {"cased same", "  sel:\n    verb|cased: create\n", "sel", true},
    // value lists are OR; maps are AND
    {"list or", "  sel:\n    verb: [get, create]\n", "sel", true},
    {"list none", "  sel:\n    verb: [get, list]\n", "sel", false},
    {"map and", "  sel:\n    verb: create\n    objectRef.resource: pods\n", "sel", true},
    {"map and fails", "  sel:\n    verb: create\n    objectRef.resource: secrets\n", "sel", false},
    {"list of maps", "  sel:\n    - verb: delete\n    - objectRef.resource: pods\n", "sel", true},
    {"list of maps none", "  sel:\n    - verb: delete\n    - objectRef.resource: secrets\n", "sel",
     false},
    // modifiers
    {"contains", "  sel:\n    user.username|contains: admin\n", "sel", true},
    {"contains no", "  sel:\n    user.username|contains: root\n", "sel", false},
    {"contains cased", "  sel:\n    user.username|contains|cased: admin\n", "sel", false},
    {"startswith", "  sel:\n    user.username|startswith: 'system:'\n", "sel", true},
    {"startswith no", "  sel:\n    user.username|startswith: admin\n", "sel", false},
    {"endswith", "  sel:\n    user.username|endswith: ADMIN\n", "sel", true},
    {"endswith no", "  sel:\n    user.username|endswith: system\n", "sel", false},
    {"contains all", "  sel:\n    user.username|contains|all: [sys, adm]\n", "sel", true},
    {"contains all one missing", "  sel:\n    user.username|contains|all: [sys, nope]\n", "sel",
     false},
    {"array traversed", "  sel:\n    user.groups: 'system:masters'\n", "sel", true},
    {"array contains", "  sel:\n    requestObject.spec.containers.image|contains: xmrig\n", "sel",
     true},
    {"re", "  sel:\n    user.username|re: '^System:.*n$'\n", "sel", true},
    {"re is cased", "  sel:\n    user.username|re: '^system'\n", "sel", false},
    {"re i", "  sel:\n    user.username|re|i: '^system'\n", "sel", true},
    {"re searches", "  sel:\n    user.username|re: 'em:Ad'\n", "sel", true},
    {"exists true", "  sel:\n    objectRef.namespace|exists: true\n", "sel", true},
    {"exists true absent", "  sel:\n    objectRef.subresource|exists: true\n", "sel", false},
    {"exists false", "  sel:\n    objectRef.subresource|exists: false\n", "sel", true},
    {"null absent", "  sel:\n    objectRef.subresource: null\n", "sel", true},
    {"null present", "  sel:\n    verb: null\n", "sel", false},
    {"fieldref equal",
     "  sel:\n    objectRef.namespace|fieldref: requestObject.metadata.namespace\n", "sel", true},
    {"fieldref differ", "  sel:\n    objectRef.namespace|fieldref: verb\n", "sel", false},
    // wildcards and escapes
    {"star", "  sel:\n    objectRef.resource: 'P*'\n", "sel", true},
    {"star no", "  sel:\n    objectRef.resource: 's*'\n", "sel", false},
    {"question", "  sel:\n    objectRef.resource: 'p?ds'\n", "sel", true},
    {"question one char", "  sel:\n    objectRef.resource: 'p?s'\n", "sel", false},
    {"escaped star literal", "  sel:\n    objectRef.name: 'a\\*b'\n", "sel", true},
    {"escaped star not wildcard", "  sel:\n    objectRef.name: 'a\\*'\n", "sel", false},
    {"escaped question", "  sel:\n    objectRef.resource: 'pod\\?'\n", "sel", false},
    {"star on object exists", "  sel:\n    requestObject.spec: '*'\n", "sel", true},
    {"star absent", "  sel:\n    objectRef.subresource: '*'\n", "sel", false},
    {"k8s alias hostPath", "  sel:\n    hostPath: '*'\n", "sel", true},
    {"k8s alias capabilities", "  sel:\n    capabilities: '*'\n", "sel", false},
    {"contains on an object", "  sel:\n    requestObject.spec|contains: '\"hostNetwork\":true'\n",
     "sel", true},
    {"contains on an object ignores case", "  sel:\n    requestObject|contains: XMRIG\n", "sel",
     true},
    {"contains on an object no", "  sel:\n    requestObject|contains: privileged\n", "sel", false},
    {"object exact never", "  sel:\n    requestObject.spec: hostNetwork\n", "sel", false},
    // cidr
    {"cidr v4", "  sel:\n    sourceIPs|cidr: 10.0.0.0/8\n", "sel", true},
    {"cidr v4 list", "  sel:\n    sourceIPs|cidr: [192.168.0.0/16, 10.1.2.0/30]\n", "sel", true},
    {"cidr v4 /31 outside", "  sel:\n    sourceIPs|cidr: 10.1.2.0/31\n", "sel", false},
    {"cidr v4 outside", "  sel:\n    sourceIPs|cidr: 10.1.2.4/30\n", "sel", false},
    {"cidr v6", "  sel:\n    sourceIPs|cidr: '2001:db8::/32'\n", "sel", true},
    {"cidr v6 outside", "  sel:\n    sourceIPs|cidr: '2001:db9::/32'\n", "sel", false},
    {"cidr not an address", "  sel:\n    verb|cidr: 0.0.0.0/0\n", "sel", false},
    // type coercion
    {"number", "  sel:\n    responseStatus.code: 403\n", "sel", true},
    {"numeric string", "  sel:\n    responseStatus.code: '403'\n", "sel", true},
    {"number other", "  sel:\n    responseStatus.code: 401\n", "sel", false},
    {"bool", "  sel:\n    requestObject.spec.hostNetwork: true\n", "sel", true},
    {"bool string", "  sel:\n    requestObject.spec.hostNetwork: 'true'\n", "sel", true},
    {"bool false", "  sel:\n    requestObject.spec.hostNetwork: 'false'\n", "sel", false},
    // keywords: free text
    {"keyword", "  keywords:\n    - xmrig\n    - nothing\n", "keywords", true},
    {"keyword none", "  keywords:\n    - nothing\n", "keywords", false},
    // conditions
    {"and", "  a:\n    verb: create\n  b:\n    objectRef.resource: pods\n", "a and b", true},
    {"and fails", "  a:\n    verb: create\n  b:\n    objectRef.resource: x\n", "a and b", false},
    {"or", "  a:\n    verb: x\n  b:\n    objectRef.resource: pods\n", "a or b", true},
    {"not", "  a:\n    verb: create\n", "not a", false},
    {"and not", "  a:\n    verb: create\n  f:\n    verb: x\n", "a and not f", true},
    {"parentheses",
     "  a:\n    verb: create\n  b:\n    verb: x\n  c:\n    objectRef.resource: pods\n",
     "a and not (b or not c)", true},
    {"precedence", "  a:\n    verb: x\n  b:\n    verb: y\n  c:\n    verb: create\n", "a and b or c",
     true},
    {"1 of pattern", "  sel_a:\n    verb: x\n  sel_b:\n    verb: create\n  other:\n    verb: y\n",
     "1 of sel_*", true},
    {"all of pattern",
     "  sel_a:\n    verb: create\n  sel_b:\n    objectRef.resource: pods\n  other:\n    verb: y\n",
     "all of sel_*", true},
    {"all of pattern fails", "  sel_a:\n    verb: create\n  sel_b:\n    verb: y\n", "all of sel_*",
     false},
    {"1 of them", "  a:\n    verb: x\n  b:\n    verb: create\n", "1 of them", true},
    {"all of them", "  a:\n    verb: x\n  b:\n    verb: create\n", "all of them", false},
    {"not 1 of filters",
     "  sel:\n    verb: create\n  filter_a:\n    verb: x\n  filter_b:\n    user.username: y\n",
     "sel and not 1 of filter_*", true},
};

TEST(SigmaModifiers, DataDriven) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    LoadResult res = load_text(k8s_rule(c.detection, c.condition), "t.yml");
    ASSERT_TRUE(res.ok()) << res.errors[0].text();
    ASSERT_EQ(res.rules.size(), 1u) << (res.warnings.empty() ? "" : res.warnings[0].text());
    query::CompiledQuery q = query::compile(res.rules[0].match);
    bool got = false;
    EXPECT_EQ(classify_json(kK8sEvent, [&](const EventView& ev) { got = q.matches(ev); }), "");
    EXPECT_EQ(got, c.expected) << query::to_string(res.rules[0].match);
  }
}

TEST(SigmaModifiers, Metadata) {
  const std::string yaml = R"(title: Sigma meta
id: 11111111-2222-3333-4444-555555555555
description: A description.
author: Jane Doe
references:
    - https://example.com/a
tags:
    - attack.persistence
    - attack.t1078
    - attack.t1552.007
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: StopLogging
    condition: selection
falsepositives:
    - Admins
level: informational
)";
  LoadResult res = load_text(yaml, "m.yml");
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res.rules.size(), 1u);
  const Rule& r = res.rules[0];
  EXPECT_EQ(r.id, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(r.title, "Sigma meta");
  EXPECT_EQ(r.description, "A description.");
  EXPECT_EQ(r.origin, "sigma");
  EXPECT_EQ(r.author, "Jane Doe");
  EXPECT_EQ(r.severity, Severity::Info);
  EXPECT_EQ(r.attack, (std::vector<std::string>{"T1078", "T1552.007"}));
  EXPECT_EQ(r.references, (std::vector<std::string>{"https://example.com/a"}));
  EXPECT_EQ(r.false_positives, (std::vector<std::string>{"Admins"}));
  EXPECT_EQ(r.sources, (std::vector<Source>{Source::CloudTrail}));
  EXPECT_EQ(r.file, "m.yml");
  EXPECT_EQ(r.line, 1u);
}

TEST(SigmaModifiers, CountAggregation) {
  std::string yaml =
      k8s_rule("  sel:\n    verb: create\n  timeframe: 5m\n", "sel | count() by user.username > 2");
  LoadResult res = load_text(yaml, "c.yml");
  ASSERT_EQ(res.rules.size(), 1u);
  const Correlation& c = res.rules[0].correlation;
  EXPECT_EQ(c.type, CorrelationType::Count);
  EXPECT_EQ(c.group_by, (std::vector<std::string>{"user.username"}));
  EXPECT_EQ(c.threshold, 3u);
  EXPECT_EQ(c.window, parse_duration("5m"));

  res = load_text(k8s_rule("  sel:\n    verb: create\n  timeframe: 1h\n",
                           "sel | count(objectRef.name) by user.username >= 4"),
                  "c.yml");
  ASSERT_EQ(res.rules.size(), 1u);
  const Correlation& d = res.rules[0].correlation;
  EXPECT_EQ(d.type, CorrelationType::DistinctCount);
  EXPECT_EQ(d.field, "objectRef.name");
  EXPECT_EQ(d.threshold, 4u);
  EXPECT_EQ(d.window, parse_duration("1h"));
}

TEST(SigmaModifiers, UnsupportedIsReportedAndSkipped) {
  struct Bad {
    std::string yaml;
    const char* feature;
  };
  const Bad bad[] = {
      {k8s_rule("  sel:\n    verb|expand: '%verbs%'\n", "sel"), "modifier '|expand'"},
      {k8s_rule("  sel:\n    verb|base64: x\n", "sel"), "modifier '|base64'"},
      {k8s_rule("  a:\n    verb: x\n  b:\n    verb: y\n  timeframe: 5m\n", "a | near b"), "'near'"},
      {k8s_rule("  a:\n    verb: x\n  b:\n    verb: y\n  timeframe: 5m\n", "a and b"),
       "'timeframe' without an aggregation"},
      {k8s_rule("  a:\n    verb: x\n", "a | count() > 5"), "without a 'timeframe'"},
      {k8s_rule("  a:\n    verb: x\n", "a and missing"), "unknown selection 'missing'"},
      {k8s_rule("  a:\n    verb: x\n", "a and (a"), "missing ')'"},
      {"title: t\nid: t\nlogsource:\n  product: windows\ndetection:\n  a:\n    x: 1\n"
       "  condition: a\n",
       "logsource product 'windows'"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.feature);
    LoadResult res = load_text(b.yaml, "bad.yml");
    EXPECT_TRUE(res.ok());  // a skip is a warning: the other rules still run
    EXPECT_TRUE(res.rules.empty());
    ASSERT_EQ(res.warnings.size(), 1u);
    EXPECT_EQ(res.warnings[0].file, "bad.yml");
    EXPECT_FALSE(res.warnings[0].rule_id.empty());
    EXPECT_NE(res.warnings[0].message.find("Sigma rule skipped: unsupported"), std::string::npos)
        << res.warnings[0].message;
    EXPECT_NE(res.warnings[0].message.find(b.feature), std::string::npos)
        << res.warnings[0].message;
  }
}

}  // namespace
}  // namespace eksir::rules
