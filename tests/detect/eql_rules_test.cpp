// Elastic EQL rules through the engine: the shared set's census (each rule loads or says which
// construct or events it needs), and sequences in the real CloudTrail and Kubernetes audit shapes,
// with maxspan, per-step `by` and `until`. Elastic's case rules and representative rules on one
// event are data: tests/cases/detect/eql_case_rules.yaml and elastic_rule_files.yaml.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "detect/detect.h"
#include "rules/elastic.h"
#include "test_paths.h"

namespace eksir::detect {
namespace {

using nlohmann::json;

std::string elastic_dir() {
  return test::shared_dir() + "/rules/elastic";
}

rules::Rule load_one(const std::string& relative) {
  rules::ElasticLoad el = rules::load_elastic_paths({elastic_dir() + "/" + relative});
  EXPECT_TRUE(el.result.ok()) << (el.result.errors.empty() ? "" : el.result.errors[0].text());
  EXPECT_EQ(el.result.rules.size(), 1u) << relative;
  return el.result.rules.empty() ? rules::Rule{} : el.result.rules[0];
}

rules::Rule load_toml(const std::string& toml) {
  rules::ElasticLoad el = rules::load_elastic_text(toml, "t.toml");
  EXPECT_TRUE(el.result.ok()) << (el.result.errors.empty() ? "" : el.result.errors[0].text());
  EXPECT_EQ(el.result.rules.size(), 1u);
  return el.result.rules.empty() ? rules::Rule{} : el.result.rules[0];
}

size_t fired(const rules::Rule& r, const std::vector<std::string>& events) {
  EngineOptions eo;
  eo.workers = 1;
  Engine engine({r}, eo);
  for (const auto& e : events) {
    std::string err = rules::classify_json(e, [&](const EventView& ev) { engine.on_event(ev, 0); });
    EXPECT_EQ(err, "") << e;
  }
  return engine.finish().size();
}

// A CloudTrail record (the shape CloudTrail delivers), at 2026-03-14T09:00:00Z + seconds.
json cloudtrail(const std::string& source, const std::string& name, json params, int seconds = 0) {
  static int n = 0;
  return {{"eventVersion", "1.09"},
          {"userIdentity",
           {{"type", "IAMUser"},
            {"principalId", "AIDAEXAMPLEID"},
            {"arn", "arn:aws:iam::111122223333:user/mallory"},
            {"accountId", "111122223333"},
            {"accessKeyId", "AKIAEXAMPLEKEY"},
            {"userName", "mallory"}}},
          {"eventTime", fmt::format("2026-03-14T09:{:02}:{:02}Z", seconds / 60, seconds % 60)},
          {"eventSource", source},
          {"eventName", name},
          {"awsRegion", "eu-west-1"},
          {"sourceIPAddress", "203.0.113.7"},
          {"userAgent", "aws-cli/2.15.0"},
          {"requestParameters", std::move(params)},
          {"responseElements", nullptr},
          {"requestID", fmt::format("req-{}", ++n)},
          {"eventID", fmt::format("ev-{}", n)},
          {"readOnly", false},
          {"eventType", "AwsApiCall"},
          {"managementEvent", true},
          {"recipientAccountId", "111122223333"},
          {"eventCategory", "Management"}};
}

// A Kubernetes audit event (audit.k8s.io/v1) at 2026-03-14T09:00:00Z + seconds.
json audit(const std::string& user, const std::string& verb, const std::string& resource,
           const std::string& decision, int seconds = 0) {
  static int n = 0;
  return {{"kind", "Event"},
          {"apiVersion", "audit.k8s.io/v1"},
          {"level", "RequestResponse"},
          {"auditID", fmt::format("audit-{}", ++n)},
          {"stage", "ResponseComplete"},
          {"requestURI", "/apis/apps/v1/namespaces/default/" + resource},
          {"verb", verb},
          {"user", {{"username", user}, {"groups", {"system:authenticated"}}}},
          {"sourceIPs", {"203.0.113.9"}},
          {"objectRef",
           {{"resource", resource}, {"namespace", "default"}, {"name", "x"}, {"apiVersion", "v1"}}},
          {"responseStatus", {{"metadata", json::object()}, {"code", 201}}},
          {"requestReceivedTimestamp",
           fmt::format("2026-03-14T09:{:02}:{:02}.000000Z", seconds / 60, seconds % 60)},
          {"stageTimestamp",
           fmt::format("2026-03-14T09:{:02}:{:02}.010000Z", seconds / 60, seconds % 60)},
          {"annotations", {{"authorization.k8s.io/decision", decision}}}};
}

// ---- the census -------------------------------------------------------------------------------

// Every EQL rule of the shared set (37, by Python's tomllib): 33 load; the 4 sequences whose
// first step reads Elastic Defend's endpoint events are skipped, naming the step, the category
// and the fields.
TEST(ElasticEql, EveryRuleLoadsOrNamesWhatItNeeds) {
  rules::ElasticLoad el = rules::load_elastic_paths({elastic_dir()});
  std::string errors;
  for (const auto& e : el.result.errors) errors += e.text() + "\n";
  EXPECT_TRUE(el.result.errors.empty()) << errors;
  EXPECT_EQ(el.loaded_by_type["eql"], 33u);
  size_t skipped = 0, process = 0, file = 0;
  for (const auto& s : el.skipped) {
    if (s.type != "eql") continue;
    ++skipped;
    EXPECT_NE(s.reason.find("line "), std::string::npos) << s.reason;
    EXPECT_NE(s.reason.find("from Elastic Defend (endpoint), which eksir does not read"),
              std::string::npos)
        << s.reason;
    EXPECT_NE(s.reason.find("(fields host.os.type)"), std::string::npos) << s.reason;
    if (s.reason.find("step 1 (`process where`") != std::string::npos) ++process;
    if (s.reason.find("step 1 (`file where`") != std::string::npos) ++file;
  }
  EXPECT_EQ(skipped, 4u);
  EXPECT_EQ(process, 3u);
  EXPECT_EQ(file, 1u);
  size_t sequences = 0;
  for (const auto& r : el.result.rules) {
    if (r.file.find(".toml") == std::string::npos) continue;
    if (r.correlation.type == rules::CorrelationType::Sequence) ++sequences;
  }
  EXPECT_EQ(sequences, 2u);  // Bedrock (by access key), Kubernetes RBAC (by user.name)
}

TEST(ElasticEql, SkippedRuleNamesTheFileLine) {
  rules::ElasticLoad el = rules::load_elastic_paths(
      {elastic_dir() +
       "/other/cross-platform/"
       "execution_d4c_k8s_mda_service_account_token_access_followed_by_kubernetes_api_request."
       "toml"});
  ASSERT_EQ(el.skipped.size(), 1u);
  EXPECT_EQ(el.skipped[0].type, "eql");
  EXPECT_EQ(el.skipped[0].reason.rfind("line ", 0), 0u) << el.skipped[0].reason;
  EXPECT_NE(el.skipped[0].reason.find("step 1 (`file where`, query line 2) needs `file` events"),
            std::string::npos)
      << el.skipped[0].reason;
}

TEST(ElasticEql, BadQueryIsAnErrorWithFileLineAndRule) {
  rules::ElasticLoad el = rules::load_elastic_text(R"([rule]
rule_id = "r-1"
name = "n"
description = "d"
severity = "low"
type = "eql"
language = "eql"
query = '''
any where event.action == "x"
  and event.outcome = "success"
'''
)",
                                                   "bad.toml");
  ASSERT_EQ(el.result.errors.size(), 1u);
  const auto& e = el.result.errors[0];
  EXPECT_EQ(e.file, "bad.toml");
  EXPECT_EQ(e.line, 10u);
  EXPECT_EQ(e.rule_id, "r-1");
  EXPECT_NE(e.message.find("bad EQL at line 2 column"), std::string::npos) << e.message;
  EXPECT_TRUE(el.result.rules.empty());
}

// ---- a rule of one query ------------------------------------------------------------------------

std::string eql_rule(const std::string& query, const std::string& extra = "") {
  return fmt::format(R"([rule]
rule_id = "t-1"
name = "t"
description = "d"
severity = "low"
type = "eql"
language = "eql"
index = ["logs-aws.cloudtrail-*"]
{}
query = '''
{}
'''
)",
                     extra, query);
}

