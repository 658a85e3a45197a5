#include "sources/unwrap.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using eksir::Event;
using eksir::EventView;
using eksir::format_time;
using eksir::Source;
using eksir::sources::Skip;
using eksir::sources::detail::Position;
using eksir::sources::detail::Unwrapper;

struct Outcome {
  std::vector<Event> events;
  std::vector<Skip> skips;
  size_t returned = 0;  // sum of unwrap()'s return values
};

// Feeds every top-level JSON value of `text` to one Unwrapper, as the scanner does. A value that
// does not parse ends the text with an "invalid JSON" skip.
Outcome run(std::string_view text, std::string_view file = "test.json") {
  Outcome out;
  Unwrapper unwrapper;
  uint64_t record = 0;
  auto emit = [&](const EventView& v) { out.events.push_back(Event::from_view(v)); };
  auto skip = [&](Skip&& s) { out.skips.push_back(std::move(s)); };
  auto invalid = [&](uint64_t line, std::string detail) {
    out.skips.push_back(Skip{std::string(file), line, record++, "invalid JSON", std::move(detail)});
  };
  simdjson::padded_string padded(text);
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  size_t batch = std::max<size_t>(text.size() + 64, 1 << 20);
  if (auto error = parser.parse_many(padded, batch).get(stream)) {
    invalid(1, simdjson::error_message(error));
    return out;
  }
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    size_t at = it.current_index();
    uint64_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
    simdjson::dom::element doc;
    if (auto error = (*it).get(doc)) {
      invalid(line, simdjson::error_message(error));
      return out;
    }
    Position pos{file, line};
    out.returned += unwrapper.unwrap(it.source(), doc, pos, record, false, emit, skip);
  }
  if (stream.truncated_bytes() > 0) invalid(0, "truncated document at end of file");
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path samples() {
  return eksir::test::samples_dir();
}

Outcome run_sample(const std::string& rel) {
  std::string text = slurp(samples() / rel);
  EXPECT_FALSE(text.empty()) << rel;
  return run(text, rel);
}

// A field of the event's normalised JSON by JSON pointer: the string itself, or the value's
// JSON text; "<missing>" when absent.
std::string field(const Event& e, std::string_view pointer) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc, value;
  if (parser.parse(e.normalised()).get(doc)) return "<unparsable>";
  if (doc.at_pointer(pointer).get(value)) return "<missing>";
  std::string_view s;
  if (value.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(value);
}

// ---------------------------------------------------------------------------------------------
// Every evidence file of the shared samples

struct FileCase {
  std::string path;
  size_t events;
  Source source;   // of every event in the file
  size_t untimed;  // events that carry no timestamp at all
  size_t skips;
  std::string reason;  // of every skip
};

FileCase evidence(std::string path, size_t events, Source source, size_t untimed = 0) {
  return {std::move(path), events, source, untimed, 0, ""};
}
FileCase rejected(std::string path, size_t skips, std::string reason) {
  return {std::move(path), 0, Source::K8sAudit, 0, skips, std::move(reason)};
}

const std::string kTrace = "k8s-audit/falco-trace-files/";
const std::string kStratus = "cloudtrail/stratus-red-team-detonation-logs/";
const std::string kInvalid = "invalid JSON";
const std::string kUnknown = "unrecognised format";

