// Falco's k8s_audit and aws_cloudtrail fields (see falco_fields.h).
#include "rules/falco_fields.h"
#include "util/text.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace eksir::rules::falco {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

enum class Arg : uint8_t { None, Index, Key };

struct Def {
  FieldKind kind;
  bool list;
  Arg arg;
  std::vector<std::string> keys;
  std::string extra;
  std::string native;
  bool repository = false;
  FieldSource source = FieldSource::Any;
};

using Table = std::map<std::string, Def, std::less<>>;

const Table& table() {
  static const Table t = [] {
    Table m;
    auto keys = [&](const char* name, std::vector<std::string> k, std::string native = "") {
      m[name] = Def{FieldKind::Keys, false, Arg::None, std::move(k), "", std::move(native)};
    };
    auto klist = [&](const char* name, std::vector<std::string> k) {
      m[name] = Def{FieldKind::KeysList, true, Arg::Index, std::move(k), "", ""};
    };
    keys("ka.auditid", {"auditID"}, "auditID");
    keys("ka.stage", {"stage"}, "stage");
    keys("ka.auth.decision", {"annotations", "authorization.k8s.io/decision"});
    keys("ka.auth.reason", {"annotations", "authorization.k8s.io/reason"});
    keys("ka.auth.openshift.decision", {"annotations", "authentication.openshift.io/decision"});
    keys("ka.auth.openshift.username", {"annotations", "authentication.openshift.io/username"});
    keys("ka.validations.admission.policy.failure",
         {"annotations", "validation.policy.admission.k8s.io/validation_failure"});
    keys("ka.user.name", {"user", "username"}, "user.username");
    klist("ka.user.groups", {"user", "groups"});
    keys("ka.impuser.name", {"impersonatedUser", "username"});
    keys("ka.verb", {"verb"}, "verb");
    keys("ka.uri", {"requestURI"}, "requestURI");
    m["ka.uri.param"] = Def{FieldKind::UriParam, false, Arg::Key, {}, "", ""};
    keys("ka.target.name", {"objectRef", "name"}, "objectRef.name");
    keys("ka.target.namespace", {"objectRef", "namespace"}, "objectRef.namespace");
    keys("ka.target.resource", {"objectRef", "resource"}, "objectRef.resource");
    keys("ka.target.subresource", {"objectRef", "subresource"}, "objectRef.subresource");
    m["ka.target.pod.name"] = Def{FieldKind::TargetPodName, false, Arg::None, {}, "", ""};
    klist("ka.req.binding.subjects", {"requestObject", "subjects"});
    m["ka.req.binding.subjects.user_names"] =
        Def{FieldKind::Subjects, true, Arg::None, {}, "User", ""};
    m["ka.req.binding.subjects.group_names"] =
        Def{FieldKind::Subjects, true, Arg::None, {}, "Group", ""};
    m["ka.req.binding.subjects.serviceaccount_names"] =
        Def{FieldKind::Subjects, true, Arg::None, {}, "ServiceAccount", ""};
    m["ka.req.binding.subjects.serviceaccount_ns_names"] =
        Def{FieldKind::Subjects, true, Arg::None, {}, "ns", ""};
    keys("ka.req.binding.role", {"requestObject", "roleRef", "name"});
    m["ka.req.binding.subject.has_name"] =
        Def{FieldKind::Constant, false, Arg::Key, {}, "true", ""};
    keys("ka.req.configmap.name", {"objectRef", "name"});
    keys("ka.req.configmap.obj", {"requestObject", "data"});
    for (const char* kind : {"containers", "initContainers", "ephemeralContainers"}) {
      std::string p = fmt::format("ka.req.pod.{}.", kind);
      auto pod = [&](const std::string& suffix, std::vector<std::string> path) {
        path.insert(path.begin(), kind);
        m[p + suffix] = Def{FieldKind::PodList, true, Arg::Index, std::move(path), "", ""};
      };
      m[p + "image"] = Def{FieldKind::Images, true, Arg::Index, {kind}, "", ""};
      m[p + "image.repository"] = Def{FieldKind::Images, true, Arg::Index, {kind}, "", "", true};
      m[p + "host_port"] = Def{FieldKind::HostPorts, true, Arg::Index, {kind}, "", ""};
      pod("privileged", {"securityContext", "privileged"});
      pod("allow_privilege_escalation", {"securityContext", "allowPrivilegeEscalation"});
      pod("read_only_fs", {"securityContext", "readOnlyRootFilesystem"});
      pod("run_as_user", {"securityContext", "runAsUser"});
      pod("run_as_group", {"securityContext", "runAsGroup"});
      pod("proc_mount", {"securityContext", "procMount"});
      pod("add_capabilities", {"securityContext", "capabilities", "add"});
      m[p + "eff_run_as_user"] =
          Def{FieldKind::EffRunAs, true, Arg::Index, {kind}, "runAsUser", ""};
      m[p + "eff_run_as_group"] =
          Def{FieldKind::EffRunAs, true, Arg::Index, {kind}, "runAsGroup", ""};
    }
    m["ka.req.container.image"] =
        Def{FieldKind::FirstImage, false, Arg::None, {"containers"}, "", ""};
    m["ka.req.container.image.repository"] =
        Def{FieldKind::FirstImage, false, Arg::None, {"containers"}, "", "", true};
    keys("ka.req.pod.host_ipc", {"requestObject", "spec", "hostIPC"});
    keys("ka.req.pod.host_network", {"requestObject", "spec", "hostNetwork"});
    keys("ka.req.container.host_network", {"requestObject", "spec", "hostNetwork"});
    keys("ka.req.pod.host_pid", {"requestObject", "spec", "hostPID"});
    m["ka.req.container.privileged"] = Def{FieldKind::AnyPrivileged, false, Arg::None, {}, "", ""};
    keys("ka.req.pod.run_as_user", {"requestObject", "spec", "securityContext", "runAsUser"});
    keys("ka.req.pod.run_as_group", {"requestObject", "spec", "securityContext", "runAsGroup"});
    keys("ka.req.pod.fs_group", {"requestObject", "spec", "securityContext", "fsGroup"});
    klist("ka.req.pod.supplemental_groups",
          {"requestObject", "spec", "securityContext", "supplementalGroups"});
    klist("ka.req.role.rules", {"requestObject", "rules"});
    for (const char* part : {"apiGroups", "nonResourceURLs", "verbs", "resources"})
      m[fmt::format("ka.req.role.rules.{}", part)] =
          Def{FieldKind::RoleRules, true, Arg::Index, {part}, "", ""};
    keys("ka.req.service.type", {"requestObject", "spec", "type"});
    klist("ka.req.service.ports", {"requestObject", "spec", "ports"});
    m["ka.req.pod.volumes.hostpath"] =
        Def{FieldKind::PodList, true, Arg::Index, {"volumes", "hostPath", "path"}, "volumes", ""};
    m["ka.req.volume.hostpath"] = Def{FieldKind::HostpathArg, false, Arg::Key, {}, "", ""};
    m["ka.req.pod.volumes.flexvolume_driver"] = Def{
        FieldKind::PodList, true, Arg::Index, {"volumes", "flexVolume", "driver"}, "volumes", ""};
    m["ka.req.pod.volumes.volume_type"] = Def{FieldKind::VolumeTypes, true, Arg::Index, {}, "", ""};
    keys("ka.resp.name", {"responseObject", "metadata", "name"});
    keys("ka.response.code", {"responseStatus", "code"}, "responseStatus.code");
    keys("ka.response.reason", {"responseStatus", "reason"});
    keys("ka.useragent", {"userAgent"}, "userAgent");
    klist("ka.sourceips", {"sourceIPs"});
    m["ka.cluster.name"] = Def{FieldKind::Unavailable, false, Arg::None, {}, "", ""};
    // The cloudtrail plugin's fields, as its documentation describes them.
    auto ct = [&](const char* name, FieldKind kind, std::vector<std::string> k = {},
                  std::string extra = "", std::string native = "") {
      Def d{kind, false, Arg::None, std::move(k), std::move(extra), std::move(native)};
      d.source = FieldSource::CloudTrail;
      m[name] = std::move(d);
    };
    using K = FieldKind;
    ct("ct.id", K::String, {"eventID"}, "", "eventID");
    ct("ct.error", K::String, {"errorCode"}, "", "errorCode");
    ct("ct.time", K::String, {"eventTime"});
    ct("ct.src", K::String, {"eventSource"}, "", "eventSource");
    ct("ct.shortsrc", K::CtShortSrc);
    ct("ct.name", K::String, {"eventName"}, "", "eventName");
    ct("ct.user", K::CtUser);
    ct("ct.user.accountid", K::String, {"userIdentity", "accountId"}, "", "userIdentity.accountId");
    ct("ct.user.identitytype", K::String, {"userIdentity", "type"}, "", "userIdentity.type");
    ct("ct.user.principalid", K::String, {"userIdentity", "principalId"}, "",
       "userIdentity.principalId");
    ct("ct.user.arn", K::String, {"userIdentity", "arn"}, "", "userIdentity.arn");
    ct("ct.region", K::String, {"awsRegion"}, "", "awsRegion");
    ct("ct.srcip", K::String, {"sourceIPAddress"}, "", "sourceIPAddress");
    ct("ct.useragent", K::String, {"userAgent"}, "", "userAgent");
    ct("ct.response.subnetid", K::String, {"responseElements", "subnetId"});
    ct("ct.response.reservationid", K::String, {"responseElements", "reservationId"});
    for (auto [field, key] : std::initializer_list<std::pair<const char*, const char*>>{
             {"availabilityzone", "availabilityZone"},
             {"cluster", "cluster"},
             {"functionname", "functionName"},
             {"groupname", "groupName"},
             {"host", "Host"},
             {"name", "name"},
             {"policy", "policy"},
             {"serialnumber", "serialNumber"},
             {"servicename", "serviceName"},
             {"subnetid", "subnetId"},
             {"taskdefinition", "taskDefinition"},
             {"username", "userName"}})
      ct(fmt::format("ct.request.{}", field).c_str(), K::String, {"requestParameters", key});
    ct("ct.info", K::CtInfo);
    ct("ct.managementevent", K::CtBool, {"managementEvent"});
    ct("ct.readonly", K::CtReadOnly);
    ct("s3.uri", K::S3Uri);
    ct("s3.bucket", K::String, {"requestParameters", "bucketName"});
    ct("s3.key", K::String, {"requestParameters", "key"});
    ct("s3.bytes", K::S3Bytes);
    ct("s3.bytes.in", K::S3Bytes, {}, "in");
    ct("s3.bytes.out", K::S3Bytes, {}, "out");
    ct("s3.cnt.get", K::S3Count, {}, "GetObject");
    ct("s3.cnt.put", K::S3Count, {}, "PutObject");
    ct("s3.cnt.other", K::S3Count, {}, "other");
    ct("ec2.name", K::Ec2Name);
    ct("ec2.imageid", K::Ec2ImageId);
    ct("ecr.repository", K::String, {"requestParameters", "repositoryName"});
    ct("ecr.image.tag", K::String, {"requestParameters", "imageTag"});
    for (auto& [name, def] : m)
      if (name.rfind("ka.", 0) == 0) def.source = FieldSource::K8sAudit;
    // Falco's own event fields, on either source. Falco numbers events from 1 as they arrive;
    // eksir reads files in parallel, in no one order, so evt.num is the record's line in its
    // file: never 0, as in Falco, so `evt.num > 0` holds for every event.
    m["evt.num"] = Def{FieldKind::EvtNum, false, Arg::None, {}, "", ""};
    m["evt.source"] = Def{FieldKind::EvtSource, false, Arg::None, {}, "", ""};
    m["evt.rawtime"] = Def{FieldKind::RawTime, false, Arg::None, {}, "", ""};
    m["evt.time.iso8601"] = Def{FieldKind::Time, false, Arg::None, {}, "", ""};
    m["evt.plugininfo"] = Def{FieldKind::CtInfo, false, Arg::None, {}, "", ""};
    m["evt.plugininfo"].source = FieldSource::CloudTrail;
    for (const char* j : {"jevt", "json"}) {
      m[fmt::format("{}.value", j)] = Def{FieldKind::JsonPointer, false, Arg::Key, {}, "", ""};
      m[fmt::format("{}.obj", j)] = Def{FieldKind::JsonObj, false, Arg::None, {}, "", ""};
      m[fmt::format("{}.rawtime", j)] = Def{FieldKind::RawTime, false, Arg::None, {}, "", ""};
      m[fmt::format("{}.time", j)] = Def{FieldKind::Time, false, Arg::None, {}, "", ""};
      m[fmt::format("{}.time.iso8601", j)] = Def{FieldKind::Time, false, Arg::None, {}, "", ""};
    }
    return m;
  }();
  return t;
}

