// eksir.yaml suppressions applied to findings by `eksir detect --config` and `eksir investigate`:
// precise (rule and principal), counted, and never silent.
#include <gtest/gtest.h>

#include <fstream>

#include "test_paths.h"

using eksir::test::run_eksir;

namespace {

std::string policy_file() {
  std::string p = eksir::test::temp_dir() + "/eksir.yaml";
  std::ofstream(p)
      << "suppressions:\n"
         "  - rule: eksir-k8s-deployment-image-changed\n"
         "    principal: \"arn:aws:sts::111122223333:assumed-role/github-actions-deploy/*\"\n"
         "    reason: rollouts reviewed in CHG-1024\n"
         "  - rule: eksir-k8s-pod-exec\n"
         "    reason: expired acceptance\n"
         "    expires: 2020-01-01\n";
  return p;
}

std::string evidence() {
  return eksir::test::source_dir() + "/examples/incident-2026-03-14";
}

TEST(Suppression, DetectHidesExactlyTheCoveredFindingsAndSaysSo) {
  auto plain = run_eksir({"detect", evidence(), "--format", "ndjson", "-q"});
  auto sup = run_eksir({"detect", evidence(), "--format", "ndjson", "--config", policy_file()});
  ASSERT_EQ(sup.exit_code, 0) << sup.err;
  auto count = [](const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(plain.out, "\"eksir-k8s-deployment-image-changed\""), 2u);
  EXPECT_EQ(count(sup.out, "\"eksir-k8s-deployment-image-changed\""), 0u);
  // The expired suppression is not applied, and the run says so.
  EXPECT_EQ(count(sup.out, "\"eksir-k8s-pod-exec\""), count(plain.out, "\"eksir-k8s-pod-exec\""));
  EXPECT_NE(sup.err.find("suppression of eksir-k8s-deployment-image-changed hid 2 findings "
                         "(rollouts reviewed in CHG-1024)"),
            std::string::npos)
      << sup.err;
  EXPECT_NE(sup.err.find("suppression of eksir-k8s-pod-exec expired on 2020-01-01"),
            std::string::npos);
}

TEST(Suppression, InvestigateRecordsWhatWasHidden) {
  auto r = run_eksir({"investigate", evidence(), "--config", policy_file(), "--format", "json",
                      "-o", eksir::test::temp_dir() + "/case", "--no-report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("\"rule\":\"eksir-k8s-deployment-image-changed\""), std::string::npos);
  EXPECT_NE(r.out.find("hid 2 findings (rollouts reviewed in CHG-1024)"), std::string::npos);
  EXPECT_NE(r.err.find("hid 2 findings"), std::string::npos) << r.err;
}

}  // namespace
