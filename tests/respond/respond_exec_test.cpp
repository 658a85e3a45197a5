// The executor against recorders: the real aws CLI talking to a local AWS stand-in
// (aws_recorder.py) and kubectl replaced on PATH by kubectl_recorder.py. A dry run touches
// nothing; contain then recover leaves the recorded state as it was.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "app/app.h"
#include "respond/respond.h"
#include "test_paths.h"

namespace eksir::respond {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<json> lines(const std::string& path) {
  std::vector<json> out;
  std::istringstream in(slurp(path));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

const char* kAwsState = R"({
  "access_keys": {"AKIARQ4WZT7KHB3D6FXQ": {"user": "ci-deployer", "status": "Active"},
                  "AKIARQ4WZT7KM8JY2CVE": {"user": "ci-deployer", "status": "Active"}},
  "clusters": {"prod-payments": {"publicAccessCidrs": ["0.0.0.0/0"], "endpointPublicAccess": true,
                                 "logging": false,
                                 "access_entries": ["arn:aws:iam::111122223333:role/eks-backup-operator"]}},
  "instances": {"i-0abc1234def567890": {"groups": ["sg-0123456789abcdef0", "sg-0fedcba9876543210"],
                                        "vpc": "vpc-0f3c2a1b9d8e7f601"}},
  "sg_rules": {"sgr-0e1f2a3b4c5d6e7f8": {"group": "sg-0a7b9c1d2e3f40516", "port": 22, "cidr": "0.0.0.0/0"},
               "sgr-0f2a3b4c5d6e7f809": {"group": "sg-0a7b9c1d2e3f40516", "port": 10250, "cidr": "0.0.0.0/0"}},
  "roles": {"eks-backup-operator": {}}
})";

const char* kKubeState = R"({
  "nodes": {"ip-10-42-11-27.ec2.internal": {"unschedulable": false}},
  "networkpolicies": {},
  "serviceaccounts": {"default/backup-sa": {}},
  "kubeconfig": {"current-context": "arn:aws:eks:us-east-1:111122223333:cluster/prod-payments",
                 "contexts": {"arn:aws:eks:us-east-1:111122223333:cluster/prod-payments":
                                  "arn:aws:eks:us-east-1:111122223333:cluster/prod-payments",
                              "staging": "arn:aws:eks:us-east-1:111122223333:cluster/staging"}}
})";

