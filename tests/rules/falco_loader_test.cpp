// The Falco loader: append and override, exceptions, output rendering, and what is reported when a
// rule cannot load. The condition language, lists and macros on an event are data:
// tests/cases/rules/falco_conditions.yaml and falco_macros.yaml.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "detect/detect.h"
#include "rules/rules.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

const char* kPod = R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",
"auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods?dryRun=All&x=%2Fy",
"verb":"create","user":{"username":"alice","groups":["dev","system:authenticated"]},
"sourceIPs":["10.0.0.1"],"userAgent":"kubectl/v1.29",
"objectRef":{"resource":"pods","namespace":"default","name":"web","apiVersion":"v1"},
"responseStatus":{"code":201},
"requestObject":{"kind":"Pod","spec":{"hostNetwork":true,
 "containers":[{"name":"a","image":"nginx:1.25","securityContext":{"privileged":true}},
               {"name":"b","image":"docker.io/library/busybox@sha256:abc","ports":[{"containerPort":80}]}],
 "volumes":[{"name":"v","hostPath":{"path":"/etc/kubernetes"}}]}},
"responseObject":{"metadata":{"name":"web"}},
"annotations":{"authorization.k8s.io/decision":"allow","a/~b":"x"},
"stageTimestamp":"2026-03-14T09:00:00.000000Z"})";

// The Falco rules YAML of one rule with this condition, plus extra items before it.
std::string falco(const std::string& condition, const std::string& before = "",
                  const std::string& after = "") {
  return before + "\n- rule: R\n  desc: d\n  condition: " + condition +
         "\n  output: out\n  priority: WARNING\n  source: k8s_audit\n" + after;
}

struct Outcome {
  LoadResult loaded;
  bool loaded_ok = false;
  bool matched = false;
  std::string description;
};

Outcome run(const std::string& yaml, const std::string& event = kPod) {
  Outcome o;
  o.loaded = load_text(yaml, "f.yaml");
  o.loaded_ok = o.loaded.ok() && o.loaded.rules.size() == 1;
  if (!o.loaded_ok) return o;
  detect::EngineOptions eo;
  eo.workers = 1;
  detect::Engine engine(o.loaded.rules, eo);
  std::string err = classify_json(event, [&](const EventView& ev) { engine.on_event(ev, 0); });
  EXPECT_EQ(err, "");
  auto f = engine.finish();
  o.matched = !f.empty();
  if (o.matched) o.description = f[0].description;
  return o;
}

std::string skipped_reason(const std::string& yaml) {
  LoadResult res = load_text(yaml, "f.yaml");
  EXPECT_TRUE(res.rules.empty());
  EXPECT_EQ(res.not_loaded.size(), 1u);
  return res.not_loaded.empty() ? "" : res.not_loaded[0].reason;
}

TEST(FalcoLoader, AppendAndOverride) {
  const std::string base = R"(
- list: users
  items: [bob]
- macro: m
  condition: ka.verb=get
- rule: R
  desc: d
  condition: ka.user.name in (users)
  output: out
  priority: INFO
  source: k8s_audit
)";
  EXPECT_FALSE(run(base).matched);
  EXPECT_TRUE(run(base + "- list: users\n  items: [alice]\n  append: true\n").matched);
  EXPECT_TRUE(
      run(base + "- list: users\n  items: [alice]\n  override:\n    items: append\n").matched);
  EXPECT_FALSE(
      run(base + "- list: users\n  items: [carol]\n  override:\n    items: replace\n").matched);
  // Rule condition appended (legacy) and replaced (override).
  EXPECT_TRUE(run(base + "- rule: R\n  condition: or ka.verb=create\n  append: true\n").matched);
  EXPECT_TRUE(
      run(base + "- rule: R\n  condition: ka.verb=create\n  override:\n    condition: replace\n")
          .matched);
  // A macro redefined later replaces the first.
  EXPECT_TRUE(run(base + "- macro: m\n  condition: ka.verb=create\n- rule: R\n  condition: or "
                         "m\n  append: true\n")
                  .matched);
  // enabled: false on its own disables the rule: reported, not run.
  LoadResult off = load_text(base + "- rule: R\n  enabled: false\n", "f.yaml");
  EXPECT_TRUE(off.rules.empty());
  ASSERT_EQ(off.not_loaded.size(), 1u);
  EXPECT_TRUE(off.not_loaded[0].disabled);
  EXPECT_EQ(off.not_loaded[0].reason, "disabled (enabled: false); it compiles");
  // A disabled rule is still compiled: what would stop it running is said.
  LoadResult bad_off =
      load_text(base +
                    "- rule: R\n  condition: tolower(ka.verb)=create\n  override:\n    condition: "
                    "replace\n- rule: R\n  enabled: false\n",
                "f.yaml");
  EXPECT_TRUE(bad_off.rules.empty());
  ASSERT_EQ(bad_off.not_loaded.size(), 1u);
  EXPECT_TRUE(bad_off.not_loaded[0].disabled);
  EXPECT_NE(bad_off.not_loaded[0].reason.find("would not load: unsupported"), std::string::npos)
      << bad_off.not_loaded[0].reason;
  // Priority replaced by override.
  LoadResult p = load_text(
      base + "- rule: R\n  priority: CRITICAL\n  override:\n    priority: replace\n", "f.yaml");
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].severity, Severity::Critical);
  EXPECT_EQ(p.rules[0].level, "CRITICAL");
}

