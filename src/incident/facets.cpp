#include "incident/facets.h"

#include <fmt/format.h>

#include <algorithm>

#include "cluster/cluster.h"
#include "event/fields.h"
#include "incident/graph.h"
#include "util/text.h"

namespace eksir::incident {
namespace {

using simdjson::dom::element;
using Res = simdjson::simdjson_result<element>;

// The value at a path of object keys; an error result (never a crash) when a step is missing or
// not an object.
Res at(Res r, std::initializer_list<std::string_view> path) {
  for (auto k : path) r = r[k];
  return r;
}

// The string at a path (the first string of an array there); "" otherwise.
std::string_view text_at(Res r, std::initializer_list<std::string_view> path) {
  r = at(r, path);
  std::string_view s;
  if (r.get(s) == simdjson::SUCCESS) return s;
  simdjson::dom::array a;
  if (r.get(a) == simdjson::SUCCESS)
    for (auto v : a)
      if (v.get(s) == simdjson::SUCCESS) return s;
  return {};
}

// The members of an object that a function reads, found in one pass over its keys (records have
// twenty-odd top-level keys; looking each of a dozen up by name would scan them a dozen times).
class Members {
 public:
  Members(Res r, std::initializer_list<std::string_view> wanted) {
    for (auto w : wanted)
      if (n_ < kMax && !w.empty()) {
        first_[static_cast<unsigned char>(w[0])] |= uint16_t(1u << n_);
        keys_[n_++] = w;
      }
    simdjson::dom::object o;
    if (r.get(o) != simdjson::SUCCESS) return;
    size_t found = 0;
    for (auto [k, v] : o) {
      if (k.empty()) continue;
      // Only the wanted keys starting with the same letter are compared.
      for (uint16_t m = first_[static_cast<unsigned char>(k[0])]; m; m &= uint16_t(m - 1)) {
        size_t i = static_cast<size_t>(__builtin_ctz(m));
        if (!has_[i] && k == keys_[i]) {
          values_[i] = v;
          has_[i] = true;
          ++found;
          break;
        }
      }
      if (found == n_) break;
    }
  }
  Res operator[](std::string_view key) const {
    for (size_t i = 0; i < n_; ++i)
      if (keys_[i] == key) return has_[i] ? Res(element(values_[i])) : Res(simdjson::NO_SUCH_FIELD);
    return Res(simdjson::NO_SUCH_FIELD);
  }