// ---- sequences of representative rules of the shared set ----------------------------------------

TEST(ElasticEql, BedrockSequenceByAccessKeyWithMaxspan) {
  rules::Rule r =
      load_one("aws/discovery_bedrock_model_recon_and_invocation_via_long_term_key.toml");
  ASSERT_EQ(r.correlation.type, rules::CorrelationType::Sequence);
  EXPECT_EQ(r.correlation.window, 15LL * 60 * 1'000'000'000);
  auto list = [](int s) {
    return cloudtrail("bedrock.amazonaws.com", "ListFoundationModels", json::object(), s).dump();
  };
  auto invoke = [](int s) {
    return cloudtrail("bedrock.amazonaws.com", "InvokeModel", {{"modelId", "m"}}, s).dump();
  };
  EXPECT_EQ(fired(r, {list(0), invoke(600)}), 1u);
  EXPECT_EQ(fired(r, {invoke(0), list(60)}), 0u);       // out of order
  EXPECT_EQ(fired(r, {list(0), invoke(16 * 60)}), 0u);  // past maxspan
  json temp = json::parse(list(0));
  temp["userIdentity"]["accessKeyId"] = "ASIAEXAMPLEKEY";  // a session key: not step 1
  json temp2 = json::parse(invoke(60));
  temp2["userIdentity"]["accessKeyId"] = "ASIAEXAMPLEKEY";
  EXPECT_EQ(fired(r, {temp.dump(), temp2.dump()}), 0u);
  json other = json::parse(invoke(60));  // another key: no join
  other["userIdentity"]["accessKeyId"] = "AKIAOTHERKEY";
  EXPECT_EQ(fired(r, {list(0), other.dump()}), 0u);
}

TEST(ElasticEql, KubernetesSequenceByUserName) {
  rules::Rule r = load_one(
      "kubernetes/"
      "privilege_escalation_sensitive_rbac_change_followed_by_workload_modification.toml");
  ASSERT_EQ(r.correlation.type, rules::CorrelationType::Sequence);
  const std::string role = audit("eve", "create", "clusterroles", "allow", 0).dump();
  const std::string deploy = audit("eve", "patch", "deployments", "allow", 120).dump();
  EXPECT_EQ(fired(r, {role, deploy}), 1u);
  EXPECT_EQ(fired(r, {role, audit("bob", "patch", "deployments", "allow", 120).dump()}), 0u);
  EXPECT_EQ(fired(r, {role, audit("eve", "patch", "deployments", "allow", 301).dump()}), 0u);
  json masters = audit("eve", "patch", "deployments", "allow", 120);
  masters["user"]["groups"] = {"system:masters", "system:authenticated"};
  EXPECT_EQ(fired(r, {role, masters.dump()}), 0u);
  EXPECT_EQ(fired(r, {role, audit("eve", "patch", "deployments", "forbid", 120).dump()}), 0u);
}

// ---- until and per-step `by` -------------------------------------------------------------------

TEST(ElasticEql, UntilCancelsThePartialSequenceOfItsKey) {
  rules::Rule r = load_toml(eql_rule(R"(sequence by user.name with maxspan=1h
  [any where event.action == "CreateAccessKey"]
  [any where event.action == "AttachUserPolicy"]
until [any where event.action == "DeleteAccessKey"])"));
  ASSERT_TRUE(r.correlation.until.has_value());
  auto ev = [](const std::string& name, int s, const std::string& user = "mallory") {
    json e = cloudtrail("iam.amazonaws.com", name, {{"userName", "bob"}}, s);
    e["userIdentity"]["userName"] = user;
    return e.dump();
  };
  EXPECT_EQ(fired(r, {ev("CreateAccessKey", 0), ev("AttachUserPolicy", 60)}), 1u);
  EXPECT_EQ(
      fired(r, {ev("CreateAccessKey", 0), ev("DeleteAccessKey", 30), ev("AttachUserPolicy", 60)}),
      0u);
  // Another key's until changes nothing; a new first step after until starts again.
  EXPECT_EQ(fired(r, {ev("CreateAccessKey", 0), ev("DeleteAccessKey", 30, "alice"),
                      ev("AttachUserPolicy", 60)}),
            1u);
  EXPECT_EQ(fired(r, {ev("CreateAccessKey", 0), ev("DeleteAccessKey", 30),
                      ev("CreateAccessKey", 40), ev("AttachUserPolicy", 60)}),
            1u);
}

TEST(ElasticEql, PerStepByJoinsDifferentFieldsPositionally) {
  // The user who created a key, then the key's user name seen as the target of a policy change.
  rules::Rule r = load_toml(eql_rule(R"(sequence with maxspan=10m
  [any where event.action == "CreateUser"] by user.target.name
  [any where event.action == "AttachUserPolicy"] by aws.cloudtrail.flattened.request_parameters.userName)"));
  ASSERT_EQ(r.correlation.step_by.size(), 2u);
  auto ev = [](const std::string& name, const std::string& target, int s) {
    return cloudtrail("iam.amazonaws.com", name, {{"userName", target}}, s).dump();
  };
  EXPECT_EQ(fired(r, {ev("CreateUser", "bob", 0), ev("AttachUserPolicy", "bob", 60)}), 1u);
  EXPECT_EQ(fired(r, {ev("CreateUser", "bob", 0), ev("AttachUserPolicy", "carol", 60)}), 0u);
  EXPECT_EQ(fired(r, {ev("CreateUser", "bob", 0), ev("AttachUserPolicy", "bob", 11 * 60)}), 0u);
}

TEST(ElasticEql, SequenceWithoutMaxspanHasNoTimeLimit) {
  rules::Rule r = load_toml(eql_rule(R"(sequence by user.name
  [any where event.action == "CreateAccessKey"]
  [any where event.action == "AttachUserPolicy"])"));
  auto ev = [](const std::string& name, int s) {
    return cloudtrail("iam.amazonaws.com", name, json::object(), s).dump();
  };
  EXPECT_EQ(fired(r, {ev("CreateAccessKey", 0), ev("AttachUserPolicy", 59 * 60)}), 1u);
}

}  // namespace
}  // namespace eksir::detect
