// eksir investigate end to end on the three scenarios: a stolen IAM key reaching cluster-admin,
// a compromised web pod mining crypto, and a noisy but benign day of CI/CD and autoscaling. Each
// asserts the severity, the criteria, the affected set and key timeline lines.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "store/store.h"
#include "test_paths.h"

using eksir::test::run_eksir;

namespace {

struct Scenario {
  std::string evidence, config;
};

Scenario scenario(const std::string& name) {
  std::string ex = eksir::test::source_dir() + "/examples/";
  if (name == "stolen-key") return {ex + "incident-2026-03-14", ex + "eksir.yaml"};
  return {ex + "scenarios/" + name, ex + "scenarios/" + name + ".eksir.yaml"};
}

class Investigated {
 public:
  explicit Investigated(const std::string& name, bool with_config = true) {
    Scenario s = scenario(name);
    dir = eksir::test::temp_dir() + "/case";
    std::vector<std::string> args = {"investigate", s.evidence, "-o", dir, "--format", "json"};
    if (with_config) args.insert(args.end(), {"--config", s.config});
    result = run_eksir(args);
    text = simdjson::padded_string(result.out);
    ok = parser.parse(text).get(doc) == simdjson::SUCCESS;
  }
  std::string str(simdjson::dom::element e, const char* key) const {
    std::string_view v;
    return e[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
  }
  simdjson::dom::element incident() const { return doc["incident"]; }
  std::string severity() const { return str(incident(), "severity"); }
  // criterion id → likely_benign
  std::map<std::string, bool> criteria() const {
    std::map<std::string, bool> out;
    for (auto c : incident()["criteria"].get_array())
      out[str(c, "id")] = c["likely_benign"].get_bool().value();
    return out;
  }
  std::set<std::string> affected() const {
    std::set<std::string> out;
    for (auto a : incident()["affected"].get_array()) {
      std::string ns = str(a, "namespace");
      out.insert(str(a, "kind") + " " + (ns.empty() ? "" : ns + "/") + str(a, "name"));
    }
    return out;
  }
  simdjson::dom::element affected_item(const std::string& kind, const std::string& name) const {
    for (auto a : incident()["affected"].get_array())
      if (str(a, "kind") == kind && str(a, "name") == name) return a;
    return {};
  }
  std::vector<std::string> timeline() const {
    std::vector<std::string> out;
    for (auto t : incident()["timeline"].get_array()) out.push_back(str(t, "line"));
    return out;
  }
  bool timeline_has(const std::string& a, const std::string& b = "") const {
    for (const auto& l : timeline())
      if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
    return false;
  }

  std::string dir;
  eksir::test::RunResult result;
  simdjson::padded_string text;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool ok = false;
};

TEST(InvestigateE2E, StolenKeyReachesClusterAdmin) {
  Investigated inv("stolen-key");
  ASSERT_EQ(inv.result.exit_code, 0) << inv.result.err;
  ASSERT_TRUE(inv.ok) << inv.result.out.substr(0, 2000);
  EXPECT_EQ(inv.severity(), "Critical");
  auto crit = inv.criteria();
  ASSERT_TRUE(crit.count("critical.cluster_admin"));
  EXPECT_FALSE(crit["critical.cluster_admin"]);
  EXPECT_TRUE(crit.count("critical.active_exploitation"));
  EXPECT_TRUE(crit.count("high.privileged_pods"));
  // The cluster-admin criterion cites the binding, its actor and the audit record.
  bool cited = false;
  for (auto c : inv.incident()["criteria"].get_array()) {
    if (inv.str(c, "id") != "critical.cluster_admin") continue;
    for (auto e : c["evidence"].get_array()) {
      std::string t = inv.str(e, "text");
      if (t.find("backup-sa-admin") != std::string::npos &&
          t.find("ci-deployer") != std::string::npos && !inv.str(e, "event_id").empty() &&
          e["line"].get_int64().value() > 0)
        cited = true;
    }
  }
  EXPECT_TRUE(cited) << inv.result.out.substr(0, 4000);

  auto affected = inv.affected();
  for (const char* want :
       {"cluster prod-payments", "iam_user ci-deployer", "access_key AKIARQ4WZT7KHB3D6FXQ",
        "access_key AKIARQ4WZT7KM8JY2CVE", "ip 203.0.113.45", "iam_role eks-backup-operator",
        "binding backup-sa-admin", "service_account default/backup-sa",
        "pod kube-system/backup-agent", "node ip-10-42-11-27.ec2.internal",
        "instance i-0abc1234def567890", "security_group sg-0a7b9c1d2e3f40516"})
    EXPECT_TRUE(affected.count(want)) << want;
  // The benign lookalikes stay out of the incident.
  for (const auto& a : affected) {
    EXPECT_EQ(a.find("github-actions"), std::string::npos) << a;
    EXPECT_EQ(a.find("cert-manager"), std::string::npos) << a;
    EXPECT_EQ(a.find("198.51.100.20"), std::string::npos) << a;
    // A Falco k8s_audit alert's hostname is the Falco pod, not a node.
    EXPECT_EQ(a.find("falco-k8saudit"), std::string::npos) << a;
  }
  auto pod = inv.affected_item("pod", "backup-agent");
  EXPECT_EQ(inv.str(pod["attributes"], "node"), "ip-10-42-11-27.ec2.internal");
  EXPECT_EQ(inv.str(pod["labels"], "app"), "backup-agent");
  auto key = inv.affected_item("access_key", "AKIARQ4WZT7KHB3D6FXQ");
  EXPECT_EQ(inv.str(key["attributes"], "user_arn"), "arn:aws:iam::111122223333:user/ci-deployer");

  EXPECT_TRUE(
      inv.timeline_has("[INCIDENT] ci-deployer", "create clusterrolebindings backup-sa-admin"));
  EXPECT_TRUE(
      inv.timeline_has("[INCIDENT] pod kube-system/backup-agent scheduled on node "
                       "ip-10-42-11-27.ec2.internal"));
  EXPECT_TRUE(inv.timeline_has("[DETECTION] GuardDuty:"));
  EXPECT_TRUE(inv.timeline_has("[DETECTION] Falco: Detect crypto miners"));
  EXPECT_TRUE(inv.timeline_has("eks:AssociateAccessPolicy"));
  // Sorted, and each line carries its confidence and source.
  auto lines = inv.timeline();
  ASSERT_GT(lines.size(), 20u);
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
    return a.substr(0, 20) < b.substr(0, 20);
  }));
  for (const auto& l : lines) EXPECT_NE(l.find(" confidence, "), std::string::npos) << l;
  // The same record exported twice (S3 and lookup-events, log file and CloudWatch) is one line.
  std::set<std::string> unique(lines.begin(), lines.end());
  EXPECT_EQ(unique.size(), lines.size());

  // The scope: what no rule flagged is the attacker's too — the reconnaissance with the stolen
  // key before the first finding, the backdoor role assumed from the other account, the new key
  // tried last. The whole window, 08:41:07 to 09:09:03.
  // ci-deployer is a CI/CD identity of the policy: used from outside trusted_cidrs, each of its
  // records is a finding of its own, never waived as CI/CD.
  EXPECT_TRUE(inv.timeline_has("sts:GetCallerIdentity from 203.0.113.45",
                               "CI/CD identity arn:aws:iam::111122223333:user/ci-deployer used "
                               "from 203.0.113.45, outside trusted_cidrs"));
  EXPECT_TRUE(inv.timeline_has("iam:CreateRole eks-backup-operator from 203.0.113.45"));
  EXPECT_TRUE(inv.timeline_has("assumed-role/eks-backup-operator/backup eks:DescribeCluster",
                               "no rule fired"));
  EXPECT_TRUE(
      inv.timeline_has("sts:AssumeRole arn:aws:iam::111122223333:role/eks-backup-operator"));
  EXPECT_TRUE(inv.timeline_has("assumed-role/eks-backup-operator/backup eks:DescribeCluster"));
  EXPECT_FALSE(inv.timeline_has("198.51.100.20"));  // the nightly Jenkins job: the key's owner
  EXPECT_TRUE(inv.affected().count("aws_account 444455556666"));
  simdjson::dom::element m = inv.incident()["metrics"];
  EXPECT_EQ(inv.str(m, "first_malicious_event"), "2026-03-14T08:41:07.000Z");
  EXPECT_EQ(inv.str(m, "last_malicious_event"), "2026-03-14T09:09:03.000Z");
  EXPECT_EQ(inv.str(m, "first_detection"),
            "2026-03-14T08:47:20.530Z");  // Falco: Attach to cluster-admin Role
  EXPECT_EQ(int64_t(m["time_to_detection_seconds"].get_int64()), 373);
  bool logging_gap = false;
  for (auto g : inv.incident()["gaps"].get_array())
    if (std::string(g.get_string().value()).find("logging was turned off") != std::string::npos)
      logging_gap = true;
  EXPECT_TRUE(logging_gap);
  // The GitHub Actions rollouts are a separate lead, recognised as CI/CD.
  bool cicd_lead = false;
  for (auto l : inv.doc["leads"].get_array())
    for (auto b : l["likely_benign"].get_array())
      if (inv.str(b, "kind") == "cicd" &&
          inv.str(b, "reason").find("github-actions-deploy") != std::string::npos)
        cicd_lead = true;
  EXPECT_TRUE(cicd_lead);
  EXPECT_TRUE(std::filesystem::exists(inv.dir + "/case.db"));
  EXPECT_TRUE(std::filesystem::exists(inv.dir + "/incident.json"));
}

