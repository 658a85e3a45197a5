// Image references, the join of scan results to what a container runs (digest first, tag only
// when one side knows no digest), version order, and the posture check over them.
#include <gtest/gtest.h>

#include "cluster/cluster.h"

using namespace eksir::cluster;

namespace {

constexpr const char* kEcr = "111122223333.dkr.ecr.us-west-2.amazonaws.com";
const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

ImageVulnerability vuln(std::string id, std::string severity, std::string name, std::string digest,
                        std::vector<std::string> tags, bool exploit = false) {
  ImageVulnerability v;
  v.id = std::move(id);
  v.severity = std::move(severity);
  v.image_name = std::move(name);
  v.digest = std::move(digest);
  v.tags = std::move(tags);
  v.exploit_available = exploit;
  v.package = "log4j-core";
  v.version = "2.14.1";
  v.fixed_version = "2.15.0";
  v.scanner = "Amazon Inspector";
  v.file = "list-findings.json";
  v.line = 1;
  return v;
}

TEST(ImageRef, TakesReferencesAndImageIdsApart) {
  ImageRef r = parse_image_ref(std::string(kEcr) + "/shop/web:2.1@" + kDigestA);
  EXPECT_EQ(r.registry, kEcr);
  EXPECT_EQ(r.repository, "shop/web");
  EXPECT_EQ(r.tag, "2.1");
  EXPECT_EQ(r.digest, kDigestA);
  ImageRef hub = parse_image_ref("nginx:1.25");
  EXPECT_EQ(hub.canonical(), "docker.io/library/nginx");
  EXPECT_EQ(parse_image_ref("docker.io/nginx").canonical(), hub.canonical());
  EXPECT_EQ(parse_image_ref("index.docker.io/library/nginx").canonical(), hub.canonical());
  ImageRef port = parse_image_ref("localhost:5000/tools/backup");
  EXPECT_EQ(port.registry, "localhost:5000");
  EXPECT_EQ(port.tag, "");
  ImageRef id = parse_image_ref("docker-pullable://" + std::string(kEcr) + "/shop/web@" + kDigestB);
  EXPECT_EQ(id.repository, "shop/web");
  EXPECT_EQ(id.digest, kDigestB);
}

TEST(ImageRef, RunningDigestIgnoresAConfigurationId) {
  std::string web = std::string(kEcr) + "/shop/web:2.1";
  EXPECT_EQ(running_digest(web, std::string(kEcr) + "/shop/web@" + kDigestA), kDigestA);
  // An image built on the node: its id is the configuration's digest, not the manifest's.
  EXPECT_EQ(running_digest(web, kDigestA), "");
  EXPECT_EQ(running_digest(web + "@" + kDigestB, ""), kDigestB);
}

TEST(ImageJoin, DigestFirstTagOnlyWithoutOne) {
  std::string name = std::string(kEcr) + "/shop/web";
  std::string image = name + ":2.1";
  std::string id = name + "@" + kDigestA;
  // Both know a digest: it decides, whatever the tags say (the tag was pushed again).
  EXPECT_EQ(image_join(vuln("CVE-1", "CRITICAL", name, kDigestA, {"2.1"}), image, id),
            ImageJoin::digest);
  EXPECT_EQ(image_join(vuln("CVE-1", "CRITICAL", name, kDigestB, {"2.1"}), image, id),
            ImageJoin::none);
  // The report knows no digest (a scan by tag): the tag.
  EXPECT_EQ(image_join(vuln("CVE-1", "CRITICAL", name, "", {"2.1"}), image, id), ImageJoin::tag);
  EXPECT_EQ(image_join(vuln("CVE-1", "CRITICAL", name, "", {"2.0"}), image, id), ImageJoin::none);
  // The pod's digest is not known: the tag.
  EXPECT_EQ(image_join(vuln("CVE-1", "CRITICAL", name, kDigestB, {"2.1"}), image, ""),
            ImageJoin::tag);
  // Another repository with the same tag and digest is another image.
  EXPECT_EQ(
      image_join(vuln("CVE-1", "CRITICAL", std::string(kEcr) + "/shop/api", kDigestA, {"2.1"}),
                 image, id),
      ImageJoin::none);
  // ECR basic scanning names the repository alone.
  ImageVulnerability basic = vuln("CVE-1", "HIGH", "", kDigestA, {});
  basic.repository = "shop/web";
  EXPECT_EQ(image_join(basic, image, id), ImageJoin::digest);
  // No tag is latest.
  EXPECT_EQ(
      image_join(vuln("CVE-1", "HIGH", "docker.io/library/redis", "", {"latest"}), "redis", ""),
      ImageJoin::tag);
}

TEST(ImageIndex, MatchesWorstFirst) {
  std::string name = std::string(kEcr) + "/shop/web";
  std::vector<ImageVulnerability> all = {
      vuln("CVE-HIGH", "HIGH", name, kDigestA, {}),
      vuln("CVE-CRIT", "CRITICAL", name, kDigestA, {}),
      vuln("CVE-CRIT-EXPLOIT", "CRITICAL", name, kDigestA, {}, true),
      vuln("CVE-OTHER-DIGEST", "CRITICAL", name, kDigestB, {"2.1"}, true),
      vuln("CVE-BY-TAG", "HIGH", name, "", {"2.1"}),
  };
  ImageIndex index(all);
  auto m = index.match(name + ":2.1", name + "@" + kDigestA);
  ASSERT_EQ(m.findings.size(), 4u);
  EXPECT_EQ(m.findings[0]->id, "CVE-CRIT-EXPLOIT");
  EXPECT_EQ(m.findings[1]->id, "CVE-CRIT");
  EXPECT_EQ(m.how, ImageJoin::digest);
  EXPECT_TRUE(index.match("nginx:1.25", "").findings.empty());
}

TEST(Versions, OrderAndTheFixForAll) {
  EXPECT_TRUE(version_less("2.9.0", "2.17.1"));
  EXPECT_TRUE(version_less("1.1.1f-1ubuntu2.16", "1.1.1f-1ubuntu2.17"));
  EXPECT_FALSE(version_less("2.17.1", "2.17.1"));
  EXPECT_TRUE(version_less("2.17", "2.17.1"));
  EXPECT_EQ(fix_for_all({"2.15.0", "2.16.0", "2.12.2, 2.17.1"}), "2.17.1");
  EXPECT_EQ(fix_for_all({}), "");
}

std::string pod(const std::string& name, const std::string& owner, const std::string& image,
                const std::string& image_id) {
  return "kind: Pod\nmetadata:\n  name: " + name + "\n  namespace: shop\n" +
         (owner.empty() ? ""
                        : "  ownerReferences: [{kind: ReplicaSet, name: " + owner +
                              ", controller: true}]\n") +
         "spec:\n  containers:\n  - name: app\n    image: " + image +
         "\nstatus:\n  containerStatuses:\n  - name: app\n    imageID: " + image_id + "\n---\n";
}

TEST(ImageCheck, RunningImagesWithCriticalFindingsExploitFirst) {
  std::string web = std::string(kEcr) + "/shop/web";
  std::string api = std::string(kEcr) + "/shop/api";
  Snapshot snap;
  add_text(snap,
           pod("web-1", "web-6d5f", web + ":2.1", web + "@" + kDigestA) +
               pod("web-2", "web-6d5f", web + ":2.1", web + "@" + kDigestA) +
               pod("api-1", "", api + ":3.0", api + "@" + kDigestB) +
               // The same tag, another digest: not the image that was scanned.
               pod("web-old", "", web + ":2.1", web + "@" + kDigestB),
           "pods.yaml");
  ASSERT_TRUE(snap.skips.empty()) << snap.skips.front().message();
  EXPECT_EQ(snap.workloads.front().pod.containers.front().image_id, web + "@" + kDigestA);
  snap.vulnerabilities = {vuln("CVE-API", "CRITICAL", api, kDigestB, {"3.0"}),
                          vuln("CVE-WEB", "CRITICAL", web, kDigestA, {"2.1"}, true),
                          vuln("CVE-WEB-HIGH", "HIGH", web, kDigestB, {"2.1"})};
  std::vector<Finding> got;
  for (auto& f : run_checks(snap, Policy()))
    if (f.check == "image-critical-vulnerability") got.push_back(f);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].kind + "/" + got[0].name, "ReplicaSet/web-6d5f");
  EXPECT_EQ(got[0].severity, Severity::Critical);  // an exploit is public
  EXPECT_NE(got[0].message.find("CVE-WEB (exploit available)"), std::string::npos)
      << got[0].message;
  EXPECT_NE(got[0].message.find("(2 pods)"), std::string::npos) << got[0].message;
  EXPECT_NE(got[0].message.find("is fixed in 2.15.0"), std::string::npos);
  EXPECT_NE(got[0].message.find("joined by digest"), std::string::npos);
  EXPECT_EQ(got[1].kind + "/" + got[1].name, "Pod/api-1");
  EXPECT_EQ(got[1].severity, Severity::High);
}

}  // namespace