TEST(FalcoLoader, Exceptions) {
  auto with = [](const std::string& exceptions) {
    return run(falco("ka.verb=create", "", "  exceptions:\n" + exceptions)).matched;
  };
  EXPECT_TRUE(with("    - name: none\n      fields: [ka.user.name]\n      values: []\n"));
  EXPECT_FALSE(
      with("    - name: single\n      fields: ka.user.name\n      values: [bob, alice]\n"));
  EXPECT_FALSE(
      with("    - name: tuple\n      fields: [ka.user.name, ka.target.namespace]\n"
           "      comps: [=, startswith]\n      values:\n        - [alice, def]\n"));
  EXPECT_TRUE(
      with("    - name: tuple\n      fields: [ka.user.name, ka.target.namespace]\n"
           "      values:\n        - [alice, kube-system]\n"));
  EXPECT_FALSE(
      with("    - name: lists\n      fields: [ka.user.name, ka.target.name]\n"
           "      comps: [in, =]\n      values:\n        - [[bob, alice], web]\n"));
  // Appended exception values.
  std::string yaml = falco("ka.verb=create", "",
                           "  exceptions:\n    - name: e\n      fields: [ka.user.name]\n"
                           "      values: [[bob]]\n") +
                     "- rule: R\n  exceptions:\n    - name: e\n      values: [[alice]]\n  "
                     "append: true\n";
  EXPECT_FALSE(run(yaml).matched);
}

TEST(FalcoLoader, OutputIsRenderedWithTheEventsFields) {
  Outcome o = run(falco("ka.verb=create", "", ""));
  ASSERT_TRUE(o.matched);
  std::string yaml = R"(
- rule: Out
  desc: d
  condition: ka.verb=create
  output: >
    Pod (user=%ka.user.name pod=%ka.target.name/%ka.target.resource images=%ka.req.pod.containers.image
    cmd=%ka.uri.param[dryRun] missing=%ka.impuser.name vol=%jevt.value[/requestObject/spec/volumes/0/name] %unknown.field.)
  priority: NOTICE
  source: k8s_audit
)";
  Outcome r = run(yaml);
  ASSERT_TRUE(r.matched);
  EXPECT_EQ(r.description,
            "Pod (user=alice pod=web/pods images=(nginx:1.25,docker.io/library/busybox@sha256:abc) "
            "cmd=All missing=<NA> vol=v <NA>)");
  bool warned = false;
  for (const auto& w : r.loaded.warnings)
    warned |= w.message.find("unknown.field") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(FalcoLoader, PriorityBecomesSeverityAndTagsAttack) {
  for (auto [p, s] :
       std::vector<std::pair<std::string, Severity>>{{"EMERGENCY", Severity::Critical},
                                                     {"ALERT", Severity::Critical},
                                                     {"CRITICAL", Severity::Critical},
                                                     {"ERROR", Severity::High},
                                                     {"WARNING", Severity::Medium},
                                                     {"NOTICE", Severity::Low},
                                                     {"INFORMATIONAL", Severity::Info},
                                                     {"INFO", Severity::Info},
                                                     {"DEBUG", Severity::Info},
                                                     {"warning", Severity::Medium}}) {
    LoadResult res =
        load_text("- rule: R\n  desc: d\n  condition: ka.verb=get\n  output: o\n  priority: " + p +
                      "\n  source: k8s_audit\n  tags: [k8s, T1609, mitre_execution]\n",
                  "f.yaml");
    ASSERT_EQ(res.rules.size(), 1u) << p;
    EXPECT_EQ(res.rules[0].severity, s) << p;
    EXPECT_EQ(res.rules[0].origin, "falco");
    EXPECT_EQ(res.rules[0].attack, std::vector<std::string>{"T1609"});
  }
}

