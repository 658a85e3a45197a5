// The argv builder and its grammar: object names after "--", options as --flag=value, hostile
// values refused with the rule they break; validate() on argv read back from a journal; bash
// words shown exactly as they run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "command/command.h"

namespace eksir::command {
namespace {

using Words = std::vector<std::string>;

TEST(CommandArgv, KubectlNamesComeAfterDashDash) {
  Argv a = Builder::kubectl()
               .word("delete")
               .word("clusterrolebinding")
               .flag("--ignore-not-found")
               .name("system:evil:binding")
               .build();
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.words, (Words{"kubectl", "delete", "clusterrolebinding", "--ignore-not-found", "--",
                            "system:evil:binding"}));
  Argv logs = Builder::kubectl()
                  .opt("--context", "prod")
                  .word("logs")
                  .opt("--namespace", "shop")
                  .flag("--all-containers")
                  .name("web-1")
                  .build();
  EXPECT_EQ(logs.words, (Words{"kubectl", "--context=prod", "logs", "--namespace=shop",
                               "--all-containers", "--", "web-1"}));
}

TEST(CommandArgv, HostileNamesAreRefusedWithTheRuleTheyBreak) {
  struct Hostile {
    std::string kind, name, expect;
  };
  for (const auto& h : std::vector<Hostile>{
           {"clusterrolebinding", "--field-selector=metadata.name!=x:y",
            "ClusterRoleBinding name \"--field-selector=metadata.name!=x:y\" is not a valid RBAC "
            "name (a path segment): starts with '-'"},
           {"clusterrolebinding", "-x", "ClusterRoleBinding name \"-x\""},
           {"clusterrolebinding", "--all", "starts with '-'"},
           {"clusterrolebinding", "a/b", "holds '/'"},
           {"pod", "web\x1b[35D",
            "Pod name \"web\\x1b[35D\" is not a valid Kubernetes object name"},
           {"pod", "web\nx", "holds '\\n'"},
           {"pod", "web\u202ex", "holds '\\u202e'"},
           {"namespace", "a.b", "Namespace name \"a.b\" is not a valid DNS-1123 label"},
       }) {
    Argv a = Builder::kubectl().word("delete").word(h.kind).name(h.name).build();
    EXPECT_FALSE(a.ok()) << h.name;
    EXPECT_TRUE(a.words.empty()) << "nothing unchecked is kept";
    EXPECT_NE(a.error.find(h.expect), std::string::npos) << a.error;
  }
}

TEST(CommandArgv, AwsOptionsAreTypedByName) {
  Argv a = Builder::aws("iam", "update-access-key")
               .opt("--user-name", "ci-deployer")
               .opt("--access-key-id", "AKIARQ4WZT7KHB3D6FXQ")
               .opt("--status", "Inactive")
               .build();
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.words, (Words{"aws", "iam", "update-access-key", "--user-name=ci-deployer",
                            "--access-key-id=AKIARQ4WZT7KHB3D6FXQ", "--status=Inactive"}));
  for (const char* user : {"-x", "--user-name", "--access-key-id=AKIAAAAAAAAAAAAAAAAA"}) {
    Argv bad = Builder::aws("iam", "update-access-key").opt("--user-name", user).build();
    EXPECT_NE(bad.error.find("--user-name \"" + std::string(user) +
                             "\" is not a valid IAM user name: starts with '-'"),
              std::string::npos)
        << bad.error;
  }
  Argv role = Builder::aws("iam", "delete-role").opt("--role-name", "-r").build();
  EXPECT_NE(role.error.find("IAM role name"), std::string::npos);
  // Lists: each value checked, none may look like an option.
  Argv groups = Builder::aws("ec2", "modify-instance-attribute")
                    .opt("--instance-id", "i-0abc1234def567890")
                    .list("--groups", {"sg-0123456789abcdef0", "-x"})
                    .build();
  EXPECT_NE(groups.error.find("--groups \"-x\" is not a valid security group id"),
            std::string::npos)
      << groups.error;
  // What the aws CLI would load from a file or a URL is never a value.
  Argv doc = Builder::aws("iam", "put-role-policy")
                 .opt("--role-name", "r")
                 .opt("--policy-name", "p")
                 .opt("--policy-document", "file:///etc/passwd")
                 .build();
  EXPECT_FALSE(doc.ok());
  Argv profile = Builder::aws("sts", "get-caller-identity").opt("--profile", "file://x").build();
  EXPECT_NE(profile.error.find("file or URL"), std::string::npos) << profile.error;
}

