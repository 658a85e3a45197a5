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

}  // namespace
}  // namespace eksir::detect
