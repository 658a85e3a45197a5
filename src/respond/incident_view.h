// The parts of the incident (docs/incident-json.md, read by incident::read_json) the planner
// reads, with what it adds from the cluster snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster.h"
#include "incident/incident.h"

namespace eksir::respond {

using Affected = incident::Affected;

// A pod of the cluster snapshot the investigation read (for label sharing).
struct SnapshotPod {
  std::string ns, name, node;
  std::string owner_kind, owner_name;  // its controller, when it has one
  std::map<std::string, std::string> labels;
  // It can reach its node: a privileged container, SYS_ADMIN, a host namespace or a hostPath.
  bool host_access = false;
  std::vector<std::pair<std::string, std::string>> containers;  // name, image (init ones too)
};

// A controller of the cluster snapshot (Deployment, ReplicaSet, Job, CronJob...) and its owner.
struct SnapshotController {
  std::string kind, ns, name;
  std::string owner_kind, owner_name;
};

// One input of the investigation (run.inputs[]), as recorded.
struct InputFile {
  std::string path, sha256;
  uint64_t size = 0;
};

struct IncidentView {
  std::string case_dir, id, title, type, severity;
  std::string cluster, region, account, cluster_arn;
  bool production = true;
  std::vector<Affected> affected;
  std::vector<std::string> finding_rules;  // rule ids of the incident's findings
  std::vector<detect::Finding> findings;   // the incident's findings
  std::vector<std::string> gaps;
  std::vector<std::pair<std::string, std::string>> not_expanded;  // entity, why
  std::vector<InputFile> inputs;                                  // run.inputs[]
  std::string run_cwd;  // run.cwd: where investigate ran (relative inputs start there)
  // From the snapshot files among the inputs, when they could be read and still hash to what
  // the investigation recorded; snapshot_problem says why not (a file missing or changed).
  std::string snapshot_problem;
  bool have_snapshot_pods = false;
  std::vector<SnapshotPod> snapshot_pods;
  std::vector<SnapshotController> snapshot_controllers;
  std::optional<cluster::ConfigMapCopy> aws_auth;  // kube-system/aws-auth as the snapshot holds it
  std::vector<std::string> public_access_cidrs;
  bool gatekeeper = false;

  std::vector<const Affected*> of_kind(std::string_view kind) const;
  const SnapshotPod* snapshot_pod(std::string_view ns, std::string_view name) const;
  bool has_rule(std::string_view rule) const;
};

// Reads the incident document (incident::read_json); error is set when it is not one.
IncidentView parse_incident(std::string_view json, std::string& error);
// Reads the snapshot files among the inputs: relative paths from run_cwd (base_dir when the
// incident does not record it), never from the current directory; each file only when it still
// has the SHA-256 the investigation recorded.
void read_snapshot(IncidentView& view, const std::string& base_dir);

// Comma-separated attribute values, trimmed, empties dropped.
std::vector<std::string> split_list(std::string_view s);

}  // namespace eksir::respond