 private:
  static constexpr size_t kMax = 16;
  std::string_view keys_[kMax];  // views of string literals
  element values_[kMax];
  bool has_[kMax] = {};
  uint16_t first_[256] = {};
  size_t n_ = 0;
};

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

void add(std::vector<std::string>& v, std::string k) {
  if (!k.empty() && std::find(v.begin(), v.end(), k) == v.end()) v.push_back(std::move(k));
}

std::string decoded(std::string_view s) {
  return s.find('%') == std::string_view::npos ? std::string(s) : util::percent_decode(s);
}

// An IAM ARN named by a request parameter, percent-decoded; "" when it is not one.
std::string arn_param(Res value) {
  std::string v = decoded(text_at(value, {}));
  return starts_with(v, "arn:") ? v : std::string();
}

bool read_only_name(std::string_view name) {
  for (std::string_view p : {"Get", "List", "Describe", "Lookup", "Head", "Search", "Scan", "Query",
                             "Check", "Filter", "Preview", "Select", "View", "Test", "BatchGet",
                             "Estimate", "Simulate", "Decode", "Validate"})
    if (starts_with(name, p)) return true;
  return false;
}

bool creates(std::string_view name) {
  return starts_with(name, "Create") || starts_with(name, "Run") || starts_with(name, "Import") ||
         starts_with(name, "Register") || starts_with(name, "Allocate");
}

// CloudTrail: the caller, its credentials and what the call acted on.
void cloudtrail(const EventView& ev, RecordFacets& f) {
  Members d(Res(element(ev.doc)),
            {"userIdentity", "eventName", "sourceIPAddress", "userAgent", "readOnly", "errorCode",
             "requestParameters", "responseElements", "eventSource", "recipientAccountId"});
  Members ui(d["userIdentity"],
             {"type", "arn", "accessKeyId", "accountId", "invokedBy", "sessionContext"});
  std::string_view type = text_at(ui["type"], {});
  std::string_view arn = text_at(ui["arn"], {});
  std::string_view key = text_at(ui["accessKeyId"], {});
  std::string account(text_at(ui["accountId"], {}));
  std::string recipient(text_at(d["recipientAccountId"], {}));
  f.actor_account = account;
  f.aws_service = type == "AWSService" || !text_at(ui["invokedBy"], {}).empty();
  f.verb = std::string(text_at(d["eventName"], {}));
  f.source_ip = std::string(text_at(d["sourceIPAddress"], {}));
  f.user_agent = std::string(text_at(d["userAgent"], {}));
  bool ro = false;
  if (d["readOnly"].get(ro) == simdjson::SUCCESS)
    f.read_only = ro;
  else
    f.read_only = read_only_name(f.verb);
  f.failed = !text_at(d["errorCode"], {}).empty();
  if (starts_with(key, "AKIA") || starts_with(key, "ASIA"))
    add(f.credentials, "key:" + std::string(key));
  if (!arn.empty()) {
    add(f.identities, iam_key(arn));
    add(f.credentials, session_key(arn));
  } else if (std::string_view issuer = text_at(ui["sessionContext"], {"sessionIssuer", "arn"});
             !issuer.empty()) {
    add(f.identities, iam_key(issuer));
  } else if (type == "AWSAccount" && !account.empty() && account != recipient) {
    // Another account calling in (a cross-account AssumeRole): CloudTrail names only the account.
    add(f.credentials, "account:" + account);
  }

  Members rp(d["requestParameters"],
             {"userName", "accessKeyId", "roleName", "roleArn", "principalArn", "clusterName",
              "name", "groupId", "instancesSet", "bucketName", "key"});
  Members re(d["responseElements"], {"accessKey", "assumedRoleUser", "credentials"});
  std::string acct = recipient.empty() ? account : recipient;
  const std::string_view name = f.verb;
  bool create = creates(name);
  auto target = [&](const std::string& k, bool mutate = true) {
    if (k.empty()) return;
    add(f.targets, k);
    if (f.read_only || f.failed || !mutate) return;
    add(create ? f.created : f.changed, k);
  };
  if (std::string_view u = text_at(rp["userName"], {}); !u.empty()) {
    target(iam_key(fmt::format("arn:aws:iam::{}:user/{}", acct, decoded(u))),
           name != "CreateAccessKey" && name != "UpdateAccessKey" && name != "DeleteAccessKey");
    if (std::string_view k = text_at(re["accessKey"], {"accessKeyId"}); !k.empty() && !f.failed) {
      add(f.targets, "key:" + std::string(k));
      add(f.created, "key:" + std::string(k));
      add(f.revealed, "key:" + std::string(k));
    }
  }
  if (std::string_view k = text_at(rp["accessKeyId"], {}); starts_with(k, "AKIA"))
    target("key:" + std::string(k));
  if (std::string_view r = text_at(rp["roleName"], {}); !r.empty())
    target(iam_key(fmt::format("arn:aws:iam::{}:role/{}", acct, decoded(r))));
  if (std::string r = arn_param(rp["roleArn"]); !r.empty()) {
    bool assume = starts_with(name, "AssumeRole");
    target(iam_key(r), !assume);
    if (assume && !f.failed) {
      if (std::string_view s = text_at(re["assumedRoleUser"], {"arn"}); !s.empty())
        add(f.revealed, session_key(s));
      if (std::string_view k = text_at(re["credentials"], {"accessKeyId"}); !k.empty())
        add(f.revealed, "key:" + std::string(k));
    }
  }
  if (std::string p = arn_param(rp["principalArn"]); !p.empty()) {
    std::string cluster(text_at(rp["clusterName"], {}));
    if (cluster.empty()) cluster = text_at(rp["name"], {});
    if (!cluster.empty()) target("access_entry:" + decoded(cluster) + "/" + p);
    // An access entry admits its principal to the cluster.
    if (!f.read_only && !f.failed && !starts_with(name, "Delete") &&
        !starts_with(name, "Disassociate"))
      add(f.revealed, iam_key(p));
  }
  if (std::string_view sg = text_at(rp["groupId"], {}); starts_with(sg, "sg-"))
    target("sg:" + std::string(sg));
  simdjson::dom::array items;
  if (at(rp["instancesSet"], {"items"}).get(items) == simdjson::SUCCESS)
    for (element i : items)
      if (std::string_view id = text_at(Res(element(i)), {"instanceId"}); !id.empty())
        target("instance:" + std::string(id));
  if (std::string_view b = text_at(rp["bucketName"], {}); !b.empty()) {
    target("bucket:" + std::string(b));
    f.detail = std::string(text_at(rp["key"], {}));
  }
  std::string_view src = text_at(d["eventSource"], {});
  if (src == "cloudtrail.amazonaws.com")
    if (std::string_view t = text_at(rp["name"], {}); !t.empty()) {
      std::string_view trail =
          t.substr(t.rfind('/') == std::string_view::npos ? 0 : t.rfind('/') + 1);
      target("trail:" + std::string(trail));
    }
  if (src == "eks.amazonaws.com") {
    std::string cluster(text_at(rp["name"], {}));
    if (cluster.empty()) cluster = text_at(rp["clusterName"], {});
    if (!cluster.empty()) add(f.targets, "cluster:" + decoded(cluster));
  }
}

// The mapRoles / mapUsers an aws-auth write sets (the request or response object, or a merge
// patch of its data).
void aws_auth_entries(Res obj, RecordFacets& f) {
  for (bool users : {false, true}) {
    std::string_view text = text_at(obj, {"data", users ? "mapUsers" : "mapRoles"});
    if (text.empty()) continue;
    std::string error;
    for (const auto& e : cluster::parse_aws_auth_list(text, users, error)) {
      std::string groups;
      for (const auto& g : e.groups) groups += (groups.empty() ? "" : ",") + g;
      f.aws_auth.push_back(
          fmt::format("{}|{}|{}|{}", users ? "user" : "role", e.arn, e.username, groups));
    }
  }
}

void k8s_audit(const EventView& ev, RecordFacets& f) {
  Members d(Res(element(ev.doc)), {"user", "verb", "sourceIPs", "userAgent", "responseStatus",
                                   "annotations", "objectRef", "requestObject", "responseObject"});
  std::string_view user = text_at(d["user"], {"username"});
  f.verb = std::string(text_at(d["verb"], {}));
  f.read_only = f.verb == "get" || f.verb == "list" || f.verb == "watch";
  f.source_ip = std::string(text_at(d["sourceIPs"], {}));
  f.user_agent = std::string(text_at(d["userAgent"], {}));
  int64_t code = 0;
  if (at(d["responseStatus"], {"code"}).get(code) == simdjson::SUCCESS) f.failed = code >= 400;
  if (!user.empty()) add(f.identities, k8s_user_key(user));
  Res extra = at(d["user"], {"extra"});
  std::string_view arn = text_at(extra, {"arn"});
  if (arn.empty()) arn = text_at(extra, {"canonicalArn"});
  if (!arn.empty()) {
    add(f.identities, iam_key(arn));
    add(f.credentials, session_key(arn));
  }
  if (std::string_view k = text_at(extra, {"accessKeyId"});
      starts_with(k, "AKIA") || starts_with(k, "ASIA"))
    add(f.credentials, "key:" + std::string(k));
  // A service-account token is a credential of its own: its id names it wherever it is used.
  if (std::string_view jti = text_at(extra, {"authentication.kubernetes.io/credential-id"});
      starts_with(jti, "JTI="))
    add(f.credentials, "token:" + std::string(jti.substr(4)));
  if (std::string_view pod = text_at(extra, {"authentication.kubernetes.io/pod-name"});
      !pod.empty() && starts_with(user, "system:serviceaccount:")) {
    std::string_view rest = user.substr(22);
    add(f.identities,
        "pod:" + std::string(rest.substr(0, rest.find(':'))) + "/" + std::string(pod));
  }
  f.granted_by = binding_from_reason(text_at(d["annotations"], {"authorization.k8s.io/reason"}));

  Members ref(d["objectRef"], {"resource", "subresource", "namespace", "name"});
  std::string_view resource = text_at(ref["resource"], {});
  std::string_view sub = text_at(ref["subresource"], {});
  std::string ns(text_at(ref["namespace"], {}));
  std::string name(text_at(ref["name"], {}));
  Res obj = d["responseObject"];
  simdjson::dom::object probe;
  if (obj.get(probe) != simdjson::SUCCESS || text_at(obj, {"kind"}) == "Status")
    obj = d["requestObject"];
  if (name.empty()) name = text_at(obj, {"metadata", "name"});
  if (ns.empty()) ns = text_at(obj, {"metadata", "namespace"});
  // What tells two requests of one identity apart when they name no object (list pods vs list
  // nodes): the resource and namespace.
  f.detail = std::string(resource);
  if (!sub.empty()) f.detail += "/" + std::string(sub);
  if (name.empty() && !ns.empty()) f.detail += " in " + ns;
  if (name.empty() || resource.empty()) return;
  std::string t;
  if (resource == "pods")
    t = "pod:" + ns + "/" + name;
  else if (resource == "clusterrolebindings")
    t = "binding:ClusterRoleBinding/" + name;
  else if (resource == "rolebindings")
    t = "binding:RoleBinding/" + ns + "/" + name;
  else if (resource == "clusterroles")
    t = "role:ClusterRole/" + name;
  else if (resource == "roles")
    t = "role:Role/" + ns + "/" + name;
  else if (resource == "serviceaccounts")
    t = "sa:" + ns + "/" + name;
  else if (resource == "secrets")
    t = "secret:" + ns + "/" + name;
  else if (resource == "configmaps")
    t = "configmap:" + ns + "/" + name;
  else if (resource == "nodes")
    t = "node:" + name;
  else if (std::string k = workload_kind(resource); !k.empty())
    t = workload_key(k, ns, name);
  if (t.empty()) return;
  add(f.targets, t);
  if (resource == "serviceaccounts" && sub == "token") {
    Res bound = at(d["requestObject"], {"spec", "boundObjectRef"});
    if (text_at(bound, {"kind"}) == "Pod")
      if (std::string_view pod = text_at(bound, {"name"}); !pod.empty())
        add(f.targets, "pod:" + ns + "/" + std::string(pod));
  }
  if (resource == "pods" && sub == "binding") {
    if (std::string_view node = text_at(d["requestObject"], {"target", "name"}); !node.empty())
      add(f.targets, "node:" + std::string(node));
    return;
  }
  if (f.failed || f.read_only || !sub.empty()) return;
  if (t == "configmap:kube-system/aws-auth") aws_auth_entries(obj, f);
  if (f.verb == "create")
    add(f.created, t);
  else if (f.verb == "update" || f.verb == "patch")
    add(f.changed, t);
  else
    return;
  simdjson::dom::array owners;
  if (at(obj, {"metadata", "ownerReferences"}).get(owners) == simdjson::SUCCESS)
    for (element o : owners) {
      std::string_view ok = text_at(Res(element(o)), {"kind"});
      std::string_view on = text_at(Res(element(o)), {"name"});
      std::string k = workload_kind(ok);
      if (k.empty() || on.empty()) continue;
      f.owner = workload_key(k, ns, on);
      break;
    }
}

void guardduty(const EventView& ev, RecordFacets& f) {
  Res d(element(ev.doc));
  std::string account(text_at(d, {"accountId"}));
  Res akd = at(d, {"resource", "accessKeyDetails"});
  std::string_view key = text_at(akd, {"accessKeyId"});
  std::string_view user = text_at(akd, {"userName"});
  std::string_view type = text_at(akd, {"userType"});
  std::string_view principal = text_at(akd, {"principalId"});
  if (starts_with(key, "AKIA") || starts_with(key, "ASIA"))
    add(f.credentials, "key:" + std::string(key));
  if (!user.empty() && type == "IAMUser")
    add(f.identities, iam_key(fmt::format("arn:aws:iam::{}:user/{}", account, user)));
  if (!user.empty() && (type == "AssumedRole" || type == "Role")) {
    add(f.identities, iam_key(fmt::format("arn:aws:iam::{}:role/{}", account, user)));
    size_t c = principal.find(':');
    if (c != std::string_view::npos)
      add(f.credentials, session_key(fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", account,
                                                 user, principal.substr(c + 1))));
  }
  std::string_view k8s =
      text_at(d, {"resource", "kubernetesDetails", "kubernetesUserDetails", "username"});
  if (!k8s.empty()) add(f.identities, k8s_user_key(k8s));
  for (std::string_view a :
       {"kubernetesApiCallAction", "awsApiCallAction", "networkConnectionAction"}) {
    std::string_view ip = text_at(d, {"service", "action", a, "remoteIpDetails", "ipAddressV4"});
    if (!ip.empty()) {
      f.source_ip = std::string(ip);
      break;
    }
  }
  Res wl = at(d, {"resource", "kubernetesDetails", "kubernetesWorkloadDetails"});
  std::string_view wtype = text_at(wl, {"type"}), wname = text_at(wl, {"name"});
  std::string wns(text_at(wl, {"namespace"}));
  if (!wname.empty()) {
    std::string k = workload_kind(wtype);
    add(f.targets, k.empty() || k == "Pod" ? "pod:" + wns + "/" + std::string(wname)
                                           : workload_key(k, wns, wname));
  }
  if (std::string_view i = text_at(d, {"resource", "instanceDetails", "instanceId"}); !i.empty())
    add(f.targets, "instance:" + std::string(i));
  if (std::string_view b = text_at(d, {"resource", "s3BucketDetails", "name"}); !b.empty())
    add(f.targets, "bucket:" + std::string(b));
}

}  // namespace

