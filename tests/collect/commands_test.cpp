#include "collect/commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "collect/collect.h"
#include "collect/exec.h"
#include "test_paths.h"

namespace {

using eksir::collect::Command;
using eksir::collect::Tool;

eksir::collect::Target target(std::vector<std::string> namespaces = {}) {
  eksir::collect::Target t;
  t.cluster = "prod-payments";
  t.region = "eu-west-1";
  t.profile = "ir";
  t.namespaces = std::move(namespaces);
  t.since = 1773446400LL * 1000000000;
  t.until = 1773532800LL * 1000000000;
  return t;
}

// Every command the builders can produce, for one target.
std::vector<Command> all_commands(const eksir::collect::Target& t) {
  using namespace eksir::collect;
  std::vector<Command> cmds = snapshot_commands(t);
  auto add = [&](std::vector<Command> more) { cmds.insert(cmds.end(), more.begin(), more.end()); };
  add({caller_identity_command(t), describe_cluster_command(t), list_access_entries_command(t),
       list_nodegroups_command(t), audit_log_command(t), list_detectors_command(t),
       describe_nodegroup_command(t, "ng-1"), list_findings_command(t, "det"),
       pod_logs_command(t, "payments", "api-1")});
  add(cloudtrail_commands(t));
  add(access_entry_commands(t, "arn:aws:iam::111122223333:role/admin"));
  add(get_findings_commands(t, "det", std::vector<std::string>(120, "f")));
  add(inspector_findings_commands(t, "111122223333", {"payments-api", "team/web"}).commands);
  add({image_scan_findings_command(t, "111122223333", {"payments-api", "", "v1", "img"}),
       image_scan_findings_command(t, "111122223333",
                                   {"team/web", "sha256:" + std::string(64, 'a'), "", "img"})});
  return cmds;
}

TEST(CollectCommands, TableHoldsOnlyReadOnlyVerbs) {
  const std::set<std::string> read_verbs = {"get", "describe", "list", "lookup", "filter", "logs"};
  for (const auto& v : eksir::collect::read_only_verbs()) {
    std::string op(v.operation);
    std::string first = op.substr(0, op.find('-'));
    EXPECT_TRUE(read_verbs.count(first)) << v.service << " " << v.operation;
    if (v.tool == Tool::kubectl) {
      EXPECT_TRUE(op == "get" || op == "logs") << op;
    }
  }
}

TEST(CollectCommands, EveryBuiltCommandIsInTheTable) {
  for (const auto& t : {target(), target({"payments", "default"})})
    for (const auto& c : all_commands(t)) {
      EXPECT_TRUE(c.refused.empty()) << c.refused;
      EXPECT_TRUE(eksir::collect::is_read_only(c.tool, c.args))
          << eksir::collect::display(eksir::collect::tool_name(c.tool), c.args);
      EXPECT_FALSE(c.output.empty());
      EXPECT_EQ(c.output.find(".."), std::string::npos) << c.output;
    }
}

TEST(CollectCommands, MutatingCommandsAreRefused) {
  using eksir::collect::is_read_only;
  for (std::vector<std::string> args : {std::vector<std::string>{"delete", "pod", "x"},
                                        {"apply", "-f", "-"},
                                        {"create", "ns", "x"},
                                        {"exec", "x", "--", "netstat"},
                                        {"cordon", "node"},
                                        {"drain", "node"},
                                        {"edit", "x"},
                                        {"patch", "x"},
                                        {"label", "x"},
                                        {}})
    EXPECT_FALSE(is_read_only(Tool::kubectl, args)) << (args.empty() ? "" : args[0]);
  for (std::vector<std::string> args : {std::vector<std::string>{"eks", "update-cluster-config"},
                                        {"eks", "update-kubeconfig", "--name", "x"},
                                        {"eks", "delete-nodegroup"},
                                        {"iam", "update-access-key"},
                                        {"ec2", "update-security-group-rule-descriptions-ingress"},
                                        {"eks", "get-caller-identity"},
                                        {"guardduty", "archive-findings"},
                                        {"eks"},
                                        {}})
    EXPECT_FALSE(is_read_only(Tool::aws, args)) << (args.empty() ? "" : args[0]);
  EXPECT_FALSE(is_read_only(Tool::aws, {"get", "pods"}));  // kubectl verbs are not aws verbs
  EXPECT_TRUE(is_read_only(Tool::aws, {"eks", "describe-cluster", "--name", "x"}));
}

TEST(CollectCommands, SnapshotCoversEveryKindAndNamespaces) {
  std::set<std::string> kinds;
  for (const auto& c : eksir::collect::snapshot_commands(target())) {
    kinds.insert(c.args[1]);
    EXPECT_EQ(c.output.rfind("snapshot/", 0), 0u);
  }
  for (const char* k :
       {"pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
        "services", "ingresses", "networkpolicies", "serviceaccounts", "roles", "rolebindings",
        "clusterroles", "clusterrolebindings", "nodes", "namespaces", "configmaps"})
    EXPECT_TRUE(kinds.count(k)) << k;

  // Per namespace for namespaced kinds, once for cluster-scoped ones, and aws-auth always.
  auto cmds = eksir::collect::snapshot_commands(target({"payments"}));
  size_t pods = 0, nodes = 0, aws_auth = 0;
  for (const auto& c : cmds) {
    if (c.args[1] == "pods") {
      ++pods;
      EXPECT_EQ(c.output, "snapshot/pods-payments.json");
    }
    nodes += c.args[1] == "nodes";
    aws_auth += c.args.back() == "aws-auth";
    for (const auto& a : c.args) EXPECT_NE(a, "--all-namespaces");
  }
  EXPECT_EQ(pods, 1u);
  EXPECT_EQ(nodes, 1u);
  EXPECT_EQ(aws_auth, 1u);
}

TEST(CollectCommands, WindowAndTargetOptions) {
  auto t = target();
  auto ct = eksir::collect::cloudtrail_commands(t);
  ASSERT_EQ(ct.size(), 5u);  // eks, iam, ec2, sts, and iam again in us-east-1
  std::string s = eksir::collect::display("aws", ct[0].args);
  EXPECT_NE(s.find("--start-time=2026-03-14T00:00:00Z --end-time=2026-03-15T00:00:00Z"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("--region=eu-west-1 --profile=ir"), std::string::npos) << s;
  EXPECT_NE(eksir::collect::display("aws", ct[4].args).find("--region=us-east-1"),
            std::string::npos);
  std::string logs = eksir::collect::display("aws", eksir::collect::audit_log_command(t).args);
  EXPECT_NE(logs.find("--log-group-name=/aws/eks/prod-payments/cluster"), std::string::npos);
  EXPECT_NE(logs.find("--start-time=1773446400000 --end-time=1773532800000"), std::string::npos)
      << logs;
  auto gf = eksir::collect::get_findings_commands(t, "det", std::vector<std::string>(120, "f"));
  ASSERT_EQ(gf.size(), 3u);  // at most 50 ids a call
  EXPECT_EQ(gf[2].output, "guardduty/get-findings-det-003.json");
}

TEST(CollectCommands, NamesAndQuoting) {
  EXPECT_EQ(eksir::collect::safe_name("arn:aws:iam::1:role/a b"), "arn_aws_iam__1_role_a_b");
  EXPECT_EQ(eksir::collect::safe_name(".."), "_..");
  EXPECT_EQ(eksir::collect::display("aws", {"x", "{\"a\": 1}", "it's"}),
            R"(aws x '{"a": 1}' 'it'\''s')");
}

// Names read from the cluster and the account (access entries, node groups, detector and
// finding ids, flagged pods, page tokens) and the operator's own values: each checked by its
// rule; a bad one refuses its command with the reason, it never reaches an argv.
TEST(CollectCommands, HostileNamesRefuseTheirCommand) {
  using namespace eksir::collect;
  auto t = target();
  auto refused = [](const Command& c, const std::string& why) {
    EXPECT_TRUE(c.args.empty()) << display(tool_name(c.tool), c.args);
    EXPECT_NE(c.refused.find(why), std::string::npos) << c.refused;
  };
  for (const auto& c : access_entry_commands(t, "--cluster-name=other"))
    refused(c, "--principal-arn \"--cluster-name=other\" is not a valid IAM user or role ARN");
  refused(describe_nodegroup_command(t, "-ng\x1b[2J"),
          "--nodegroup-name \"-ng\\x1b[2J\" is not a valid EKS node group name: starts with '-'");
  refused(list_findings_command(t, "--all"), "--detector-id \"--all\"");
  refused(get_findings_commands(t, "det", {"f1", "-f"})[0], "--finding-ids \"-f\"");
  refused(pod_logs_command(t, "payments", "--all-namespaces"),
          "Pod name \"--all-namespaces\" is not a valid Kubernetes object name");
  refused(pod_logs_command(t, "-n", "api-1"), "--namespace \"-n\"");
  refused(pod_logs_command(t, "payments", "api\u202e1"), "holds '\\u202e'");

  Command lookup = cloudtrail_commands(t)[0];
  refused(page_command(lookup, 10, "--max-items=1"), "--starting-token \"--max-items=1\"");
  Command next = page_command(lookup, 10, "eyJ0b2tlbiI6IDF9");
  ASSERT_TRUE(next.refused.empty()) << next.refused;
  EXPECT_EQ(next.args.back(), "--starting-token=eyJ0b2tlbiI6IDF9");

  auto bad = t;
  bad.cluster = "--name=other";
  EXPECT_NE(check_target(bad).find("--cluster \"--name=other\""), std::string::npos);
  bad = t;
  bad.namespaces = {"--all-namespaces"};
  EXPECT_NE(check_target(bad).find("--namespace"), std::string::npos);
  bad = t;
  bad.context = "prod\x1b[2J";
  EXPECT_NE(check_target(bad).find("--context"), std::string::npos);
  EXPECT_EQ(check_target(t), "");
}

TEST(CollectExec, CapturesStatusOutputAndTimesOut) {
  auto dir = eksir::test::temp_dir();
  auto r = eksir::collect::exec({"sh", "-c", "echo out; echo err >&2; exit 3"}, dir + "/o",
                                dir + "/e", std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_LE(r.start, r.end);
  std::stringstream o, e;
  o << std::ifstream(dir + "/o").rdbuf();
  e << std::ifstream(dir + "/e").rdbuf();
  EXPECT_EQ(o.str(), "out\n");
  EXPECT_EQ(e.str(), "err\n");

  auto slow = eksir::collect::exec({"sh", "-c", "sleep 30"}, dir + "/o", dir + "/e",
                                   std::chrono::milliseconds(300));
  EXPECT_TRUE(slow.timed_out);
  EXPECT_LT(slow.end - slow.start, 5'000'000'000LL);

  auto missing = eksir::collect::exec({"/nonexistent/eksir-no-such-tool"}, dir + "/o", dir + "/e",
                                      std::chrono::seconds(5));
  EXPECT_FALSE(missing.error.empty());
  EXPECT_FALSE(missing.ok());
  std::filesystem::remove_all(dir);
}

TEST(CollectVerify, RejectsPathsOutsideTheBundle) {
  auto dir = eksir::test::temp_dir();
  std::ofstream(dir + "/manifest.json")
      << R"({"files": [{"path": "../etc/passwd", "size": 1, "sha256": "00"}]})";
  auto outside = eksir::collect::verify_bundle(dir);
  EXPECT_NE(outside.error.find("malformed"), std::string::npos);
  EXPECT_TRUE(outside.problems.empty());
  EXPECT_FALSE(eksir::collect::verify_bundle(dir + "/absent").error.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
