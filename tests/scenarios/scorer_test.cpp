// The scorer's matching rules: argv normalisation, ordered subsequences, globs, flags, blocked
// steps, manifests, and every category on a small incident and plan.
#include "scenarios/scorer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace eksir::test::scenarios {
namespace {

using nlohmann::json;
using V = std::vector<std::string>;

json step(V argv, const char* blocked = nullptr, const char* stdin_text = nullptr) {
  json s = {{"command", {{"argv", argv}}}, {"blocked", blocked ? json(blocked) : json(nullptr)}};
  if (stdin_text) s["command"]["stdin"] = stdin_text;
  return s;
}

json plan(std::vector<json> steps) {
  return {{"schema", "eksir.plan/1"}, {"steps", steps}};
}

const Item* find(const Score& s, const std::string& cat, const std::string& prefix) {
  for (const auto& i : s.items)
    if (i.category == cat && i.item.rfind(prefix, 0) == 0) return &i;
  return nullptr;
}

TEST(ScorerArgv, SplitsFlagEqualsValueAndDropsDoubleDash) {
  EXPECT_EQ(normalise_argv({"kubectl", "drain", "n1", "--timeout=300s", "--", "x"}),
            (V{"kubectl", "drain", "n1", "--timeout", "300s", "x"}));
  EXPECT_EQ(normalise_argv(
                {"aws", "eks", "update-cluster-config",
                 "--resources-vpc-config=endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0"}),
            (V{"aws", "eks", "update-cluster-config", "--resources-vpc-config",
               "endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0"}));
  // Only long flags are split: a value with '=' stays whole.
  EXPECT_EQ(normalise_argv({"kubectl", "drain", "--pod-selector=app!=x"}),
            (V{"kubectl", "drain", "--pod-selector", "app!=x"}));
  EXPECT_EQ(normalise_argv({"kubectl", "label", "a=b"}), (V{"kubectl", "label", "a=b"}));
}

TEST(ScorerArgv, UnquotesAndSpellsKubectlShortFlagsLong) {
  EXPECT_EQ(normalise_argv({"kubectl", "delete", "pod", "-n", "'kube-system'", "x"}),
            (V{"kubectl", "delete", "pod", "--namespace", "kube-system", "x"}));
  EXPECT_EQ(normalise_argv({"kubectl", "apply", "-f", "-"}),
            (V{"kubectl", "apply", "--filename", "-"}));
  // aws has no such aliases.
  EXPECT_EQ(normalise_argv({"aws", "x", "-n", "\"v\""}), (V{"aws", "x", "-n", "v"}));
}

TEST(ScorerArgv, OrderedSubsequenceWithGlobs) {
  V have = {"aws",   "iam",      "update-access-key", "--user-name", "u",        "--access-key-id",
            "AKIA1", "--status", "Inactive",          "--region",    "us-east-1"};
  EXPECT_TRUE(is_subsequence({"iam", "update-access-key", "--access-key-id", "AKIA1"}, have));
  EXPECT_TRUE(is_subsequence({"aws", "--status", "Inactive"}, have));
  EXPECT_TRUE(is_subsequence({}, have));
  EXPECT_FALSE(is_subsequence({"--access-key-id", "AKIA1", "--user-name"}, have));  // order matters
  EXPECT_FALSE(is_subsequence({"delete-access-key"}, have));
  EXPECT_TRUE(
      token_matches("*0.0.0.0/0*", "endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0"));
  EXPECT_FALSE(
      token_matches("*0.0.0.0/0*", "endpointPublicAccess=true,publicAccessCidrs=10.0.0.0/8"));
  EXPECT_TRUE(token_matches("argocd-manager-token-*", "argocd-manager-token-x7k2q"));
  EXPECT_TRUE(token_matches("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(token_matches("a*b*c", "aXXbYY"));
  EXPECT_TRUE(token_matches("*", ""));
  EXPECT_FALSE(token_matches("abc", "abcd"));  // no glob: exact
}

TEST(ScorerArgv, FlagsAnywhereWithTheirValue) {
  V a = normalise_argv({"kubectl", "delete", "deployment", "relay", "-n", "kube-system"});
  V b = normalise_argv({"kubectl", "delete", "deployment", "--namespace=kube-system", "relay"});
  for (const V& argv : {a, b}) {
    EXPECT_TRUE(has_flag(argv, "--namespace", "kube-system"));
    EXPECT_FALSE(has_flag(argv, "--namespace", "default"));
  }
  json want = {{"argv", {"kubectl", "delete", "deployment", "relay"}},
               {"flags", {{"-n", "kube-system"}}}};
  EXPECT_TRUE(step_shape_matches(
      want, step({"kubectl", "delete", "deployment", "--namespace", "kube-system", "relay"})));
  EXPECT_TRUE(step_shape_matches(want, step({"kubectl", "--context", "c", "delete", "deployment",
                                             "relay", "-n", "kube-system"})));
  EXPECT_FALSE(step_shape_matches(
      want, step({"kubectl", "delete", "deployment", "relay", "-n", "default"})));
}

TEST(ScorerSteps, BlockedStateAndReason) {
  json blocked = step({"aws", "iam", "put-role-policy", "--role-name", "r"},
                      "the role belongs to account 444455556666: act there");
  json open = step({"aws", "iam", "put-role-policy", "--role-name", "r"});
  json want = {{"blocked", true}, {"blocked_contains", "444455556666"}};
  EXPECT_TRUE(step_blocked_matches(want, blocked));
  EXPECT_FALSE(step_blocked_matches(want, open));
  EXPECT_FALSE(
      step_blocked_matches({{"blocked", true}, {"blocked_contains", "111122223333"}}, blocked));
  EXPECT_TRUE(step_blocked_matches({{"blocked", false}}, open));
  EXPECT_FALSE(step_blocked_matches({{"blocked", false}}, blocked));
  EXPECT_TRUE(step_blocked_matches(json::object(), blocked));  // not constrained
}

TEST(ScorerSteps, ManifestContent) {
  json s = step({"kubectl", "apply", "--filename", "-"}, nullptr,
                "kind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\n");
  EXPECT_TRUE(step_shape_matches(
      {{"argv", {"kubectl", "apply"}}, {"stdin_contains", {"name: aws-auth"}}}, s));
  EXPECT_FALSE(step_shape_matches(
      {{"argv", {"kubectl", "apply"}}, {"stdin_not_contains", {"aws-auth"}}}, s));
  EXPECT_FALSE(
      step_shape_matches({{"argv", {"kubectl", "apply"}}, {"argv_not_contains", {"apply"}}}, s));
}

TEST(ScorerTime, CutToTheSecond) {
  EXPECT_EQ(to_second("2026-03-14T08:41:07.123456Z"), "2026-03-14T08:41:07");
  EXPECT_EQ(to_second("2026-03-14T08:41:07Z"), "2026-03-14T08:41:07");
  EXPECT_EQ(to_second(""), "");
}

json incident() {
  return {{"schema", "eksir.incident/1"},
          {"incident",
           {{"severity", "High"},
            {"criteria",
             {{{"id", "critical.cluster_admin"}, {"likely_benign", false}},
              {{"id", "high.privileged_pods"}, {"likely_benign", true}}}},
            {"metrics",
             {{"first_malicious_event", "2026-03-14T08:41:07.900Z"},
              {"last_malicious_event", "2026-03-14T09:05:12.000Z"}}},
            {"gaps", {"control-plane logging was turned off at 2026-03-14T09:05:12.000Z"}},
            {"timeline",
             {{{"time", "2026-03-14T08:41:07.900Z"},
               {"tag", "INCIDENT"},
               {"evidence", {{"event_id", "e1"}, {"finding", "f1"}, {"rule", "r1"}}}},
              {{"time", "2026-03-14T08:50:00.000Z"},
               {"tag", "DETECTION"},
               {"evidence", {{"event_id", "e2"}, {"finding", "f2"}, {"rule", "r2"}}}},
              {{"time", "2026-03-14T03:09:00.000Z"},
               {"tag", "INCIDENT"},
               {"evidence", {{"event_id", "b1"}, {"finding", "f3"}, {"rule", "r3"}}}},
              {{"time", "2026-03-14T06:11:00.000Z"},
               {"tag", "INCIDENT"},
               {"evidence", {{"event_id", "b2"}, {"finding", "f4"}, {"rule", "r4"}}}}}},
            {"likely_benign", {{{"finding", "f4"}, {"reason", "CI/CD deployment"}}}},
            {"affected",
             {{{"kind", "pod"},
               {"name", "p"},
               {"namespace", "kube-system"},
               {"id", "uid-1"},
               {"attributes", {{"node", "n1"}}}},
              {{"kind", "access_entry"},
               {"name", "arn%3Aaws%3Aiam"},
               {"id", "x"},
               {"attributes", {{"principal_arn", "arn:aws:iam::4:role/r"}}}},
              {{"kind", "node"}, {"name", "n1"}}}}}}};
}

TEST(ScorerScore, EveryCategory) {
  json truth = {
      {"expect",
       {{"severity", "Critical"},
        {"criteria", {"critical.cluster_admin", "high.privileged_pods"}},
        {"criteria_not", {"critical.multiple_nodes", "critical.cluster_admin"}},
        {"window", {{"first", "2026-03-14T08:41:07Z"}, {"last", "2026-03-14T09:09:03Z"}}},
        {"gaps", {"2026-03-14T09:05:12", "prod-trail"}},
        {"timeline",
         {{{"time", "2026-03-14T08:41:07.100Z"}, {"tag", "INCIDENT"}, {"event_id", "e1"}},
          {{"time", "2026-03-14T08:50:00Z"}, {"tag", "INCIDENT"}, {"event_id", "e2"}},
          {{"time", "2026-03-14T08:55:00Z"}, {"tag", "INCIDENT"}, {"event_id", "e3"}},
          {{"time", "2026-03-14T08:50:00Z"},
           {"tag", "DETECTION"},
           {"event_id", "finding-uid"},
           {"alt_event_ids", {"e2"}}}}},
        {"timeline_not", {{{"event_id", "b1"}}, {{"event_id", "b2"}}, {{"event_id", "b3"}}}},
        {"affected",
         {{{"kind", "pod"},
           {"name", "p"},
           {"namespace", "kube-system"},
           {"attributes", {{"node", "n1"}}}},
          {{"kind", "pod"}, {"name", "p"}, {"namespace", "default"}},
          {{"kind", "access_entry"}, {"name", "arn:aws:iam::4:role/r"}},
          {{"kind", "node"}, {"name", "n2"}}}},
        {"not_affected", {{{"kind", "node"}, {"name", "n1"}}, {{"kind", "node"}, {"name", "n3"}}}},
        {"plan",
         {{{"phase", "contain"},
           {"argv", {"aws", "iam", "update-access-key", "--access-key-id", "AKIA1"}},
           {"blocked", false}},
          {{"phase", "contain"},
           {"argv", {"r"}},
           {"blocked", true},
           {"blocked_contains", "444455556666"}},
          {{"phase", "contain|eradicate"}, {"argv", {"eks", "delete-access-entry"}}},
          {{"any_of",
            {{{"phase", "eradicate"}, {"argv", {"kubectl", "patch"}}},
             {{"phase", "eradicate"}, {"argv", {"kubectl", "delete", "cronjob", "x"}}}}}}}},
        {"plan_not",
         {{{"phase", "eradicate"}, {"argv", {"iam", "delete-role", "--role-name", "ci-release"}}},
          {{"phase", "recover"}, {"argv", {"eks", "update-cluster-config", "*0.0.0.0/0*"}}},
          {{"phase", "contain"}, {"argv", {"kubectl", "cordon", "n3"}}, {"blocked", false}}}},
        {"plan_order",
         {{{{"phase", "eradicate"}, {"argv", {"delete", "cronjob", "x"}}},
           {{"phase", "eradicate"}, {"argv", {"delete", "job"}}},
           {{"phase", "eradicate"}, {"argv", {"delete", "pod", "x-1"}}}},
          {{{"phase", "eradicate"}, {"argv", {"delete", "pod", "x-1"}}},
           {{"phase", "eradicate"}, {"argv", {"delete", "cronjob", "x"}}}},
          {{{"phase", "eradicate"}, {"argv", {"delete", "daemonset"}}},
           {{"phase", "eradicate"}, {"argv", {"delete", "pod"}}}}}}}}};
  std::map<std::string, json> plans = {
      {"contain",
       plan({step({"aws", "iam", "update-access-key", "--user-name", "u", "--access-key-id=AKIA1"}),
             step({"aws", "iam", "put-role-policy", "--role-name", "r"},
                  "account 444455556666 must act"),
             step({"kubectl", "cordon", "n3"}, "needs input")})},
      {"eradicate", plan({step({"kubectl", "delete", "cronjob", "x", "-n", "kube-system"}),
                          step({"kubectl", "delete", "pod", "x-1", "-n", "kube-system"}),
                          step({"aws", "eks", "delete-access-entry", "--cluster-name", "c",
                                "--principal-arn", "a"})})},
      {"recover",
       plan({step({"aws", "eks", "update-cluster-config", "--name", "c", "--resources-vpc-config",
                   "endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0"})})}};
  Score s = score(truth, incident(), plans);

  EXPECT_FALSE(find(s, "severity", "Critical")->pass);
  EXPECT_TRUE(find(s, "criteria", "critical.cluster_admin")->pass);
  EXPECT_FALSE(find(s, "criteria", "high.privileged_pods")->pass);  // likely benign only
  EXPECT_TRUE(find(s, "criteria_not", "critical.multiple_nodes")->pass);
  EXPECT_FALSE(find(s, "criteria_not", "critical.cluster_admin")->pass);
  EXPECT_TRUE(find(s, "window", "first")->pass);
  EXPECT_FALSE(find(s, "window", "last")->pass);
  EXPECT_TRUE(find(s, "gaps", "a gap mentions \"2026-03-14T09:05:12\"")->pass);
  EXPECT_FALSE(find(s, "gaps", "a gap mentions \"prod-trail\"")->pass);
  EXPECT_TRUE(find(s, "timeline", "2026-03-14T08:41:07 INCIDENT e1")->pass);
  EXPECT_FALSE(find(s, "timeline", "2026-03-14T08:50:00 INCIDENT e2")->pass);  // tagged DETECTION
  EXPECT_FALSE(find(s, "timeline", "2026-03-14T08:55:00 INCIDENT e3")->pass);
  EXPECT_TRUE(find(s, "timeline", "2026-03-14T08:50:00 DETECTION finding-uid")->pass);  // other id
  EXPECT_FALSE(find(s, "timeline_not", "b1")->pass);
  EXPECT_TRUE(find(s, "timeline_not", "b2")->pass);  // marked likely benign
  EXPECT_TRUE(find(s, "timeline_not", "b3")->pass);
  EXPECT_TRUE(find(s, "affected", "pod kube-system/p")->pass);
  EXPECT_FALSE(find(s, "affected", "pod default/p")->pass);
  EXPECT_TRUE(find(s, "affected", "access_entry arn:aws:iam::4:role/r")->pass);  // by principal_arn
  EXPECT_FALSE(find(s, "affected", "node n2")->pass);
  EXPECT_FALSE(find(s, "not_affected", "node n1")->pass);
  EXPECT_TRUE(find(s, "not_affected", "node n3")->pass);
  EXPECT_TRUE(find(s, "plan", "contain: aws iam update-access-key")->pass);
  EXPECT_TRUE(find(s, "plan", "contain: r")->pass);
  EXPECT_TRUE(find(s, "plan", "contain|eradicate: eks delete-access-entry")->pass);
  EXPECT_TRUE(find(s, "plan", "any of")->pass);
  EXPECT_TRUE(find(s, "plan_not", "no eradicate: iam delete-role")->pass);
  EXPECT_FALSE(find(s, "plan_not", "no recover: eks update-cluster-config")->pass);
  EXPECT_TRUE(find(s, "plan_not", "no contain: kubectl cordon n3")->pass);  // only a blocked one
  ASSERT_EQ(std::count_if(s.items.begin(), s.items.end(),
                          [](const Item& i) { return i.category == "plan_order"; }),
            3);
  std::vector<const Item*> order;
  for (const auto& i : s.items)
    if (i.category == "plan_order") order.push_back(&i);
  EXPECT_TRUE(order[0]->pass);   // cronjob before pod; no job step is fine
  EXPECT_FALSE(order[1]->pass);  // pod before cronjob is not what the plan does
  EXPECT_FALSE(order[2]->pass);  // the first step is absent

  int passed = 0;
  for (const auto& i : s.items) passed += i.pass;
  EXPECT_EQ(s.overall.passed, passed);
  EXPECT_EQ(s.overall.total, static_cast<int>(s.items.size()));
  EXPECT_FALSE(s.complete());
  std::string t = table(s, "unit");
  EXPECT_NE(t.find("FAIL severity"), std::string::npos) << t;
  EXPECT_NE(t.find("overall"), std::string::npos);
}

TEST(ScorerScore, StableWhenASecondRunAgrees) {
  json again = incident();
  Score same = score({{"expect", json::object()}}, incident(), {}, &again);
  ASSERT_EQ(same.items.size(), 1u);
  EXPECT_EQ(same.items[0].category, "stable");
  EXPECT_TRUE(same.items[0].pass);
  again["incident"]["affected"].push_back({{"kind", "node"}, {"name", "n9"}});
  Score differs = score({{"expect", json::object()}}, incident(), {}, &again);
  EXPECT_FALSE(differs.items[0].pass);
  EXPECT_NE(differs.items[0].detail.find("node:/n9"), std::string::npos) << differs.items[0].detail;
  EXPECT_EQ(incident_difference(incident(), incident()), "");
  json other = incident();
  other["incident"]["timeline"].erase(0);
  EXPECT_NE(incident_difference(incident(), other).find("timeline: 1 only in the first run"),
            std::string::npos);
}

TEST(ScorerScore, EmptyExpectIsComplete) {
  Score s = score({{"expect", json::object()}}, incident(), {});
  EXPECT_TRUE(s.items.empty());
  EXPECT_TRUE(s.complete());
  EXPECT_DOUBLE_EQ(s.overall.percent(), 100.0);
}

}  // namespace
}  // namespace eksir::test::scenarios
