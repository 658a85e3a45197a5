// The context check before --execute: which kubeconfig names and which callers are the case's.
#include <gtest/gtest.h>

#include "respond/context_check.h"
#include "respond/resume.h"

namespace eksir::respond {
namespace {

Plan payments() {
  Plan p;
  p.phase = Phase::contain;
  p.cluster = "prod-payments";
  p.region = "us-east-1";
  p.account = "111122223333";
  p.cluster_arn = "arn:aws:eks:us-east-1:111122223333:cluster/prod-payments";
  return p;
}

TEST(ContextCheck, KubeconfigNamesOfTheCasesCluster) {
  Plan p = payments();
  const std::string arn = p.cluster_arn;
  // aws eks update-kubeconfig: context and cluster are the ARN.
  EXPECT_EQ(kube_mismatch(p, {arn, arn, "https://ABC.gr7.us-east-1.eks.amazonaws.com"}), "");
  // A renamed context still pointing at the cluster entry of the ARN.
  EXPECT_EQ(kube_mismatch(p, {"payments", arn, ""}), "");
  // eksctl.
  EXPECT_EQ(kube_mismatch(p, {"ops@prod-payments.us-east-1.eksctl.io",
                              "prod-payments.us-east-1.eksctl.io", ""}),
            "");
  // The plain name.
  EXPECT_EQ(kube_mismatch(p, {"prod-payments", "prod-payments", ""}), "");
}

TEST(ContextCheck, OtherClustersAndUnrecognisableNamesDiffer) {
  Plan p = payments();
  std::string m =
      kube_mismatch(p, {"staging", "arn:aws:eks:us-east-1:111122223333:cluster/staging", ""});
  EXPECT_NE(m.find("kubectl context \"staging\" points to cluster "
                   "\"arn:aws:eks:us-east-1:111122223333:cluster/staging\""),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("the case's cluster is prod-payments (" + p.cluster_arn + ")"),
            std::string::npos)
      << m;
  // Same name, another account or region.
  EXPECT_NE(kube_mismatch(p, {"x", "arn:aws:eks:us-east-1:444455556666:cluster/prod-payments", ""}),
            "");
  EXPECT_NE(kube_mismatch(
                p, {"prod-payments.eu-west-1.eksctl.io", "prod-payments.eu-west-1.eksctl.io", ""}),
            "");
  // A context named like the case's that points at another cluster's ARN.
  EXPECT_NE(
      kube_mismatch(p, {"prod-payments", "arn:aws:eks:us-east-1:111122223333:cluster/dev", ""}),
      "");
  // The API server of another region.
  EXPECT_NE(kube_mismatch(p, {"prod-payments", "prod-payments",
                              "https://ABC.gr7.eu-west-1.eks.amazonaws.com"}),
            "");
  // Nothing that names an EKS cluster: not confirmed, so refused.
  EXPECT_NE(kube_mismatch(p, {"kind-kind", "kind-kind", "https://127.0.0.1:6443"}), "");
  // Names from a kubeconfig reach the message escaped.
  m = kube_mismatch(p, {"evil\x1b[2J", "c", ""});
  EXPECT_EQ(m.find('\x1b'), std::string::npos);
  EXPECT_NE(m.find("evil\\x1b[2J"), std::string::npos) << m;
}

TEST(ContextCheck, CaseKnownOnlyByItsArn) {
  Plan p;
  p.cluster_arn = "arn:aws:eks:us-east-1:111122223333:cluster/prod-payments";
  EXPECT_EQ(kube_mismatch(p, {p.cluster_arn, p.cluster_arn, ""}), "");
  EXPECT_EQ(account_mismatch(p, {"111122223333", "arn:aws:iam::111122223333:user/r"}), "");
  EXPECT_NE(account_mismatch(p, {"444455556666", "arn:aws:iam::444455556666:user/r"}), "");
}

TEST(ContextCheck, ReadsKubectlAndStsOutput) {
  std::string error;
  auto t = read_kube_target(R"({"kind":"Config","current-context":"ctx",
      "clusters":[{"name":"c1","cluster":{"server":"https://s"}}],
      "contexts":[{"name":"ctx","context":{"cluster":"c1","user":"u"}}]})",
                            error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->context, "ctx");
  EXPECT_EQ(t->cluster, "c1");
  EXPECT_EQ(t->server, "https://s");
  EXPECT_FALSE(read_kube_target(R"({"kind":"Config","contexts":[]})", error));
  EXPECT_FALSE(read_kube_target("not json", error));
  auto c = read_aws_caller(R"({"UserId":"AIDA","Account":"111122223333","Arn":"arn:x"})", error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->account, "111122223333");
  EXPECT_FALSE(read_aws_caller("{}", error));
}

