// GuardDuty findings, Falco alerts and OCSF findings as findings, on the shared samples.
#include <gtest/gtest.h>

#include <map>

#include "detect/detect.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::detect {
namespace {

std::map<std::string, std::string> subject(const Finding& f) {
  return {f.subject.begin(), f.subject.end()};
}

std::vector<Finding> alerts_of(const std::string& path) {
  std::vector<Finding> out;
  sources::ScanOptions so;
  so.threads = 1;
  sources::scan(
      {path}, so,
      [&](const EventView& ev, sources::ChunkOutput&) {
        if (auto f = alert_finding(ev)) out.push_back(*f);
      },
      [](std::vector<std::string>&) { return true; });
  return out;
}

TEST(Alerts, SeverityBands) {
  EXPECT_EQ(guardduty_severity(0), Severity::Low);
  EXPECT_EQ(guardduty_severity(3.9), Severity::Low);
  EXPECT_EQ(guardduty_severity(4.0), Severity::Medium);
  EXPECT_EQ(guardduty_severity(6.9), Severity::Medium);
  EXPECT_EQ(guardduty_severity(7.0), Severity::High);
  EXPECT_EQ(guardduty_severity(8.9), Severity::High);
  EXPECT_EQ(guardduty_severity(9.0), Severity::Critical);
  EXPECT_EQ(guardduty_severity(10), Severity::Critical);
  for (auto p : {"Emergency", "Alert", "Critical", "CRITICAL"})
    EXPECT_EQ(falco_severity(p), Severity::Critical) << p;
  EXPECT_EQ(falco_severity("Error"), Severity::High);
  EXPECT_EQ(falco_severity("Warning"), Severity::Medium);
  EXPECT_EQ(falco_severity("Notice"), Severity::Low);
  EXPECT_EQ(falco_severity("Informational"), Severity::Info);
  EXPECT_EQ(falco_severity("Debug"), Severity::Info);
  EXPECT_EQ(ocsf_severity(0), Severity::Info);
  EXPECT_EQ(ocsf_severity(1), Severity::Info);
  EXPECT_EQ(ocsf_severity(2), Severity::Low);
  EXPECT_EQ(ocsf_severity(3), Severity::Medium);
  EXPECT_EQ(ocsf_severity(4), Severity::High);
  EXPECT_EQ(ocsf_severity(5), Severity::Critical);
  EXPECT_EQ(ocsf_severity(6), Severity::Critical);
  EXPECT_EQ(ocsf_severity(99), Severity::Info);
}

TEST(Alerts, GuardDutyPrivilegedContainerKeepsTypeAndResource) {
  auto fs = alerts_of(
      test::samples_dir() +
      "/guardduty/cdk-eks-blueprints-patterns__cli-get-findings__PrivilegeEscalation-Kubernetes-"
      "PrivilegedContainer.json");
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.rule_id, "guardduty");
  EXPECT_EQ(f.origin, "guardduty");
  EXPECT_EQ(f.severity, Severity::Medium);  // GuardDuty severity 5
  EXPECT_FALSE(f.sample);
  auto s = subject(f);
  EXPECT_EQ(s["type"], "PrivilegeEscalation:Kubernetes/PrivilegedContainer");
  EXPECT_EQ(s["cluster"], "guardduty-blueprint");
  EXPECT_EQ(s["namespace"], "argocd");
  EXPECT_EQ(s["pod"], "privileged-pod");
  EXPECT_EQ(s["image"], "centos");
  EXPECT_EQ(f.evidence[0].event_id, "f2c3859c6ca25b3057d13470a992bbd7");
  EXPECT_FALSE(f.title.empty());
}

