// A Kubernetes audit event: the user (and the IAM principal EKS authenticated), its address, the
// object of the request (pods with their spec, bindings, roles, workloads and their owners,
// secrets, nodes), the binding that allowed it, and aws-auth's mappings when it is written.
#include <fmt/format.h>

#include <algorithm>

#include "cluster/cluster.h"
#include "event/fields.h"
#include "incident/facets.h"
#include "incident/graph_event.h"
#include "util/text.h"

namespace eksir::incident::graph_parts {

void EventReader::k8s_audit() {
  std::string user = path_text(d, "user.username");
  std::string uk = k8s_user_key(user);
  if (starts_with(uk, "k8suser:"))
    g.add("k8s_user", user, user);
  else if (starts_with(uk, "sa:")) {
    auto slash = uk.find('/');
    g.add("service_account", uk.substr(3), uk.substr(slash + 1), uk.substr(3, slash - 3));
  } else if (starts_with(uk, "node:"))
    g.add("node", uk.substr(5), uk.substr(5));
  std::string subresource = path_text(d, "objectRef.subresource");
  std::string resource = path_text(d, "objectRef.resource");
  std::string ns = path_text(d, "objectRef.namespace");
  std::string name = path_text(d, "objectRef.name");
  std::string verb = path_text(d, "verb");
  out.verb = verb;
  if (resource == "pods" && subresource == "binding") {
    // The scheduler placing a pod: the pod → node link, nothing about the scheduler.
    std::string node = path_text(d, "requestObject.target.name");
    if (!node.empty() && !name.empty()) {
      std::string pk = g.add("pod", ns + "/" + name, name, ns).key;
      g.entities[pk].attributes["node"] = node;
      g.link(pk, g.add("node", node, node).key, "scheduled on", ev);
      target(pk);
    }
    return;
  }
  actor(uk);
  std::string arn = first_path(d, {"user.extra.arn", "user.extra.canonicalArn"});
  if (!arn.empty()) {
    std::string ik = iam(arn);
    g.link(uk, ik, "authenticated as", ev);
    actor(ik);
    std::string k = access_key(path_text(d, "user.extra.accessKeyId"), ik);
    if (!k.empty()) actor(k);
  }
  ip(path_text(d, "sourceIPs"), uk);
  if (name.empty()) name = path_text(d, "responseObject.metadata.name");
  if (name.empty()) name = path_text(d, "requestObject.metadata.name");
  std::string t;
  simdjson::dom::element obj;
  bool has_obj = d["requestObject"].get(obj) == simdjson::SUCCESS && obj.is_object();
  simdjson::dom::element resp;
  bool has_resp = d["responseObject"].get(resp) == simdjson::SUCCESS && resp.is_object() &&
                  path_text(resp, "kind") != "Status";
  simdjson::dom::element spec_obj = has_resp ? resp : obj;
  bool has_spec = has_resp || has_obj;
  if (resource == "pods" && !name.empty()) {
    Entity& p = g.add("pod", ns + "/" + name, name, ns);
    t = p.key;
    if (has_spec && (verb == "create" || verb == "update" || verb == "patch"))
      pod_attributes(g, g.entities[t], spec_obj, ev);
  } else if ((resource == "clusterrolebindings" || resource == "rolebindings") && !name.empty()) {
    std::string kind = resource == "clusterrolebindings" ? "ClusterRoleBinding" : "RoleBinding";
    Entity& b = g.add("binding", kind + "/" + (ns.empty() ? "" : ns + "/") + name, name, ns);
    b.attributes["kind"] = kind;
    t = b.key;
    if (has_obj) binding_attributes(g, t, obj, ev);
  } else if ((resource == "clusterroles" || resource == "roles") && !name.empty()) {
    Entity& r = g.add("role",
                      (resource == "clusterroles" ? "ClusterRole/" : "Role/") +
                          (ns.empty() ? "" : ns + "/") + name,
                      name, ns);
    r.attributes["kind"] = resource == "clusterroles" ? "ClusterRole" : "Role";
    t = r.key;
  } else if (resource == "serviceaccounts" && !name.empty()) {
    t = g.add("service_account", ns + "/" + name, name, ns).key;
  } else if (resource == "secrets" && !name.empty()) {
    t = g.add("secret", ns + "/" + name, name, ns).key;
  } else if (resource == "configmaps" && !name.empty()) {
    t = g.add("configmap", ns + "/" + name, name, ns).key;
  } else if (std::string wk = workload_kind(resource);
             !wk.empty() && wk != "Pod" && !name.empty()) {
    Entity& w = g.add("workload", wk + "/" + ns + "/" + name, name, ns);
    w.attributes["kind"] = wk;
    t = w.key;
    // A workload made by another (a CronJob's Job, a Deployment's ReplicaSet).
    if (has_spec && verb == "create") {
      std::string owner_kind = path_text(spec_obj, "metadata.ownerReferences.kind");
      std::string owner_name = path_text(spec_obj, "metadata.ownerReferences.name");
      std::string owk = workload_kind(owner_kind);
      if (!owk.empty() && owk != "Pod" && !owner_name.empty()) {
        g.entities[t].attributes["owner_kind"] = owk;
        g.entities[t].attributes["owner_name"] = owner_name;
        Entity& o = g.add("workload", owk + "/" + ns + "/" + owner_name, owner_name, ns);
        o.attributes["kind"] = owk;
        g.link(t, o.key, "owned by", ev);
      }
    }
  } else if (resource == "nodes" && !name.empty()) {
    t = g.add("node", name, name).key;
  }
  if (!t.empty() && t != uk) {
    target(t);
    std::string rel(relation_for_verb(verb, subresource));
    g.link(uk, t, rel, ev);
  }
  // The binding that let the request through, as the API server recorded it.
  if (std::string b = binding_from_reason(path_text(d, "annotations.authorization.k8s.io/reason"));
      !b.empty()) {
    std::string bname = b.substr(b.rfind('/') + 1);
    bool cluster_binding = b.rfind("binding:ClusterRoleBinding/", 0) == 0;
    std::string bns = cluster_binding ? "" : b.substr(20, b.rfind('/') - 20);
    Entity& be = g.add("binding", b.substr(8), bname, bns);
    be.attributes["kind"] = cluster_binding ? "ClusterRoleBinding" : "RoleBinding";
    if (!starts_with(uk, "k8suser:system:") || user == "system:anonymous")
      g.link(uk, be.key, "allowed by", ev);
  }
  // aws-auth written: the IAM principals it maps to Kubernetes users.
  if (resource == "configmaps" && ns == "kube-system" && name == "aws-auth" && has_spec &&
      (verb == "create" || verb == "update" || verb == "patch")) {
    for (bool users : {false, true}) {
      std::string text = path_text(obj, users ? "data.mapUsers" : "data.mapRoles");
      if (text.empty()) continue;
      std::string error;
      for (const auto& e : cluster::parse_aws_auth_list(text, users, error)) {
        if (e.arn.empty() || e.username.empty() || e.username.find("{{") != std::string::npos)
          continue;
        std::string pk = iam(e.arn);
        std::string mk = k8s_user_key(e.username);
        if (mk.rfind("k8suser:", 0) == 0) g.add("k8s_user", e.username, e.username);
        Evidence mev = ev;
        mev.text = fmt::format("kube-system/aws-auth maps {} to {}", e.arn, e.username);
        if (!pk.empty()) g.link(mk, pk, "mapped from (aws-auth)", mev);
      }
    }
  }
}

}  // namespace eksir::incident::graph_parts