bool key(element e, std::string_view k, element& out) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return false;
  return o.at_key(k).get(out) == simdjson::SUCCESS;
}

bool keys_at(element e, const std::vector<std::string>& ks, size_t from, element& out) {
  for (size_t i = from; i < ks.size(); ++i)
    if (!key(e, ks[i], e)) return false;
  out = e;
  return true;
}

void add_text(element e, Values& out) {
  if (e.type() == element_type::STRING) {
    out.add(e.get_string().value_unsafe());
    return;
  }
  out.add(simdjson::minify(e));
}

bool array_of(element e, simdjson::dom::array& out) {
  return e.get_array().get(out) == simdjson::SUCCESS;
}

// requestObject.spec.<kind> as an array (the pod's containers, volumes...).
bool spec_array(const EventView& ev, const std::string& kind, simdjson::dom::array& out) {
  element e;
  return key(ev.doc, "requestObject", e) && key(e, "spec", e) && key(e, kind, e) &&
         array_of(e, out);
}

// Calls fn for each element of arr, or only the index-th one.
template <class Fn>
bool each(simdjson::dom::array arr, int index, Fn&& fn) {
  int i = 0;
  bool any = false;
  for (element item : arr) {
    if (index < 0 || i == index) {
      fn(item);
      any = true;
    }
    ++i;
  }
  return index < 0 || any;
}