std::vector<FileCase> sample_cases() {
  std::vector<FileCase> cases;
  for (const char* name : {"anonymous_creates_namespace_foo",
                           "attach_cluster_admin_role",
                           "attach_pod",
                           "create_cluster_role_pod_exec",
                           "create_cluster_role_wildcard_resources",
                           "create_cluster_role_wildcard_verbs",
                           "create_cluster_role_write_privileges",
                           "create_clusterrole",
                           "create_clusterrolebinding",
                           "create_configmap",
                           "create_configmap_no_sensitive_values",
                           "create_deployment",
                           "create_kube_system_secret",
                           "create_nginx_pod_hostnetwork",
                           "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container",
                           "create_nginx_pod_nohostnetwork",
                           "create_nginx_pod_privileged",
                           "create_nginx_pod_privileged_2nd_container",
                           "create_nginx_pod_sensitive_mount",
                           "create_nginx_pod_sensitive_mount_2nd_container",
                           "create_nginx_pod_unprivileged",
                           "create_nginx_pod_unsensitive_mount",
                           "create_nginx_service_nodeport",
                           "create_nginx_service_nonodeport",
                           "create_pod_kube_public_namespace",
                           "create_pod_kube_system_namespace",
                           "create_secret",
                           "create_service",
                           "create_service_account_token_secret",
                           "create_serviceaccount",
                           "create_serviceaccount_kube_public_namespace",
                           "create_serviceaccount_kube_system_namespace",
                           "delete_cluster_role_kube_aggregator",
                           "delete_clusterrole",
                           "delete_clusterrolebinding",
                           "delete_configmap",
                           "delete_deployment",
                           "delete_namespace_foo",
                           "delete_secret",
                           "delete_service",
                           "delete_serviceaccount",
                           "exec_pod",
                           "minikube_creates_namespace_foo",
                           "modify_cluster_role_node_problem_detector",
                           "some-user_creates_namespace_foo"})
    cases.push_back(evidence(kTrace + name + ".json", 1, Source::K8sAudit));
  cases.push_back(evidence(kTrace + "create_configmap_sensitive_values.json", 6, Source::K8sAudit));
  cases.push_back(rejected(kTrace + "fal_01_003.json", 1, kUnknown));

  cases.push_back(evidence("k8s-audit/eks/ocsf-examples__eks.raw.json", 1, Source::K8sAudit));
  // Lines 4-7 (ELB health checks) were trimmed by hand upstream: no auditID, no timestamps.
  cases.push_back(evidence("k8s-audit/eks/panther-normalized/panther__aws_eks_rules_tests.jsonl",
                           20, Source::K8sAudit, 4));
  // Metadata beside the samples, not evidence: every entry is reported, none becomes an event.
  cases.push_back(rejected(
      "k8s-audit/eks/panther-normalized/panther__aws_eks_rules_tests.index.json", 20, kUnknown));
  // A shell transcript cut from a doc page: the "$ aws ..." prompt line comes first.
  cases.push_back(rejected(
      "k8s-audit/eks/eks-immersion-day__logs-insights-get-query-results.excerpt.txt", 1, kInvalid));
  for (const char* name :
       {"eks.persistence.backdoor-aws-auth-configmap__1", "k8s.credential-access.dump-secrets__1",
        "k8s.privilege-escalation.privileged-pod__1"})
    cases.push_back(rejected(
        std::string("k8s-audit/partial-snippets/stratus-docs__") + name + ".txt", 1, kUnknown));
  for (const char* name :
       {"k8s.credential-access.steal-serviceaccount-token__1", "k8s.persistence.create-token__1",
        "k8s.privilege-escalation.nodes-proxy__1"})
    cases.push_back(rejected(
        std::string("k8s-audit/partial-snippets/stratus-docs__") + name + ".txt", 1, kInvalid));

  const std::pair<const char*, size_t> stratus[] = {
      {"aws.credential-access.ec2-get-password-data", 34},
      {"aws.credential-access.ec2-steal-instance-credentials", 45},
      {"aws.credential-access.secretsmanager-batch-retrieve-secrets", 5},
      {"aws.credential-access.secretsmanager-retrieve-secrets", 21},
      {"aws.credential-access.ssm-retrieve-securestring-parameters", 10},
      {"aws.defense-evasion.cloudtrail-delete", 1},
      {"aws.defense-evasion.cloudtrail-event-selectors", 1},
      {"aws.defense-evasion.cloudtrail-stop", 1},
      {"aws.defense-evasion.dns-delete-logs", 1},
      {"aws.defense-evasion.organizations-leave", 3},
      {"aws.defense-evasion.vpc-remove-flow-logs", 1},
      {"aws.discovery.ec2-download-user-data", 19},
      {"aws.execution.ec2-launch-unusual-instances", 3},
      {"aws.execution.ec2-user-data", 35},
      {"aws.execution.ssm-send-command", 56},
      {"aws.execution.ssm-start-session", 29},
      {"aws.exfiltration.ec2-security-group-open-port-22-ingress", 1},
      {"aws.exfiltration.ec2-share-ami", 1},
      {"aws.exfiltration.ec2-share-ebs-snapshot", 1},
      {"aws.exfiltration.rds-share-snapshot", 1},
      {"aws.impact.bedrock-invoke-model", 15},
      {"aws.initial-access.console-login-without-mfa", 1},
      {"aws.lateral-movement.ec2-instance-connect", 3},
      {"aws.lateral-movement.ec2-serial-console-send-ssh-public-key", 4},
      {"aws.persistence.iam-backdoor-role", 1},
      {"aws.persistence.iam-backdoor-user", 1},
      {"aws.persistence.iam-create-admin-user", 3},
      {"aws.persistence.iam-create-backdoor-role", 2},
      {"aws.persistence.iam-create-user-login-profile", 3},
      {"aws.persistence.lambda-backdoor-function", 1},
      {"aws.persistence.lambda-layer-extension", 1},
      {"aws.persistence.lambda-overwrite-code", 1},
      {"aws.persistence.rolesanywhere-create-trust-anchor", 2},
      {"aws.persistence.sts-federation-token", 2},
      {"aws.privilege-escalation.iam-update-user-login-profile", 1},
  };
  for (auto [name, n] : stratus)
    cases.push_back(evidence(kStratus + name + ".json", n, Source::CloudTrail));
  for (const char* name :
       {"awsdocs-eks-ug__CreateCluster.json",
        "awsdocs-eks-ug__iam-DeleteInstanceProfile-by-AWSServiceRoleForAmazonEKSNodegroup.json",
        "eks-immersion-day__eks-auth-AssumeRoleForPodIdentity.json",
        "eks-immersion-day__sts-AssumeRole-by-pods.eks.amazonaws.com.json"})
    cases.push_back(
        evidence(std::string("cloudtrail/eks-and-pod-identity/") + name, 1, Source::CloudTrail));
  cases.push_back(evidence("cloudtrail/s3-delivery-format/falco-test__alice_start_instances.json",
                           1, Source::CloudTrail));
  cases.push_back(rejected(
      "cloudtrail/partial-snippets/stratus-docs__eks.lateral-movement.create-access-entry__1.txt",
      1, kInvalid));
  cases.push_back(rejected(
      "cloudtrail/partial-snippets/stratus-docs__eks.lateral-movement.create-access-entry__2.txt",
      1, kUnknown));

  cases.push_back(
      evidence("guardduty/"
               "cdk-eks-blueprints-patterns__cli-get-findings__PrivilegeEscalation-Kubernetes-"
               "PrivilegedContainer.json",
               1, Source::GuardDuty));
  cases.push_back(evidence("guardduty/elastic-integrations/test-guardduty.log.lines-2-3-5.jsonl", 3,
                           Source::GuardDuty));
  cases.push_back(
      rejected("guardduty/partial-snippets/"
               "cdk-eks-blueprints-patterns__securityhub-ASFF__GuardDuty-Kubernetes-"
               "PrivilegedContainer.elided.txt",
               1, kInvalid));

  cases.push_back(evidence("falco/falco-test__single_rule_with_cat_write.jsonl", 8, Source::Falco));
  cases.push_back(evidence("falco/falco-website__alerts.jsonl", 15, Source::Falco));
  cases.push_back(rejected("falco/falco-website__alerts.index.json", 15, kUnknown));
  // Metrics, not an alert: neither an event nor a skip.
  cases.push_back(
      evidence("falco/falco-website__internal-metrics-snapshot.json", 0, Source::Falco));

  cases.push_back(evidence("ocsf/ocsf-examples__falco.ocsf.json", 1, Source::Ocsf));
  cases.push_back(evidence("ocsf/ocsf-examples__falco.raw.json", 1, Source::Falco));
  cases.push_back(
      evidence("ocsf/ocsf-examples__v1.1.0__eks-audit__api_activity.ocsf.json", 1, Source::Ocsf));
  cases.push_back(
      evidence("ocsf/ocsf-examples__v1.1.0__securityhub-guardduty.raw.json", 1, Source::GuardDuty));
  cases.push_back(
      evidence("ocsf/ocsf-examples__v1.1.0__securityhub-guardduty__detection_finding.ocsf.json", 1,
               Source::Ocsf));
  return cases;
}

