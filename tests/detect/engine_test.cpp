// The engine on synthetic events: single-event rules, de-duplication, evidence references and the
// EKS identity in the subject, what first_seen withholds, watch queries, spilling. Each
// correlation type at its edges is data: tests/cases/detect/*_correlation.yaml.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>

#include "detect/detect.h"
#include "query/query.h"
#include "rules/rules.h"

namespace eksir::detect {
namespace {

rules::Rule rule(const std::string& yaml) {
  rules::LoadResult res = rules::load_text(yaml, "t.yml");
  EXPECT_TRUE(res.ok()) << (res.errors.empty() ? "" : res.errors[0].text());
  EXPECT_EQ(res.rules.size(), 1u);
  return res.rules.empty() ? rules::Rule{} : res.rules[0];
}

// A Kubernetes audit event at 2026-03-14T09:MM:SSZ (offset in seconds from 09:00:00).
std::string audit(int offset_s, const std::string& user, const std::string& verb,
                  const std::string& resource, int code = 200, const std::string& extra = "") {
  static int n = 0;
  int h = 9 + offset_s / 3600, m = (offset_s % 3600) / 60, s = offset_s % 60;
  return fmt::format(
      R"({{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"id-{}","verb":"{}","user":{{"username":"{}"}},)"
      R"("objectRef":{{"resource":"{}","name":"n"}},"responseStatus":{{"code":{}}},)"
      R"("stageTimestamp":"2026-03-{:02}T{:02}:{:02}:{:02}Z"{}}})",
      ++n, verb, user, resource, code, 14 + h / 24, h % 24, m, s, extra);
}

std::vector<Finding> run_rules(const std::vector<rules::Rule>& rs,
                               const std::vector<std::string>& events, bool alerts = false,
                               size_t memory = 0, SpillStats* spilled = nullptr) {
  EngineOptions eo;
  eo.workers = 2;
  eo.alerts = alerts;
  eo.memory = memory;
  Engine engine(rs, eo);
  unsigned w = 0;
  for (const auto& e : events) {
    std::string err =
        rules::classify_json(e, [&](const EventView& ev) { engine.on_event(ev, w++ % 2); });
    EXPECT_EQ(err, "") << e;
  }
  auto findings = engine.finish();
  if (spilled) *spilled = engine.spilled();
  return findings;
}

const char* kSingle = R"(id: crb
title: cluster-admin binding
description: d
severity: high
attack: [T1098]
criterion: critical.cluster_admin
condition: 'verb:create and objectRef.resource:clusterrolebindings'
subject: [user.username]
tests: {positive: [{verb: create}]}
)";

TEST(Engine, SingleEventRuleMatchesAndCarriesMetadataAndIdentity) {
  std::string ev =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"abc","verb":"create","stageTimestamp":"2026-03-14T09:00:00Z",)"
      R"("user":{"username":"mallory","extra":{"arn":["arn:aws:iam::111122223333:user/mallory"],"accessKeyId":["AKIAEXAMPLE"],)"
      R"("sessionName":["s1"]}},"sourceIPs":["203.0.113.45"],"objectRef":{"resource":"clusterrolebindings","name":"b"}})";
  auto f = run_rules({rule(kSingle)}, {ev, audit(10, "bob", "get", "clusterrolebindings")});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule_id, "crb");
  EXPECT_EQ(f[0].severity, Severity::High);
  EXPECT_EQ(f[0].attack, std::vector<std::string>{"T1098"});
  EXPECT_EQ(f[0].criterion, "critical.cluster_admin");
  EXPECT_EQ(f[0].count, 1u);
  EXPECT_EQ(format_time(f[0].first_seen), "2026-03-14T09:00:00.000Z");
  using KV = std::pair<std::string, std::string>;
  EXPECT_EQ(f[0].subject, (std::vector<KV>{{"user.username", "mallory"},
                                           {"arn", "arn:aws:iam::111122223333:user/mallory"},
                                           {"access_key_id", "AKIAEXAMPLE"},
                                           {"session_name", "s1"},
                                           {"source_ip", "203.0.113.45"}}));
  ASSERT_EQ(f[0].evidence.size(), 1u);
  EXPECT_EQ(f[0].evidence[0].event_id, "abc");
  EXPECT_EQ(f[0].evidence[0].source, Source::K8sAudit);
  EXPECT_EQ(f[0].evidence[0].file, "<test>");
  EXPECT_EQ(f[0].id.size(), 16u);
}

