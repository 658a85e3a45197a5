// Falco's aws_cloudtrail rules, unchanged, on CloudTrail records: the cloudtrail plugin's fields
// (ct.*, s3.*, ec2.*, ecr.*) as its documentation describes them, every enabled rule of
// ../shared/rules/falco/aws_cloudtrail_rules.yaml on a positive record and its near misses
// (tests/data/falco-cloudtrail/cases.json), the real detonation logs in the shared samples, and
// rules that mix the two sources' fields reported with the field.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "detect/detect.h"
#include "rules/rules.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

std::string ct_rules() {
  return test::shared_dir() + "/rules/falco/aws_cloudtrail_rules.yaml";
}

// Findings (rule id -> description) of the rules on one JSON record.
std::map<std::string, std::string> run(const std::vector<Rule>& rules, const std::string& record) {
  detect::EngineOptions eo;
  eo.workers = 1;
  detect::Engine engine(rules, eo);
  std::string err = classify_json(record, [&](const EventView& ev) { engine.on_event(ev, 0); });
  EXPECT_EQ(err, "") << record;
  std::map<std::string, std::string> out;
  for (const auto& f : engine.finish()) out[f.rule_id] = f.description;
  return out;
}

TEST(FalcoCloudTrail, TheRulesFileLoadsUnchanged) {
  LoadResult ct = load_paths({ct_rules()});
  EXPECT_TRUE(ct.ok());
  EXPECT_EQ(ct.rules.size(), 20u);
  size_t disabled = 0;
  for (const auto& n : ct.not_loaded) {
    EXPECT_TRUE(n.disabled) << n.rule << ": " << n.reason;
    // Compiled all the same, so an override that enables them would run them.
    EXPECT_EQ(n.reason, "disabled (enabled: false); it compiles") << n.rule;
    disabled += n.disabled;
  }
  EXPECT_EQ(disabled, 2u);  // "All Cloudtrail Events" and "List Buckets" ship disabled
  for (const auto& w : ct.warnings) ADD_FAILURE() << w.text();
  for (const auto& r : ct.rules) {
    ASSERT_EQ(r.sources.size(), 1u) << r.id;
    EXPECT_EQ(r.sources[0], Source::CloudTrail) << r.id;
  }
  auto v = test::run_eksir({"rules", "validate", ct_rules()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("falco: 20 loaded, 0 skipped, 2 disabled"), std::string::npos) << v.out;
}

TEST(FalcoCloudTrail, EveryEnabledRuleOnItsPositiveAndNearMisses) {
  LoadResult ct = load_paths({ct_rules()});
  ASSERT_EQ(ct.rules.size(), 20u);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(test::source_dir() + "/tests/data/falco-cloudtrail/cases.json").get(doc),
            simdjson::SUCCESS);
  std::set<std::string> covered;
  for (auto c : doc["cases"].get_array()) {
    const std::string rule(c["rule"].get_string().value());
    covered.insert(rule);
    size_t positives = 0, negatives = 0;
    bool first = true;
    for (auto rec : c["positive"].get_array()) {
      ++positives;
      auto hits = run(ct.rules, simdjson::minify(rec));
      ASSERT_TRUE(hits.count(rule)) << rule << " missed " << simdjson::minify(rec);
      if (!first) continue;
      first = false;
      for (auto text : c["output_contains"].get_array()) {
        std::string_view want = text.get_string().value();
        EXPECT_NE(hits[rule].find(want), std::string::npos)
            << rule << ": output lacks '" << want << "': " << hits[rule];
      }
    }
    for (auto rec : c["negative"].get_array()) {
      ++negatives;
      EXPECT_FALSE(run(ct.rules, simdjson::minify(rec)).count(rule))
          << rule << " fired on " << simdjson::minify(rec);
    }
    EXPECT_GE(positives, 1u) << rule;
    EXPECT_GE(negatives, 1u) << rule;
  }
  for (const auto& r : ct.rules) EXPECT_TRUE(covered.count(r.id)) << "no case for " << r.id;
}

