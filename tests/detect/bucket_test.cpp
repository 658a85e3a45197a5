// Routing by key fields: the constraints derived from match trees, and that routing never hides a
// match (absent values, negations, several values of a computed field).
#include <gtest/gtest.h>

#include "detect/bucket.h"
#include "detect/detect.h"
#include "rules/rules.h"

namespace eksir::detect {
namespace {

std::optional<KeyConstraint> req(const std::string& kql, const std::string& key) {
  auto q = query::parse(kql);
  EXPECT_TRUE(q.ok()) << kql;
  return required_values(q->root, FieldRef(key), Source::K8sAudit);
}

TEST(Buckets, ConstraintsFromTrees) {
  auto c = req("verb:(create or update) and objectRef.resource:pods", "verb");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->except);
  EXPECT_EQ(c->values, (std::set<std::string>{"create", "update"}));
  EXPECT_EQ(
      req("verb:(create or update) and objectRef.resource:pods", "objectRef.resource")->values,
      std::set<std::string>{"pods"});
  EXPECT_FALSE(req("verb:create or objectRef.resource:pods", "verb"));  // an OR branch is free
  EXPECT_FALSE(req("verb:cre*", "verb"));                               // wildcard
  EXPECT_FALSE(req("not verb:create and objectRef.resource:pods", "user.username"));
  auto ex = req("verb:create and not objectRef.subresource:status", "objectRef.subresource");
  ASSERT_TRUE(ex);
  EXPECT_TRUE(ex->except);
  EXPECT_TRUE(ex->allows(kAbsent));
  EXPECT_FALSE(ex->allows("status"));
  auto absent = req("verb:create and not objectRef.subresource:*", "objectRef.subresource");
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->values, std::set<std::string>{kAbsent});
  EXPECT_EQ(req("verb:(create or get) and verb:(get or list)", "verb")->values,
            std::set<std::string>{"get"});
  // ECS names reach the same native field.
  EXPECT_EQ(req("kubernetes.audit.verb:create", "verb")->values, std::set<std::string>{"create"});
}

TEST(Buckets, RoutingNeverHidesAMatch) {
  auto loaded = rules::load_text(R"(- id: no-sub
  title: t
  severity: low
  condition: 'verb:create and objectRef.resource:pods and not objectRef.subresource:*'
  tests: {positive: [{verb: create}]}
- id: not-status
  title: t
  severity: low
  condition: 'verb:(create or update) and objectRef.resource:pods and not objectRef.subresource:status'
  tests: {positive: [{verb: create}]}
- id: exec
  title: t
  severity: low
  condition: 'objectRef.resource:"pods/exec" and responseStatus.code:101'
  tests: {positive: [{verb: create}]}
)",
                                 "t.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors[0].text();
  EngineOptions eo;
  eo.alerts = false;
  Engine engine(loaded.rules, eo);
  auto feed = [&](const std::string& verb, const std::string& sub, int code) {
    std::string json = R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":")" + verb +
                       sub + std::to_string(code) + R"(","verb":")" + verb +
                       R"(","user":{"username":"u"},"stageTimestamp":"2026-03-14T09:00:00Z",)" +
                       R"("responseStatus":{"code":)" + std::to_string(code) +
                       R"(},"objectRef":{"resource":"pods")" +
                       (sub.empty() ? "" : R"(,"subresource":")" + sub + "\"") + "}}";
    EXPECT_EQ(rules::classify_json(json, [&](const EventView& ev) { engine.on_event(ev, 0); }), "");
  };
  feed("create", "", 201);        // no-sub, not-status
  feed("update", "status", 200);  // nothing
  feed("update", "exec", 200);    // not-status
  feed("create", "exec", 101);    // not-status, exec
  std::map<std::string, int> n;
  for (const auto& f : engine.finish()) n[f.rule_id] += static_cast<int>(f.count);
  EXPECT_EQ(n["no-sub"], 1);
  EXPECT_EQ(n["not-status"], 3);
  EXPECT_EQ(n["exec"], 1);
}

TEST(Buckets, CaseInsensitiveMatchesConstrainWhenFolded) {
  auto match = [](const char* field, const char* text, bool icase) {
    query::Node n;
    n.kind = query::NodeKind::Match;
    n.field = field;
    n.value.text = text;
    n.value.icase = icase;
    return n;
  };
  auto negate = [](query::Node c) {
    query::Node n;
    n.kind = query::NodeKind::Not;
    n.children.push_back(std::move(c));
    return n;
  };
  FieldRef verb("verb");
  query::Node sigma = match("verb", "LIST", true);
  EXPECT_FALSE(required_values(sigma, verb, Source::K8sAudit));  // exact routing: not plain
  auto folded = required_values(sigma, verb, Source::K8sAudit, true);
  ASSERT_TRUE(folded);
  EXPECT_EQ(folded->values, std::set<std::string>{"list"});
  // Folded, an exact-case "not" says nothing ("LIST" is not "list" but folds to it)...
  EXPECT_FALSE(required_values(negate(match("verb", "list", false)), verb, Source::K8sAudit, true));
  // ...while a case-insensitive one excludes every spelling.
  auto excluded =
      required_values(negate(match("verb", "List", true)), verb, Source::K8sAudit, true);
  ASSERT_TRUE(excluded);
  EXPECT_TRUE(excluded->except);
  EXPECT_EQ(excluded->values, std::set<std::string>{"list"});
  // Exact values fold too: routing lets more through, never fewer.
  EXPECT_EQ(required_values(match("verb", "Get", false), verb, Source::K8sAudit, true)->values,
            std::set<std::string>{"get"});
}

TEST(Buckets, FoldedRoutingNeverHidesAMatch) {
  // A Sigma rule (values compared ignoring case) beside an exact-case negation on the same key.
  auto loaded = rules::load_text(R"(title: secrets listed
id: 0b9f2a8e-1d7c-4c55-9a57-6a1f0e0c0001
status: test
author: eksir tests
logsource:
  product: kubernetes
  service: audit
detection:
  selection:
    verb: 'list'
    objectRef.resource: 'secrets'
  condition: selection
level: medium
---
- id: not-list
  title: t
  severity: low
  condition: 'objectRef.resource:secrets and not verb:list'
  tests: {positive: [{verb: get, objectRef: {resource: secrets}}]}
)",
                                 "t.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors[0].text();
  EngineOptions eo;
  eo.alerts = false;
  Engine engine(loaded.rules, eo);
  int n = 0;
  for (const char* verb : {"list", "LIST", "List", "get"}) {
    ++n;
    std::string json =
        std::string(R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a)") +
        std::to_string(n) + R"(","verb":")" + verb +
        R"(","user":{"username":"u"},"stageTimestamp":"2026-03-14T09:00:0)" + std::to_string(n) +
        R"(Z","objectRef":{"resource":"secrets"}})";
    EXPECT_EQ(rules::classify_json(json, [&](const EventView& ev) { engine.on_event(ev, 0); }), "");
  }
  std::map<std::string, int> count;
  for (const auto& f : engine.finish()) count[f.rule_id] += static_cast<int>(f.count);
  EXPECT_EQ(count["0b9f2a8e-1d7c-4c55-9a57-6a1f0e0c0001"], 3);  // list, LIST, List
  EXPECT_EQ(count["not-list"], 3);                              // LIST, List, get
}

}  // namespace
}  // namespace eksir::detect
