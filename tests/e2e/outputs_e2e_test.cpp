// The outputs for other tools, from the built eksir on the bundled example and the shared samples:
// detect and investigate --format ecs (an Elastic _bulk body) and ocsf (every line validated
// against the OCSF 1.3.0 Detection Finding schema), report CASE --format stix (the STIX 2.1 schema,
// ids, references, patterns); each the same bytes when run again on the same input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "report/stix_check.h"
#include "test_paths.h"
#include "util/json_schema.h"

namespace eksir {
namespace {

using nlohmann::json;

std::string example() {
  return test::source_dir() + "/examples/incident-2026-03-14";
}
std::string policy() {
  return test::source_dir() + "/examples/eksir.yaml";
}
std::vector<std::string> samples() {
  std::string s = test::samples_dir();
  return {s + "/guardduty", s + "/falco/falco-website__alerts.jsonl", s + "/k8s-audit/eks",
          s + "/ocsf", s + "/cloudtrail/stratus-red-team-detonation-logs"};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Checks a _bulk body: action and document lines in turn, each document an alert; the documents.
std::vector<json> bulk_documents(const std::string& body) {
  std::vector<json> docs;
  auto lines = lines_of(body);
  EXPECT_EQ(lines.size() % 2, 0u);
  EXPECT_TRUE(body.empty() || body.back() == '\n');
  for (size_t i = 0; i + 1 < lines.size(); i += 2) {
    EXPECT_EQ(lines[i], "{\"create\":{}}") << i;
    json d = json::parse(lines[i + 1]);
    EXPECT_TRUE(d["@timestamp"].is_string()) << lines[i + 1];
    EXPECT_EQ(d["event.kind"], "alert");
    for (const char* key : {"rule.id", "rule.name", "rule.description", "kibana.alert.rule.name",
                            "kibana.alert.severity"})
      EXPECT_TRUE(d[key].is_string()) << key << " in " << lines[i + 1];
    std::string sev = d["kibana.alert.severity"];
    int score = d["kibana.alert.risk_score"];
    EXPECT_EQ(score, sev == "critical" ? 99 : sev == "high" ? 73 : sev == "medium" ? 47 : 21);
    docs.push_back(std::move(d));
  }
  return docs;
}

size_t validate_ocsf(const std::string& ndjson) {
  auto schema =
      util::JsonSchema::load(test::source_dir() + "/tests/data/ocsf/detection_finding.schema.json",
                             util::JsonSchema::Draft::V7);
  size_t n = 0;
  for (const auto& line : lines_of(ndjson)) {
    std::vector<std::string> problems;
    schema->validate(json::parse(line), "line " + std::to_string(++n), problems);
    EXPECT_EQ(problems, std::vector<std::string>{}) << line;
  }
  return n;
}

TEST(OutputsE2e, DetectEcsOnTheExampleAndSamples) {
  for (const auto& evidence : {std::vector<std::string>{example()}, samples()}) {
    std::vector<std::string> args = {"detect"};
    args.insert(args.end(), evidence.begin(), evidence.end());
    args.insert(args.end(), {"--format", "ecs", "-q"});
    auto r = test::run_eksir(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto docs = bulk_documents(r.out);
    EXPECT_GT(docs.size(), 5u);
    size_t with_evidence = 0;
    for (const auto& d : docs) {
      with_evidence +=
          !d["eksir.evidence"].empty() &&
          d["eksir.evidence"][0]["location"].get<std::string>().find(':') != std::string::npos;
      EXPECT_TRUE(d.contains("eksir.finding.id"));
    }
    EXPECT_EQ(with_evidence, docs.size());
    // The same findings as detect's JSON, one document each.
    std::vector<std::string> json_args = args;
    json_args[json_args.size() - 2] = "ndjson";
    EXPECT_EQ(lines_of(test::run_eksir(json_args).out).size(), docs.size());
    EXPECT_EQ(test::run_eksir(args).out, r.out);
  }
}

TEST(OutputsE2e, DetectOcsfValidatesOnTheExampleAndSamples) {
  for (const auto& evidence : {std::vector<std::string>{example()}, samples()}) {
    std::vector<std::string> args = {"detect"};
    args.insert(args.end(), evidence.begin(), evidence.end());
    args.insert(args.end(), {"--format", "ocsf", "-q"});
    auto r = test::run_eksir(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(validate_ocsf(r.out), 5u);
    EXPECT_EQ(test::run_eksir(args).out, r.out);
  }
}

TEST(OutputsE2e, InvestigateEcsOcsfAndTheCasesStixBundle) {
  std::string dir = test::temp_dir() + "/case";
  auto ecs = test::run_eksir(
      {"investigate", example(), "--config", policy(), "-o", dir, "-q", "--format", "ecs"});
  ASSERT_EQ(ecs.exit_code, 0) << ecs.err;
  auto docs = bulk_documents(ecs.out);
  ASSERT_GT(docs.size(), 2u);
  // The incident first, then its findings, each naming it.
  const json& incident = docs.front();
  EXPECT_EQ(incident["rule.id"], "eksir.incident");
  EXPECT_EQ(incident["kibana.alert.severity"], "critical");
  EXPECT_EQ(incident["eksir.incident.severity"], "Critical");
  EXPECT_FALSE(incident["threat.technique.id"].empty());
  std::string id = incident["eksir.incident.id"];
  EXPECT_EQ(incident["eksir.incident.findings"].size(), docs.size() - 1);
  for (size_t i = 1; i < docs.size(); ++i) EXPECT_EQ(docs[i]["eksir.incident.id"], id);

  auto ocsf = test::run_eksir(
      {"investigate", example(), "--config", policy(), "-o", dir, "-q", "--format", "ocsf"});
  ASSERT_EQ(ocsf.exit_code, 0) << ocsf.err;
  EXPECT_EQ(validate_ocsf(ocsf.out), docs.size() - 1);
  for (const auto& line : lines_of(ocsf.out))
    EXPECT_EQ(json::parse(line)["metadata"]["correlation_uid"], id);

  // The same evidence into another case: the same documents.
  std::string other = test::temp_dir() + "/other";
  EXPECT_EQ(test::run_eksir({"investigate", example(), "--config", policy(), "-o", other, "-q",
                             "--format", "ecs"})
                .out,
            ecs.out);
  EXPECT_EQ(test::run_eksir({"investigate", example(), "--config", policy(), "-o", other, "-q",
                             "--format", "ocsf"})
                .out,
            ocsf.out);

  auto stix = test::run_eksir({"report", dir, "--format", "stix"});
  ASSERT_EQ(stix.exit_code, 0) << stix.err;
  json bundle = json::parse(stix.out);
  EXPECT_EQ(test::stix_problems(bundle), std::vector<std::string>{});
  std::set<std::string> patterns;
  for (const auto& o : bundle["objects"])
    if (o["type"] == "indicator") patterns.insert(o["pattern"]);
  for (const char* want :
       {"[ipv4-addr:value = '203.0.113.45']", "[user-account:user_id = 'AKIARQ4WZT7KHB3D6FXQ']"})
    EXPECT_TRUE(patterns.contains(want)) << want;
  EXPECT_EQ(test::run_eksir({"report", dir, "--format", "stix"}).out, stix.out);
  std::string file = test::temp_dir() + "/bundle.json";
  auto o = test::run_eksir({"report", dir, "--format", "stix", "-o", file});
  ASSERT_EQ(o.exit_code, 0) << o.err;
}

TEST(OutputsE2e, UsageErrorsNameTheFormats) {
  auto d = test::run_eksir({"detect", example(), "--format", "elastic"});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_NE(d.err.find("table, json, ndjson, sarif, ecs or ocsf"), std::string::npos) << d.err;
  auto i = test::run_eksir({"investigate", example(), "--format", "stix"});
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_NE(i.err.find("ecs"), std::string::npos) << i.err;
  EXPECT_NE(i.err.find("ocsf"), std::string::npos) << i.err;
  auto r = test::run_eksir({"report", test::temp_dir(), "--format", "misp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("navigator or stix"), std::string::npos) << r.err;
  auto help = test::run_eksir({"report", "--help"});
  EXPECT_NE(help.out.find("stix"), std::string::npos);
}

}  // namespace
}  // namespace eksir