class RespondRecorders : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir();
    case_dir_ = dir_ + "/case";
    fs::create_directories(case_dir_);
    // The access entry is left out: the aws CLI these tests drive (Debian's 2.9) predates EKS
    // access entries (2.15), and would refuse the step that removes it.
    json incident =
        json::parse(slurp(test::source_dir() + "/tests/respond/fixtures/stolen-key.json"));
    auto& affected = incident["incident"]["affected"];
    for (auto it = affected.begin(); it != affected.end();)
      it = (*it)["kind"] == "access_entry" ? affected.erase(it) : it + 1;
    std::ofstream(case_dir_ + "/incident.json") << incident.dump();
    std::ofstream(dir_ + "/aws-state.json") << kAwsState;
    std::ofstream(dir_ + "/kube-state.json") << kKubeState;
    std::ofstream(dir_ + "/kubectl.log").flush();
    fs::create_directories(dir_ + "/bin");
    std::ofstream(dir_ + "/bin/kubectl")
        << "#!/bin/sh\nexec /usr/bin/python3 " << test::source_dir()
        << "/tests/respond/kubectl_recorder.py \"$@\"\n";
    fs::permissions(dir_ + "/bin/kubectl", fs::perms::owner_all);
    server_ = ::fork();
    if (server_ == 0) {
      std::string script = test::source_dir() + "/tests/respond/aws_recorder.py";
      std::string state = dir_ + "/aws-state.json", log = dir_ + "/aws.log", port = dir_ + "/port";
      ::execl("/usr/bin/python3", "python3", script.c_str(), "--state", state.c_str(), "--log",
              log.c_str(), "--port-file", port.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(dir_ + "/port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ASSERT_TRUE(fs::exists(dir_ + "/port")) << "the AWS recorder did not start";
    endpoint_ = "http://127.0.0.1:" + slurp(dir_ + "/port");
    for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLETESTONLY"},
             {"AWS_SECRET_ACCESS_KEY", "test-secret-not-real"},
             {"AWS_SESSION_TOKEN", ""},
             {"AWS_CONFIG_FILE", dir_ + "/no-aws-config"},
             {"AWS_SHARED_CREDENTIALS_FILE", dir_ + "/no-aws-credentials"},
             {"AWS_EC2_METADATA_DISABLED", "true"},
             {"AWS_PAGER", ""},
             {"AWS_MAX_ATTEMPTS", "1"},
             {"KUBECTL_RECORDER_LOG", dir_ + "/kubectl.log"},
             {"KUBECTL_RECORDER_STATE", dir_ + "/kube-state.json"},
             {"EKSIR_OPERATOR", "test-responder"}}) {
      const char* before = std::getenv(k.c_str());
      saved_env_.push_back({k, before ? std::optional<std::string>(before) : std::nullopt});
      if (v.empty())
        ::unsetenv(k.c_str());
      else
        ::setenv(k.c_str(), v.c_str(), 1);
    }
    old_path_ = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", (dir_ + "/bin:" + old_path_).c_str(), 1);
  }

  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      ::waitpid(server_, nullptr, 0);
    }
    ::setenv("PATH", old_path_.c_str(), 1);
    ::unsetenv("KUBECTL_RECORDER_FAIL");
    for (const auto& [k, v] : saved_env_) {
      if (v)
        ::setenv(k.c_str(), v->c_str(), 1);
      else
        ::unsetenv(k.c_str());
    }
  }

  RespondOptions options(Phase phase, bool execute) {
    RespondOptions o;
    o.case_dir = case_dir_;
    o.phase = phase;
    o.execute = execute;
    o.yes = true;
    o.aws = "/usr/bin/aws";  // the Debian awscli, not a shim earlier on PATH
    o.kubectl = "kubectl";
    o.endpoint_url = endpoint_;
    o.plan.trusted_cidrs = {"10.42.0.0/16"};
    o.plan.isolation_sg = "sg-0aaaaaaaaaaaaaaaa";
    o.plan.base_dir = test::source_dir();
    return o;
  }

  int run(const RespondOptions& o, std::string* out_text = nullptr,
          std::string* err_text = nullptr) {
    std::istringstream in;
    std::ostringstream out, err;
    int rc = app::respond(o, in, out, err);
    if (out_text) *out_text = out.str();
    if (err_text) *err_text = err.str();
    return rc;
  }

  std::vector<json> aws_requests() { return lines(dir_ + "/aws.log"); }
  std::vector<json> kubectl_calls() { return lines(dir_ + "/kubectl.log"); }
  json aws_state() { return json::parse(slurp(dir_ + "/aws-state.json")); }
  json kube_state() { return json::parse(slurp(dir_ + "/kube-state.json")); }

  std::string dir_, case_dir_, endpoint_, old_path_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_env_;
  pid_t server_ = -1;
};

TEST_F(RespondRecorders, DryRunChangesNothing) {
  json aws_before = aws_state(), kube_before = kube_state();
  std::string out, err;
  EXPECT_EQ(run(options(Phase::contain, false), &out, &err), 0) << err;
  EXPECT_NE(out.find("dry run"), std::string::npos);
  EXPECT_NE(out.find("kubectl cordon -- ip-10-42-11-27.ec2.internal"), std::string::npos) << out;
  EXPECT_TRUE(aws_requests().empty());
  EXPECT_TRUE(kubectl_calls().empty());
  EXPECT_EQ(aws_state(), aws_before);
  EXPECT_EQ(kube_state(), kube_before);
  EXPECT_FALSE(fs::exists(case_dir_ + "/case.db"));
}