TEST(UnwrapSamples, EveryEvidenceFileGivesItsExactEventCount) {
  std::map<Source, size_t> totals;
  for (const FileCase& c : sample_cases()) {
    SCOPED_TRACE(c.path);
    Outcome out = run_sample(c.path);
    EXPECT_EQ(out.events.size(), c.events);
    EXPECT_EQ(out.returned, c.events);
    size_t untimed = 0;
    for (const Event& e : out.events) {
      EXPECT_EQ(e.source, c.source) << e.raw.substr(0, 200);
      EXPECT_EQ(e.file, c.path);
      untimed += e.time == eksir::kNoTime;
    }
    EXPECT_EQ(untimed, c.untimed);
    ASSERT_EQ(out.skips.size(), c.skips);
    for (const Skip& s : out.skips) {
      EXPECT_EQ(s.reason, c.reason) << s.detail;
      EXPECT_FALSE(s.detail.empty());
    }
    // Records are numbered 0.. across events and skips alike.
    std::vector<uint64_t> records;
    for (const Event& e : out.events) records.push_back(e.record);
    for (const Skip& s : out.skips) records.push_back(s.record);
    std::sort(records.begin(), records.end());
    for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i], i);
    totals[c.source] += c.events;
  }
  EXPECT_EQ(totals[Source::CloudTrail], 310u + 4 + 1);
}

TEST(UnwrapSamples, TableCoversEveryEvidenceFile) {
  std::set<std::string> listed;
  for (const FileCase& c : sample_cases()) listed.insert(c.path);
  size_t seen = 0;
  for (const auto& entry : fs::recursive_directory_iterator(samples())) {
    if (!entry.is_regular_file()) continue;
    std::string rel = fs::relative(entry.path(), samples()).generic_string();
    std::string ext = entry.path().extension().string();
    if (rel.rfind("LICENSES/", 0) == 0 || ext == ".md" || ext == ".yaml") continue;
    EXPECT_TRUE(listed.count(rel)) << "sample not covered: " << rel;
    ++seen;
  }
  EXPECT_EQ(seen, listed.size());
}

TEST(UnwrapSamples, AuditEventsOfAllThreeGenerations) {
  Outcome legacy = run_sample(kTrace + "attach_pod.json");
  ASSERT_EQ(legacy.events.size(), 1u);
  EXPECT_EQ(field(legacy.events[0], "/auditID"), "14933b4e-7b09-4964-af09-b7987367e1ba");
  EXPECT_EQ(field(legacy.events[0], "/apiVersion"), "<missing>");
  EXPECT_EQ(format_time(legacy.events[0].time), "2018-10-26T13:42:46.764Z");
  EXPECT_EQ(legacy.events[0].line, 1u);
  EXPECT_EQ(legacy.events[0].json, "");  // doc is the record itself

  Outcome beta = run_sample(kTrace + "anonymous_creates_namespace_foo.json");
  ASSERT_EQ(beta.events.size(), 1u);
  EXPECT_EQ(field(beta.events[0], "/user/username"), "system:anonymous");

  Outcome v1 = run_sample(kTrace + "create_kube_system_secret.json");
  ASSERT_EQ(v1.events.size(), 1u);
  EXPECT_EQ(field(v1.events[0], "/auditID"), "263db4e4-f0bb-41b4-913d-c03815f49be5");

  Outcome many = run_sample(kTrace + "create_configmap_sensitive_values.json");
  ASSERT_EQ(many.events.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(many.events[i].line, i + 1);
    EXPECT_EQ(many.events[i].record, i);
  }
}