std::string key_display(std::string_view key) {
  std::string_view kind = key_kind(key);
  std::string_view rest = key.substr(std::min(key.size(), kind.size() + 1));
  auto last = [](std::string_view s) { return s.substr(s.rfind('/') + 1); };
  if (kind == "key") return fmt::format("access key {}", rest);
  if (kind == "ip") return fmt::format("address {}", rest);
  if (kind == "account") return fmt::format("account {}", rest);
  if (kind == "session") {
    size_t p = rest.find(":assumed-role/");
    return fmt::format("session {}", p == std::string_view::npos ? rest : rest.substr(p + 14));
  }
  if (kind == "iam") {
    bool role = rest.find(":role/") != std::string_view::npos;
    return fmt::format("{} {}", role ? "role" : "IAM user", last(rest));
  }
  if (kind == "sa") return fmt::format("service account {}", rest);
  if (kind == "k8suser") return fmt::format("Kubernetes user {}", rest);
  if (kind == "workload" || kind == "binding" || kind == "role") {
    size_t slash = rest.find('/');
    return fmt::format("{} {}", rest.substr(0, slash), rest.substr(slash + 1));
  }
  if (kind == "access_entry") return fmt::format("access entry {}", rest);
  if (kind == "bucket") return fmt::format("S3 bucket {}", rest);
  if (kind == "token") return fmt::format("service-account token {}", rest);
  if (kind == "trail") return fmt::format("trail {}", rest);
  return fmt::format("{} {}", kind, rest);
}

