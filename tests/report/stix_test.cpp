// The incident's indicators as a STIX 2.1 bundle (eksir report CASE --format stix): validated
// against the JSON Schema written from the STIX 2.1 specification (tests/data/stix/), ids of the
// form type--UUIDv5, every object_ref resolvable, patterns of the forms eksir writes parsed back
// to the values they came from (hostile ones included), and the same input giving the same bytes.
#include "report/stix_check.h"

#include <gtest/gtest.h>

#include <set>

#include "report/report.h"

namespace eksir::report {
namespace {

using nlohmann::json;

const std::string kHostile = "evil.example'] OR [ipv4-addr:value = '0.0.0.0/0' \\ \n\"}";

incident::Investigation synthetic() {
  incident::Investigation inv;
  inv.run.started = parse_time("2026-03-14T10:00:00Z");
  inv.run.finished = parse_time("2026-03-14T10:00:02.500Z");
  auto& inc = inv.incident;
  inc.id = "INC-20260314-abc";
  inc.title = "Stolen key to cluster-admin";
  inc.summary = "A key used from 203.0.113.45.";
  inc.metrics.first_malicious = parse_time("2026-03-14T08:41:07Z");
  auto affected = [&](std::string kind, std::string name) {
    incident::Affected a;
    a.kind = std::move(kind);
    a.name = std::move(name);
    inc.affected.push_back(std::move(a));
  };
  affected("ip", "203.0.113.45");
  affected("ip", "2001:db8::7");
  affected("access_key", "AKIARQ4WZT7KHB3D6FXQ");
  affected("access_key", kHostile);
  affected("pod", "payments/api");   // not an indicator
  affected("ip", "not-an-address");  // nor is this
  affected("ip", "10.42.11.27");     // nor a node's address in the VPC
  affected("ip", "fe80::1");         // nor a link-local one
  // The pod the attacker created: its image is one; the organisation's exploited web pod and
  // its scanned image are not, even where a finding names that image.
  affected("pod", "kube-system/backup-agent");
  inc.affected.back().attributes = {{"attacker", "created"},
                                    {"images", "ghcr.io/evil/miner:1.0,ghcr.io/evil/tool:2"}};
  affected("pod", "shop/web-5d9");
  inc.affected.back().attributes = {
      {"images", "111122223333.dkr.ecr.us-west-2.amazonaws.com/web:1"}};
  affected("image", "111122223333.dkr.ecr.us-west-2.amazonaws.com/portal:4.12");
  incident::Entity ip;
  ip.key = "ip:203.0.113.45";
  ip.kind = "ip";
  ip.name = ip.id = "203.0.113.45";  // the same address again: one indicator
  inc.entities.push_back(ip);

  detect::Finding f;
  f.id = "F1";
  f.subject = {{"dns.question.name", "pool.miner.example"},
               {"file.hash.sha256", std::string(64, 'A')},
               {"container.image.name", kHostile}};
  f.subject.push_back(
      {"container.image.name", "111122223333.dkr.ecr.us-west-2.amazonaws.com/web:1"});
  f.subject.push_back(
      {"container.image.name", "111122223333.dkr.ecr.us-west-2.amazonaws.com/portal:4.12"});
  f.evidence.push_back({Source::GuardDuty, "gd.json", 1, 0, kNoTime, ""});
  inv.findings.push_back(f);
  detect::Finding benign = f;
  benign.id = "F2";
  benign.subject = {{"dns.question.name", "benign.example"}};
  inv.findings.push_back(benign);
  detect::Finding lead = f;
  lead.id = "F3";
  lead.subject = {{"dns.question.name", "lead.example"}};
  inv.findings.push_back(lead);
  inc.findings = {"F1", "F2"};  // F3 is a lead's
  inc.likely_benign.push_back({"F2", "r", "t", "CI", "cicd", detect::Severity::Low});
  return inv;
}

TEST(Stix, QuotingEscapesQuoteAndBackslash) {
  EXPECT_EQ(stix_quote("a'b\\c"), "a\\'b\\\\c");
  EXPECT_EQ(stix_pattern("ipv4-addr:value", stix_quote("1.2.3.4")),
            "[ipv4-addr:value = '1.2.3.4']");
  std::string object, value;
  ASSERT_TRUE(test::parse_stix_pattern(stix_pattern("domain-name:value", stix_quote(kHostile)),
                                       object, value));
  EXPECT_EQ(object, "domain-name:value");
  EXPECT_EQ(value, kHostile);
  EXPECT_FALSE(test::parse_stix_pattern("[domain-name:value = 'a'b']", object, value));
  EXPECT_FALSE(test::parse_stix_pattern("[domain-name:value = 'a\\']", object, value));
  EXPECT_FALSE(test::parse_stix_pattern("[x:value = 'a']", object, value));
}

TEST(Stix, BundleValidatesAndCarriesEveryIndicatorOnce) {
  std::string text = stix_bundle(synthetic());
  json bundle = json::parse(text);
  EXPECT_EQ(test::stix_problems(bundle), std::vector<std::string>{}) << bundle.dump(2);

  std::set<std::pair<std::string, std::string>> got;  // (object path, value)
  for (const auto& o : bundle["objects"]) {
    if (o["type"] != "indicator") continue;
    std::string object, value;
    ASSERT_TRUE(test::parse_stix_pattern(o["pattern"], object, value)) << o["pattern"];
    EXPECT_TRUE(got.emplace(object, value).second) << value;
  }
  // The lead's and the likely-benign finding's domains are not the incident's indicators; nor
  // are the organisation's own images and addresses.
  std::set<std::pair<std::string, std::string>> want = {
      {"ipv4-addr:value", "203.0.113.45"},
      {"ipv6-addr:value", "2001:db8::7"},
      {"user-account:user_id", "AKIARQ4WZT7KHB3D6FXQ"},
      {"user-account:user_id", kHostile},
      {"software:name", "ghcr.io/evil/miner:1.0"},
      {"software:name", "ghcr.io/evil/tool:2"},
      {"software:name", kHostile},
      {"domain-name:value", "pool.miner.example"},
      {"file:hashes.'SHA-256'", std::string(64, 'a')},
  };
  EXPECT_EQ(got, want);

  const json& report = bundle["objects"].back();
  EXPECT_EQ(report["type"], "report");
  EXPECT_EQ(report["name"], "Stolen key to cluster-admin");
  EXPECT_EQ(report["created"], "2026-03-14T10:00:02.500Z");
  EXPECT_EQ(report["object_refs"].size(), bundle["objects"].size() - 2);
  EXPECT_EQ(report["external_references"][0]["external_id"], "INC-20260314-abc");
}

TEST(Stix, SameCaseSameBundleOtherIncidentOtherIds) {
  auto inv = synthetic();
  EXPECT_EQ(stix_bundle(inv), stix_bundle(synthetic()));
  json a = json::parse(stix_bundle(inv));
  inv.incident.id = "INC-other";
  json b = json::parse(stix_bundle(inv));
  EXPECT_NE(a["id"], b["id"]);
  EXPECT_EQ(a["objects"][0]["id"], b["objects"][0]["id"]);  // the producer is one identity
  EXPECT_NE(a["objects"][1]["id"], b["objects"][1]["id"]);
}

TEST(Stix, AnIncidentWithoutIndicatorsStillValidates) {
  incident::Investigation inv;
  inv.incident.id = "INC-empty";
  json bundle = json::parse(stix_bundle(inv));
  EXPECT_EQ(test::stix_problems(bundle), std::vector<std::string>{}) << bundle.dump(2);
  EXPECT_EQ(bundle["objects"].size(), 2u);
}

TEST(Stix, TheSchemaAndChecksRejectBrokenBundles) {
  json good = json::parse(stix_bundle(synthetic()));
  auto broken = [&](auto change) {
    json d = good;
    change(d);
    return !test::stix_problems(d).empty();
  };
  EXPECT_TRUE(broken([](json& d) { d["objects"][1]["spec_version"] = "2.0"; }));
  EXPECT_TRUE(broken([](json& d) { d["objects"][1].erase("valid_from"); }));
  EXPECT_TRUE(broken([](json& d) { d["objects"][1]["id"] = "indicator--not-a-uuid"; }));
  EXPECT_TRUE(broken([](json& d) { d["objects"][1]["id"] = d["objects"][0]["id"]; }));
  EXPECT_TRUE(broken([](json& d) { d["objects"][1]["created"] = "2026-03-14T10:00:02Z"; }));
  EXPECT_TRUE(broken([](json& d) { d["objects"][1]["pattern"] = "[ipv4-addr:value = 'a'b']"; }));
  EXPECT_TRUE(broken([](json& d) {
    d["objects"].back()["object_refs"].push_back("indicator--00000000-0000-5000-8000-000000000000");
  }));
  EXPECT_TRUE(broken([](json& d) { d["objects"].back().erase("published"); }));
  EXPECT_TRUE(broken([](json& d) { d["spec_version"] = "2.1"; }));
}

}  // namespace
}  // namespace eksir::report
