// eksir posture end to end: the example snapshot, JSON / SARIF parity, exit codes, bad input.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>

#include "test_paths.h"

using eksir::test::run_eksir;

namespace {

std::string snapshot_dir() {
  return eksir::test::source_dir() + "/examples/incident-2026-03-14/snapshot";
}

TEST(PostureE2E, ExampleSnapshotFindsTheIncident) {
  auto r = run_eksir({"posture", snapshot_dir(), "--format", "json", "--min-severity", "high"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p;
  simdjson::padded_string s(r.out);
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(s).get(doc), simdjson::SUCCESS) << r.out;
  std::set<std::string> keys;
  for (auto f : doc["results"].get_array())
    keys.insert(std::string(f["check"].get_string().value()) + " " +
                std::string(f["name"].get_string().value()));
  // The attacker's pod: privileged, hostPID, the node's / mounted, no controller, in kube-system.
  for (const char* k :
       {"pss-b3-privileged backup-agent", "pss-b2-host-namespaces backup-agent",
        "hostpath-sensitive backup-agent", "kube-system-unknown-workload backup-agent",
        "rbac-cluster-admin-binding backup-sa-admin",
        "rbac-cluster-admin-binding ci-deployers-admin"})
    EXPECT_TRUE(keys.count(k)) << k << "\n" << r.out;
  EXPECT_FALSE(keys.count("name-suspicious backup-agent"));
  auto admins = doc["summary"]["cluster_admins"].get_array();
  EXPECT_GE(admins.size(), 3u);
  EXPECT_NE(r.err.find("cluster-admin holders"), std::string::npos);
}

TEST(PostureE2E, SarifAndJsonCarryTheSameResults) {
  auto j = run_eksir({"posture", snapshot_dir(), "--format", "json", "-q"});
  auto s = run_eksir({"posture", snapshot_dir(), "--format", "sarif", "-q"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  ASSERT_EQ(s.exit_code, 0) << s.err;
  simdjson::dom::parser p1, p2;
  simdjson::padded_string js(j.out), ss(s.out);
  simdjson::dom::element jd, sd;
  ASSERT_EQ(p1.parse(js).get(jd), simdjson::SUCCESS);
  ASSERT_EQ(p2.parse(ss).get(sd), simdjson::SUCCESS);
  EXPECT_EQ(std::string(sd["version"].get_string().value()), "2.1.0");
  auto jr = jd["results"].get_array().value();
  auto sr = sd["runs"].at(0)["results"].get_array().value();
  ASSERT_GT(jr.size(), 0u);
  ASSERT_EQ(jr.size(), sr.size());
  std::set<std::string> levels;
  for (size_t i = 0; i < jr.size(); ++i) {
    auto a = jr.at(i).value(), b = sr.at(i).value();
    EXPECT_EQ(a["check"].get_string().value(), b["ruleId"].get_string().value());
    EXPECT_EQ(a["field"].get_string().value(), b["properties"]["field"].get_string().value());
    EXPECT_EQ(a["severity"].get_string().value(), b["properties"]["severity"].get_string().value());
    EXPECT_FALSE(b["properties"]["security-severity"].get_string().value().empty());
    levels.insert(std::string(b["level"].get_string().value()));
  }
  EXPECT_TRUE(levels.count("error"));  // not everything "warning"
  EXPECT_TRUE(levels.count("warning"));
}

TEST(PostureE2E, FailOnAndMinSeverity) {
  EXPECT_EQ(run_eksir({"posture", snapshot_dir(), "--fail-on", "critical", "-q"}).exit_code, 1);
  auto r = run_eksir(
      {"posture", snapshot_dir(), "--min-severity", "critical", "--format", "json", "-q"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.find("\"severity\":\"high\""), std::string::npos);
  auto t = run_eksir({"posture", snapshot_dir(), "-q"});
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find("SEVERITY"), std::string::npos);
  EXPECT_NE(t.out.find("Pod/kube-system/backup-agent"), std::string::npos);
}

TEST(PostureE2E, ConfigSuppressionsAreReported) {
  auto r = run_eksir({"posture", snapshot_dir(), "--config",
                      eksir::test::source_dir() + "/examples/eksir.yaml", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("suppressed":[{"rule":"image-no-digest")"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("suppression image-no-digest"), std::string::npos) << r.err;
}

TEST(PostureE2E, InputErrorsExitTwo) {
  std::string dir = eksir::test::temp_dir();
  std::ofstream(dir + "/eksir.yaml") << "trusted_registries: [a]\nbogus: 1\n";
  std::ofstream(dir + "/bad.json") << "{\"kind\": \"List\",\n \"items\": [}\n";
  auto r = run_eksir({"posture", snapshot_dir(), "--config", dir + "/eksir.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("eksir.yaml:2: bogus: unknown key"), std::string::npos) << r.err;
  auto b = run_eksir({"posture", dir + "/bad.json"});
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find("bad.json:2: invalid JSON"), std::string::npos) << b.err;
  EXPECT_EQ(run_eksir({"posture", snapshot_dir(), "--format", "xml"}).exit_code, 2);
  // A bad file next to good ones is reported and the rest is still checked.
  auto mixed = run_eksir({"posture", snapshot_dir(), dir + "/bad.json", "-q", "--format", "json"});
  EXPECT_EQ(mixed.exit_code, 0);
  EXPECT_NE(mixed.out.find("\"reason\":\"invalid JSON\""), std::string::npos);
}

// Scan reports beside the snapshot are read once, as evidence: a damaged line among them is said
// (it was once dropped with the rest of the file's reading), and an event log given with the
// snapshot is neither an object nor a skip.
TEST(PostureE2E, DamagedScanReportLinesAreSaidAndLogsAreNotSnapshotObjects) {
  const std::string bad =
      eksir::test::source_dir() + "/tests/data/vulnerability-bad/inspector2-eventbridge-bad.jsonl";
  const std::string log =
      eksir::test::shared_dir() + "/samples/k8s-audit/falco-trace-files/attach_pod.json";
  auto plain = run_eksir({"posture", snapshot_dir(), "--format", "json"});
  auto r = run_eksir({"posture", snapshot_dir(), bad, log, "--format", "json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p1, p2;
  simdjson::padded_string ps(plain.out), rs(r.out);
  simdjson::dom::element pd, rd;
  ASSERT_EQ(p1.parse(ps).get(pd), simdjson::SUCCESS) << plain.out;
  ASSERT_EQ(p2.parse(rs).get(rd), simdjson::SUCCESS) << r.out;
  // The same objects and files: the log and the scan report are not snapshot files.
  EXPECT_EQ(int64_t(rd["summary"]["objects"]), int64_t(pd["summary"]["objects"]));
  EXPECT_EQ(int64_t(rd["summary"]["files"]), int64_t(pd["summary"]["files"]));
  std::vector<std::string> skipped;
  for (auto s : rd["summary"]["skipped"].get_array()) {
    std::string file(s["file"].get_string().value());
    EXPECT_NE(file, log) << "the audit log is evidence, not a bad snapshot file";
    if (file == bad) skipped.push_back(std::string(s["reason"].get_string().value()));
  }
  EXPECT_FALSE(skipped.empty()) << r.out;
  EXPECT_NE(r.err.find("skipped " + bad + ":"), std::string::npos) << r.err;
  // What the report's good lines say is still read.
  EXPECT_NE(r.err.find("image scan results: "), std::string::npos) << r.err;
}

}  // namespace
