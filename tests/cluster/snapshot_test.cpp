// Snapshot reader: JSON Lists, single objects, YAML multi-document, folders, aws eks output, bad
// input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cluster/cluster.h"
#include "test_paths.h"

using namespace eksir::cluster;

namespace {

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

TEST(Snapshot, ReadsTheExampleSnapshot) {
  Snapshot snap;
  load_snapshot({eksir::test::source_dir() + "/examples/incident-2026-03-14/snapshot"}, snap);
  EXPECT_EQ(snap.files, 8u);
  EXPECT_TRUE(snap.skips.empty()) << snap.skips.front().message();
  EXPECT_EQ(snap.workloads.size(), 14u);
  EXPECT_EQ(snap.nodes.size(), 3u);
  EXPECT_EQ(snap.service_accounts.size(), 11u);
  ASSERT_EQ(snap.aws_auth.size(), 1u);
  EXPECT_EQ(snap.aws_auth[0].arn, "arn:aws:iam::111122223333:role/prod-payments-node-role");
  EXPECT_EQ(snap.aws_auth[0].groups,
            (std::vector<std::string>{"system:bootstrappers", "system:nodes"}));
  EXPECT_EQ(snap.access_entries.size(), 5u);
  ASSERT_TRUE(snap.cluster.has_value());
  EXPECT_EQ(snap.cluster->name, "prod-payments");
  const Workload* backup = nullptr;
  for (const auto& w : snap.workloads)
    if (w.name == "backup-agent") backup = &w;
  ASSERT_NE(backup, nullptr);
  EXPECT_TRUE(backup->pod.host_pid);
  ASSERT_FALSE(backup->pod.containers.empty());
  EXPECT_EQ(backup->pod.containers[0].sc.privileged, true);
  EXPECT_EQ(backup->pod.volumes[0].source, "hostPath");
  EXPECT_EQ(backup->pod.volumes[0].host_path, "/");
}

TEST(Snapshot, YamlMultiDocumentAndJsonListAndSingleObject) {
  Snapshot snap;
  add_text(
      snap,
      "---\nkind: Namespace\nmetadata: {name: a}\n---\n# comment only\n---\nkind: ServiceAccount\n"
      "metadata: {name: s, namespace: a}\nautomountServiceAccountToken: false\n",
      "multi.yaml");
  add_text(
      snap,
      R"({"kind":"List","items":[{"kind":"Node","metadata":{"name":"n1","labels":{"eks.amazonaws.com/nodegroup":"g"}},)"
      R"("spec":{"providerID":"aws:///us-east-1a/i-0123456789abcdef0"}},{"kind":"Service","metadata":{"name":"lb","namespace":"a"},)"
      R"("spec":{"type":"LoadBalancer","ports":[{"port":443}]}}]})",
      "list.json");
  add_text(snap, R"({"kind":"NetworkPolicy","metadata":{"name":"deny","namespace":"a"},"spec":{}})",
           "one.json");
  add_text(snap, "kind: PodDisruptionBudget\nmetadata: {name: x, namespace: a}\n", "pdb.yaml");
  EXPECT_TRUE(snap.skips.empty());
  ASSERT_EQ(snap.namespaces.size(), 1u);
  ASSERT_EQ(snap.service_accounts.size(), 1u);
  EXPECT_EQ(snap.service_accounts[0].automount_token, false);
  ASSERT_EQ(snap.nodes.size(), 1u);
  EXPECT_EQ(snap.nodes[0].provider_id, "aws:///us-east-1a/i-0123456789abcdef0");
  ASSERT_EQ(snap.services.size(), 1u);
  EXPECT_EQ(snap.services[0].type, "LoadBalancer");
  EXPECT_EQ(snap.network_policies.size(), 1u);
  EXPECT_EQ(snap.other, 1u);
  EXPECT_EQ(snap.objects, 6u);
}

TEST(Snapshot, JsonAndYamlFormsReadTheSame) {
  const char* yaml =
      "kind: Pod\nmetadata:\n  name: p\n  namespace: a\n  labels: {app: x}\n"
      "  annotations: {container.apparmor.security.beta.kubernetes.io/c: unconfined}\n"
      "  ownerReferences: [{kind: Job, name: j}]\n"
      "spec:\n  hostPID: true\n  serviceAccountName: sa\n  automountServiceAccountToken: false\n"
      "  securityContext: {runAsUser: 0, sysctls: [{name: kernel.msgmax, value: '1'}]}\n"
      "  volumes: [{name: h, hostPath: {path: /etc}}]\n"
      "  containers:\n  - name: c\n    image: nginx\n    ports: [{containerPort: 80, hostPort: "
      "8080}]\n"
      "    securityContext: {privileged: true, capabilities: {add: [SYS_ADMIN], drop: [ALL]}, "
      "seccompProfile: {type: Unconfined}}\n";
  const char* json =
      R"({"kind":"Pod","metadata":{"name":"p","namespace":"a","labels":{"app":"x"},)"
      R"("annotations":{"container.apparmor.security.beta.kubernetes.io/c":"unconfined"},)"
      R"("ownerReferences":[{"kind":"Job","name":"j"}]},"spec":{"hostPID":true,"serviceAccountName":"sa",)"
      R"("automountServiceAccountToken":false,"securityContext":{"runAsUser":0,"sysctls":[{"name":"kernel.msgmax","value":"1"}]},)"
      R"("volumes":[{"name":"h","hostPath":{"path":"/etc"}}],"containers":[{"name":"c","image":"nginx",)"
      R"("ports":[{"containerPort":80,"hostPort":8080}],"securityContext":{"privileged":true,)"
      R"("capabilities":{"add":["SYS_ADMIN"],"drop":["ALL"]},"seccompProfile":{"type":"Unconfined"}}}]}})";
  Snapshot y, j;
  add_text(y, yaml, "p.yaml");
  add_text(j, json, "p.json");
  ASSERT_EQ(y.workloads.size(), 1u);
  ASSERT_EQ(j.workloads.size(), 1u);
  Policy pol;
  std::vector<std::string> fy, fj;
  for (const auto& f : run_checks(y, pol)) fy.push_back(f.check + " " + f.field + " " + f.message);
  for (const auto& f : run_checks(j, pol)) fj.push_back(f.check + " " + f.field + " " + f.message);
  EXPECT_EQ(fy, fj);
  EXPECT_GE(fy.size(), 10u);
  const PodSpec& p = j.workloads[0].pod;
  EXPECT_EQ(p.sc.run_as_user, 0);
  EXPECT_EQ(p.automount_token, false);
  EXPECT_EQ(p.containers[0].host_ports, std::vector<int64_t>{8080});
  EXPECT_EQ(p.apparmor_annotations.at("c"), "unconfined");
  EXPECT_EQ(j.workloads[0].labels.at("app"), "x");
}

TEST(Snapshot, FoldersAreReadRecursivelyInSortedOrder) {
  std::string dir = eksir::test::temp_dir();
  write(dir + "/b/2.yaml", "kind: Namespace\nmetadata: {name: second}\n");
  write(dir + "/a.json", R"({"kind":"Namespace","metadata":{"name":"first"}})");
  write(dir + "/b/1/x.yml", "kind: Namespace\nmetadata: {name: third}\n");
  Snapshot snap;
  load_snapshot({dir}, snap);
  ASSERT_EQ(snap.namespaces.size(), 3u);
  EXPECT_EQ(snap.namespaces[0].name, "first");
  EXPECT_EQ(snap.namespaces[1].name, "third");  // b/1/x.yml sorts before b/2.yaml
  EXPECT_EQ(snap.namespaces[2].name, "second");
}

TEST(Snapshot, BadFilesAreSkippedWithFileAndLine) {
  Snapshot snap;
  add_text(snap, "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"kind\": \"Pod\",,}\n  ]\n}\n",
           "broken.json");
  add_text(snap, "kind: Namespace\nmetadata:\n  name: [unclosed\n", "broken.yaml");
  add_text(snap, "", "empty.yaml");
  add_text(snap, "- just\n- a list\n", "list.yaml");
  add_text(snap, R"({"something":"else"})", "unknown.json");
  add_text(snap, "kind: Namespace\nmetadata: {name: fine}\n", "ok.yaml");
  ASSERT_EQ(snap.skips.size(), 5u);
  EXPECT_EQ(snap.skips[0].file, "broken.json");
  EXPECT_EQ(snap.skips[0].line, 4u);
  EXPECT_EQ(snap.skips[1].file, "broken.yaml");
  EXPECT_GE(snap.skips[1].line, 3u);
  EXPECT_EQ(snap.skips[2].reason, "empty");
  EXPECT_EQ(snap.skips[3].reason, "unrecognised object");
  EXPECT_EQ(snap.skips[4].reason, "unrecognised object");
  EXPECT_EQ(snap.namespaces.size(), 1u);  // the good file around the bad ones is still read
}

// Found by fuzzing: a YAML document that starts with a stray ',' made yaml-cpp's LoadAll loop
// forever, allocating until the machine ran out of memory.
TEST(Snapshot, StrayCommaIsInvalidYamlNotAnEndlessLoop) {
  const std::string text = "kind: Namespace\nmetadata: {name: a}\n---\n,\n";
  ASSERT_TRUE(eksir::test::returns_within(10, [&] {
    Snapshot snap;
    add_text(snap, text, "comma.yaml");
  }));
  Snapshot snap;
  add_text(snap, text, "comma.yaml");
  ASSERT_EQ(snap.skips.size(), 1u);
  EXPECT_EQ(snap.skips[0].reason, "invalid YAML");
  EXPECT_EQ(snap.skips[0].line, 4u);
}

TEST(Snapshot, BadItemOfAJsonListNamesItsRecord) {
  Snapshot snap;
  add_text(
      snap,
      R"({"kind":"List","items":[{"kind":"Namespace","metadata":{"name":"a"}},"oops",{"kind":"Namespace","metadata":{"name":"b"}}]})",
      "list.json");
  ASSERT_EQ(snap.skips.size(), 1u);
  EXPECT_EQ(snap.skips[0].record, 2u);
  EXPECT_EQ(snap.namespaces.size(), 2u);
}

TEST(Snapshot, MissingPathIsASkipNotACrash) {
  Snapshot snap;
  load_snapshot({"/nonexistent/eksir/snapshot"}, snap);
  ASSERT_EQ(snap.skips.size(), 1u);
  EXPECT_EQ(snap.skips[0].reason, "unreadable");
}

TEST(Snapshot, AwsAuthMapRolesAndMapUsers) {
  Snapshot snap;
  add_text(snap,
           "kind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n"
           "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/admin\n      username: admin\n      "
           "groups: [system:masters]\n"
           "  mapUsers: |\n    - userarn: arn:aws:iam::1:user/bob\n      username: bob\n      "
           "groups: [dev]\n",
           "aws-auth.yaml");
  ASSERT_EQ(snap.aws_auth.size(), 2u);
  EXPECT_FALSE(snap.aws_auth[0].user);
  EXPECT_EQ(snap.aws_auth[0].groups, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(snap.aws_auth[1].user);
  EXPECT_EQ(snap.aws_auth[1].arn, "arn:aws:iam::1:user/bob");
  // A broken mapRoles string is reported, not dropped.
  Snapshot bad;
  add_text(bad,
           "kind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  "
           "mapRoles: \"- rolearn: [x\"\n",
           "a.yaml");
  add_text(bad,
           "kind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  "
           "mapUsers: \"userarn: x\"\n",
           "b.yaml");
  ASSERT_EQ(bad.skips.size(), 2u);
  EXPECT_EQ(bad.skips[0].reason, "invalid aws-auth");
  EXPECT_EQ(bad.skips[1].detail, "mapUsers is not a YAML list");
}

TEST(Snapshot, AccessEntriesFromEveryAwsEksCommand) {
  Snapshot snap;
  add_text(snap, R"({"accessEntries":["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b"]})",
           "list.json");
  add_text(
      snap,
      R"({"accessEntry":{"principalArn":"arn:aws:iam::1:role/a","type":"STANDARD","username":"a","kubernetesGroups":["ops"]}})",
      "describe.json");
  add_text(
      snap,
      R"({"clusterName":"c","principalArn":"arn:aws:iam::1:role/a","associatedAccessPolicies":[{"policyArn":)"
      R"("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy","accessScope":{"type":"cluster","namespaces":[]}}]})",
      "policies.json");
  ASSERT_EQ(snap.access_entries.size(), 2u);
  EXPECT_EQ(snap.access_entries[0].type, "STANDARD");
  EXPECT_EQ(snap.access_entries[0].groups, std::vector<std::string>{"ops"});
  ASSERT_EQ(snap.access_entries[0].policies.size(), 1u);
  EXPECT_EQ(snap.access_entries[0].policies[0].scope_type, "cluster");
  EXPECT_TRUE(snap.skips.empty());
}

}  // namespace