TEST_F(RespondRecorders, ContainThenRecoverRestoresTheRecordedState) {
  json aws_before = aws_state(), kube_before = kube_state();
  std::string out, err;
  ASSERT_EQ(run(options(Phase::contain, true), &out, &err), 0) << out << err;

  // The exact API calls, with their parameters.
  std::vector<json> reqs = aws_requests();
  auto find_req = [&](const std::string& action, const std::string& key, const std::string& val) {
    for (const auto& r : reqs)
      if (r["action"] == action && (key.empty() || r["params"].value(key, "") == val)) return r;
    return json();
  };
  json upd = find_req("UpdateAccessKey", "AccessKeyId", "AKIARQ4WZT7KHB3D6FXQ");
  ASSERT_FALSE(upd.is_null());
  EXPECT_EQ(upd["service"], "iam");
  EXPECT_EQ(upd["params"]["UserName"], "ci-deployer");
  EXPECT_EQ(upd["params"]["Status"], "Inactive");
  EXPECT_FALSE(find_req("UpdateAccessKey", "AccessKeyId", "AKIARQ4WZT7KM8JY2CVE").is_null());
  json put = find_req("PutRolePolicy", "RoleName", "eks-backup-operator");
  ASSERT_FALSE(put.is_null());
  json doc = json::parse(put["params"]["PolicyDocument"].get<std::string>());
  EXPECT_EQ(doc["Statement"][0]["Effect"], "Deny");
  EXPECT_TRUE(doc["Statement"][0]["Condition"]["DateLessThan"].contains("aws:TokenIssueTime"));
  json revoke = find_req("RevokeSecurityGroupIngress", "GroupId", "sg-0a7b9c1d2e3f40516");
  ASSERT_FALSE(revoke.is_null());
  EXPECT_EQ(revoke["params"]["SecurityGroupRuleId.1"], "sgr-0e1f2a3b4c5d6e7f8");
  EXPECT_EQ(revoke["params"]["SecurityGroupRuleId.2"], "sgr-0f2a3b4c5d6e7f809");
  json modify = find_req("ModifyInstanceAttribute", "InstanceId", "i-0abc1234def567890");
  EXPECT_EQ(modify["params"]["GroupId.1"], "sg-0aaaaaaaaaaaaaaaa");
  json snap =
      find_req("CreateSnapshots", "InstanceSpecification.InstanceId", "i-0abc1234def567890");
  EXPECT_FALSE(snap.is_null());
  json cfg = find_req("UpdateClusterConfig", "", "");
  ASSERT_FALSE(cfg.is_null());
  EXPECT_EQ(cfg["path"], "/clusters/prod-payments/update-config");
  EXPECT_EQ(cfg["params"]["resourcesVpcConfig"]["publicAccessCidrs"], json({"10.42.0.0/16"}));
  // The settings it overwrote were read first.
  size_t describe = 0, update = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    if (reqs[i]["action"] == "DescribeCluster") describe = i + 1;
    if (reqs[i]["action"] == "UpdateClusterConfig") update = i + 1;
  }
  EXPECT_TRUE(describe && describe < update);

  // kubectl: argv and the manifest on stdin.
  bool netpol = false, cordon = false;
  for (const auto& c : kubectl_calls()) {
    auto argv = c["argv"].get<std::vector<std::string>>();
    if (argv == std::vector<std::string>{"cordon", "--", "ip-10-42-11-27.ec2.internal"})
      cordon = true;
    if (argv == std::vector<std::string>{"apply", "--filename=-"} &&
        c["stdin"].get<std::string>().find("kind: NetworkPolicy") != std::string::npos) {
      netpol = true;
      EXPECT_NE(c["stdin"].get<std::string>().find("app: backup-agent"), std::string::npos);
    }
  }
  EXPECT_TRUE(netpol);
  EXPECT_TRUE(cordon);
  json contained = aws_state();
  EXPECT_EQ(contained["clusters"]["prod-payments"]["publicAccessCidrs"], json({"10.42.0.0/16"}));
  EXPECT_TRUE(kube_state()["nodes"]["ip-10-42-11-27.ec2.internal"]["unschedulable"]);

  // Journal, timeline and metrics.
  store::Status st;
  auto c = store::Case::open(case_dir_, false, st);
  ASSERT_TRUE(c) << st.error;
  auto journal = c->journal();
  EXPECT_GE(journal.size(), 13u);
  for (const auto& e : journal) {
    EXPECT_EQ(e.exit_status, 0) << e.step_id << e.stderr_text;
    EXPECT_EQ(e.operator_name, "test-responder");
    EXPECT_FALSE(e.dry_run);
  }
  ResponseMetrics m = response_metrics(*c);
  EXPECT_NE(m.contained, kNoTime);
  EXPECT_EQ(m.recovered, kNoTime);
  auto timeline = response_timeline(*c);
  ASSERT_EQ(timeline.size(), journal.size());
  EXPECT_EQ(timeline[0].source, "eksir respond");
  EXPECT_EQ(timeline[0].confidence, "High");
  c.reset();

  // Re-running skips what is done: no new request, no new invocation.
  size_t aws_n = reqs.size(), kube_n = kubectl_calls().size();
  ASSERT_EQ(run(options(Phase::contain, true), &out, &err), 0) << err;
  EXPECT_NE(out.find("already done"), std::string::npos);
  EXPECT_EQ(aws_requests().size(), aws_n);
  EXPECT_EQ(kubectl_calls().size(), kube_n);

  // Recovery, from the journal.
  ASSERT_EQ(run(options(Phase::recover, true), &out, &err), 0) << out << err;
  json after = aws_state(), kube_after = kube_state();
  // The endpoint was open to 0.0.0.0/0 while the attacker used it from outside: recovery keeps
  // the restriction instead of re-opening it; the rest is as it was.
  EXPECT_EQ(after["clusters"]["prod-payments"]["publicAccessCidrs"], json({"10.42.0.0/16"}));
  json clusters_before = aws_before["clusters"];
  clusters_before["prod-payments"]["publicAccessCidrs"] = json({"10.42.0.0/16"});
  EXPECT_EQ(after["clusters"], clusters_before);
  EXPECT_NE(out.find("never to 0.0.0.0/0"), std::string::npos) << out;
  EXPECT_EQ(after["instances"], aws_before["instances"]);
  EXPECT_EQ(kube_after["nodes"], kube_before["nodes"]);
  EXPECT_EQ(kube_after["networkpolicies"], kube_before["networkpolicies"]);
  // Revoked credentials and the attacker's rules stay revoked, by design.
  EXPECT_EQ(after["access_keys"]["AKIARQ4WZT7KHB3D6FXQ"]["status"], "Inactive");
  EXPECT_TRUE(after["sg_rules"].empty());
  c = store::Case::open(case_dir_, false, st);
  ASSERT_TRUE(c);
  EXPECT_NE(response_metrics(*c).recovered, kNoTime);
}