TEST(UnwrapSamples, MalformedTraceFixtureIsUnrecognised) {
  Outcome out = run_sample(kTrace + "fal_01_003.json");
  ASSERT_EQ(out.skips.size(), 1u);
  EXPECT_EQ(out.skips[0].reason, "unrecognised format");
  EXPECT_EQ(out.skips[0].detail, "JSON object with keys: kind");
  EXPECT_EQ(out.skips[0].line, 1u);
  EXPECT_EQ(out.skips[0].record, 0u);
}

TEST(UnwrapSamples, EksAuditEvents) {
  Outcome raw = run_sample("k8s-audit/eks/ocsf-examples__eks.raw.json");
  ASSERT_EQ(raw.events.size(), 1u);
  EXPECT_EQ(field(raw.events[0], "/auditID"), "f47c68f2-d3ac-4f96-b2f4-5d497bf79b64");
  EXPECT_EQ(format_time(raw.events[0].time), "2021-09-07T20:37:30.502Z");

  Outcome panther =
      run_sample("k8s-audit/eks/panther-normalized/panther__aws_eks_rules_tests.jsonl");
  ASSERT_EQ(panther.events.size(), 20u);
  EXPECT_EQ(format_time(panther.events[0].time), "2022-11-29T00:09:04.380Z");
  EXPECT_EQ(field(panther.events[11], "/user/username"), "kubernetes-admin");
  EXPECT_EQ(field(panther.events[0], "/p_log_type"), "Amazon.EKS.Audit");
  EXPECT_EQ(field(panther.events[3], "/userAgent"), "ELB-HealthChecker/2.0");
  EXPECT_EQ(panther.events[3].time, eksir::kNoTime);
}

TEST(UnwrapSamples, LogsInsightsExcerptOnceCompleted) {
  // The doc excerpt starts with the shell command and stops after the first row; take the JSON
  // and close the brackets that were cut.
  std::string text = slurp(
      samples() / "k8s-audit/eks/eks-immersion-day__logs-insights-get-query-results.excerpt.txt");
  text = text.substr(text.find('{'));
  text = text.substr(0, text.rfind(']') + 1) + "]}";
  Outcome out = run(text);
  ASSERT_EQ(out.skips.size(), 0u) << out.skips[0].detail;
  ASSERT_EQ(out.events.size(), 1u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.source, Source::K8sAudit);
  EXPECT_EQ(field(e, "/user/username"), "eks:k8s-metrics");
  EXPECT_EQ(field(e, "/auditID"), "ff666369-8ea8-4fd9-8c54-64a49dc90e1d");
  EXPECT_EQ(e.raw.substr(0, 38), R"({"kind":"Event","apiVersion":"audit.k8)");
  EXPECT_EQ(format_time(e.time), "2023-07-31T01:58:11.743Z");
}

TEST(UnwrapSamples, PartialSnippetsSayWhatIsMissing) {
  Outcome aws_auth = run_sample(
      "k8s-audit/partial-snippets/"
      "stratus-docs__eks.persistence.backdoor-aws-auth-configmap__1.txt");
  ASSERT_EQ(aws_auth.skips.size(), 1u);
  EXPECT_NE(aws_auth.skips[0].detail.find("like a Kubernetes audit Event"), std::string::npos);
  Outcome access = run_sample(
      "cloudtrail/partial-snippets/stratus-docs__eks.lateral-movement.create-access-entry__2.txt");
  ASSERT_EQ(access.skips.size(), 1u);
  EXPECT_NE(access.skips[0].detail.find("like a CloudTrail record"), std::string::npos);
}

TEST(UnwrapSamples, CloudTrailArraysAndS3Files) {
  Outcome stratus = run_sample(kStratus + "aws.defense-evasion.cloudtrail-stop.json");
  ASSERT_EQ(stratus.events.size(), 1u);
  EXPECT_EQ(field(stratus.events[0], "/eventName"), "StopLogging");
  // raw is the element's text exactly as in the file (indentation kept).
  EXPECT_EQ(stratus.events[0].raw.substr(0, 9), "{\n      \"");

  Outcome pw = run_sample(kStratus + "aws.credential-access.ec2-get-password-data.json");
  ASSERT_EQ(pw.events.size(), 34u);
  EXPECT_EQ(field(pw.events[0], "/eventName"), "GetPasswordData");
  EXPECT_EQ(pw.events[33].record, 33u);
  EXPECT_EQ(pw.events[33].line, 1u);  // all records of a value share the line where it starts

  Outcome s3 = run_sample("cloudtrail/s3-delivery-format/falco-test__alice_start_instances.json");
  ASSERT_EQ(s3.events.size(), 1u);
  EXPECT_EQ(field(s3.events[0], "/eventName"), "StartInstances");
  EXPECT_EQ(format_time(s3.events[0].time), "2014-03-06T21:22:54.000Z");
  EXPECT_EQ(s3.events[0].raw.front(), '{');
  EXPECT_EQ(s3.events[0].raw.back(), '}');

  Outcome pod = run_sample(
      "cloudtrail/eks-and-pod-identity/eks-immersion-day__eks-auth-AssumeRoleForPodIdentity.json");
  ASSERT_EQ(pod.events.size(), 1u);
  EXPECT_EQ(field(pod.events[0], "/eventSource"), "eks-auth.amazonaws.com");
  EXPECT_EQ(format_time(pod.events[0].time), "2024-04-16T08:29:33.000Z");
}

