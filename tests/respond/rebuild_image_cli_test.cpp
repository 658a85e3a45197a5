// --rebuilt-image on the command line of `eksir plan` and `eksir respond`: the step it unblocks,
// and a clear usage error for a value that is not IMAGE=NEW or a misspelt option.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_paths.h"

namespace eksir {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kRepo = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A case folder holding the web-miner incident with its image vulnerable.
std::string make_case() {
  std::string dir = test::temp_dir() + "/case";
  fs::create_directories(dir);
  std::string fixtures = test::source_dir() + "/tests/respond/fixtures";
  json doc = json::parse(slurp(fixtures + "/web-miner.json"));
  doc["run"]["cwd"] = fixtures;
  doc["incident"]["affected"].push_back(
      {{"kind", "image"},
       {"name", kRepo + ":2.4.1"},
       {"id", kRepo + ":2.4.1"},
       {"why", "Trivy reports CRITICAL findings"},
       {"attributes",
        {{"joined_by", "tag"},
         {"workloads", "Deployment:shop/web"},
         {"containers", "Deployment:shop/web/web"},
         {"vulnerabilities", "CVE-2021-44228"},
         {"max_severity", "CRITICAL"},
         {"fixes", "log4j-core 2.14.1 -> 2.17.1 (CVE-2021-44228)"},
         {"scanner", "Trivy"}}}});
  std::ofstream(dir + "/incident.json") << doc.dump(2);
  return dir;
}

TEST(RespondRebuildImageCli, PlansTheSetImageStep) {
  std::string dir = make_case();
  auto r = test::run_eksir({"plan", dir, "--phase", "eradicate", "--format", "json",
                            "--rebuilt-image", kRepo + "=" + kRepo + ":2.4.2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  bool found = false;
  json plan = json::parse(r.out);
  for (const auto& s : plan["steps"]) {
    if (s["id"] != "eradicate/rebuild-image/shop/deployment/web/web") continue;
    found = true;
    EXPECT_EQ(s["command"]["argv"].get<std::vector<std::string>>(),
              (std::vector<std::string>{"kubectl", "set", "image", "deployment", "--namespace=shop",
                                        "--", "web", "web=" + kRepo + ":2.4.2"}));
    // The compromised replica's evidence is not journaled yet.
    ASSERT_TRUE(s["blocked"].is_string());
    EXPECT_NE(s["blocked"].get<std::string>().find("preserve the evidence first"),
              std::string::npos);
  }
  EXPECT_TRUE(found) << r.out;

  auto without = test::run_eksir({"plan", dir, "--phase", "eradicate"});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_NE(without.out.find("--rebuilt-image " + kRepo + "=<the rebuilt image>"),
            std::string::npos)
      << without.out;
}

TEST(RespondRebuildImageCli, BadValueIsAUsageError) {
  std::string dir = make_case();
  auto r = test::run_eksir({"plan", dir, "--phase", "eradicate", "--rebuilt-image", "nonsense"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("eksir plan: --rebuilt-image \"nonsense\": expected IMAGE=NEW"),
            std::string::npos)
      << r.err;
  auto bad = test::run_eksir({"respond", dir, "--phase", "eradicate", "--rebuilt-image",
                              kRepo + "=" + kRepo + ":2.4.2; reboot"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("eksir respond: --rebuilt-image"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("is not a valid image reference"), std::string::npos) << bad.err;
  auto typo = test::run_eksir({"plan", dir, "--phase", "eradicate", "--rebuild-image", "a=b"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown option \"--rebuild-image\"; did you mean \"--rebuilt-image\"?"),
            std::string::npos)
      << typo.err;
}

}  // namespace
}  // namespace eksir
