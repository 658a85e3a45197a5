// The value rules of the command stage, as tables of values each type must accept and refuse.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command/command.h"

namespace eksir::command {
namespace {

struct Case {
  Type type;
  std::vector<std::string> good, bad;
};

// Values every rule refuses, whatever it names.
const std::vector<std::string> kHostileEverywhere = {
    "", "-x", "--all", "--field-selector=metadata.name!=x:y", "-\x1b[35D", std::string("a\0b", 3),
};

const std::vector<Case> kCases = {
    {Type::k8s_name,
     {"backup-agent", "ip-10-42-11-27.ec2.internal", "a", "web-5d8f7c9b6d-x2k4p",
      std::string(253, 'a')},
     {"Backup", "a_b", "a.", ".a", "a..b", "a;rm -rf /", "x:y", "a b", "a\nb", "a\x1b[35Db",
      "a\u202eb", std::string(254, 'a'), "a-"}},
    {Type::k8s_label_name,
     {"kube-system", "shop", "a1", std::string(63, 'a')},
     {"Kube-System", "a.b", "a-", std::string(64, 'a'), "a\tb"}},
    {Type::rbac_name,
     {"backup-sa-admin", "system:controller:x", "x:y", "a b", "évil", "a\x1b[35Db", "a\u202eb",
      "a\nb"},
     {".", "..", "a/b", "a%2f", "\xff\xfe", std::string(1025, 'a')}},
    {Type::label_key,
     {"app", "app.kubernetes.io/name", "eksir/quarantine", "k8s-app", "A_b.c"},
     {"a/b/c", "/a", "a/", "_a", "a_", "Bad.Prefix/x", std::string(64, 'a'), "a b"}},
    {Type::label_selector,
     {"app=web", "app!=backup-agent", "app=web,tier=frontend", "eksir/quarantine!=p"},
     {"app", "app=web,", "=x", "app=$(id)", "app==x"}},
    {Type::label_change, {"eksir/quarantine=p", "eksir/quarantine-", "a="}, {"a", "a_-", "=-"}},
    {Type::kube_context,
     {"prod", "arn:aws:eks:us-east-1:111122223333:cluster/prod", "admin@prod"},
     {"a\x1b[2Jb", "a\nb", "a\u200bb"}},
    {Type::k8s_time,
     {"2026-03-14T09:12:31Z", "2026-03-14T09:12:31.250Z"},
     {"2026-03-14", "2026-03-14T09:12:31", "yesterday", "2026-03-14T09:12:31.Z"}},
    {Type::duration, {"300s", "5m", "1h"}, {"300", "5d", "s", "1.5h"}},
    {Type::kubectl_output,
     {"json", "yaml", "wide", "name", "jsonpath={.spec.unschedulable}"},
     {"go-template={{.}}", "jsonpath={.metadata}", "JSON"}},
    {Type::iam_user_name,
     {"ci-deployer", "a+b=c,d.e@f_g-h", std::string(64, 'a')},
     {"ci deployer", "ci`id`", "a/b", "a:b", std::string(65, 'a'), "é"}},
    {Type::iam_role_name, {"eks-backup-operator"}, {"role/x", "x;y"}},
    {Type::iam_policy_name,
     {"eksir-revoke-older-sessions", std::string(128, 'p')},
     {std::string(129, 'p'), "a b"}},
    {Type::iam_principal_arn,
     {"arn:aws:iam::111122223333:role/eks-backup-operator",
      "arn:aws:iam::111122223333:user/ci-deployer", "arn:aws:iam::111122223333:role/path/to/r",
      "arn:aws-cn:iam::111122223333:role/x", "arn:aws-us-gov:iam::111122223333:user/x"},
     {"arn:aws:iam::11112222333:role/x", "arn:aws:iam::1111222233334:role/x",
      "arn:aws:iam:us-east-1:111122223333:role/x", "arn:aws:sts::111122223333:assumed-role/x/y",
      "arn:evil:iam::111122223333:role/x", "arn:aws:iam::111122223333:group/x",
      "arn:aws:iam::111122223333:role/", "arn:aws:iam::111122223333:role//x",
      "arn:aws:iam::111122223333:role/x y", "arn:aws:iam::abcdefghijkl:role/x"}},
    {Type::iam_role_arn,
     {"arn:aws:iam::111122223333:role/r"},
     {"arn:aws:iam::111122223333:user/u"}},
    {Type::iam_policy_arn,
     {"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::111122223333:policy/p",
      "arn:aws:iam::aws:policy/service-role/AmazonEKSClusterPolicy",
      "arn:aws-cn:iam::aws:policy/x"},
     {"AdministratorAccess", "arn:aws:iam::aws:role/x", "arn:aws:iam::aws:policy/",
      "arn:aws:iam:us-east-1:aws:policy/x", "arn:aws:iam::12345:policy/x",
      "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      "arn:aws:iam::aws:policy/a b", "arn:aws:iam::aws:policy//x"}},
    {Type::trail_name,
     {"prod-identity-trail", "org.trail_1", "abc",
      "arn:aws:cloudtrail:ca-central-1:692581437026:trail/prod-identity-trail"},
     {"ab", "_trail", "trail-", "a..b", "a-_b", "trail name", std::string(129, 't'),
      "arn:aws:cloudtrail:ca-central-1:69258143702:trail/t1",
      "arn:aws:s3:ca-central-1:692581437026:trail/t1", "arn:aws:cloudtrail::692581437026:trail/t1",
      "arn:aws:cloudtrail:ca-central-1:692581437026:bucket/t1"}},
    {Type::access_key_id,
     {"AKIARQ4WZT7KHB3D6FXQ", "ASIARQ4WZT7KHB3D6FXQ", "AKIA0123456789AB"},
     {"AKIA0123456789A", "akiarq4wzt7khb3d6fxq", "AGPARQ4WZT7KHB3D6FXQ", "AKIA-RQ4WZT7KHB3D6FX"}},
    {Type::access_key_status, {"Active", "Inactive"}, {"active", "Deleted"}},
    {Type::instance_id,
     {"i-0abc1234def567890", "i-0abc1234"},
     {"i-0abc1234def56789", "i-0ABC1234DEF567890", "i-", "sg-0abc1234", "i-0abc1234def567890 "}},
    {Type::security_group_id, {"sg-0a7b9c1d2e3f40516", "sg-12345678"}, {"sg-1234", "sg-zzzzzzzz"}},
    {Type::sg_rule_id, {"sgr-0e1f2a3b4c5d6e7f8"}, {"sgr-", "sg-0e1f2a3b4c5d6e7f8"}},
    {Type::snapshot_id, {"snap-0123456789abcdef0"}, {"snap-x"}},
    {Type::cluster_name,
     {"prod-payments", "Prod_1", std::string(100, 'c')},
     {"_prod", "prod.payments", "prod payments", std::string(101, 'c')}},
    {Type::nodegroup_name, {"prod-payments-general"}, {std::string(64, 'n'), "ng/1"}},
    {Type::region,
     {"us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-4", "us-isob-east-1"},
     {"us-east", "US-EAST-1", "us_east_1", "useast1", "us-east-1a", "x"}},
    {Type::ipv4_cidr,
     {"10.42.0.0/16", "0.0.0.0/0", "192.0.2.1/32"},
     {"10.42.0.0", "10.42.0.0/33", "256.0.0.0/8", "10.0.0/8", "10.0.0.0/8x", "::/0"}},
    {Type::vpc_config,
     {"endpointPublicAccess=true,publicAccessCidrs=10.42.0.0/16",
      "endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0,192.0.2.0/24",
      "endpointPublicAccess=false"},
     {"endpointPublicAccess=yes", "endpointPublicAccess=true,publicAccessCidrs=x",
      "endpointPrivateAccess=false", "endpointPublicAccess=true,endpointPrivateAccess=false"}},
    {Type::instance_spec,
     {"InstanceId=i-0abc1234def567890,ExcludeBootVolume=false"},
     {"InstanceId=i-x,ExcludeBootVolume=false", "InstanceId=i-0abc1234def567890"}},
    {Type::description,
     {"eksir evidence of i-0abc1234def567890 for INC-1"},
     {"a\nb", "caf\xc3\xa9", std::string(256, 'd')}},
    {Type::json_document, {R"({"Version":"2012-10-17"})", "[1]"}, {"{", "not json", "\"string\""}},
    {Type::url,
     {"https://eks.us-east-1.amazonaws.com", "http://127.0.0.1:4566"},
     {"ftp://x", "https://a b", "file:///etc/passwd"}},
    {Type::aws_time, {"1773446400000", "2026-03-14T00:00:00Z"}, {"now", "1773446400000.5"}},
    {Type::log_group_name, {"/aws/eks/prod-payments/cluster"}, {"/aws/eks/a b", "x*"}},
    {Type::jmespath, {"[Account,Arn,UserId]", "FindingIds"}, {"Findings[?a=='b']", "a b"}},
    {Type::lookup_attribute,
     {"AttributeKey=EventSource,AttributeValue=eks.amazonaws.com"},
     {"AttributeKey=Username,AttributeValue=x",
      "AttributeKey=EventSource,AttributeValue=.amazonaws.com"}},
    {Type::guardduty_id, {"6ac1f2e3d4b5a69788c9d0e1f2a3b4c5", "det"}, {"None", "a-b", "a b"}},
    {Type::count, {"10", "1000"}, {"0", "010", "1e3"}},
    {Type::image_ref,
     {"nginx", "nginx:1.25", "library/nginx:latest", "localhost/web",
      "111122223333.dkr.ecr.us-west-2.amazonaws.com/shop/web:2026.03.18-2",
      "203.0.113.45:5000/tools/backup:latest", "registry.example.com/a__b/c--d/e.f_g:V1.0_rc-1",
      "web@sha256:" + std::string(64, 'a'), "ghcr.io/org/web:1@sha256:" + std::string(64, 'f')},
     {"Nginx",
      "nginx:",
      "nginx:-1",
      "nginx:.1",
      "a b",
      "web:1;reboot",
      "web:1 --kubeconfig=/x",
      "web$(id)",
      "web\n",
      "a//b",
      "a/",
      "/a",
      "a..b",
      "a___b",
      "a._b",
      "registry:port/web",
      "web@sha256:abc",
      "web@sha256:" + std::string(64, 'G'),
      "web:" + std::string(129, 'a'),
      "reg.example.com/-web",
      "web\u202e"}},
    {Type::image_change,
     {"web=nginx:1.25", "sidecar-1=registry.example.com/a/b@sha256:" + std::string(64, 'a')},
     {"web", "=nginx", "web=", "Web=nginx", "--kubeconfig=/tmp/x", "a/b=nginx", "web=a b",
      "web=nginx;id", "web=-x"}},
    {Type::page_token, {"eyJOZXh0VG9rZW4iOiBudWxsfQ==", "abc/+="}, {"a b", "a\nb"}},
    {Type::aws_account_id, {"111122223333"}, {"11112222333", "1111222233334", "aws"}},
    {Type::ecr_repository_name,
     {"payments-api", "team/web", "a.b_c-d/e1", std::string(256, 'r')},
     {"a", "Web", "a--b", "a/", "/a", "a//b", "a:b", "a@b", "a b", std::string(257, 'r')}},
    {Type::ecr_image_id,
     {"imageTag=2026.03.14-2", "imageTag=_x", "imageDigest=sha256:" + std::string(64, 'a')},
     {"latest", "imageTag=", "imageTag=.x", "imageTag=a,imageDigest=x", "imageTag=a b",
      "imageDigest=sha256:" + std::string(63, 'a'), "imageDigest=sha256:" + std::string(64, 'A'),
      "imageDigest=sha512:" + std::string(64, 'a'), "imageTag=" + std::string(129, 't')}},
};

TEST(CommandRules, EachTypeAcceptsItsValuesAndRefusesTheRest) {
  for (const auto& c : kCases) {
    for (const auto& v : c.good)
      EXPECT_EQ(check(c.type, v), "") << rule_name(c.type) << ": \"" << v << "\"";
    for (const auto& v : c.bad)
      EXPECT_NE(check(c.type, v), "") << rule_name(c.type) << ": \"" << v << "\" accepted";
    for (const auto& v : kHostileEverywhere)
      EXPECT_NE(check(c.type, v), "") << rule_name(c.type) << ": \"" << v << "\" accepted";
  }
}

TEST(CommandRules, ReasonsSayWhatIsWrong) {
  EXPECT_EQ(check(Type::rbac_name, "--field-selector=metadata.name!=x:y"),
            "starts with '-' (it would be read as an option)");
  EXPECT_EQ(check(Type::k8s_name, "a\x1b[35D"), "holds '\\x1b'");
  EXPECT_EQ(check(Type::k8s_name, "a\u202eb"), "holds '\\u202e'");
  EXPECT_EQ(check(Type::rbac_name, "a/b"), "holds '/'");
  EXPECT_EQ(check(Type::iam_principal_arn, "arn:aws:iam::1:role/x"), "has no 12-digit account");
  EXPECT_EQ(explain(Type::iam_user_name, "-x", "--user-name"),
            "--user-name \"-x\" is not a valid IAM user name: starts with '-' (it would be read as "
            "an option)");
  EXPECT_EQ(explain(Type::iam_user_name, "ok", "--user-name"), "");
  // The stdin marker is the one value that is "-", and only as itself.
  EXPECT_EQ(check(Type::stdin_file, "-"), "");
  EXPECT_NE(check(Type::stdin_file, "--"), "");
  // A label value may be empty (Kubernetes allows it); nothing else may.
  EXPECT_EQ(check(Type::label_value, ""), "");
}

}  // namespace
}  // namespace eksir::command
