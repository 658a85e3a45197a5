// The built-in rule pack (rules/builtin/<area>/<id>.yml): every file parses, carries the required
// keys with valid values, and each single-event rule's KQL condition matches its positive test
// events and none of its negative ones. Correlation rules: the base condition (or each sequence
// step) parses, and every event of a positive scenario matches the condition.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "event/event.h"
#include "event/fields.h"
#include "query/query.h"
#include "query/sample_events.h"
#include "rules/yaml_json.h"
#include "test_paths.h"

namespace fs = std::filesystem;

namespace eksir::test {
namespace {

const std::set<std::string> kSeverities = {"critical", "high", "medium", "low", "info"};
const std::set<std::string> kCriteria = {
    "critical.cluster_admin",     "critical.data_exfiltration",
    "critical.multiple_nodes",    "critical.active_exploitation",
    "critical.production_impact", "high.privileged_pods",
    "high.lateral_movement",      "high.unauthorised_deployment_change",
    "high.unusual_network",       "high.sensitive_config_exposure",
    "medium.unusual_api_calls",   "medium.policy_violation",
    "medium.non_production",      "medium.vulnerable_component",
    "low.minor_policy_violation", "low.expected_unusual",
    "low.likely_false_positive"};
const std::set<std::string> kSources = {"cloudtrail", "k8s_audit", "guardduty", "falco", "ocsf"};
const std::set<std::string> kAreas = {"eks",         "iam",          "ec2",        "cloudtrail",
                                      "k8s-rbac",    "k8s-workload", "k8s-access", "k8s-auth",
                                      "k8s-network", "evidence"};
const std::set<std::string> kKeys = {"id",      "title",           "description", "severity",
                                     "attack",  "criterion",       "sources",     "condition",
                                     "subject", "false_positives", "references",  "correlation",
                                     "tests",   "origin",          "author"};
const std::set<std::string> kRequired = {"id",      "title",     "description", "severity",
                                         "attack",  "criterion", "sources",     "condition",
                                         "subject", "tests"};

std::vector<fs::path> rule_files() {
  std::vector<fs::path> out;
  fs::path root = fs::path(source_dir()) / "rules" / "builtin";
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".yml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// One test event held as JSON with its parsed view.
struct TestEvent {
  std::string json;
  std::unique_ptr<simdjson::dom::parser> parser = std::make_unique<simdjson::dom::parser>();
  EventView view;
};

std::unique_ptr<TestEvent> make_event(const YAML::Node& original, Source fallback) {
  auto ev = std::make_unique<TestEvent>();
  // `_source: <name>` in a test event names its source; it is not part of the event.
  std::string hint_name, error;
  if (!rules::yaml_to_event_json(original, ev->json, hint_name, error)) return nullptr;
  std::optional<Source> hint;
  if (!hint_name.empty()) hint = parse_source(hint_name);
  simdjson::dom::element doc;
  if (ev->parser->parse(ev->json).get(doc) != simdjson::SUCCESS) return nullptr;
  Source s = fallback;
  if (hint)
    s = *hint;
  else if (doc["eventVersion"].error() == simdjson::SUCCESS)
    s = Source::CloudTrail;
  else if (doc["kind"].error() == simdjson::SUCCESS && doc["verb"].error() == simdjson::SUCCESS)
    s = Source::K8sAudit;
  ev->view.source = s;
  ev->view.file = "rule-test";
  ev->view.raw = ev->json;
  ev->view.doc = doc;
  std::string_view t;
  const char* key = s == Source::CloudTrail ? "eventTime" : "stageTimestamp";
  if (doc[key].get(t) == simdjson::SUCCESS) ev->view.time = parse_time(t);
  return ev;
}

std::string str_or(const YAML::Node& n) {
  return n && n.IsScalar() ? n.Scalar() : std::string();
}

std::string first_value(const FieldRef& f, const EventView& ev) {
  std::string out;
  bool found = false;
  f.any(ev, [&](const FieldValue& v) {
    switch (v.type) {
      case FieldValue::Type::String:
        out = std::string(v.str);
        break;
      case FieldValue::Type::Int:
        out = std::to_string(v.i);
        break;
      case FieldValue::Type::Uint:
        out = std::to_string(v.u);
        break;
      case FieldValue::Type::Double:
        out = std::to_string(v.d);
        break;
      case FieldValue::Type::Bool:
        out = v.b ? "true" : "false";
        break;
      default:
        return false;
    }
    found = true;
    return true;
  });
  return found ? out : std::string("\x01missing");
}

// Reference semantics of the correlation types, for the pack's own test scenarios only.
struct Correlation {
  std::string type;
  std::vector<FieldRef> group_by;
  int64_t window = 0;
  int64_t history = 0;
  size_t threshold = 0;
  FieldRef field;
  query::CompiledQuery condition;
  std::vector<query::CompiledQuery> steps;

  std::string key(const EventView& ev) const {
    std::string k;
    for (const auto& g : group_by) k += first_value(g, ev) + "\x1f";
    return k;
  }

  bool fires(const std::vector<std::unique_ptr<TestEvent>>& events) const {
    std::vector<const EventView*> evs;
    for (const auto& e : events) evs.push_back(&e->view);
    std::stable_sort(evs.begin(), evs.end(),
                     [](const EventView* a, const EventView* b) { return a->time < b->time; });
    std::map<std::string, std::vector<const EventView*>> groups;
    if (type == "sequence") {
      for (const auto* ev : evs)
        for (const auto& st : steps)
          if (st.matches(*ev)) {
            groups[key(*ev)].push_back(ev);
            break;
          }
      for (const auto& [k, g] : groups) {
        // Steps in order, each after the previous, all within window of the first.
        for (size_t start = 0; start < g.size(); ++start) {
          if (!steps[0].matches(*g[start])) continue;
          size_t next = 1;
          for (size_t j = start + 1; j < g.size() && next < steps.size(); ++j) {
            if (g[j]->time - g[start]->time > window) break;
            if (steps[next].matches(*g[j])) ++next;
          }
          if (next == steps.size()) return true;
        }
      }
      return false;
    }
    for (const auto* ev : evs)
      if (condition.matches(*ev)) groups[key(*ev)].push_back(ev);
    if (type == "first_seen") {
      // Fires when the last matching event's key was not seen before it and the scenario's
      // evidence covers at least `history` before it.
      const EventView* last = nullptr;
      for (const auto* ev : evs)
        if (condition.matches(*ev)) last = ev;
      if (!last || evs.empty() || last->time - evs.front()->time < history) return false;
      for (const auto* ev : evs)
        if (ev != last && condition.matches(*ev) && key(*ev) == key(*last)) return false;
      return true;
    }
    for (const auto& [k, g] : groups) {
      for (size_t i = 0; i < g.size(); ++i) {
        std::set<std::string> distinct;
        size_t n = 0;
        for (size_t j = i; j < g.size() && g[j]->time - g[i]->time <= window; ++j) {
          ++n;
          if (type == "distinct_count") distinct.insert(first_value(field, *g[j]));
        }
        if ((type == "count" ? n : distinct.size()) >= threshold) return true;
      }
    }
    return false;
  }
};

class BuiltinPack : public ::testing::Test {};

TEST_F(BuiltinPack, HasRules) {
  EXPECT_GE(rule_files().size(), 50u);
}

TEST_F(BuiltinPack, EveryRuleIsValidAndMatchesItsTests) {
  std::map<std::string, std::string> ids;
  for (const auto& path : rule_files()) {
    SCOPED_TRACE(path.string());
    YAML::Node rule;
    try {
      rule = YAML::LoadFile(path.string());
    } catch (const YAML::Exception& e) {
      ADD_FAILURE() << "YAML error: " << e.what();
      continue;
    }
    ASSERT_TRUE(rule.IsMap());
    for (const auto& kv : rule)
      EXPECT_TRUE(kKeys.count(kv.first.as<std::string>()))
          << "unknown key " << kv.first.as<std::string>();
    for (const auto& k : kRequired) EXPECT_TRUE(rule[k]) << "missing key " << k;

    const std::string id = str_or(rule["id"]);
    EXPECT_EQ(path.stem().string(), id) << "file name must be the id";
    EXPECT_TRUE(kAreas.count(path.parent_path().filename().string())) << "unknown area folder";
    EXPECT_TRUE(ids.emplace(id, path.string()).second) << "duplicate id " << id;
    EXPECT_TRUE(kSeverities.count(str_or(rule["severity"]))) << "bad severity";
    EXPECT_TRUE(kCriteria.count(str_or(rule["criterion"]))) << "bad criterion";
    {
      // The severity is the playbook row of the criterion (info only with a low.* criterion).
      const std::string sev = str_or(rule["severity"]);
      const std::string crit = str_or(rule["criterion"]);
      const std::string row = crit.substr(0, crit.find('.'));
      EXPECT_TRUE(sev == row || (sev == "info" && row == "low")) << sev << " vs " << crit;
    }
    EXPECT_FALSE(str_or(rule["title"]).empty());
    EXPECT_FALSE(str_or(rule["description"]).empty());
    ASSERT_TRUE(rule["attack"].IsSequence() && rule["attack"].size() > 0);
    static const std::regex technique(R"(T[0-9]{4}(\.[0-9]{3})?)");
    for (const auto& t : rule["attack"])
      EXPECT_TRUE(std::regex_match(t.as<std::string>(), technique)) << t.as<std::string>();
    ASSERT_TRUE(rule["sources"].IsSequence() && rule["sources"].size() > 0);
    for (const auto& s : rule["sources"])
      EXPECT_TRUE(kSources.count(s.as<std::string>())) << s.as<std::string>();
    ASSERT_TRUE(rule["subject"].IsSequence() && rule["subject"].size() > 0);
    Source fallback = parse_source(rule["sources"][0].as<std::string>()).value_or(Source::K8sAudit);

    auto parsed = query::parse(str_or(rule["condition"]));
    ASSERT_TRUE(parsed.ok()) << "condition: " << parsed.error().message;
    EXPECT_TRUE(parsed->unknown_fields.empty())
        << "unknown field " << (parsed->unknown_fields.empty() ? "" : parsed->unknown_fields[0]);
    auto cond = query::compile(parsed->root);

    const YAML::Node tests = rule["tests"];
    ASSERT_TRUE(tests["positive"].IsSequence() && tests["positive"].size() > 0)
        << "needs a positive test";
    ASSERT_TRUE(tests["negative"].IsSequence() && tests["negative"].size() > 0)
        << "needs a negative test";

    const YAML::Node corr = rule["correlation"];
    if (!corr) {
      int i = 0;
      for (const auto& e : tests["positive"]) {
        auto ev = make_event(e, fallback);
        ASSERT_TRUE(ev) << "positive " << i;
        EXPECT_TRUE(cond.matches(ev->view)) << "positive " << i << " does not match";
        ++i;
      }
      i = 0;
      for (const auto& e : tests["negative"]) {
        auto ev = make_event(e, fallback);
        ASSERT_TRUE(ev) << "negative " << i;
        EXPECT_FALSE(cond.matches(ev->view)) << "negative " << i << " matches";
        ++i;
      }
      continue;
    }

    // Correlation rule: check the keys, then run a small reference evaluator over each scenario
    // (positive scenarios must fire, negative ones must not).
    const std::string type = str_or(corr["type"]);
    ASSERT_TRUE(type == "count" || type == "distinct_count" || type == "sequence" ||
                type == "first_seen")
        << type;
    Correlation c;
    c.type = type;
    ASSERT_TRUE(corr["group_by"].IsSequence() && corr["group_by"].size() > 0);
    for (const auto& g : corr["group_by"]) c.group_by.emplace_back(g.as<std::string>());
    c.window = eksir::parse_duration(str_or(corr["window"]));
    if (type != "first_seen") {
      EXPECT_GT(c.window, 0) << "window";
    }
    c.condition = cond;
    if (type == "count" || type == "distinct_count") {
      ASSERT_TRUE(corr["threshold"].IsScalar());
      c.threshold = corr["threshold"].as<size_t>();
      EXPECT_GE(c.threshold, 2u);
    }
    if (type == "distinct_count") {
      ASSERT_FALSE(str_or(corr["field"]).empty());
      c.field = FieldRef(str_or(corr["field"]));
    }
    if (type == "first_seen") {
      c.history = eksir::parse_duration(str_or(corr["history"]));
      EXPECT_GT(c.history, 0) << "history";
    }
    if (type == "sequence") {
      ASSERT_TRUE(corr["steps"].IsSequence() && corr["steps"].size() >= 2);
      for (const auto& st : corr["steps"]) {
        auto p = query::parse(st.as<std::string>());
        ASSERT_TRUE(p.ok()) << "step: " << p.error().message;
        c.steps.push_back(query::compile(p->root));
      }
    }
    for (const char* kind : {"positive", "negative"}) {
      int scenario = 0;
      for (const auto& sc : tests[kind]) {
        ASSERT_TRUE(sc.IsSequence() && sc.size() > 0) << "correlation tests are lists of scenarios";
        std::vector<std::unique_ptr<TestEvent>> events;
        for (const auto& e : sc) {
          events.push_back(make_event(e, fallback));
          ASSERT_TRUE(events.back()) << kind << " scenario " << scenario;
        }
        bool fired = c.fires(events);
        if (std::string(kind) == "positive") {
          EXPECT_TRUE(fired) << "positive scenario " << scenario << " does not fire";
        } else {
          EXPECT_FALSE(fired) << "negative scenario " << scenario << " fires";
        }
        ++scenario;
      }
    }
  }
}

// The real attack samples are caught by some single-event rule at medium or above; the benign
// near-misses of the same sets raise nothing above low.
TEST_F(BuiltinPack, CoversTheRealSamples) {
  if (!fs::exists(samples_dir())) GTEST_SKIP() << "no shared samples";
  struct Loaded {
    std::string id;
    std::string severity;
    std::set<Source> sources;
    query::CompiledQuery cond;
  };
  std::vector<Loaded> rules;
  for (const auto& path : rule_files()) {
    YAML::Node r = YAML::LoadFile(path.string());
    if (r["correlation"]) continue;
    auto p = query::parse(r["condition"].as<std::string>());
    ASSERT_TRUE(p.ok()) << path;
    Loaded l{
        r["id"].as<std::string>(), r["severity"].as<std::string>(), {}, query::compile(p->root)};
    for (const auto& s : r["sources"]) l.sources.insert(parse_source(s.as<std::string>()).value());
    rules.push_back(std::move(l));
  }
  auto rank = [](const std::string& sev) {
    return sev == "critical" ? 4 : sev == "high" ? 3 : sev == "medium" ? 2 : sev == "low" ? 1 : 0;
  };
  // Highest severity of a rule matching any event of the file; -1 when nothing matches.
  auto worst = [&](const std::string& file, Source source, std::string* which) {
    auto events = SampleEvents::file(file, source);
    int best = -1;
    for (const auto& item : *events)
      for (const auto& r : rules)
        if (r.sources.count(source) && r.cond.matches(item.view) && rank(r.severity) > best) {
          best = rank(r.severity);
          *which = r.id;
        }
    return best;
  };
  const std::vector<std::string> audit_attacks = {
      "anonymous_creates_namespace_foo",
      "attach_cluster_admin_role",
      "attach_pod",
      "create_cluster_role_wildcard_resources",
      "create_cluster_role_wildcard_verbs",
      "create_nginx_pod_hostnetwork",
      "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container",
      "create_nginx_pod_privileged",
      "create_nginx_pod_privileged_2nd_container",
      "create_nginx_pod_sensitive_mount",
      "create_nginx_pod_sensitive_mount_2nd_container",
      "create_nginx_service_nodeport",
      "create_pod_kube_system_namespace",
      "create_pod_kube_public_namespace",
      "exec_pod",
      "create_configmap_sensitive_values",
      "delete_cluster_role_kube_aggregator",
      "modify_cluster_role_node_problem_detector"};
  const std::vector<std::string> audit_benign = {
      "create_nginx_pod_unprivileged",        "create_nginx_pod_nohostnetwork",
      "create_nginx_service_nonodeport",      "create_nginx_pod_unsensitive_mount",
      "create_configmap_no_sensitive_values", "create_configmap"};
  const std::vector<std::string> stratus_attacks = {
      "aws.defense-evasion.cloudtrail-stop",
      "aws.defense-evasion.cloudtrail-delete",
      "aws.defense-evasion.cloudtrail-event-selectors",
      "aws.defense-evasion.vpc-remove-flow-logs",
      "aws.defense-evasion.dns-delete-logs",
      "aws.persistence.iam-create-admin-user",
      "aws.persistence.iam-create-backdoor-role",
      "aws.persistence.iam-backdoor-role",
      "aws.persistence.iam-backdoor-user",
      "aws.persistence.iam-create-user-login-profile",
      "aws.privilege-escalation.iam-update-user-login-profile",
      "aws.exfiltration.ec2-security-group-open-port-22-ingress",
      "aws.execution.ssm-send-command",
      "aws.execution.ssm-start-session",
      "aws.credential-access.ec2-steal-instance-credentials"};
  std::string which;
  for (const auto& f : audit_attacks)
    EXPECT_GE(worst(std::string(kAuditDir) + f + ".json", Source::K8sAudit, &which), 2) << f;
  for (const auto& f : audit_benign) {
    which.clear();
    EXPECT_LE(worst(std::string(kAuditDir) + f + ".json", Source::K8sAudit, &which), 1)
        << f << " raised by " << which;
  }
  for (const auto& f : stratus_attacks)
    EXPECT_GE(worst(std::string(kStratusDir) + f + ".json", Source::CloudTrail, &which), 2) << f;
}

}  // namespace
}  // namespace eksir::test
