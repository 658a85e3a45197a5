// Snapshot reader: kubectl JSON/YAML (Lists, single objects, multi-document) and aws eks output,
// each object turned at once into a compact typed struct.
#include <fmt/format.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cluster/cluster.h"
#include "util/yaml_load.h"

namespace eksir::cluster {
namespace {

namespace fs = std::filesystem;

// Member lookup that never throws and never inserts.
// A simdjson value seen through the part of the YAML::Node interface the readers use, so JSON is
// read straight from simdjson's tape without building a tree per object.
class J {
 public:
  J() = default;
  explicit J(simdjson::dom::element e) : e_(e), ok_(true) {}
  static J key(std::string_view k) {
    J j;
    j.key_ = k;
    j.ok_ = j.is_key_ = true;
    return j;
  }
  explicit operator bool() const { return ok_; }
  bool IsMap() const { return ok_ && !is_key_ && e_.is_object(); }
  bool IsSequence() const { return ok_ && !is_key_ && e_.is_array(); }
  bool IsNull() const { return !ok_ || (!is_key_ && e_.is_null()); }
  bool IsScalar() const {
    return ok_ && (is_key_ || (!e_.is_object() && !e_.is_array() && !e_.is_null()));
  }
  std::string Scalar() const {
    if (is_key_) return std::string(key_);
    std::string_view sv;
    if (e_.get(sv) == simdjson::SUCCESS) return std::string(sv);
    bool b = false;
    if (e_.get(b) == simdjson::SUCCESS) return b ? "true" : "false";
    int64_t i = 0;
    if (e_.get(i) == simdjson::SUCCESS) return std::to_string(i);
    uint64_t u = 0;
    if (e_.get(u) == simdjson::SUCCESS) return std::to_string(u);
    double d = 0;
    if (e_.get(d) == simdjson::SUCCESS) return fmt::format("{}", d);
    return {};
  }
  size_t size() const {
    simdjson::dom::array a;
    if (IsSequence() && e_.get(a) == simdjson::SUCCESS) return a.size();
    simdjson::dom::object o;
    if (IsMap() && e_.get(o) == simdjson::SUCCESS) return o.size();
    return 0;
  }
  YAML::Mark Mark() const { return YAML::Mark::null_mark(); }
  J at(const char* k) const {
    simdjson::dom::object o;
    simdjson::dom::element v;
    if (IsMap() && e_.get(o) == simdjson::SUCCESS && o.at_key(k).get(v) == simdjson::SUCCESS)
      return J(v);
    return J();
  }

  // Iteration: sequences yield items; maps yield items with .first (key) and .second (value).
  struct Item;
  class iterator;
  iterator begin() const;
  iterator end() const;

 private:
  simdjson::dom::element e_;
  std::string_view key_;
  bool ok_ = false, is_key_ = false;
};

struct J::Item : J {
  J first, second;
};

class J::iterator {
 public:
  iterator(simdjson::dom::array::iterator a) : a_(a), is_array_(true) {}
  iterator(simdjson::dom::object::iterator o) : o_(o) {}
  iterator() = default;
  Item operator*() const {
    Item it;
    if (is_array_) {
      static_cast<J&>(it) = J(*a_);
    } else {
      it.first = J::key(o_.key());
      it.second = J(o_.value());
    }
    return it;
  }
  iterator& operator++() {
    if (is_array_)
      ++a_;
    else
      ++o_;
    return *this;
  }
  bool operator!=(const iterator& other) const {
    return is_array_ ? a_ != other.a_ : o_ != other.o_;
  }