std::string_view key_kind(std::string_view key) {
  return key.substr(0, key.find(':'));
}

std::string workload_kind(std::string_view k) {
  std::string l = util::ascii_lower(k);
  if (!l.empty() && l.back() == 's') l.pop_back();
  if (l == "deployment") return "Deployment";
  if (l == "daemonset") return "DaemonSet";
  if (l == "statefulset") return "StatefulSet";
  if (l == "replicaset") return "ReplicaSet";
  if (l == "job") return "Job";
  if (l == "cronjob") return "CronJob";
  if (l == "replicationcontroller") return "ReplicationController";
  if (l == "pod") return "Pod";
  return {};
}

std::string workload_key(std::string_view kind, std::string_view ns, std::string_view name) {
  std::string k = workload_kind(kind);
  if (k == "Pod") return fmt::format("pod:{}/{}", ns, name);
  return fmt::format("workload:{}/{}/{}", k.empty() ? std::string(kind) : k, ns, name);
}

std::string session_key(std::string_view arn) {
  size_t p = arn.find(":assumed-role/");
  if (p == std::string_view::npos || !starts_with(arn, "arn:")) return {};
  std::string_view rest = arn.substr(p + 14);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 >= rest.size()) return {};
  return "session:" + std::string(arn);
}

std::string session_instance(std::string_view session) {
  if (starts_with(session, "session:")) session.remove_prefix(8);
  size_t slash = session.rfind('/');
  if (slash == std::string_view::npos) return {};
  std::string_view s = session.substr(slash + 1);
  if (s.size() < 10 || !starts_with(s, "i-")) return {};
  for (char c : s.substr(2))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
  return std::string(s);
}