// The two rules the set ships disabled compile, and run once an override enables them, with
// Falco's own event fields (evt.num > 0 on every event).
TEST(FalcoCloudTrail, DisabledRulesRunWhenAnOverrideEnablesThem) {
  std::string dir = test::temp_dir();
  std::string on = dir + "/enable.yaml";
  std::ofstream(on) << "- rule: All Cloudtrail Events\n  enabled: true\n"
                       "- rule: List Buckets\n  enabled: true\n";
  LoadResult ct = load_paths({ct_rules(), on});
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct.rules.size(), 22u);
  EXPECT_TRUE(ct.not_loaded.empty());
  const std::string list =
      R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"alice",)"
      R"("arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},)"
      R"("eventTime":"2026-03-14T09:00:00Z","eventSource":"s3.amazonaws.com",)"
      R"("eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7",)"
      R"("requestParameters":{"Host":"s3.amazonaws.com"},"eventID":"e-1"})";
  auto hits = run(ct.rules, list);
  ASSERT_TRUE(hits.count("List Buckets"));
  ASSERT_TRUE(hits.count("All Cloudtrail Events"));
  const std::string& all = hits["All Cloudtrail Events"];
  EXPECT_NE(all.find("Some Cloudtrail Event (evtnum=1 info=alice via 203.0.113.7"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("ts=2026-03-14T09:00:00"), std::string::npos) << all;
  EXPECT_NE(all.find("id=e-1 error=<NA>)"), std::string::npos) << all;
  // A failed call is still an event: only List Buckets, which wants success, stays quiet.
  std::string failed = list;
  failed.insert(failed.size() - 1, R"(,"errorCode":"AccessDenied")");
  hits = run(ct.rules, failed);
  EXPECT_FALSE(hits.count("List Buckets"));
  EXPECT_TRUE(hits.count("All Cloudtrail Events"));
}

// The shared Stratus Red Team detonation logs: the Falco rule a responder would expect fires on
// the record of the technique.
TEST(FalcoCloudTrail, DetonationLogs) {
  LoadResult ct = load_paths({ct_rules()});
  const std::string dir = test::samples_dir() + "/cloudtrail/stratus-red-team-detonation-logs/";
  const std::map<std::string, std::string> expected = {
      {"aws.defense-evasion.cloudtrail-stop.json", "CloudTrail Logging Disabled"},
      {"aws.initial-access.console-login-without-mfa.json", "Console Login Without MFA"},
      {"aws.persistence.iam-create-admin-user.json", "Create AWS user"},
      {"aws.persistence.lambda-overwrite-code.json", "Update Lambda Function Code"},
  };
  for (const auto& [file, rule] : expected) {
    detect::EngineOptions eo;
    eo.workers = 1;
    detect::Engine engine(ct.rules, eo);
    sources::ScanOptions so;
    so.threads = 1;
    sources::scan(
        {dir + file}, so,
        [&](const EventView& ev, sources::ChunkOutput& chunk) {
          engine.on_event(ev, chunk.worker);
        },
        [](std::vector<std::string>&) { return true; });
    std::set<std::string> fired;
    for (const auto& f : engine.finish()) fired.insert(f.rule_id);
    EXPECT_TRUE(fired.count(rule)) << file;
  }
}

// The plugin's derived fields, rendered through a rule's output.
std::string render(const std::string& output, const std::string& record,
                   const std::string& condition = "ct.name exists") {
  LoadResult res =
      load_text("- rule: R\n  desc: d\n  condition: |-\n    " + condition + "\n  output: |-\n    " +
                    output + "\n  priority: WARNING\n  source: aws_cloudtrail\n",
                "f.yaml");
  EXPECT_EQ(res.rules.size(), 1u) << (res.not_loaded.empty() ? "" : res.not_loaded[0].reason);
  auto hits = run(res.rules, record);
  return hits.count("R") ? hits["R"] : "(no finding)";
}