std::string_view repository_of(std::string_view image) {
  image = image.substr(0, image.find(':'));
  return image.substr(0, image.find('@'));
}

// The string at a key path; false for any other JSON value or a missing key (the cloudtrail
// plugin reads its string fields only as strings).
template <class Keys>
bool string_at(element doc, const Keys& ks, std::string_view& out) {
  for (const auto& k : ks)
    if (!key(doc, k, doc)) return false;
  return doc.get_string().get(out) == simdjson::SUCCESS;
}

bool string_at(element doc, std::initializer_list<std::string_view> ks, std::string_view& out) {
  return string_at<std::initializer_list<std::string_view>>(doc, ks, out);
}

// Who made the call, as the cloudtrail plugin names them: the user name of a root or IAM user,
// the service that invoked, the role an assumed-role session belongs to.
bool ct_user(element doc, std::string_view& out) {
  std::string_view type;
  if (!string_at(doc, {"userIdentity", "type"}, type)) return false;
  if (type == "Root" || type == "IAMUser") return string_at(doc, {"userIdentity", "userName"}, out);
  if (type == "AWSService") return string_at(doc, {"userIdentity", "invokedBy"}, out);
  if (type == "AssumedRole") {
    if (!string_at(doc, {"userIdentity", "sessionContext", "sessionIssuer", "userName"}, out))
      out = "AssumedRole";
    return true;
  }
  if (type == "AWSAccount" || type == "FederatedUser") {
    out = type;
    return true;
  }
  return false;
}

