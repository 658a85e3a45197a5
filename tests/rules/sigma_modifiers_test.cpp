// Sigma translation: the metadata mapping, aggregations, and the features that are reported and
// skipped. Each modifier and condition form on an event is data:
// tests/cases/rules/sigma_modifiers.yaml.
#include <gtest/gtest.h>

#include <string>

#include "query/query.h"
#include "rules/rules.h"

namespace eksir::rules {
namespace {

std::string k8s_rule(const std::string& detection, const std::string& condition) {
  return "title: Test rule\nid: test-rule\nlogsource:\n  product: kubernetes\n  service: audit\n"
         "detection:\n" +
         detection + "  condition: " + condition + "\nlevel: high\n";
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
