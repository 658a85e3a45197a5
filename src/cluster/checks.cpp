// Posture checks over a snapshot: Pod Security Standards, host paths, images, names, placement,
// nodes, RBAC, effective cluster-admins, network exposure and service-account tokens.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "cluster/cluster.h"
#include "util/text.h"

namespace eksir::cluster {
namespace {

using SV = std::string_view;

bool in(SV s, std::initializer_list<SV> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}
bool contains(const std::vector<std::string>& v, SV s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
bool any_glob(const std::vector<std::string>& pats, SV s) {
  for (const auto& p : pats)
    if (policy_glob(p, s)) return true;
  return false;
}
std::string upper(SV s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}

// EKS add-ons and system components: reported as exempted, not hidden.
constexpr SV kSystemPrefixes[] = {"aws-node",
                                  "kube-proxy",
                                  "coredns",
                                  "ebs-csi-",
                                  "efs-csi-",
                                  "fsx-csi-",
                                  "s3-csi-",
                                  "eks-pod-identity-agent",
                                  "aws-load-balancer-controller",
                                  "metrics-server",
                                  "cluster-autoscaler",
                                  "karpenter",
                                  "aws-cloudwatch-agent",
                                  "amazon-cloudwatch",
                                  "snapshot-controller",
                                  "adot-",
                                  "aws-guardduty-agent",
                                  "kube-state-metrics"};
bool system_name(SV n) {
  for (SV p : kSystemPrefixes)
    if (n.starts_with(p)) return true;
  return false;
}
bool system_namespace(SV ns) {
  return in(ns, {"kube-system", "kube-public", "kube-node-lease", "amazon-guardduty"});
}

bool exempt(const Workload& w) {
  if (w.ns != "kube-system") return false;
  if (w.kind != "Pod") return system_name(w.name);
  for (const auto& o : w.owners)
    if (system_name(o.name) || o.kind == "Node") return true;
  return false;
}

struct Out {
  const Policy& pol;
  std::vector<Finding>& out;
  void add(SV check, SV kind, SV ns, SV name, std::string field, std::string message,
           bool exempted = false, SV principal = {}, std::optional<Severity> sev = std::nullopt) {
    if (pol.suppressed(check, ns, name, principal)) return;
    const CheckInfo& ci = check_info(check);
    out.push_back({std::string(check), sev.value_or(ci.severity), std::string(kind),
                   std::string(ns), std::string(name), std::move(field), std::move(message),
                   std::string(ci.why), exempted});
  }
};

// ---------------------------------------------------------------- pod security

constexpr SV kBaselineCaps[] = {"AUDIT_WRITE", "CHOWN",  "DAC_OVERRIDE",     "FOWNER",  "FSETID",
                                "KILL",        "MKNOD",  "NET_BIND_SERVICE", "SETFCAP", "SETGID",
                                "SETPCAP",     "SETUID", "SYS_CHROOT"};
constexpr SV kSafeSysctls[] = {"kernel.shm_rmid_forced",
                               "net.ipv4.ip_local_port_range",
                               "net.ipv4.ip_unprivileged_port_start",
                               "net.ipv4.tcp_syncookies",
                               "net.ipv4.ping_group_range",
                               "net.ipv4.ip_local_reserved_ports",
                               "net.ipv4.tcp_keepalive_time",
                               "net.ipv4.tcp_fin_timeout",
                               "net.ipv4.tcp_keepalive_intvl",
                               "net.ipv4.tcp_keepalive_probes"};
constexpr SV kSensitivePaths[] = {"/",
                                  "/etc",
                                  "/root",
                                  "/proc",
                                  "/var/run/docker.sock",
                                  "/var/run/docker",
                                  "/run/containerd",
                                  "/run/containerd/containerd.sock",
                                  "/var/run/containerd",
                                  "/var/run/crio/crio.sock",
                                  "/var/lib/kubelet",
                                  "/var/lib/kubelet/pki",
                                  "/etc/kubernetes",
                                  "/etc/kubernetes/manifests",
                                  "/home/admin",
                                  "/var/run",
                                  "/run",
                                  "/var/lib/containerd",
                                  "/var/lib/docker",
                                  "/sys",
                                  "/dev"};

bool seccomp_ok(SV t) {
  return t == "RuntimeDefault" || t == "Localhost";
}

void check_pss(const Workload& w, Out& o) {
  const PodSpec& p = w.pod;
  const std::string& P = w.spec_path;
  bool ex = exempt(w);
  auto add = [&](SV check, std::string field, std::string msg) {
    o.add(check, w.kind, w.ns, w.name, std::move(field), std::move(msg), ex);
  };
  bool windows = p.os_name == "windows";

  // B1
  if (p.sc.host_process.value_or(false))
    add("pss-b1-host-process", P + ".securityContext.windowsOptions.hostProcess",
        "Windows HostProcess pod");
  // B2
  if (p.host_network)
    add("pss-b2-host-namespaces", P + ".hostNetwork", "shares the node's network namespace");
  if (p.host_pid) add("pss-b2-host-namespaces", P + ".hostPID", "shares the node's PID namespace");
  if (p.host_ipc) add("pss-b2-host-namespaces", P + ".hostIPC", "shares the node's IPC namespace");
  // B5, R1, sensitive host paths
  for (size_t i = 0; i < p.volumes.size(); ++i) {
    const Volume& v = p.volumes[i];
    std::string vp = fmt::format("{}.volumes[{}]", P, i);
    if (v.source == "hostPath") {
      add("pss-b5-host-path", vp + ".hostPath",
          fmt::format("hostPath volume '{}' mounts {}", v.name, v.host_path));
      std::string hp = v.host_path;
      while (hp.size() > 1 && hp.back() == '/') hp.pop_back();
      if (std::find(std::begin(kSensitivePaths), std::end(kSensitivePaths), SV(hp)) !=
              std::end(kSensitivePaths) ||
          hp.find("/.aws") != std::string::npos || hp.find(".sock") != std::string::npos)
        add("hostpath-sensitive", vp + ".hostPath.path",
            fmt::format("mounts the node's {} (volume '{}')", hp, v.name));
    }
    if (!in(v.source, {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                       "persistentVolumeClaim", "projected", "secret"}))
      add("pss-r1-volume-types", vp,
          fmt::format("volume '{}' uses {}", v.name, v.source.empty() ? "no source" : v.source));
  }
  // B12
  for (size_t i = 0; i < p.sysctls.size(); ++i)
    if (std::find(std::begin(kSafeSysctls), std::end(kSafeSysctls), SV(p.sysctls[i].first)) ==
        std::end(kSafeSysctls))
      add("pss-b12-sysctls", fmt::format("{}.securityContext.sysctls[{}].name", P, i),
          fmt::format("unsafe sysctl {}", p.sysctls[i].first));
  // Pod-level fields
  if (p.sc.apparmor_type == "Unconfined")
    add("pss-b8-apparmor", P + ".securityContext.appArmorProfile.type",
        "AppArmor Unconfined for the whole pod");
  auto selinux = [&](const SecurityContext& sc, const std::string& base) {
    if (!sc.selinux_type.empty() && !in(sc.selinux_type, {"container_t", "container_init_t",
                                                          "container_kvm_t", "container_engine_t"}))
      add("pss-b9-selinux", base + ".seLinuxOptions.type",
          fmt::format("SELinux type {}", sc.selinux_type));
    if (!sc.selinux_user.empty())
      add("pss-b9-selinux", base + ".seLinuxOptions.user",
          fmt::format("custom SELinux user {}", sc.selinux_user));
    if (!sc.selinux_role.empty())
      add("pss-b9-selinux", base + ".seLinuxOptions.role",
          fmt::format("custom SELinux role {}", sc.selinux_role));
  };
  selinux(p.sc, P + ".securityContext");
  if (p.sc.seccomp_type == "Unconfined")
    add("pss-b11-seccomp", P + ".securityContext.seccompProfile.type",
        "seccomp Unconfined for the whole pod");
  if (!windows) {
    if (p.sc.run_as_non_root == false)
      add("pss-r3-run-as-non-root", P + ".securityContext.runAsNonRoot",
          "runAsNonRoot is false for the pod");
    if (p.sc.run_as_user == 0)
      add("pss-r4-run-as-user", P + ".securityContext.runAsUser", "the pod runs as UID 0");
    if (!p.sc.seccomp_type.empty() && !seccomp_ok(p.sc.seccomp_type) &&
        p.sc.seccomp_type != "Unconfined")
      add("pss-r5-seccomp", P + ".securityContext.seccompProfile.type",
          fmt::format("seccomp type {} is not RuntimeDefault or Localhost", p.sc.seccomp_type));
  }
  for (const auto& [cname, prof] : p.apparmor_annotations)
    if (prof != "runtime/default" && !prof.starts_with("localhost/")) {
      std::string meta = w.kind == "Pod" ? "metadata" : P.substr(0, P.size() - 4) + "metadata";
      add("pss-b8-apparmor",
          fmt::format("{}.annotations[\"container.apparmor.security.beta.kubernetes.io/{}\"]", meta,
                      cname),
          fmt::format("AppArmor profile '{}' for container {}", prof, cname));
    }

  struct Group {
    const std::vector<Container>* list;
    const char* field;
  };
  for (Group g : {Group{&p.containers, "containers"}, Group{&p.init_containers, "initContainers"},
                  Group{&p.ephemeral_containers, "ephemeralContainers"}}) {
    for (size_t i = 0; i < g.list->size(); ++i) {
      const Container& c = (*g.list)[i];
      std::string base = fmt::format("{}.{}[{}]", P, g.field, i);
      std::string sc = base + ".securityContext";
      SV cn = c.name;
      if (c.sc.host_process.value_or(false))
        add("pss-b1-host-process", sc + ".windowsOptions.hostProcess",
            fmt::format("container {} is a Windows HostProcess", cn));
      if (c.sc.privileged.value_or(false))
        add("pss-b3-privileged", sc + ".privileged", fmt::format("container {} is privileged", cn));
      std::vector<std::string> bad_add, non_nbs;
      for (const auto& cap : c.sc.cap_add) {
        std::string u = upper(cap);
        if (u.starts_with("CAP_")) u = u.substr(4);
        if (std::find(std::begin(kBaselineCaps), std::end(kBaselineCaps), SV(u)) ==
            std::end(kBaselineCaps))
          bad_add.push_back(u);
        if (u != "NET_BIND_SERVICE") non_nbs.push_back(u);
      }
      if (!bad_add.empty())
        add("pss-b4-capabilities", sc + ".capabilities.add",
            fmt::format("container {} adds {}", cn, fmt::join(bad_add, ", ")));
      for (size_t j = 0; j < c.host_ports.size(); ++j)
        if (c.host_ports[j] != 0)
          add("pss-b6-host-ports", fmt::format("{}.ports[{}].hostPort", base, j),
              fmt::format("container {} binds host port {}", cn, c.host_ports[j]));
      if (g.field != std::string_view("ephemeralContainers"))
        for (const auto& [rel, host] : c.probe_hosts)
          add("pss-b7-probe-host", base + "." + rel,
              fmt::format("container {} probes or hooks host {}", cn, host));
      if (c.sc.apparmor_type == "Unconfined")
        add("pss-b8-apparmor", sc + ".appArmorProfile.type",
            fmt::format("container {} is AppArmor Unconfined", cn));
      selinux(c.sc, sc);
      if (!c.sc.proc_mount.empty() && c.sc.proc_mount != "Default")
        add("pss-b10-proc-mount", sc + ".procMount",
            fmt::format("container {} uses procMount {}", cn, c.sc.proc_mount));
      if (c.sc.seccomp_type == "Unconfined")
        add("pss-b11-seccomp", sc + ".seccompProfile.type",
            fmt::format("container {} is seccomp Unconfined", cn));
      if (windows) continue;  // R2, R3 (user), R5, R6 are Linux-only
      if (c.sc.allow_privilege_escalation != false)
        add("pss-r2-privilege-escalation", sc + ".allowPrivilegeEscalation",
            fmt::format("container {} does not set allowPrivilegeEscalation: false", cn));
      if (c.sc.run_as_non_root == false)
        add("pss-r3-run-as-non-root", sc + ".runAsNonRoot",
            fmt::format("container {} sets runAsNonRoot: false", cn));
      else if (!c.sc.run_as_non_root && p.sc.run_as_non_root != true)
        add("pss-r3-run-as-non-root", sc + ".runAsNonRoot",
            fmt::format("neither container {} nor the pod sets runAsNonRoot: true", cn));
      if (c.sc.run_as_user == 0)
        add("pss-r4-run-as-user", sc + ".runAsUser", fmt::format("container {} runs as UID 0", cn));
      if (!c.sc.seccomp_type.empty()) {
        if (!seccomp_ok(c.sc.seccomp_type) && c.sc.seccomp_type != "Unconfined")
          add("pss-r5-seccomp", sc + ".seccompProfile.type",
              fmt::format("container {} seccomp type {}", cn, c.sc.seccomp_type));
        else if (c.sc.seccomp_type == "Unconfined")
          add("pss-r5-seccomp", sc + ".seccompProfile.type",
              fmt::format("container {} is seccomp Unconfined", cn));
      } else if (!seccomp_ok(p.sc.seccomp_type)) {
        add("pss-r5-seccomp", sc + ".seccompProfile.type",
            fmt::format("no seccomp profile for container {} (neither it nor the pod sets "
                        "RuntimeDefault or Localhost)",
                        cn));
      }
      bool drops_all = std::any_of(c.sc.cap_drop.begin(), c.sc.cap_drop.end(),
                                   [](const std::string& s) { return upper(s) == "ALL"; });
      if (!drops_all)
        add("pss-r6-capabilities", sc + ".capabilities.drop",
            fmt::format("container {} does not drop ALL capabilities", cn));
      if (!non_nbs.empty())
        add("pss-r6-capabilities", sc + ".capabilities.add",
            fmt::format("container {} adds {} (only NET_BIND_SERVICE is allowed)", cn,
                        fmt::join(non_nbs, ", ")));
    }
  }
}

// ---------------------------------------------------------------- images and names

// Pods whose images a scanner reports critical vulnerabilities in: one result per pod's owner
// (the replicas of a ReplicaSet are one), those with a public exploit first.
void check_vulnerable_images(const Snapshot& snap, Out& o) {
  if (snap.vulnerabilities.empty()) return;
  ImageIndex index(snap.vulnerabilities);
  struct Result {
    std::string kind, ns, name, field, message;
    bool exploit = false;
    size_t pods = 0;
  };
  std::map<std::string, Result> results;  // owner + container + image → result
  for (const auto& w : snap.workloads) {
    if (w.kind != "Pod") continue;
    const OwnerRef* owner = w.owners.empty() ? nullptr : &w.owners.front();
    for (size_t i = 0; i < w.pod.containers.size(); ++i) {
      const Container& c = w.pod.containers[i];
      auto m = index.match(c.image, c.image_id);
      std::vector<const ImageVulnerability*> critical;
      for (const auto* v : m.findings)
        if (v->rank() >= 4) critical.push_back(v);
      if (critical.empty()) continue;
      std::string key = fmt::format("{}/{}/{}/{}/{}", w.ns, owner ? owner->kind : "Pod",
                                    owner ? owner->name : w.name, c.name, c.image);
      auto [it, fresh] = results.try_emplace(key);
      Result& r = it->second;
      ++r.pods;
      if (!fresh) continue;
      r.kind = owner ? owner->kind : w.kind;
      r.ns = w.ns;
      r.name = owner ? owner->name : w.name;
      r.field = fmt::format("spec.containers[{}].image", i);
      std::vector<std::string> ids;
      for (const auto* v : critical) {
        r.exploit = r.exploit || v->exploit_available;
        std::string id = v->id + (v->exploit_available ? " (exploit available)" : "");
        if (ids.size() < 5 && std::find(ids.begin(), ids.end(), id) == ids.end())
          ids.push_back(std::move(id));
      }
      const ImageVulnerability& top = *critical.front();
      std::vector<std::string> fixed;
      for (const auto* v : critical)
        if (v->package == top.package && !v->fixed_version.empty())
          fixed.push_back(v->fixed_version);
      std::string fix = fix_for_all(fixed);
      r.message = fmt::format(
          "container {} runs {}: {} critical finding{} ({}{}); {} {} {} (joined by {}, {} at "
          "{}:{})",
          c.name, c.image, critical.size(), critical.size() == 1 ? "" : "s", fmt::join(ids, ", "),
          critical.size() > ids.size() ? ", …" : "", top.package, top.version,
          fix.empty() ? "has no fixed version yet" : "is fixed in " + fix,
          m.how == ImageJoin::digest ? "digest" : "tag only: the digest it runs is not known",
          top.scanner, top.file, top.line);
    }
  }
  std::vector<const Result*> order;
  for (const auto& [k, r] : results) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(),
                   [](const Result* a, const Result* b) { return a->exploit > b->exploit; });
  for (const Result* r : order)
    o.add("image-critical-vulnerability", r->kind, r->ns, r->name, r->field,
          r->pods > 1 ? fmt::format("{} ({} pods)", r->message, r->pods) : r->message, false, {},
          r->exploit ? std::optional<Severity>(Severity::Critical) : std::nullopt);
}

constexpr SV kMinerWords[] = {"xmrig",       "kinsing",  "kdevtmpfsi", "minerd",   "cpuminer",
                              "cryptonight", "monero",   "xmr-stak",   "nicehash", "coinhive",
                              "t-rex",       "ethminer", "lolminer",   "nbminer"};
constexpr SV kShellWords[] = {"revshell", "reverse-shell", "reverseshell", "netcat", "ncat",
                              "socat",    "webshell",      "bindshell",    "pwncat", "chisel",
                              "ngrok",    "meterpreter",   "sliver"};

std::optional<std::string> suspicious_word(SV text) {
  std::string l = util::ascii_lower(text);
  for (SV w : kMinerWords)
    if (l.find(w) != std::string::npos) return fmt::format("crypto-miner name '{}'", w);
  for (SV w : kShellWords)
    if (l.find(w) != std::string::npos) return fmt::format("remote-shell tool name '{}'", w);
  return std::nullopt;
}

// "-x7k2p" style suffix as generated for controller-owned pods.
bool random_suffix(SV name) {
  auto dash = name.rfind('-');
  if (dash == SV::npos || name.size() - dash - 1 != 5) return false;
  constexpr SV alphabet = "bcdfghjklmnpqrstvwxz2456789";  // what the API server's generateName uses
  for (char c : name.substr(dash + 1))
    if (alphabet.find(c) == SV::npos) return false;
  return true;
}

void check_images_and_names(const Workload& w, const Policy& pol, Out& o) {
  bool ex = exempt(w);
  const PodSpec& p = w.pod;
  struct Group {
    const std::vector<Container>* list;
    const char* field;
  };
  for (Group g : {Group{&p.containers, "containers"}, Group{&p.init_containers, "initContainers"},
                  Group{&p.ephemeral_containers, "ephemeralContainers"}})
    for (size_t i = 0; i < g.list->size(); ++i) {
      const Container& c = (*g.list)[i];
      std::string f = fmt::format("{}.{}[{}].image", w.spec_path, g.field, i);
      ImageRef r = parse_image_ref(c.image);
      bool trusted = false;
      for (const auto& pat : pol.trusted_registries)
        if (policy_glob(pat, r.registry) || policy_glob(pat, r.registry + "/" + r.repository) ||
            (r.registry == "docker.io" && policy_glob(pat, r.repository)))
          trusted = true;
      if (!trusted)
        o.add("image-untrusted-registry", w.kind, w.ns, w.name, f,
              fmt::format("container {} pulls {} from {}, not a trusted registry", c.name, c.image,
                          r.registry),
              ex);
      if (r.digest.empty() && (r.tag.empty() || r.tag == "latest"))
        o.add("image-mutable-tag", w.kind, w.ns, w.name, f,
              fmt::format("container {} uses {} ({})", c.name, c.image,
                          r.tag.empty() ? "no tag" : "tag latest"),
              ex);
      if (r.digest.empty())
        o.add("image-no-digest", w.kind, w.ns, w.name, f,
              fmt::format("container {} image {} is not pinned by digest", c.name, c.image), ex);
      if (auto why = suspicious_word(c.image + " " + c.name))
        o.add("name-suspicious", w.kind, w.ns, w.name, f,
              fmt::format("container {} ({}): {}", c.name, c.image, *why));
    }
  if (auto why = suspicious_word(w.name))
    o.add("name-suspicious", w.kind, w.ns, w.name, "metadata.name", *why);
  else if (w.kind == "Pod" && w.owners.empty() && random_suffix(w.name))
    o.add("name-suspicious", w.kind, w.ns, w.name, "metadata.name",
          "name ends in a controller-style random suffix but no controller owns the pod");
  else if (w.kind == "Pod" && system_name(w.name) && w.ns != "kube-system")
    o.add("name-suspicious", w.kind, w.ns, w.name, "metadata.name",
          fmt::format("named like an EKS system component but runs in {}", w.ns));
}

void check_placement(const Workload& w, const Policy& pol, Out& o) {
  if (!pol.expected_namespaces.empty() && !w.ns.empty() && !system_namespace(w.ns) &&
      !any_glob(pol.expected_namespaces, w.ns))
    o.add("workload-unexpected-namespace", w.kind, w.ns, w.name, "metadata.namespace",
          fmt::format("namespace {} is not in expected_namespaces", w.ns));
  if (w.ns == "kube-system" && !exempt(w)) {
    bool controlled = false;
    for (const auto& ow : w.owners) controlled = controlled || !ow.kind.empty();
    if (w.kind == "Pod")
      o.add("kube-system-unknown-workload", w.kind, w.ns, w.name,
            controlled ? "metadata.ownerReferences[0]" : "metadata.ownerReferences",
            controlled ? fmt::format("owned by {}/{}, not a known EKS system controller",
                                     w.owners[0].kind, w.owners[0].name)
                       : std::string("a pod in kube-system that no controller owns"));
    else if (!controlled)
      o.add(
          "kube-system-unknown-workload", w.kind, w.ns, w.name, "metadata.name",
          fmt::format("{} {} in kube-system is not a known EKS system component", w.kind, w.name));
  }
}

// ---------------------------------------------------------------- RBAC

bool grants(const PolicyRule& r, SV verb, SV resource, SV group = "*") {
  auto has = [](const std::vector<std::string>& v, SV s) {
    return contains(v, "*") || contains(v, s);
  };
  bool res = has(r.resources, resource);
  if (!res) {
    auto slash = resource.find('/');
    if (slash != SV::npos)
      res = contains(r.resources, std::string(resource.substr(0, slash)) + "/*");
  }
  return has(r.verbs, verb) && res &&
         (group == "*" || has(r.api_groups, group) || r.api_groups.empty());
}
bool full_wildcard(const PolicyRule& r) {
  return contains(r.verbs, "*") && contains(r.resources, "*");
}

bool default_role(const Role& r) {
  return r.name.starts_with("system:") || r.name.starts_with("eks:") ||
         in(r.name, {"cluster-admin", "admin", "edit", "view"});
}

struct Danger {
  SV check;
  std::vector<std::pair<SV, SV>> any;  // (verb, resource) pairs, any of which is enough
  SV what;
};

const std::vector<Danger>& dangers() {
  static const std::vector<Danger> d{
      {"rbac-secrets-read",
       {{"get", "secrets"}, {"list", "secrets"}, {"watch", "secrets"}},
       "reads secrets"},
      {"rbac-pods-exec",
       {{"create", "pods/exec"}, {"create", "pods/attach"}, {"get", "pods/exec"}},
       "execs into pods"},
      {"rbac-escalation-verbs",
       {{"bind", "clusterroles"},
        {"bind", "roles"},
        {"escalate", "clusterroles"},
        {"escalate", "roles"},
        {"impersonate", "users"},
        {"impersonate", "groups"},
        {"impersonate", "serviceaccounts"},
        {"impersonate", "uids"}},
       "can bind, escalate or impersonate"},
      {"rbac-nodes-proxy",
       {{"get", "nodes/proxy"}, {"create", "nodes/proxy"}},
       "reaches the kubelet API via nodes/proxy"},
      {"rbac-sa-token", {{"create", "serviceaccounts/token"}}, "mints service-account tokens"},
      {"rbac-csr-approve",
       {{"update", "certificatesigningrequests/approval"},
        {"patch", "certificatesigningrequests/approval"}},
       "approves certificate signing requests"},
  };
  return d;
}

bool powerful(const Role& r) {
  for (const auto& rule : r.rules)
    if (full_wildcard(rule) || grants(rule, "get", "secrets") || grants(rule, "list", "secrets") ||
        grants(rule, "create", "pods") || grants(rule, "impersonate", "users") ||
        grants(rule, "bind", "clusterroles") || grants(rule, "escalate", "clusterroles"))
      return true;
  return false;
}

// Lookups built once per run, so every check stays linear in the number of objects.
struct Index {
  std::map<std::string, const Role*, std::less<>>
      roles;  // "kind|ns|name" (ns empty for ClusterRoles)
  std::set<std::string, std::less<>>
      kube_system_clusterroles;  // bound cluster-wide or in kube-system
  std::map<std::string, std::optional<bool>, std::less<>> sa_automount;  // "ns|name"
  std::map<std::string, const Binding*, std::less<>>
      strong_subjects;  // "sa|ns|name" or "group|name"

