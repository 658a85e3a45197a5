// Private to the entity graph (incident/graph*.cpp): one event read into the graph, one file per
// source (graph_cloudtrail.cpp, graph_k8s_audit.cpp, graph_guardduty.cpp, graph_falco.cpp,
// graph_ocsf.cpp), and the helpers they share with the snapshot's reading in graph.cpp.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "incident/graph.h"

namespace eksir::incident::graph_parts {

bool starts_with(std::string_view s, std::string_view p);
std::string join(const std::vector<std::string>& v, std::string_view sep = ",");
// Adds item to a comma-separated list once.
void add_to_list(std::string& list, std::string_view item);
// Every string value at a path (arrays flattened).
std::vector<std::string> all_texts(simdjson::dom::element root, std::string_view path);
std::string account_of(std::string_view arn);
std::string instance_of_provider(std::string_view provider_id);  // aws:///zone/i-... → i-...
std::string zone_of_provider(std::string_view provider_id);
std::string_view relation_for_verb(std::string_view verb, std::string_view subresource);
std::string role_arn_of(std::string_view account, std::string_view name);
std::string user_arn_of(std::string_view account, std::string_view name);
// The pod details of a pod object (request/response object, snapshot) become attributes.
void pod_attributes(Graph& g, Entity& pod, simdjson::dom::element obj, const Evidence& ev);
void binding_attributes(Graph& g, const std::string& key, simdjson::dom::element obj,
                        const Evidence& ev);

// One event being read: the graph, the record, and what it shows so far.
struct EventReader {
  Graph& g;
  const Evidence& ev;
  simdjson::dom::element d;
  EventEntities out;

  void actor(const std::string& key);
  void target(const std::string& key);
  // The IAM principal's entity key ("" unless arn is an ARN); a session names its role.
  std::string iam(std::string_view arn);
  // A long-term key (AKIA...) linked to its owner; "" for session keys.
  std::string access_key(std::string_view id, const std::string& owner);
  // A public source address, linked to the actors so far.
  void ip(std::string_view addr, const std::string& who);
  void cluster(std::string_view name, std::string_view arn);

  void cloudtrail();
  void k8s_audit();
  void guardduty();
  void falco();
  void ocsf();
};

}  // namespace eksir::incident::graph_parts
