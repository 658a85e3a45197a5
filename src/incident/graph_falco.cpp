// A Falco alert: the pod (or, for k8s_audit rules, the object of the request), its image, the node
// it ran on, the remote end of a connection, the Kubernetes user.
#include <fmt/format.h>

#include <algorithm>

#include "cluster/cluster.h"
#include "event/fields.h"
#include "event/native_paths.h"
#include "incident/facets.h"
#include "incident/graph_event.h"
#include "util/text.h"

namespace eksir::incident::graph_parts {

namespace falco = native::falco;

void EventReader::falco() {
  std::string pod = path_text(d, falco::kPodName);
  std::string ns = path_text(d, falco::kNamespace);
  std::string kuser = path_text(d, falco::kAuditUser);
  // A k8s_audit alert's hostname is the Falco pod that read the audit log, not a node.
  std::string host = kuser.empty() && path_text(d, falco::kSource) != "k8s_audit"
                         ? path_text(d, falco::kHostname)
                         : std::string();
  std::string pk;
  if (pod.empty() && path_text(d, falco::kSource) == "k8s_audit") {
    // k8saudit rules name the object of the request.
    std::string res = path_text(d, falco::kAuditTargetResource);
    std::string tname = path_text(d, falco::kAuditTargetName);
    std::string tns = path_text(d, falco::kAuditTargetNamespace);
    if (tname.empty()) tname = path_text(d, falco::kAuditResponseName);
    if (res == "pods" && !tname.empty()) {
      pod = tname;
      ns = tns;
    } else if (std::string wk = workload_kind(res); !wk.empty() && wk != "Pod" && !tname.empty()) {
      Entity& w = g.add("workload", wk + "/" + tns + "/" + tname, tname, tns);
      w.attributes["kind"] = wk;
      target(w.key);
    }
  }
  if (!pod.empty()) {
    pk = g.add("pod", ns + "/" + pod, pod, ns).key;
    target(pk);
    std::string repo = path_text(d, falco::kImageRepository);
    std::string tag = path_text(d, falco::kImageTag);
    if (!repo.empty()) {
      std::string img = tag.empty() ? repo : repo + ":" + tag;
      g.link(pk, g.add("image", img, img).key, "runs image", ev);
    }
  }
  if (!host.empty()) {
    std::string nk = g.add("node", host, host).key;
    if (!pk.empty()) g.link(pk, nk, "ran on", ev);
    target(nk);
  }
  // The remote end of a connection the workload made (a reverse shell, a download).
  std::string remote = first_path(d, {falco::kServerIp, falco::kRemoteIp});
  if (!pk.empty() && is_public_ip(remote))
    g.link(pk, g.add("ip", remote, remote).key, "connected to", ev);
  if (!kuser.empty()) actor(k8s_user_key(kuser));
}

}  // namespace eksir::incident::graph_parts