TEST(Engine, RuleIsNotEvaluatedOnSourcesItsFieldsNeverHave) {
  // A CloudTrail-only field: the rule never fires on audit events, even with `not`.
  auto r = rule(R"(id: ct
title: t
severity: low
condition: 'eventName:DeleteCluster'
tests: {positive: [{eventName: DeleteCluster}]}
)");
  auto f = run_rules({r}, {audit(0, "a", "delete", "pods")});
  EXPECT_TRUE(f.empty());
  auto routed = rule(R"(id: routed
title: t
severity: low
sources: [cloudtrail]
condition: 'verb:create'
tests: {positive: [{verb: create}]}
)");
  EXPECT_TRUE(run_rules({routed}, {audit(0, "a", "create", "pods")}).empty());
}

TEST(Engine, SameRuleSameSubjectWithinAnHourIsOneFinding) {
  auto r = rule(kSingle);
  std::vector<std::string> evs;
  for (int i = 0; i < 5; ++i)
    evs.push_back(audit(i * 600, "mallory", "create", "clusterrolebindings"));  // 0..40 min
  evs.push_back(
      audit(3 * 3600, "mallory", "create", "clusterrolebindings"));  // 3 h later: a new finding
  evs.push_back(audit(60, "bob", "create", "clusterrolebindings"));  // another subject
  auto f = run_rules({r}, evs);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].subject[0].second, "mallory");
  EXPECT_EQ(f[0].count, 5u);
  EXPECT_EQ(format_time(f[0].first_seen), "2026-03-14T09:00:00.000Z");
  EXPECT_EQ(format_time(f[0].last_seen), "2026-03-14T09:40:00.000Z");
  EXPECT_EQ(f[0].evidence.size(), 5u);
  EXPECT_EQ(f[1].subject[0].second, "bob");
  EXPECT_EQ(f[2].count, 1u);
  EXPECT_EQ(format_time(f[2].first_seen), "2026-03-14T12:00:00.000Z");
  EXPECT_NE(f[0].id, f[2].id);
}

const char* kCount = R"(id: enum
title: enumeration
severity: medium
condition: 'responseStatus.code:403'
correlation: {type: count, group_by: [user.username], window: 5m, threshold: 10}
tests: {positive: [[{verb: get}]]}
)";

const char* kSequence = R"(id: seq
title: admin then privileged pod
severity: critical
correlation:
  type: sequence
  group_by: [user.username]
  window: 30m
  steps:
    - 'verb:create and objectRef.resource:clusterrolebindings'
    - 'verb:create and objectRef.resource:pods'
tests: {positive: [[{verb: get}]]}
)";

const char* kFirstSeen = R"(id: new-agent
title: new user
severity: low
condition: 'verb:*'
correlation: {type: first_seen, group_by: [user.username], history: 1d}
tests: {positive: [[{verb: get}]]}
)";

// Only 12 hours of earlier evidence: the rule cannot call anyone new, and the run says so for it.
TEST(Correlation, FirstSeenWithoutTheHistoryCoveredIsWithheldAndSaysHowMuch) {
  auto r = rule(kFirstSeen);
  EngineOptions eo;
  eo.alerts = false;
  Engine engine({r}, eo);
  for (const auto& e :
       {audit(0, "alice", "get", "pods"), audit(12 * 3600, "mallory", "get", "pods")})
    EXPECT_EQ(rules::classify_json(e, [&](const EventView& ev) { engine.on_event(ev, 0); }), "");
  EXPECT_TRUE(engine.finish().empty());
  ASSERT_EQ(engine.withheld().size(), 1u);
  const Withheld& w = engine.withheld()[0];
  EXPECT_EQ(w.rule_id, r.id);
  EXPECT_EQ(w.values, 2u);  // alice at the start, mallory 12 h in: both under the 1d history
  EXPECT_EQ(format_time(w.evidence_start), "2026-03-14T09:00:00.000Z");
  EXPECT_NE(w.text().find("2 values first seen within 1d of the evidence start"), std::string::npos)
      << w.text();
  EXPECT_NE(w.text().find("mallory"), std::string::npos) << w.text();
}