TEST(ContextCheck, RunsOnlyTheSidesAsked) {
  Plan p = payments();
  std::vector<std::vector<std::string>> ran;
  auto runner = [&](const std::vector<std::string>& argv) {
    ran.push_back(argv);
    ProcessResult r;
    r.exit_status = 0;
    r.out = argv[0] == "aws"
                ? R"({"Account":"111122223333","Arn":"arn:aws:iam::111122223333:user/r"})"
                : R"({"current-context":")" + p.cluster_arn + R"(","contexts":[{"name":")" +
                      p.cluster_arn + R"(","context":{"cluster":")" + p.cluster_arn + R"("}}]})";
    return r;
  };
  ContextCheck c = check_context(p, "", false, true, runner);
  EXPECT_TRUE(c.ok());
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0], (std::vector<std::string>{"aws", "sts", "get-caller-identity",
                                              "--region=us-east-1", "--output=json"}));
  ran.clear();
  c = check_context(p, "prod", true, false, runner);
  EXPECT_TRUE(c.ok()) << (c.problems.empty() ? "" : c.problems[0]);
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0], (std::vector<std::string>{"kubectl", "--context=prod", "config", "view",
                                              "--minify", "--output=json"}));
  // A program that fails: the check cannot confirm, and says why.
  c = check_context(p, "", true, true, [](const std::vector<std::string>&) {
    return ProcessResult{1, "", "error: current-context must exist in order to minify\n"};
  });
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_NE(c.problems[0].find("current-context must exist"), std::string::npos);
  // A case that does not name its cluster or account: not checked, said so.
  c = check_context(Plan{}, "", true, true, runner);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.unchecked.size(), 2u);
}

TEST(Resume, StepRefsByIdOrNumber) {
  Plan p = payments();
  for (const char* id : {"contain/a", "contain/iam/a,b@x", "contain/c"}) {
    Step s;
    s.id = id;
    p.steps.push_back(s);
  }
  EXPECT_EQ(split_step_refs({"1,3", "contain/iam/a,b@x", "2"}),
            (std::vector<std::string>{"1", "3", "contain/iam/a,b@x", "2"}));
  std::string error;
  EXPECT_EQ(find_step(p, "2", "--skip", error), 1u);
  EXPECT_EQ(find_step(p, "contain/iam/a,b@x", "--skip", error), 1u);
  EXPECT_FALSE(find_step(p, "4", "--skip", error));
  EXPECT_EQ(error, "--skip 4: the contain plan has 3 steps");
  EXPECT_FALSE(find_step(p, "0", "--step", error));
  EXPECT_EQ(error, "--step 0: steps are numbered from 1");
  EXPECT_FALSE(find_step(p, "-2", "--step", error));
  EXPECT_FALSE(find_step(p, "contain/none", "--skip", error));
}

TEST(Resume, GoOnLinesAreQuotedForBash) {
  RespondOptions o;
  o.phase = Phase::contain;
  o.yes = true;
  o.plan.kube_context = "prod ctx";
  o.plan.trusted_cidrs = {"10.0.0.0/8"};
  std::string text = how_to_go_on(o, "/cases/INC 1", 3, "contain/netpol/ns/it's\x1b[2J", true);
  EXPECT_NE(text.find("eksir respond '/cases/INC 1' --phase contain --execute --yes --context "
                      "'prod ctx' --trusted-cidr 10.0.0.0/8 --continue\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("--skip $'contain/netpol/ns/it\\'s\\x1b[2J'"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace eksir::respond
