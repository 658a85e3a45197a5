// GuardDuty findings, Falco alerts and OCSF findings become findings directly.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "detect/detect.h"
#include "detect/values.h"
#include "event/native_paths.h"

namespace eksir::detect {

namespace gd = native::guardduty;
namespace falco = native::falco;
namespace ocsf = native::ocsf;

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
      return path_text(ev.doc, gd::kId);
    case Source::Falco: {
      std::string t = path_text(ev.doc, falco::kTime), r = path_text(ev.doc, falco::kRule);
      return t.empty() && r.empty() ? std::string() : t + " " + r;
    }
    case Source::Ocsf:
      return first_path(ev.doc, {ocsf::kMetadataUid, ocsf::kFindingUid, ocsf::kFindingUidOld});
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

Finding guardduty_finding(const EventView& ev) {
  auto d = ev.doc;
  Finding f;
  f.rule_id = "guardduty";
  f.rule_title = "Amazon GuardDuty finding";
  f.origin = "guardduty";
  std::string type = path_text(d, gd::kType);
  f.title = first_path(d, {gd::kTitle});
  if (f.title.empty()) f.title = type;
  f.description = path_text(d, gd::kDescription);
  bool found = false;
  double score = number_at(d, gd::kSeverity, found);
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
  put(f, "cluster", path_text(d, gd::kClusterName));
  put(f, "namespace", first_path(d, {gd::kWorkloadNamespace}));
  put(f, "pod", first_path(d, {gd::kWorkloadName}));
  put(f, "workload_type", path_text(d, gd::kWorkloadType));
  put(f, "user", path_text(d, gd::kKubernetesUser));
  put(f, "instance", path_text(d, gd::kInstanceId));
  put(f, "node", first_path(d, {gd::kInstanceDnsName, gd::kInstancePrivateDnsName}));
  put(f, "image", first_path(d, {gd::kWorkloadImages, gd::kContainerImage, gd::kEcsTaskImages}));
  put(f, "process", first_path(d, {gd::kProcessExecutable, gd::kProcessName}));
  put(f, "source_ip",
      first_path(d, {"service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4",
                     "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4"}));
  put(f, "account", path_text(d, gd::kAccountId));
  put(f, "region", path_text(d, gd::kRegion));
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

Finding falco_finding(const EventView& ev) {
  auto d = ev.doc;
  Finding f;
  f.rule_id = "falco";
  f.rule_title = "Falco alert";
  f.origin = "falco";
  std::string rule = path_text(d, falco::kRule);
  std::string priority = path_text(d, falco::kPriority);
  f.title = rule;
  f.description = path_text(d, falco::kOutput);
  f.severity = falco_severity(priority);
  f.note = "Falco priority " + priority;
  // Falco's rule tags: technique ids (T1059) and mitre_<tactic>.
  each_text(d, falco::kTags, [&](std::string_view t) {
    add_technique(f, t);
    if (t.starts_with("mitre_")) add_tactic(f, t);
  });
  put(f, "type", rule);
  put(f, "cluster", first_path(d, {falco::kClusterName}));
  put(f, "namespace", first_path(d, {falco::kNamespace, falco::kAuditTargetNamespace}));
  put(f, "pod", first_path(d, {falco::kPodName}));
  std::string target = path_text(d, falco::kAuditTargetResource);
  std::string target_name = path_text(d, falco::kAuditTargetName);
  if (!target_name.empty()) target += (target.empty() ? "" : "/") + target_name;
  put(f, "target", target);
  put(f, "node", first_path(d, {falco::kHostname}));
  put(f, "container", first_path(d, {falco::kContainerName, falco::kContainerId}));
  std::string image = first_path(d, {falco::kImageRepository, falco::kImage});
  std::string tag = path_text(d, falco::kImageTag);
  if (!image.empty() && !tag.empty()) image += ":" + tag;
  put(f, "image", image);
  put(f, "process",
      first_path(d, {falco::kProcessCmdline, falco::kProcessName, falco::kProcessExecutable}));
  put(f, "user", first_path(d, {falco::kAuditUser, falco::kUserName}));
  return f;
}

std::optional<Finding> ocsf_finding(const EventView& ev) {
  auto d = ev.doc;
  if (path_text(d, ocsf::kCategoryUid) != "2") return std::nullopt;  // Findings category only
  Finding f;
  f.rule_id = "ocsf";
  f.rule_title = "OCSF finding";
  f.origin = "ocsf";
  f.title = first_path(d, {ocsf::kFindingTitle, ocsf::kFindingTitleOld, ocsf::kMessage});
  f.description = first_path(d, {ocsf::kFindingDesc, ocsf::kFindingDescOld, ocsf::kMessage});
  bool found = false;
  double id = number_at(d, ocsf::kSeverityId, found);
  f.severity = found ? ocsf_severity(static_cast<int64_t>(id)) : Severity::Info;
  std::string product = first_path(d, {ocsf::kProductName});
  f.note = fmt::format(
      "OCSF {} severity_id {}{}", first_path(d, {ocsf::kClassName, ocsf::kClassNameOld}),
      found ? fmt::format("{}", id) : "unknown", product.empty() ? "" : " from " + product);
  // ATT&CK as OCSF carries it: attacks[] of technique, sub-technique and tactic (finding_info in
  // OCSF 1.1 and later, the finding's top level before).
  for (std::string_view at : {ocsf::kFindingAttacks, ocsf::kAttacksOld}) {
    auto in = [&](const char* field) { return std::string(at) + "." + field; };
    auto technique = [&](std::string_view t) { add_technique(f, t); };
    auto tactic = [&](std::string_view t) { add_tactic(f, t); };
    each_text(d, in(ocsf::kAttackTechniqueUid), technique);
    each_text(d, in(ocsf::kAttackSubTechniqueUid), technique);
    each_text(d, in(ocsf::kAttackTacticName), tactic);
    each_text(d, in(ocsf::kAttackTacticUid), tactic);
    each_text(d, in(ocsf::kAttackTacticsName), tactic);
  }
  put(f, "type", first_path(d, {ocsf::kFindingTypes, ocsf::kFindingTypesOld, ocsf::kTypeName}));
  put(f, "cluster", first_path(d, {ocsf::kResourcesClusterUid, ocsf::kOrchestratorCluster}));
  put(f, "namespace", first_path(d, {ocsf::kResourcesNamespace, ocsf::kPodNamespace}));
  put(f, "pod", first_path(d, {ocsf::kContainerPodUuid, ocsf::kResourcesPod}));
  put(f, "node", first_path(d, {ocsf::kDeviceHostname, ocsf::kDeviceName}));
  put(f, "instance", first_path(d, {ocsf::kDeviceInstanceUid}));
  put(f, "image", first_path(d, {ocsf::kContainerImageName}));
  put(f, "process",
      first_path(d, {ocsf::kProcessCmdLine, ocsf::kProcessName, ocsf::kActorProcessName}));
  put(f, "resource", first_path(d, {ocsf::kResourcesUid, ocsf::kResourcesName}));
  put(f, "source_ip", first_path(d, {ocsf::kSourceIp, ocsf::kEvidenceSourceIp}));
  put(f, "account", first_path(d, {ocsf::kCloudAccountUid}));
  return f;
}

}  // namespace

std::vector<util::LiteralClauses> alert_marks() {
  // A key sources/unwrap_shape.cpp's classify() needs of each, matched as it matches them (the
  // first letter in either case): one rare key each, for every literal searched costs (past
  // eight the search runs at half its speed). Not Falco's "priority": every pod spec holds one.
  return {{{{"output", true}}}, {{{"schemaVersion", true}}}, {{{"class_uid", true}}}};
}

std::optional<Finding> alert_finding(const EventView& ev) {
  std::optional<Finding> f;
  switch (ev.source) {
    case Source::GuardDuty:
      f = guardduty_finding(ev);
      break;
    case Source::Falco:
      f = falco_finding(ev);
      break;
    case Source::Ocsf:
      f = ocsf_finding(ev);
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
