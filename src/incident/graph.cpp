#include "incident/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "cluster/cluster.h"
#include "event/fields.h"
#include "incident/facets.h"
#include "incident/graph_event.h"
#include "util/text.h"

namespace eksir::incident {
namespace graph_parts {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (s.empty()) continue;
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

void add_to_list(std::string& list, std::string_view item) {
  if (item.empty()) return;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(',', pos);
    if (end == std::string::npos) end = list.size();
    if (std::string_view(list).substr(pos, end - pos) == item) return;
    pos = end + 1;
  }
  if (!list.empty()) list += ',';
  list += item;
}

std::vector<std::string> all_texts(simdjson::dom::element root, std::string_view path) {
  std::vector<std::string> out;
  FieldRef::any_in(root, path, [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Null) return false;
    std::string s;
    append_value(s, v);
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    return false;
  });
  return out;
}

std::string account_of(std::string_view arn) {
  // arn:aws:iam::111122223333:user/x
  size_t a = 0;
  for (int i = 0; i < 4 && a != std::string_view::npos; ++i) a = arn.find(':', a + 1);
  if (a == std::string_view::npos) return {};
  size_t b = arn.find(':', a + 1);
  return b == std::string_view::npos ? std::string() : std::string(arn.substr(a + 1, b - a - 1));
}

std::string instance_of_provider(std::string_view provider_id) {
  size_t p = provider_id.rfind('/');
  if (p == std::string_view::npos) return {};
  auto id = provider_id.substr(p + 1);
  return starts_with(id, "i-") ? std::string(id) : std::string();
}

std::string zone_of_provider(std::string_view provider_id) {  // aws:///us-east-1a/i-...
  size_t p = provider_id.rfind('/');
  if (p == std::string_view::npos || p == 0) return {};
  size_t q = provider_id.rfind('/', p - 1);
  return q == std::string_view::npos ? std::string()
                                     : std::string(provider_id.substr(q + 1, p - q - 1));
}

std::string_view relation_for_verb(std::string_view verb, std::string_view subresource) {
  if (subresource == "exec" || subresource == "attach") return "exec into";
  if (subresource == "portforward") return "port-forwarded to";
  if (subresource == "token") return "minted a token for";
  if (subresource == "log") return "read logs of";
  if (verb == "create") return "created";
  if (verb == "update" || verb == "patch") return "changed";
  if (verb == "delete" || verb == "deletecollection") return "deleted";
  if (verb == "get" || verb == "list" || verb == "watch") return "read";
  return "acted on";
}

std::string role_arn_of(std::string_view account, std::string_view name) {
  return fmt::format("arn:aws:iam::{}:role/{}", account, name);
}

std::string user_arn_of(std::string_view account, std::string_view name) {
  return fmt::format("arn:aws:iam::{}:user/{}", account, name);
}

// The pod details of a pod object (request/response object, snapshot) become attributes.
void pod_attributes(Graph& g, Entity& pod, simdjson::dom::element obj, const Evidence& ev) {
  const std::string key = pod.key;
  std::string node = path_text(obj, "spec.nodeName");
  std::string sa = path_text(obj, "spec.serviceAccountName");
  std::string uid = path_text(obj, "metadata.uid");
  if (!uid.empty()) pod.id = uid;
  auto images = all_texts(obj, "spec.containers.image");
  for (const auto& i : all_texts(obj, "spec.initContainers.image")) images.push_back(i);
  simdjson::dom::object labels;
  if (obj["metadata"]["labels"].get(labels) == simdjson::SUCCESS)
    for (auto [k, v] : labels) {
      std::string_view s;
      if (v.get(s) == simdjson::SUCCESS) pod.labels[std::string(k)] = std::string(s);
    }
  std::string owner_kind = path_text(obj, "metadata.ownerReferences.kind");
  std::string owner_name = path_text(obj, "metadata.ownerReferences.name");
  const std::string ns = pod.ns;
  if (!owner_kind.empty()) {
    pod.attributes["owner_kind"] = owner_kind;
    pod.attributes["owner_name"] = owner_name;
    std::string ok = workload_key(owner_kind, ns, owner_name);
    if (ok.rfind("workload:", 0) == 0) {
      std::string wk = workload_kind(owner_kind);
      Entity& w = g.add("workload", ok.substr(9), owner_name, ns);
      w.attributes["kind"] = wk;
      g.link(key, w.key, "owned by", ev);
    }
  }
  if (!images.empty()) pod.attributes["images"] = join(images);
  if (!sa.empty()) pod.attributes["service_account"] = sa;
  if (!node.empty()) pod.attributes["node"] = node;
  if (!sa.empty()) {
    Entity& s = g.add("service_account", ns + "/" + sa, sa, ns);
    g.link(key, s.key, "runs as", ev);
  }
  if (!node.empty()) g.link(key, g.add("node", node, node).key, "ran on", ev);
  for (const auto& i : images) g.link(key, g.add("image", i, i).key, "runs image", ev);
}

