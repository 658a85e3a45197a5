// Private to incident/: the entity graph — who and what the evidence names, and the links
// between them (access key → IAM principal → Kubernetes user → objects → pods → nodes → EC2
// instances), each link with the record that shows it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster.h"
#include "incident/incident.h"
#include "util/cidr.h"

namespace eksir::incident {

struct Graph {
  std::map<std::string, Entity> entities;
  std::vector<Link> links;
  std::set<std::string> link_keys;  // from|to|relation, to add each link once
  // Default attributes of the cluster(s) named by the evidence.
  ClusterRef cluster;

  Entity& add(std::string_view kind, std::string_view id, std::string_view name = {},
              std::string_view ns = {});
  void link(const std::string& from, const std::string& to, std::string_view relation,
            const Evidence& ev);
  const Entity* find(const std::string& key) const;
  // Keys linked to key (both directions), with the relation.
  std::vector<std::pair<std::string, const Link*>> neighbours(const std::string& key) const;
  void index();  // builds the adjacency used by neighbours()

  std::multimap<std::string, size_t> adjacency;
};

// What one event shows: its actors and the objects it acted on (entity keys).
struct EventEntities {
  std::vector<std::string> actors, targets;
  std::string source_ip;  // public source address, when any
  std::string verb;       // the Kubernetes verb or API action
};

// Adds the entities and links one event names; ev is the evidence for each link.
EventEntities add_event(Graph& g, const EventView& view, const Evidence& ev);
// Adds pods, nodes, service accounts, bindings, aws-auth and access entries of the snapshot.
void add_snapshot(Graph& g, const cluster::Snapshot& snap);

// Entity keys.
std::string iam_key(std::string_view arn);            // session ARNs → the role
std::string k8s_user_key(std::string_view username);  // service accounts and nodes get theirs
inline bool is_public_ip(std::string_view ip) {
  return util::is_public_ipv4(ip);
}
// False for entities many unrelated findings share (cluster, namespace, node, system users,
// private addresses): they do not join findings into one incident.
bool links_findings(const Entity& e);
std::string display(const Entity& e);  // "kube-system/backup-agent", "ci-deployer", ...

}  // namespace eksir::incident
