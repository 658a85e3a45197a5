// GuardDuty findings, Falco alerts and OCSF findings become findings directly.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "detect/detect.h"
#include "detect/values.h"

namespace eksir::detect {

Severity guardduty_severity(double score) {
  // AWS bands: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0.
  if (score < 4) return Severity::Low;
  if (score < 7) return Severity::Medium;
  if (score < 9) return Severity::High;
  return Severity::Critical;
}

Severity falco_severity(std::string_view priority) {
  std::string p(priority);
  std::transform(p.begin(), p.end(), p.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (p == "emergency" || p == "alert" || p == "critical") return Severity::Critical;
  if (p == "error") return Severity::High;
  if (p == "warning") return Severity::Medium;
  if (p == "notice") return Severity::Low;
  return Severity::Info;  // informational, info, debug
}

Severity ocsf_severity(int64_t id) {
  switch (id) {
    case 2:
      return Severity::Low;
    case 3:
      return Severity::Medium;
    case 4:
      return Severity::High;
    case 5:
    case 6:
      return Severity::Critical;
    default:
      return Severity::Info;  // 0 unknown, 1 informational, 99 other
  }
}

std::string event_id(const EventView& ev) {
  switch (ev.source) {
    case Source::K8sAudit:
      return path_text(ev.doc, "auditID");
    case Source::CloudTrail:
      return path_text(ev.doc, "eventID");
    case Source::GuardDuty:
      return path_text(ev.doc, "id");
    case Source::Falco: {
      std::string t = path_text(ev.doc, "time"), r = path_text(ev.doc, "rule");
      return t.empty() && r.empty() ? std::string() : t + " " + r;
    }
    case Source::Ocsf:
      return first_path(ev.doc, {"metadata.uid", "finding_info.uid", "finding.uid"});
    case Source::Vulnerability:
      return path_text(ev.doc, "id");
  }
  return {};
}

namespace {

void put(Finding& f, std::string key, std::string value) {
  if (!value.empty()) f.subject.emplace_back(std::move(key), std::move(value));
}

// Each string at path (arrays flattened).
template <class Fn>
void each_text(simdjson::dom::element root, std::string_view path, Fn&& fn) {
  FieldRef::any_in(root, path, [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::String) fn(std::string_view(v.str));
    return false;
  });
}

// A technique id the alert names, and a tactic by any of the names rules::tactic_short_name
// reads.
void add_technique(Finding& f, std::string_view id) {
  if (rules::is_technique_id(id)) rules::add_attack(f.attack, std::string(id));
}
void add_tactic(Finding& f, std::string_view name) {
  if (auto t = rules::tactic_short_name(name)) rules::add_tactic(f.tactics, std::move(*t));
}

double number_at(simdjson::dom::element root, std::string_view path, bool& found) {
  double out = 0;
  found = false;
  FieldRef::any_in(root, path, [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Int || v.type == FieldValue::Type::Uint ||
        v.type == FieldValue::Type::Double) {
      out = v.d;
      found = true;
    } else if (v.type == FieldValue::Type::String) {
      char* end = nullptr;
      std::string s(v.str);
      out = std::strtod(s.c_str(), &end);
      found = end && *end == 0 && !s.empty();
    }
    return true;
  });
  return out;
}

Finding guardduty(const EventView& ev) {
  auto d = ev.doc;
  Finding f;
  f.rule_id = "guardduty";
  f.rule_title = "Amazon GuardDuty finding";
  f.origin = "guardduty";
  std::string type = path_text(d, "type");
  f.title = first_path(d, {"title"});
  if (f.title.empty()) f.title = type;
  f.description = path_text(d, "description");
  bool found = false;
  double score = number_at(d, "severity", found);
  f.severity = found ? guardduty_severity(score) : Severity::Medium;
  put(f, "type", type);
  // The finding type's threat purpose, when it is an ATT&CK tactic: "PrivilegeEscalation:..."
  if (size_t colon = type.find(':'); colon != std::string::npos) {
    std::string purpose;
    for (char c : type.substr(0, colon)) {
      if (c >= 'A' && c <= 'Z' && !purpose.empty()) purpose += '-';
      purpose += c;
    }
    add_tactic(f, purpose);
  }
  put(f, "cluster", path_text(d, "resource.eksClusterDetails.name"));
  put(f, "namespace",
      first_path(d, {"resource.kubernetesDetails.kubernetesWorkloadDetails.namespace"}));
  put(f, "pod", first_path(d, {"resource.kubernetesDetails.kubernetesWorkloadDetails.name"}));
  put(f, "workload_type",
      path_text(d, "resource.kubernetesDetails.kubernetesWorkloadDetails.type"));
  put(f, "user", path_text(d, "resource.kubernetesDetails.kubernetesUserDetails.username"));
  put(f, "instance", path_text(d, "resource.instanceDetails.instanceId"));
  put(f, "node",
      first_path(d, {"resource.instanceDetails.privateDnsName",
                     "resource.instanceDetails.networkInterfaces.privateDnsName"}));
  put(f, "image",
      first_path(d, {"resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image",
                     "resource.containerDetails.image",
                     "resource.ecsClusterDetails.taskDetails.containers.image"}));
  put(f, "process",
      first_path(d, {"service.runtimeDetails.process.executablePath",
                     "service.runtimeDetails.process.name"}));
  put(f, "source_ip",
      first_path(d, {"service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4",
                     "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4"}));
  put(f, "account", path_text(d, "accountId"));
  put(f, "region", path_text(d, "region"));
  if (found) f.note = fmt::format("GuardDuty severity {}", score);
  if (ev.sample) {
    f.sample = true;
    f.note = fmt::format(
        "GuardDuty sample finding (service.additionalInfo.sample: true): severity capped at info "
        "(GuardDuty severity {}, {})",
        found ? fmt::format("{}", score) : "unknown", rules::severity_name(f.severity));
    f.severity = Severity::Info;
  }
  return f;
}

Finding falco(const EventView& ev) {
  auto d = ev.doc;
  Finding f;
  f.rule_id = "falco";
  f.rule_title = "Falco alert";
  f.origin = "falco";
  std::string rule = path_text(d, "rule");
  std::string priority = path_text(d, "priority");
  f.title = rule;
  f.description = path_text(d, "output");
  f.severity = falco_severity(priority);
  f.note = "Falco priority " + priority;
  // Falco's rule tags: technique ids (T1059) and mitre_<tactic>.
  each_text(d, "tags", [&](std::string_view t) {
    add_technique(f, t);
    if (t.starts_with("mitre_")) add_tactic(f, t);
  });
  put(f, "type", rule);
  put(f, "cluster", first_path(d, {"output_fields.k8s.cluster.name"}));
  put(f, "namespace",
      first_path(d, {"output_fields.k8s.ns.name", "output_fields.ka.target.namespace"}));
  put(f, "pod", first_path(d, {"output_fields.k8s.pod.name"}));
  std::string target = path_text(d, "output_fields.ka.target.resource");
  std::string target_name = path_text(d, "output_fields.ka.target.name");
  if (!target_name.empty()) target += (target.empty() ? "" : "/") + target_name;
  put(f, "target", target);
  put(f, "node", first_path(d, {"hostname"}));
  put(f, "container",
      first_path(d, {"output_fields.container.name", "output_fields.container.id"}));
  std::string image =
      first_path(d, {"output_fields.container.image.repository", "output_fields.container.image"});
  std::string tag = path_text(d, "output_fields.container.image.tag");
  if (!image.empty() && !tag.empty()) image += ":" + tag;
  put(f, "image", image);
  put(f, "process",
      first_path(d, {"output_fields.proc.cmdline", "output_fields.proc.name",
                     "output_fields.proc.exepath"}));
  put(f, "user", first_path(d, {"output_fields.ka.user.name", "output_fields.user.name"}));
  return f;
}

std::optional<Finding> ocsf(const EventView& ev) {
  auto d = ev.doc;
  if (path_text(d, "category_uid") != "2") return std::nullopt;  // Findings category only
  Finding f;
  f.rule_id = "ocsf";
  f.rule_title = "OCSF finding";
  f.origin = "ocsf";
  f.title = first_path(d, {"finding_info.title", "finding.title", "message"});
  f.description = first_path(d, {"finding_info.desc", "finding.desc", "message"});
  bool found = false;
  double id = number_at(d, "severity_id", found);
  f.severity = found ? ocsf_severity(static_cast<int64_t>(id)) : Severity::Info;
  std::string product = first_path(d, {"metadata.product.name"});
  f.note = fmt::format("OCSF {} severity_id {}{}", first_path(d, {"class_name", "classname"}),
                       found ? fmt::format("{}", id) : "unknown",
                       product.empty() ? "" : " from " + product);
  // ATT&CK as OCSF carries it: attacks[] of technique, sub-technique and tactic (finding_info in
  // OCSF 1.1 and later, the finding's top level before).
  for (std::string_view at : {"finding_info.attacks", "attacks"}) {
    std::string base(at);
    each_text(d, base + ".technique.uid", [&](std::string_view t) { add_technique(f, t); });
    each_text(d, base + ".sub_technique.uid", [&](std::string_view t) { add_technique(f, t); });
    each_text(d, base + ".tactic.name", [&](std::string_view t) { add_tactic(f, t); });
    each_text(d, base + ".tactic.uid", [&](std::string_view t) { add_tactic(f, t); });
    each_text(d, base + ".tactics.name", [&](std::string_view t) { add_tactic(f, t); });
  }
  put(f, "type", first_path(d, {"finding_info.types", "finding.types", "type_name"}));
  put(f, "cluster", first_path(d, {"resources.cluster_uid", "container.orchestrator.cluster"}));
  put(f, "namespace", first_path(d, {"resources.namespace", "k8s.pod.namespace"}));
  put(f, "pod", first_path(d, {"container.pod_uuid", "resources.pod"}));
  put(f, "node", first_path(d, {"device.hostname", "device.name"}));
  put(f, "instance", first_path(d, {"device.instance_uid"}));
  put(f, "image", first_path(d, {"container.image.name"}));
  put(f, "process", first_path(d, {"process.cmd_line", "process.name", "actor.process.name"}));
  put(f, "resource", first_path(d, {"resources.uid", "resources.name"}));
  put(f, "source_ip", first_path(d, {"src_endpoint.ip", "evidences.src_endpoint.ip"}));
  put(f, "account", first_path(d, {"cloud.account.uid"}));
  return f;
}

}  // namespace

std::optional<Finding> alert_finding(const EventView& ev) {
  std::optional<Finding> f;
  switch (ev.source) {
    case Source::GuardDuty:
      f = guardduty(ev);
      break;
    case Source::Falco:
      f = falco(ev);
      break;
    case Source::Ocsf:
      f = ocsf(ev);
      break;
    default:  // CloudTrail and audit events feed rules; vulnerabilities are evidence, not alerts
      return std::nullopt;
  }
  if (f) {
    f->tactics = rules::tactics_for(f->tactics, f->attack);
    f->first_seen = f->last_seen = ev.time;
    f->evidence.push_back(
        {ev.source, std::string(ev.file), ev.line, ev.record, ev.time, event_id(ev)});
    f->dedup_key = f->rule_id;
    for (const auto& [k, v] : f->subject) f->dedup_key += "\x1f" + k + "=" + v;
  }
  return f;
}

}  // namespace eksir::detect