void binding_attributes(Graph& g, const std::string& key, simdjson::dom::element obj,
                        const Evidence& ev) {
  std::string role = path_text(obj, "roleRef.name");
  std::string role_kind = path_text(obj, "roleRef.kind");
  std::vector<std::string> subjects;
  simdjson::dom::array subs;
  std::vector<std::string> subject_keys;
  if (obj["subjects"].get(subs) == simdjson::SUCCESS)
    for (auto s : subs) {
      std::string kind = path_text(s, "kind"), name = path_text(s, "name"),
                  ns = path_text(s, "namespace");
      if (name.empty()) continue;
      subjects.push_back(fmt::format("{}:{}{}", kind, ns.empty() ? "" : ns + "/", name));
      if (kind == "ServiceAccount")
        subject_keys.push_back(g.add("service_account", ns + "/" + name, name, ns).key);
      else if (kind == "User")
        subject_keys.push_back(k8s_user_key(name));
    }
  {
    Entity& b = g.entities[key];
    if (!role.empty()) b.attributes["role"] = role;
    if (!role_kind.empty()) b.attributes["role_kind"] = role_kind;
    if (!subjects.empty()) b.attributes["subjects"] = join(subjects);
  }
  for (const auto& s : subject_keys) {
    if (starts_with(s, "k8suser:")) g.add("k8s_user", s.substr(8), s.substr(8));
    g.link(key, s, role.empty() ? "grants to" : "grants " + role + " to", ev);
  }
}

void EventReader::actor(const std::string& key) {
  if (!key.empty() && std::find(out.actors.begin(), out.actors.end(), key) == out.actors.end())
    out.actors.push_back(key);
}

void EventReader::target(const std::string& key) {
  if (!key.empty() && std::find(out.targets.begin(), out.targets.end(), key) == out.targets.end())
    out.targets.push_back(key);
}

std::string EventReader::iam(std::string_view arn) {
  if (arn.empty() || !starts_with(arn, "arn:")) return {};
  std::string key = iam_key(arn);
  std::string id = key.substr(4);
  bool role = id.find(":role/") != std::string::npos;
  std::string name = id.substr(id.rfind('/') == std::string::npos ? 0 : id.rfind('/') + 1);
  if (id.find(":root") != std::string::npos) name = "root";
  Entity& e = g.add(role ? "iam_role" : "iam_user", id, name);
  size_t p = arn.find(":assumed-role/");
  if (p != std::string_view::npos) {
    auto rest = arn.substr(p + 14);
    size_t slash = rest.find('/');
    if (slash != std::string_view::npos)
      add_to_list(e.attributes["session_names"], rest.substr(slash + 1));
  }
  return key;
}

std::string EventReader::access_key(std::string_view id, const std::string& owner) {
  if (!starts_with(id, "AKIA")) return {};  // session keys (ASIA) die with the session
  Entity& k = g.add("access_key", id, id);
  std::string key = k.key;
  if (!owner.empty()) {
    const Entity* o = g.find(owner);
    if (o) {
      g.entities[key].attributes["user"] = o->name;
      g.entities[key].attributes["user_arn"] = o->id;
    }
    g.link(key, owner, "key of", ev);
  }
  return key;
}

void EventReader::ip(std::string_view addr, const std::string& who) {
  if (!is_public_ip(addr)) return;
  out.source_ip = std::string(addr);
  std::string key = g.add("ip", addr, addr).key;
  for (const auto& a : out.actors) g.link(key, a, "source of", ev);
  (void)who;
}

