// A GuardDuty finding: the Kubernetes user or the access key and its owner, the workload and its
// images, the remote address, the instance and node.
#include <fmt/format.h>

#include <algorithm>

#include "cluster/cluster.h"
#include "event/fields.h"
#include "incident/facets.h"
#include "incident/graph_event.h"
#include "util/text.h"

namespace eksir::incident::graph_parts {

void EventReader::guardduty() {
  std::string cn = path_text(d, "resource.eksClusterDetails.name");
  cluster(cn, path_text(d, "resource.eksClusterDetails.arn"));
  if (g.cluster.region.empty()) g.cluster.region = path_text(d, "region");
  if (g.cluster.account.empty()) g.cluster.account = path_text(d, "accountId");
  std::string account = path_text(d, "accountId");
  std::string user = path_text(d, "resource.kubernetesDetails.kubernetesUserDetails.username");
  std::string uk;
  if (!user.empty()) {
    uk = k8s_user_key(user);
    if (starts_with(uk, "k8suser:")) g.add("k8s_user", user, user);
    actor(uk);
  }
  std::string key_id = path_text(d, "resource.accessKeyDetails.accessKeyId");
  std::string key_user = path_text(d, "resource.accessKeyDetails.userName");
  std::string key_type = path_text(d, "resource.accessKeyDetails.userType");
  std::string owner;
  if (!key_user.empty() && key_type == "IAMUser") owner = iam(user_arn_of(account, key_user));
  if (!owner.empty()) actor(owner);
  if (!owner.empty() && !uk.empty()) g.link(uk, owner, "authenticated as", ev);
  if (!key_user.empty() && (key_type == "AssumedRole" || key_type == "Role")) {
    owner = iam(role_arn_of(account, key_user));
    actor(owner);
    std::string principal = path_text(d, "resource.accessKeyDetails.principalId");
    std::string session = principal.substr(
        principal.find(':') == std::string::npos ? principal.size() : principal.find(':') + 1);
    if (std::string inst = session_instance("/" + session); !inst.empty()) {
      g.entities[owner].attributes["node_role"] = "true";
      g.link(owner, g.add("instance", inst, inst).key, "instance role of", ev);
    }
  }
  if (std::string k = access_key(key_id, owner); !k.empty()) actor(k);
  if (std::string b = path_text(d, "resource.s3BucketDetails.name"); !b.empty())
    target(g.add("s3_bucket", b, b).key);
  ip(first_path(d, {"service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4",
                    "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4"}),
     uk);
  std::string wtype = path_text(d, "resource.kubernetesDetails.kubernetesWorkloadDetails.type");
  std::string wname = path_text(d, "resource.kubernetesDetails.kubernetesWorkloadDetails.name");
  std::string wns = path_text(d, "resource.kubernetesDetails.kubernetesWorkloadDetails.namespace");
  std::string pod_key;
  if (!wname.empty()) {
    std::string wk = workload_kind(wtype);
    if (wk == "Pod" || wtype.empty()) {
      Entity& p = g.add("pod", wns + "/" + wname, wname, wns);
      pod_key = p.key;
      std::string uid = path_text(d, "resource.kubernetesDetails.kubernetesWorkloadDetails.uid");
      if (!uid.empty()) p.id = uid;
    } else {
      if (wk.empty()) wk = wtype;
      Entity& w = g.add("workload", wk + "/" + wns + "/" + wname, wname, wns);
      w.attributes["kind"] = wk;
      pod_key = w.key;
    }
    target(pod_key);
    for (const auto& i :
         all_texts(d, "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image")) {
      add_to_list(g.entities[pod_key].attributes["images"], i);
      g.link(pod_key, g.add("image", i, i).key, "runs image", ev);
    }
    for (const auto& a : out.actors) g.link(a, pod_key, "acted on", ev);
  }
  if (std::string remote =
          path_text(d, "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4");
      !pod_key.empty() && is_public_ip(remote))
    g.link(pod_key, g.add("ip", remote, remote).key, "connected to", ev);
  std::string instance = path_text(d, "resource.instanceDetails.instanceId");
  std::string node = path_text(d, "resource.instanceDetails.networkInterfaces.privateDnsName");
  if (!instance.empty()) {
    Entity& in = g.add("instance", instance, instance);
    std::string az = path_text(d, "resource.instanceDetails.availabilityZone");
    if (!az.empty()) in.attributes["availability_zone"] = az;
    std::string ik = in.key;
    target(ik);
    if (!node.empty()) {
      std::string nk = g.add("node", node, node).key;
      g.entities[nk].attributes["instance_id"] = instance;
      g.link(nk, ik, "is instance", ev);
      if (!pod_key.empty()) g.link(pod_key, nk, "ran on", ev);
      target(nk);
    }
  }
}

}  // namespace eksir::incident::graph_parts