// A record without readOnly: a call whose name starts with a verb that changes something is not
// read-only.
bool changes_by_name(std::string_view name) {
  static constexpr std::string_view kVerbs[] = {
      "Start",     "Stop",       "Create",    "Destroy",      "Delete",     "Add",    "Remove",
      "Terminate", "Put",        "Associate", "Disassociate", "Attach",     "Detach", "Open",
      "Close",     "Wipe",       "Update",    "Upgrade",      "Unlink",     "Assign", "Unassign",
      "Suspend",   "Set",        "Run",       "Register",     "Deregister", "Reboot", "Purchase",
      "Modify",    "Initialize", "Enable",    "Disable",      "Cancel",     "Admin",  "Activate"};
  for (auto v : kVerbs)
    if (name.substr(0, v.size()) == v) return true;
  return false;
}

bool ct_read_only(element doc, std::string& out) {
  element ro;
  bool b = false;
  if (key(doc, "readOnly", ro)) {
    out = ro.get_bool().get(b) == simdjson::SUCCESS && b ? "true" : "false";
    return true;
  }
  std::string_view name;
  if (!string_at(doc, {"eventName"}, name)) return false;
  out = changes_by_name(name) ? "false" : "true";
  return true;
}

// additionalEventData.bytesTransferredIn / Out as a whole number (CloudTrail writes some as
// floats: 33.0).
bool bytes_at(element doc, std::string_view name, uint64_t& total) {
  element v;
  if (!key(doc, "additionalEventData", v) || !key(v, name, v)) return false;
  uint64_t u = 0;
  double d = 0;
  if (v.get_uint64().get(u) == simdjson::SUCCESS)
    total += u;
  else if (v.get_double().get(d) == simdjson::SUCCESS && d > 0)
    total += static_cast<uint64_t>(d);
  return true;
}