TEST(CommandArgv, AnOptionCanNameAnotherTypeForOneService) {
  // cloudtrail's --name is a trail (its name or ARN); everywhere else it is an EKS cluster.
  Argv trail = Builder::aws("cloudtrail", "start-logging")
                   .opt("--name", "arn:aws:cloudtrail:ca-central-1:692581437026:trail/prod.trail")
                   .build();
  ASSERT_TRUE(trail.ok()) << trail.error;
  Argv cluster = Builder::aws("eks", "describe-cluster").opt("--name", "prod.trail").build();
  EXPECT_NE(cluster.error.find("EKS cluster name"), std::string::npos) << cluster.error;
  Argv bad = Builder::aws("cloudtrail", "start-logging").opt("--name", "-x").build();
  EXPECT_NE(bad.error.find("CloudTrail trail name or ARN"), std::string::npos) << bad.error;
  Argv selectors =
      Builder::aws("cloudtrail", "put-event-selectors")
          .opt("--trail-name", "prod-identity-trail")
          .opt("--event-selectors", R"([{"ReadWriteType":"All","IncludeManagementEvents":true}])")
          .build();
  EXPECT_TRUE(selectors.ok()) << selectors.error;
  Argv detach = Builder::aws("iam", "detach-user-policy")
                    .opt("--user-name", "svc-metrics-reader")
                    .opt("--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")
                    .build();
  EXPECT_TRUE(detach.ok()) << detach.error;
  EXPECT_TRUE(Builder::kubectl().word("replace").opt("--filename", "-").build().ok());
}

TEST(CommandArgv, ValidateReadsOnlyTheGrammarEksirWrites) {
  EXPECT_EQ(validate({"kubectl", "uncordon", "--", "ip-10-42-11-27.ec2.internal"}), "");
  EXPECT_EQ(validate({"aws", "--endpoint-url=http://127.0.0.1:1", "eks", "describe-cluster",
                      "--name=prod"}),
            "");
  for (const Words& bad : std::vector<Words>{
           {},
           {"sh", "-c", "id"},
           {"kubectl", "delete", "clusterrolebinding", "--field-selector=metadata.name!=x:y"},
           {"kubectl", "delete", "clusterrolebinding", "name"},  // a name before "--"
           {"kubectl", "delete", "clusterrolebinding", "--", "--all"},
           {"kubectl", "delete", "clusterrolebinding", "--all", "--", "x"},
           {"kubectl", "exec", "--", "pod"},
           {"kubectl", "delete", "secrets", "--", "x"},
           {"kubectl", "uncordon", "-n", "x", "--", "node"},
           {"kubectl", "uncordon", "--namespace=a", "--namespace=b", "--", "node"},
           {"kubectl", "uncordon", "--ignore-not-found=false", "--", "node"},
           {"kubectl", "uncordon", "--"},
           {"kubectl", "label", "pod", "--", "p", "app=web", "q"},
           {"kubectl", "apply", "--filename=/etc/passwd"},
           {"aws", "iam", "create-user", "--user-name=x"},
           {"aws", "cloudtrail", "stop-logging", "--name=trail-1"},
           {"aws", "cloudtrail", "start-logging", "--name=prod..trail"},
           {"aws", "eks", "describe-cluster",
            "--name=arn:aws:cloudtrail:us-east-1:111122223333:trail/t"},
           {"aws", "iam", "detach-user-policy", "--user-name=u",
            "--policy-arn=AdministratorAccess"},
           {"aws", "iam", "update-access-key", "--user-name", "-x"},
           {"aws", "iam", "update-access-key", "--user-name=x", "extra"},
           {"aws", "ec2", "modify-instance-attribute", "--groups=sg-12345678"},
           {"aws", "ec2", "modify-instance-attribute", "--groups", "-sg"},
       }) {
    std::string joined;
    for (const auto& w : bad) joined += w + " ";
    EXPECT_NE(validate(bad), "") << joined;
  }
}

TEST(CommandArgv, WithOptionReplacesAValueAndChecksIt) {
  Words cmd = {"aws",
               "ec2",
               "modify-instance-attribute",
               "--instance-id=i-0abc1234def567890",
               "--groups",
               "sg-0aaaaaaaaaaaaaaaa",
               "--region=us-east-1"};
  Argv back = with_option(cmd, "--groups", {"sg-0123456789abcdef0", "sg-0fedcba9876543210"});
  EXPECT_EQ(
      back.words,
      (Words{"aws", "ec2", "modify-instance-attribute", "--instance-id=i-0abc1234def567890",
             "--groups", "sg-0123456789abcdef0", "sg-0fedcba9876543210", "--region=us-east-1"}));
  EXPECT_FALSE(with_option(cmd, "--groups", {"--all"}).ok());
  EXPECT_FALSE(with_option(cmd, "--groups", {}).ok());
  EXPECT_FALSE(with_option(cmd, "--name", {"x"}).ok());
}