TEST(UnwrapSamples, GuardDutyBothCasingsReadAlike) {
  Outcome cli = run_sample(
      "guardduty/"
      "cdk-eks-blueprints-patterns__cli-get-findings__PrivilegeEscalation-Kubernetes-"
      "PrivilegedContainer.json");
  ASSERT_EQ(cli.events.size(), 1u);
  const Event& pascal = cli.events[0];
  EXPECT_EQ(field(pascal, "/type"), "PrivilegeEscalation:Kubernetes/PrivilegedContainer");
  EXPECT_EQ(field(pascal, "/resource/eksClusterDetails/name"), "guardduty-blueprint");
  EXPECT_EQ(field(pascal,
                  "/resource/kubernetesDetails/kubernetesWorkloadDetails/containers/0/"
                  "securityContext/privileged"),
            "true");
  EXPECT_EQ(field(pascal, "/severity"), "5");
  EXPECT_FALSE(pascal.sample);
  EXPECT_EQ(format_time(pascal.time), "2023-03-22T21:28:07.748Z");
  EXPECT_NE(pascal.raw.find("\"SchemaVersion\""), std::string::npos);  // raw stays as written
  EXPECT_FALSE(pascal.json.empty());

  Outcome api = run_sample("guardduty/elastic-integrations/test-guardduty.log.lines-2-3-5.jsonl");
  ASSERT_EQ(api.events.size(), 3u);
  EXPECT_EQ(field(api.events[0], "/type"), "Persistence:Kubernetes/SuccessfulAnonymousAccess");
  EXPECT_EQ(field(api.events[0], "/resource/eksClusterDetails/name"),
            "GeneratedFindingEKSClusterName");
  EXPECT_EQ(field(api.events[1], "/type"), "Discovery:Kubernetes/TorIPCaller");
  EXPECT_EQ(field(api.events[2], "/type"), "PrivilegeEscalation:Runtime/DockerSocketAccessed");
  EXPECT_TRUE(api.events[0].sample);
  EXPECT_TRUE(api.events[1].sample);
  EXPECT_FALSE(api.events[2].sample);
  EXPECT_EQ(format_time(api.events[0].time), "2022-11-17T09:33:19.225Z");
  EXPECT_EQ(api.events[2].line, 3u);
}

TEST(UnwrapSamples, FalcoAlerts) {
  Outcome cat = run_sample("falco/falco-test__single_rule_with_cat_write.jsonl");
  ASSERT_EQ(cat.events.size(), 8u);
  EXPECT_EQ(field(cat.events[0], "/rule"), "open_from_cat");
  EXPECT_EQ(format_time(cat.events[0].time), "2016-08-04T16:17:57.881Z");

  Outcome site = run_sample("falco/falco-website__alerts.jsonl");
  ASSERT_EQ(site.events.size(), 15u);
  EXPECT_EQ(field(site.events[3], "/rule"), "Attach/Exec Pod");
  EXPECT_EQ(field(site.events[3], "/output_fields/ka.user.name"), "kubernetes-admin");
  EXPECT_EQ(field(site.events[6], "/source"), "<missing>");  // 2021 alerts predate the field
  EXPECT_EQ(field(site.events[6], "/rule"), "Terminal shell in container");
  EXPECT_EQ(format_time(site.events[6].time), "2021-01-14T23:39:44.834Z");

  Outcome metrics = run_sample("falco/falco-website__internal-metrics-snapshot.json");
  EXPECT_EQ(metrics.events.size(), 0u);
  EXPECT_EQ(metrics.skips.size(), 0u);
}

TEST(UnwrapSamples, OcsfFolder) {
  Outcome detection =
      run_sample("ocsf/ocsf-examples__v1.1.0__securityhub-guardduty__detection_finding.ocsf.json");
  ASSERT_EQ(detection.events.size(), 1u);
  EXPECT_EQ(field(detection.events[0], "/class_uid"), "2004");
  EXPECT_EQ(format_time(detection.events[0].time), "2023-09-19T15:05:22.487Z");

  Outcome api = run_sample("ocsf/ocsf-examples__v1.1.0__eks-audit__api_activity.ocsf.json");
  ASSERT_EQ(api.events.size(), 1u);
  EXPECT_EQ(field(api.events[0], "/class_uid"), "6003");
  EXPECT_EQ(format_time(api.events[0].time), "2021-09-07T20:37:30.642Z");

  Outcome old = run_sample("ocsf/ocsf-examples__falco.ocsf.json");
  ASSERT_EQ(old.events.size(), 1u);
  EXPECT_EQ(field(old.events[0], "/class_uid"), "2001");

  Outcome falco = run_sample("ocsf/ocsf-examples__falco.raw.json");
  ASSERT_EQ(falco.events.size(), 1u);
  EXPECT_EQ(field(falco.events[0], "/rule"), "Linux Kernel Module Injection Detected");
  EXPECT_EQ(format_time(falco.events[0].time), "2023-01-03T15:11:39.558Z");
}