bool s3_bytes(element doc, std::string_view which, uint64_t& total) {
  total = 0;
  bool in = which != "out" && bytes_at(doc, "bytesTransferredIn", total);
  bool out = which != "in" && bytes_at(doc, "bytesTransferredOut", total);
  return in || out;
}

// The plugin's summary: "<user> via <address> [!]<arrow> <call>" and the object it names.
std::string ct_info(element doc) {
  std::string_view user, ip, name, error;
  if (!ct_user(doc, user)) return "<invalid cloudtrail event: userIdentity field missing>";
  if (!string_at(doc, {"sourceIPAddress"}, ip))
    return "<invalid cloudtrail event: eventSource field missing>";
  if (!string_at(doc, {"eventName"}, name))
    return "<invalid cloudtrail event: eventName field missing>";
  std::string ro;
  const bool writes = ct_read_only(doc, ro) && ro == "false";
  std::string info =
      fmt::format("{} via {} {}{} {}", user, ip, string_at(doc, {"errorCode"}, error) ? "!" : "",
                  writes ? "\u2192" : "\u2190", name);
  uint64_t bytes = 0;
  if (s3_bytes(doc, "", bytes)) info += fmt::format(" Size={}", bytes);
  std::string_view bucket, object, host;
  const bool has_bucket = string_at(doc, {"requestParameters", "bucketName"}, bucket);
  const bool has_key = string_at(doc, {"requestParameters", "key"}, object);
  if (has_bucket && has_key) return info + fmt::format(" URI=s3://{}/{}", bucket, object);
  if (has_bucket) return info + fmt::format(" Bucket={}", bucket);
  if (has_key) return info + fmt::format(" Key={}", object);
  if (string_at(doc, {"requestParameters", "Host"}, host)) info += fmt::format(" Host={}", host);
  return info;
}

bool extract_ec2_name(const EventView& ev, Values& out) {
  element items;
  simdjson::dom::array arr;
  if (!keys_at(ev.doc, {"requestParameters", "tagSpecificationSet", "items"}, 0, items) ||
      !array_of(items, arr))
    return false;
  for (element item : arr) {
    std::string_view type;
    element tags;
    simdjson::dom::array ta;
    if (!string_at(item, {"resourceType"}, type) || type != "instance" ||
        !key(item, "tags", tags) || !array_of(tags, ta))
      continue;
    for (element tag : ta) {
      std::string_view k, v;
      if (string_at(tag, {"key"}, k) && k == "Name" && string_at(tag, {"value"}, v) && !v.empty()) {
        out.add(v);
        return true;
      }
    }
  }
  return false;
}

bool extract_ec2_image_id(const EventView& ev, Values& out) {
  element items;
  simdjson::dom::array arr;
  std::string_view id;
  if (!keys_at(ev.doc, {"responseElements", "tagSpecificationSet", "items"}, 0, items) ||
      !array_of(items, arr) || arr.size() == 0 ||
      !string_at(arr.at(0).value_unsafe(), {"imageId"}, id) || id.empty())
    return false;
  out.add(id);
  return true;
}

