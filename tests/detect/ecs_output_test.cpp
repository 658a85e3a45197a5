// Findings as Elastic alert documents (detect --format ecs): the severity and risk score scale, the
// subject under ECS names through the field table, the document's fields, attacker-controlled text
// escaped, and the _bulk body.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "detect/detect.h"
#include "event/fields.h"

namespace eksir::detect {
namespace {

using nlohmann::json;

Finding audit_finding() {
  Finding f;
  f.id = "f1";
  f.rule_id = "eksir-k8s-clusterrolebinding-admin";
  f.rule_title = "cluster-admin bound";
  f.origin = "builtin";
  f.severity = Severity::Critical;
  f.title = "cluster-admin bound to a service account";
  f.description = "A ClusterRoleBinding grants cluster-admin.";
  f.first_seen = parse_time("2026-03-14T08:47:20.530Z");
  f.last_seen = parse_time("2026-03-14T08:49:00Z");
  f.count = 3;
  f.attack = {"T1098", "T1098.006"};
  f.tactics = {"persistence", "privilege-escalation"};
  f.subject = {{"user.username", "ci-deployer"},
               {"objectRef.namespace", "payments"},
               {"objectRef.name", "backup-sa-admin"},
               {"arn", "arn:aws:iam::111122223333:user/ci-deployer"},
               {"access_key_id", "AKIARQ4WZT7KHB3D6FXQ"},
               {"source_ip", "203.0.113.45"}};
  f.evidence.push_back({Source::K8sAudit, "logs/audit.json", 12, 3, f.first_seen, "abc-123"});
  return f;
}

std::map<std::string, std::string> as_map(
    const std::vector<std::pair<std::string, std::string>>& v) {
  std::map<std::string, std::string> m;
  for (const auto& [k, x] : v) m[k] = x;
  return m;
}

TEST(EcsOutput, SeveritiesAreElasticsFourWithTheirRiskScores) {
  EXPECT_EQ(elastic_severity(Severity::Critical), "critical");
  EXPECT_EQ(elastic_severity(Severity::High), "high");
  EXPECT_EQ(elastic_severity(Severity::Medium), "medium");
  EXPECT_EQ(elastic_severity(Severity::Low), "low");
  EXPECT_EQ(elastic_severity(Severity::Info), "low");
  EXPECT_EQ(elastic_risk_score(Severity::Critical), 99);
  EXPECT_EQ(elastic_risk_score(Severity::High), 73);
  EXPECT_EQ(elastic_risk_score(Severity::Medium), 47);
  EXPECT_EQ(elastic_risk_score(Severity::Low), 21);
  EXPECT_EQ(elastic_risk_score(Severity::Info), 21);
}

TEST(EcsOutput, AuditSubjectUnderTheFieldTablesEcsNames) {
  auto m = as_map(subject_ecs(audit_finding()));
  EXPECT_EQ(m["user.name"], "ci-deployer");
  EXPECT_EQ(m["orchestrator.namespace"], "payments");
  EXPECT_EQ(m["orchestrator.resource.name"], "backup-sa-admin");
  EXPECT_EQ(m["source.ip"], "203.0.113.45");
  // The identity the engine adds, through the audit paths it reads (the kubernetes.audit.* row).
  EXPECT_EQ(m["kubernetes.audit.user.extra.arn"], "arn:aws:iam::111122223333:user/ci-deployer");
  EXPECT_EQ(m["kubernetes.audit.user.extra.accessKeyId"], "AKIARQ4WZT7KHB3D6FXQ");
}

TEST(EcsOutput, CloudTrailSubjectAndPrefixRows) {
  Finding f;
  f.subject = {{"userIdentity.arn", "arn:aws:iam::1:user/a"},
               {"requestParameters.roleName", "backdoor"},
               {"access_key_id", "AKIAEXAMPLE"},
               {"source_ip", "ec2.amazonaws.com"},  // a service, not an address
               {"eventName", "CreateRole"}};
  f.evidence.push_back({Source::CloudTrail, "ct.json", 1, 0, kNoTime, ""});
  auto m = as_map(subject_ecs(f));
  EXPECT_EQ(m["aws.cloudtrail.user_identity.arn"], "arn:aws:iam::1:user/a");
  EXPECT_EQ(m["aws.cloudtrail.flattened.request_parameters.roleName"], "backdoor");
  EXPECT_EQ(m["aws.cloudtrail.user_identity.access_key_id"], "AKIAEXAMPLE");
  EXPECT_EQ(m["event.action"], "CreateRole");
  // An ip field takes only an address: the service name goes where a keyword takes it.
  EXPECT_FALSE(m.contains("source.ip"));
  EXPECT_EQ(m["source.address"], "ec2.amazonaws.com");
}

TEST(EcsOutput, AlertWordsAreEcsNamesOfTheTable) {
  Finding f;
  f.subject = {{"cluster", "prod"},         {"namespace", "ns"},     {"pod", "p"},
               {"node", "ip-10-0-0-1"},     {"instance", "i-1"},     {"image", "evil:1"},
               {"container", "c"},          {"process", "sh -c id"}, {"user", "u"},
               {"account", "111122223333"}, {"region", "eu-west-1"}, {"source_ip", "2001:db8::1"}};
  f.evidence.push_back({Source::GuardDuty, "gd.json", 1, 0, kNoTime, ""});
  auto pairs = subject_ecs(f);
  EXPECT_EQ(pairs.size(), f.subject.size());
  std::map<std::string, std::string> types;
  for (const auto& row : field_table()) types[row.ecs] = row.type;
  for (const auto& [name, value] : pairs) EXPECT_TRUE(types.contains(name)) << name;
  auto m = as_map(pairs);
  EXPECT_EQ(m["orchestrator.cluster.name"], "prod");
  EXPECT_EQ(m["container.image.name"], "evil:1");
  EXPECT_EQ(m["host.hostname"], "ip-10-0-0-1");
  EXPECT_EQ(m["source.ip"], "2001:db8::1");
}

TEST(EcsOutput, DocumentCarriesAlertRuleThreatAndEvidence) {
  json d = json::parse(ecs_document(audit_finding()));
  EXPECT_EQ(d["@timestamp"], "2026-03-14T08:47:20.530Z");
  EXPECT_EQ(d["event.kind"], "alert");
  EXPECT_EQ(d["event.category"], json::array({"intrusion_detection"}));
  EXPECT_EQ(d["event.dataset"], "kubernetes.audit_logs");
  EXPECT_EQ(d["rule.id"], "eksir-k8s-clusterrolebinding-admin");
  EXPECT_EQ(d["rule.name"], "cluster-admin bound");
  EXPECT_EQ(d["rule.description"], "A ClusterRoleBinding grants cluster-admin.");
  EXPECT_EQ(d["rule.reference"], json::array({"https://attack.mitre.org/techniques/T1098/",
                                              "https://attack.mitre.org/techniques/T1098/006/"}));
  EXPECT_EQ(d["kibana.alert.rule.name"], "cluster-admin bound");
  EXPECT_EQ(d["kibana.alert.severity"], "critical");
  EXPECT_EQ(d["kibana.alert.risk_score"], 99);
  EXPECT_EQ(d["threat.framework"], "MITRE ATT&CK");
  EXPECT_EQ(d["threat.tactic.id"], json::array({"TA0003", "TA0004"}));
  EXPECT_EQ(d["threat.tactic.name"], json::array({"Persistence", "Privilege Escalation"}));
  EXPECT_EQ(d["threat.technique.id"], json::array({"T1098"}));
  EXPECT_EQ(d["threat.technique.subtechnique.id"], json::array({"T1098.006"}));
  EXPECT_EQ(d["user.name"], "ci-deployer");
  EXPECT_EQ(d["source.ip"], "203.0.113.45");
  EXPECT_EQ(d["eksir.finding.id"], "f1");
  EXPECT_EQ(d["eksir.count"], 3);
  ASSERT_EQ(d["eksir.evidence"].size(), 1u);
  EXPECT_EQ(d["eksir.evidence"][0]["location"], "logs/audit.json:12#3");
  EXPECT_EQ(d["eksir.evidence"][0]["event_id"], "abc-123");
  EXPECT_EQ(d["eksir.subject"][0], json({{"name", "user.username"}, {"value", "ci-deployer"}}));
  EXPECT_FALSE(d.contains("eksir.incident.id"));

  json in_incident = json::parse(ecs_document(audit_finding(), "INC-1"));
  EXPECT_EQ(in_incident["eksir.incident.id"], "INC-1");
  // The incident's own document: its id is the incident's, not a finding's.
  Finding inc = audit_finding();
  inc.id = "INC-1";
  json own = json::parse(ecs_document(inc, "INC-1", "\"eksir.incident.title\":\"t\""));
  EXPECT_FALSE(own.contains("eksir.finding.id"));
  EXPECT_EQ(own["eksir.incident.title"], "t");
}

TEST(EcsOutput, AFindingWithoutATimeIsDatedTheEpoch) {
  Finding f;
  f.id = "t0";
  f.evidence.push_back({Source::K8sAudit, "a.json", 1, 0, kNoTime, ""});
  json d = json::parse(ecs_document(f));
  EXPECT_EQ(d["@timestamp"], "1970-01-01T00:00:00.000Z");
  EXPECT_TRUE(d["eksir.first_seen"].is_null());
  EXPECT_FALSE(d.contains("kibana.alert.original_time"));
}

TEST(EcsOutput, AttackerTextIsEscapedNotInterpreted) {
  const std::string hostile =
      "x\",\"kibana.alert.severity\":\"low\"}\n{\"create\":{}}\n\x1b[2J\\'\xE2\x80\xAE\x01";
  Finding f = audit_finding();
  f.title = hostile;
  f.subject = {{"user.username", hostile}, {hostile, hostile}};
  f.evidence[0].file = hostile;
  std::ostringstream out;
  write_ecs({f}, out);
  std::string body = out.str();
  // Two lines: the action and the document; the newlines in the values are escaped.
  ASSERT_EQ(std::count(body.begin(), body.end(), '\n'), 2) << body;
  json d = json::parse(body.substr(body.find('\n') + 1));
  EXPECT_EQ(d["message"], hostile);
  EXPECT_EQ(d["kibana.alert.severity"], "critical");
  EXPECT_EQ(d["user.name"], hostile);
  EXPECT_EQ(d["eksir.subject"][1]["name"], hostile);
  EXPECT_EQ(d["eksir.evidence"][0]["file"], hostile);
}

TEST(EcsOutput, BulkBodyIsActionThenDocumentPerLine) {
  Finding a = audit_finding(), b = audit_finding();
  b.id = "f2";
  std::ostringstream out;
  write_ecs({a, b}, out);
  std::istringstream in(out.str());
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "{\"create\":{}}");
  EXPECT_EQ(lines[2], "{\"create\":{}}");
  EXPECT_EQ(json::parse(lines[3])["eksir.finding.id"], "f2");
  EXPECT_EQ(out.str().back(), '\n');
  std::ostringstream empty;
  write_ecs({}, empty);
  EXPECT_EQ(empty.str(), "");
}

}  // namespace
}  // namespace eksir::detect
