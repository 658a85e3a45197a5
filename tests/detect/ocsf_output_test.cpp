// Findings as OCSF 1.3.0 Detection Findings (detect --format ocsf), each validated against the
// JSON Schema written from the OCSF definitions (tests/data/ocsf/detection_finding.schema.json)
// through util::JsonSchema, the path the response manifests are validated by.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "detect/detect.h"
#include "test_paths.h"
#include "util/json_schema.h"

namespace eksir::detect {
namespace {

using nlohmann::json;

std::vector<std::string> problems_of(const json& doc) {
  auto schema =
      util::JsonSchema::load(test::source_dir() + "/tests/data/ocsf/detection_finding.schema.json",
                             util::JsonSchema::Draft::V7);
  EXPECT_TRUE(schema->error().empty()) << schema->error();
  std::vector<std::string> problems;
  schema->validate(doc, "finding", problems);
  return problems;
}

Finding finding(Severity s) {
  Finding f;
  f.id = "9f2c";
  f.rule_id = "eksir-k8s-exec";
  f.rule_title = "Exec into a pod";
  f.origin = "builtin";
  f.severity = s;
  f.title = "Exec into payments/api";
  f.description = "kubectl exec";
  f.first_seen = parse_time("2026-03-14T08:47:20.530Z");
  f.last_seen = parse_time("2026-03-14T08:50:00Z");
  f.count = 2;
  f.attack = {"T1609", "T1552.007"};
  f.tactics = {"execution", "credential-access", "impact"};
  f.subject = {{"user.username", "ci-deployer"},   {"objectRef.namespace", "payments"},
               {"objectRef.name", "api"},          {"access_key_id", "AKIAEXAMPLE"},
               {"source_ip", "203.0.113.45"},      {"node", "ip-10-42-11-27.ec2.internal"},
               {"instance", "i-0abc1234def567890"}};
  f.evidence.push_back({Source::K8sAudit, "audit.log", 167, 0, f.first_seen, "574a"});
  f.evidence.push_back({Source::K8sAudit, "filter-log-events.json", 1, 7, f.first_seen, "574a"});
  return f;
}

TEST(OcsfOutput, SeverityIdsAreTheInverseOfTheReader) {
  for (auto s : {Severity::Low, Severity::Medium, Severity::High, Severity::Critical})
    EXPECT_EQ(ocsf_severity(ocsf_severity_id(s)), s);
  EXPECT_EQ(ocsf_severity_id(Severity::Info), 1);
}

TEST(OcsfOutput, EveryFieldOfTheClassAndItsObjects) {
  json d = json::parse(ocsf_finding(finding(Severity::High)));
  EXPECT_EQ(problems_of(d), std::vector<std::string>{}) << d.dump(2);
  EXPECT_EQ(d["class_uid"], 2004);
  EXPECT_EQ(d["category_uid"], 2);
  EXPECT_EQ(d["type_uid"], 200401);
  EXPECT_EQ(d["severity_id"], 4);
  EXPECT_EQ(d["severity"], "High");
  EXPECT_EQ(d["status_id"], 1);
  EXPECT_EQ(d["time"], 1773478040530);
  EXPECT_EQ(d["metadata"]["version"], std::string(kOcsfVersion));
  EXPECT_EQ(d["metadata"]["product"]["name"], "eksir");
  EXPECT_EQ(d["metadata"]["product"]["vendor_name"], "eksir");
  EXPECT_EQ(d["finding_info"]["uid"], "9f2c");
  EXPECT_EQ(d["finding_info"]["analytic"], json({{"uid", "eksir-k8s-exec"},
                                                 {"name", "Exec into a pod"},
                                                 {"type_id", 1},
                                                 {"type", "Rule"}}));
  // T1609 under execution, T1552.007 (with T1552) under credential-access, impact on its own.
  json attacks = d["finding_info"]["attacks"];
  ASSERT_EQ(attacks.size(), 3u) << attacks.dump();
  EXPECT_EQ(attacks[0]["tactic"]["uid"], "TA0002");
  EXPECT_EQ(attacks[0]["technique"]["uid"], "T1609");
  EXPECT_EQ(attacks[1]["tactic"]["name"], "Credential Access");
  EXPECT_EQ(attacks[1]["technique"]["uid"], "T1552");
  EXPECT_EQ(attacks[1]["sub_technique"]["uid"], "T1552.007");
  EXPECT_EQ(attacks[2], json({{"tactic", {{"uid", "TA0040"}, {"name", "Impact"}}}}));
  ASSERT_EQ(d["evidences"].size(), 2u);
  EXPECT_EQ(d["evidences"][1]["data"]["record"], 7);
  EXPECT_EQ(d["evidences"][0]["src_endpoint"]["ip"], "203.0.113.45");
  EXPECT_EQ(d["evidences"][0]["actor"]["user"]["credential_uid"], "AKIAEXAMPLE");
  bool pod = false, node = false;
  for (const auto& r : d["resources"]) {
    // value(): a const document's operator[] on a missing member is undefined behaviour.
    pod |= r.value("name", "") == "api" && r.value("namespace", "") == "payments";
    node |= r.value("name", "") == "ip-10-42-11-27.ec2.internal";
  }
  EXPECT_TRUE(pod && node) << d["resources"].dump();
  bool ip = false;
  for (const auto& o : d["observables"])
    ip |= o.value("type_id", 0) == 2 && o.value("value", "") == "203.0.113.45";
  EXPECT_TRUE(ip) << d["observables"].dump();
}

TEST(OcsfOutput, EverySeverityAndABareFindingValidate) {
  for (auto s :
       {Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical}) {
    json d = json::parse(ocsf_finding(finding(s)));
    EXPECT_EQ(problems_of(d), std::vector<std::string>{}) << d.dump();
  }
  Finding bare;
  bare.id = "x";
  json d = json::parse(ocsf_finding(bare));
  EXPECT_EQ(problems_of(d), std::vector<std::string>{}) << d.dump();
  EXPECT_FALSE(d["finding_info"].contains("attacks"));
}

TEST(OcsfOutput, TheSchemaRejectsWhatOcsfDoesNotAllow) {
  json good = json::parse(ocsf_finding(finding(Severity::High)));
  auto broken = [&](auto change) {
    json d = good;
    change(d);
    return !problems_of(d).empty();
  };
  EXPECT_TRUE(broken([](json& d) { d.erase("metadata"); }));
  EXPECT_TRUE(broken([](json& d) { d["metadata"].erase("version"); }));
  EXPECT_TRUE(broken([](json& d) { d["finding_info"].erase("uid"); }));
  EXPECT_TRUE(broken([](json& d) { d["class_uid"] = 2001; }));
  EXPECT_TRUE(broken([](json& d) { d["type_uid"] = 200402; }));
  EXPECT_TRUE(broken([](json& d) { d["severity_id"] = 7; }));
  EXPECT_TRUE(broken([](json& d) { d["severity"] = "Low"; }));
  EXPECT_TRUE(broken([](json& d) { d["time"] = "2026-03-14"; }));
  EXPECT_TRUE(broken([](json& d) { d["finding_info"]["analytic"].erase("type_id"); }));
  EXPECT_TRUE(broken([](json& d) { d["finding_info"]["attacks"][0] = json::object(); }));
  EXPECT_TRUE(broken([](json& d) { d["finding_info"]["attacks"][0]["tactic"]["uid"] = "x"; }));
  EXPECT_TRUE(broken([](json& d) { d["observables"][0].erase("type_id"); }));
  EXPECT_TRUE(broken([](json& d) { d["finding_info"]["titel"] = "typo"; }));
}

TEST(OcsfOutput, AttackerTextStaysInsideItsStrings) {
  const std::string hostile = "a\"}],\"class_uid\":1\n\x1b]8;;\\\xE2\x80\xAE'";
  Finding f = finding(Severity::Medium);
  f.title = f.description = hostile;
  f.subject = {{"user.username", hostile}, {"source_ip", hostile}, {"pod", hostile}};
  f.evidence[0].file = f.evidence[0].event_id = hostile;
  std::ostringstream out;
  write_ocsf({f, f}, out);
  std::istringstream in(out.str());
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    json d = json::parse(line);
    EXPECT_EQ(problems_of(d), std::vector<std::string>{});
    EXPECT_EQ(d["class_uid"], 2004);
    EXPECT_EQ(d["finding_info"]["title"], hostile);
    EXPECT_EQ(d["evidences"][0]["data"]["file"], hostile);
    EXPECT_EQ(d["evidences"][0]["actor"]["user"]["name"], hostile);
    EXPECT_FALSE(d["evidences"][0].contains("src_endpoint"));  // not an address
  }
  EXPECT_EQ(lines, 2);
}

}  // namespace
}  // namespace eksir::detect
