// Vulnerable images in the report: the root cause names the package, its installed and fixed
// versions, the CVE and the image a workload was exploited through; the Impact section lists every
// vulnerable image with its CVEs, exploits, fixes and how it was joined to its workloads — in
// Markdown, HTML and JSON, hostile names shown as text.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "report/report.h"
#include "report/report_html.h"
#include "test_paths.h"

namespace eksir {
namespace {

using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kWeb = "111122223333.dkr.ecr.us-west-2.amazonaws.com/shop/web:2026.03.18-2";
const std::string kDigest = "sha256:" + std::string(64, 'c');

json exploited_image() {
  return {{"kind", "image"},
          {"name", kWeb},
          {"id", kDigest},
          {"why", "Amazon Inspector reports CRITICAL findings"},
          {"attributes",
           {{"digest", kDigest},
            {"joined_by", "digest"},
            {"workloads", "Deployment:shop/web,Pod:shop/web-7d4b9c8f6-x2k9p"},
            {"containers", "Deployment:shop/web/web"},
            {"vulnerabilities", "CVE-2021-44228,CVE-2022-3602"},
            {"exploit_available", "CVE-2021-44228"},
            {"max_severity", "CRITICAL"},
            {"fixes",
             "log4j-core 2.14.1 -> 2.17.1 (CVE-2021-44228); openssl 3.0.1 -> 3.0.7 "
             "(CVE-2022-3602)"},
            {"scanner", "Amazon Inspector"},
            {"record", "evidence/inspector/findings.json:12"},
            {"exploited", "true"}}}};
}

json tag_image(const std::string& name) {
  return {{"kind", "image"},
          {"name", name},
          {"id", name},
          {"why", "Trivy reports HIGH findings"},
          {"attributes",
           {{"joined_by", "tag"},
            {"workloads", "Deployment:shop/api"},
            {"vulnerabilities", "CVE-2023-4863"},
            {"max_severity", "HIGH"},
            {"fixes", "libwebp 1.2.4 -> 1.3.2 (CVE-2023-4863)"},
            {"scanner", "Trivy"},
            {"record", "evidence/trivy/api.json:3"}}}};
}

report::ReportInput input(const std::vector<json>& images) {
  json doc = json::parse(
      read_file(test::source_dir() + "/tests/report/fixtures/incident-2026-03-14.json"));
  for (const auto& i : images) doc["incident"]["affected"].push_back(i);
  report::ReportInput in;
  std::string error;
  EXPECT_TRUE(report::parse_incident(doc.dump(), in.incident, error)) << error;
  in.info.dir = "cases/test";
  in.info.status = "open";
  in.generated = parse_time("2026-03-14T12:00:00Z");
  return in;
}

std::string render(const report::ReportInput& in, report::Format f) {
  std::ostringstream out;
  report::write(in, f, out);
  return out.str();
}

std::string section(const std::string& md, const std::string& heading) {
  size_t at = md.find(heading);
  if (at == std::string::npos) return "";
  size_t end = md.find("\n## ", at + heading.size());
  return md.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ReportImages, RootCauseNamesTheExploitedPackageAndImage) {
  auto in = input({exploited_image(), tag_image("registry.example.com/shop/api:1.0")});
  std::string md = render(in, report::Format::Markdown);
  std::string root = section(md, "## 6. Root cause");
  ASSERT_FALSE(root.empty()) << md;
  EXPECT_TRUE(has(root,
                  "Entry point: exploitation of CVE-2021-44228 in log4j-core 2.14.1 (fixed in "
                  "2.17.1) in image " +
                      kWeb))
      << root;
  EXPECT_TRUE(has(root, "Amazon Inspector reports an exploit available")) << root;
  EXPECT_TRUE(has(root, "`evidence/inspector/findings.json:12`")) << root;
  // The exploitation comes first; the stolen credential after it.
  EXPECT_LT(root.find("Entry point: exploitation"), root.find("After the exploitation: IAM"))
      << root;
  EXPECT_FALSE(has(root, "Entry point: IAM access key")) << root;
  // The image not shown exploited is a condition, not an entry point.
  EXPECT_TRUE(has(root,
                  "Contributing condition: image registry.example.com/shop/api:1.0, which "
                  "Deployment:shop/api runs, carries CVE-2023-4863 (CVE-2023-4863 in libwebp "
                  "1.2.4 (fixed in 1.3.2))"))
      << root;

  std::string html = test::without_break_hints(render(in, report::Format::Html));
  EXPECT_TRUE(has(html,
                  "Entry point: exploitation of CVE-2021-44228 in log4j-core 2.14.1 (fixed "
                  "in 2.17.1) in image " +
                      kWeb))
      << html;
}

// The exploited workload's own service-account token, used after the exploitation: how the
// attacker got it is the exploitation, not something the evidence does not show.
TEST(ReportImages, TheExploitedWorkloadsTokenComesFromTheExploitation) {
  json doc = json::parse(
      read_file(test::source_dir() + "/tests/report/fixtures/incident-2026-03-14.json"));
  json kept = json::array();
  for (const auto& a : doc["incident"]["affected"])
    if (a["kind"] != "access_key" && a["kind"] != "iam_user" && a["kind"] != "iam_role")
      kept.push_back(a);
  kept.push_back({{"kind", "service_account"}, {"name", "web"}, {"namespace", "shop"}});
  kept.push_back(exploited_image());
  doc["incident"]["affected"] = kept;
  report::ReportInput in;
  std::string error;
  ASSERT_TRUE(report::parse_incident(doc.dump(), in.incident, error)) << error;
  in.generated = parse_time("2026-03-14T12:00:00Z");
  std::string root = section(render(in, report::Format::Markdown), "## 6. Root cause");
  EXPECT_TRUE(has(root, "After the exploitation: the token of service account")) << root;
  EXPECT_TRUE(has(root, "mounted in the exploited workload's pods")) << root;
  EXPECT_FALSE(has(root, "How the attacker obtained the credential")) << root;
}

TEST(ReportImages, WithoutAnExploitedImageTheEntryPointIsAsBefore) {
  std::string md =
      render(input({tag_image("registry.example.com/shop/api:1.0")}), report::Format::Markdown);
  std::string root = section(md, "## 6. Root cause");
  EXPECT_FALSE(has(root, "exploitation of")) << root;
  EXPECT_TRUE(has(root, "Entry point: IAM access key")) << root;
  // The fixture's image without scan results is no vulnerable image.
  std::string plain = render(input({}), report::Format::Markdown);
  EXPECT_FALSE(has(plain, "Vulnerable images")) << plain;
}

TEST(ReportImages, ImagesTableInEveryFormat) {
  auto in = input({tag_image("registry.example.com/shop/api:1.0"), exploited_image()});
  std::string md = render(in, report::Format::Markdown);
  std::string impact = section(md, "## 4. Impact");
  size_t at = impact.find("### Vulnerable images");
  ASSERT_NE(at, std::string::npos) << impact;
  std::string table = impact.substr(at);
  // The exploited image first.
  EXPECT_LT(table.find(kWeb), table.find("registry.example.com/shop/api:1.0")) << table;
  // Markdown escapes '>' (util::md_text).
  for (const std::string& part : std::vector<std::string>{
           "CVE-2021-44228, CVE-2022-3602 (worst CRITICAL)",
           "CVE-2021-44228 — exploited: a workload running it shows exploitation",
           "log4j-core 2.14.1 -\\> 2.17.1 (CVE-2021-44228); openssl 3.0.1 -\\> 3.0.7",
           "by digest " + kDigest, "by tag only: the digest the pod runs is not known",
           "CVE-2023-4863 (worst HIGH)", "none known",
           "Deployment:shop/web, Pod:shop/web-7d4b9c8f6-x2k9p",
           "Amazon Inspector `evidence/inspector/findings.json:12`"})
    EXPECT_TRUE(has(table, part)) << part << "\n" << table;

  std::string html = test::without_break_hints(render(in, report::Format::Html));
  ASSERT_TRUE(has(html, "<h3>Vulnerable images</h3>")) << html;
  ASSERT_TRUE(has(html, "id=\"images\"")) << html;
  EXPECT_TRUE(has(html, "log4j-core 2.14.1 -&gt; 2.17.1 (CVE-2021-44228)")) << html;
  EXPECT_TRUE(has(html, "by tag only: the digest the pod runs is not known"));
  // The record relative to the evidence root (the inputs' folder, "evidence"), whole in the
  // tooltip.
  EXPECT_TRUE(has(html, "<code title=\"evidence/trivy/api.json:3\">trivy/api.json:3</code>"))
      << html;

  json doc = json::parse(render(in, report::Format::Json));
  const json& images = doc["impact"]["images"];
  ASSERT_EQ(images.size(), 2u) << doc["impact"].dump(2);
  EXPECT_EQ(images[0]["image"], kWeb);
  EXPECT_EQ(images[0]["exploited"], true);
  EXPECT_EQ(images[0]["joined_by"], "digest");
  EXPECT_EQ(images[0]["record"]["file"], "evidence/inspector/findings.json");
  EXPECT_EQ(images[0]["record"]["line"], 12);
  EXPECT_EQ(images[1]["joined"], "by tag only: the digest the pod runs is not known");
}

TEST(ReportImages, HostileImageTextIsShownAsText) {
  json evil = tag_image("registry.example.com/x:1");
  evil["name"] = "<script>alert(1)</script>|[x](http://evil)\x1b[2J";
  evil["attributes"]["fixes"] = "<img src=x onerror=alert(1)> 1 -> 2 (CVE-1)";
  evil["attributes"]["vulnerabilities"] = "CVE-1";
  evil["attributes"]["exploited"] = "true";
  evil["attributes"]["exploit_available"] = "CVE-1";
  auto in = input({evil});
  std::string html = test::without_break_hints(render(in, report::Format::Html));
  EXPECT_FALSE(has(html, "<script>alert(1)")) << html;
  EXPECT_FALSE(has(html, "<img src=x")) << html;
  EXPECT_TRUE(has(html, "&lt;img src=x onerror=alert(1)&gt;")) << html;
  EXPECT_FALSE(has(html, "\x1b")) << html;
  std::string md = render(in, report::Format::Markdown);
  EXPECT_FALSE(has(md, "\x1b")) << md;
  // As text, escaped: no tag, no link outside a code span.
  EXPECT_TRUE(has(md, "\\<img src=x onerror=alert(1)\\>")) << md;
  EXPECT_FALSE(has(md, " <img")) << md;
}

}  // namespace
}  // namespace eksir
