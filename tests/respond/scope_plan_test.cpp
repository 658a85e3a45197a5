// The planner on an incident scoped to the attacker (fixtures/scoped.json: IAM, EKS access,
// aws-auth, CloudTrail; fixtures/workloads.json: controllers, pods, nodes): every rule of the
// response to the attacker's scope, one test each.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "respond/respond.h"
#include "test_paths.h"

namespace eksir::respond {
namespace {

using Argv = std::vector<std::string>;
using nlohmann::json;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fixtures() {
  return test::source_dir() + "/tests/respond/fixtures";
}

PlanOptions options() {
  PlanOptions o;
  o.trusted_cidrs = {"10.0.0.0/8"};
  o.isolation_sg = "sg-0bbbbbbbbbbbbbbbb";
  o.base_dir = fixtures();
  o.now = parse_time("2026-05-01T13:00:00Z");
  return o;
}

Plan plan(const std::string& file, Phase phase,
          const std::vector<store::JournalEntry>& journal = {}, const std::string& text = "") {
  PlanResult r =
      build_plan(text.empty() ? slurp(fixtures() + "/" + file) : text, phase, options(), journal);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.plan;
}

const Step* find(const Plan& p, std::string_view id) {
  for (const auto& s : p.steps)
    if (s.id == id) return &s;
  return nullptr;
}

size_t index_of(const Plan& p, std::string_view id) {
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (p.steps[i].id == id) return i;
  return SIZE_MAX;
}

std::string ids(const Plan& p) {
  std::string out;
  for (const auto& s : p.steps) out += s.id + (s.blocked.empty() ? "" : " [blocked]") + "\n";
  return out;
}

bool mentions(const Plan& p, std::string_view text) {
  return std::any_of(p.notes.begin(), p.notes.end(),
                     [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

// Unblocked steps whose argv holds every word.
std::vector<const Step*> runnable(const Plan& p, const Argv& words) {
  std::vector<const Step*> out;
  for (const auto& s : p.steps) {
    if (!s.blocked.empty()) continue;
    bool all = std::all_of(words.begin(), words.end(), [&](const std::string& w) {
      return std::any_of(s.command.argv.begin(), s.command.argv.end(),
                         [&](const std::string& a) { return a.find(w) != std::string::npos; });
    });
    if (all) out.push_back(&s);
  }
  return out;
}

// ---- credentials

TEST(RespondScope, AttackerKeysAreDeactivatedThenDeleted) {
  Plan c = plan("scoped.json", Phase::contain);
  const Step* used = find(c, "contain/deactivate-key/AKIAEXAMPLEKEY000001");
  ASSERT_TRUE(used) << ids(c);
  EXPECT_TRUE(used->blocked.empty()) << used->blocked;
  EXPECT_EQ(used->command.argv[3], "--user-name=ci-bot");
  const Step* made = find(c, "contain/deactivate-key/AKIAEXAMPLEKEY000002");
  ASSERT_TRUE(made);
  EXPECT_NE(made->action.find("the attacker created"), std::string::npos);
  Plan e = plan("scoped.json", Phase::eradicate);
  EXPECT_TRUE(find(e, "eradicate/delete-key/AKIAEXAMPLEKEY000001")) << ids(e);
  EXPECT_TRUE(find(e, "eradicate/delete-key/AKIAEXAMPLEKEY000002"));
}

TEST(RespondScope, SessionsOfEveryRoleTheAttackerUsedAreRevokedNodeRolesIncluded) {
  Plan c = plan("scoped.json", Phase::contain);
  for (const char* role : {"ci-release", "made-role", "prod-x-node-role"}) {
    const Step* s = find(c, std::string("contain/revoke-sessions/") + role);
    ASSERT_TRUE(s) << role << "\n" << ids(c);
    EXPECT_TRUE(s->blocked.empty()) << role << ": " << s->blocked;
    EXPECT_EQ(s->command.argv[2], "put-role-policy");
  }
  const Step* node = find(c, "contain/revoke-sessions/prod-x-node-role");
  EXPECT_NE(node->impact.find("every node of the role loses its AWS credentials"),
            std::string::npos)
      << node->impact;
  EXPECT_NE(node->warning.find("a node role"), std::string::npos);
  // An Identity Center role cannot be changed in IAM: blocked, saying where to act.
  const Step* sso = find(c, "contain/revoke-sessions/AWSReservedSSO_Admin_0123456789abcdef");
  ASSERT_TRUE(sso);
  EXPECT_NE(sso->blocked.find("IAM Identity Center"), std::string::npos) << sso->blocked;
  EXPECT_NE(sso->blocked.find("dev@example.com"), std::string::npos);
}

TEST(RespondScope, IamActsOnlyInTheAccountThatOwnsThePrincipal) {
  Plan c = plan("scoped.json", Phase::contain);
  const Step* role = find(c, "contain/revoke-sessions/partner-audit");
  ASSERT_TRUE(role) << ids(c);
  EXPECT_NE(role->blocked.find("role partner-audit belongs to account 222233334444"),
            std::string::npos)
      << role->blocked;
  EXPECT_NE(role->blocked.find("revoke its sessions from account 222233334444"), std::string::npos);
  const Step* key = find(c, "contain/deactivate-key/AKIAEXAMPLEKEY000003");
  ASSERT_TRUE(key);
  EXPECT_NE(key->blocked.find("222233334444"), std::string::npos) << key->blocked;
  Plan e = plan("scoped.json", Phase::eradicate);
  EXPECT_NE(find(e, "eradicate/delete-key/AKIAEXAMPLEKEY000003")->blocked.find("222233334444"),
            std::string::npos);
  // Never an IAM command that could run against the other account's principals.
  for (const Plan* p : {&c, &e}) {
    for (const auto* s : runnable(*p, {"partner-audit"}))
      EXPECT_NE(s->command.argv[1], "iam") << s->id;
    for (const auto* s : runnable(*p, {"partner-sync"}))
      EXPECT_NE(s->command.argv[1], "iam") << s->id;
  }
  EXPECT_FALSE(find(e, "eradicate/delete-role/partner-audit"));
  EXPECT_TRUE(mentions(e, "role partner-audit belongs to account 222233334444"));
}

TEST(RespondScope, AccessEntriesTheAttackerMadeAreRemovedAfterTheirCapture) {
  Plan c = plan("scoped.json", Phase::contain);
  std::string arn = "arn:aws:iam::222233334444:role/partner-audit";
  size_t evidence = index_of(c, "contain/evidence/access-entry-policies/" + arn);
  size_t del = index_of(c, "contain/delete-access-entry/" + arn);
  ASSERT_NE(del, SIZE_MAX) << ids(c);
  ASSERT_LT(evidence, del);
  EXPECT_EQ(c.steps[evidence].command.argv[2], "list-associated-access-policies");
  const Step& s = c.steps[del];
  EXPECT_EQ(s.command.argv,
            (Argv{"aws", "eks", "delete-access-entry", "--cluster-name=prod-x",
                  "--principal-arn=" + arn, "--region=eu-west-1", "--output=json"}));
  EXPECT_EQ(s.capture.argv[2], "describe-access-entry");
  // An entry nothing shows the attacker made stays, and the plan says so.
  EXPECT_TRUE(runnable(c, {"delete-access-entry", "legit-readonly"}).empty());
  EXPECT_TRUE(mentions(c, "legit-readonly"));
  // Eradication removes it only when containment has not.
  Plan e = plan("scoped.json", Phase::eradicate);
  EXPECT_TRUE(find(e, "eradicate/delete-access-entry/" + arn));
  store::JournalEntry done;
  done.step_id = "contain/delete-access-entry/" + arn;
  done.phase = "contain";
  done.exit_status = 0;
  Plan after = plan("scoped.json", Phase::eradicate, {done});
  EXPECT_FALSE(find(after, "eradicate/delete-access-entry/" + arn));
}

TEST(RespondScope, TheExactAwsAuthEntryTheAttackerAddedIsRemoved) {
  Plan c = plan("scoped.json", Phase::contain);
  const Step* s = find(c, "contain/aws-auth-revert/kube-system/aws-auth");
  ASSERT_TRUE(s) << ids(c);
  EXPECT_TRUE(s->blocked.empty()) << s->blocked;
  EXPECT_EQ(s->command.argv, (Argv{"kubectl", "replace", "--filename=-"}));
  EXPECT_EQ(s->capture.argv, (Argv{"kubectl", "get", "configmap", "--namespace=kube-system",
                                   "--output=yaml", "--", "aws-auth"}));
  json m = json::parse(s->manifest_json);
  EXPECT_EQ(m["metadata"]["name"], "aws-auth");
  EXPECT_EQ(m["metadata"]["resourceVersion"], "4242");  // a replace that fails if it changed
  std::string roles = m["data"]["mapRoles"];
  // The node role stays; of made-role's two mappings only the attacker's (system:masters) goes.
  EXPECT_NE(roles.find("prod-x-node-role"), std::string::npos) << roles;
  EXPECT_NE(roles.find("ops-readonly"), std::string::npos) << roles;
  EXPECT_EQ(roles.find("system:masters"), std::string::npos) << roles;
  EXPECT_EQ(roles.find("made:{{SessionName}}"), std::string::npos) << roles;
  // The other keys, untouched.
  json snapshot = json::parse(slurp(fixtures() + "/scoped-aws-auth.json"))["items"][0];
  EXPECT_EQ(m["data"]["mapUsers"], snapshot["data"]["mapUsers"]);
  EXPECT_EQ(m["data"]["mapAccounts"], snapshot["data"]["mapAccounts"]);
  EXPECT_TRUE(s->permanent);
  // Never the whole ConfigMap.
  EXPECT_TRUE(runnable(c, {"delete", "configmap"}).empty());
  // What the ConfigMap schema allows (the shared schemas hold none for ConfigMap): these fields
  // only, and string data.
  EXPECT_EQ(m["apiVersion"], "v1");
  EXPECT_EQ(m["kind"], "ConfigMap");
  for (const auto& [k, v] : m.items())
    EXPECT_TRUE(k == "apiVersion" || k == "kind" || k == "metadata" || k == "data") << k;
  for (const auto& [k, v] : m["metadata"].items()) {
    EXPECT_TRUE(k == "name" || k == "namespace" || k == "resourceVersion") << k;
    EXPECT_TRUE(v.is_string()) << k;
  }
  for (const auto& [k, v] : m["data"].items()) EXPECT_TRUE(v.is_string()) << k;
  // The YAML on stdin is the same object.
  EXPECT_NE(s->command.stdin_text.find("resourceVersion: \"4242\""), std::string::npos)
      << s->command.stdin_text;
}

TEST(RespondScope, AwsAuthRevertIsBlockedWhenTheSnapshotCannotBuildIt) {
  json doc = json::parse(slurp(fixtures() + "/scoped.json"));
  // No snapshot among the inputs.
  json none = doc;
  none["run"]["inputs"] = json::array();
  Plan p1 = plan("", Phase::contain, {}, none.dump());
  const Step* s = find(p1, "contain/aws-auth-revert/kube-system/aws-auth");
  ASSERT_TRUE(s);
  EXPECT_NE(s->blocked.find("holds no kube-system/aws-auth"), std::string::npos) << s->blocked;
  EXPECT_TRUE(s->command.empty());
  // The snapshot does not hold the entry (taken before the write).
  json other = doc;
  for (auto& a : other["incident"]["affected"])
    if (a["kind"] == "aws_auth_entry") a["attributes"]["groups"] = "system:nodes";
  Plan p2 = plan("", Phase::contain, {}, other.dump());
  s = find(p2, "contain/aws-auth-revert/kube-system/aws-auth");
  ASSERT_TRUE(s);
  EXPECT_NE(s->blocked.find("does not hold the mapRoles entry"), std::string::npos) << s->blocked;
  // The snapshot changed since the investigation.
  json changed = doc;
  changed["run"]["inputs"][0]["sha256"] = std::string(64, '0');
  Plan p3 = plan("", Phase::contain, {}, changed.dump());
  s = find(p3, "contain/aws-auth-revert/kube-system/aws-auth");
  ASSERT_TRUE(s);
  EXPECT_NE(s->blocked.find("SHA-256 differs"), std::string::npos) << s->blocked;
}

TEST(RespondScope, ABindingForEveryoneIsDeletedInContainmentAndOnlyTheAttackersAtAll) {
  Plan c = plan("scoped.json", Phase::contain);
  const Step* open = find(c, "contain/delete-clusterrolebinding/system:viewer-ext");
  ASSERT_TRUE(open) << ids(c);
  EXPECT_EQ(open->command.argv, (Argv{"kubectl", "delete", "clusterrolebinding",
                                      "--ignore-not-found", "--", "system:viewer-ext"}));
  Plan e = plan("scoped.json", Phase::eradicate);
  // Named like a built-in binding, but the attacker's: deleted.
  EXPECT_TRUE(find(e, "eradicate/delete-clusterrolebinding/system:viewer-ext")) << ids(e);
  // The default binding is not.
  EXPECT_FALSE(find(c, "contain/delete-clusterrolebinding/system:viewer"));
  EXPECT_FALSE(find(e, "eradicate/delete-clusterrolebinding/system:viewer"));
  EXPECT_TRUE(mentions(e, "ClusterRoleBinding system:viewer is in the incident"));
}

// ---- deletion: only what the attacker created

TEST(RespondScope, OnlyWhatTheAttackerCreatedIsDeletedWhateverTheReasonSays) {
  Plan e = plan("scoped.json", Phase::eradicate);
  // ci-release's reason says "created by platform-team": it existed before, and stays.
  EXPECT_FALSE(find(e, "eradicate/delete-role/ci-release")) << ids(e);
  EXPECT_TRUE(runnable(e, {"delete-role", "ci-release"}).empty());
  EXPECT_FALSE(find(e, "eradicate/delete-role/prod-x-node-role"));
  EXPECT_TRUE(mentions(e, "prod-x-node-role is the nodes' role"));
  EXPECT_FALSE(find(e, "eradicate/delete-user/ci-bot"));
  EXPECT_FALSE(find(e, "eradicate/delete-role/AWSReservedSSO_Admin_0123456789abcdef"));
  // The role the attacker created is deleted.
  const Step* made = find(e, "eradicate/delete-role/made-role");
  ASSERT_TRUE(made);
  EXPECT_TRUE(made->blocked.empty());
  EXPECT_NE(made->expected.find("999988887777"), std::string::npos);
}

TEST(RespondScope, AUserTheAttackerCreatedGoesAfterItsKeysAndPolicies) {
  Plan e = plan("scoped.json", Phase::eradicate);
  size_t key = index_of(e, "eradicate/delete-key/AKIAEXAMPLEKEY000002");
  size_t detach = index_of(
      e, "eradicate/detach-user-policy/backdoor/arn:aws:iam::aws:policy/AdministratorAccess");
  size_t user = index_of(e, "eradicate/delete-user/backdoor");
  ASSERT_NE(user, SIZE_MAX) << ids(e);
  ASSERT_NE(detach, SIZE_MAX) << ids(e);
  EXPECT_LT(key, user);
  EXPECT_LT(detach, user);
  EXPECT_EQ(e.steps[detach].command.argv,
            (Argv{"aws", "iam", "detach-user-policy", "--user-name=backdoor",
                  "--policy-arn=arn:aws:iam::aws:policy/AdministratorAccess", "--region=eu-west-1",
                  "--output=json"}));
  EXPECT_EQ(e.steps[user].command.argv[2], "delete-user");
  EXPECT_EQ(e.steps[user].capture.argv[2], "get-user");
  // A user whose attached policies the incident does not name: a blocked step says how to find
  // them.
  json doc = json::parse(slurp(fixtures() + "/scoped.json"));
  for (auto& a : doc["incident"]["affected"])
    if (a["name"] == "backdoor") a["attributes"].erase("attached_policies");
  Plan unknown = plan("", Phase::eradicate, {}, doc.dump());
  const Step* blocked = find(unknown, "eradicate/detach-user-policies/backdoor");
  ASSERT_TRUE(blocked) << ids(unknown);
  EXPECT_NE(blocked->blocked.find("list-attached-user-policies"), std::string::npos);
  EXPECT_LT(index_of(unknown, "eradicate/detach-user-policies/backdoor"),
            index_of(unknown, "eradicate/delete-user/backdoor"));
}

// ---- logging

TEST(RespondScope, LoggingTheAttackerTurnedOffIsTurnedBackOn) {
  Plan c = plan("scoped.json", Phase::contain);
  const Step* start = find(c, "contain/trail-start-logging/org-trail");
  ASSERT_TRUE(start) << ids(c);
  EXPECT_TRUE(start->blocked.empty()) << start->blocked;
  // In the trail's own region.
  EXPECT_EQ(start->command.argv, (Argv{"aws", "cloudtrail", "start-logging", "--name=org-trail",
                                       "--region=us-east-1", "--output=json"}));
  EXPECT_EQ(start->capture.argv[2], "get-trail-status");
  const Step* selectors = find(c, "contain/trail-event-selectors/org-trail");
  ASSERT_TRUE(selectors);
  EXPECT_EQ(selectors->command.argv[2], "put-event-selectors");
  EXPECT_EQ(selectors->command.argv[3], "--trail-name=org-trail");
  json sel =
      json::parse(selectors->command.argv[4].substr(std::string("--event-selectors=").size()));
  EXPECT_EQ(sel[0]["ReadWriteType"], "All");
  EXPECT_EQ(sel[0]["IncludeManagementEvents"], true);
  EXPECT_EQ(selectors->capture.argv[2], "get-event-selectors");
  // Early: before anything else changes, so that the response itself is recorded.
  EXPECT_LT(index_of(c, "contain/trail-start-logging/org-trail"),
            index_of(c, "contain/deactivate-key/AKIAEXAMPLEKEY000001"));
  Plan e = plan("scoped.json", Phase::eradicate);
  EXPECT_TRUE(find(e, "eradicate/enable-logging/prod-x")) << ids(e);
}

TEST(RespondScope, NamesFromTheEvidenceThatBreakTheirRuleBlockTheNewSteps) {
  json doc = json::parse(slurp(fixtures() + "/scoped.json"));
  for (auto& a : doc["incident"]["affected"]) {
    if (a["kind"] == "cloudtrail_trail") {
      a["name"] = a["id"] = "--name=other";
      a["attributes"].erase("arn");
      a["attributes"]["stopped"] = "true";  // the findings name the old trail
    }
    if (a["name"] == "backdoor") a["attributes"]["attached_policies"] = "--policy-arn=x";
  }
  Plan c = plan("", Phase::contain, {}, doc.dump());
  const Step* start = find(c, "contain/trail-start-logging/--name=other");
  ASSERT_TRUE(start) << ids(c);
  EXPECT_NE(start->blocked.find("is not a valid CloudTrail trail name or ARN"), std::string::npos)
      << start->blocked;
  EXPECT_TRUE(start->command.empty());
  Plan e = plan("", Phase::eradicate, {}, doc.dump());
  const Step* detach = find(e, "eradicate/detach-user-policy/backdoor/--policy-arn=x");
  ASSERT_TRUE(detach) << ids(e);
  EXPECT_NE(detach->blocked.find("IAM managed policy ARN"), std::string::npos) << detach->blocked;
  EXPECT_TRUE(detach->command.empty());
}

// ---- workloads and nodes

TEST(RespondScope, EveryNodeTheAttackersWorkloadsRanOnIsCordoned) {
  Plan c = plan("workloads.json", Phase::contain);
  for (const char* node :
       {"ip-10-0-1-1.eu-west-1.compute.internal", "ip-10-0-2-2.eu-west-1.compute.internal",
        "ip-10-0-3-3.eu-west-1.compute.internal"}) {
    const Step* s = find(c, std::string("contain/cordon/") + node);
    ASSERT_TRUE(s) << node << "\n" << ids(c);
    EXPECT_TRUE(s->blocked.empty());
    EXPECT_TRUE(find(c, std::string("contain/drain/") + node));
  }
}

TEST(RespondScope, OnlyACompromisedHostIsIsolatedAndReplaced) {
  Plan c = plan("workloads.json", Phase::contain);
  Plan e = plan("workloads.json", Phase::eradicate);
  // n1: a detector saw the host, and a privileged pod of the attacker ran there.
  EXPECT_TRUE(find(c, "contain/isolation-sg/i-0aaaaaaaaaaaaaaa1")) << ids(c);
  EXPECT_TRUE(find(e, "eradicate/terminate-instance/i-0aaaaaaaaaaaaaaa1")) << ids(e);
  // n2: the alerts were inside an unprivileged container; n3: only a placement.
  for (const char* id : {"i-0aaaaaaaaaaaaaaa2", "i-0aaaaaaaaaaaaaaa3"}) {
    EXPECT_FALSE(find(c, std::string("contain/isolation-sg/") + id)) << id;
    EXPECT_FALSE(find(e, std::string("eradicate/terminate-instance/") + id)) << id;
  }
}

TEST(RespondScope, TheOwningControllerGoesBeforeWhatItMade) {
  Plan e = plan("workloads.json", Phase::eradicate);
  auto at = [&](std::string_view id) { return index_of(e, id); };
  // CronJob -> Job -> Pod.
  ASSERT_NE(at("eradicate/delete-cronjob/ops/cleaner"), SIZE_MAX) << ids(e);
  EXPECT_LT(at("eradicate/delete-cronjob/ops/cleaner"),
            at("eradicate/delete-job/ops/cleaner-29000000"));
  EXPECT_LT(at("eradicate/delete-job/ops/cleaner-29000000"),
            at("eradicate/delete-pod/ops/cleaner-29000000-abcde"));
  // Deployment -> ReplicaSet (marked used, but its owner is the attacker's) -> Pod.
  EXPECT_LT(at("eradicate/delete-deployment/ops/relay"),
            at("eradicate/delete-replicaset/ops/relay-6d9f7c5b8d"));
  EXPECT_LT(at("eradicate/delete-replicaset/ops/relay-6d9f7c5b8d"),
            at("eradicate/delete-pod/ops/relay-6d9f7c5b8d-xyz12"));
  // DaemonSet -> its pods.
  EXPECT_LT(at("eradicate/delete-daemonset/ops/agent"), at("eradicate/delete-pod/ops/agent-q1w2e"));
  EXPECT_LT(at("eradicate/delete-daemonset/ops/agent"), at("eradicate/delete-pod/ops/agent-z9x8c"));
  EXPECT_EQ(e.steps[at("eradicate/delete-cronjob/ops/cleaner")].command.argv,
            (Argv{"kubectl", "delete", "cronjob", "--namespace=ops", "--ignore-not-found", "--",
                  "cleaner"}));
}

TEST(RespondScope, ACompromisedReplicaOfAProductionDeploymentIsDeletedAlone) {
  Plan e = plan("workloads.json", Phase::eradicate);
  EXPECT_FALSE(find(e, "eradicate/delete-deployment/shop/web")) << ids(e);
  EXPECT_FALSE(find(e, "eradicate/delete-replicaset/shop/web-7d4b9c8f6"));
  EXPECT_TRUE(runnable(e, {"delete", "deployment", "web"}).empty());
  const Step* pod = find(e, "eradicate/delete-pod/shop/web-7d4b9c8f6-x2k9p");
  ASSERT_TRUE(pod);
  EXPECT_NE(pod->action.find("not the attacker's"), std::string::npos) << pod->action;
  EXPECT_NE(pod->impact.find("the others keep serving"), std::string::npos);
}

TEST(RespondScope, ServiceAccountsWhoseTokensTheAttackerHeldAreDeleted) {
  Plan c = plan("workloads.json", Phase::contain);
  // The exploited pod's account: deleted and recreated (it existed before).
  EXPECT_TRUE(find(c, "contain/sa-delete/shop/web")) << ids(c);
  EXPECT_TRUE(find(c, "contain/sa-recreate/shop/web"));
  // The attacker's own account: deleted, not recreated.
  EXPECT_TRUE(find(c, "contain/sa-delete/ops/relay-sa"));
  EXPECT_FALSE(find(c, "contain/sa-recreate/ops/relay-sa"));
  // An account whose token a finding shows used from outside the cluster: deleted.
  EXPECT_TRUE(find(c, "contain/sa-delete/kube-system/deployer"));
  EXPECT_TRUE(find(c, "contain/sa-recreate/kube-system/deployer"));
  // A controller that made the attacker's pods, or an account nothing shows it held: kept.
  EXPECT_FALSE(find(c, "contain/sa-delete/kube-system/job-controller"));
  EXPECT_FALSE(find(c, "contain/sa-delete/billing/billing"));
  EXPECT_TRUE(mentions(c, "billing/billing"));
  EXPECT_FALSE(mentions(c, "job-controller"));
}

// ---- recovery

store::JournalEntry endpoint_step(const std::string& cidrs) {
  store::JournalEntry e;
  e.step_id = "contain/restrict-endpoint/prod-x";
  e.phase = "contain";
  e.action = "Restrict the cluster's public API endpoint to trusted source ranges";
  e.target = "EKS cluster prod-x";
  e.exit_status = 0;
  e.finished = parse_time("2026-05-01T12:30:00Z");
  e.operator_name = "carol";
  json undo = {{"argv",
                {"aws", "eks", "update-cluster-config", "--name=prod-x",
                 "--resources-vpc-config=endpointPublicAccess=true,publicAccessCidrs=" + cidrs,
                 "--region=eu-west-1", "--output=json"}},
               {"text", "restore the public access ranges captured before the change"},
               {"permanent", false}};
  e.undo_json = undo.dump();
  return e;
}

store::JournalEntry done_step(const std::string& id, const std::string& phase,
                              const std::string& target, std::vector<std::string> undo_argv,
                              bool permanent = false) {
  store::JournalEntry e;
  e.step_id = id;
  e.phase = phase;
  e.action = id;
  e.target = target;
  e.exit_status = 0;
  e.finished = parse_time("2026-05-01T12:30:00Z");
  e.operator_name = "carol";
  json undo = {{"argv", undo_argv}, {"text", "undo of " + id}, {"permanent", permanent}};
  e.undo_json = undo.dump();
  return e;
}

// A node whose instance eradication terminated has nothing to uncordon or re-attach: its node
// group replaced it. Recovery says so instead of planning commands that would fail (or act on a
// replacement that reused the name).
TEST(RespondScope, RecoveryLeavesATerminatedNodeAlone) {
  const std::string node = "ip-10-42-11-27.ec2.internal", instance = "i-0abc1234def567890";
  std::vector<store::JournalEntry> journal = {
      done_step("contain/cordon/" + node, "contain", "node " + node,
                {"kubectl", "uncordon", "--", node}),
      done_step("contain/isolation-sg/" + instance, "contain", "instance " + instance,
                {"aws", "ec2", "modify-instance-attribute", "--instance-id=" + instance,
                 "--groups=sg-0123456789abcdef0", "--output=json"}),
      done_step("eradicate/terminate-instance/" + instance, "eradicate", "instance " + instance, {},
                true),
  };
  Plan r = plan("stolen-key.json", Phase::recover, journal);
  EXPECT_FALSE(find(r, "recover/undo/contain/cordon/" + node)) << ids(r);
  EXPECT_FALSE(find(r, "recover/undo/contain/isolation-sg/" + instance)) << ids(r);
  EXPECT_TRUE(mentions(r, "was terminated in eradication"));
  // Without the termination, both are undone.
  journal.pop_back();
  Plan kept = plan("stolen-key.json", Phase::recover, journal);
  EXPECT_TRUE(find(kept, "recover/undo/contain/cordon/" + node)) << ids(kept);
  EXPECT_TRUE(find(kept, "recover/undo/contain/isolation-sg/" + instance)) << ids(kept);
}

TEST(RespondScope, RecoveryNeverReopensTheEndpointTheAttackerCameThrough) {
  Plan r = plan("scoped.json", Phase::recover, {endpoint_step("0.0.0.0/0")});
  EXPECT_FALSE(find(r, "recover/undo/contain/restrict-endpoint/prod-x")) << ids(r);
  for (const auto& s : r.steps)
    for (const auto& a : s.command.argv) EXPECT_EQ(a.find("0.0.0.0/0"), std::string::npos) << a;
  EXPECT_TRUE(mentions(r, "never to 0.0.0.0/0"));
  // Ranges besides the open one are put back; the open one is not.
  Plan some = plan("scoped.json", Phase::recover, {endpoint_step("0.0.0.0/0,192.0.2.0/24")});
  const Step* s = find(some, "recover/undo/contain/restrict-endpoint/prod-x");
  ASSERT_TRUE(s) << ids(some);
  EXPECT_TRUE(s->blocked.empty()) << s->blocked;
  EXPECT_EQ(s->command.argv[4],
            "--resources-vpc-config=endpointPublicAccess=true,publicAccessCidrs=192.0.2.0/24");
  EXPECT_NE(s->expected.find("0.0.0.0/0 is not put back"), std::string::npos) << s->expected;
  // A restriction of a private range set is undone as it was.
  Plan closed = plan("scoped.json", Phase::recover, {endpoint_step("192.0.2.0/24")});
  s = find(closed, "recover/undo/contain/restrict-endpoint/prod-x");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->command.argv[4],
            "--resources-vpc-config=endpointPublicAccess=true,publicAccessCidrs=192.0.2.0/24");
}

}  // namespace
}  // namespace eksir::respond