TEST(UnwrapSamples, SecurityHubGuardDutyFindingReadsAsGuardDuty) {
  Outcome out = run_sample("ocsf/ocsf-examples__v1.1.0__securityhub-guardduty.raw.json");
  ASSERT_EQ(out.events.size(), 1u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.source, Source::GuardDuty);
  EXPECT_EQ(field(e, "/type"), "Stealth:IAMUser/CloudTrailLoggingDisabled");
  EXPECT_EQ(field(e, "/severity"), "2");
  EXPECT_EQ(field(e, "/id"), "a6c556fcbc9bea427a19f8b787099a0b");
  EXPECT_EQ(field(e, "/accountId"), "111111111111");
  EXPECT_EQ(field(e, "/resource/resourceType"), "AccessKey");
  EXPECT_EQ(field(e, "/service/action/awsApiCallAction/api"), "DeleteTrail");
  EXPECT_EQ(field(e, "/service/additionalInfo/sample"), "false");
  EXPECT_EQ(field(e, "/asff/productArn"), "arn:aws:securityhub:us-east-2::product/aws/guardduty");
  EXPECT_FALSE(e.sample);
  EXPECT_EQ(format_time(e.time), "2023-09-19T15:05:22.487Z");
  EXPECT_EQ(e.raw.substr(0, 20), "{\n    \"AwsAccountId\"");
}

// ---------------------------------------------------------------------------------------------
// Wrapper forms

constexpr std::string_view kAudit =
    R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods/p/exec","verb":"create","user":{"username":"kubernetes-admin"},"requestReceivedTimestamp":"2024-05-01T10:00:00.123456Z","stageTimestamp":"2024-05-01T10:00:00.200000Z"})";

std::string json_quoted(std::string_view json) {
  std::string out = "\"";
  for (char c : json) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

TEST(UnwrapWrappers, LookupEvents) {
  std::string inner1 =
      R"({"eventVersion":"1.09","eventTime":"2024-05-01T10:00:00Z","eventSource":"eks.amazonaws.com","eventName":"CreateAccessEntry"})";
  std::string inner2 =
      R"({"eventVersion":"1.09","eventTime":"2024-05-01T10:01:00Z","eventSource":"eks.amazonaws.com","eventName":"AssociateAccessPolicy"})";
  std::string text =
      R"({"Events":[{"EventId":"1","EventName":"CreateAccessEntry","EventTime":"2024-05-01T10:00:00+00:00","CloudTrailEvent":)" +
      json_quoted(inner1) + R"(},{"EventId":"2","CloudTrailEvent":)" + json_quoted(inner2) +
      R"(}],"NextToken":"abc"})";
  Outcome out = run(text);
  ASSERT_EQ(out.skips.size(), 0u);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].source, Source::CloudTrail);
  EXPECT_EQ(out.events[0].raw, inner1);
  EXPECT_EQ(out.events[1].raw, inner2);
  EXPECT_EQ(out.events[1].record, 1u);
  EXPECT_EQ(field(out.events[1], "/eventName"), "AssociateAccessPolicy");
  EXPECT_EQ(format_time(out.events[1].time), "2024-05-01T10:01:00.000Z");
}

TEST(UnwrapWrappers, EventBridgeCloudTrail) {
  std::string detail =
      R"({ "eventVersion": "1.09", "eventTime": "2024-05-01T10:00:00Z", "eventSource": "eks.amazonaws.com", "eventName": "UpdateClusterConfig" })";
  std::string text =
      R"({"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.eks","time":"2024-05-01T10:00:01Z","detail": )" +
      detail + "}";
  Outcome out = run(text);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].source, Source::CloudTrail);
  EXPECT_EQ(out.events[0].raw, detail);  // the detail's own bytes
  EXPECT_EQ(field(out.events[0], "/eventName"), "UpdateClusterConfig");
}

constexpr std::string_view kFinding =
    R"({"schemaVersion":"2.0","accountId":"123456789012","region":"us-east-1","id":"f1","type":"Execution:Kubernetes/ExecInKubeSystemPod","resource":{"resourceType":"EKSCluster","eksClusterDetails":{"name":"prod"}},"service":{"additionalInfo":{"value":"{\"sample\":true}","type":"default"}},"severity":5,"createdAt":1700000000.5,"updatedAt":"2023-11-14T22:13:20.500Z"})";

TEST(UnwrapWrappers, EventBridgeGuardDuty) {
  std::string text =
      R"({"version":"0","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":)" +
      std::string(kFinding) + "}";
  Outcome out = run(text);
  ASSERT_EQ(out.events.size(), 1u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.source, Source::GuardDuty);
  EXPECT_EQ(e.raw, kFinding);
  EXPECT_EQ(field(e, "/resource/eksClusterDetails/name"), "prod");
  EXPECT_TRUE(e.sample);  // only the additionalInfo.value string says so
  EXPECT_EQ(format_time(e.time), "2023-11-14T22:13:20.500Z");  // epoch seconds as a float
}

TEST(UnwrapWrappers, EventBridgeOfUnknownDetailIsReported) {
  Outcome out = run(
      R"({"detail-type":"EC2 Instance State-change Notification","detail":{"instance-id":"i-1","state":"running"}})");
  ASSERT_EQ(out.skips.size(), 1u);
  EXPECT_EQ(out.skips[0].reason, "unrecognised format");
  EXPECT_EQ(out.skips[0].detail,
            "detail of \"EC2 Instance State-change Notification\": JSON object with keys: "
            "instance-id, state");
}