void EventReader::cluster(std::string_view name, std::string_view arn) {
  if (name.empty()) return;
  Entity& c = g.add("cluster", name, name);
  if (!arn.empty()) {
    c.attributes["arn"] = std::string(arn);
    // arn:aws:eks:REGION:ACCOUNT:cluster/NAME
    std::vector<std::string> parts;
    size_t pos = 0;
    for (int i = 0; i < 5; ++i) {
      size_t n = arn.find(':', pos);
      if (n == std::string_view::npos) break;
      parts.emplace_back(arn.substr(pos, n - pos));
      pos = n + 1;
    }
    if (parts.size() >= 5) {
      c.attributes["region"] = parts[3];
      c.attributes["account"] = parts[4];
    }
  }
  if (g.cluster.name.empty()) g.cluster.name = std::string(name);
}

}  // namespace graph_parts

using namespace graph_parts;

Entity& Graph::add(std::string_view kind, std::string_view id, std::string_view name,
                   std::string_view ns) {
  std::string prefix;
  if (kind == "iam_user" || kind == "iam_role" || kind == "iam_principal")
    prefix = "iam";
  else if (kind == "access_key")
    prefix = "key";
  else if (kind == "k8s_user")
    prefix = "k8suser";
  else if (kind == "service_account")
    prefix = "sa";
  else if (kind == "security_group")
    prefix = "sg";
  else if (kind == "s3_bucket")
    prefix = "bucket";
  else if (kind == "cloudtrail_trail")
    prefix = "trail";
  else if (kind == "aws_account")
    prefix = "account";
  else
    prefix = std::string(kind);
  std::string key = prefix + ":" + std::string(id);
  auto [it, inserted] = entities.try_emplace(key);
  Entity& e = it->second;
  if (inserted) {
    e.key = key;
    e.kind = std::string(kind);
    e.id = std::string(id);
    e.name = name.empty() ? std::string(id) : std::string(name);
    e.ns = std::string(ns);
  }
  return e;
}

void Graph::link(const std::string& from, const std::string& to, std::string_view relation,
                 const Evidence& ev) {
  if (from == to || from.empty() || to.empty()) return;
  std::string k = from + "|" + to + "|" + std::string(relation);
  if (!link_keys.insert(k).second) return;
  links.push_back({from, to, std::string(relation), ev});
}

const Entity* Graph::find(const std::string& key) const {
  auto it = entities.find(key);
  return it == entities.end() ? nullptr : &it->second;
}

void Graph::index() {
  adjacency.clear();
  for (size_t i = 0; i < links.size(); ++i) {
    adjacency.emplace(links[i].from, i);
    adjacency.emplace(links[i].to, i);
  }
}

std::vector<std::pair<std::string, const Link*>> Graph::neighbours(const std::string& key) const {
  std::vector<std::pair<std::string, const Link*>> out;
  auto [b, e] = adjacency.equal_range(key);
  for (auto it = b; it != e; ++it) {
    const Link& l = links[it->second];
    out.emplace_back(l.from == key ? l.to : l.from, &l);
  }
  return out;
}

std::string iam_key(std::string_view arn) {
  // arn:aws:sts::ACCT:assumed-role/ROLE/SESSION → arn:aws:iam::ACCT:role/ROLE
  size_t p = arn.find(":assumed-role/");
  if (p != std::string_view::npos) {
    auto rest = arn.substr(p + 14);
    auto role = rest.substr(0, rest.find('/'));
    std::string key = "iam:arn:aws:iam::";
    key.append(account_of(arn)).append(":role/").append(role);
    return key;
  }
  return std::string("iam:").append(arn);
}

std::string k8s_user_key(std::string_view u) {
  if (starts_with(u, "system:serviceaccount:")) {
    auto rest = u.substr(22);
    size_t c = rest.find(':');
    if (c != std::string_view::npos)
      return "sa:" + std::string(rest.substr(0, c)) + "/" + std::string(rest.substr(c + 1));
  }
  if (starts_with(u, "system:node:")) return "node:" + std::string(u.substr(12));
  return "k8suser:" + std::string(u);
}

bool links_findings(const Entity& e) {
  if (e.kind == "cluster" || e.kind == "namespace" || e.kind == "node" || e.kind == "instance")
    return false;
  if (e.kind == "k8s_user" && (starts_with(e.name, "system:") || starts_with(e.name, "eks:")))
    return false;
  if (e.kind == "service_account" && e.ns == "kube-system") return false;
  if (e.kind == "ip") return is_public_ip(e.id);
  if (e.kind == "image" || e.kind == "user_agent") return false;
  return true;
}

std::string display(const Entity& e) {
  if (!e.ns.empty()) return e.ns + "/" + e.name;
  return e.name;
}