 private:
  simdjson::dom::array::iterator a_{};
  simdjson::dom::object::iterator o_{};
  bool is_array_ = false;
};

J::iterator J::begin() const {
  simdjson::dom::array a;
  if (IsSequence() && e_.get(a) == simdjson::SUCCESS) return iterator(a.begin());
  simdjson::dom::object o;
  if (IsMap() && e_.get(o) == simdjson::SUCCESS) return iterator(o.begin());
  return iterator();
}
J::iterator J::end() const {
  simdjson::dom::array a;
  if (IsSequence() && e_.get(a) == simdjson::SUCCESS) return iterator(a.end());
  simdjson::dom::object o;
  if (IsMap() && e_.get(o) == simdjson::SUCCESS) return iterator(o.end());
  return iterator();
}

J get(const J& n, const char* key) {
  return n.at(key);
}

YAML::Node get(const YAML::Node& n, const char* key) {
  if (!n || !n.IsMap()) return YAML::Node();
  return n[key];
}

template <class N>
std::string str(const N& n) {
  if (!n || !n.IsScalar()) return {};
  return n.Scalar();
}

template <class N>
std::optional<bool> opt_bool(const N& n) {
  if (!n || !n.IsScalar()) return std::nullopt;
  const std::string& s = n.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

template <class N>
bool flag(const N& n) {
  return opt_bool(n).value_or(false);
}

template <class N>
std::optional<int64_t> opt_int(const N& n) {
  if (!n || !n.IsScalar()) return std::nullopt;
  try {
    return std::stoll(n.Scalar());
  } catch (...) {
    return std::nullopt;
  }
}

template <class N>
std::vector<std::string> strings(const N& n) {
  std::vector<std::string> out;
  if (n && n.IsSequence())
    for (const auto& e : n) out.push_back(str(e));
  return out;
}

template <class N>
Labels labels_of(const N& n) {
  Labels out;
  if (n && n.IsMap())
    for (const auto& kv : n) out.emplace(str(kv.first), str(kv.second));
  return out;
}

template <class N>
SecurityContext read_sc(const N& n) {
  SecurityContext sc;
  if (!n || !n.IsMap()) return sc;
  sc.privileged = opt_bool(get(n, "privileged"));
  sc.allow_privilege_escalation = opt_bool(get(n, "allowPrivilegeEscalation"));
  sc.run_as_non_root = opt_bool(get(n, "runAsNonRoot"));
  sc.read_only_root_fs = opt_bool(get(n, "readOnlyRootFilesystem"));
  sc.host_process = opt_bool(get(get(n, "windowsOptions"), "hostProcess"));
  sc.run_as_user = opt_int(get(n, "runAsUser"));
  sc.seccomp_type = str(get(get(n, "seccompProfile"), "type"));
  sc.apparmor_type = str(get(get(n, "appArmorProfile"), "type"));
  sc.proc_mount = str(get(n, "procMount"));
  auto caps = get(n, "capabilities");
  sc.cap_add = strings(get(caps, "add"));
  sc.cap_drop = strings(get(caps, "drop"));
  auto se = get(n, "seLinuxOptions");
  sc.selinux_type = str(get(se, "type"));
  sc.selinux_user = str(get(se, "user"));
  sc.selinux_role = str(get(se, "role"));
  return sc;
}

template <class N>
std::vector<Container> read_containers(const N& n) {
  std::vector<Container> out;
  if (!n || !n.IsSequence()) return out;
  for (const auto& c : n) {
    Container k;
    k.name = str(get(c, "name"));
    k.image = str(get(c, "image"));
    k.sc = read_sc(get(c, "securityContext"));
    auto ports = get(c, "ports");
    if (ports && ports.IsSequence())
      for (const auto& p : ports) k.host_ports.push_back(opt_int(get(p, "hostPort")).value_or(0));
    for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"})
      for (const char* how : {"httpGet", "tcpSocket"}) {
        std::string h = str(get(get(get(c, probe), how), "host"));
        if (!h.empty()) k.probe_hosts.emplace_back(std::string(probe) + "." + how + ".host", h);
      }
    for (const char* hook : {"postStart", "preStop"})
      for (const char* how : {"httpGet", "tcpSocket"}) {
        std::string h = str(get(get(get(get(c, "lifecycle"), hook), how), "host"));
        if (!h.empty())
          k.probe_hosts.emplace_back(std::string("lifecycle.") + hook + "." + how + ".host", h);
      }
    out.push_back(std::move(k));
  }
  return out;
}

template <class N>
void read_pod_spec(const N& meta, const N& spec, PodSpec& p) {
  p.node_name = str(get(spec, "nodeName"));
  p.service_account = str(get(spec, "serviceAccountName"));
  if (p.service_account.empty()) p.service_account = str(get(spec, "serviceAccount"));
  p.automount_token = opt_bool(get(spec, "automountServiceAccountToken"));
  p.host_pid = flag(get(spec, "hostPID"));
  p.host_ipc = flag(get(spec, "hostIPC"));
  p.host_network = flag(get(spec, "hostNetwork"));
  p.os_name = str(get(get(spec, "os"), "name"));
  auto psc = get(spec, "securityContext");
  p.sc = read_sc(psc);
  auto sysctls = get(psc, "sysctls");
  if (sysctls && sysctls.IsSequence())
    for (const auto& s : sysctls) p.sysctls.emplace_back(str(get(s, "name")), str(get(s, "value")));
  auto vols = get(spec, "volumes");
  if (vols && vols.IsSequence())
    for (const auto& v : vols) {
      Volume vol;
      vol.name = str(get(v, "name"));
      if (v.IsMap())
        for (const auto& kv : v) {
          std::string k = str(kv.first);
          if (k != "name") {
            vol.source = k;
            break;
          }
        }
      vol.host_path = str(get(get(v, "hostPath"), "path"));
      p.volumes.push_back(std::move(vol));
    }
  p.containers = read_containers(get(spec, "containers"));
  p.init_containers = read_containers(get(spec, "initContainers"));
  p.ephemeral_containers = read_containers(get(spec, "ephemeralContainers"));
  auto ann = get(meta, "annotations");
  if (ann && ann.IsMap()) {
    static constexpr std::string_view prefix = "container.apparmor.security.beta.kubernetes.io/";
    for (const auto& kv : ann) {
      std::string k = str(kv.first);
      if (k.starts_with(prefix))
        p.apparmor_annotations.emplace(k.substr(prefix.size()), str(kv.second));
    }
  }
}

template <class N>
void read_aws_auth(Snapshot& snap, const N& data, std::string_view file) {
  for (const char* key : {"mapRoles", "mapUsers"}) {
    std::string text = str(get(data, key));
    if (text.empty()) continue;
    std::string error;
    auto entries = parse_aws_auth_list(text, key == std::string_view("mapUsers"), error);
    for (auto& a : entries) snap.aws_auth.push_back(std::move(a));
    if (!error.empty())
      snap.skips.push_back({std::string(file), 0, 0, "invalid aws-auth",
                            key + ((error.rfind("is ", 0) == 0 ? " " : ": ") + error)});
  }
}

template <class N>
std::string ns_of(const N& meta) {
  return str(get(meta, "namespace"));
}

template <class N>
void add_object(Snapshot& snap, const N& obj, std::string_view file);

template <class N>
void add_access_entry(Snapshot& snap, const N& e) {
  AccessEntry a;
  a.principal_arn = str(get(e, "principalArn"));
  a.type = str(get(e, "type"));
  a.username = str(get(e, "username"));
  a.groups = strings(get(e, "kubernetesGroups"));
  snap.access_entries.push_back(std::move(a));
}

AccessEntry& entry_for(Snapshot& snap, const std::string& arn) {
  for (auto& a : snap.access_entries)
    if (a.principal_arn == arn) return a;
  snap.access_entries.push_back({});
  snap.access_entries.back().principal_arn = arn;
  return snap.access_entries.back();
}

// aws eks output (no "kind"): describe-cluster, list-access-entries, describe-access-entry,
// list-associated-access-policies. Returns false when the shape is unknown.
template <class N>
bool add_aws(Snapshot& snap, const N& obj) {
  if (auto c = get(obj, "cluster"); c && c.IsMap()) {
    ClusterInfo ci;
    ci.name = str(get(c, "name"));
    ci.version = str(get(c, "version"));
    ci.auth_mode = str(get(get(c, "accessConfig"), "authenticationMode"));
    auto vpc = get(c, "resourcesVpcConfig");
    ci.public_endpoint = flag(get(vpc, "endpointPublicAccess"));
    ci.private_endpoint = flag(get(vpc, "endpointPrivateAccess"));
    ci.public_cidrs = strings(get(vpc, "publicAccessCidrs"));
    snap.cluster = std::move(ci);
    return true;
  }
  if (auto l = get(obj, "accessEntries"); l && l.IsSequence()) {
    for (const auto& e : l) {
      if (e.IsScalar())
        entry_for(snap, e.Scalar());
      else
        add_access_entry(snap, e);
    }
    return true;
  }
  if (auto e = get(obj, "accessEntry"); e && e.IsMap()) {
    auto& a = entry_for(snap, str(get(e, "principalArn")));
    a.type = str(get(e, "type"));
    a.username = str(get(e, "username"));
    a.groups = strings(get(e, "kubernetesGroups"));
    return true;
  }
  if (auto l = get(obj, "associatedAccessPolicies"); l && l.IsSequence()) {
    auto& a = entry_for(snap, str(get(obj, "principalArn")));
    for (const auto& p : l) {
      AccessPolicy ap;
      ap.policy_arn = str(get(p, "policyArn"));
      ap.scope_type = str(get(get(p, "accessScope"), "type"));
      ap.namespaces = strings(get(get(p, "accessScope"), "namespaces"));
      a.policies.push_back(std::move(ap));
    }
    return true;
  }
  return false;
}

template <class N>
void add_object(Snapshot& snap, const N& obj, std::string_view file) {
  uint64_t line = obj.Mark().is_null() ? 0 : static_cast<uint64_t>(obj.Mark().line + 1);
  if (!obj.IsMap()) {
    snap.skips.push_back({std::string(file), line, 0, "unrecognised object", "not a mapping"});
    return;
  }
  std::string kind = str(get(obj, "kind"));
  auto items = get(obj, "items");
  if (kind.ends_with("List") || (kind.empty() && items && items.IsSequence())) {
    if (items && items.IsSequence())
      for (const auto& it : items) add_object<N>(snap, it, file);
    return;
  }
  if (kind.empty()) {
    if (!add_aws(snap, obj))
      snap.skips.push_back({std::string(file), line, 0, "unrecognised object",
                            "no kind and no known aws eks shape"});
    else
      ++snap.objects;
    return;
  }
  ++snap.objects;
  const auto meta = get(obj, "metadata");
  const auto spec = get(obj, "spec");
  std::string name = str(get(meta, "name"));
  std::string ns = ns_of(meta);
  auto workload = [&](const auto& pmeta, const auto& pspec, const char* path) {
    Workload w;
    w.kind = kind;
    w.ns = ns;
    w.name = name;
    w.labels = labels_of(get(meta, "labels"));
    auto owners = get(meta, "ownerReferences");
    if (owners && owners.IsSequence())
      for (const auto& o : owners) w.owners.push_back({str(get(o, "kind")), str(get(o, "name"))});
    w.spec_path = path;
    w.line = line;
    read_pod_spec(pmeta, pspec, w.pod);
    snap.workloads.push_back(std::move(w));
  };
  if (kind == "Pod") {
    workload(meta, spec, "spec");
    auto& pod = snap.workloads.back().pod;
    for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
      auto statuses = get(get(obj, "status"), list);
      if (!statuses || !statuses.IsSequence()) continue;
      for (const auto& st : statuses) {
        std::string cname = str(get(st, "name")), id = str(get(st, "imageID"));
        for (auto* cs : {&pod.containers, &pod.init_containers})
          for (auto& c : *cs)
            if (c.name == cname && !id.empty()) c.image_id = id;
      }
    }
  } else if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" ||
             kind == "DaemonSet" || kind == "Job" || kind == "ReplicationController") {
    auto t = get(spec, "template");
    workload(get(t, "metadata"), get(t, "spec"), "spec.template.spec");
  } else if (kind == "CronJob") {
    auto t = get(get(get(spec, "jobTemplate"), "spec"), "template");
    workload(get(t, "metadata"), get(t, "spec"), "spec.jobTemplate.spec.template.spec");
  } else if (kind == "Role" || kind == "ClusterRole") {
    Role r{kind, ns, name, {}};
    auto rules = get(obj, "rules");
    if (rules && rules.IsSequence())
      for (const auto& ru : rules)
        r.rules.push_back({strings(get(ru, "verbs")), strings(get(ru, "apiGroups")),
                           strings(get(ru, "resources")), strings(get(ru, "resourceNames"))});
    snap.roles.push_back(std::move(r));
  } else if (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
    Binding b{kind,
              ns,
              name,
              str(get(get(obj, "roleRef"), "kind")),
              str(get(get(obj, "roleRef"), "name")),
              {}};
    auto subs = get(obj, "subjects");
    if (subs && subs.IsSequence())
      for (const auto& s : subs)
        b.subjects.push_back({str(get(s, "kind")), str(get(s, "name")), str(get(s, "namespace"))});
    snap.bindings.push_back(std::move(b));
  } else if (kind == "Node") {
    snap.nodes.push_back({name, str(get(spec, "providerID")),
                          str(get(get(get(obj, "status"), "nodeInfo"), "kubeletVersion")),
                          str(get(meta, "creationTimestamp")), labels_of(get(meta, "labels"))});
  } else if (kind == "Service") {
    Service s{ns, name, str(get(spec, "type")), strings(get(spec, "loadBalancerSourceRanges")),
              {}, {}};
    auto ports = get(spec, "ports");
    if (ports && ports.IsSequence())
      for (const auto& p : ports) {
        s.ports.push_back(opt_int(get(p, "port")).value_or(0));
        s.node_ports.push_back(opt_int(get(p, "nodePort")).value_or(0));
      }
    snap.services.push_back(std::move(s));
  } else if (kind == "Ingress") {
    Ingress in{ns, name, {}, false};
    auto rules = get(spec, "rules");
    if (rules && rules.IsSequence())
      for (const auto& r : rules) in.hosts.push_back(str(get(r, "host")));
    auto tls = get(spec, "tls");
    in.tls = tls && tls.IsSequence() && tls.size() > 0;
    snap.ingresses.push_back(std::move(in));
  } else if (kind == "NetworkPolicy") {
    snap.network_policies.push_back({ns, name});
  } else if (kind == "ServiceAccount") {
    snap.service_accounts.push_back(
        {ns, name, opt_bool(get(obj, "automountServiceAccountToken")),
         str(get(get(meta, "annotations"), "eks.amazonaws.com/role-arn"))});
  } else if (kind == "Namespace") {
    snap.namespaces.push_back({name, labels_of(get(meta, "labels"))});
  } else if (kind == "ConfigMap" && ns == "kube-system" && name == "aws-auth") {
    read_aws_auth(snap, get(obj, "data"), file);
    snap.aws_auth_configmap = ConfigMapCopy{ns, name, str(get(meta, "resourceVersion")),
                                            std::string(file), labels_of(get(obj, "data"))};
  } else {
    ++snap.other;
  }
}

// Offset of the first JSON syntax error (a small recursive-descent scan used only to place the
// error simdjson reported on a line).
struct JsonLocator {
  std::string_view t;
  size_t i = 0;
  int depth = 0;
  void ws() {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) ++i;
  }
  bool lit(std::string_view w) {
    if (t.substr(i, w.size()) != w) return false;
    i += w.size();
    return true;
  }
  bool str() {
    if (i >= t.size() || t[i] != '"') return false;
    for (++i; i < t.size(); ++i) {
      if (t[i] == '\\')
        ++i;
      else if (t[i] == '"')
        return ++i, true;
      else if (static_cast<unsigned char>(t[i]) < 0x20)
        return false;
    }
    return false;
  }
  bool num() {
    size_t s = i;
    while (i < t.size() &&
           (std::isdigit(static_cast<unsigned char>(t[i])) || std::strchr("+-.eE", t[i])))
      ++i;
    return i > s;
  }
  bool value() {
    if (++depth > 512) return false;
    ws();
    if (i >= t.size()) return false;
    bool ok;
    char c = t[i];
    if (c == '{') {
      ++i;
      ws();
      if (i < t.size() && t[i] == '}') return ++i, --depth, true;
      for (;;) {
        ws();
        if (!str()) return false;
        ws();
        if (i >= t.size() || t[i] != ':') return false;
        ++i;
        if (!value()) return false;
        ws();
        if (i < t.size() && t[i] == ',') {
          ++i;
          continue;
        }
        if (i < t.size() && t[i] == '}') {
          ++i;
          break;
        }
        return false;
      }
      ok = true;
    } else if (c == '[') {
      ++i;
      ws();
      if (i < t.size() && t[i] == ']') return ++i, --depth, true;
      for (;;) {
        if (!value()) return false;
        ws();
        if (i < t.size() && t[i] == ',') {
          ++i;
          continue;
        }
        if (i < t.size() && t[i] == ']') {
          ++i;
          break;
        }
        return false;
      }
      ok = true;
    } else if (c == '"') {
      ok = str();
    } else {
      ok = lit("true") || lit("false") || lit("null") || num();
    }
    --depth;
    return ok;
  }
  uint64_t error_line() {
    i = 0;
    value();
    size_t at = std::min(i, t.size());
    return 1 + static_cast<uint64_t>(
                   std::count(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  }
};

// A JSON document: Lists are converted and checked item by item, so only one item's tree exists at
// a time.
void add_json(Snapshot& snap, simdjson::dom::element doc, std::string_view file) {
  simdjson::dom::object obj;
  simdjson::dom::array items;
  simdjson::dom::element items_el, kind_el;
  if (doc.get(obj) == simdjson::SUCCESS && obj.at_key("items").get(items_el) == simdjson::SUCCESS &&
      items_el.get(items) == simdjson::SUCCESS) {
    std::string_view kind;
    bool has_kind = obj.at_key("kind").get(kind_el) == simdjson::SUCCESS &&
                    kind_el.get(kind) == simdjson::SUCCESS;
    if (!has_kind || kind.ends_with("List")) {
      uint64_t record = 0;
      for (auto it : items) {
        ++record;
        try {
          size_t skips = snap.skips.size();
          add_object(snap, J(it), file);
          for (size_t i = skips; i < snap.skips.size(); ++i)
            if (snap.skips[i].line == 0 && snap.skips[i].record == 0) snap.skips[i].record = record;
        } catch (const YAML::Exception& ex) {
          snap.skips.push_back({std::string(file), 0, record, "bad object", ex.msg});
        }
      }
      return;
    }
  }
  add_object(snap, J(doc), file);
}

void add_text_impl(Snapshot& snap, std::string_view text, std::string_view file, bool padded);

void add_file(Snapshot& snap, const fs::path& p) {
  ++snap.files;
  std::ifstream in(p, std::ios::binary);
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (!in || ec) {
    snap.skips.push_back({p.string(), 0, 0, "unreadable", ec ? ec.message() : "cannot open"});
    return;
  }
  // One copy of the file, with the padding simdjson reads past the end.
  std::string buf;
  buf.reserve(size + simdjson::SIMDJSON_PADDING);
  buf.resize(size);
  in.read(buf.data(), static_cast<std::streamsize>(size));
  buf.resize(static_cast<size_t>(in.gcount()));
  add_text_impl(snap, buf, p.string(), buf.capacity() >= buf.size() + simdjson::SIMDJSON_PADDING);
}

}  // namespace

std::vector<AwsAuthEntry> parse_aws_auth_list(std::string_view yaml, bool users,
                                              std::string& error) {
  std::vector<AwsAuthEntry> out;
  try {
    YAML::Node list = YAML::Load(std::string(yaml));
    if (!list.IsSequence()) {
      error = "is not a YAML list";
      return out;
    }
    for (const auto& e : list) {
      AwsAuthEntry a;
      a.user = users;
      a.arn = str(get(e, users ? "userarn" : "rolearn"));
      a.username = str(get(e, "username"));
      a.groups = strings(get(e, "groups"));
      out.push_back(std::move(a));
    }
  } catch (const YAML::Exception& ex) {
    error = fmt::format("line {}: {}", ex.mark.line + 1, ex.msg);
  }
  return out;
}

void add_text(Snapshot& snap, std::string_view text, std::string_view file) {
  add_text_impl(snap, text, file, false);
}

namespace {
void add_text_impl(Snapshot& snap, std::string_view text, std::string_view file, bool padded) {
  // JSON is read by the YAML parser too, but that one accepts things JSON does not: check it first.
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    thread_local simdjson::dom::parser parser;  // reused: no per-file setup cost
    simdjson::dom::element doc;
    auto err = parser.parse(text.data(), text.size(), !padded).get(doc);
    if (err) {
      snap.skips.push_back({std::string(file), JsonLocator{text}.error_line(), 0, "invalid JSON",
                            simdjson::error_message(err)});
      return;
    }
    try {
      add_json(snap, doc, file);
    } catch (const YAML::Exception& ex) {
      snap.skips.push_back({std::string(file), 0, 0, "bad object", ex.msg});
    }
    return;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = util::load_all_yaml(text);
  } catch (const YAML::Exception& ex) {
    snap.skips.push_back(
        {std::string(file), static_cast<uint64_t>(ex.mark.line + 1), 0, "invalid YAML", ex.msg});
    return;
  }
  bool any = false;
  for (const auto& d : docs) {
    if (!d || d.IsNull()) continue;
    any = true;
    try {
      add_object(snap, d, file);
    } catch (const YAML::Exception& ex) {
      snap.skips.push_back(
          {std::string(file), static_cast<uint64_t>(ex.mark.line + 1), 0, "bad object", ex.msg});
    }
  }
  if (!any) snap.skips.push_back({std::string(file), 0, 0, "empty", "no objects"});
}

}  // namespace

void load_snapshot(const std::vector<std::string>& paths, Snapshot& snap) {
  for (const auto& path : paths) {
    std::error_code ec;
    fs::path p(path);
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(
               p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec)) files.push_back(it->path());
      if (ec) snap.skips.push_back({path, 0, 0, "unreadable", ec.message()});
      std::sort(files.begin(), files.end());
      for (const auto& f : files) add_file(snap, f);
    } else if (fs::exists(p, ec)) {
      add_file(snap, p);
    } else {
      snap.skips.push_back({path, 0, 0, "unreadable", "no such file or directory"});
    }
  }
}

}  // namespace eksir::cluster