bool extract_uri_param(const Field& f, const EventView& ev, Values& out) {
  element e;
  if (!key(ev.doc, "requestURI", e) || e.type() != element_type::STRING) return false;
  std::string_view uri = e.get_string().value_unsafe();
  size_t q = uri.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = uri.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    size_t amp = query.find_first_of("&;");
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (util::percent_decode(pair.substr(0, eq), true) == f.arg) {
      out.add(eq == std::string_view::npos ? std::string()
                                           : util::percent_decode(pair.substr(eq + 1), true));
      return true;
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return false;
}

bool extract_pod_list(const Field& f, const EventView& ev, Values& out) {
  simdjson::dom::array arr;
  if (!spec_array(ev, f.keys[0], arr)) return false;
  each(arr, f.index, [&](element item) {
    element v;
    if (!keys_at(item, f.keys, 1, v)) return;
    simdjson::dom::array inner;
    if (array_of(v, inner)) {
      for (element x : inner) add_text(x, out);
    } else {
      add_text(v, out);
    }
  });
  return !out.empty();
}

bool extract_images(const Field& f, const EventView& ev, Values& out) {
  simdjson::dom::array arr;
  if (!spec_array(ev, f.keys[0], arr)) return false;
  bool broken = false;
  each(arr, f.kind == FieldKind::FirstImage ? 0 : f.index, [&](element item) {
    element img;
    if (!key(item, "image", img) || img.type() != element_type::STRING) {
      broken = true;
      return;
    }
    std::string_view s = img.get_string().value_unsafe();
    out.add(f.repository ? repository_of(s) : s);
  });
  if (broken) out.clear();
  return !out.empty();
}

bool extract_host_ports(const Field& f, const EventView& ev, Values& out) {
  simdjson::dom::array arr;
  if (!spec_array(ev, f.keys[0], arr)) return false;
  each(arr, f.index, [&](element item) {
    element ports;
    simdjson::dom::array pa;
    if (!key(item, "ports", ports) || !array_of(ports, pa)) return;
    for (element p : pa) {
      element v;
      if (key(p, "hostPort", v) || key(p, "containerPort", v)) add_text(v, out);
    }
  });
  return !out.empty();
}

bool extract_any_privileged(const EventView& ev, Values& out) {
  simdjson::dom::array arr;
  if (!spec_array(ev, "containers", arr)) return false;
  bool any = false;
  for (element item : arr) {
    element v;
    bool b = false;
    if (key(item, "securityContext", v) && key(v, "privileged", v) &&
        v.get_bool().get(b) == simdjson::SUCCESS && b)
      any = true;
  }
  out.add(any ? "true" : "false");
  return true;
}

bool extract_eff_run_as(const Field& f, const EventView& ev, Values& out) {
  simdjson::dom::array arr;
  if (!spec_array(ev, f.keys[0], arr)) return false;
  std::string pod = "0";
  element sc, v;
  if (key(ev.doc, "requestObject", sc) && key(sc, "spec", sc) && key(sc, "securityContext", sc) &&
      key(sc, f.extra, v)) {
    Values one;
    add_text(v, one);
    pod = std::string(one[0]);
  }
  each(arr, f.index, [&](element item) {
    element c;
    if (key(item, "securityContext", c) && key(c, f.extra, c))
      add_text(c, out);
    else
      out.add(pod);
  });
  return !out.empty();
}

bool extract_role_rules(const Field& f, const EventView& ev, Values& out) {
  element e;
  simdjson::dom::array arr;
  if (!key(ev.doc, "requestObject", e) || !key(e, "rules", e) || !array_of(e, arr)) return false;
  each(arr, f.index, [&](element rule) {
    element v;
    simdjson::dom::array inner;
    if (!key(rule, f.keys[0], v) || !array_of(v, inner)) return;
    for (element x : inner)
      if (x.type() != element_type::NULL_VALUE) add_text(x, out);
  });
  return !out.empty();
}

bool extract_subjects(const Field& f, const EventView& ev, Values& out) {
  element e;
  simdjson::dom::array arr;
  if (!key(ev.doc, "requestObject", e) || !key(e, "subjects", e) || !array_of(e, arr)) return false;
  for (element s : arr) {
    element k, n, ns;
    std::string_view kind_s, name_s;
    if (!key(s, "kind", k) || k.get_string().get(kind_s) != simdjson::SUCCESS) continue;
    if (!key(s, "name", n) || n.get_string().get(name_s) != simdjson::SUCCESS) continue;
    if (f.extra == "ns") {
      if (kind_s != "ServiceAccount") continue;
      std::string_view ns_s;
      if (key(s, "namespace", ns) && ns.get_string().get(ns_s) == simdjson::SUCCESS)
        out.add(fmt::format("{}:{}", ns_s, name_s));
      else
        out.add(fmt::format(":{}", name_s));
    } else if (kind_s == f.extra) {
      out.add(name_s);
    }
  }
  return !out.empty();
}

bool extract_hostpath_arg(const Field& f, const EventView& ev, Values& out) {
  simdjson::dom::array arr;
  if (!spec_array(ev, "volumes", arr)) return false;
  const bool prefix = !f.arg.empty() && f.arg.back() == '*';
  std::string_view want = prefix ? std::string_view(f.arg).substr(0, f.arg.size() - 1) : f.arg;
  bool hit = false;
  for (element v : arr) {
    element p;
    std::string_view path;
    if (!key(v, "hostPath", p) || !key(p, "path", p) ||
        p.get_string().get(path) != simdjson::SUCCESS)
      continue;
    if (prefix ? path.substr(0, want.size()) == want : path == want) hit = true;
  }
  out.add(hit ? "true" : "false");
  return true;
}

bool extract_volume_types(const Field& f, const EventView& ev, Values& out) {
  simdjson::dom::array arr;
  if (!spec_array(ev, "volumes", arr)) return false;
  each(arr, f.index, [&](element v) {
    simdjson::dom::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return;
    for (auto kv : o)
      if (kv.key != "name") out.add(kv.key);
  });
  return !out.empty();
}

bool extract_target_pod_name(const EventView& ev, Values& out) {
  element r, n;
  std::string_view res;
  if (!keys_at(ev.doc, {"objectRef", "resource"}, 0, r) ||
      r.get_string().get(res) != simdjson::SUCCESS || res != "pods")
    return false;
  if (!keys_at(ev.doc, {"objectRef", "name"}, 0, n)) return false;
  add_text(n, out);
  return true;
}

}  // namespace

