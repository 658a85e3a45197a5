// `eksir plan` and `eksir respond` from the command line, on a case `eksir investigate` wrote
// from the bundled example incident.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "respond/respond.h"
#include "test_paths.h"

namespace eksir::respond {
namespace {

using nlohmann::json;

std::vector<std::string> step_ids(const json& plan) {
  std::vector<std::string> out;
  for (const auto& s : plan["steps"]) out.push_back(s["id"].get<std::string>());
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(RespondPlanCli, PlansOnAnInvestigatedCase) {
  std::string dir = test::temp_dir() + "/case";
  auto inv = test::run_eksir(
      {"investigate", test::source_dir() + "/examples/incident-2026-03-14", "-o", dir});
  ASSERT_TRUE(std::filesystem::exists(dir + "/case.db")) << inv.err;

  std::string schemas = test::shared_dir() + "/schemas";
  auto contain = test::run_eksir({"plan", dir, "--phase", "contain", "--format", "json",
                                  "--trusted-cidr", "10.42.0.0/16", "--schemas", schemas});
  ASSERT_EQ(contain.exit_code, 0) << contain.err;
  json plan = json::parse(contain.out);
  EXPECT_EQ(plan["schema"], "eksir.plan/1");
  auto ids = step_ids(plan);
  for (const char* id :
       {"contain/evidence/pod-logs/kube-system/backup-agent",
        "contain/netpol/kube-system/eksir-isolate-backup-agent",
        "contain/cordon/ip-10-42-11-27.ec2.internal", "contain/deactivate-key/AKIARQ4WZT7KHB3D6FXQ",
        "contain/deactivate-key/AKIARQ4WZT7KM8JY2CVE",
        "contain/revoke-sg-rules/sg-0a7b9c1d2e3f40516", "contain/restrict-endpoint/prod-payments"})
    EXPECT_TRUE(has(ids, id)) << id << " in " << contain.out;
  for (const auto& s : plan["steps"]) {
    if (s["id"] == "contain/netpol/kube-system/eksir-isolate-backup-agent") {
      EXPECT_NE(s["manifest"]["yaml"].get<std::string>().find("app: backup-agent"),
                std::string::npos);
    }
  }

  auto eradicate = test::run_eksir({"plan", dir, "--phase", "eradicate", "--format", "json",
                                    "--gatekeeper", "--schemas", schemas});
  ASSERT_EQ(eradicate.exit_code, 0) << eradicate.err;
  auto eids = step_ids(json::parse(eradicate.out));
  EXPECT_TRUE(has(eids, "eradicate/delete-clusterrolebinding/backup-sa-admin"));
  EXPECT_TRUE(has(eids, "eradicate/delete-pod/kube-system/backup-agent"));
  EXPECT_TRUE(has(eids, "eradicate/enable-logging/prod-payments"));

  auto recover = test::run_eksir({"plan", dir, "--phase", "recover"});
  ASSERT_EQ(recover.exit_code, 0) << recover.err;
  EXPECT_NE(recover.out.find("nothing to recover"), std::string::npos) << recover.out;

  store::Status st;
  auto c = store::Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  EXPECT_FALSE(c->latest_plan("contain").empty());
  EXPECT_TRUE(c->journal().empty());
  c.reset();

  auto script = test::run_eksir({"plan", dir, "--phase", "contain", "--format", "script"});
  EXPECT_EQ(script.exit_code, 0);
  EXPECT_EQ(script.out.rfind("#!/usr/bin/env bash\n", 0), 0u);

  // A dry run from the command line runs nothing: the programs are ones that would fail.
  auto dry = test::run_eksir(
      {"respond", dir, "--phase", "contain", "--aws", "/bin/false", "--kubectl", "/bin/false"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("dry run"), std::string::npos);
  c = store::Case::open(dir, false, st);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->journal().empty());

  auto bad = test::run_eksir({"plan", dir, "--phase", "cleanup"});
  EXPECT_EQ(bad.exit_code, 2);
  auto missing = test::run_eksir({"plan", test::temp_dir() + "/none", "--phase", "contain"});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace eksir::respond
