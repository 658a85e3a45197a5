// Shared by the planner's files: the YAML writer, the argv of each step through the command
// builder, and the phase builders.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "command/command.h"
#include "respond/incident_view.h"
#include "respond/manifest.h"
#include "respond/respond.h"

namespace eksir::respond {

using command::Type;

// The strings of a JSON array (other elements and non-arrays give nothing).
std::vector<std::string> string_list(const nlohmann::json& j);

// What every phase builder gets.
struct PlanContext {
  const IncidentView& incident;
  const PlanOptions& options;
  Plan& plan;

  command::Builder kubectl() const;  // kubectl [--context=C]
  command::Builder aws(std::string_view service, std::string_view operation) const;
  // The command b describes (aws: with --region and --output; region, when given, instead of the
  // cluster's). When a value fails its rule the step is blocked with the reason and the command
  // left empty: nothing unchecked is kept.
  Command finish(Step& step, command::Builder b, std::string_view region = {}) const;
  // Blocks step unless value meets t's rule; returns whether it does.
  bool require(Step& step, Type t, std::string_view value, std::string_view what) const;
  // Sets the manifest of step (YAML on stdin, JSON kept for validation), checking the names and
  // labels it carries.
  void set_manifest(Step& step, const Manifest& manifest) const;
  void add(Step step);
};

void build_contain(PlanContext& ctx);
void build_eradicate(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);
void build_recover(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);

// A node is treated as a compromised host — isolated from the network in containment, replaced
// in eradication — when a detector names it or its instance and nothing shows the activity
// stayed inside a container: no pod of the incident ran there, or one that did could reach the
// host (privileged, SYS_ADMIN, a host namespace, a hostPath), or the snapshot does not show it.
// A node where the attacker's pods only ran is cordoned and drained.
bool compromised_host(const IncidentView& incident, std::string_view node,
                      std::string_view instance);

// ---- what the incident says the attacker did (docs/incident-json.md, attributes.attacker)

// "created", "changed", "used", "admitted", or "" when the evidence ties the resource to the
// attacker otherwise.
inline std::string attacker(const Affected& a) {
  return a.attr("attacker");
}
// Only what the evidence shows the attacker created (or made for something it created) is ever
// deleted: anything else existed before the incident and is someone's.
inline bool attacker_created(const Affected& a) {
  return a.attr("attacker") == "created";
}

// ---- accounts: IAM changes are made only in the account that owns the principal

// The 12-digit account of an ARN ("" when it names none).
std::string arn_account(std::string_view arn);
// The account that owns an IAM principal or access key of the incident.
std::string owner_account(const Affected& a);
// "" when the plan may act on the principal with this account's credentials; else whose account
// it is and what must be done there (the step is blocked with it).
std::string other_account(const IncidentView& incident, const Affected& a, std::string_view kind,
                          std::string_view name, std::string_view what);
// An IAM Identity Center role (AWSReservedSSO_…): IAM refuses every change to it.
bool identity_center_role(const Affected& role);
// The IAM name of a role or user entity (the ARN's last part when the name is an ARN).
std::string iam_name(const Affected& a);
// Whether the journal shows a step done (exit 0, not a dry run).
bool journal_done(const std::vector<store::JournalEntry>& journal, std::string_view step_id);
// The first of the candidates that is a valid value of t, else the first non-empty one (whose
// step is then blocked, saying why).
std::string pick(Type t, std::initializer_list<std::string> candidates);
std::string join(const std::vector<std::string>& v, std::string_view sep = ", ");

// ---- the phases' parts, each in its own file

// credentials.cpp: access keys deactivated, access entries removed, role sessions revoked,
// compromised service accounts deleted (and recreated when they existed before); eradication
// removes the access entries containment did not.
void contain_access_keys(PlanContext& ctx);
void contain_access_entries(PlanContext& ctx);
void eradicate_access_entries(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);
void contain_role_sessions(PlanContext& ctx);
void contain_service_accounts(PlanContext& ctx);
// A binding the attacker made for everyone (system:anonymous, system:unauthenticated,
// system:authenticated) is an open door: deleted in containment.
void contain_open_bindings(PlanContext& ctx);
// aws_auth.cpp: the aws-auth entries the attacker added, removed exactly.
void contain_aws_auth(PlanContext& ctx);
// logging.cpp: CloudTrail trails the attacker stopped or narrowed, back on (containment, so that
// the response itself is recorded); EKS control-plane logging back on (eradication).
void contain_trails(PlanContext& ctx);
void eradicate_control_plane_logging(PlanContext& ctx);
// workloads.cpp: the attacker's workloads, each owning controller before what it made; the
// compromised pods of workloads that are not the attacker's, those pods only.
void eradicate_workloads(PlanContext& ctx, std::set<std::string>& namespaces);
// images.cpp: each workload running a vulnerable image of the incident moved to the image
// rebuilt with the fixes (--rebuilt-image), once the evidence of its compromised pods is kept.
void eradicate_images(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);
// rbac.cpp: the bindings, roles and service accounts the attacker created.
void eradicate_rbac(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);
// hosts.cpp: the instance of a compromised host terminated (its node group replaces it).
void eradicate_hosts(PlanContext& ctx);
// admission.cpp: Pod Security Admission on the namespaces, the Gatekeeper constraint against
// privileged containers.
void eradicate_pod_security(PlanContext& ctx, const std::set<std::string>& namespaces);
void eradicate_privileged_containers(PlanContext& ctx);
// security_groups.cpp: the ingress rules the attacker opened, revoked.
void contain_security_groups(PlanContext& ctx);
// endpoint.cpp: the public API endpoint restricted to trusted ranges, last of containment.
void contain_endpoint(PlanContext& ctx);
// identities.cpp: what the attacker made or held in IAM: access keys, users (after their keys and
// policies), roles (after their policies).
void eradicate_access_keys(PlanContext& ctx);
void eradicate_users(PlanContext& ctx);
void eradicate_roles(PlanContext& ctx, const std::vector<store::JournalEntry>& journal);

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
