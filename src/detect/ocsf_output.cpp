// Findings as OCSF 1.3.0 Detection Findings (class 2004): the rule as the analytic, ATT&CK as
// finding_info.attacks, each evidence record as an evidence artifact, the objects the subject
// names as resources and observables (through the same ECS names as the Elastic output).
#include <algorithm>
#include <ostream>

#include "detect/detect.h"
#include "util/json_writer.h"

namespace eksir::detect {

int64_t ocsf_severity_id(Severity s) {
  switch (s) {
    case Severity::Info:
      return 1;
    case Severity::Low:
      return 2;
    case Severity::Medium:
      return 3;
    case Severity::High:
      return 4;
    case Severity::Critical:
      return 5;
  }
  return 0;
}

namespace {

constexpr std::string_view kSeverityCaptions[] = {"Unknown", "Informational", "Low",
                                                  "Medium",  "High",          "Critical"};

void kv_ms(util::JsonWriter& j, std::string_view key, TimeNs t) {
  j.kv_num(key, t / 1000000);
}

// finding_info.attacks: one entry per technique and tactic ATT&CK puts it under among the
// finding's tactics (every tactic of the finding when ATT&CK's table does not say), then the
// tactics no technique took, alone.
void write_attacks(util::JsonWriter& j, const Finding& f) {
  auto tactic = [&](const std::string& t) {
    j.key("tactic");
    j.open('{');
    if (auto id = rules::tactic_id(t); !id.empty()) j.kv("uid", id);
    j.kv("name", rules::tactic_display_name(t));
    j.close('}');
  };
  auto technique = [&](const std::string& t) {
    std::string base = t.substr(0, t.find('.'));
    j.key("technique");
    j.open('{');
    j.kv("uid", base);
    j.close('}');
    if (base != t) {
      j.key("sub_technique");
      j.open('{');
      j.kv("uid", t);
      j.close('}');
    }
  };
  std::vector<std::string> used;
  j.key("attacks");
  j.open('[');
  for (const auto& t : f.attack) {
    std::vector<std::string> under;
    for (const auto& x : rules::technique_tactics(t))
      if (std::find(f.tactics.begin(), f.tactics.end(), x) != f.tactics.end()) under.push_back(x);
    if (under.empty()) under = f.tactics;
    if (under.empty()) {
      j.item();
      j.open('{');
      technique(t);
      j.close('}');
    }
    for (const auto& x : under) {
      j.item();
      j.open('{');
      tactic(x);
      technique(t);
      j.close('}');
      used.push_back(x);
    }
  }
  for (const auto& x : f.tactics)
    if (std::find(used.begin(), used.end(), x) == used.end()) {
      j.item();
      j.open('{');
      tactic(x);
      j.close('}');
    }
  j.close(']');
}

struct Observable {
  std::string name;
  int type_id;
  std::string_view type;
  std::string value;
};

}  // namespace

std::string ocsf_finding(const Finding& f, std::string_view incident_id) {
  const int64_t severity = ocsf_severity_id(f.severity);
  const TimeNs first = f.first_seen != kNoTime ? f.first_seen : f.last_seen;
  const TimeNs last = f.last_seen != kNoTime ? f.last_seen : first;
  std::vector<std::pair<std::string, std::string>> ecs = subject_ecs(f);
  auto all = [&](std::string_view name) {
    std::vector<std::string> v;
    for (const auto& [k, value] : ecs)
      if (k == name) v.push_back(value);
    return v;
  };
  auto one = [&](std::initializer_list<std::string_view> names) {
    for (auto name : names)
      if (auto v = all(name); !v.empty()) return v.front();
    return std::string();
  };

  util::JsonWriter j;
  j.open('{');
  j.kv_num("class_uid", 2004);
  j.kv("class_name", "Detection Finding");
  j.kv_num("category_uid", 2);
  j.kv("category_name", "Findings");
  j.kv_num("activity_id", 1);
  j.kv("activity_name", "Create");
  j.kv_num("type_uid", 2004 * 100 + 1);
  j.kv("type_name", "Detection Finding: Create");
  j.kv_num("severity_id", severity);
  j.kv("severity", kSeverityCaptions[severity]);
  j.kv_num("status_id", 1);
  j.kv("status", "New");
  if (first != kNoTime) {
    kv_ms(j, "time", first);
    kv_ms(j, "start_time", first);
    kv_ms(j, "end_time", last);
  } else {
    j.kv_num("time", 0);
  }
  j.kv_num("count", static_cast<int64_t>(f.count));
  j.kv("message", f.title);
  j.key("metadata");
  j.open('{');
  j.kv("version", kOcsfVersion);
  j.kv("uid", f.id);
  if (!incident_id.empty()) j.kv("correlation_uid", incident_id);
  j.key("product");
  j.open('{');
  j.kv("name", "eksir");
  j.kv("vendor_name", "eksir");
  j.kv("version", EKSIR_VERSION);
  j.close('}');
  j.close('}');

  j.key("finding_info");
  j.open('{');
  j.kv("uid", f.id);
  j.kv("title", f.title);
  if (!f.description.empty()) j.kv("desc", f.description);
  j.kv_list("types", {f.rule_title});
  if (first != kNoTime) {
    kv_ms(j, "first_seen_time", first);
    kv_ms(j, "last_seen_time", last);
  }
  j.kv_num("related_events_count", static_cast<int64_t>(f.count));
  j.key("analytic");
  j.open('{');
  j.kv("uid", f.rule_id);
  j.kv("name", f.rule_title);
  j.kv_num("type_id", 1);
  j.kv("type", "Rule");
  j.close('}');
  if (!f.attack.empty() || !f.tactics.empty()) write_attacks(j, f);
  j.close('}');

  // What the subject says about who acted and from where goes on each evidence artifact.
  const std::string ip = one({"source.ip"}), user = one({"user.name"}),
                    key = one({"aws.cloudtrail.user_identity.access_key_id",
                               "kubernetes.audit.user.extra.accessKeyId"}),
                    arn = one(
                        {"aws.cloudtrail.user_identity.arn", "kubernetes.audit.user.extra.arn"}),
                    cmdline = one({"process.command_line"}), image = one({"container.image.name"}),
                    container = one({"container.name"});
  j.key("evidences");
  j.open('[');
  for (const auto& e : f.evidence) {
    j.item();
    j.open('{');
    if (!user.empty() || !key.empty() || !arn.empty()) {
      j.key("actor");
      j.open('{');
      j.key("user");
      j.open('{');
      if (!user.empty()) j.kv("name", user);
      if (!arn.empty()) j.kv("uid", arn);
      if (!key.empty()) j.kv("credential_uid", key);
      j.close('}');
      j.close('}');
    }
    if (!ip.empty()) {
      j.key("src_endpoint");
      j.open('{');
      j.kv("ip", ip);
      j.close('}');
    }
    if (!cmdline.empty()) {
      j.key("process");
      j.open('{');
      j.kv("cmd_line", cmdline);
      j.close('}');
    }
    if (!image.empty() || !container.empty()) {
      j.key("container");
      j.open('{');
      if (!container.empty()) j.kv("name", container);
      if (!image.empty()) {
        j.key("image");
        j.open('{');
        j.kv("name", image);
        j.close('}');
      }
      j.close('}');
    }
    j.key("data");
    j.open('{');
    j.kv("source", source_name(e.source));
    j.kv("file", e.file);
    j.kv_num("line", static_cast<int64_t>(e.line));
    j.kv_num("record", static_cast<int64_t>(e.record));
    if (e.time != kNoTime) j.kv_time("time", e.time);
    if (!e.event_id.empty()) j.kv("event_id", e.event_id);
    j.close('}');
    j.close('}');
  }
  j.close(']');

  std::vector<Observable> observables;
  j.key("resources");
  j.open('[');
  auto resource = [&](std::string_view type, std::string_view name_key, const std::string& value,
                      const std::string& ns) {
    j.item();
    j.open('{');
    j.kv("type", type);
    j.kv(name_key, value);
    if (!ns.empty()) j.kv("namespace", ns);
    j.close('}');
  };
  const std::string ns = one({"orchestrator.namespace"});
  const std::string kind = one({"orchestrator.resource.type"});
  for (const auto& v : all("orchestrator.cluster.name")) resource("EKS cluster", "name", v, "");
  for (const auto& v : all("orchestrator.resource.name"))
    resource(kind.empty() ? "Kubernetes object" : kind, "name", v, ns);
  if (all("orchestrator.resource.name").empty() && !ns.empty())
    resource("namespaces", "name", ns, "");
  for (const auto& v : all("host.hostname")) {
    resource("Kubernetes node", "name", v, "");
    observables.push_back({"resources.name", 1, "Hostname", v});
  }
  for (const auto& v : all("cloud.instance.id")) {
    resource("AWS::EC2::Instance", "uid", v, "");
    observables.push_back({"resources.uid", 10, "Resource UID", v});
  }
  for (const auto& v : all("container.image.name")) resource("container image", "name", v, "");
  j.close(']');

  for (const auto& v : all("source.ip"))
    observables.push_back({"evidences.src_endpoint.ip", 2, "IP Address", v});
  if (!user.empty()) observables.push_back({"evidences.actor.user.name", 4, "User Name", user});
  if (!arn.empty()) observables.push_back({"evidences.actor.user.uid", 10, "Resource UID", arn});
  if (!key.empty())
    observables.push_back({"evidences.actor.user.credential_uid", 19, "User Credential ID", key});
  if (!cmdline.empty())
    observables.push_back({"evidences.process.cmd_line", 13, "Command Line", cmdline});
  if (!observables.empty()) {
    j.key("observables");
    j.open('[');
    for (const auto& o : observables) {
      j.item();
      j.open('{');
      j.kv("name", o.name);
      j.kv_num("type_id", o.type_id);
      j.kv("type", o.type);
      j.kv("value", o.value);
      j.close('}');
    }
    j.close(']');
  }
  j.close('}');
  return std::move(j.o);
}

void write_ocsf(const std::vector<Finding>& findings, std::ostream& out) {
  for (const auto& f : findings) out << ocsf_finding(f) << '\n';
}

}  // namespace eksir::detect
