// An OCSF (EDR) finding: the device as node and instance, and the Kubernetes pods it names.
#include <fmt/format.h>

#include <algorithm>

#include "cluster/cluster.h"
#include "event/fields.h"
#include "event/native_paths.h"
#include "incident/facets.h"
#include "incident/graph_event.h"
#include "util/text.h"

namespace eksir::incident::graph_parts {

namespace ocsf = native::ocsf;

void EventReader::ocsf() {
  std::string host = path_text(d, ocsf::kDeviceHostname);
  std::string instance = path_text(d, ocsf::kDeviceInstanceUid);
  std::string nk, ik;
  if (!host.empty()) nk = g.add("node", host, host).key;
  if (!instance.empty()) ik = g.add("instance", instance, instance).key;
  if (!nk.empty() && !ik.empty()) {
    g.entities[nk].attributes["instance_id"] = instance;
    g.link(nk, ik, "is instance", ev);
  }
  if (!nk.empty()) target(nk);
  if (!ik.empty()) target(ik);
  simdjson::dom::array res;
  if (d[ocsf::kResources].get(res) == simdjson::SUCCESS)
    for (auto r : res) {
      if (path_text(r, ocsf::kResourceType) != "Kubernetes Pod") continue;
      std::string full = path_text(r, ocsf::kResourceName);
      size_t slash = full.find('/');
      if (slash == std::string::npos) continue;
      std::string pk = g.add("pod", full, full.substr(slash + 1), full.substr(0, slash)).key;
      std::string uid = path_text(r, ocsf::kResourceUid);
      if (!uid.empty()) g.entities[pk].id = uid;
      target(pk);
      if (!nk.empty()) g.link(pk, nk, "ran on", ev);
    }
}

}  // namespace eksir::incident::graph_parts