TEST(FalcoLoader, WhatCannotLoadIsReportedWithTheFeature) {
  EXPECT_NE(skipped_reason(falco("ka.nope=1")).find("unknown field 'ka.nope'"), std::string::npos);
  EXPECT_NE(skipped_reason(falco("undefined_macro")).find("undefined macro or list"),
            std::string::npos);
  EXPECT_NE(skipped_reason(falco("ka.user.groups contains dev")).find("list field"),
            std::string::npos);
  EXPECT_NE(skipped_reason(falco("tolower(ka.user.name)=x")).find("transformer"),
            std::string::npos);
  EXPECT_NE(skipped_reason(falco("ka.verb bcontains 41")).find("bcontains"), std::string::npos);
  EXPECT_NE(skipped_reason(falco("ka.verb=create and (")).find("condition"), std::string::npos);
  EXPECT_NE(skipped_reason("- macro: a\n  condition: b\n- macro: b\n  condition: a\n" + falco("a"))
                .find("refers to itself"),
            std::string::npos);
  std::string other =
      "- rule: S\n  desc: d\n  condition: evt.type=open\n  output: o\n"
      "  priority: WARNING\n";
  EXPECT_NE(skipped_reason(other).find("source 'syscall'"), std::string::npos);
  LoadResult res = load_text(other, "f.yaml");
  ASSERT_EQ(res.warnings.size(), 1u);
  EXPECT_EQ(res.warnings[0].file, "f.yaml");
  EXPECT_EQ(res.warnings[0].rule_id, "S");
  EXPECT_EQ(res.warnings[0].line, 1u);
}

TEST(FalcoLoader, BadInputIsReportedNeverCrashes) {
  std::string many_nots;
  for (int i = 0; i < 5000; ++i) many_nots += "not ";
  std::string deep(500, '(');
  for (const std::string& cond :
       {std::string("((((("), many_nots + "ka.verb=get", deep + "ka.verb=get",
        std::string("ka.verb in ("), std::string("ka.verb ="), std::string("'"),
        std::string("jevt.value[ exists"), std::string("ka.verb in (a,,b)"),
        std::string("jevt.value[nopointer] exists"), std::string("ka.uri.param exists"),
        std::string("ka.req.pod.containers.image[x] exists"), std::string("ka.verb regex '('"),
        std::string("ka.verb=a and or b")}) {
    LoadResult res = load_text("- rule: R\n  desc: d\n  condition: |-\n    " + cond +
                                   "\n  output: o\n  priority: WARNING\n  source: k8s_audit\n",
                               "f.yaml");
    EXPECT_TRUE(res.rules.empty()) << cond;
    EXPECT_EQ(res.not_loaded.size(), 1u) << cond;
  }
  for (const std::string& yaml :
       {std::string("- rule: R\n  condition: [a, b]\n"),
        std::string("- list: l\n  items: {a: b}\n- rule: x\n"),
        std::string("- macro: [1]\n- rule: {a: b}\n"), std::string("- rule: R\n  append: true\n"),
        std::string("- rule: R\n  desc: d\n  condition: ka.verb=get\n  output: o\n  priority: "
                    "LOUD\n  source: k8s_audit\n")}) {
    LoadResult res = load_text(yaml, "f.yaml");
    EXPECT_TRUE(res.rules.empty()) << yaml;
  }
}

TEST(FalcoLoader, SharedRulesFilesLoadOrAreReported) {
  LoadResult k8s = load_paths({test::shared_dir() + "/rules/falco/k8s_audit_rules.yaml"});
  EXPECT_TRUE(k8s.ok());
  EXPECT_EQ(k8s.rules.size(), 48u);
  EXPECT_TRUE(k8s.not_loaded.empty());
  for (const auto& w : k8s.warnings) ADD_FAILURE() << w.text();
  // aws_cloudtrail_rules.yaml: tests/rules/falco_cloudtrail_test.cpp.
}

TEST(FalcoLoader, ValidatePrintsCountsAndExitsZeroOnlyWhenEveryRuleLoaded) {
  auto ok = test::run_eksir(
      {"rules", "validate", test::shared_dir() + "/rules/falco/k8s_audit_rules.yaml"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("falco: 48 loaded"), std::string::npos) << ok.out;
  auto skipped = test::temp_dir() + "/syscall.yaml";
  std::ofstream(skipped) << "- rule: S\n  desc: d\n  condition: evt.type=open\n  output: o\n"
                            "  priority: WARNING\n";
  auto bad = test::run_eksir({"rules", "validate", skipped});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("1 skipped"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace eksir::rules