// What bash makes of a word, byte for byte.
std::string through_bash(const std::string& word) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    std::string script = "printf %s " + word;
    ::execl("/bin/bash", "bash", "--norc", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  return out;
}

TEST(CommandShellQuote, ShowsEveryWordExactly) {
  EXPECT_EQ(shell_quote("kube-system"), "kube-system");
  EXPECT_EQ(shell_quote("--namespace=shop"), "--namespace=shop");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  // Escapes that would move the cursor, erase the line or reverse the text are shown as escapes.
  EXPECT_EQ(shell_quote("--field-selector=metadata.name!=x:y\x1b[35Dharmless\x1b[K"),
            "$'--field-selector=metadata.name\\x21=x:y\\x1b[35Dharmless\\x1b[K'");
  EXPECT_EQ(shell_quote("a\u202eb"), "$'a\\xe2\\x80\\xaeb'");
  EXPECT_EQ(shell_quote("a\nb"), "$'a\\nb'");
  EXPECT_EQ(shell_quote("a\xff"), "$'a\\xff'");
  EXPECT_EQ(shell_quote("\xc2\x9b"), "$'\\xc2\\x9b'");  // C1 CSI
  EXPECT_EQ(shell_quote("caf\xc3\xa9"), "'caf\xc3\xa9'");
  for (const std::string& w :
       {std::string("plain"), std::string("a b"), std::string("it's"), std::string("$(id)`id`"),
        std::string("x\x1b[35Dy\x1b[K"), std::string("a\u202eb\u200bc"), std::string("l1\nl2\tt\r"),
        std::string("bad\xff\xfeutf8"), std::string("back\\slash\\x41 'q' \"d\" !bang"),
        std::string("caf\xc3\xa9"), std::string("\x7f\x01")}) {
    EXPECT_EQ(through_bash(shell_quote(w)), w) << shell_quote(w);
  }
  EXPECT_EQ(shell_join({"kubectl", "delete", "clusterrolebinding", "--", "a\x1b[2Kb"}),
            "kubectl delete clusterrolebinding -- $'a\\x1b[2Kb'");
}

TEST(CommandArgv, SetImageAndRolloutUndo) {
  Argv set = Builder::kubectl()
                 .word("set")
                 .word("image")
                 .word("deployment")
                 .opt("--namespace", "shop")
                 .name("web")
                 .name("web=registry.example.com/shop/web:2.4.2")
                 .build();
  ASSERT_TRUE(set.ok()) << set.error;
  EXPECT_EQ(set.words, (Words{"kubectl", "set", "image", "deployment", "--namespace=shop", "--",
                              "web", "web=registry.example.com/shop/web:2.4.2"}));
  EXPECT_EQ(validate({"kubectl", "rollout", "undo", "statefulset", "--namespace=db", "--", "pg"}),
            "");
  // Only the kinds whose template set image changes, and rollout undo rolls back.
  EXPECT_EQ(validate({"kubectl", "set", "image", "pod", "--", "web", "web=nginx:1"}),
            "kubectl set on a pod");
  EXPECT_EQ(validate({"kubectl", "rollout", "undo", "cronjob", "--", "nightly"}),
            "kubectl rollout on a cronjob");
  EXPECT_EQ(validate({"kubectl", "set", "image", "deployment", "--", "web"}),
            "kubectl set without a change");
  EXPECT_EQ(validate({"kubectl", "set", "image", "deployment", "--", "web", "web=nginx:1", "api"}),
            "an object name after a change");
  // A hostile container or image is refused with the rule it breaks.
  Argv hostile = Builder::kubectl()
                     .word("set")
                     .word("image")
                     .word("deployment")
                     .name("web")
                     .name("--kubeconfig=/tmp/x")
                     .build();
  EXPECT_FALSE(hostile.ok());
  EXPECT_TRUE(hostile.words.empty());
  Argv spaces = Builder::kubectl()
                    .word("set")
                    .word("image")
                    .word("daemonset")
                    .name("agent")
                    .name("agent=nginx:1; reboot")
                    .build();
  EXPECT_NE(spaces.error.find("image change \"agent=nginx:1; reboot\" is not a valid image change "
                              "(container=image): image tag holds ';'"),
            std::string::npos)
      << spaces.error;
  // A label change is not an image change, nor the other way round.
  EXPECT_NE(validate({"kubectl", "label", "pod", "--", "web", "web=nginx:1:2"}), "");
  EXPECT_EQ(validate({"kubectl", "label", "deployment", "--", "web", "a=b"}),
            "kubectl label on a deployment");
}

}  // namespace
}  // namespace eksir::command