TEST(InvestigateE2E, CompromisedWebPodMiningCrypto) {
  Investigated inv("web-pod-miner");
  ASSERT_EQ(inv.result.exit_code, 0) << inv.result.err;
  ASSERT_TRUE(inv.ok);
  EXPECT_EQ(inv.severity(), "Critical");
  auto crit = inv.criteria();
  EXPECT_TRUE(crit.count("critical.active_exploitation"));
  EXPECT_TRUE(crit.count("high.unusual_network"));
  // Every secret read was refused (403): no exfiltration, no cluster-admin.
  EXPECT_FALSE(crit.count("critical.data_exfiltration"));
  EXPECT_FALSE(crit.count("critical.cluster_admin"));
  EXPECT_EQ(inv.str(inv.incident(), "type"), "Workload compromise");
  auto affected = inv.affected();
  for (const char* want :
       {"cluster prod-shop", "pod shop/web-7d4b9c8f6-x2k9p", "service_account shop/web",
        "node ip-10-20-3-14.us-west-2.compute.internal", "instance i-0f1e2d3c4b5a69788"})
    EXPECT_TRUE(affected.count(want)) << want;
  for (const auto& a : affected) {
    EXPECT_EQ(a.find("shop/cart"), std::string::npos) << a;
    EXPECT_TRUE(a.rfind("node ", 0) != 0 || a.find("ip-10-20-3-14") != std::string::npos) << a;
  }
  auto pod = inv.affected_item("pod", "web-7d4b9c8f6-x2k9p");
  EXPECT_EQ(inv.str(pod["labels"], "app"), "web");
  EXPECT_EQ(inv.str(pod["labels"], "tier"), "frontend");
  EXPECT_EQ(inv.str(pod["attributes"], "workload_kind"), "Deployment");
  EXPECT_EQ(inv.str(pod["attributes"], "workload_name"), "web");
  EXPECT_EQ(inv.str(pod["attributes"], "node"), "ip-10-20-3-14.us-west-2.compute.internal");
  EXPECT_TRUE(
      inv.timeline_has("[DETECTION] GuardDuty: A process in a container has created a "
                       "reverse shell"));
  EXPECT_TRUE(inv.timeline_has("[DETECTION] Falco: Drop and execute new binary in container",
                               "shop/web-7d4b9c8f6-x2k9p"));
  EXPECT_TRUE(inv.timeline_has("[INCIDENT] system:serviceaccount:shop:web list secrets",
                               "(403 Forbidden)"));
}