TEST(Alerts, GuardDutySamplesAreKeptMarkedAndCappedAtInfo) {
  auto fs = alerts_of(test::samples_dir() +
                      "/guardduty/elastic-integrations/test-guardduty.log.lines-2-3-5.jsonl");
  ASSERT_EQ(fs.size(), 3u);
  size_t samples = 0;
  for (const auto& f : fs) {
    if (!f.sample) continue;
    ++samples;
    EXPECT_EQ(f.severity, Severity::Info);
    EXPECT_NE(f.note.find("sample finding"), std::string::npos) << f.note;
    EXPECT_NE(f.note.find("capped at info"), std::string::npos) << f.note;
  }
  EXPECT_EQ(samples, 2u);
  auto anon = std::find_if(fs.begin(), fs.end(), [](const Finding& f) {
    return subject(f)["type"] == "Persistence:Kubernetes/SuccessfulAnonymousAccess";
  });
  ASSERT_NE(anon, fs.end());
  EXPECT_NE(anon->note.find("GuardDuty severity 8, high"), std::string::npos) << anon->note;
  EXPECT_EQ(subject(*anon)["user"], "system:anonymous");
  EXPECT_EQ(subject(*anon)["cluster"], "GeneratedFindingEKSClusterName");
  auto runtime = std::find_if(fs.begin(), fs.end(), [](const Finding& f) { return !f.sample; });
  ASSERT_NE(runtime, fs.end());
  EXPECT_EQ(subject(*runtime)["type"], "PrivilegeEscalation:Runtime/DockerSocketAccessed");
  EXPECT_EQ(subject(*runtime)["instance"], "i-abcd1234");
  EXPECT_EQ(runtime->severity, Severity::Medium);
}

TEST(Alerts, FalcoPrioritiesAndWorkload) {
  auto fs = alerts_of(test::samples_dir() + "/falco/falco-website__alerts.jsonl");
  ASSERT_EQ(fs.size(), 15u);
  std::map<Severity, int> by;
  for (const auto& f : fs) ++by[f.severity];
  EXPECT_EQ(by[Severity::Critical], 1);
  EXPECT_EQ(by[Severity::Medium], 3);
  EXPECT_EQ(by[Severity::Low], 10);
  EXPECT_EQ(by[Severity::Info], 1);
  auto shell = std::find_if(fs.begin(), fs.end(),
                            [](const Finding& f) { return f.severity == Severity::Critical; });
  auto s = subject(*shell);
  EXPECT_EQ(s["type"], "Terminal shell in container");
  EXPECT_EQ(s["namespace"], "default");
  EXPECT_EQ(s["pod"], "kubecon");
  EXPECT_EQ(s["node"], "falco-xczjd");
  EXPECT_EQ(s["image"], "docker.io/library/alpine");
  EXPECT_EQ(s["process"], "sh -c clear; (bash || ash || sh)");
  EXPECT_EQ(shell->evidence[0].event_id,
            "2023-05-25T13:44:05.478445995Z Terminal shell in container");
  auto audit = std::find_if(fs.begin(), fs.end(),
                            [](const Finding& f) { return f.title == "Disallowed K8s User"; });
  ASSERT_NE(audit, fs.end());
  EXPECT_EQ(subject(*audit).count("pod"), 0u);
  EXPECT_NE(subject(*audit)["target"].find("volumeattachments/"), std::string::npos);
}

TEST(Alerts, OcsfFindingsButNotActivities) {
  auto gd =
      alerts_of(test::samples_dir() +
                "/ocsf/ocsf-examples__v1.1.0__securityhub-guardduty__detection_finding.ocsf.json");
  ASSERT_EQ(gd.size(), 1u);
  EXPECT_EQ(gd[0].origin, "ocsf");
  EXPECT_EQ(gd[0].severity, Severity::Low);
  EXPECT_EQ(subject(gd[0])["type"],
            "TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled");
  EXPECT_EQ(subject(gd[0])["source_ip"], "52.94.133.131");
  EXPECT_NE(gd[0].evidence[0].event_id.find("arn:aws:guardduty:us-east-2:111111111111:detector/"),
            std::string::npos);
  auto falco = alerts_of(test::samples_dir() + "/ocsf/ocsf-examples__falco.ocsf.json");
  ASSERT_EQ(falco.size(), 1u);
  EXPECT_EQ(falco[0].severity, Severity::Medium);
  EXPECT_EQ(falco[0].title, "Linux Kernel Module Injection Detected");
  EXPECT_EQ(falco[0].evidence[0].event_id, "ec834826-90c1-458a-8eec-a014e7266754");
  EXPECT_TRUE(alerts_of(test::samples_dir() +
                        "/ocsf/ocsf-examples__v1.1.0__eks-audit__api_activity.ocsf.json")
                  .empty());
}

TEST(Alerts, ExampleIncidentEdrFinding) {
  auto fs = alerts_of(test::source_dir() + "/examples/incident-2026-03-14/ocsf");
  ASSERT_FALSE(fs.empty());
  for (const auto& f : fs) {
    EXPECT_EQ(f.origin, "ocsf");
    EXPECT_FALSE(f.title.empty());
    EXPECT_FALSE(f.evidence[0].event_id.empty());
  }
}

}  // namespace
}  // namespace eksir::detect
