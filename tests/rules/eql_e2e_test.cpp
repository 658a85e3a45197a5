// End to end: Elastic EQL rules run by `eksir detect --rules <one .toml>`: an `iam where` rule on
// a Stratus Red Team detonation, and the Bedrock sequence on CloudTrail records written for it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "test_paths.h"

namespace eksir {
namespace {

using test::run_eksir;

std::string elastic_dir() {
  return test::shared_dir() + "/rules/elastic";
}

TEST(EqlE2E, IamWhereRuleFiresOnAStratusDetonation) {
  const std::string sample = test::samples_dir() +
                             "/cloudtrail/stratus-red-team-detonation-logs/"
                             "aws.persistence.iam-create-admin-user.json";
  auto r = run_eksir(
      {"detect", sample, "--rules",
       elastic_dir() +
           "/aws/privilege_escalation_iam_administratoraccess_policy_attached_to_user.toml",
       "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"rule\":{\"id\":\"9aa4be8d-5828-417d-9f54-7cd304571b24\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"title\":\"AWS IAM AdministratorAccess Policy Attached to User\","
                       "\"origin\":\"elastic\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"event_id\":\"083dc4ad-e264-46bc-a407-d0dd31b58bdc\""), std::string::npos)
      << r.out;
}

TEST(EqlE2E, BedrockSequenceFiresOnceInOrder) {
  const std::string dir = test::temp_dir();
  auto record = [](const char* name, const char* time, const char* id) {
    return std::string(
               R"({"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/dev","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEKEY","userName":"dev"},"eventTime":")") +
           time + R"(","eventSource":"bedrock.amazonaws.com","eventName":")" + name +
           R"(","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.4","userAgent":"Boto3/1.34","requestParameters":null,"responseElements":null,"eventID":")" +
           id + R"(","eventType":"AwsApiCall","recipientAccountId":"111122223333"})";
  };
  const std::string ev = dir + "/bedrock.json";
  std::ofstream(ev) << R"({"Records":[)"
                    << record("ListFoundationModels", "2026-03-14T09:00:00Z", "e-1") << ","
                    << record("InvokeModel", "2026-03-14T09:05:00Z", "e-2") << "]}\n";
  auto r = run_eksir(
      {"detect", ev, "--rules",
       elastic_dir() + "/aws/discovery_bedrock_model_recon_and_invocation_via_long_term_key.toml",
       "--no-builtin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"rule\":{\"id\":\"a17f2e5f-de52-49e8-9d86-ccfe91cd54d4\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 steps in order for aws.cloudtrail.user_identity.access_key_id="
                       "AKIAEXAMPLEKEY within 15m"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"event_id\":\"e-1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"event_id\":\"e-2\""), std::string::npos) << r.out;
}

}  // namespace
}  // namespace eksir