TEST(InvestigateE2E, BenignDayComesOutLowWithReasons) {
  Investigated inv("benign-cicd-day");
  ASSERT_EQ(inv.result.exit_code, 0) << inv.result.err;
  ASSERT_TRUE(inv.ok);
  EXPECT_EQ(inv.severity(), "Low");
  auto crit = inv.criteria();
  EXPECT_TRUE(crit.count("low.likely_false_positive"));
  for (const auto& [id, benign] : crit) {
    if (id.rfind("low.", 0) != 0) {
      EXPECT_TRUE(benign) << id << " counted on a benign day";
    }
  }
  // Every lead is Low too, and the reasons name CI/CD, maintenance and autoscaling/node agents.
  std::set<std::string> kinds;
  auto collect = [&](simdjson::dom::element inc) {
    EXPECT_EQ(inv.str(inc, "severity"), "Low") << inv.str(inc, "title");
    for (auto b : inc["likely_benign"].get_array()) {
      kinds.insert(inv.str(b, "kind"));
      EXPECT_FALSE(inv.str(b, "reason").empty());
    }
  };
  collect(inv.incident());
  for (auto l : inv.doc["leads"].get_array()) collect(l);
  EXPECT_TRUE(kinds.count("cicd"));
  EXPECT_TRUE(kinds.count("maintenance"));
  EXPECT_TRUE(kinds.count("autoscaling") || kinds.count("expected"));
  EXPECT_TRUE(inv.timeline_has("likely benign: CI/CD deployment", "github-actions-deploy"));
}