TEST_F(RespondRecorders, StopsAtTheFirstFailureAndSaysWhatIsLeft) {
  ::setenv("KUBECTL_RECORDER_FAIL", "cordon", 1);
  std::string out, err;
  EXPECT_EQ(run(options(Phase::contain, true), &out, &err), 1);
  EXPECT_NE(err.find("step 5 failed"), std::string::npos) << err;
  EXPECT_NE(err.find("Left:"), std::string::npos);
  EXPECT_NE(err.find("Deactivate the IAM access key"), std::string::npos);
  for (const auto& r : aws_requests()) EXPECT_NE(r["action"], "UpdateAccessKey");
  ::unsetenv("KUBECTL_RECORDER_FAIL");
  // The next run carries on from the failed step.
  EXPECT_EQ(run(options(Phase::contain, true), &out, &err), 0) << err;
  EXPECT_NE(out.find("already done"), std::string::npos);
}

// The journal's entries for one step id, in order.
std::vector<store::JournalEntry> entries_of(const std::string& case_dir, const std::string& id) {
  store::Status st;
  auto c = store::Case::open(case_dir, false, st);
  EXPECT_TRUE(c) << st.error;
  std::vector<store::JournalEntry> out;
  if (c)
    for (auto& e : c->journal())
      if (e.step_id == id) out.push_back(std::move(e));
  return out;
}

