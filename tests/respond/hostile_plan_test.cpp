// Evidence written by the attacker, fed to the planner: names that are options, names with
// terminal escapes, newlines and bidi controls, IAM names starting with '-', a pod labelled like
// CoreDNS, and a snapshot changed since the investigation. Each ends blocked with its reason or
// shown exactly as it runs, never reshaped.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "command/command.h"
#include "respond/respond.h"
#include "test_paths.h"
#include "util/sha256.h"

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

json stolen_key() {
  return json::parse(slurp(test::source_dir() + "/tests/respond/fixtures/stolen-key.json"));
}

json& affected(json& doc, const std::string& kind) {
  for (auto& a : doc["incident"]["affected"])
    if (a["kind"] == kind) return a;
  throw std::runtime_error("no " + kind);
}

PlanOptions options() {
  PlanOptions o;
  o.trusted_cidrs = {"10.42.0.0/16"};
  o.base_dir = test::source_dir();
  o.now = parse_time("2026-03-14T10:00:00Z");
  return o;
}

Plan plan_of(const json& doc, Phase phase, PlanOptions o = options(),
             const std::vector<store::JournalEntry>& journal = {}) {
  PlanResult r = build_plan(doc.dump(), phase, o, journal);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.plan;
}

const Step* find(const Plan& p, std::string_view id) {
  for (const auto& s : p.steps)
    if (s.id == id) return &s;
  return nullptr;
}

std::string ids(const Plan& p) {
  std::string out;
  for (const auto& s : p.steps) out += s.id + "\n";
  return out;
}

bool raw_controls(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b || c == 0x9b || (c < 0x20 && c != '\n')) return true;
    if (text.compare(i, 3, "\u202e") == 0) return true;
  }
  return false;
}

TEST(RespondHostile, BindingNamedLikeAnOptionIsBlocked) {
  for (const std::string name : {"--field-selector=metadata.name!=x:y", "-x", "--all"}) {
    json doc = stolen_key();
    affected(doc, "binding")["name"] = name;
    Plan p = plan_of(doc, Phase::eradicate);
    const Step* s = find(p, "eradicate/delete-clusterrolebinding/" + name);
    ASSERT_TRUE(s) << ids(p);
    EXPECT_TRUE(s->command.empty()) << command::shell_join(s->command.argv);
    EXPECT_TRUE(s->capture.empty());
    EXPECT_NE(s->blocked.find("ClusterRoleBinding name \"" + name +
                              "\" is not a valid RBAC name (a path segment): starts with '-'"),
              std::string::npos)
        << s->blocked;
    // The plan as JSON and as text say which value failed which rule.
    json pj = json::parse(plan_json(p));
    for (const auto& step : pj["steps"])
      if (step["id"] == s->id) {
        EXPECT_TRUE(step["command"]["argv"].empty());
        EXPECT_NE(step["blocked"].get<std::string>().find("RBAC name"), std::string::npos);
      }
    EXPECT_NE(plan_text(p).find("BLOCKED:  unsafe to run: ClusterRoleBinding name"),
              std::string::npos);
    // The other steps are still there.
    EXPECT_TRUE(find(p, "eradicate/delete-pod/kube-system/backup-agent"));
  }
}

TEST(RespondHostile, EscapesNewlinesAndBidiAreShownAsTheyRun) {
  for (const std::string name : {"evil\x1b[35D\x1b[Kharmless", "a\nb", "x\u202ey",
                                 "a\xc2\x9b"
                                 "2J"}) {
    json doc = stolen_key();
    affected(doc, "binding")["name"] = name;
    Plan p = plan_of(doc, Phase::eradicate);
    const Step* s = find(p, "eradicate/delete-clusterrolebinding/" + name);
    ASSERT_TRUE(s) << ids(p);
    // A valid RBAC name: it runs, after "--", byte for byte.
    EXPECT_TRUE(s->blocked.empty()) << s->blocked;
    ASSERT_GE(s->command.argv.size(), 2u);
    EXPECT_EQ(s->command.argv.back(), name);
    EXPECT_EQ(s->command.argv[s->command.argv.size() - 2], "--");
    std::string shown = command::shell_quote(name);
    EXPECT_EQ(shown.rfind("$'", 0), 0u) << shown;
    std::string text = plan_text(p), script = plan_script(p);
    EXPECT_NE(text.find(shown), std::string::npos);
    EXPECT_NE(script.find(shown), std::string::npos);
    EXPECT_FALSE(raw_controls(text));
    EXPECT_FALSE(raw_controls(script));
    std::string dir = test::temp_dir();
    std::ofstream(dir + "/plan.sh") << script;
    EXPECT_EQ(std::system(("bash -n " + dir + "/plan.sh").c_str()), 0);
  }
  // Where the name's own rule refuses it, the reason shows the escape, not the byte.
  json doc = stolen_key();
  affected(doc, "pod")["name"] = "web\x1b[35D";
  Plan p = plan_of(doc, Phase::contain);
  const Step* logs = find(p, "contain/evidence/pod-logs/kube-system/web\x1b[35D");
  ASSERT_TRUE(logs) << ids(p);
  EXPECT_NE(logs->blocked.find("Pod name \"web\\x1b[35D\""), std::string::npos) << logs->blocked;
  EXPECT_FALSE(raw_controls(plan_text(p)));
  EXPECT_FALSE(raw_controls(plan_script(p)));
}