TEST(UnwrapWrappers, FilterAndGetLogEvents) {
  std::string filter =
      R"({"events":[{"logStreamName":"kube-apiserver-audit-abc","timestamp":1714557600123,"message":)" +
      json_quoted(kAudit) +
      R"(,"ingestionTime":1714557601000,"eventId":"1"}],"searchedLogStreams":[]})";
  Outcome out = run(filter);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].source, Source::K8sAudit);
  EXPECT_EQ(out.events[0].raw, kAudit);
  EXPECT_EQ(format_time(out.events[0].time), "2024-05-01T10:00:00.123Z");

  std::string get = R"({"events":[{"timestamp":1,"message":)" + json_quoted(kAudit) +
                    R"(,"ingestionTime":2},{"timestamp":3,"message":)" + json_quoted(kAudit) +
                    R"(,"ingestionTime":4}],"nextForwardToken":"f/1","nextBackwardToken":"b/1"})";
  EXPECT_EQ(run(get).events.size(), 2u);
}

TEST(UnwrapWrappers, SubscriptionDataMessage) {
  std::string text =
      R"({"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/eks/prod/cluster","logStream":"kube-apiserver-audit-1","subscriptionFilters":["f"],"logEvents":[{"id":"1","timestamp":1,"message":)" +
      json_quoted(kAudit) + R"(},{"id":"2","timestamp":2,"message":)" + json_quoted(kAudit) + "}]}";
  Outcome out = run(text, "cw.json");
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].record, 0u);
  EXPECT_EQ(out.events[1].record, 1u);
  EXPECT_EQ(out.events[1].file, "cw.json");
  EXPECT_EQ(field(out.events[1], "/auditID"), "a-1");
}

TEST(UnwrapWrappers, SubscriptionControlMessageIsNotAnError) {
  Outcome out = run(
      R"({"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]})");
  EXPECT_EQ(out.events.size(), 0u);
  EXPECT_EQ(out.skips.size(), 0u);
  EXPECT_EQ(out.returned, 0u);
}

TEST(UnwrapWrappers, LogsInsightsResults) {
  std::string text =
      R"({"results":[[{"field":"@timestamp","value":"2024-05-01 10:00:00.123"},{"field":"@message","value":)" +
      json_quoted(kAudit) + R"(}],[{"field":"@timestamp","value":"x"}]],"status":"Complete"})";
  Outcome out = run(text);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].raw, kAudit);
  ASSERT_EQ(out.skips.size(), 1u);
  EXPECT_EQ(out.skips[0].record, 1u);
  EXPECT_EQ(out.skips[0].detail, "results[1]: Logs Insights row without an @message string");
}

TEST(UnwrapWrappers, MessageThatIsNotJsonIsSkippedWithItsRecord) {
  std::string text =
      R"({"events":[{"timestamp":1,"message":)" + json_quoted(kAudit) +
      R"(},{"timestamp":2,"message":"I0501 10:00:00.000 authenticator: access granted"},{"timestamp":3,"message":"{\"truncated\":"},{"timestamp":4,"message":)" +
      json_quoted(kAudit) + "}]}";
  Outcome out = run(text, "logs.json");
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].record, 0u);
  EXPECT_EQ(out.events[1].record, 3u);
  ASSERT_EQ(out.skips.size(), 2u);
  EXPECT_EQ(out.skips[0].reason, "invalid JSON");
  EXPECT_EQ(out.skips[0].record, 1u);
  EXPECT_EQ(out.skips[0].file, "logs.json");
  EXPECT_EQ(out.skips[0].line, 1u);
  EXPECT_EQ(out.skips[0].detail.rfind("events[1].message: not JSON (", 0), 0u)
      << out.skips[0].detail;
  EXPECT_NE(out.skips[0].detail.find("authenticator: access granted"), std::string::npos);
  EXPECT_EQ(out.skips[1].record, 2u);
  EXPECT_EQ(out.skips[1].reason, "invalid JSON");
}

TEST(UnwrapWrappers, MessageOfUnknownShape) {
  Outcome out = run(
      R"({"logEvents":[{"id":"1","timestamp":1,"message":"{\"level\":\"info\",\"msg\":\"hi\"}"}]})");
  ASSERT_EQ(out.skips.size(), 1u);
  EXPECT_EQ(out.skips[0].reason, "unrecognised format");
  EXPECT_EQ(out.skips[0].detail, "logEvents[0].message: JSON object with keys: level, msg");
}

TEST(UnwrapWrappers, GuardDutyFindingsLists) {
  std::string pascal =
      R"({"SchemaVersion":"2.0","AccountId":"1","Id":"p1","Type":"Policy:Kubernetes/AdminAccessToDefaultServiceAccount","Resource":{"ResourceType":"EKSCluster","EksClusterDetails":{"Name":"dev"}},"Service":{"AdditionalInfo":{"Value":"{}","Type":"default"}},"Severity":8,"CreatedAt":"2024-05-01T10:00:00-05:00"})";
  Outcome out = run(R"({"Findings":[)" + pascal + "," + std::string(kFinding) + "]}");
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].raw, pascal);
  EXPECT_EQ(field(out.events[0], "/resource/eksClusterDetails/name"), "dev");
  EXPECT_EQ(field(out.events[1], "/resource/eksClusterDetails/name"), "prod");
  EXPECT_EQ(format_time(out.events[0].time), "2024-05-01T15:00:00.000Z");
  EXPECT_FALSE(out.events[0].sample);
  EXPECT_TRUE(out.events[1].sample);

  Outcome empty = run(R"({"findings":[]})");
  EXPECT_EQ(empty.events.size() + empty.skips.size(), 0u);
}

