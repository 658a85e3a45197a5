// What investigate keeps of images while it scans: scanners' critical and high findings (bounded,
// the rest counted) and the imageID kubelets report in the audit log's pod status writes.
#include <gtest/gtest.h>

#include "incident/internal.h"

namespace eksir::incident {
namespace {

struct Doc {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string text;
  EventView view(Source source, uint64_t line, TimeNs time = kNoTime) {
    EXPECT_FALSE(parser.parse(text).get(doc));
    EventView v;
    v.source = source;
    v.file = "evidence.json";
    v.line = line;
    v.time = time;
    v.doc = doc;
    return v;
  }
};

std::string finding(const std::string& id, const std::string& severity) {
  return R"({"id":"f-)" + id +
         R"(","scanner":"trivy","scanner_vendor":"Trivy","vulnerability_id":")" + id +
         R"(","severity":")" + severity +
         R"(","package_name":"openssl","package_version":"3.0.1","package_fixed_version":"3.0.7",)"
         R"("image_name":"registry.example.com/shop/web","image_digest":"sha256:aa","image_tags":["2.1"]})";
}

TEST(ImageEvidence, KeepsCriticalAndHighCountsTheRestAndIsBounded) {
  ImageEvidence images(2, /*max_kept=*/2);
  Doc d;
  int line = 0;
  for (const char* sev : {"CRITICAL", "HIGH", "MEDIUM", "LOW", "CRITICAL", "HIGH"}) {
    d.text = finding("CVE-" + std::to_string(++line), sev);
    EXPECT_TRUE(images.offer(d.view(Source::Vulnerability, line), 0));
  }
  cluster::Snapshot snap;
  images.move_into(snap);
  EXPECT_EQ(snap.vulnerability_records, 6u);
  // Two workers share the bound: one each; worker 0 saw four critical or high findings.
  ASSERT_EQ(snap.vulnerabilities.size(), 1u);
  EXPECT_EQ(snap.vulnerabilities[0].id, "CVE-1");
  EXPECT_EQ(snap.vulnerabilities[0].file, "evidence.json");
  EXPECT_EQ(snap.vulnerabilities[0].fixed_version, "3.0.7");
  EXPECT_EQ(snap.vulnerabilities_dropped, 3u);
}

TEST(ImageEvidence, ClosedFindingsAreNotVulnerabilities) {
  ImageEvidence images(1);
  Doc d;
  d.text = finding("CVE-9", "CRITICAL");
  d.text.insert(d.text.size() - 1, R"(,"status":"CLOSED")");
  images.offer(d.view(Source::Vulnerability, 1), 0);
  cluster::Snapshot snap;
  images.move_into(snap);
  EXPECT_EQ(snap.vulnerability_records, 1u);
  EXPECT_TRUE(snap.vulnerabilities.empty());
}

TEST(ImageEvidence, TheKubeletsLastWordOnWhatAContainerRuns) {
  ImageEvidence images(2);
  Doc d;
  auto status = [&](const std::string& id) {
    d.text =
        R"({"objectRef":{"resource":"pods","subresource":"status","namespace":"shop","name":"web-1"},)"
        R"("requestObject":{"status":{"containerStatuses":[{"name":"web","imageID":")" +
        id + R"("}]}}})";
  };
  status("registry.example.com/shop/web@sha256:new");
  EXPECT_TRUE(images.offer(d.view(Source::K8sAudit, 2, 2000), 1));
  status("registry.example.com/shop/web@sha256:old");
  EXPECT_TRUE(images.offer(d.view(Source::K8sAudit, 1, 1000), 0));
  // A binding is not a status write: the caller keeps it.
  d.text =
      R"({"objectRef":{"resource":"pods","subresource":"binding","namespace":"shop","name":"web-1"}})";
  EXPECT_FALSE(images.offer(d.view(Source::K8sAudit, 3), 0));
  cluster::Snapshot snap;
  images.move_into(snap);
  ASSERT_EQ(snap.audit_image_ids.size(), 1u);
  EXPECT_EQ(snap.audit_image_ids["shop/web-1/web"], "registry.example.com/shop/web@sha256:new");
}

// The version that fixes all of a package's findings, numbers compared as numbers; whether all,
// some or none of the packages have one (the plan says "no fixed version is known" from it).
TEST(ImageFixes, FixedVersionPerPackageAndHowManyHaveOne) {
  auto vuln = [](std::string id, std::string package, std::string version, std::string fixed) {
    cluster::ImageVulnerability v;
    v.id = std::move(id);
    v.package = std::move(package);
    v.version = std::move(version);
    v.fixed_version = std::move(fixed);
    return v;
  };
  const auto a = vuln("CVE-2021-44228", "log4j-core", "2.14.1", "2.15.0");
  const auto b = vuln("CVE-2021-45046", "log4j-core", "2.14.1", "2.16.0");
  const auto c = vuln("CVE-2024-45491", "libexpat", "2.4.1", "");
  Fixes all = fixes_of({&a, &b});
  EXPECT_EQ(all.text, "log4j-core 2.14.1 -> 2.16.0 (CVE-2021-44228, CVE-2021-45046)");
  EXPECT_EQ(all.known, "all");
  Fixes some = fixes_of({&a, &c, &b});
  EXPECT_EQ(some.text,
            "log4j-core 2.14.1 -> 2.16.0 (CVE-2021-44228, CVE-2021-45046); libexpat 2.4.1 -> no "
            "fix (CVE-2024-45491)");
  EXPECT_EQ(some.known, "some");
  EXPECT_EQ(fixes_of({&c}).known, "none");
}

}  // namespace
}  // namespace eksir::incident
