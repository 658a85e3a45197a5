// End to end: `eksir detect --rules <one ES|QL rule file>` on the Stratus Red Team detonation
// that fires it, and `eksir rules validate` naming the construct of a rule it does not load.
#include <gtest/gtest.h>

#include <string>

#include "test_paths.h"

namespace eksir {
namespace {

using test::run_eksir;

const std::string kRule =
    "/rules/elastic/aws/persistence_iam_user_created_access_keys_for_another_user.toml";

TEST(EsqlE2E, AccessKeyForAnotherUserFiresOnTheBackdoorDetonation) {
  std::string s = test::samples_dir() + "/cloudtrail/stratus-red-team-detonation-logs/";
  auto r = run_eksir({"detect", s + "aws.persistence.iam-backdoor-user.json", "--rules",
                      test::shared_dir() + kRule, "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"rule\":{\"id\":\"696015ef-718e-40ff-ac4a-cc2ba88dbeeb\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"title\":\"AWS IAM User Created Access Keys For Another User\","
                       "\"origin\":\"elastic\",\"author\":\"Elastic\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("arn:aws:iam::946986569305:user/christophe"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"event_id\":\"c64c4ded-ef03-4e5c-81eb-153b118d72f2\""), std::string::npos)
      << r.out;
}

TEST(EsqlE2E, ValidateNamesTheConstructOfARuleNotLoaded) {
  std::string file = test::shared_dir() +
                     "/rules/elastic/aws/execution_lambda_function_invoked_cross_account.toml";
  auto r = run_eksir({"rules", "validate", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("elastic: 1 files: 0 loaded (none), 1 skipped (1 esql), 0 errors"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(": esql: line 92: ES|QL command `GROK` is not supported"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace eksir
