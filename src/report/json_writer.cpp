// The report as structured data: one object per section of the documentation
// standard.
#include <nlohmann/json.hpp>

#include <ostream>

#include "report/model.h"

namespace eksir::report {
namespace {

using nlohmann::json;

json time_json(TimeNs t) {
  return t == kNoTime ? json(nullptr) : json(format_time(t));
}

json evidence_json(const EvidenceRef& e) {
  if (e.empty()) return nullptr;
  json j = json::object();
  if (!e.source.empty()) j["source"] = e.source;
  if (!e.file.empty()) j["file"] = e.file;
  if (e.line) j["line"] = e.line;
  if (e.record) j["record"] = e.record;
  if (!e.event_id.empty()) j["event_id"] = e.event_id;
  if (!e.finding.empty()) j["finding"] = e.finding;
  if (!e.rule.empty()) j["rule"] = e.rule;
  j["time"] = time_json(e.time);
  return j;
}

json statements_json(const std::vector<Statement>& items) {
  json a = json::array();
  for (const auto& s : items) {
    json j = {{"kind", s.kind}, {"text", s.text}};
    if (!s.confidence.empty()) j["confidence"] = s.confidence;
    j["evidence"] = evidence_json(s.evidence);
    a.push_back(std::move(j));
  }
  return a;
}

json notes_json(const Report& r, const std::string& section) {
  json a = json::array();
  auto it = r.notes.find(section);
  if (it == r.notes.end()) return a;
  for (const auto& n : it->second)
    a.push_back({{"time", time_json(n.time)}, {"author", n.author}, {"text", n.text}});
  return a;
}

json strings(const std::vector<std::string>& v) {
  return json(v);
}

}  // namespace

void write_json(const Report& r, std::ostream& out) {
  json doc;
  doc["schema"] = "eksir.report/1";
  doc["generated"] = time_json(r.generated);
  doc["case"] = {{"dir", r.case_dir},
                 {"status", r.case_status.empty() ? "open" : r.case_status},
                 {"close_reason", r.close_reason}};

  json criteria = json::array();
  for (const auto& c : r.criteria) {
    json ev = json::array();
    for (const auto& e : c.evidence)
      ev.push_back({{"text", e.text}, {"evidence", evidence_json(e.ref)}});
    criteria.push_back({{"level", c.level},
                        {"id", c.id},
                        {"criterion", c.text},
                        {"likely_benign", c.likely_benign},
                        {"evidence", std::move(ev)}});
  }
  doc["summary"] = {
      {"title", "Incident summary"},
      {"id", r.id},
      {"incident_title", r.title},
      {"severity", r.severity.empty() ? json(nullptr) : json(r.severity)},
      {"assessment", r.undetermined.empty() ? "assessed" : "undetermined"},
      {"assessment_reason", r.undetermined},
      {"criteria", std::move(criteria)},
      {"type", r.type},
      {"cluster",
       {{"name", r.cluster}, {"region", r.region}, {"account", r.account}, {"arn", r.cluster_arn}}},
      {"production", r.production_known ? json(r.production) : json(nullptr)},
      {"discovered", time_json(r.discovered)},
      {"contained", time_json(r.contained)},
      {"contained_basis", r.contained_basis},
      {"resolved", time_json(r.resolved)},
      {"resolved_basis", r.resolved_basis},
      {"affected_systems", strings(r.affected_systems)},
      {"executive_summary", r.executive_summary},
      {"investigation_summary", r.investigation_summary},
      {"notes", notes_json(r, "summary")}};

  json lines = json::array();
  for (const auto& l : r.timeline)
    lines.push_back({{"time", time_json(l.time)},
                     {"tag", l.tag},
                     {"text", l.text},
                     {"source", l.source},
                     {"confidence", l.confidence},
                     {"layer", l.layer},
                     {"line", timeline_line(l)},
                     {"implausible_time", l.implausible},
                     {"evidence", evidence_json(l.evidence)}});
  doc["timeline"] = {
      {"title", "Timeline"}, {"events", std::move(lines)}, {"notes", notes_json(r, "timeline")}};

  json runs = json::array();
  for (const auto& ri : r.runs)
    runs.push_back({{"id", ri.id},
                    {"started", time_json(ri.started)},
                    {"finished", time_json(ri.finished)},
                    {"operator", ri.operator_name},
                    {"tool_version", ri.tool_version},
                    {"inputs", ri.inputs},
                    {"findings", ri.findings},
                    {"severity", ri.severity},
                    {"rule_sources", ri.rule_sources}});
  json events = json::object();
  for (const auto& [label, n] : r.events_by_source) events[label] = n;
  json rules = json::array();
  for (const auto& rr : r.rules) {
    json ev = json::array();
    for (const auto& e : rr.evidence) ev.push_back(evidence_json(e));
    rules.push_back({{"rule", rr.rule},
                     {"title", rr.title},
                     {"origin", rr.origin},
                     {"severity", rr.severity},
                     {"findings", rr.findings},
                     {"events", rr.hits},
                     {"first_fired", time_json(rr.first)},
                     {"last_fired", time_json(rr.last)},
                     {"evidence", std::move(ev)}});
  }
  json techniques = json::array();
  for (const auto& a : r.attack)
    techniques.push_back({{"technique", a.technique},
                          {"name", a.name},
                          {"tactics", a.tactics},
                          {"findings", a.findings},
                          {"severity", a.severity},
                          {"titles", a.titles},
                          {"criteria", a.criteria}});
  json key = json::array();
  for (const auto& e : r.key_evidence)
    key.push_back({{"text", e.text}, {"evidence", evidence_json(e.ref)}});
  doc["investigation"] = {
      {"title", "Technical investigation"},
      {"runs", std::move(runs)},
      {"events", std::move(events)},
      {"skipped", r.skipped},
      {"inputs", strings(r.inputs)},
      {"evidence_root", r.evidence_root},
      {"rules", std::move(rules)},
      {"attack", {{"tactics", r.attack_tactics}, {"techniques", std::move(techniques)}}},
      {"key_evidence", std::move(key)},
      {"likely_benign", strings(r.likely_benign)},
      {"assumptions", strings(r.assumptions)},
      {"not_followed", strings(r.not_followed)},
      {"leads", strings(r.leads)},
      {"posture", strings(r.posture)},
      {"notes", notes_json(r, "investigation")}};

  json affected = json::array();
  for (const auto& a : r.affected) {
    json attrs = json::object();
    for (const auto& [k, v] : a.attributes) attrs[k] = v;
    affected.push_back({{"kind", a.kind},
                        {"namespace", a.ns},
                        {"name", a.name},
                        {"id", a.id},
                        {"why", a.why},
                        {"findings", a.findings},
                        {"attributes", std::move(attrs)}});
  }
  json images = json::array();
  for (const auto& i : r.images)
    images.push_back({{"image", i.name},
                      {"digest", i.digest},
                      {"joined_by", i.joined_by},
                      {"joined", joined_text(i)},
                      {"workloads", i.workloads},
                      {"vulnerabilities", i.vulnerabilities},
                      {"exploit_available", i.exploit_available},
                      {"max_severity", i.max_severity},
                      {"fixes", i.fixes},
                      {"scanner", i.scanner},
                      {"record", evidence_json(i.record)},
                      {"exploited", i.exploited}});
  doc["impact"] = {{"title", "Impact"},
                   {"statements", statements_json(r.impact)},
                   {"affected", std::move(affected)},
                   {"images", std::move(images)},
                   {"notes", notes_json(r, "impact")}};

  json actions = json::array();
  for (const auto& a : r.actions)
    actions.push_back({{"phase", a.phase},
                       {"step", a.step_id},
                       {"action", a.action},
                       {"target", a.target},
                       {"command", a.command},
                       {"operator", a.operator_name},
                       {"started", time_json(a.started)},
                       {"finished", time_json(a.finished)},
                       {"exit_status", a.exit_status},
                       {"result", a.result},
                       {"verification", a.verification},
                       {"evidence", a.evidence}});
  doc["actions"] = {{"title", "Containment and remediation actions"},
                    {"actions", std::move(actions)},
                    {"dry_runs", r.dry_runs},
                    {"next_steps", strings(r.next_steps)},
                    {"notes", notes_json(r, "actions")}};

  doc["root_cause"] = {{"title", "Root cause"},
                       {"statements", statements_json(r.root_cause)},
                       {"notes", notes_json(r, "root_cause")}};

  json playbook = json::array();
  for (const auto& p : r.playbook)
    playbook.push_back({{"item", p.item}, {"applies", p.applies}, {"why", p.why}});
  doc["lessons"] = {{"title", "Lessons learned and detection improvements"},
                    {"lessons", statements_json(r.lessons)},
                    {"detection_timing", statements_json(r.detection_timing)},
                    {"undetected_steps", strings(r.undetected)},
                    {"missing_sources", strings(r.missing_sources)},
                    {"playbook", std::move(playbook)},
                    {"notes", notes_json(r, "lessons")}};

  json metrics = json::array();
  for (const auto& m : r.metrics) {
    json j = {{"name", m.name}, {"value", m.value}, {"known", m.known}, {"basis", m.basis}};
    if (m.seconds >= 0) j["seconds"] = m.seconds;
    metrics.push_back(std::move(j));
  }
  doc["metrics"] = {{"title", "Key metrics"},
                    {"metrics", std::move(metrics)},
                    {"notes", notes_json(r, "metrics")}};

  json nodes = json::array(), edges = json::array();
  for (const auto& n : r.graph_nodes)
    nodes.push_back({{"key", n.key},
                     {"kind", n.kind},
                     {"name", n.name},
                     {"namespace", n.ns},
                     {"layer", n.layer},
                     {"affected", n.affected}});
  for (const auto& e : r.graph_edges)
    edges.push_back({{"from", e.from}, {"to", e.to}, {"relation", e.relation}});
  doc["graph"] = {{"nodes", std::move(nodes)}, {"edges", std::move(edges)}};

  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace eksir::report
