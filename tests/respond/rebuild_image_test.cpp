// Eradication of vulnerable images: the web-miner incident with an affected image entry (the
// contract of docs/incident-json.md), planned without and with --rebuilt-image, before and after
// the compromised pod's evidence is journaled, and with hostile names in the entry.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "command/command.h"
#include "respond/respond.h"
#include "test_paths.h"

namespace eksir::respond {
namespace {

using nlohmann::json;
using Argv = std::vector<std::string>;

const std::string kImage = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2.4.1";
const std::string kRepo = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web";
const std::string kRebuilt = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2.4.2";
const std::string kStep = "eradicate/rebuild-image/shop/deployment/web/web";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json image_entry() {
  return {
      {"kind", "image"},
      {"name", kImage},
      {"id", "sha256:" + std::string(64, 'a')},
      {"why", "Amazon Inspector reports CRITICAL findings in the image Deployment shop/web runs"},
      {"findings", json::array()},
      {"attributes",
       {{"digest", "sha256:" + std::string(64, 'a')},
        {"joined_by", "digest"},
        {"workloads", "Deployment:shop/web,Pod:shop/web-5d8f7c9b6d-x2k4p"},
        {"containers", "Deployment:shop/web/web"},
        {"vulnerabilities", "CVE-2021-44228,CVE-2022-3602"},
        {"exploit_available", "CVE-2021-44228"},
        {"max_severity", "CRITICAL"},
        {"fixes",
         "log4j-core 2.14.1 -> 2.17.1 (CVE-2021-44228); openssl 3.0.1 -> 3.0.7 "
         "(CVE-2022-3602)"},
        {"scanner", "Amazon Inspector"},
        {"record", "inspector/findings.json:12"},
        {"exploited", "true"}}}};
}

// The web-miner incident (a compromised replica of Deployment shop/web) running a vulnerable
// image.
json incident(const json& image = image_entry()) {
  json doc = json::parse(slurp(test::source_dir() + "/tests/respond/fixtures/web-miner.json"));
  doc["incident"]["affected"].push_back(image);
  return doc;
}

PlanOptions options(std::vector<RebuiltImage> rebuilt = {}) {
  PlanOptions o;
  o.base_dir = test::source_dir() + "/tests/respond/fixtures";
  o.now = parse_time("2026-04-02T11:00:00Z");
  o.rebuilt_images = std::move(rebuilt);
  return o;
}

Plan plan_of(const json& doc, const PlanOptions& o,
             const std::vector<store::JournalEntry>& journal = {}) {
  PlanResult r = build_plan(doc.dump(), Phase::eradicate, o, journal);
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

std::string notes(const Plan& p) {
  std::string out;
  for (const auto& n : p.notes) out += n + "\n";
  return out;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<store::JournalEntry> evidence_done(const std::string& pod = "web-5d8f7c9b6d-x2k4p") {
  std::vector<store::JournalEntry> journal;
  for (const char* what : {"pod-logs", "pod-spec"}) {
    store::JournalEntry e;
    e.phase = "contain";
    e.step_id = std::string("contain/evidence/") + what + "/shop/" + pod;
    e.exit_status = 0;
    journal.push_back(e);
  }
  return journal;
}

TEST(RespondRebuildImage, BlockedWithoutTheRebuiltImage) {
  Plan p = plan_of(incident(), options(), evidence_done());
  const Step* s = find(p, kStep);
  ASSERT_TRUE(s) << ids(p);
  EXPECT_EQ(s->kind, "change");
  EXPECT_TRUE(s->command.empty());
  // What to fix and how to go on.
  for (const char* part :
       {"no rebuilt image is given for", "log4j-core 2.14.1 -> 2.17.1 (CVE-2021-44228)",
        "openssl 3.0.1 -> 3.0.7", "CVE-2021-44228, CVE-2022-3602",
        "exploit available: CVE-2021-44228", "rebuild the image with the fixed versions, push it",
        "--rebuilt-image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web=<the rebuilt "
        "image>"})
    EXPECT_TRUE(has(s->blocked, part)) << part << " in " << s->blocked;
  EXPECT_FALSE(has(s->blocked, "preserve the evidence")) << s->blocked;
  // The state is captured either way.
  EXPECT_EQ(s->capture.argv, (Argv{"kubectl", "get", "deployment", "--namespace=shop",
                                   "--output=yaml", "--", "web"}));
  EXPECT_TRUE(has(plan_text(p), "BLOCKED:  no rebuilt image is given for"));
}

TEST(RespondRebuildImage, BlockedUntilTheCompromisedPodsEvidenceIsKept) {
  Plan p = plan_of(incident(), options({{kRepo, kRebuilt}}));
  const Step* s = find(p, kStep);
  ASSERT_TRUE(s) << ids(p);
  EXPECT_TRUE(has(s->blocked, "preserve the evidence first")) << s->blocked;
  EXPECT_TRUE(has(s->blocked, "contain/evidence/pod-logs/shop/web-5d8f7c9b6d-x2k4p")) << s->blocked;
  EXPECT_TRUE(has(s->blocked, "contain/evidence/pod-spec/shop/web-5d8f7c9b6d-x2k4p")) << s->blocked;
  EXPECT_FALSE(has(s->blocked, "no rebuilt image")) << s->blocked;
  // The command it will run is already shown.
  EXPECT_EQ(s->command.argv, (Argv{"kubectl", "set", "image", "deployment", "--namespace=shop",
                                   "--", "web", "web=" + kRebuilt}));

  // Logs kept but not the spec: still blocked, naming only what is missing.
  auto half = evidence_done();
  half.pop_back();
  Plan with_logs = plan_of(incident(), options({{kRepo, kRebuilt}}), half);
  s = find(with_logs, kStep);
  ASSERT_TRUE(s);
  EXPECT_FALSE(has(s->blocked, "pod-logs")) << s->blocked;
  EXPECT_TRUE(has(s->blocked, "contain/evidence/pod-spec/shop/web-5d8f7c9b6d-x2k4p"));
  // A dry run of the evidence is no evidence.
  auto dry = evidence_done();
  for (auto& e : dry) e.dry_run = true;
  Plan dry_plan = plan_of(incident(), options({{kRepo, kRebuilt}}), dry);
  s = find(dry_plan, kStep);
  ASSERT_TRUE(s);
  EXPECT_TRUE(has(s->blocked, "preserve the evidence first"));
}

TEST(RespondRebuildImage, RunsWithTheRebuiltImageOnceTheEvidenceIsKept) {
  // By the image's name or by its repository.
  for (const std::string& name : {kImage, kRepo}) {
    Plan p = plan_of(incident(), options({{name, kRebuilt}}), evidence_done());
    const Step* s = find(p, kStep);
    ASSERT_TRUE(s) << ids(p);
    EXPECT_TRUE(s->blocked.empty()) << s->blocked;
    EXPECT_EQ(s->command.argv, (Argv{"kubectl", "set", "image", "deployment", "--namespace=shop",
                                     "--", "web", "web=" + kRebuilt}));
    EXPECT_TRUE(command::validate(s->command.argv).empty());
    EXPECT_EQ(s->undo.argv,
              (Argv{"kubectl", "rollout", "undo", "deployment", "--namespace=shop", "--", "web"}));
    // Recovery does not roll back to the vulnerable image.
    EXPECT_TRUE(s->permanent);
    EXPECT_TRUE(has(s->undo_text, "the vulnerable image")) << s->undo_text;
    EXPECT_TRUE(has(s->expected, "rollout finishes")) << s->expected;
    EXPECT_TRUE(has(s->expected, kRebuilt)) << s->expected;
    EXPECT_TRUE(has(s->impact, "rolling restart")) << s->impact;
    EXPECT_TRUE(has(s->warning, "Production cluster shop-prod")) << s->warning;
    EXPECT_TRUE(has(s->action, "CVE-2021-44228")) << s->action;
    // After the pod deletion eradication plans for the compromised replica.
    EXPECT_TRUE(find(p, "eradicate/delete-pod/shop/web-5d8f7c9b6d-x2k4p")) << ids(p);
    EXPECT_FALSE(has(notes(p), "names no vulnerable image")) << notes(p);
    EXPECT_TRUE(has(plan_script(p), "kubectl set image deployment --namespace=shop -- web"))
        << plan_script(p);
  }
}

TEST(RespondRebuildImage, RebuiltImageThatMatchesNothingOrChangesNothing) {
  Plan p =
      plan_of(incident(), options({{"registry.example.com/other", kRebuilt}}), evidence_done());
  EXPECT_TRUE(has(notes(p), "--rebuilt-image registry.example.com/other=" + kRebuilt +
                                " names no vulnerable image of the incident"))
      << notes(p);
  ASSERT_TRUE(find(p, kStep));
  EXPECT_TRUE(has(find(p, kStep)->blocked, "no rebuilt image is given"));

  p = plan_of(incident(), options({{kRepo, kImage}}), evidence_done());
  ASSERT_TRUE(find(p, kStep));
  EXPECT_TRUE(has(find(p, kStep)->blocked, "is the image the workload runs"))
      << find(p, kStep)->blocked;
}

// What the incident writes: "fixes" as text and "fixed" (all, some, none); a case written before
// "fixed" existed is read from the text. The no-fix text was once taken for a fix ("fixes: x ->
// no fix (…): rebuild the image with the fixed versions").
TEST(RespondRebuildImage, NoFixKnown) {
  json image = image_entry();
  image["attributes"]["fixes"] = "libexpat 2.4.1 -> no fix (CVE-2024-45491)";
  image["attributes"]["fixed"] = "none";
  const Step* s = nullptr;
  Plan p = plan_of(incident(image), options(), evidence_done());
  ASSERT_TRUE(s = find(p, kStep));
  EXPECT_TRUE(has(s->blocked, "no fixed version is known")) << s->blocked;
  EXPECT_FALSE(has(s->blocked, "rebuild the image with the fixed versions")) << s->blocked;
  EXPECT_TRUE(has(s->blocked, "--rebuilt-image")) << s->blocked;

  image["attributes"].erase("fixed");
  p = plan_of(incident(image), options(), evidence_done());
  ASSERT_TRUE(s = find(p, kStep));
  EXPECT_TRUE(has(s->blocked, "no fixed version is known")) << s->blocked;
}

TEST(RespondRebuildImage, SomePackagesWithoutAFix) {
  json image = image_entry();
  image["attributes"]["fixes"] =
      "log4j-core 2.14.1 -> 2.17.1 (CVE-2021-44228); libexpat 2.4.1 -> no fix (CVE-2024-45491)";
  for (bool structured : {true, false}) {
    if (structured)
      image["attributes"]["fixed"] = "some";
    else
      image["attributes"].erase("fixed");
    const Step* s = nullptr;
    Plan p = plan_of(incident(image), options(), evidence_done());
    ASSERT_TRUE(s = find(p, kStep));
    EXPECT_TRUE(has(s->blocked, "log4j-core 2.14.1 -> 2.17.1")) << s->blocked;
    EXPECT_TRUE(has(s->blocked, "without the packages no fixed version is known for"))
        << s->blocked;
  }
  // Every package with a fix: the fixed versions, nothing about packages without one.
  image = image_entry();
  image["attributes"]["fixed"] = "all";
  Plan p = plan_of(incident(image), options(), evidence_done());
  ASSERT_TRUE(find(p, kStep));
  EXPECT_TRUE(has(find(p, kStep)->blocked, "rebuild the image with the fixed versions"));
  EXPECT_FALSE(has(find(p, kStep)->blocked, "no fixed version"));
}

TEST(RespondRebuildImage, PodOfAReplicaSetActsOnItsDeployment) {
  // Only the pod, of a replica the incident does not hold: the snapshot shows its ReplicaSet and
  // its container, Kubernetes' naming the ReplicaSet's Deployment.
  json image = image_entry();
  image["attributes"]["workloads"] = "Pod:shop/web-5d8f7c9b6d-q9m7r";
  image["attributes"].erase("containers");
  Plan p = plan_of(incident(image), options({{kRepo, kRebuilt}}), evidence_done());
  const Step* s = find(p, kStep);
  ASSERT_TRUE(s) << ids(p) << notes(p);
  EXPECT_TRUE(s->blocked.empty()) << s->blocked;
  EXPECT_EQ(s->command.argv.back(), "web=" + kRebuilt);
  EXPECT_TRUE(has(s->reason, "pod shop/web-5d8f7c9b6d-q9m7r runs under it")) << s->reason;
  EXPECT_FALSE(has(ids(p), "rebuild-image/shop/pod/")) << ids(p);

  // A container named by its pod: the same.
  image["attributes"]["containers"] = "Pod:shop/web-5d8f7c9b6d-x2k4p/web";
  image["attributes"]["workloads"] = "Pod:shop/web-5d8f7c9b6d-x2k4p";
  p = plan_of(incident(image), options({{kRepo, kRebuilt}}), evidence_done());
  ASSERT_TRUE(find(p, kStep)) << ids(p);
}

TEST(RespondRebuildImage, BarePodIsRecreatedFromItsManifest) {
  json doc = incident();
  doc["incident"]["affected"].push_back({{"kind", "pod"},
                                         {"name", "debug"},
                                         {"namespace", "shop"},
                                         {"why", "Falco: shell spawned"},
                                         {"findings", {"f-falco-miner"}},
                                         {"attributes", {{"images", kImage}}}});
  doc["incident"]["affected"][1]["attributes"]["containers"] =
      "Deployment:shop/web/web,Pod:shop/debug/app";
  Plan p = plan_of(doc, options({{kRepo, kRebuilt}}), evidence_done());
  const Step* s = find(p, "eradicate/rebuild-image/shop/pod/debug/app");
  ASSERT_TRUE(s) << ids(p);
  EXPECT_TRUE(s->command.empty());
  EXPECT_EQ(s->blocked.rfind("manual: ", 0), 0u) << s->blocked;
  EXPECT_TRUE(has(s->blocked, "set container app's image to " + kRebuilt)) << s->blocked;
  EXPECT_TRUE(has(s->blocked, "contain/evidence/pod-spec/shop/debug")) << s->blocked;
  EXPECT_EQ(s->capture.argv,
            (Argv{"kubectl", "get", "pod", "--namespace=shop", "--output=yaml", "--", "debug"}));
}

TEST(RespondRebuildImage, AttackersWorkloadIsDeletedNotRebuilt) {
  json doc = incident();
  doc["incident"]["affected"].push_back(
      {{"kind", "workload"},
       {"name", "web"},
       {"namespace", "shop"},
       {"why", "created by the attacker"},
       {"attributes", {{"kind", "Deployment"}, {"attacker", "created"}}}});
  Plan p = plan_of(doc, options({{kRepo, kRebuilt}}), evidence_done());
  EXPECT_TRUE(find(p, "eradicate/delete-deployment/shop/web")) << ids(p);
  EXPECT_FALSE(find(p, kStep)) << ids(p);
}

TEST(RespondRebuildImage, HostileNamesAreBlockedNeverRun) {
  struct Case {
    std::string containers, blocked;
  };
  for (const auto& c : std::vector<Case>{
           {"Deployment:shop/web/--kubeconfig=/tmp/x",
            "container name \"--kubeconfig=/tmp/x\" is not a valid DNS-1123 label"},
           {"Deployment:shop/--all/web", "Deployment name \"--all\" is not a valid"},
           {"Deployment:-n/web/web", "namespace \"-n\" is not a valid DNS-1123 label"},
           {"Deployment:shop/web/a;b", "container name \"a;b\""}}) {
    json image = image_entry();
    image["attributes"]["containers"] = c.containers;
    image["attributes"]["workloads"] = "";
    Plan p = plan_of(incident(image), options({{kRepo, kRebuilt}}), evidence_done());
    const Step* s = nullptr;
    for (const auto& step : p.steps)
      if (step.id.rfind("eradicate/rebuild-image/", 0) == 0) s = &step;
    ASSERT_TRUE(s) << c.containers << "\n" << ids(p);
    EXPECT_TRUE(s->command.empty()) << command::shell_join(s->command.argv);
    EXPECT_TRUE(has(s->blocked, "unsafe to run: " + c.blocked)) << s->blocked;
  }
  // A rebuilt image that is not an image reference never reaches an argv: the CLI refuses it,
  // and a plan given it anyway blocks the step.
  for (const std::string bad :
       {"registry.example.com/web:1 --kubeconfig=/tmp/x", "registry.example.com/web:1;reboot",
        "-registry/web", "registry.example.com/web:1\n"}) {
    std::string error;
    EXPECT_FALSE(parse_rebuilt_image(kRepo + "=" + bad, error)) << bad;
    EXPECT_TRUE(has(error, "rebuilt image")) << error;
    Plan p = plan_of(incident(), options({{kRepo, bad}}), evidence_done());
    const Step* s = find(p, kStep);
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->command.empty());
    EXPECT_TRUE(has(s->blocked, "unsafe to run: image change")) << s->blocked;
  }
}

TEST(RespondRebuildImage, ParsesTheOption) {
  std::string error;
  auto r = parse_rebuilt_image(kRepo + "=" + kRebuilt, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->image, kRepo);
  EXPECT_EQ(r->rebuilt, kRebuilt);
  r = parse_rebuilt_image("nginx=nginx@sha256:" + std::string(64, 'b'), error);
  ASSERT_TRUE(r) << error;
  for (const std::string bad : {"nginx", "=nginx:1", "nginx=", ""}) {
    EXPECT_FALSE(parse_rebuilt_image(bad, error)) << bad;
    EXPECT_TRUE(has(error, "expected IMAGE=NEW")) << error;
  }
  EXPECT_FALSE(parse_rebuilt_image("NGINX=nginx:1", error));
  EXPECT_TRUE(has(error, "image \"NGINX\" is not a valid image reference")) << error;
}

TEST(RespondRebuildImage, OtherPhasesAreUnchanged) {
  PlanResult r = build_plan(incident().dump(), Phase::contain, options({{kRepo, kRebuilt}}));
  ASSERT_TRUE(r.ok());
  for (const auto& s : r.plan.steps) EXPECT_EQ(s.id.find("rebuild-image"), std::string::npos);
}

}  // namespace
}  // namespace eksir::respond