TEST(Correlation, FirstSeenValueAlsoSeenWithoutATimeIsNotNew) {
  // mallory appears two days in, and also in an event that carries no time. Whichever worker
  // keeps which copy, the timeless sight counts as seen: no finding, with one worker or two.
  auto r = rule(kFirstSeen);
  std::string timeless =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"no-time","verb":"get",)"
      R"("user":{"username":"mallory"},"objectRef":{"resource":"pods","name":"n"},)"
      R"("responseStatus":{"code":200}})";
  std::vector<std::string> events = {audit(0, "alice", "get", "pods"),
                                     audit(2 * 86400, "mallory", "get", "pods"), timeless};
  EXPECT_TRUE(run_rules({r}, events).empty());  // two workers, events alternating
  std::swap(events[1], events[2]);
  EXPECT_TRUE(run_rules({r}, events).empty());
  EngineOptions eo;
  eo.alerts = false;
  Engine one({r}, eo);
  for (const auto& e : events)
    EXPECT_EQ(rules::classify_json(e, [&](const EventView& ev) { one.on_event(ev, 0); }), "");
  EXPECT_TRUE(one.finish().empty());
}

TEST(Engine, AlertsBecomeFindingsOnlyWhenEnabled) {
  std::string falco =
      R"({"time":"2026-03-14T09:00:00.000000000Z","rule":"Terminal shell in container","priority":"Warning",)"
      R"("output":"shell","output_fields":{"k8s.ns.name":"default","k8s.pod.name":"web","proc.name":"bash"},"hostname":"node-1"})";
  EXPECT_TRUE(run_rules({}, {falco}, false).empty());
  auto f = run_rules({}, {falco}, true);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule_id, "falco");
  EXPECT_EQ(f[0].severity, Severity::Medium);
  EXPECT_EQ(f[0].evidence[0].event_id,
            "2026-03-14T09:00:00.000000000Z Terminal shell in container");
}

TEST(RuleTests, PositivesMustMatchNegativesMustNot) {
  auto good = rule(R"(id: g
title: t
severity: low
condition: 'verb:create'
tests:
  positive: [{kind: Event, apiVersion: audit.k8s.io/v1, auditID: x, user: {username: u}, verb: create, stageTimestamp: "2026-03-14T09:00:00Z"}]
  negative: [{kind: Event, apiVersion: audit.k8s.io/v1, auditID: y, user: {username: u}, verb: get, stageTimestamp: "2026-03-14T09:00:00Z"}]
)");
  auto res = test_rule(good);
  EXPECT_EQ(res.passed, 2u);
  EXPECT_EQ(res.failed, 0u);
  auto bad = good;
  std::swap(bad.positive, bad.negative);
  res = test_rule(bad);
  EXPECT_EQ(res.failed, 2u);
  ASSERT_EQ(res.failures.size(), 2u);
  EXPECT_NE(res.failures[0].find("positive #1: positive case did not match"), std::string::npos)
      << res.failures[0];
  EXPECT_NE(res.failures[1].find("negative #1: negative case matched"), std::string::npos)
      << res.failures[1];
  auto hinted = good;
  hinted.positive[0].events[0].hint = Source::CloudTrail;
  res = test_rule(hinted);
  ASSERT_EQ(res.failures.size(), 1u);
  EXPECT_NE(res.failures[0].find("was read as k8s_audit, not cloudtrail"), std::string::npos)
      << res.failures[0];
  auto garbage = good;
  garbage.positive[0].events[0].json = R"({"hello":"world"})";
  res = test_rule(garbage);
  ASSERT_EQ(res.failures.size(), 1u);
  EXPECT_NE(res.failures[0].find("event 1: "), std::string::npos) << res.failures[0];
}

