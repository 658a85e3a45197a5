#include "event/summary.h"

#include <fmt/format.h>

#include <initializer_list>

namespace eksir {
namespace {

using simdjson::dom::element;

// Follows a path of object keys; an array on the way is entered at its first element.
std::optional<element> at(element e, std::initializer_list<std::string_view> path) {
  for (std::string_view key : path) {
    if (e.is_array()) {
      auto arr = e.get_array();
      if (arr.error() || arr.value().begin() == arr.value().end()) return std::nullopt;
      e = *arr.value().begin();
    }
    if (!e.is_object()) return std::nullopt;
    element next;
    if (e.get_object().at_key(key).get(next)) return std::nullopt;
    e = next;
  }
  if (e.is_null()) return std::nullopt;
  return e;
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

std::string str(element e, std::initializer_list<std::string_view> path) {
  auto v = at(e, path);
  return v ? text(*v) : std::string();
}

using Path = std::initializer_list<std::string_view>;

std::string first_of(element e, std::initializer_list<Path> paths) {
  for (const Path& p : paths) {
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

EventSummary cloudtrail(element d) {
  EventSummary s;
  s.actor = first_of(
      d, {{"userIdentity", "arn"}, {"userIdentity", "userName"}, {"userIdentity", "invokedBy"}});
  if (s.actor.empty() && str(d, {"userIdentity", "type"}) == "AWSAccount") {
    // Another account calling in: CloudTrail names only the account and a principal id.
    std::string account = str(d, {"userIdentity", "accountId"});
    std::string principal = str(d, {"userIdentity", "principalId"});
    s.actor = "account " + account + (principal.empty() ? "" : " (" + principal + ")");
  }
  if (s.actor.empty())
    s.actor = first_of(d, {{"userIdentity", "principalId"}, {"userIdentity", "type"}});
  std::string svc = str(d, {"eventSource"});
  if (auto dot = svc.find('.'); dot != std::string::npos) svc.resize(dot);
  s.action = svc.empty() ? str(d, {"eventName"}) : svc + ":" + str(d, {"eventName"});
  s.target = first_of(d, {{"requestParameters", "name"},
                          {"requestParameters", "clusterName"},
                          {"requestParameters", "nodegroupName"},
                          {"requestParameters", "roleName"},
                          {"requestParameters", "userName"},
                          {"requestParameters", "groupId"},
                          {"requestParameters", "instancesSet", "items", "instanceId"},
                          {"requestParameters", "bucketName"},
                          {"requestParameters", "name"},
                          {"requestParameters", "secretId"},
                          {"requestParameters", "trailName"},
                          {"requestParameters", "detectorId"},
                          {"requestParameters", "logGroupName"},
                          {"requestParameters", "policyArn"},
                          {"resources", "ARN"}});
  std::string err = str(d, {"errorCode"});
  s.outcome = err.empty() ? "success" : "failure (" + err + ")";
  s.source_ip = str(d, {"sourceIPAddress"});
  return s;
}

EventSummary audit(element d) {
  EventSummary s;
  s.actor = str(d, {"user", "username"});
  std::string arn = first_of(d, {{"user", "extra", "arn"}, {"user", "extra", "canonicalArn"}});
  if (!arn.empty() && arn != s.actor) s.actor += " (" + arn + ")";
  s.action = str(d, {"verb"});
  std::string res = str(d, {"objectRef", "resource"});
  std::string sub = str(d, {"objectRef", "subresource"});
  if (!sub.empty()) res += "/" + sub;
  std::string target =
      join_ns_name(str(d, {"objectRef", "namespace"}), str(d, {"objectRef", "name"}));
  s.target = res.empty() ? str(d, {"requestURI"}) : (target.empty() ? res : res + " " + target);
  std::string code = str(d, {"responseStatus", "code"});
  std::string reason = str(d, {"responseStatus", "reason"});
  s.outcome = reason.empty() ? code : code + " " + reason;
  s.source_ip = str(d, {"sourceIPs"});
  return s;
}

EventSummary guardduty(element d) {
  EventSummary s;
  s.actor = first_of(d, {{"resource", "kubernetesDetails", "kubernetesUserDetails", "username"},
                         {"resource", "accessKeyDetails", "userName"},
                         {"service", "runtimeDetails", "process", "name"}});
  s.action = str(d, {"type"});
  std::string cluster = str(d, {"resource", "eksClusterDetails", "name"});
  std::string workload = join_ns_name(
      str(d, {"resource", "kubernetesDetails", "kubernetesWorkloadDetails", "namespace"}),
      str(d, {"resource", "kubernetesDetails", "kubernetesWorkloadDetails", "name"}));
  std::string instance = str(d, {"resource", "instanceDetails", "instanceId"});
  for (const std::string* part : {&cluster, &workload, &instance}) {
    if (part->empty()) continue;
    if (!s.target.empty()) s.target += " ";
    s.target += *part;
  }
  s.outcome = "severity " + str(d, {"severity"});
  s.source_ip = first_of(
      d, {{"service", "action", "kubernetesApiCallAction", "remoteIpDetails", "ipAddressV4"},
          {"service", "action", "awsApiCallAction", "remoteIpDetails", "ipAddressV4"}});
  return s;
}

EventSummary falco(element d) {
  EventSummary s;
  s.actor = first_of(d, {{"output_fields", "ka.user.name"},
                         {"output_fields", "user.name"},
                         {"output_fields", "proc.name"}});
  s.action = str(d, {"rule"});
  std::string ns =
      first_of(d, {{"output_fields", "k8s.ns.name"}, {"output_fields", "ka.target.namespace"}});
  std::string pod =
      first_of(d, {{"output_fields", "k8s.pod.name"}, {"output_fields", "ka.target.name"}});
  // Without the pod's name: the container or host, in its namespace.
  s.target =
      !pod.empty()
          ? join_ns_name(ns, pod)
          : join_ns_name("", first_of(d, {{"output_fields", "container.name"}, {"hostname"}})) +
                (ns.empty() ? "" : " in " + ns);
  s.outcome = str(d, {"priority"});
  return s;
}

EventSummary ocsf(element d) {
  EventSummary s;
  s.actor = first_of(
      d, {{"actor", "user", "name"}, {"actor", "process", "name"}, {"actor", "user", "uid"}});
  s.action = first_of(
      d, {{"finding_info", "title"}, {"finding", "title"}, {"activity_name"}, {"class_name"}});
  s.target = first_of(d, {{"resources", "name"},
                          {"resources", "uid"},
                          {"device", "hostname"},
                          {"device", "instance_uid"},
                          {"cloud", "account", "uid"}});
  s.outcome = first_of(d, {{"severity"}, {"status"}});
  s.source_ip = first_of(d, {{"src_endpoint", "ip"}});
  return s;
}

// A vulnerability: the scanner, the vulnerability, the image (with a tag, else a short digest)
// and the package, the severity.
EventSummary vulnerability(element d) {
  EventSummary s;
  s.actor = str(d, {"scanner_vendor"});
  s.action = str(d, {"vulnerability_id"});
  std::string image = first_of(d, {{"image_name"}, {"image_repository"}});
  std::string tag = str(d, {"image_tags"});  // the first
  std::string digest = str(d, {"image_digest"});
  if (!tag.empty())
    image += ":" + tag;
  else if (!digest.empty())
    image += (image.empty() ? "" : "@") + digest.substr(0, 19);
  std::string package = str(d, {"package_name"});
  std::string version = str(d, {"package_version"});
  if (!version.empty()) package += " " + version;
  s.target = package.empty() ? image : image + " " + package;
  s.outcome = str(d, {"severity"});
  std::string score = str(d, {"score"});
  if (!score.empty()) s.outcome += (s.outcome.empty() ? "score " : " ") + score;
  return s;
}

}  // namespace

EventSummary summarize(const EventView& ev) {
  switch (ev.source) {
    case Source::CloudTrail:
      return cloudtrail(ev.doc);
    case Source::K8sAudit:
      return audit(ev.doc);
    case Source::GuardDuty:
      return guardduty(ev.doc);
    case Source::Falco:
      return falco(ev.doc);
    case Source::Ocsf:
      return ocsf(ev.doc);
    case Source::Vulnerability:
      return vulnerability(ev.doc);
  }
  return {};
}

}  // namespace eksir