  const Role* role(const Binding& b) const {
    auto it = roles.find(b.role_kind + "|" + (b.role_kind == "ClusterRole" ? "" : b.ns) + "|" +
                         b.role_name);
    return it == roles.end() ? nullptr : it->second;
  }
};

bool powerful(const Role& r);

Index build_index(const Snapshot& snap) {
  Index ix;
  for (const auto& r : snap.roles)
    ix.roles.emplace(r.kind + "|" + (r.kind == "ClusterRole" ? "" : r.ns) + "|" + r.name, &r);
  for (const auto& s : snap.service_accounts)
    ix.sa_automount[s.ns + "|" + s.name] = s.automount_token;
  for (const auto& b : snap.bindings) {
    if (b.role_kind == "ClusterRole" && (b.kind == "ClusterRoleBinding" || b.ns == "kube-system"))
      ix.kube_system_clusterroles.insert(b.role_name);
    const Role* r = ix.role(b);
    bool strong = b.role_name == "cluster-admin" || b.role_name == "admin" ||
                  b.role_name == "edit" || (r && powerful(*r));
    if (!strong) continue;
    for (const auto& s : b.subjects) {
      if (s.kind == "ServiceAccount")
        ix.strong_subjects.emplace("sa|" + (s.ns.empty() ? b.ns : s.ns) + "|" + s.name, &b);
      else if (s.kind == "Group")
        ix.strong_subjects.emplace("group|" + s.name, &b);
    }
  }
  return ix;
}

void check_roles(const Snapshot& snap, const Index& ix, Out& o) {
  for (const auto& r : snap.roles) {
    if (default_role(r)) continue;
    for (size_t i = 0; i < r.rules.size(); ++i) {
      const PolicyRule& rule = r.rules[i];
      std::string rp = fmt::format("rules[{}]", i);
      if (contains(rule.verbs, "*") || contains(rule.resources, "*"))
        o.add("rbac-wildcard", r.kind, r.ns, r.name,
              rp + (contains(rule.verbs, "*") ? ".verbs" : ".resources"),
              fmt::format("{} {} grants wildcard {}", r.kind, r.name,
                          full_wildcard(rule)         ? "verbs on all resources"
                          : contains(rule.verbs, "*") ? "verbs"
                                                      : "resources"));
      if (full_wildcard(rule)) continue;
      for (const auto& d : dangers()) {
        for (auto [verb, res] : d.any)
          if (grants(rule, verb, res)) {
            o.add(d.check, r.kind, r.ns, r.name, rp,
                  fmt::format("{} {} {} ({} {})", r.kind, r.name, d.what, verb, res));
            break;
          }
      }
      bool sys_scope = r.kind == "ClusterRole" || r.ns == "kube-system";
      if (grants(rule, "create", "pods")) {
        // A Role in kube-system, or a ClusterRole bound cluster-wide or inside kube-system.
        std::string how;
        if (r.kind == "Role" && r.ns == "kube-system")
          how = fmt::format("Role {} creates pods in kube-system", r.name);
        if (how.empty() && r.kind == "ClusterRole" && ix.kube_system_clusterroles.count(r.name))
          how = fmt::format("ClusterRole {} creates pods in kube-system through a binding", r.name);
        if (!how.empty())
          o.add("rbac-create-pods-kube-system", r.kind, r.ns, r.name, rp + ".verbs",
                how + " (a pod there can run as any system service account)");
      }
      bool cm = grants(rule, "update", "configmaps") || grants(rule, "patch", "configmaps");
      if (sys_scope && cm &&
          (rule.resource_names.empty() || contains(rule.resource_names, "aws-auth")))
        o.add("rbac-aws-auth-modify", r.kind, r.ns, r.name, rp,
              fmt::format("{} {} can modify kube-system/aws-auth (grant itself system:masters)",
                          r.kind, r.name));
    }
  }
}

std::string subject_id(const Subject& s) {
  return s.kind == "ServiceAccount" ? fmt::format("serviceaccount:{}:{}", s.ns, s.name)
                                    : fmt::format("{}:{}", util::ascii_lower(s.kind), s.name);
}

void check_bindings(const Snapshot& snap, const Index& ix, const Policy& pol, Out& o,
                    std::vector<std::string>& admins) {
  for (const auto& b : snap.bindings) {
    const Role* role = ix.role(b);
    bool admin = b.role_name == "cluster-admin" && b.role_kind == "ClusterRole";
    if (!admin && role)
      for (const auto& rule : role->rules)
        admin = admin || (full_wildcard(rule) &&
                          (contains(rule.api_groups, "*") || contains(rule.api_groups, "")));
    for (size_t j = 0; j < b.subjects.size(); ++j) {
      const Subject& s = b.subjects[j];
      std::string f = fmt::format("subjects[{}]", j);
      if (admin) {
        std::string who = subject_id(s);
        if (b.kind == "ClusterRoleBinding")
          admins.push_back(fmt::format("{} (ClusterRoleBinding {})", who, b.name));
        bool is_default =
            (b.name == "cluster-admin" && s.name == "system:masters") || b.name.starts_with("eks:");
        if (!is_default || b.name.starts_with("eks:"))
          o.add("rbac-cluster-admin-binding", b.kind, b.ns, b.name, f,
                fmt::format("{} {} gives {} {}{}", b.kind, b.name, who, b.role_name,
                            b.kind == "RoleBinding" ? fmt::format(" in namespace {}", b.ns)
                                                    : std::string()),
                b.name.starts_with("eks:"), s.name,
                any_glob(pol.admin_principals, s.name) ? std::optional(Severity::Info)
                                                       : std::nullopt);
      }
      bool anon = s.name == "system:anonymous" || s.name == "system:unauthenticated";
      bool authd = s.name == "system:authenticated";
      bool default_binding =
          in(b.name, {"system:public-info-viewer", "system:discovery", "system:basic-user"}) &&
          in(b.role_name, {"system:public-info-viewer", "system:discovery", "system:basic-user"});
      if ((anon || authd) && !default_binding)
        o.add("rbac-anonymous-binding", b.kind, b.ns, b.name, f,
              fmt::format("{} {} grants {} to {}", b.kind, b.name, b.role_name, s.name), false,
              s.name, anon || admin ? std::optional(Severity::Critical) : std::nullopt);
    }
  }
}

void check_identity(const Snapshot& snap, const Policy& pol, Out& o,
                    std::vector<std::string>& admins) {
  for (size_t i = 0, roles = 0, users = 0; i < snap.aws_auth.size(); ++i) {
    const AwsAuthEntry& a = snap.aws_auth[i];
    size_t idx = a.user ? users++ : roles++;
    if (!contains(a.groups, "system:masters")) continue;
    admins.push_back(fmt::format("{} (aws-auth system:masters)", a.arn));
    bool known = any_glob(pol.admin_principals, a.arn);
    o.add("admin-aws-auth-masters", "ConfigMap", "kube-system", "aws-auth",
          fmt::format("data.{}[{}].groups", a.user ? "mapUsers" : "mapRoles", idx),
          fmt::format("{} is mapped to system:masters{}", a.arn,
                      known ? " (listed in admin_principals)" : ""),
          false, a.arn, known ? std::optional(Severity::Info) : std::nullopt);
  }
  for (const auto& e : snap.access_entries) {
    for (size_t k = 0; k < e.policies.size(); ++k) {
      const AccessPolicy& p = e.policies[k];
      if (!p.policy_arn.ends_with("/AmazonEKSClusterAdminPolicy") &&
          !p.policy_arn.ends_with("/AmazonEKSAdminPolicy"))
        continue;
      bool cluster_admin =
          p.policy_arn.ends_with("/AmazonEKSClusterAdminPolicy") && p.scope_type != "namespace";
      if (cluster_admin)
        admins.push_back(
            fmt::format("{} (access policy AmazonEKSClusterAdminPolicy)", e.principal_arn));
      bool known = any_glob(pol.admin_principals, e.principal_arn);
      o.add("admin-access-policy", "AccessEntry", "", e.principal_arn,
            fmt::format("associatedAccessPolicies[{}].policyArn", k),
            fmt::format("{} has {} ({} scope)", e.principal_arn,
                        p.policy_arn.substr(p.policy_arn.rfind('/') + 1),
                        p.scope_type.empty() ? "cluster" : p.scope_type),
            false, e.principal_arn,
            known || !cluster_admin ? std::optional(Severity::Info) : std::nullopt);
    }
    if (contains(e.groups, "system:masters")) {
      admins.push_back(fmt::format("{} (access entry group system:masters)", e.principal_arn));
      o.add("admin-aws-auth-masters", "AccessEntry", "", e.principal_arn, "kubernetesGroups",
            fmt::format("{} is in system:masters through its access entry", e.principal_arn), false,
            e.principal_arn);
    }
  }
}

// ---------------------------------------------------------------- nodes, exposure, tokens

bool aws_provider(SV id) {  // aws:///<az>/i-<hex>
  if (!id.starts_with("aws:///")) return false;
  auto rest = id.substr(7);
  auto slash = rest.find('/');
  if (slash == SV::npos || slash == 0) return false;
  auto inst = rest.substr(slash + 1);
  if (!inst.starts_with("i-") || inst.size() < 10) return false;
  return std::all_of(inst.begin() + 2, inst.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

void check_nodes(const Snapshot& snap, const Policy& pol, Out& o) {
  for (const auto& n : snap.nodes) {
    auto get = [&](SV k) -> std::string {
      auto it = n.labels.find(k);
      return it == n.labels.end() ? std::string() : it->second;
    };
    std::string ng = get("eks.amazonaws.com/nodegroup"),
                compute = get("eks.amazonaws.com/compute-type"),
                karp = get("karpenter.sh/nodepool");
    bool fargate = compute == "fargate";
    if (ng.empty() && karp.empty() && compute.empty())
      o.add("node-unexpected-nodegroup", "Node", "", n.name,
            "metadata.labels[\"eks.amazonaws.com/nodegroup\"]",
            "the node belongs to no managed node group, Karpenter NodePool or Fargate profile");
    else if (!ng.empty() && !pol.expected_nodegroups.empty() &&
             !any_glob(pol.expected_nodegroups, ng))
      o.add("node-unexpected-nodegroup", "Node", "", n.name,
            "metadata.labels[\"eks.amazonaws.com/nodegroup\"]",
            fmt::format("node group {} is not in expected_nodegroups", ng));
    if (!fargate && !aws_provider(n.provider_id))
      o.add("node-unknown-provider", "Node", "", n.name, "spec.providerID",
            n.provider_id.empty()
                ? std::string("no providerID: not an EC2 instance the cloud provider knows")
                : fmt::format("providerID {} is not an EC2 instance (aws:///<az>/i-...)",
                              n.provider_id));
  }
}

void check_daemonsets(const Snapshot& snap, const Policy& pol, Out& o) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& w : snap.workloads)
    if (w.kind == "DaemonSet") seen.emplace(w.ns, w.name);
  auto expected = [&](SV name) { return any_glob(pol.expected_daemonsets, name); };
  for (const auto& w : snap.workloads) {
    if (w.kind == "DaemonSet" && !expected(w.name))
      o.add(
          "daemonset-unexpected", "DaemonSet", w.ns, w.name, "metadata.name",
          fmt::format("DaemonSet {} runs on every node and is not in expected_daemonsets", w.name));
    if (w.kind == "Pod")
      for (const auto& ow : w.owners)
        if (ow.kind == "DaemonSet" && !expected(ow.name) && seen.emplace(w.ns, ow.name).second)
          o.add("daemonset-unexpected", "DaemonSet", w.ns, ow.name, "metadata.name",
                fmt::format("DaemonSet {} (seen through pod {}) is not in expected_daemonsets",
                            ow.name, w.name));
  }
}

void check_exposure(const Snapshot& snap, const Policy& pol, Out& o) {
  for (const auto& s : snap.services) {
    if (s.type != "LoadBalancer" && s.type != "NodePort") continue;
    bool open = s.source_ranges.empty() || contains(s.source_ranges, "0.0.0.0/0") ||
                contains(s.source_ranges, "::/0");
    bool trusted =
        !open && std::all_of(s.source_ranges.begin(), s.source_ranges.end(),
                             [&](const std::string& c) { return any_glob(pol.trusted_cidrs, c); });
    std::string ports;
    for (auto p : s.ports) ports += (ports.empty() ? "" : ",") + std::to_string(p);
    o.add(
        "service-exposed", "Service", s.ns, s.name,
        s.source_ranges.empty() ? "spec.type" : "spec.loadBalancerSourceRanges",
        fmt::format("{} service on port(s) {} open to {}", s.type, ports,
                    s.source_ranges.empty() ? std::string("any address")
                                            : fmt::format("{}", fmt::join(s.source_ranges, ", "))),
        false, {},
        trusted                            ? std::optional(Severity::Low)
        : open && s.type == "LoadBalancer" ? std::optional(Severity::High)
                                           : std::nullopt);
  }
  for (const auto& i : snap.ingresses)
    o.add("ingress-exposed", "Ingress", i.ns, i.name, i.tls ? "spec.rules" : "spec.tls",
          fmt::format("Ingress for {}{}",
                      i.hosts.empty() ? std::string("any host")
                                      : fmt::format("{}", fmt::join(i.hosts, ", ")),
                      i.tls ? "" : " without TLS"));
  std::set<std::string> nss, covered;
  for (const auto& n : snap.namespaces) nss.insert(n.name);
  for (const auto& w : snap.workloads)
    if (!w.ns.empty()) nss.insert(w.ns);
  for (const auto& np : snap.network_policies) covered.insert(np.ns);
  for (const auto& ns : nss)
    if (!system_namespace(ns) && !covered.count(ns))
      o.add("namespace-no-networkpolicy", "Namespace", "", ns, "NetworkPolicy",
            fmt::format("no NetworkPolicy in namespace {} (in this snapshot): every pod accepts "
                        "traffic from anywhere",
                        ns));
}

void check_tokens(const Snapshot& snap, const Index& ix, Out& o) {
  for (const auto& w : snap.workloads) {
    std::string sa = w.pod.service_account.empty() ? "default" : w.pod.service_account;
    std::optional<bool> automount = w.pod.automount_token;
    if (!automount)
      if (auto it = ix.sa_automount.find(w.ns + "|" + sa); it != ix.sa_automount.end())
        automount = it->second;
    if (automount == false) continue;
    const Binding* b = nullptr;
    for (const std::string& k :
         {"sa|" + w.ns + "|" + sa, std::string("group|system:serviceaccounts"),
          "group|system:serviceaccounts:" + w.ns})
      if (auto it = ix.strong_subjects.find(k); !b && it != ix.strong_subjects.end())
        b = it->second;
    if (!b) continue;
    o.add("sa-token-powerful", w.kind, w.ns, w.name, w.spec_path + ".serviceAccountName",
          fmt::format("mounts the token of service account {} bound to {} by {} {}", sa,
                      b->role_name, b->kind, b->name),
          exempt(w));
  }
}

}  // namespace

std::vector<Finding> run_checks(const Snapshot& snap, const Policy& policy,
                                std::vector<std::string>* admins_out) {
  std::vector<Finding> out;
  std::vector<std::string> admins;
  Out o{policy, out};
  for (const auto& w : snap.workloads) {
    check_pss(w, o);
    check_images_and_names(w, policy, o);
    check_placement(w, policy, o);
  }
  check_vulnerable_images(snap, o);
  check_daemonsets(snap, policy, o);
  check_nodes(snap, policy, o);
  Index ix = build_index(snap);
  check_roles(snap, ix, o);
  check_bindings(snap, ix, policy, o, admins);
  check_identity(snap, policy, o, admins);
  check_exposure(snap, policy, o);
  check_tokens(snap, ix, o);
  if (admins_out) *admins_out = std::move(admins);
  return out;
}

}  // namespace eksir::cluster