TEST_F(RespondRecorders, FailureSaysHowToGoOnAndContinueDoesNotRetryIt) {
  const std::string cordon = "contain/cordon/ip-10-42-11-27.ec2.internal";
  ::setenv("KUBECTL_RECORDER_FAIL", "cordon", 1);
  std::string out, err;
  ASSERT_EQ(run(options(Phase::contain, true), &out, &err), 1);
  // The command lines to go on with: the same case, phase and options, quoted for bash.
  std::string base = "eksir respond " + case_dir_ +
                     " --phase contain --execute --yes --trusted-cidr 10.42.0.0/16 "
                     "--isolation-sg sg-0aaaaaaaaaaaaaaaa --aws /usr/bin/aws --endpoint-url " +
                     endpoint_;
  EXPECT_NE(err.find("To go on (step 5 is " + cordon + ", journaled as failed)"), std::string::npos)
      << err;
  EXPECT_NE(err.find("\n    " + base + " --continue\n"), std::string::npos) << err;
  EXPECT_NE(err.find("\n    " + base + "\n"), std::string::npos) << err;
  EXPECT_NE(err.find("\n    " + base + " --skip " + cordon + "\n"), std::string::npos) << err;
  ASSERT_EQ(entries_of(case_dir_, cordon).size(), 1u);
  EXPECT_EQ(entries_of(case_dir_, cordon)[0].exit_status, 1);

  // --continue: the failed step is not retried, the steps after it run, and the run says the
  // phase is not complete (exit 1) and how to retry it.
  ::unsetenv("KUBECTL_RECORDER_FAIL");
  size_t cordons = 0;
  for (const auto& c : kubectl_calls()) cordons += c["argv"][0] == "cordon";
  RespondOptions o = options(Phase::contain, true);
  o.continue_after_failure = true;
  EXPECT_EQ(run(o, &out, &err), 1) << out << err;
  EXPECT_NE(out.find("not retried (--continue; --step " + cordon + " retries it)"),
            std::string::npos)
      << out;
  EXPECT_NE(err.find("not retried (--continue)"), std::string::npos) << err;
  size_t cordons_after = 0;
  for (const auto& c : kubectl_calls()) cordons_after += c["argv"][0] == "cordon";
  EXPECT_EQ(cordons_after, cordons);
  bool deactivated = false;
  for (const auto& r : aws_requests()) deactivated |= r["action"] == "UpdateAccessKey";
  EXPECT_TRUE(deactivated);
  auto cordon_entries = entries_of(case_dir_, cordon);
  ASSERT_EQ(cordon_entries.size(), 1u);  // journaled as failed, once
  EXPECT_NE(cordon_entries[0].exit_status, 0);
  EXPECT_FALSE(kube_state()["nodes"]["ip-10-42-11-27.ec2.internal"]["unschedulable"]);

  // A plain re-run retries it, and only it.
  EXPECT_EQ(run(options(Phase::contain, true), &out, &err), 0) << out << err;
  EXPECT_TRUE(kube_state()["nodes"]["ip-10-42-11-27.ec2.internal"]["unschedulable"]);
  EXPECT_EQ(entries_of(case_dir_, cordon).back().exit_status, 0);
}

