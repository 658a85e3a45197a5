// Shared by the planner's files: id checks for AWS values, the YAML writer and the phase
// builders.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "respond/incident_view.h"
#include "respond/respond.h"

namespace eksir::respond {

bool is_access_key_id(std::string_view s);
bool is_iam_name(std::string_view s);
bool is_iam_arn(std::string_view s);
bool is_cluster_name(std::string_view s);
bool is_region(std::string_view s);
bool is_security_group_id(std::string_view s);
bool is_sg_rule_id(std::string_view s);
bool is_instance_id(std::string_view s);
bool is_ipv4_cidr(std::string_view s);

// Block-style YAML of a JSON value; strings are quoted whenever YAML could read them otherwise.
std::string to_yaml(const nlohmann::json& value);
// The strings of a JSON array (other elements and non-arrays give nothing).
std::vector<std::string> string_list(const nlohmann::json& j);

// What every phase builder gets.
struct PlanContext {
  const IncidentView& incident;
  const PlanOptions& options;
  Plan& plan;
  std::vector<std::string> skipped;  // entities left out because a name failed its check

  Command kubectl(std::vector<std::string> args) const;
  Command aws(std::vector<std::string> args) const;  // adds --region
  // Sets the manifest of step from a JSON object (YAML on stdin, JSON kept for validation).
  void set_manifest(Step& step, const nlohmann::json& manifest) const;
  void add(Step step);
  // Records that an entity was left out, and returns false, when ok is false.
  bool check(bool ok, std::string_view what, std::string_view value);
};

void build_contain(PlanContext& ctx);
void build_eradicate(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);
void build_recover(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);

// Pods of the incident in namespace ns and the narrowest label selector picking just them.
struct Selector {
  std::map<std::string, std::string> labels;
  std::vector<std::string> others;  // pods outside the incident it also selects
  bool known = false;               // the snapshot held the namespace's pods
};
Selector narrowest_selector(const IncidentView& incident, const std::vector<const Affected*>& pods);

// Warning for production / system namespaces (the playbook's Considerations).
std::string production_warning(const IncidentView& incident, std::string_view ns);

}  // namespace eksir::respond