bool Field::extract(const EventView& ev, Values& out) const {
  out.clear();
  element tmp;
  if (source == FieldSource::K8sAudit && !key(ev.doc, "auditID", tmp))
    return false;  // not an audit event
  if (source == FieldSource::CloudTrail && ev.source != Source::CloudTrail) return false;
  switch (kind) {
    case FieldKind::String: {
      std::string_view v;
      if (!string_at(ev.doc, keys, v)) return false;
      out.add(v);
      return true;
    }
    case FieldKind::CtUser: {
      std::string_view v;
      if (!ct_user(ev.doc, v)) return false;
      out.add(v);
      return true;
    }
    case FieldKind::CtShortSrc: {
      std::string_view v;
      if (!string_at(ev.doc, {"eventSource"}, v)) return false;
      constexpr std::string_view kTrailer = ".amazonaws.com";
      if (v.size() > kTrailer.size() && v.substr(v.size() - kTrailer.size()) == kTrailer)
        v.remove_suffix(kTrailer.size());
      out.add(v);
      return true;
    }
    case FieldKind::CtReadOnly: {
      std::string v;
      if (!ct_read_only(ev.doc, v)) return false;
      out.add(v);
      return true;
    }
    case FieldKind::CtBool: {
      element v;
      bool b = false;
      out.add(key(ev.doc, keys[0], v) && v.get_bool().get(b) == simdjson::SUCCESS && b ? "true"
                                                                                       : "false");
      return true;
    }
    case FieldKind::CtInfo:
      out.add(ct_info(ev.doc));
      return true;
    case FieldKind::S3Uri: {
      std::string_view bucket, object;
      if (!string_at(ev.doc, {"requestParameters", "bucketName"}, bucket) ||
          !string_at(ev.doc, {"requestParameters", "key"}, object))
        return false;
      out.add(fmt::format("s3://{}/{}", bucket, object));
      return true;
    }
    case FieldKind::S3Bytes: {
      uint64_t total = 0;
      if (!s3_bytes(ev.doc, extra, total)) return false;
      out.add(std::to_string(total));
      return true;
    }
    case FieldKind::S3Count: {
      std::string_view name;
      string_at(ev.doc, {"eventName"}, name);
      const bool io = name == "GetObject" || name == "PutObject";
      out.add((extra == "other" ? !io : name == extra) ? "1" : "0");
      return true;
    }
    case FieldKind::Ec2Name:
      return extract_ec2_name(ev, out);
    case FieldKind::Ec2ImageId:
      return extract_ec2_image_id(ev, out);
    case FieldKind::Keys: {
      element e;
      if (!keys_at(ev.doc, keys, 0, e)) return false;
      add_text(e, out);
      return true;
    }
    case FieldKind::KeysList: {
      element e;
      simdjson::dom::array arr;
      if (!keys_at(ev.doc, keys, 0, e) || !array_of(e, arr)) return false;
      each(arr, index, [&](element item) { add_text(item, out); });
      return !out.empty();
    }
    case FieldKind::UriParam:
      return extract_uri_param(*this, ev, out);
    case FieldKind::PodList:
      return extract_pod_list(*this, ev, out);
    case FieldKind::Images:
    case FieldKind::FirstImage:
      return extract_images(*this, ev, out);
    case FieldKind::HostPorts:
      return extract_host_ports(*this, ev, out);
    case FieldKind::AnyPrivileged:
      return extract_any_privileged(ev, out);
    case FieldKind::EffRunAs:
      return extract_eff_run_as(*this, ev, out);
    case FieldKind::RoleRules:
      return extract_role_rules(*this, ev, out);
    case FieldKind::Subjects:
      return extract_subjects(*this, ev, out);
    case FieldKind::HostpathArg:
      return extract_hostpath_arg(*this, ev, out);
    case FieldKind::VolumeTypes:
      return extract_volume_types(*this, ev, out);
    case FieldKind::TargetPodName:
      return extract_target_pod_name(ev, out);
    case FieldKind::Constant:
      out.add(extra);
      return true;
    case FieldKind::JsonPointer: {
      element e;
      if (ev.doc.at_pointer(arg).get(e) != simdjson::SUCCESS) return false;
      add_text(e, out);
      return true;
    }
    case FieldKind::JsonObj:
      out.add(simdjson::minify(ev.doc));
      return true;
    case FieldKind::RawTime: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, ev.time);
      out.add(ev.time == kNoTime ? std::string_view() : std::string_view(buf, r.ptr - buf));
      return true;
    }
    case FieldKind::Time:
      out.add(format_time(ev.time));
      return true;
    case FieldKind::Unavailable:
      return false;
    case FieldKind::EvtNum: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, ev.line ? ev.line : 1);
      out.add(std::string_view(buf, r.ptr - buf));
      return true;
    }
    case FieldKind::EvtSource:
      out.add(ev.source == Source::CloudTrail ? "aws_cloudtrail" : "k8s_audit");
      return true;
  }
  return false;
}