TEST(InvestigateE2E, WithoutPolicyTheAssumptionIsStated) {
  Investigated inv("stolen-key", /*with_config=*/false);
  ASSERT_EQ(inv.result.exit_code, 0) << inv.result.err;
  ASSERT_TRUE(inv.ok);
  EXPECT_EQ(inv.severity(), "Critical");
  bool said = false;
  for (auto a : inv.incident()["assumptions"].get_array())
    if (std::string(a.get_string().value()).find("assumed production") != std::string::npos)
      said = true;
  EXPECT_TRUE(said);
}

TEST(InvestigateE2E, TextSummaryAndRerunKeepsNotes) {
  Scenario s = scenario("web-pod-miner");
  std::string dir = eksir::test::temp_dir() + "/case";
  auto r = run_eksir({"investigate", s.evidence, "-o", dir, "--config", s.config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(" Critical "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Why Critical"), std::string::npos);
  EXPECT_NE(r.out.find("Active exploitation of critical vulnerabilities"), std::string::npos);
  EXPECT_NE(r.out.find("Next steps"), std::string::npos);
  EXPECT_NE(r.err.find("eksir investigate: case " + dir), std::string::npos) << r.err;
  {
    eksir::store::Status st;
    auto c = eksir::store::Case::open(dir, false, st);
    ASSERT_TRUE(c) << st.error;
    eksir::store::Note n;
    n.author = "analyst";
    n.text = "pod isolated by hand at 02:40";
    ASSERT_TRUE(c->add_note(n)) << st.error;
  }
  // More evidence on the same case: a second run, the note kept, inputs hashed.
  auto r2 = run_eksir({"investigate", s.evidence,
                       eksir::test::source_dir() + "/examples/incident-2026-03-14/falco", "-o", dir,
                       "--config", s.config, "--format", "json"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  eksir::store::Status st;
  auto c = eksir::store::Case::open(dir, false, st);
  ASSERT_TRUE(c) << st.error;
  EXPECT_EQ(c->runs().size(), 2u);
  ASSERT_EQ(c->notes().size(), 1u);
  EXPECT_EQ(c->notes()[0].text, "pod isolated by hand at 02:40");
  simdjson::dom::parser p;
  simdjson::padded_string text(r2.out);
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(text).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["run"]["id"].get_int64().value(), 2);
  size_t hashed = 0;
  for (auto in : doc["run"]["inputs"].get_array()) {
    std::string_view h = in["sha256"].get_string().value();
    if (h.size() == 64) ++hashed;
  }
  EXPECT_GT(hashed, 20u);
}

// The terminal's next steps are ready to paste: this case and this evidence, shell-quoted, in
// place of the incident's CASE and EVIDENCE placeholders; gaps are not said to be "below" (the
// summary lists them above).
TEST(InvestigateE2E, NextStepsNameThisCaseAndThisEvidence) {
  std::string dir = eksir::test::temp_dir() + "/my case";
  std::string evidence = eksir::test::source_dir() + "/examples/incident-2026-03-14";
  auto r = run_eksir({"investigate", evidence, "-o", dir, "--no-report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t at = r.out.find("Next steps");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string steps = r.out.substr(at);
  EXPECT_NE(steps.find("`eksir plan '" + dir + "' --phase contain`"), std::string::npos) << steps;
  EXPECT_NE(steps.find("' " + evidence + "`"), std::string::npos) << steps;
  EXPECT_EQ(steps.find(" CASE"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("EVIDENCE"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("listed below"), std::string::npos) << steps;
  EXPECT_LT(r.out.find("Gaps in the evidence"), at);
  // The saved incident does not depend on where the case is kept.
  std::ifstream json(dir + "/incident.json");
  std::string doc((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  EXPECT_NE(doc.find("eksir plan CASE --phase contain"), std::string::npos);
  EXPECT_EQ(doc.find("eksir plan '" + dir), std::string::npos);
}

// A record inside a document of many (CloudWatch's events[]) is cited by its index there: every
// criterion's evidence from the example's filter-log-events export names the record whose
// message holds the event it cites, and the summary prints it as file:line#record.
TEST(InvestigateE2E, RecordsInsideADocumentAreCitedByTheirIndex) {
  std::string dir = eksir::test::temp_dir() + "/case";
  std::string evidence = eksir::test::source_dir() + "/examples/incident-2026-03-14";
  auto r = run_eksir({"investigate", evidence, "-o", dir, "--no-report", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p, q;
  simdjson::padded_string text(r.out);
  simdjson::dom::element doc, cw;
  ASSERT_EQ(p.parse(text).get(doc), simdjson::SUCCESS);
  const std::string export_file = evidence + "/k8s-audit/filter-log-events.json";
  ASSERT_EQ(q.load(export_file).get(cw), simdjson::SUCCESS);
  auto events = cw["events"].get_array().value();
  size_t cited = 0;
  for (auto c : doc["incident"]["criteria"].get_array())
    for (auto e : c["evidence"].get_array()) {
      std::string_view file, id;
      if (e["file"].get(file) || file.find("filter-log-events.json") == std::string_view::npos)
        continue;
      int64_t record = 0;
      if (e["record"].get(record) != simdjson::SUCCESS) record = 0;
      ASSERT_TRUE(e["event_id"].get(id) == simdjson::SUCCESS);
      ASSERT_LT(size_t(record), events.size());
      std::string_view message = events.at(size_t(record))["message"].get_string().value();
      EXPECT_NE(message.find(id), std::string_view::npos)
          << "record " << record << " is not " << id;
      cited += record > 0;
    }
  EXPECT_GT(cited, 0u);
  auto t = run_eksir({"investigate", evidence, "-o", dir + "2", "--no-report"});
  EXPECT_NE(t.out.find("filter-log-events.json:1#"), std::string::npos) << t.out;
}

// The summary is read in 30 seconds: a gap is one line there, its example values in the case.
TEST(InvestigateE2E, SummaryGapsAreOneLineEachAndTheCaseKeepsTheDetail) {
  std::string dir = eksir::test::temp_dir() + "/case";
  auto r = run_eksir({"investigate", eksir::test::source_dir() + "/examples/incident-2026-03-14",
                      "-o", dir, "--no-report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t at = r.out.find("Gaps in the evidence");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string gaps = r.out.substr(at, r.out.find("\n\n", at) - at);
  EXPECT_NE(gaps.find("withheld: "), std::string::npos) << gaps;
  EXPECT_EQ(gaps.find("(e.g. "), std::string::npos) << gaps;
  std::istringstream lines(gaps);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 280u) << line;
  std::ifstream json(dir + "/incident.json");
  std::string doc((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  EXPECT_NE(doc.find("too soon to tell if new, not reported (e.g. "), std::string::npos);
}

TEST(InvestigateE2E, UnreadableRecordsAreGapsOfTheIncident) {
  // The web-pod-miner evidence plus one audit file with a broken line between two good ones: the
  // incident is still built, and its gaps name what could not be read, with file and line.
  std::string dir = eksir::test::temp_dir();
  std::filesystem::copy(scenario("web-pod-miner").evidence, dir + "/evidence",
                        std::filesystem::copy_options::recursive);
  std::string good =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-1",)"
      R"("stage":"ResponseComplete","verb":"get","user":{"username":"u"},)"
      R"("objectRef":{"resource":"pods","namespace":"web","name":"p"},)"
      R"("responseStatus":{"code":200},"stageTimestamp":"2026-03-14T09:00:00Z"})";
  std::ofstream(dir + "/evidence/extra-audit.jsonl") << good << "\n{\"kind\":\"Event\",\n"
                                                     << good << "\n";
  auto r = run_eksir({"investigate", dir + "/evidence", "-o", dir + "/case", "--format", "json",
                      "--config", scenario("web-pod-miner").config});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // Critical, but --fail-on was not asked
  EXPECT_NE(r.out.find("record or file skipped (invalid JSON): what they held is missing from "
                       "this incident; first: " +
                       dir + "/evidence/extra-audit.jsonl:2"),
            std::string::npos)
      << r.out.substr(0, 2000);
}

TEST(InvestigateE2E, TheSameEvidenceGivesTheSameIncidentOnAnyNumberOfWorkers) {
  // An attacker's binding, then the same request of theirs thousands of times through a file
  // large enough to be split among workers: which copies each worker keeps and counts differs
  // with the split, the incident must not.
  std::string dir = eksir::test::temp_dir();
  std::filesystem::create_directories(dir + "/evidence");
  auto line = [](int i, const std::string& user, const std::string& ip, const std::string& verb,
                 const std::string& resource, const std::string& extra) {
    int s = i % 3600;
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-03-14T09:%02d:%02d.%03dZ", s / 60, s % 60, i % 1000);
    return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"id-)" +
           std::to_string(i) + R"(","stage":"ResponseComplete","verb":")" + verb +
           R"(","user":{"username":")" + user +
           R"(","groups":["system:authenticated"]},"sourceIPs":[")" + ip +
           R"("],"userAgent":"kubectl/v1.29.0","objectRef":{"resource":")" + resource +
           R"(","namespace":"prod","apiVersion":"v1"},"responseStatus":{"code":200},)" + extra +
           R"("requestReceivedTimestamp":")" + ts + R"(","stageTimestamp":")" + ts +
           R"(","annotations":{"authorization.k8s.io/decision":"allow"}})";
  };
  std::string text;
  text += line(0, "mallory", "203.0.113.9", "create", "clusterrolebindings",
               R"("requestObject":{"kind":"ClusterRoleBinding","metadata":{"name":"backdoor"},)"
               R"("roleRef":{"kind":"ClusterRole","name":"cluster-admin"},)"
               R"("subjects":[{"kind":"User","name":"mallory"}]},)") +
          "\n";
  for (int i = 1; i < 60000; ++i)
    text += (i % 7 == 0 ? line(i, "mallory", "203.0.113.9", "list", "configmaps", "")
                        : line(i, "bob", "10.0.4.7", "list", "services", "")) +
            "\n";
  ASSERT_GT(text.size(), 20u << 20);  // three chunks at least
  std::ofstream(dir + "/evidence/audit.jsonl") << text;
  std::string incident[2];
  for (int threads : {1, 2}) {
    auto r =
        run_eksir({"investigate", dir + "/evidence", "-o", dir + "/case" + std::to_string(threads),
                   "--format", "json", "--threads", std::to_string(threads)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(r.out);
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(padded).get(doc), simdjson::SUCCESS);
    incident[threads - 1] = simdjson::to_string(doc["incident"]);
  }
  EXPECT_NE(incident[0].find("and 8570 more times"), std::string::npos)
      << incident[0].substr(0, 3000);
  EXPECT_EQ(incident[0], incident[1]);
}

TEST(InvestigateE2E, BadInputIsAClearError) {
  auto r = run_eksir({"investigate", eksir::test::temp_dir() + "/missing"});
  EXPECT_EQ(r.exit_code, 2);
  std::string cfg = eksir::test::temp_dir() + "/bad.yaml";
  std::ofstream(cfg) << "production: [oops\n";
  auto r2 = run_eksir({"investigate", scenario("web-pod-miner").evidence, "--config", cfg, "-o",
                       eksir::test::temp_dir() + "/c"});
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_NE(r2.err.find("bad.yaml"), std::string::npos) << r2.err;
}

}  // namespace

namespace {

// Without its rule pack (an installation problem), the incident is not one where the rules found
// nothing: it says that no rule of the pack ran, where the pack was looked for, in its gaps.
TEST(InvestigateE2E, AMissingRulePackIsAGapOfTheIncident) {
  const std::string dir = eksir::test::temp_dir();
  const std::string missing = dir + "/no-such-pack";
  auto r = eksir::test::run_eksir_env(
      {"investigate", eksir::test::source_dir() + "/examples/incident-2026-03-14", "-o",
       dir + "/case", "--format", "json", "-q"},
      {"EKSIR_RULES_DIR=" + missing});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("built-in rule pack not found at " + missing), std::string::npos) << r.err;
  simdjson::dom::parser parser;
  simdjson::padded_string text(r.out);
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << r.out.substr(0, 200);
  bool said = false;
  for (auto g : doc["incident"]["gaps"].get_array()) {
    std::string_view gap = g.get_string().value();
    if (gap.find("built-in rule pack was not found at " + missing) != std::string_view::npos &&
        gap.find("none of its rules ran") != std::string_view::npos)
      said = true;
  }
  EXPECT_TRUE(said) << r.out.substr(0, 2000);
  // With the pack, no such gap.
  auto with = eksir::test::run_eksir({"investigate",
                                      eksir::test::source_dir() + "/examples/incident-2026-03-14",
                                      "-o", dir + "/case2", "--format", "json", "-q"});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.out.find("rule pack was not found"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// --memory: past it, correlation events and the fingerprints of matched events go to temporary
// files; the incident is the same but for the assumptions, which say so.
TEST(InvestigateE2E, AMemoryBudgetSpillsWithTheSameIncidentAndSaysSo) {
  const std::string dir = eksir::test::temp_dir();
  const std::string evidence = eksir::test::source_dir() + "/examples/incident-2026-03-14";
  std::string part[2][2];  // [run][the incident without its assumptions, the assumptions]
  const char* budgets[] = {"0", "1K"};
  for (int i = 0; i < 2; ++i) {
    auto r = run_eksir({"investigate", evidence, "-o", dir + "/case" + budgets[i], "--format",
                        "json", "-q", "--no-report", "--memory", budgets[i]});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(r.out);
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(padded).get(doc), simdjson::SUCCESS);
    simdjson::dom::object incident = doc["incident"].get_object();
    for (auto [key, value] : incident)
      (key == "assumptions" ? part[i][1] : part[i][0]) +=
          std::string(key) + "=" + simdjson::to_string(value) + "\n";
  }
  ASSERT_GT(part[0][0].size(), 1000u);
  EXPECT_EQ(part[0][0], part[1][0]);
  EXPECT_EQ(part[0][1].find("temporary file"), std::string::npos) << part[0][1];
  EXPECT_NE(part[1][1].find("events counted by correlation rules"), std::string::npos)
      << part[1][1];
  EXPECT_NE(part[1][1].find("fingerprints of matched events"), std::string::npos) << part[1][1];
  std::filesystem::remove_all(dir);
}

}  // namespace