TEST_F(RespondRecorders, SkippedStepsAreJournaledAndNotRunAgain) {
  const std::string cordon = "contain/cordon/ip-10-42-11-27.ec2.internal";
  RespondOptions o = options(Phase::contain, true);
  o.skip = {cordon, "1,2"};
  o.reason = "node already replaced by the node group";
  std::string out, err;
  ASSERT_EQ(run(o, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("skipped (--skip), journaled: node already replaced"), std::string::npos)
      << out;
  for (const auto& c : kubectl_calls()) EXPECT_NE(c["argv"][0], "cordon");
  auto skipped = entries_of(case_dir_, cordon);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].kind, "skipped");
  EXPECT_EQ(skipped[0].reason, "node already replaced by the node group");
  EXPECT_EQ(skipped[0].operator_name, "test-responder");
  EXPECT_NE(skipped[0].finished, kNoTime);
  EXPECT_TRUE(skipped[0].argv.empty());
  EXPECT_FALSE(skipped[0].succeeded());
  store::Status st;
  auto c = store::Case::open(case_dir_, false, st);
  ASSERT_TRUE(c);
  int skips = 0;
  for (const auto& e : c->journal()) skips += e.kind == "skipped";
  EXPECT_EQ(skips, 3);
  // The timeline says so; the metrics count only what ran.
  bool said = false;
  for (const auto& t : response_timeline(*c))
    said |=
        t.step_id == cordon && t.text.find("skipped: node already replaced") != std::string::npos;
  EXPECT_TRUE(said);
  ResponseMetrics m = response_metrics(*c);
  EXPECT_EQ(m.failed, 0);
  c.reset();

  // A later run leaves it skipped; --step runs it.
  ASSERT_EQ(run(options(Phase::contain, true), &out, &err), 0) << err;
  EXPECT_NE(out.find("skipped at "), std::string::npos) << out;
  for (const auto& k : kubectl_calls()) EXPECT_NE(k["argv"][0], "cordon");
  // Recovery has nothing of it to undo.
  ASSERT_EQ(run(options(Phase::recover, false), &out, &err), 0) << err;
  EXPECT_EQ(out.find("kubectl uncordon"), std::string::npos) << out;
  o = options(Phase::contain, true);
  o.only_step = cordon;
  ASSERT_EQ(run(o, &out, &err), 0) << err;
  EXPECT_TRUE(kube_state()["nodes"]["ip-10-42-11-27.ec2.internal"]["unschedulable"]);
}

TEST_F(RespondRecorders, UnknownSkipIsAUsageError) {
  RespondOptions o = options(Phase::contain, true);
  o.skip = {"contain/no-such-step"};
  std::string out, err;
  EXPECT_EQ(run(o, &out, &err), 2);
  EXPECT_NE(err.find("--skip \"contain/no-such-step\": no step of the contain plan"),
            std::string::npos)
      << err;
  o.skip = {"99"};
  EXPECT_EQ(run(o, &out, &err), 2);
  EXPECT_NE(err.find("--skip 99: the contain plan has"), std::string::npos) << err;
  o.skip = {};
  o.reason = "why";
  EXPECT_EQ(run(o, &out, &err), 2);
  EXPECT_NE(err.find("--reason goes with --skip or --force-context"), std::string::npos) << err;
  EXPECT_TRUE(aws_requests().empty());
  EXPECT_TRUE(kubectl_calls().empty());
}

