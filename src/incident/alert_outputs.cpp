// The incident and its findings in the forms other tools import: Elastic alert documents (a _bulk
// body) and OCSF Detection Findings.
#include <set>
#include <sstream>

#include "incident/incident.h"
#include "util/json_writer.h"

namespace eksir::incident {
namespace {

std::vector<const detect::Finding*> incident_findings(const Investigation& inv) {
  std::set<std::string_view> ids(inv.incident.findings.begin(), inv.incident.findings.end());
  std::vector<const detect::Finding*> out;
  for (const auto& f : inv.findings)
    if (ids.contains(f.id)) out.push_back(&f);
  return out;
}

// The incident as the one alert that stands for it.
std::string incident_document(const Investigation& inv) {
  const Incident& inc = inv.incident;
  detect::Finding f;
  f.id = inc.id;
  f.rule_id = "eksir.incident";
  f.rule_title = "eksir incident";
  f.origin = "eksir";
  f.severity = inc.severity;
  f.title = inc.title;
  f.description = inc.summary.empty() ? inc.title : inc.summary;
  f.first_seen = inc.metrics.first_malicious;
  f.last_seen = inc.metrics.last_malicious;
  f.count = inc.findings.size();
  AttackView attack = attack_view(inv);
  f.tactics = attack.tactics;
  for (const auto& t : attack.techniques) f.attack.push_back(t.id);
  if (!inc.cluster.name.empty()) f.subject.emplace_back("cluster", inc.cluster.name);
  if (!inc.cluster.account.empty()) f.subject.emplace_back("account", inc.cluster.account);
  if (!inc.cluster.region.empty()) f.subject.emplace_back("region", inc.cluster.region);

  util::JsonWriter j;
  j.first = true;
  j.kv("eksir.incident.title", inc.title);
  j.kv("eksir.incident.type", inc.type);
  j.kv("eksir.incident.severity", util::severity_title(inc.severity));
  std::vector<std::string> criteria;
  for (const auto& c : inc.criteria)
    if (!c.likely_benign) criteria.push_back(c.id);
  j.kv_list("eksir.incident.criteria", criteria);
  j.kv_list("eksir.incident.findings", inc.findings);
  return detect::ecs_document(f, inc.id, j.o);
}

}  // namespace

std::string incident_ecs(const Investigation& inv) {
  std::vector<std::string> documents;
  if (inv.incident.undetermined.empty()) documents.push_back(incident_document(inv));
  for (const auto* f : incident_findings(inv))
    documents.push_back(detect::ecs_document(*f, inv.incident.id));
  std::ostringstream out;
  detect::write_ecs_bulk(documents, out);
  return std::move(out).str();
}

std::string incident_ocsf(const Investigation& inv) {
  std::string out;
  for (const auto* f : incident_findings(inv))
    out += detect::ocsf_finding(*f, inv.incident.id) + "\n";
  return out;
}

}  // namespace eksir::incident