EventEntities add_event(Graph& g, const EventView& view, const Evidence& ev) {
  graph_parts::EventReader r{g, ev, view.doc, {}};
  switch (view.source) {
    case Source::CloudTrail:
      r.cloudtrail();
      break;
    case Source::K8sAudit:
      r.k8s_audit();
      break;
    case Source::GuardDuty:
      r.guardduty();
      break;
    case Source::Falco:
      r.falco();
      break;
    case Source::Ocsf:
      r.ocsf();
      break;
    case Source::Vulnerability:
      // A scanner's finding names an image, not an actor or an act: vulnerability events are
      // evidence for the image joins, and add no entity or link to the incident's graph here.
      break;
  }
  return r.out;
}

void add_snapshot(Graph& g, const cluster::Snapshot& snap) {
  Evidence ev;
  ev.source = "snapshot";
  if (snap.cluster) {
    Entity& c = g.add("cluster", snap.cluster->name, snap.cluster->name);
    c.attributes["version"] = snap.cluster->version;
    c.attributes["public_endpoint"] = snap.cluster->public_endpoint ? "true" : "false";
    c.attributes["public_access_cidrs"] = join(snap.cluster->public_cidrs);
    if (g.cluster.name.empty()) g.cluster.name = snap.cluster->name;
  }
  for (const auto& n : snap.nodes) {
    std::string nk = g.add("node", n.name, n.name).key;
    std::string instance = instance_of_provider(n.provider_id);
    Entity& node = g.entities[nk];
    node.attributes["provider_id"] = n.provider_id;
    auto ng = n.labels.find("eks.amazonaws.com/nodegroup");
    if (ng != n.labels.end()) node.attributes["nodegroup"] = ng->second;
    if (!instance.empty()) {
      node.attributes["instance_id"] = instance;
      Entity& in = g.add("instance", instance, instance);
      in.attributes["node"] = n.name;
      std::string zone = zone_of_provider(n.provider_id);
      if (!zone.empty()) in.attributes["availability_zone"] = zone;
      ev.text = "node " + n.name + " providerID " + n.provider_id;
      g.link(nk, in.key, "is instance", ev);
    }
  }
  // Top controller of each ReplicaSet (Deployment) for pods' workload attributes.
  std::map<std::string, std::pair<std::string, std::string>> rs_owner;
  for (const auto& w : snap.workloads)
    if (w.kind == "ReplicaSet")
      for (const auto& o : w.owners) rs_owner[w.ns + "/" + w.name] = {o.kind, o.name};
  // Ownership as the snapshot records it: ReplicaSet → Deployment, Job → CronJob, Pod → any.
  for (const auto& w : snap.workloads) {
    if (w.owners.empty() || w.kind == "Pod") continue;
    std::string wk = workload_kind(w.kind), ok = workload_kind(w.owners[0].kind);
    if (wk.empty() || ok.empty() || ok == "Pod") continue;
    Entity& child = g.add("workload", wk + "/" + w.ns + "/" + w.name, w.name, w.ns);
    child.attributes["kind"] = wk;
    child.attributes["owner_kind"] = ok;
    child.attributes["owner_name"] = w.owners[0].name;
    Entity& owner =
        g.add("workload", ok + "/" + w.ns + "/" + w.owners[0].name, w.owners[0].name, w.ns);
    owner.attributes["kind"] = ok;
    ev.text = fmt::format("{} {}/{} is owned by {} {} in the cluster snapshot", wk, w.ns, w.name,
                          ok, w.owners[0].name);
    g.link(child.key, owner.key, "owned by", ev);
  }
  for (const auto& w : snap.workloads) {
    if (w.kind != "Pod") continue;
    std::string pk = g.add("pod", w.ns + "/" + w.name, w.name, w.ns).key;
    {
      Entity& p = g.entities[pk];
      for (const auto& [k, v] : w.labels) p.labels[k] = v;
      if (!w.pod.node_name.empty()) p.attributes["node"] = w.pod.node_name;
      if (!w.pod.service_account.empty()) p.attributes["service_account"] = w.pod.service_account;
      std::vector<std::string> images;
      for (const auto& c : w.pod.containers) images.push_back(c.image);
      if (!images.empty()) p.attributes["images"] = join(images);
      if (!w.owners.empty()) {
        p.attributes["owner_kind"] = w.owners[0].kind;
        p.attributes["owner_name"] = w.owners[0].name;
        std::string wk = w.owners[0].kind, wn = w.owners[0].name;
        if (wk == "ReplicaSet") {
          auto it = rs_owner.find(w.ns + "/" + wn);
          if (it != rs_owner.end()) {
            wk = it->second.first;
            wn = it->second.second;
          } else {
            // pod-template-hash suffix: web-7d4b9c8f6 belongs to Deployment web.
            auto h = w.labels.find("pod-template-hash");
            if (h != w.labels.end() && wn.size() > h->second.size() + 1 &&
                wn.substr(wn.size() - h->second.size()) == h->second) {
              wk = "Deployment";
              wn = wn.substr(0, wn.size() - h->second.size() - 1);
            }
          }
        }
        p.attributes["workload_kind"] = wk;
        p.attributes["workload_name"] = wn;
      }
    }
    ev.text = "pod " + w.ns + "/" + w.name + " in the cluster snapshot";
    if (!w.owners.empty())
      if (std::string ok = workload_kind(w.owners[0].kind); !ok.empty() && ok != "Pod") {
        Entity& owner =
            g.add("workload", ok + "/" + w.ns + "/" + w.owners[0].name, w.owners[0].name, w.ns);
        owner.attributes["kind"] = ok;
        g.link(pk, owner.key, "owned by", ev);
      }
    if (!w.pod.node_name.empty())
      g.link(pk, g.add("node", w.pod.node_name, w.pod.node_name).key, "ran on", ev);
    if (!w.pod.service_account.empty())
      g.link(
          pk,
          g.add("service_account", w.ns + "/" + w.pod.service_account, w.pod.service_account, w.ns)
              .key,
          "runs as", ev);
  }
  for (const auto& sa : snap.service_accounts) {
    Entity& s = g.add("service_account", sa.ns + "/" + sa.name, sa.name, sa.ns);
    if (!sa.role_arn.empty()) s.attributes["role_arn"] = sa.role_arn;
  }
  for (const auto& a : snap.aws_auth) {
    if (a.username.empty() || a.arn.empty()) continue;
    ev.text = "kube-system/aws-auth maps " + a.arn + " to " + a.username;
    std::string uk = k8s_user_key(a.username);
    if (a.username.find("{{EC2PrivateDNSName}}") != std::string::npos) {
      Entity& r =
          g.add(a.user ? "iam_user" : "iam_role", a.arn, a.arn.substr(a.arn.rfind('/') + 1));
      r.attributes["node_role"] = "true";
    }
    if (a.username.find("{{") != std::string::npos) continue;  // node role templates
    if (starts_with(uk, "k8suser:")) g.add("k8s_user", a.username, a.username);
    Entity& i = g.add(a.user ? "iam_user" : "iam_role", a.arn, a.arn.substr(a.arn.rfind('/') + 1));
    if (!a.groups.empty()) i.attributes["k8s_groups"] = join(a.groups);
    g.link(uk, "iam:" + a.arn, "mapped from (aws-auth)", ev);
  }
  for (const auto& e : snap.access_entries) {
    if (e.principal_arn.empty()) continue;
    ev.text = "EKS access entry for " + e.principal_arn;
    bool role = e.principal_arn.find(":role/") != std::string::npos;
    std::string pk = g.add(role ? "iam_role" : "iam_user", e.principal_arn,
                           e.principal_arn.substr(e.principal_arn.rfind('/') + 1))
                         .key;
    if (e.type == "EC2_LINUX" || e.type == "EC2_WINDOWS" || e.type == "EC2")
      g.entities[pk].attributes["node_role"] = "true";
    if (snap.cluster && !snap.cluster->name.empty()) {
      Entity& ae =
          g.add("access_entry", snap.cluster->name + "/" + e.principal_arn, e.principal_arn);
      ae.attributes["principal_arn"] = e.principal_arn;
      ae.attributes["cluster"] = snap.cluster->name;
      if (!e.type.empty()) ae.attributes["type"] = e.type;
      if (!e.username.empty()) ae.attributes["username"] = e.username;
      for (const auto& p : e.policies)
        add_to_list(ae.attributes["policies"], p.policy_arn.substr(p.policy_arn.rfind('/') + 1));
      g.link(ae.key, pk, "grants cluster access to", ev);
    }
    if (!e.username.empty() && e.username.find("{{") == std::string::npos) {
      std::string uk = k8s_user_key(e.username);
      if (starts_with(uk, "k8suser:")) g.add("k8s_user", e.username, e.username);
      g.link(uk, "iam:" + e.principal_arn, "mapped from (access entry)", ev);
    }
  }
}

}  // namespace eksir::incident
