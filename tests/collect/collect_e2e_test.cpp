// eksir collect end to end: the real aws CLI against a local endpoint answering with recorded
// responses, kubectl replaced by a recorder, and the bundle read back by hunt, posture and verify.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "test_paths.h"
#include "util/sha256.h"

namespace fs = std::filesystem;

namespace {

constexpr int64_t kSince = 1773446400;  // 2026-03-14T00:00:00Z
constexpr int64_t kUntil = 1773532800;  // 2026-03-15T00:00:00Z
const char* const kDetector = "6ac1f2e3d4b5a69788c9d0e1f2a3b4c5";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

simdjson::dom::array array_of(simdjson::dom::element e, const char* key) {
  simdjson::dom::array a;
  EXPECT_FALSE(e[key].get_array().get(a)) << key;
  return a;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CollectE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/bin/aws") || !fs::exists("/usr/bin/python3"))
      GTEST_SKIP() << "needs the Debian awscli and python3";
    tmp_ = eksir::test::temp_dir();
    incident_ = eksir::test::source_dir() + "/examples/incident-2026-03-14";
    fs::create_directories(tmp_ + "/bin");
    fs::create_directories(tmp_ + "/home");
    std::string kubectl = tmp_ + "/bin/kubectl";
    std::ofstream(kubectl) << "#!/bin/sh\nexec /usr/bin/python3 " << eksir::test::source_dir()
                           << "/tests/collect/kubectl_recorder.py \"$@\"\n";
    fs::permissions(kubectl, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    // The recorder first; /usr/bin before anything else so `aws` is the Debian package.
    setenv("PATH", (tmp_ + "/bin:/usr/bin:/bin").c_str(), 1);
    setenv("HOME", (tmp_ + "/home").c_str(), 1);
    setenv("KUBECTL_RECORD_LOG", (tmp_ + "/kubectl.log").c_str(), 1);
    setenv("KUBECTL_RECORD_SNAPSHOT", (incident_ + "/snapshot").c_str(), 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAEKSIRTEST0000000", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "eksir-test-secret", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_CONFIG_FILE", (tmp_ + "/home/no-config").c_str(), 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", (tmp_ + "/home/no-credentials").c_str(), 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    setenv("AWS_PAGER", "", 1);
    for (const char* v : {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION",
                          "EKSIR_AWS", "EKSIR_KUBECTL", "KUBECONFIG"})
      unsetenv(v);
  }

  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      ::waitpid(server_, nullptr, 0);
    }
    if (!tmp_.empty() && !HasFailure()) fs::remove_all(tmp_);
  }

