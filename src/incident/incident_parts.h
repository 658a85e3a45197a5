// Private to the correlation (incident/correlation.h): building one incident or lead from a group
// of findings (incident_describe.cpp), with the parts that have a file of their own — its scope,
// the entities it affects (incident_scope.cpp), and its timeline (incident_timeline.cpp).
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "incident/graph.h"
#include "incident/incident.h"
#include "incident/internal.h"
#include "util/time_math.h"

namespace eksir::incident {

// The keys in an incident's scope: why each is in it, the findings that name it (and their
// titles), and what the attacker did with it, with the record that shows it.
struct IncidentScope {
  std::map<std::string, std::string> why;
  std::map<std::string, std::vector<std::string>> findings;  // key → finding ids
  std::map<std::string, std::set<std::string>> titles;
  std::map<std::string, std::pair<std::string, const EventFacts*>> used_by_attacker;
};

// The scope of the group's findings, each entity of it added to inc.affected, then the aws-auth
// entries the attacker added, what the scope did not expand and its notes. counted: how many of
// the findings are not likely benign.
IncidentScope affected_scope(Incident& inc, const std::vector<const FindingFacts*>& group,
                             const Graph& g, const CorrelationInput& in, const ScopeFacts* sc,
                             size_t counted);
// The affected entities in the report's order: by kind, then namespace and name.
void sort_affected(Incident& inc);

// The timeline: one line per event behind the group's findings, the records the scope pulled in
// that no finding cites, and where the affected pods were scheduled; in time order.
void build_timeline(Incident& inc, const std::vector<const FindingFacts*>& group,
                    const std::map<std::string, const EventFacts*>& binding_by_pod,
                    const ScopeFacts* sc);

// The evidence's implausible times, by value (util::implausible_times over every time the
// correlation saw: its events' and its findings' first and last sight, which also stand for
// events it did not keep or kept in another copy).
using Implausibles = std::unordered_map<TimeNs, util::Implausible>;
Implausibles implausible_values(const std::vector<EventFacts>& facts,
                                const std::deque<EventFacts>& pulled,
                                const std::vector<detect::Finding>* findings, TimeNs now);

// The incident (main_incident) or a lead of the group's findings: its cluster, criteria and
// severity, scope, images, entities, timeline and metrics. sc: the scope grown from the group
// (the incident only).
void build_incident(const std::vector<const FindingFacts*>& group, Graph& g,
                    const CorrelationInput& in,
                    const std::map<std::string, const EventFacts*>& binding_by_pod,
                    const ScopeFacts* sc, const Implausibles& bad, Incident& inc,
                    bool main_incident);
// What the built incident is: its type, title, id, the gaps in the evidence, the summary and the
// next steps (with no event read: undetermined, and why).
void describe(Incident& inc, const std::vector<const FindingFacts*>& group,
              const CorrelationInput& in, const ScopeFacts* sc, const Implausibles& bad);

}  // namespace eksir::incident
