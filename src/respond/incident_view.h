// The parts of the incident JSON (docs/incident-json.md) the planner reads, as plain values.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace eksir::respond {

struct Affected {
  std::string kind, name, ns, id, why;
  std::vector<std::string> findings;
  std::map<std::string, std::string> attributes, labels;
  std::string attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
};

// A pod of the cluster snapshot the investigation read (for label sharing).
struct SnapshotPod {
  std::string ns, name, node;
  std::map<std::string, std::string> labels;
};

struct IncidentView {
  std::string case_dir, id, title, type, severity;
  std::string cluster, region, account, cluster_arn;
  bool production = true;
  std::vector<Affected> affected;
  std::vector<std::string> finding_rules;  // rule ids of the incident's findings
  std::vector<std::string> gaps;
  std::vector<std::string> input_paths;  // run.inputs[].path
  // From the snapshot files among the inputs, when they could be read.
  bool have_snapshot_pods = false;
  std::vector<SnapshotPod> snapshot_pods;
  std::vector<std::string> public_access_cidrs;
  bool gatekeeper = false;

  std::vector<const Affected*> of_kind(std::string_view kind) const;
  bool has_rule(std::string_view rule) const;
};

// Parses the incident document; error is set (and the view partial) when it is not one.
IncidentView parse_incident(std::string_view json, std::string& error);
// Reads the snapshot files among input_paths (relative ones against base_dir and the case dir).
void read_snapshot(IncidentView& view, const std::string& base_dir);

// Comma-separated attribute values, trimmed, empties dropped.
std::vector<std::string> split_list(std::string_view s);

}  // namespace eksir::respond