std::string binding_from_reason(std::string_view reason) {
  // Most requests are allowed by a binding: the markers are matched, not formatted, per record.
  static constexpr std::string_view kMarkers[] = {"allowed by ClusterRoleBinding \"",
                                                  "allowed by RoleBinding \""};
  for (int k = 0; k < 2; ++k) {
    size_t p = reason.find(kMarkers[k]);
    if (p == std::string_view::npos) continue;
    size_t b = p + kMarkers[k].size();
    size_t e = reason.find('"', b);
    if (e == std::string_view::npos) return {};
    std::string_view name = reason.substr(b, e - b);
    if (k == 0) return "binding:ClusterRoleBinding/" + std::string(name);
    // RoleBinding "name/namespace"
    size_t slash = name.rfind('/');
    if (slash == std::string_view::npos) return {};
    return fmt::format("binding:RoleBinding/{}/{}", name.substr(slash + 1), name.substr(0, slash));
  }
  return {};
}

std::string role_from_reason(std::string_view reason) {
  static constexpr std::string_view kMarkers[] = {" of ClusterRole \"", " of Role \""};
  static constexpr std::string_view kKinds[] = {"ClusterRole/", "Role/"};
  for (int k = 0; k < 2; ++k) {
    size_t p = reason.find(kMarkers[k]);
    if (p == std::string_view::npos) continue;
    size_t b = p + kMarkers[k].size();
    size_t e = reason.find('"', b);
    if (e == std::string_view::npos) return {};
    return std::string(kKinds[k]).append(reason.substr(b, e - b));
  }
  return {};
}