TEST_F(RespondRecorders, ContextOfAnotherClusterIsRefused) {
  json kube = kube_state();
  kube["kubeconfig"]["current-context"] = "staging";
  std::ofstream(dir_ + "/kube-state.json") << kube.dump();
  std::string out, err;
  EXPECT_EQ(run(options(Phase::contain, true), &out, &err), 2) << out << err;
  EXPECT_NE(err.find("refused"), std::string::npos) << err;
  EXPECT_NE(err.find("kubectl context \"staging\" points to cluster "
                     "\"arn:aws:eks:us-east-1:111122223333:cluster/staging\""),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("the case's cluster is prod-payments "
                     "(arn:aws:eks:us-east-1:111122223333:cluster/prod-payments)"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("--force-context"), std::string::npos) << err;
  // Only the check ran: kubectl config view, and sts for the account.
  for (const auto& c : kubectl_calls()) EXPECT_EQ(c["argv"][0], "config") << c.dump();
  for (const auto& r : aws_requests()) EXPECT_EQ(r["action"], "GetCallerIdentity") << r.dump();

  // The context named with --context is the one checked, and it is the case's.
  RespondOptions o = options(Phase::contain, false);
  o.execute = true;
  o.plan.kube_context = "arn:aws:eks:us-east-1:111122223333:cluster/prod-payments";
  o.only_step = "contain/cordon/ip-10-42-11-27.ec2.internal";
  EXPECT_EQ(run(o, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("context: kubectl context \"arn:aws:eks:us-east-1:111122223333:cluster/"
                     "prod-payments\" is the case's cluster"),
            std::string::npos)
      << out;
}

TEST_F(RespondRecorders, ForcedContextRunsAndIsJournaled) {
  json kube = kube_state();
  kube["kubeconfig"]["current-context"] = "staging";
  std::ofstream(dir_ + "/kube-state.json") << kube.dump();
  RespondOptions o = options(Phase::contain, true);
  o.force_context = true;
  o.reason = "staging kubeconfig entry points at the production API (renamed)";
  std::string out, err;
  ASSERT_EQ(run(o, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("context: OVERRIDDEN (--force-context): kubectl context \"staging\""),
            std::string::npos)
      << out;
  auto forced = entries_of(case_dir_, "contain/context-check");
  ASSERT_EQ(forced.size(), 1u);
  EXPECT_EQ(forced[0].kind, "override");
  EXPECT_EQ(forced[0].operator_name, "test-responder");
  EXPECT_EQ(forced[0].reason, o.reason);
  EXPECT_NE(forced[0].target.find("staging"), std::string::npos);
  EXPECT_NE(forced[0].target.find("prod-payments"), std::string::npos);
  EXPECT_TRUE(kube_state()["nodes"]["ip-10-42-11-27.ec2.internal"]["unschedulable"]);
  // Recovery does not take the override for a step to undo.
  ASSERT_EQ(run(options(Phase::recover, false), &out, &err), 0) << err;
  EXPECT_EQ(out.find("context-check"), std::string::npos) << out;
}

TEST_F(RespondRecorders, CredentialsOfAnotherAccountAreRefused) {
  json aws = aws_state();
  aws["caller_account"] = "444455556666";
  std::ofstream(dir_ + "/aws-state.json") << aws.dump();
  json before = aws_state();
  std::string out, err;
  EXPECT_EQ(run(options(Phase::contain, true), &out, &err), 2) << out << err;
  EXPECT_NE(err.find("the AWS credentials are of account 444455556666 "
                     "(arn:aws:iam::444455556666:user/responder); the case's account is "
                     "111122223333"),
            std::string::npos)
      << err;
  EXPECT_EQ(aws_state(), before);
  for (const auto& c : kubectl_calls()) EXPECT_EQ(c["argv"][0], "config");
}

TEST_F(RespondRecorders, DeclinedStepStops) {
  RespondOptions o = options(Phase::contain, true);
  o.yes = false;
  std::istringstream in("y\ny\nn\n");
  std::ostringstream out, err;
  EXPECT_EQ(app::respond(o, in, out, err), 1);
  EXPECT_NE(err.str().find("step 3 declined"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("asked again, from it on:"), std::string::npos) << err.str();
  // Only the context check reached AWS; two steps ran.
  for (const auto& r : aws_requests()) EXPECT_EQ(r["action"], "GetCallerIdentity");
  size_t steps = 0;
  for (const auto& c : kubectl_calls()) steps += c["argv"][0] != "config";
  EXPECT_EQ(steps, 2u);
}

}  // namespace
}  // namespace eksir::respond