// A watch query tells the caller which events match it (the pod placements investigate keeps),
// routed with the rules, and makes no finding; the rules' findings are unchanged beside it.
TEST(Engine, WatchQueriesAreReportedNotFound) {
  auto q = query::parse("objectRef.resource:pods and objectRef.subresource:binding");
  ASSERT_TRUE(q) << q.error().message;
  EngineOptions eo;
  eo.watch.push_back(q->root);
  Engine engine({rule(kSingle)}, eo);
  std::string binding =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"b1","verb":"create",)"
      R"("user":{"username":"system:kube-scheduler"},"stageTimestamp":"2026-03-14T09:00:00Z",)"
      R"("objectRef":{"resource":"pods","subresource":"binding","namespace":"web","name":"w-1"}})";
  auto create_crb = audit(1, "mallory", "create", "clusterrolebindings");
  auto get_pods = audit(2, "alice", "get", "pods");
  std::vector<unsigned> fed;
  for (const auto& e : {binding, create_crb, get_pods})
    EXPECT_EQ(rules::classify_json(
                  e, [&](const EventView& ev) { fed.push_back(engine.on_event(ev, 0)); }),
              "");
  ASSERT_EQ(fed.size(), 3u);
  EXPECT_EQ(fed[0], kFedWatch);
  EXPECT_EQ(fed[1], kFedHit);
  EXPECT_EQ(fed[2], 0u);
  auto findings = engine.finish();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule_id, "crb");
}

}  // namespace
}  // namespace eksir::detect

namespace eksir::detect {
namespace {

// Correlation events past --memory go to a temporary file and come back one rule at a time:
// the findings are those of a run that kept everything in memory.
TEST(Spill, EveryCorrelationTypeGivesTheSameFindingsFromTheTemporaryFile) {
  std::vector<rules::Rule> rs = {rule(kCount), rule(kSequence), rule(R"(id: spray
title: many resources
severity: medium
condition: 'verb:list'
correlation: {type: distinct_count, group_by: [user.username], field: objectRef.resource, window: 10m, threshold: 3}
tests: {positive: [[{verb: get}]]}
)"),
                                 rule(R"(id: newverb
title: new verb for a user
severity: low
condition: 'verb:*'
correlation: {type: first_seen, group_by: [user.username, verb], history: 1h}
tests: {positive: [[{verb: get}]]}
)")};
  const char* users[] = {"eve", "bob", "carol", "dan", "mallory"};
  const char* verbs[] = {"list", "get", "create", "delete"};
  const char* resources[] = {"secrets", "pods", "nodes", "clusterrolebindings", "configmaps"};
  std::vector<std::string> evs;
  uint32_t x = 7;
  auto next = [&] { return x = x * 1103515245u + 12345u, (x >> 8) % 1000003u; };
  for (int i = 0; i < 3000; ++i)
    // Times all different (7919 is prime to 20000): evidence order is then one order.
    evs.push_back(audit(i * 7919 % 20000, users[next() % 5], verbs[next() % 4],
                        resources[next() % 5], next() % 4 == 0 ? 403 : 200));
  for (int i = 0; i < 5; ++i) evs.push_back(audit(20001 + i, "zed", "get", "pods"));  // new
  for (int i = 0; i < 12; ++i) evs.push_back(audit(20010 + i, "eve", "get", "secrets", 403));
  SpillStats none, all;
  auto want = run_rules(rs, evs, false, 0, &none);
  auto got = run_rules(rs, evs, false, 1, &all);
  EXPECT_EQ(none.tuples, 0u);
  EXPECT_GT(all.tuples, 1000u);  // every event of every correlation but first_seen's
  EXPECT_EQ(all.error, "");
  ASSERT_GT(want.size(), 10u);
  ASSERT_EQ(want.size(), got.size());
  std::set<std::string> rules_fired;
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].rule_id + " " + want[i].note);
    rules_fired.insert(want[i].rule_id);
    EXPECT_EQ(want[i].id, got[i].id);
    EXPECT_EQ(want[i].note, got[i].note);
    EXPECT_EQ(want[i].count, got[i].count);
    EXPECT_EQ(want[i].subject, got[i].subject);
    ASSERT_EQ(want[i].evidence.size(), got[i].evidence.size());
    for (size_t e = 0; e < want[i].evidence.size(); ++e)
      EXPECT_EQ(want[i].evidence[e].event_id, got[i].evidence[e].event_id);
  }
  EXPECT_EQ(rules_fired, (std::set<std::string>{"enum", "newverb", "seq", "spray"}));
}

}  // namespace
}  // namespace eksir::detect