TEST(RespondHostile, IamNamesStartingWithDashAreBlocked) {
  json doc = stolen_key();
  for (auto& a : doc["incident"]["affected"])
    if (a["kind"] == "access_key") a["attributes"]["user"] = "-x";
  affected(doc, "iam_role")["name"] = "--role-name=admin";
  affected(doc, "iam_role")["why"] = "created by the attacker";
  Plan c = plan_of(doc, Phase::contain);
  const Step* key = find(c, "contain/deactivate-key/AKIARQ4WZT7KHB3D6FXQ");
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->command.empty());
  EXPECT_NE(key->blocked.find("--user-name \"-x\" is not a valid IAM user name: starts with '-'"),
            std::string::npos)
      << key->blocked;
  const Step* role = find(c, "contain/revoke-sessions/--role-name=admin");
  ASSERT_TRUE(role) << ids(c);
  EXPECT_NE(role->blocked.find("--role-name \"--role-name=admin\" is not a valid IAM role name"),
            std::string::npos)
      << role->blocked;
  Plan e = plan_of(doc, Phase::eradicate);
  EXPECT_NE(find(e, "eradicate/delete-key/AKIARQ4WZT7KHB3D6FXQ")->blocked.find("--user-name"),
            std::string::npos);
  ASSERT_TRUE(find(e, "eradicate/delete-role/--role-name=admin")) << ids(e);
  EXPECT_FALSE(find(e, "eradicate/delete-role/--role-name=admin")->blocked.empty());
}

TEST(RespondHostile, TamperedJournalIsCheckedBeforeRecovery) {
  auto entry = [](std::string step, json argv, std::string stdin_text = "") {
    store::JournalEntry e;
    e.phase = "contain";
    e.step_id = std::move(step);
    e.action = "a step";
    e.target = "a target";
    e.undo_json =
        json({{"argv", argv}, {"stdin", stdin_text}, {"text", ""}, {"permanent", false}}).dump();
    return e;
  };
  std::vector<store::JournalEntry> journal = {
      entry("contain/cordon/ip-10-42-11-27.ec2.internal",
            {"kubectl", "delete", "clusterrolebinding", "--field-selector=metadata.name!=x:y"}),
      entry("contain/netpol/kube-system/eksir-isolate-backup-agent",
            {"kubectl", "delete", "networkpolicy", "--namespace=kube-system", "--ignore-not-found",
             "--", "--all"}),
      entry("contain/restrict-endpoint/prod-payments",
            {"aws", "eks", "update-cluster-config", "--name=prod-payments",
             "--resources-vpc-config=endpointPublicAccess=true", R"(--logging={"a":1})"}),
      entry("contain/cordon/node-b", {"kubectl", "uncordon", "--", "other-node"}),
      entry("contain/isolation-sg/i-0abc1234def567890",
            {"aws", "ec2", "modify-instance-attribute", "--instance-id=i-0abc1234def567890",
             "--groups", "sg-0123456789abcdef0"},
            "stdin the undo never takes"),
      entry("contain/netpol/shop/eksir-isolate-web",
            {"kubectl", "delete", "networkpolicy", "--namespace=shop", "--ignore-not-found", "--",
             "eksir-isolate-web"}),
  };
  Plan p = plan_of(stolen_key(), Phase::recover, options(), journal);
  for (const char* id : {"recover/undo/contain/cordon/ip-10-42-11-27.ec2.internal",
                         "recover/undo/contain/netpol/kube-system/eksir-isolate-backup-agent",
                         "recover/undo/contain/restrict-endpoint/prod-payments",
                         "recover/undo/contain/cordon/node-b",
                         "recover/undo/contain/isolation-sg/i-0abc1234def567890"}) {
    const Step* s = find(p, id);
    ASSERT_TRUE(s) << id << "\n" << ids(p);
    EXPECT_TRUE(s->command.empty()) << id;
    EXPECT_NE(s->blocked.find("the journal's undo command is not run"), std::string::npos)
        << id << ": " << s->blocked;
  }
  EXPECT_NE(find(p, "recover/undo/contain/cordon/ip-10-42-11-27.ec2.internal")
                ->blocked.find("an option eksir does not write: \"--field-selector\""),
            std::string::npos);
  const Step* ok = find(p, "recover/undo/contain/netpol/shop/eksir-isolate-web");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->blocked.empty()) << ok->blocked;
  EXPECT_EQ(ok->command.argv.back(), "eksir-isolate-web");
}