  void start_server(const std::vector<std::string>& fail = {}) {
    std::vector<std::string> args = {"/usr/bin/python3",
                                     eksir::test::source_dir() + "/tests/collect/fake_aws.py",
                                     "--incident",
                                     incident_,
                                     "--port-file",
                                     tmp_ + "/port",
                                     "--log",
                                     tmp_ + "/server.log"};
    for (const auto& f : fail) args.insert(args.end(), {"--fail", f});
    server_ = ::fork();
    ASSERT_GE(server_, 0);
    if (server_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(tmp_ + "/port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(fs::exists(tmp_ + "/port")) << "the recorded endpoint did not start";
    endpoint_ = "http://127.0.0.1:" + slurp(tmp_ + "/port");
  }

  eksir::test::RunResult collect(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"collect",  "--cluster", "prod-payments",
                                     "--region", "us-east-1", "--endpoint-url",
                                     endpoint_,  "-o",        bundle()};
    args.insert(args.end(), extra.begin(), extra.end());
    return eksir::test::run_eksir(args);
  }

  std::string bundle() const { return tmp_ + "/bundle"; }

  // Requests the endpoint received for one operation (parsed JSON lines).
  std::vector<std::string> requests(const std::string& operation) const {
    std::vector<std::string> out;
    for (const auto& l : lines(tmp_ + "/server.log"))
      if (has(l, "\"operation\": \"" + operation + "\"")) out.push_back(l);
    return out;
  }

  // The verb of every kubectl call (the first word that is not a flag).
  std::set<std::string> kubectl_verbs() const {
    std::set<std::string> verbs;
    simdjson::dom::parser p;
    for (const auto& l : lines(tmp_ + "/kubectl.log")) {
      simdjson::dom::array argv;
      EXPECT_FALSE(p.parse(l).get_array().get(argv)) << l;
      for (auto a : argv) {
        std::string_view s;
        if (!a.get_string().get(s) && !s.empty() && s[0] != '-') {
          verbs.insert(std::string(s));
          break;
        }
      }
    }
    return verbs;
  }

  std::string tmp_, incident_, endpoint_;
  pid_t server_ = -1;
};

// Every file the manifest names hashes to what it says; returns how many.
size_t check_manifest_hashes(const std::string& bundle) {
  simdjson::dom::parser p;
  simdjson::dom::element m;
  EXPECT_FALSE(p.load(bundle + "/manifest.json").get(m));
  size_t n = 0;
  for (auto f : m["files"].get_array()) {
    std::string path(f["path"].get_string().value());
    auto d = eksir::sha256_file(bundle + "/" + path);
    EXPECT_TRUE(d.ok()) << path;
    EXPECT_EQ(d.hex, std::string(f["sha256"].get_string().value())) << path;
    EXPECT_EQ(d.size, f["size"].get_uint64().value()) << path;
    ++n;
  }
  return n;
}

// Commands that failed, except the EKS access-entry operations when the aws CLI is older than
// them (Debian 12 ships 2.9, access entries came in 2.15): their failure is recorded too.
std::vector<std::string> unexpected_failures(const std::string& bundle) {
  simdjson::dom::parser p;
  simdjson::dom::element m;
  std::vector<std::string> out;
  EXPECT_FALSE(p.load(bundle + "/manifest.json").get(m));
  simdjson::dom::array list1 = array_of(m, "commands");
  for (auto c : list1) {
    int64_t status = -1;
    if (!c["exitStatus"].get_int64().get(status) && status == 0) continue;
    std::string op(c["argv"].at(2).get_string().value());
    std::string_view err_path;
    bool old_cli = false;
    if (!c["stderr"]["path"].get_string().get(err_path))
      old_cli = has(slurp(bundle + "/" + std::string(err_path)), "Invalid choice");
    if (old_cli && (op == "list-access-entries" || op == "describe-access-entry" ||
                    op == "list-associated-access-policies"))
      continue;
    out.push_back(op);
  }
  return out;
}

TEST_F(CollectE2E, BundleIsReadCleanlyAndVerifies) {
  start_server();
  auto r = collect(
      {"--since", "2026-03-14T00:00:00Z", "--until", "2026-03-15T00:00:00Z", "--page-items", "10"});
  ASSERT_LE(r.exit_code, 1) << r.err;
  EXPECT_TRUE(unexpected_failures(bundle()).empty()) << r.err;
  EXPECT_TRUE(has(r.err, "pod logs of 2 flagged pods")) << r.err;

  std::string b = bundle();
  for (const char* f :
       {"snapshot/pods.json", "snapshot/nodes.json", "snapshot/configmaps.json",
        "snapshot/clusterroles.json", "snapshot/eks-describe-cluster.json",
        "eks/list-nodegroups.json", "eks/nodegroups/prod-payments-general.json",
        "cloudtrail/lookup-events-eks.json", "cloudtrail/lookup-events-iam.json",
        "k8s-audit/filter-log-events.json", "k8s-audit/filter-log-events.p0003.json",
        "guardduty/list-detectors.txt", "operator/caller-identity.txt",
        "inspector2/list-findings.json", "logs/kube-system/backup-agent.log",
        "logs/cert-manager/cert-manager-6f8d5c9b7d-cmvd4.log", "manifest.json", "manifest.sha256"})
    EXPECT_TRUE(fs::exists(b + "/" + f)) << f;
  EXPECT_TRUE(fs::exists(b + "/guardduty/get-findings-" + std::string(kDetector) + ".json"));

  // The readers take the bundle as it is, with nothing skipped.
  // Every record as read (hunt would fold copies of one record exported twice).
  auto hunt = eksir::test::run_eksir({"hunt", "*", b, "--count", "--keep-duplicates"});
  ASSERT_EQ(hunt.exit_code, 0) << hunt.err;
  EXPECT_EQ(hunt.out, "46\n");
  EXPECT_TRUE(has(hunt.err, "(13 cloudtrail, 22 k8s_audit, 5 guardduty, 6 vulnerability)"))
      << hunt.err;
  EXPECT_TRUE(has(hunt.err, " 0 skipped")) << hunt.err;
  auto posture = eksir::test::run_eksir({"posture", b + "/snapshot", "--format", "json"});
  ASSERT_EQ(posture.exit_code, 0) << posture.err;
  EXPECT_TRUE(has(posture.out, "\"skipped\":[]")) << posture.err;
  EXPECT_FALSE(has(posture.err, "skipped")) << posture.err;
  EXPECT_TRUE(has(posture.err, "group:system:masters")) << posture.err;

  // Chain of custody: hashes, commands, times, status and operator.
  EXPECT_GT(check_manifest_hashes(b), 30u);
  simdjson::dom::parser p;
  simdjson::dom::element m;
  ASSERT_FALSE(p.load(b + "/manifest.json").get(m));
  EXPECT_EQ(std::string(m["operator"]["awsCallerIdentity"]["arn"].get_string().value()),
            "arn:aws:iam::111122223333:user/ir-responder");
  EXPECT_FALSE(std::string(m["operator"]["user"].get_string().value()).empty());
  size_t commands = 0;
  for (auto c : m["commands"].get_array()) {
    ++commands;
    std::string argv0(c["argv"].at(0).get_string().value());
    EXPECT_TRUE(argv0 == "aws" || argv0 == "kubectl") << argv0;
    std::string started(c["started"].get_string().value());
    EXPECT_EQ(started.size(), 24u) << started;  // 2026-03-14T09:12:31.250Z
    EXPECT_EQ(started.back(), 'Z');
  }
  EXPECT_GT(commands, 30u);

  // kubectl was only asked to read; the window reached every source.
  EXPECT_EQ(kubectl_verbs(), (std::set<std::string>{"get", "logs"}));
  auto lookups = requests("LookupEvents");
  ASSERT_FALSE(lookups.empty());
  for (const auto& l : lookups) {
    EXPECT_TRUE(has(l, "\"StartTime\": " + std::to_string(kSince))) << l;
    EXPECT_TRUE(has(l, "\"EndTime\": " + std::to_string(kUntil))) << l;
  }
  auto audit = requests("FilterLogEvents");
  ASSERT_FALSE(audit.empty());
  EXPECT_TRUE(has(audit[0], "\"startTime\": " + std::to_string(kSince * 1000))) << audit[0];
  EXPECT_TRUE(has(audit[0], "\"endTime\": " + std::to_string(kUntil * 1000))) << audit[0];
  EXPECT_TRUE(has(audit[0], "\"logStreamNamePrefix\": \"kube-apiserver-audit\"")) << audit[0];
  auto findings = requests("ListFindings");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(has(findings[0], "\"greaterThanOrEqual\": " + std::to_string(kSince * 1000)));
  EXPECT_TRUE(has(findings[0], "\"resource.eksClusterDetails.name\"")) << findings[0];

  // Verification passes, then catches a change, a deletion and an addition.
  auto ok = eksir::test::run_eksir({"collect", "--verify", b});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_TRUE(has(ok.out, "ok: ")) << ok.out;
  std::ofstream(b + "/snapshot/pods.json", std::ios::app) << " ";
  fs::remove(b + "/cloudtrail/lookup-events-iam.json");
  std::ofstream(b + "/cloudtrail/planted.json") << "{}";
  auto bad = eksir::test::run_eksir({"collect", "verify", b});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_TRUE(has(bad.out, "changed: snapshot/pods.json")) << bad.out;
  EXPECT_TRUE(has(bad.out, "missing: cloudtrail/lookup-events-iam.json")) << bad.out;
  EXPECT_TRUE(has(bad.out, "not in manifest: cloudtrail/planted.json")) << bad.out;
}

// One run for a failing call, a window relative to now, and chosen namespaces.
TEST_F(CollectE2E, FailureRecordedRelativeWindowAndNamespaces) {
  start_server({"ListFindings"});
  auto before = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto r = collect({"--since", "24h", "--namespace", "payments", "-q"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "failed: aws guardduty list-findings")) << r.err;
  EXPECT_TRUE(has(r.err, "AccessDeniedException")) << r.err;
  EXPECT_EQ(unexpected_failures(bundle()), std::vector<std::string>{"list-findings"}) << r.err;

  std::string b = bundle();
  std::string err_file = "stderr/guardduty/list-findings-" + std::string(kDetector) + ".txt.err";
  EXPECT_TRUE(fs::exists(b + "/" + err_file));
  simdjson::dom::parser p;
  simdjson::dom::element m;
  ASSERT_FALSE(p.load(b + "/manifest.json").get(m));
  bool recorded = false;
  simdjson::dom::array list2 = array_of(m, "commands");
  for (auto c : list2) {
    if (std::string(c["argv"].at(1).get_string().value()) != "guardduty" ||
        std::string(c["argv"].at(2).get_string().value()) != "list-findings")
      continue;
    recorded = true;
    EXPECT_NE(c["exitStatus"].get_int64().value(), 0);
    EXPECT_EQ(std::string(c["stderr"]["path"].get_string().value()), err_file);
  }
  EXPECT_TRUE(recorded);
  EXPECT_FALSE(fs::exists(b + "/guardduty/get-findings-" + std::string(kDetector) + ".json"));

  // The rest was collected after the failure, and the bundle verifies.
  for (const char* f : {"cloudtrail/lookup-events-sts.json", "k8s-audit/filter-log-events.json",
                        "snapshot/pods-payments.json", "snapshot/nodes.json",
                        "snapshot/configmap-kube-system-aws-auth.json"})
    EXPECT_TRUE(fs::exists(b + "/" + f)) << f;
  EXPECT_GT(check_manifest_hashes(b), 20u);
  EXPECT_EQ(eksir::test::run_eksir({"collect", "--verify", b}).exit_code, 0);
  auto posture = eksir::test::run_eksir({"posture", b + "/snapshot", "--format", "json"});
  EXPECT_TRUE(has(posture.out, "\"skipped\":[]")) << posture.err;

  // --since 24h: a day ending now, in every lookup.
  auto lookups = requests("LookupEvents");
  ASSERT_EQ(lookups.size(), 4u);  // eks, iam, ec2, sts in us-east-1
  for (const auto& l : lookups) {
    simdjson::dom::element req;
    ASSERT_FALSE(p.parse(l).get(req));
    double start = req["body"]["StartTime"].get_double().value();
    double end = req["body"]["EndTime"].get_double().value();
    EXPECT_NEAR(end - start, 86400, 1);
    EXPECT_NEAR(end, static_cast<double>(before), 120);
  }

  // Namespaced kinds only in payments; cluster-scoped kinds and aws-auth still read.
  bool pods = false, nodes = false, aws_auth = false;
  for (const auto& l : lines(tmp_ + "/kubectl.log")) {
    EXPECT_FALSE(has(l, "--all-namespaces")) << l;
    pods |= has(l, R"("get", "pods", "--namespace=payments")");
    nodes |= has(l, R"("get", "nodes")");
    aws_auth |=
        has(l, R"("configmap", "--namespace=kube-system", "--output=json", "--", "aws-auth")");
  }
  EXPECT_TRUE(pods && nodes && aws_auth);
  EXPECT_EQ(kubectl_verbs(), (std::set<std::string>{"get"}));  // payments pods pass the checks
}

// A cluster whose node group and pod names are written by the attacker: the commands that would
// carry them are refused and recorded with the reason; nothing runs with them.
TEST_F(CollectE2E, HostileNamesFromTheClusterAreRefused) {
  std::string copy = tmp_ + "/incident";
  fs::copy(incident_, copy, fs::copy_options::recursive);
  const std::string nodegroup = "--nodegroup-name=x\x1b[2J";
  {
    std::string nodes = slurp(copy + "/snapshot/nodes.json");
    size_t at = nodes.find("\"prod-payments-general\"");
    ASSERT_NE(at, std::string::npos);
    nodes.replace(at, 23, "\"--nodegroup-name=x\\u001b[2J\"");
    std::ofstream(copy + "/snapshot/nodes.json") << nodes;
    std::string pods = slurp(copy + "/snapshot/pods.json");
    size_t items = pods.find("\"items\"");
    size_t open = pods.find('[', items);
    ASSERT_NE(open, std::string::npos);
    pods.insert(open + 1,
                R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "-evil",
                   "namespace": "payments"}, "spec": {"containers": [{"name": "c",
                   "image": "203.0.113.45:5000/x:latest", "securityContext":
                   {"privileged": true}}]}},)");
    std::ofstream(copy + "/snapshot/pods.json") << pods;
  }
  incident_ = copy;
  setenv("KUBECTL_RECORD_SNAPSHOT", (copy + "/snapshot").c_str(), 1);
  start_server();
  auto r = collect({"--since", "2026-03-14T00:00:00Z", "--until", "2026-03-15T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
  EXPECT_TRUE(has(r.err, "refused: --nodegroup-name \"--nodegroup-name=x\\x1b[2J\"")) << r.err;
  EXPECT_TRUE(has(r.err, "refused: Pod name \"-evil\"")) << r.err;

  // The manifest records each refusal with its reason and an argv holding nothing unchecked.
  simdjson::dom::parser p;
  simdjson::dom::element m;
  ASSERT_FALSE(p.load(bundle() + "/manifest.json").get(m));
  size_t refusals = 0;
  for (auto c : m["commands"].get_array()) {
    std::string_view why;
    if (c["refused"].get_string().get(why)) continue;
    ++refusals;
    EXPECT_EQ(c["argv"].get_array().size(), 1u);
  }
  EXPECT_EQ(refusals, 2u);
  // Nothing ran with the names; the rest of the bundle was collected.
  for (const auto& l : requests("DescribeNodegroup")) EXPECT_FALSE(has(l, "nodegroup-name")) << l;
  EXPECT_EQ(slurp(tmp_ + "/kubectl.log").find("-evil"), std::string::npos);
  EXPECT_TRUE(fs::exists(bundle() + "/logs/kube-system/backup-agent.log"));
  EXPECT_EQ(eksir::test::run_eksir({"collect", "--verify", bundle()}).exit_code, 0);

  // The operator's own values are checked before anything runs.
  auto usage = eksir::test::run_eksir(
      {"collect", "--cluster", "--name=x", "--region", "us-east-1", "-o", tmp_ + "/other"});
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

const char* const kPaymentsDigest =
    "sha256:80cee15bdb2551ed67800d23716d90bdf365e6c463d5e90f48df7d85d0604986";

// The manifest's imagesNotScanned, image -> reason.
std::map<std::string, std::string> not_scanned(const std::string& bundle) {
  simdjson::dom::parser p;
  simdjson::dom::element m;
  std::map<std::string, std::string> out;
  EXPECT_FALSE(p.load(bundle + "/manifest.json").get(m));
  for (auto i : array_of(m, "imagesNotScanned"))
    out[std::string(i["image"].get_string().value())] = i["reason"].get_string().value();
  return out;
}

// The cluster's ECR image (payments-api, in the account and region) is asked about by Inspector
// and ECR; what they answer is read back as vulnerability events by hunt and investigate. The
// images of other registries and accounts are listed as not scanned.
TEST_F(CollectE2E, VulnerabilityFindingsOfTheClustersImages) {
  start_server();
  auto r = collect({"--since", "2026-03-14T00:00:00Z", "--until", "2026-03-15T00:00:00Z"});
  ASSERT_LE(r.exit_code, 1) << r.err;
  EXPECT_TRUE(unexpected_failures(bundle()).empty()) << r.err;
  EXPECT_TRUE(has(r.err,
                  "vulnerability findings of 1 ECR image of 111122223333 in us-east-1; "
                  "6 images not scanned"))
      << r.err;

  std::string b = bundle();
  std::string ecr_file = "ecr/describe-image-scan-findings/payments-api@sha256_" +
                         std::string(kPaymentsDigest + 7) + ".json";
  EXPECT_TRUE(fs::exists(b + "/inspector2/list-findings.json"));
  EXPECT_TRUE(fs::exists(b + "/" + ecr_file));

  // Inspector was asked about the account's repository only, for active image package findings;
  // ECR about the digest the pods run.
  auto inspector = requests("InspectorListFindings");
  ASSERT_EQ(inspector.size(), 2u);  // the endpoint pages one finding at a time
  simdjson::dom::parser p;
  simdjson::dom::element req;
  ASSERT_FALSE(p.parse(inspector[0]).get(req));
  simdjson::dom::element crit = req["body"]["filterCriteria"];
  auto only_value = [&](const char* key) {
    simdjson::dom::array a = array_of(crit, key);
    EXPECT_EQ(a.size(), 1u) << key;
    return std::string(a.at(0)["value"].get_string().value());
  };
  EXPECT_EQ(only_value("ecrImageRepositoryName"), "payments-api");
  EXPECT_EQ(only_value("awsAccountId"), "111122223333");
  EXPECT_EQ(only_value("findingType"), "PACKAGE_VULNERABILITY");
  EXPECT_EQ(only_value("findingStatus"), "ACTIVE");
  EXPECT_EQ(only_value("resourceType"), "AWS_ECR_CONTAINER_IMAGE");
  auto scans = requests("DescribeImageScanFindings");
  ASSERT_EQ(scans.size(), 1u);
  ASSERT_FALSE(p.parse(scans[0]).get(req));
  EXPECT_EQ(std::string(req["body"]["repositoryName"].get_string().value()), "payments-api");
  EXPECT_EQ(std::string(req["body"]["registryId"].get_string().value()), "111122223333");
  EXPECT_EQ(std::string(req["body"]["imageId"]["imageDigest"].get_string().value()),
            kPaymentsDigest);

  auto skipped = not_scanned(b);
  EXPECT_EQ(skipped.size(), 6u);
  EXPECT_EQ(skipped["602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns:v1.11.4-eksbuild.2"],
            "ECR of account 602401143452, not the cluster's account 111122223333");
  EXPECT_EQ(skipped["203.0.113.45:5000/tools/backup:latest"],
            "registry 203.0.113.45:5000 is not Amazon ECR");
  EXPECT_EQ(skipped["quay.io/jetstack/cert-manager-controller:v1.16.3"],
            "registry quay.io is not Amazon ECR");

  // Read back: one CVE from both scanners, and investigate counts the vulnerability events.
  auto hunt = eksir::test::run_eksir(
      {"hunt", "vulnerability.id:CVE-2024-3094", b, "--format", "csv", "--fields",
       "vulnerability.scanner.vendor,package.name,container.image.hash.all", "-q"});
  ASSERT_EQ(hunt.exit_code, 0) << hunt.err;
  std::string d = kPaymentsDigest;
  EXPECT_EQ(hunt.out,
            "vulnerability.scanner.vendor,package.name,container.image.hash.all\n"
            "Amazon ECR,xz-utils," +
                d +
                "\n"
                "Amazon Inspector,xz-utils," +
                d +
                "\n"
                "Amazon Inspector,liblzma5," +
                d + "\n")
      << hunt.out;
  std::string case_dir = tmp_ + "/case";
  auto inv = eksir::test::run_eksir({"investigate", b, "-o", case_dir, "--format", "json"});
  ASSERT_EQ(inv.exit_code, 0) << inv.err;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(inv.out).get(doc)) << inv.out.substr(0, 500);
  int64_t vulns = 0;
  EXPECT_FALSE(doc["run"]["events"]["vulnerability"].get_int64().get(vulns))
      << inv.out.substr(0, 2000);
  EXPECT_EQ(vulns, 6);  // Inspector: 3 (one finding names two packages), ECR basic: 3
  EXPECT_EQ(eksir::test::run_eksir({"collect", "--verify", b}).exit_code, 0);
}

// Inspector not enabled (AccessDenied) is a recorded gap said in words; names from the cluster
// that fail ECR's rules never reach a command; the rest is still collected.
TEST_F(CollectE2E, VulnerabilityGapsAndHostileImageNames) {
  std::string copy = tmp_ + "/incident";
  fs::copy(incident_, copy, fs::copy_options::recursive);
  {
    std::string pods = slurp(copy + "/snapshot/pods.json");
    size_t open = pods.find('[', pods.find("\"items\""));
    ASSERT_NE(open, std::string::npos);
    pods.insert(open + 1, R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "odd",
        "namespace": "payments"}, "spec": {"containers": [
          {"name": "a", "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/--registry-id=1:x"},
          {"name": "b", "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/web:-v"},
          {"name": "c", "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/api:v1"}]},
        "status": {"containerStatuses": [{"name": "c", "imageID":
          "111122223333.dkr.ecr.us-east-1.amazonaws.com/api@sha256:zz"}]}},)");
    std::ofstream(copy + "/snapshot/pods.json") << pods;
  }
  setenv("KUBECTL_RECORD_SNAPSHOT", (copy + "/snapshot").c_str(), 1);
  start_server({"InspectorListFindings"});
  auto r = collect({"--since", "2026-03-14T00:00:00Z", "--until", "2026-03-15T00:00:00Z", "-q"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "failed: aws inspector2 list-findings")) << r.err;
  EXPECT_TRUE(has(r.err,
                  "gap: Amazon Inspector: repositories web, api, payments-api: "
                  "Amazon Inspector refused: it is not enabled"))
      << r.err;
  EXPECT_TRUE(has(r.err,
                  "gap: Amazon Inspector: repository --registry-id=1: left out: "
                  "repository \"--registry-id=1\" is not a valid ECR repository name"))
      << r.err;

  // Refusals: recorded with the reason, nothing sent with the names.
  auto skipped = not_scanned(bundle());
  EXPECT_TRUE(has(skipped["111122223333.dkr.ecr.us-east-1.amazonaws.com/--registry-id=1:x"],
                  "refused: --repository-name \"--registry-id=1\""));
  EXPECT_TRUE(has(skipped["111122223333.dkr.ecr.us-east-1.amazonaws.com/web:-v"],
                  "has a tag that starts with '.' or '-'"));
  EXPECT_TRUE(has(skipped["111122223333.dkr.ecr.us-east-1.amazonaws.com/api:v1"],
                  "has a digest that is not sha256: and 64 lower-case hex digits"));
  for (const auto& l : lines(tmp_ + "/server.log")) {
    EXPECT_FALSE(has(l, "registry-id=1")) << l;
    EXPECT_FALSE(has(l, "sha256:zz")) << l;
  }
  EXPECT_EQ(requests("DescribeImageScanFindings").size(), 1u);  // payments-api only

  simdjson::dom::parser p;
  simdjson::dom::element m;
  ASSERT_FALSE(p.load(bundle() + "/manifest.json").get(m));
  bool inspector_gap = false;
  for (auto g : array_of(m, "gaps"))
    inspector_gap |= std::string(g["source"].get_string().value()) == "Amazon Inspector" &&
                     has(std::string(g["note"].get_string().value()), "not enabled");
  EXPECT_TRUE(inspector_gap);
  EXPECT_FALSE(fs::exists(bundle() + "/inspector2/list-findings.json"));
  EXPECT_TRUE(fs::exists(bundle() + "/stderr/inspector2/list-findings.json.err"));
  auto hunt =
      eksir::test::run_eksir({"hunt", "vulnerability.id:CVE-2024-3094", bundle(), "--count", "-q"});
  EXPECT_EQ(hunt.out, "1\n") << hunt.err;  // ECR's finding still collected
  EXPECT_EQ(eksir::test::run_eksir({"collect", "--verify", bundle()}).exit_code, 0);
}

TEST_F(CollectE2E, RefusesAFolderThatHoldsFiles) {
  fs::create_directories(bundle());
  std::ofstream(bundle() + "/old.json") << "{}";
  auto r = collect({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "already holds files")) << r.err;
  auto usage = eksir::test::run_eksir({"collect", "--region", "us-east-1"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_TRUE(has(usage.err, "--cluster")) << usage.err;
}

}  // namespace
