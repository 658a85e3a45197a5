// Every file of the shared samples, read through the whole scanner: the events by source, and
// for each file that yields no event, the exact reason. Nothing may be skipped unexplained.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::sources {
namespace {

// file (relative to samples/) -> reason -> count, for everything skipped or passed over.
using ReasonTable = std::map<std::string, std::map<std::string, int>>;

ReasonTable reasons(const ScanStats& st, const std::string& root) {
  ReasonTable t;
  for (const auto& s : st.skips) t[s.file.substr(root.size())][s.reason]++;
  for (const auto& s : st.ignored_files) t[s.file.substr(root.size())][s.reason]++;
  return t;
}

TEST(SamplesScan, EveryFileIsReadOrExplained) {
  std::string root = test::samples_dir() + "/";
  for (unsigned threads : {1u, 2u}) {
    ScanStats st;
    ScanOptions o;
    o.threads = threads;
    auto events = read_all({root}, &st, o);
    EXPECT_EQ(st.files, 126u);
    EXPECT_EQ(events.size(), 419u);
    EXPECT_EQ(st.events_by_source[Source::CloudTrail], 315u);
    EXPECT_EQ(st.events_by_source[Source::K8sAudit], 72u);
    EXPECT_EQ(st.events_by_source[Source::GuardDuty], 5u);
    EXPECT_EQ(st.events_by_source[Source::Falco], 24u);
    EXPECT_EQ(st.events_by_source[Source::Ocsf], 3u);
    EXPECT_EQ(st.samples, 2u);  // the two AWS-generated GuardDuty sample findings

    ReasonTable expected;
    for (const char* licence :
         {"DataDog-stratus-red-team.LICENSE", "aws-eks-best-practices.LICENSE-SAMPLECODE",
          "aws-eks-best-practices.LICENSE-SUMMARY",
          "aws-samples-amazon-eks-security-immersion-day.LICENSE",
          "aws-samples-cdk-eks-blueprints-patterns.LICENSE",
          "awsdocs-amazon-eks-user-guide.LICENSE",
          "awsdocs-amazon-eks-user-guide.LICENSE-SAMPLECODE",
          "awsdocs-amazon-eks-user-guide.LICENSE-SUMMARY", "elastic-integrations.LICENSE.txt",
          "falcosecurity-falco-website.LICENSE", "falcosecurity-falco.COPYING",
          "panther-labs-panther-analysis.LICENSE.txt"})
      expected[std::string("LICENSES/") + licence]["not JSON"] = 1;
    expected["README.md"]["not JSON"] = 1;
    expected["guardduty/eks-finding-types.md"]["not JSON"] = 1;
    expected["k8s-audit/eks/eks-best-practices__eks-audit-policy.yaml"]["not JSON"] = 1;
    // A shell prompt line, then the JSON output cut short upstream.
    expected["k8s-audit/eks/eks-immersion-day__logs-insights-get-query-results.excerpt.txt"]
            ["not JSON"] = 1;
    // Upstream snippets shortened or elided: not valid events (samples README §1c, §2).
    expected
        ["cloudtrail/partial-snippets/"
         "stratus-docs__eks.lateral-movement.create-access-entry__1.txt"]["invalid JSON"] = 1;
    expected
        ["cloudtrail/partial-snippets/"
         "stratus-docs__eks.lateral-movement.create-access-entry__2.txt"]["unrecognised format"] =
            1;
    expected
        ["guardduty/partial-snippets/"
         "cdk-eks-blueprints-patterns__securityhub-ASFF__GuardDuty-Kubernetes-PrivilegedContainer."
         "elided.txt"]["invalid JSON"] = 1;
    for (const char* f : {"stratus-docs__k8s.credential-access.steal-serviceaccount-token__1.txt",
                          "stratus-docs__k8s.persistence.create-token__1.txt",
                          "stratus-docs__k8s.privilege-escalation.nodes-proxy__1.txt"})
      expected[std::string("k8s-audit/partial-snippets/") + f]["invalid JSON"] = 1;
    for (const char* f : {"stratus-docs__eks.persistence.backdoor-aws-auth-configmap__1.txt",
                          "stratus-docs__k8s.credential-access.dump-secrets__1.txt",
                          "stratus-docs__k8s.privilege-escalation.privileged-pod__1.txt"})
      expected[std::string("k8s-audit/partial-snippets/") + f]["unrecognised format"] = 1;
    // Test-harness indexes beside the sample files: metadata per record, not events.
    expected["falco/falco-website__alerts.index.json"]["unrecognised format"] = 15;
    expected["k8s-audit/eks/panther-normalized/panther__aws_eks_rules_tests.index.json"]
            ["unrecognised format"] = 20;
    // The deliberate malformed input of Falco's test suite.
    expected["k8s-audit/falco-trace-files/fal_01_003.json"]["unrecognised format"] = 1;

    EXPECT_EQ(reasons(st, root), expected) << "threads=" << threads;
    EXPECT_EQ(st.ignored, 16u);
    EXPECT_EQ(st.skipped, 45u);
  }
}

TEST(SamplesScan, DigestsAreTakenFromTheBytesReadAndCoverEveryFile) {
  // Every file (events, gzip, passed-over text and snapshots, a file read only in part): the
  // SHA-256 the scan computes while reading equals one computed by reading the file again.
  std::string root = test::samples_dir() + "/";
  for (unsigned threads : {1u, 2u}) {
    ScanStats st;
    ScanOptions o;
    o.threads = threads;
    o.digests = true;
    read_all({root}, &st, o);
    EXPECT_EQ(st.digests.size(), 126u);
    for (const auto& [path, digest] : st.digests) {
      SCOPED_TRACE(path);
      FileDigest again = sha256_file(path);
      ASSERT_TRUE(digest.ok()) << digest.error;
      EXPECT_EQ(digest.hex, again.hex);
      EXPECT_EQ(digest.size, again.size);
    }
  }
  ScanStats plain;
  read_all({root}, &plain, {});
  EXPECT_TRUE(plain.digests.empty());  // only when asked
}

TEST(SamplesScan, OriginsPointBackIntoTheFiles) {
  std::string root = test::samples_dir();
  auto events =
      read_all({root + "/k8s-audit/falco-trace-files/create_configmap_sensitive_values.json",
                root + "/cloudtrail/stratus-red-team-detonation-logs/"
                       "aws.defense-evasion.cloudtrail-stop.json"});
  ASSERT_EQ(events.size(), 7u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(events[i].source, Source::K8sAudit);
    EXPECT_EQ(events[i].line, static_cast<uint64_t>(i + 1));
  }
  EXPECT_EQ(events[6].source, Source::CloudTrail);
  EXPECT_NE(events[6].raw.find("StopLogging"), std::string::npos);
  EXPECT_NE(events[6].time, kNoTime);
}

}  // namespace
}  // namespace eksir::sources
