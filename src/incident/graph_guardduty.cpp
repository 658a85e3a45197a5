// A GuardDuty finding: the Kubernetes user or the access key and its owner, the workload and its
// images, the remote address, the instance and node.
#include <fmt/format.h>

#include <algorithm>

#include "cluster/cluster.h"
#include "event/fields.h"
#include "event/native_paths.h"
#include "incident/facets.h"
#include "incident/graph_event.h"
#include "util/text.h"

namespace eksir::incident::graph_parts {

namespace gd = native::guardduty;

void EventReader::guardduty() {
  std::string cn = path_text(d, gd::kClusterName);
  cluster(cn, path_text(d, gd::kClusterArn));
  if (g.cluster.region.empty()) g.cluster.region = path_text(d, gd::kRegion);
  if (g.cluster.account.empty()) g.cluster.account = path_text(d, gd::kAccountId);
  std::string account = path_text(d, gd::kAccountId);
  std::string user = path_text(d, gd::kKubernetesUser);
  std::string uk;
  if (!user.empty()) {
    uk = k8s_user_key(user);
    if (starts_with(uk, "k8suser:")) g.add("k8s_user", user, user);
    actor(uk);
  }
  std::string key_id = path_text(d, gd::kAccessKeyId);
  std::string key_user = path_text(d, gd::kAccessKeyUser);
  std::string key_type = path_text(d, gd::kAccessKeyUserType);
  std::string owner;
  if (!key_user.empty() && key_type == "IAMUser") owner = iam(user_arn_of(account, key_user));
  if (!owner.empty()) actor(owner);
  if (!owner.empty() && !uk.empty()) g.link(uk, owner, "authenticated as", ev);
  if (!key_user.empty() && (key_type == "AssumedRole" || key_type == "Role")) {
    owner = iam(role_arn_of(account, key_user));
    actor(owner);
    std::string principal = path_text(d, gd::kAccessKeyPrincipalId);
    std::string session = principal.substr(
        principal.find(':') == std::string::npos ? principal.size() : principal.find(':') + 1);
    if (std::string inst = session_instance("/" + session); !inst.empty()) {
      g.entities[owner].attributes["node_role"] = "true";
      g.link(owner, g.add("instance", inst, inst).key, "instance role of", ev);
    }
  }
  if (std::string k = access_key(key_id, owner); !k.empty()) actor(k);
  if (std::string b = path_text(d, gd::kS3BucketName); !b.empty())
    target(g.add("s3_bucket", b, b).key);
  ip(first_path(d, {gd::kKubernetesApiRemoteIp, gd::kAwsApiRemoteIp}), uk);
  std::string wtype = path_text(d, gd::kWorkloadType);
  std::string wname = path_text(d, gd::kWorkloadName);
  std::string wns = path_text(d, gd::kWorkloadNamespace);
  std::string pod_key;
  if (!wname.empty()) {
    std::string wk = workload_kind(wtype);
    if (wk == "Pod" || wtype.empty()) {
      Entity& p = g.add("pod", wns + "/" + wname, wname, wns);
      pod_key = p.key;
      std::string uid = path_text(d, gd::kWorkloadUid);
      if (!uid.empty()) p.id = uid;
    } else {
      if (wk.empty()) wk = wtype;
      Entity& w = g.add("workload", wk + "/" + wns + "/" + wname, wname, wns);
      w.attributes["kind"] = wk;
      pod_key = w.key;
    }
    target(pod_key);
    for (const auto& i : all_texts(d, gd::kWorkloadImages)) {
      add_to_list(g.entities[pod_key].attributes["images"], i);
      g.link(pod_key, g.add("image", i, i).key, "runs image", ev);
    }
    for (const auto& a : out.actors) g.link(a, pod_key, "acted on", ev);
  }
  if (std::string remote = path_text(d, gd::kNetworkConnectionRemoteIp);
      !pod_key.empty() && is_public_ip(remote))
    g.link(pod_key, g.add("ip", remote, remote).key, "connected to", ev);
  std::string instance = path_text(d, gd::kInstanceId);
  std::string node = path_text(d, gd::kInstancePrivateDnsName);
  if (!instance.empty()) {
    Entity& in = g.add("instance", instance, instance);
    std::string az = path_text(d, gd::kInstanceAvailabilityZone);
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