RecordFacets record_facets(const EventView& ev) {
  RecordFacets f;
  switch (ev.source) {
    case Source::CloudTrail:
      cloudtrail(ev, f);
      break;
    case Source::K8sAudit:
      k8s_audit(ev, f);
      break;
    case Source::GuardDuty:
      guardduty(ev, f);
      break;
    case Source::Falco:
    case Source::Ocsf:
      break;
    case Source::Vulnerability:
      // A scanner's finding about an image names no credential, address or object an attacker
      // acted with: vulnerability events are evidence for the image joins, not for the scope.
      break;
  }
  if (!f.source_ip.empty() && is_public_ip(f.source_ip)) add(f.credentials, "ip:" + f.source_ip);
  return f;
}

std::string node_session_of(const EventView& ev, std::string_view& source_ip) {
  if (ev.source != Source::CloudTrail) return {};
  Res d(element(ev.doc));
  std::string_view arn = text_at(d, {"userIdentity", "arn"});
  if (arn.find(":assumed-role/") == std::string_view::npos) return {};
  std::string instance = session_instance(arn);
  if (!instance.empty()) source_ip = text_at(d, {"sourceIPAddress"});
  return instance;
}

bool scope_candidate(const EventView& ev) {
  Res d(element(ev.doc));
  switch (ev.source) {
    case Source::K8sAudit: {
      std::string_view user = text_at(d, {"user", "username"});
      if (user == "system:anonymous") return true;
      if (starts_with(user, "system:serviceaccount:kube-system:")) {
        // A system token used from outside the cluster is someone else holding it.
        std::string_view ip = text_at(d, {"sourceIPs"});
        if (!ip.empty() && is_public_ip(ip)) return true;
        // Controllers: what makes pods, jobs and replica sets (ownership of an attacker's
        // workload) and the status they keep of workloads (a CronJob's runs).
        std::string_view verb = text_at(d, {"verb"});
        std::string_view res = text_at(d, {"objectRef", "resource"});
        if (verb == "create") return res == "pods" || res == "jobs" || res == "replicasets";
        return (verb == "update" || verb == "patch") &&
               text_at(d, {"objectRef", "subresource"}) == "status" && res != "pods" &&
               !workload_kind(res).empty();
      }
      if (starts_with(user, "system:node:")) {
        // A kubelet running a pod (its status, the pod's token): where the attacker's pods ran.
        std::string_view res = text_at(d, {"objectRef", "resource"});
        std::string_view sub = text_at(d, {"objectRef", "subresource"});
        return res == "pods" || (res == "serviceaccounts" && sub == "token");
      }
      if (starts_with(user, "system:") || starts_with(user, "eks:")) return false;
      return true;
    }
    case Source::CloudTrail: {
      Res ui = at(d, {"userIdentity"});
      if (text_at(ui, {"type"}) == "AWSService" || !text_at(ui, {"invokedBy"}).empty())
        return false;
      return true;
    }
    default:
      return false;  // alerts are findings of their own
  }
}

}  // namespace eksir::incident
