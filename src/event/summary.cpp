#include "event/summary.h"

#include <fmt/format.h>

#include <initializer_list>

#include "event/native_paths.h"

namespace eksir {
namespace {

namespace gd = native::guardduty;
namespace falco = native::falco;
namespace ocsf = native::ocsf;

using simdjson::dom::element;

// The value at a dotted path; an array on the way is entered at its first element. A key may hold
// dots itself (Falco's output_fields: "ka.user.name"): the shortest key that leads to a value wins.
std::optional<element> at(element e, std::string_view path) {
  if (e.is_array()) {
    auto arr = e.get_array();
    if (arr.error() || arr.value().begin() == arr.value().end()) return std::nullopt;
    e = *arr.value().begin();
  }
  if (!e.is_object()) return std::nullopt;
  auto obj = e.get_object().value();
  for (size_t dot = path.find('.');; dot = path.find('.', dot + 1)) {
    element next;
    if (!obj.at_key(path.substr(0, dot)).get(next)) {
      if (dot == std::string_view::npos) {
        if (next.is_null()) return std::nullopt;
        return next;
      }
      if (auto v = at(next, path.substr(dot + 1))) return v;
    }
    if (dot == std::string_view::npos) return std::nullopt;
  }
}

std::string text(element e) {
  if (e.is_string()) return std::string(e.get_string().value());
  if (e.is_int64()) return std::to_string(e.get_int64().value());
  if (e.is_uint64()) return std::to_string(e.get_uint64().value());
  if (e.is_double()) return fmt::format("{}", e.get_double().value());
  if (e.is_bool()) return e.get_bool().value() ? "true" : "false";
  if (e.is_array()) {
    std::string out;
    for (element x : e.get_array()) {
      if (!out.empty()) out += ",";
      out += text(x);
    }
    return out;
  }
  return simdjson::minify(e);
}

std::string str(element e, std::string_view path) {
  auto v = at(e, path);
  return v ? text(*v) : std::string();
}

std::string first_of(element e, std::initializer_list<std::string_view> paths) {
  for (std::string_view p : paths) {
    std::string v = str(e, p);
    if (!v.empty()) return v;
  }
  return {};
}

// "ns/name"; a request that names no object (a list) is "in ns", never "ns/".
std::string join_ns_name(const std::string& ns, const std::string& name) {
  if (ns.empty()) return name;
  if (name.empty()) return "in " + ns;
  return ns + "/" + name;
}

EventSummary of_cloudtrail(element d) {
  EventSummary s;
  s.actor = first_of(d, {"userIdentity.arn", "userIdentity.userName", "userIdentity.invokedBy"});
  if (s.actor.empty() && str(d, "userIdentity.type") == "AWSAccount") {
    // Another account calling in: CloudTrail names only the account and a principal id.
    std::string account = str(d, "userIdentity.accountId");
    std::string principal = str(d, "userIdentity.principalId");
    s.actor = "account " + account + (principal.empty() ? "" : " (" + principal + ")");
  }
  if (s.actor.empty()) s.actor = first_of(d, {"userIdentity.principalId", "userIdentity.type"});
  std::string svc = str(d, "eventSource");
  if (auto dot = svc.find('.'); dot != std::string::npos) svc.resize(dot);
  s.action = svc.empty() ? str(d, "eventName") : svc + ":" + str(d, "eventName");
  s.target = first_of(
      d,
      {"requestParameters.name", "requestParameters.clusterName", "requestParameters.nodegroupName",
       "requestParameters.roleName", "requestParameters.userName", "requestParameters.groupId",
       "requestParameters.instancesSet.items.instanceId", "requestParameters.bucketName",
       "requestParameters.name", "requestParameters.secretId", "requestParameters.trailName",
       "requestParameters.detectorId", "requestParameters.logGroupName",
       "requestParameters.policyArn", "resources.ARN"});
  std::string err = str(d, "errorCode");
  s.outcome = err.empty() ? "success" : "failure (" + err + ")";
  s.source_ip = str(d, "sourceIPAddress");
  return s;
}

EventSummary of_audit(element d) {
  EventSummary s;
  s.actor = str(d, "user.username");
  std::string arn = first_of(d, {"user.extra.arn", "user.extra.canonicalArn"});
  if (!arn.empty() && arn != s.actor) s.actor += " (" + arn + ")";
  s.action = str(d, "verb");
  std::string res = str(d, "objectRef.resource");
  std::string sub = str(d, "objectRef.subresource");
  if (!sub.empty()) res += "/" + sub;
  std::string target = join_ns_name(str(d, "objectRef.namespace"), str(d, "objectRef.name"));
  s.target = res.empty() ? str(d, "requestURI") : (target.empty() ? res : res + " " + target);
  std::string code = str(d, "responseStatus.code");
  std::string reason = str(d, "responseStatus.reason");
  s.outcome = reason.empty() ? code : code + " " + reason;
  s.source_ip = str(d, "sourceIPs");
  return s;
}

EventSummary of_guardduty(element d) {
  EventSummary s;
  s.actor = first_of(d, {gd::kKubernetesUser, gd::kAccessKeyUser, gd::kProcessName});
  s.action = str(d, gd::kType);
  std::string cluster = str(d, gd::kClusterName);
  std::string workload = join_ns_name(str(d, gd::kWorkloadNamespace), str(d, gd::kWorkloadName));
  std::string instance = str(d, gd::kInstanceId);
  for (const std::string* part : {&cluster, &workload, &instance}) {
    if (part->empty()) continue;
    if (!s.target.empty()) s.target += " ";
    s.target += *part;
  }
  s.outcome = "severity " + str(d, gd::kSeverity);
  s.source_ip = first_of(d, {gd::kKubernetesApiRemoteIp, gd::kAwsApiRemoteIp});
  return s;
}

EventSummary of_falco(element d) {
  EventSummary s;
  s.actor = first_of(d, {falco::kAuditUser, falco::kUserName, falco::kProcessName});
  s.action = str(d, falco::kRule);
  std::string ns = first_of(d, {falco::kNamespace, falco::kAuditTargetNamespace});
  std::string pod = first_of(d, {falco::kPodName, falco::kAuditTargetName});
  // Without the pod's name: the container or host, in its namespace.
  s.target = !pod.empty()
                 ? join_ns_name(ns, pod)
                 : join_ns_name("", first_of(d, {falco::kContainerName, falco::kHostname})) +
                       (ns.empty() ? "" : " in " + ns);
  s.outcome = str(d, falco::kPriority);
  return s;
}

EventSummary of_ocsf(element d) {
  EventSummary s;
  s.actor = first_of(d, {ocsf::kActorUserName, ocsf::kActorProcessName, ocsf::kActorUserUid});
  s.action = first_of(
      d, {ocsf::kFindingTitle, ocsf::kFindingTitleOld, ocsf::kActivityName, ocsf::kClassName});
  s.target = first_of(d, {ocsf::kResourcesName, ocsf::kResourcesUid, ocsf::kDeviceHostname,
                          ocsf::kDeviceInstanceUid, ocsf::kCloudAccountUid});
  s.outcome = first_of(d, {ocsf::kSeverity, ocsf::kStatus});
  s.source_ip = first_of(d, {ocsf::kSourceIp});
  return s;
}

// A vulnerability: the scanner, the vulnerability, the image (with a tag, else a short digest)
// and the package, the severity.
EventSummary of_vulnerability(element d) {
  EventSummary s;
  s.actor = str(d, "scanner_vendor");
  s.action = str(d, "vulnerability_id");
  std::string image = first_of(d, {"image_name", "image_repository"});
  std::string tag = str(d, "image_tags");  // the first
  std::string digest = str(d, "image_digest");
  if (!tag.empty())
    image += ":" + tag;
  else if (!digest.empty())
    image += (image.empty() ? "" : "@") + digest.substr(0, 19);
  std::string package = str(d, "package_name");
  std::string version = str(d, "package_version");
  if (!version.empty()) package += " " + version;
  s.target = package.empty() ? image : image + " " + package;
  s.outcome = str(d, "severity");
  std::string score = str(d, "score");
  if (!score.empty()) s.outcome += (s.outcome.empty() ? "score " : " ") + score;
  return s;
}

}  // namespace

EventSummary summarize(const EventView& ev) {
  switch (ev.source) {
    case Source::CloudTrail:
      return of_cloudtrail(ev.doc);
    case Source::K8sAudit:
      return of_audit(ev.doc);
    case Source::GuardDuty:
      return of_guardduty(ev.doc);
    case Source::Falco:
      return of_falco(ev.doc);
    case Source::Ocsf:
      return of_ocsf(ev.doc);
    case Source::Vulnerability:
      return of_vulnerability(ev.doc);
  }
  return {};
}

}  // namespace eksir