TEST(FalcoCloudTrail, DerivedFields) {
  const std::string role =
      R"({"eventVersion":"1.09","eventTime":"2026-03-14T09:00:00Z","eventSource":"s3.amazonaws.com",)"
      R"("eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.5","eventID":"e1",)"
      R"("userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Ops/bob",)"
      R"("sessionContext":{"sessionIssuer":{"userName":"Ops"}}},"readOnly":true,)"
      R"("requestParameters":{"bucketName":"payroll","key":"2026/03.csv","Host":"payroll.s3.amazonaws.com"},)"
      R"("additionalEventData":{"bytesTransferredIn":0,"bytesTransferredOut":1048576.0}})";
  EXPECT_EQ(render("%ct.user|%ct.shortsrc|%ct.readonly|%s3.uri|%s3.bytes|%s3.bytes.out|%s3.cnt.get|"
                   "%s3.cnt.put|%s3.cnt.other|%ct.managementevent",
                   role),
            "Ops|s3|true|s3://payroll/2026/03.csv|1048576|1048576|1|0|0|false");
  EXPECT_EQ(render("%ct.info", role),
            "Ops via 203.0.113.5 \u2190 GetObject Size=1048576 URI=s3://payroll/2026/03.csv");

  // ct.user by identity type; no readOnly: the call's verb decides.
  auto user_of = [](const std::string& identity, const std::string& name = "CreateUser") {
    return render(
        "%ct.user %ct.readonly",
        R"({"eventVersion":"1.09","eventTime":"2026-03-14T09:00:00Z","eventSource":"iam.amazonaws.com","eventName":")" +
            name + R"(","eventID":"e2","userIdentity":)" + identity + "}");
  };
  EXPECT_EQ(user_of(R"({"type":"IAMUser","userName":"alice"})"), "alice false");
  EXPECT_EQ(user_of(R"({"type":"Root"})", "ListUsers"), "<NA> true");
  EXPECT_EQ(user_of(R"({"type":"AWSService","invokedBy":"eks.amazonaws.com"})"),
            "eks.amazonaws.com false");
  EXPECT_EQ(user_of(R"({"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Ops/bob"})"),
            "AssumedRole false");
  EXPECT_EQ(user_of(R"({"type":"AWSAccount","accountId":"444455556666"})"), "AWSAccount false");
  EXPECT_EQ(user_of(R"({"type":"SAMLUser"})"), "<NA> false");

  // String fields read strings only: a request parameter that is an object is not available.
  const std::string run_instances =
      R"({"eventVersion":"1.09","eventTime":"2026-03-14T09:00:00Z","eventSource":"ec2.amazonaws.com",)"
      R"("eventName":"RunInstances","eventID":"e3","userIdentity":{"type":"IAMUser","userName":"a"},)"
      R"("requestParameters":{"name":{"nested":true},"tagSpecificationSet":{"items":[)"
      R"({"resourceType":"volume","tags":[{"key":"Name","value":"disk"}]},)"
      R"({"resourceType":"instance","tags":[{"key":"team","value":"x"},{"key":"Name","value":"miner-1"}]}]}},)"
      R"("responseElements":{"tagSpecificationSet":{"items":[{"imageId":"ami-0abc"}]}}})";
  EXPECT_EQ(render("%ct.request.name|%ec2.name|%ec2.imageid", run_instances),
            "<NA>|miner-1|ami-0abc");
  EXPECT_EQ(render("x", run_instances, "ct.request.name exists"), "(no finding)");
  EXPECT_EQ(render("x", run_instances, "not ct.error exists and ct.user = a"), "x");
  // A missing field fails every operator, != included.
  EXPECT_EQ(render("x", run_instances, "ct.error != AccessDenied"), "(no finding)");
}

TEST(FalcoCloudTrail, FieldsOfTheOtherSourceAreReported) {
  auto reason = [](const std::string& condition, const std::string& source) {
    LoadResult res = load_text("- rule: R\n  desc: d\n  condition: " + condition +
                                   "\n  output: o\n  priority: WARNING\n  source: " + source + "\n",
                               "f.yaml");
    EXPECT_TRUE(res.rules.empty()) << condition;
    return res.not_loaded.empty() ? std::string() : res.not_loaded[0].reason;
  };
  EXPECT_NE(
      reason("ct.name = CreateUser", "k8s_audit").find("field 'ct.name' of the aws_cloudtrail"),
      std::string::npos);
  EXPECT_NE(reason("ka.verb = create", "aws_cloudtrail").find("field 'ka.verb' of the k8s_audit"),
            std::string::npos);
  // The json plugin's fields read either source.
  LoadResult both = load_text(
      "- rule: R\n  desc: d\n  condition: json.value[/eventName] = CreateUser\n  output: o\n"
      "  priority: WARNING\n  source: aws_cloudtrail\n",
      "f.yaml");
  EXPECT_EQ(both.rules.size(), 1u);
}

// A cloudtrail rule never runs on an audit event, nor an audit rule on a CloudTrail record.
TEST(FalcoCloudTrail, RulesRunOnTheirSourceOnly) {
  LoadResult res = load_text(
      "- rule: CT\n  desc: d\n  condition: json.value[/verb] exists or ct.name exists\n"
      "  output: o\n  priority: WARNING\n  source: aws_cloudtrail\n"
      "- rule: KA\n  desc: d\n  condition: json.value[/eventName] exists or ka.verb exists\n"
      "  output: o\n  priority: WARNING\n  source: k8s_audit\n",
      "f.yaml");
  ASSERT_EQ(res.rules.size(), 2u);
  const std::string audit =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete",)"
      R"("verb":"get","eventName":"x","requestURI":"/api","user":{"username":"u"},)"
      R"("stageTimestamp":"2026-03-14T09:00:00Z"})";
  const std::string trail =
      R"({"eventVersion":"1.09","eventTime":"2026-03-14T09:00:00Z","eventSource":"iam.amazonaws.com",)"
      R"("eventName":"CreateUser","verb":"x","eventID":"e","userIdentity":{"type":"IAMUser"}})";
  auto a = run(res.rules, audit);
  auto t = run(res.rules, trail);
  EXPECT_TRUE(a.count("KA") && !a.count("CT"));
  EXPECT_TRUE(t.count("CT") && !t.count("KA"));
}

}  // namespace
}  // namespace eksir::rules
