// Shared by the planner's files: the YAML writer, the argv of each step through the command
// builder, and the phase builders.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "command/command.h"
#include "respond/incident_view.h"
#include "respond/respond.h"

namespace eksir::respond {

using command::Type;

// Block-style YAML of a JSON value; strings are quoted whenever YAML could read them otherwise.
std::string to_yaml(const nlohmann::json& value);
// The strings of a JSON array (other elements and non-arrays give nothing).
std::vector<std::string> string_list(const nlohmann::json& j);

// What every phase builder gets.
struct PlanContext {
  const IncidentView& incident;
  const PlanOptions& options;
  Plan& plan;

  command::Builder kubectl() const;  // kubectl [--context=C]
  command::Builder aws(std::string_view service, std::string_view operation) const;
  // The command b describes (aws: with --region and --output). When a value fails its rule the
  // step is blocked with the reason and the command left empty: nothing unchecked is kept.
  Command finish(Step& step, command::Builder b) const;
  // Blocks step unless value meets t's rule; returns whether it does.
  bool require(Step& step, Type t, std::string_view value, std::string_view what) const;
  // Sets the manifest of step from a JSON object (YAML on stdin, JSON kept for validation),
  // checking the names and labels it carries.
  void set_manifest(Step& step, const nlohmann::json& manifest) const;
  void add(Step step);
};

void build_contain(PlanContext& ctx);
void build_eradicate(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);
void build_recover(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);

// How the pods of the incident in one namespace are selected for isolation.
struct Selector {
  std::map<std::string, std::string> labels;  // their own labels (the fewest that suffice)
  std::vector<std::string> others;            // pods outside the incident those labels select
  std::vector<std::string> protected_others;  // of those: system pods, unnamed production pods
  std::vector<std::string> unusable;          // labels that fail the label rules
  bool known = false;                         // the snapshot held the namespace's pods
};
Selector narrowest_selector(const IncidentView& incident, const std::vector<const Affected*>& pods);

// The label eksir puts on pods whose own labels cannot select just them.
inline constexpr std::string_view kQuarantineLabel = "eksir/quarantine";

bool system_namespace(std::string_view ns);
// Warning for production / system namespaces (the playbook's Considerations).
std::string production_warning(const IncidentView& incident, std::string_view ns);

}  // namespace eksir::respond