// A case folder whose incident points at a snapshot file beside it, recorded with its hash.
struct SnapshotCase {
  std::string dir;
  json doc;
};

SnapshotCase with_snapshot(const json& pods) {
  SnapshotCase c;
  c.dir = test::temp_dir();
  std::string text = pods.dump(1);
  std::ofstream(c.dir + "/pods.json") << text;
  c.doc = stolen_key();
  c.doc["run"]["cwd"] = c.dir;
  c.doc["run"]["inputs"] =
      json::array({{{"path", "pods.json"}, {"sha256", sha256_hex(text)}, {"size", text.size()}}});
  return c;
}

json pod(const std::string& name, json labels, const std::string& owner = "") {
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "kube-system"}, {"labels", labels}}},
            {"spec",
             {{"nodeName", "ip-10-42-11-27.ec2.internal"},
              {"containers", {{{"name", "c"}, {"image", "registry.example/x:1"}}}}}}};
  if (!owner.empty())
    p["metadata"]["ownerReferences"] = {
        {{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", owner}, {"uid", "u"}}};
  return p;
}

TEST(RespondHostile, PodLabelledLikeCoreDnsIsNarrowedToAQuarantineLabel) {
  json pods = {
      {"apiVersion", "v1"},
      {"kind", "List"},
      {"items",
       {pod("backup-agent", {{"k8s-app", "kube-dns"}}),
        pod("coredns-7d9f8b6c5d-abcde",
            {{"k8s-app", "kube-dns"}, {"pod-template-hash", "7d9f8b6c5d"}}, "coredns-7d9f8b6c5d"),
        pod("coredns-7d9f8b6c5d-fghij",
            {{"k8s-app", "kube-dns"}, {"pod-template-hash", "7d9f8b6c5d"}},
            "coredns-7d9f8b6c5d")}}};
  SnapshotCase c = with_snapshot(pods);
  affected(c.doc, "pod")["labels"] = {{"k8s-app", "kube-dns"}};
  Plan p = plan_of(c.doc, Phase::contain);
  const Step* label = find(p, "contain/quarantine-label/kube-system/eksir-isolate-backup-agent");
  const Step* np = find(p, "contain/netpol/kube-system/eksir-isolate-backup-agent");
  ASSERT_TRUE(label && np) << ids(p);
  EXPECT_LT(label, np);  // labelled first
  EXPECT_EQ(label->command.argv,
            (std::vector<std::string>{"kubectl", "label", "pod", "--namespace=kube-system",
                                      "--overwrite", "--", "backup-agent",
                                      "eksir/quarantine=eksir-isolate-backup-agent"}));
  EXPECT_EQ(label->undo.argv.back(), "eksir/quarantine-");
  EXPECT_NE(label->reason.find("kube-system/coredns-7d9f8b6c5d-abcde"), std::string::npos)
      << label->reason;
  // The policy selects the quarantine label, never kube-dns.
  EXPECT_EQ(np->command.stdin_text.find("kube-dns"), std::string::npos) << np->command.stdin_text;
  EXPECT_NE(np->command.stdin_text.find("eksir/quarantine: eksir-isolate-backup-agent"),
            std::string::npos)
      << np->command.stdin_text;
  EXPECT_NE(np->warning.find("system pods"), std::string::npos) << np->warning;
  EXPECT_TRUE(np->blocked.empty());
  const Step* drain = find(p, "contain/drain/ip-10-42-11-27.ec2.internal");
  EXPECT_NE(std::find(drain->command.argv.begin(), drain->command.argv.end(),
                      "--pod-selector=eksir/quarantine!=eksir-isolate-backup-agent"),
            drain->command.argv.end());
  // Recovery takes the label off again.
  store::JournalEntry e;
  e.phase = "contain";
  e.step_id = label->id;
  e.undo_json = json({{"argv", label->undo.argv}, {"text", "x"}, {"permanent", false}}).dump();
  Plan r = plan_of(c.doc, Phase::recover, options(), {e});
  ASSERT_TRUE(find(r, "recover/undo/" + label->id)) << ids(r);
  EXPECT_TRUE(find(r, "recover/undo/" + label->id)->blocked.empty());

  // Without a snapshot of kube-system nothing shows the labels are the attacker's alone.
  json bare = stolen_key();
  bare["run"]["inputs"] = json::array();
  affected(bare, "pod")["labels"] = {{"k8s-app", "kube-dns"}};
  Plan b = plan_of(bare, Phase::contain);
  EXPECT_TRUE(find(b, "contain/quarantine-label/kube-system/eksir-isolate-backup-agent")) << ids(b);
}

TEST(RespondHostile, ChangedOrMissingSnapshotBlocksTheStepsThatRelyOnIt) {
  json pods = {{"apiVersion", "v1"},
               {"kind", "List"},
               {"items", {pod("backup-agent", {{"app", "backup-agent"}})}}};
  SnapshotCase c = with_snapshot(pods);
  Plan good = plan_of(c.doc, Phase::contain);
  const Step* np = find(good, "contain/netpol/kube-system/eksir-isolate-backup-agent");
  ASSERT_TRUE(np);
  EXPECT_TRUE(np->blocked.empty()) << np->blocked;
  EXPECT_NE(np->warning.find("picks only the affected pod"), std::string::npos) << np->warning;

  std::ofstream(c.dir + "/pods.json", std::ios::app) << " ";
  Plan changed = plan_of(c.doc, Phase::contain);
  for (const char* id : {"contain/netpol/kube-system/eksir-isolate-backup-agent",
                         "contain/drain/ip-10-42-11-27.ec2.internal"}) {
    const Step* s = find(changed, id);
    ASSERT_TRUE(s) << id;
    EXPECT_NE(s->blocked.find("changed since the investigation (SHA-256 differs)"),
              std::string::npos)
        << id << ": " << s->blocked;
  }
  EXPECT_TRUE(find(changed, "contain/cordon/ip-10-42-11-27.ec2.internal")->blocked.empty());
  bool noted = false;
  for (const auto& n : changed.notes) noted |= n.find(c.dir + "/pods.json: changed") != n.npos;
  EXPECT_TRUE(noted) << ::testing::PrintToString(changed.notes);

  fs::remove(c.dir + "/pods.json");
  Plan missing = plan_of(c.doc, Phase::contain);
  EXPECT_NE(find(missing, "contain/netpol/kube-system/eksir-isolate-backup-agent")
                ->blocked.find("pods.json: missing"),
            std::string::npos);
}

TEST(RespondHostile, RelativeInputsAreReadFromWhereInvestigateRanNotFromHere) {
  json pods = {{"apiVersion", "v1"},
               {"kind", "List"},
               {"items", {pod("backup-agent", {{"app", "backup-agent"}})}}};
  SnapshotCase c = with_snapshot(pods);
  PlanOptions o = options();
  o.base_dir = "/nonexistent";  // a recorded run.cwd wins over any fallback
  std::string here = fs::current_path().string();
  fs::current_path("/");
  Plan from_root = plan_of(c.doc, Phase::contain, o);
  fs::current_path(c.dir);
  Plan from_case = plan_of(c.doc, Phase::contain, o);
  fs::current_path(here);
  EXPECT_EQ(plan_json(from_root), plan_json(from_case));
  EXPECT_TRUE(
      find(from_root, "contain/netpol/kube-system/eksir-isolate-backup-agent")->blocked.empty());
}

}  // namespace
}  // namespace eksir::respond
