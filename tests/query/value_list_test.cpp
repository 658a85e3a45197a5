// `field:(a or b or c)` is evaluated as one walk of the field with several values: the result
// must equal the plain Or of Matches (written with different fields so that no merging happens).
#include <gtest/gtest.h>

#include "query/query.h"
#include "rules/rules.h"

namespace eksir::query {
namespace {

bool eval(const std::string& kql, const std::string& json) {
  auto q = parse(kql);
  if (!q.ok()) {
    ADD_FAILURE() << kql << ": " << q.error().message;
    return false;
  }
  CompiledQuery c = compile(q->root);
  bool out = false;
  EXPECT_EQ(rules::classify_json(json, [&](const EventView& ev) { out = c.matches(ev); }), "");
  return out;
}

TEST(ValueList, SameAnswersAsSeparateMatches) {
  const std::string ev =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","verb":"create","user":{"username":"u"},)"
      R"("stageTimestamp":"2026-03-14T09:00:00Z","responseStatus":{"code":403},"objectRef":{"resource":"pods"},)"
      R"("requestObject":{"spec":{"containers":[{"image":"a:1","securityContext":{"capabilities":{"add":["NET_RAW"]}}},)"
      R"({"image":"evil/xmrig:2"}]}}})";
  struct Case {
    const char* kql;
    bool expected;
  };
  const Case cases[] = {
      {"verb:(get or create)", true},
      {"verb:(get or list)", false},
      {"responseStatus.code:(401 or 403)", true},
      {"responseStatus.code:(401 or 404)", false},
      {"requestObject.spec.containers.image:(*xmrig* or *miner*)", true},
      {"requestObject.spec.containers.image:(nginx or *miner*)", false},
      {"requestObject.spec.containers.securityContext.capabilities.add:(SYS_ADMIN or NET_RAW)",
       true},
      {"stageTimestamp:(\"2026-03-14T09:00:00.000Z\" or x)", true},
      {"not verb:(get or create)", false},
      {"verb:(get or create) and objectRef.resource:(pods or secrets)", true},
      {"requestObject.spec.containers:{ image:(b or \"a:1\") }", true},
      {"requestObject.spec.containers:{ image:(b or c) }", false},
      {"verb:get or user.username:u", true},  // different fields: the plain Or
      {"verb:get or user.username:v", false},
  };
  for (const auto& c : cases) EXPECT_EQ(eval(c.kql, ev), c.expected) << c.kql;
}

TEST(ValueList, NoRequiredLiteralFromAListOfValues) {
  auto q = parse("verb:(create or update) and objectRef.name:backdoor");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(compile(q->root).required_literals(), std::vector<std::string>{"backdoor"});
}

}  // namespace
}  // namespace eksir::query