std::optional<Field> bind_field(std::string_view name, std::string& error) {
  Field f;
  f.name = std::string(name);
  std::string_view base = name;
  if (size_t open = name.find('['); open != std::string_view::npos) {
    if (name.back() != ']') {
      error = fmt::format("field '{}': unterminated '['", name);
      return std::nullopt;
    }
    base = name.substr(0, open);
    f.arg = std::string(name.substr(open + 1, name.size() - open - 2));
    f.has_arg = true;
  }
  f.base = std::string(base);
  auto it = table().find(base);
  if (it == table().end()) {
    error = fmt::format("unknown field '{}'", base);
    return std::nullopt;
  }
  const Def& d = it->second;
  f.kind = d.kind;
  f.list = d.list;
  f.keys = d.keys;
  f.extra = d.extra;
  f.repository = d.repository;
  f.native = d.native;
  f.source = d.source;
  if (d.kind == FieldKind::PodList && d.extra == "volumes") f.keys[0] = "volumes";
  switch (d.arg) {
    case Arg::None:
      if (f.has_arg) {
        error = fmt::format("field '{}' takes no argument", base);
        return std::nullopt;
      }
      break;
    case Arg::Key:
      if (!f.has_arg || f.arg.empty()) {
        error = fmt::format("field '{}' needs an argument in [ ]", base);
        return std::nullopt;
      }
      if (d.kind == FieldKind::JsonPointer && f.arg[0] != '/') {
        error = fmt::format("field '{}': '{}' is not a JSON pointer", base, f.arg);
        return std::nullopt;
      }
      break;
    case Arg::Index:
      if (f.has_arg) {
        int n = -1;
        auto r = std::from_chars(f.arg.data(), f.arg.data() + f.arg.size(), n);
        if (r.ec != std::errc() || r.ptr != f.arg.data() + f.arg.size() || n < 0) {
          error = fmt::format("field '{}': index '{}' is not a number", base, f.arg);
          return std::nullopt;
        }
        f.index = n;
      }
      break;
  }
  if (f.has_arg) f.native.clear();
  // jevt.value[/stage] reads the same single string as the native path.
  static const std::vector<std::string> kScalarTop = {"/stage", "/verb",       "/auditID",
                                                      "/level", "/requestURI", "/userAgent"};
  if (d.kind == FieldKind::JsonPointer &&
      std::find(kScalarTop.begin(), kScalarTop.end(), f.arg) != kScalarTop.end())
    f.native = f.arg.substr(1);
  return f;
}

size_t field_length(std::string_view text) {
  size_t best = 0;
  for (const auto& [name, def] : table()) {
    if (name.size() <= best || text.substr(0, name.size()) != name) continue;
    char next = name.size() < text.size() ? text[name.size()] : ' ';
    size_t len = name.size();
    if (next == '[') {
      size_t close = text.find(']', len);
      if (close == std::string_view::npos) continue;
      len = close + 1;
    } else if (std::isalnum(static_cast<unsigned char>(next)) || next == '_') {
      continue;
    }
    best = std::max(best, len);
  }
  return best;
}

}  // namespace eksir::rules::falco