TEST(UnwrapWrappers, RecordsArraysAndEventLists) {
  std::string rec =
      R"({"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity"})";
  Outcome out =
      run("[ " + rec + " ,\n  " + rec + " ]\n{\"Records\" : [" + rec + "]}\n{\"Records\":[]}");
  ASSERT_EQ(out.events.size(), 3u);
  for (const Event& e : out.events) EXPECT_EQ(e.raw, rec);
  EXPECT_EQ(out.events[2].line, 3u);
  EXPECT_EQ(out.events[2].record, 2u);

  std::string list =
      R"({"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[)" +
      std::string(kAudit) + "," + std::string(kAudit) + "]}";
  EXPECT_EQ(run(list).events.size(), 2u);
}

TEST(UnwrapWrappers, EscapedWrapperKeyFallsBackToReserialisedRaw) {
  std::string rec =
      R"({"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"})";
  Outcome out = run(R"({"Rec\u006frds": [ )" + rec + " ]}");
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].raw, rec);  // minified form equals the compact input
}

TEST(UnwrapBare, FalcoTimeFromEvtTimeAndInternalMetrics) {
  Outcome out = run(
      R"({"rule":"Terminal shell in container","priority":"Notice","output":"shell","output_fields":{"evt.time":1610667584834631763}}
{"rule":"Falco internal: metrics snapshot","priority":"Informational","output":"Falco metrics snapshot","source":"internal","time":"2025-05-29T22:19:58.960296886Z"})");
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.skips.size(), 0u);
  EXPECT_EQ(format_time(out.events[0].time), "2021-01-14T23:39:44.834Z");
}

TEST(UnwrapBare, OcsfTimeFromTimeDt) {
  Outcome out = run(
      R"({"class_uid":2004,"metadata":{"version":"1.1.0"},"time_dt":"2024-05-01T10:00:00.250Z"})");
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].source, Source::Ocsf);
  EXPECT_EQ(format_time(out.events[0].time), "2024-05-01T10:00:00.250Z");
}

TEST(UnwrapBare, AsffFromAnotherProductIsReported) {
  Outcome out = run(
      R"({"SchemaVersion":"2018-10-08","Id":"x","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/inspector","ProductName":"Inspector","AwsAccountId":"1","Types":["Software and Configuration Checks/Vulnerabilities/CVE"]})");
  ASSERT_EQ(out.skips.size(), 1u);
  EXPECT_EQ(out.skips[0].reason, "unrecognised format");
  EXPECT_EQ(out.skips[0].detail,
            "Security Hub (ASFF) finding from Inspector: only GuardDuty findings are read");
}

TEST(UnwrapBare, UnknownValuesAreReportedNotDropped) {
  Outcome out =
      run("{}\n42\n\"text\"\n[1, "
          "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9}]\n");
  ASSERT_EQ(out.skips.size(), 5u);
  EXPECT_EQ(out.skips[0].detail, "empty JSON object");
  EXPECT_EQ(out.skips[1].detail, "JSON number");
  EXPECT_EQ(out.skips[2].detail, "JSON string");
  EXPECT_EQ(out.skips[3].detail, "[0]: JSON number");
  EXPECT_EQ(out.skips[4].detail,
            "[1]: JSON object with keys: a, b, c, d, e, f, g, h, ... (9 keys)");
  EXPECT_EQ(out.skips[4].line, 4u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(out.skips[i].record, i);
}

TEST(UnwrapBare, DeepNestingIsReportedNotACrash) {
  std::string deep = std::string(200, '[') + "{}" + std::string(200, ']');
  Outcome out = run(deep);
  ASSERT_EQ(out.skips.size(), 1u);
  EXPECT_EQ(out.skips[0].reason, "unrecognised format");
  EXPECT_NE(out.skips[0].detail.find("nested too deeply"), std::string::npos);

  // JSON in a string in JSON in a string ...
  std::string s(kAudit);
  for (int i = 0; i < 6; ++i) s = R"({"timestamp":1,"message":)" + json_quoted(s) + "}";
  Outcome strings = run(s);
  EXPECT_EQ(strings.events.size(), 0u);
  ASSERT_EQ(strings.skips.size(), 1u);
  EXPECT_NE(strings.skips[0].detail.find("too deeply"), std::string::npos);
}

TEST(UnwrapBare, OneUnwrapperServesManyValues) {
  // The nested-string parsers are reused; earlier views must not leak into later events.
  Unwrapper u;
  uint64_t record = 0;
  std::vector<std::string> raws;
  auto emit = [&](const EventView& v) { raws.emplace_back(v.raw); };
  auto skip = [](Skip&&) { FAIL(); };
  for (int i = 0; i < 3; ++i) {
    std::string audit(kAudit);
    audit.replace(audit.find("a-1"), 3, "a-" + std::to_string(i));
    std::string text = R"({"events":[{"timestamp":1,"message":)" + json_quoted(audit) + "}]}";
    simdjson::dom::parser p;
    simdjson::dom::element doc = p.parse(text);
    Position pos{"f", 1};
    EXPECT_EQ(u.unwrap(text, doc, pos, record, false, emit, skip), 1u);
    EXPECT_NE(raws.back().find("a-" + std::to_string(i)), std::string::npos);
  }
  EXPECT_EQ(record, 3u);
}

}  // namespace