namespace eksir::detect {
namespace {

// A worker spills when its share of the budget fills, and starts again with no events held (the
// list keeps its room, within the budget): the runs are about as many as the budget divides the
// events into, not one per event after the first spill (once, a list emptied but kept at its
// capacity was counted as over the budget).
TEST(Spill, RunsAreAsManyAsTheBudgetMakesNotOnePerEvent) {
  std::vector<rules::Rule> rs = {rule(kCount)};
  std::vector<std::string> evs;
  for (int i = 0; i < 80000; ++i)
    evs.push_back(audit(i % 20000, i % 3 ? "eve" : "bob", "list", i % 2 ? "secrets" : "pods", 403));
  SpillStats none, spilled;
  auto want = run_rules(rs, evs, false, 0, &none);
  auto got = run_rules(rs, evs, false, 8 << 20, &spilled);  // 4 MiB a worker
  EXPECT_EQ(none.runs, 0u);
  EXPECT_GT(spilled.runs, 2u);
  // 80,000 events of about 150 bytes held (the tuple, its id, its share of the strings), in
  // 4 MiB shares: a few runs per worker.
  EXPECT_LT(spilled.runs, 40u);
  EXPECT_GT(spilled.tuples, 40000u);
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(want[i].count, got[i].count);
}

// The readers' prefilter for a rule set: the words every event some rule matches holds, joined;
// none when one rule requires no word or keeps a first_seen history.
TEST(Engine, PrefilterWordsOfTheRulesJoined) {
  auto words = [](const std::vector<rules::Rule>& rs, bool alerts) {
    EngineOptions eo;
    eo.alerts = alerts;
    Engine engine(rs, eo);
    sources::ScanOptions so;
    engine.prefilter(so);
    return so;
  };
  const rules::Rule crb = rule(kSingle);
  const rules::Rule aws_auth = rule(R"(id: aws-auth
title: t
severity: high
condition: 'verb:update and objectRef.name:aws-auth'
tests: {positive: [{verb: update}]}
)");
  sources::ScanOptions one = words({crb}, false);
  EXPECT_EQ(one.prefilter, (util::LiteralClauses{{{"clusterrolebindings", false}},
                                                 {{"create", false}}}));  // most selective first
  EXPECT_TRUE(one.prefilter_guards.empty());

  // Either rule's words: one clause, the most selective word of each.
  sources::ScanOptions both = words({crb, aws_auth}, true);
  EXPECT_EQ(both.prefilter,
            (util::LiteralClauses{{{"clusterrolebindings", false}, {"aws-auth", false}}}));
  EXPECT_EQ(both.prefilter_guards, alert_marks());  // alerts are findings whatever their words

  const rules::Rule errors = rule(R"(id: errors
title: t
severity: low
condition: 'responseStatus.code >= 500'
tests: {positive: [{verb: get}]}
)");
  EXPECT_TRUE(words({crb, errors}, true).prefilter.empty());
  EXPECT_TRUE(words({crb, rule(kFirstSeen)}, false).prefilter.empty());
  EXPECT_TRUE(words({}, true).prefilter.empty());
}

}  // namespace
}  // namespace eksir::detect
