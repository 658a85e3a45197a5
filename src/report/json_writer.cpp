// The report as structured data: one object per section of the documentation
// standard. Every object's members are in the order of their names, as the document has
// always had them.
#include <map>
#include <ostream>

#include "report/model.h"
#include "util/json_writer.h"

namespace eksir::report {
namespace {

using Json = util::JsonWriter;

void evidence_json(Json& j, const EvidenceRef& e) {
  if (e.empty()) {
    j.null();
    return;
  }
  j.open('{');
  if (!e.event_id.empty()) j.kv("event_id", e.event_id);
  if (!e.file.empty()) j.kv("file", e.file);
  if (!e.finding.empty()) j.kv("finding", e.finding);
  if (e.line) j.kv_num("line", e.line);
  if (e.record) j.kv_num("record", e.record);
  if (!e.rule.empty()) j.kv("rule", e.rule);
  if (!e.source.empty()) j.kv("source", e.source);
  j.kv_time("time", e.time);
  j.close('}');
}

void kv_evidence(Json& j, std::string_view k, const EvidenceRef& e) {
  j.key(k);
  evidence_json(j, e);
}

// [{"evidence": …, "text": …}]
void kv_items(Json& j, std::string_view k, const std::vector<EvidenceItem>& items) {
  j.key(k);
  j.open('[');
  for (const auto& e : items) {
    j.item();
    j.open('{');
    kv_evidence(j, "evidence", e.ref);
    j.kv("text", e.text);
    j.close('}');
  }
  j.close(']');
}

void kv_statements(Json& j, std::string_view k, const std::vector<Statement>& items) {
  j.key(k);
  j.open('[');
  for (const auto& s : items) {
    j.item();
    j.open('{');
    if (!s.confidence.empty()) j.kv("confidence", s.confidence);
    kv_evidence(j, "evidence", s.evidence);
    j.kv("kind", s.kind);
    j.kv("text", s.text);
    j.close('}');
  }
  j.close(']');
}

void kv_notes(Json& j, const Report& r, const std::string& section) {
  j.key("notes");
  j.open('[');
  if (auto it = r.notes.find(section); it != r.notes.end())
    for (const auto& n : it->second) {
      j.item();
      j.open('{');
      j.kv("author", n.author);
      j.kv("text", n.text);
      j.kv_time("time", n.time);
      j.close('}');
    }
  j.close(']');
}

void summary(Json& j, const Report& r) {
  j.open('{');
  j.kv_list("affected_systems", r.affected_systems);
  j.kv("assessment", r.undetermined.empty() ? "assessed" : "undetermined");
  j.kv("assessment_reason", r.undetermined);
  j.key("cluster");
  j.open('{');
  j.kv("account", r.account);
  j.kv("arn", r.cluster_arn);
  j.kv("name", r.cluster);
  j.kv("region", r.region);
  j.close('}');
  j.kv_time("contained", r.contained);
  j.kv("contained_basis", r.contained_basis);
  j.key("criteria");
  j.open('[');
  for (const auto& c : r.criteria) {
    j.item();
    j.open('{');
    j.kv("criterion", c.text);
    kv_items(j, "evidence", c.evidence);
    j.kv("id", c.id);
    j.kv("level", c.level);
    j.kv_bool("likely_benign", c.likely_benign);
    j.close('}');
  }
  j.close(']');
  j.kv_time("discovered", r.discovered);
  j.kv("executive_summary", r.executive_summary);
  j.kv("id", r.id);
  j.kv("incident_title", r.title);
  j.kv("investigation_summary", r.investigation_summary);
  kv_notes(j, r, "summary");
  j.key("production");
  if (r.production_known)
    j.boolean(r.production);
  else
    j.null();
  j.kv_time("resolved", r.resolved);
  j.kv("resolved_basis", r.resolved_basis);
  j.kv_or_null("severity", r.severity);
  j.kv("title", "Incident summary");
  j.kv("type", r.type);
  j.close('}');
}

void timeline(Json& j, const Report& r) {
  j.open('{');
  j.key("events");
  j.open('[');
  for (const auto& l : r.timeline) {
    j.item();
    j.open('{');
    j.kv("confidence", l.confidence);
    kv_evidence(j, "evidence", l.evidence);
    j.kv_bool("implausible_time", l.implausible);
    j.kv("layer", l.layer);
    j.kv("line", timeline_line(l));
    j.kv("source", l.source);
    j.kv("tag", l.tag);
    j.kv("text", l.text);
    j.kv_time("time", l.time);
    j.close('}');
  }
  j.close(']');
  kv_notes(j, r, "timeline");
  j.kv("title", "Timeline");
  j.close('}');
}

void investigation(Json& j, const Report& r) {
  j.open('{');
  j.kv_list("assumptions", r.assumptions);
  j.key("attack");
  j.open('{');
  j.kv_list("tactics", r.attack_tactics);
  j.key("techniques");
  j.open('[');
  for (const auto& a : r.attack) {
    j.item();
    j.open('{');
    j.kv_list("criteria", a.criteria);
    j.kv_num("findings", a.findings);
    j.kv("name", a.name);
    j.kv("severity", a.severity);
    j.kv_list("tactics", a.tactics);
    j.kv("technique", a.technique);
    j.kv_list("titles", a.titles);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.key("events");
  j.open('{');
  std::map<std::string, int64_t> events;
  for (const auto& [label, n] : r.events_by_source) events[label] = n;
  for (const auto& [label, n] : events) j.kv_num(label, n);
  j.close('}');
  j.kv("evidence_root", r.evidence_root);
  j.kv_list("inputs", r.inputs);
  kv_items(j, "key_evidence", r.key_evidence);
  j.kv_list("leads", r.leads);
  j.kv_list("likely_benign", r.likely_benign);
  j.kv_list("not_followed", r.not_followed);
  kv_notes(j, r, "investigation");
  j.kv_list("posture", r.posture);
  j.key("rules");
  j.open('[');
  for (const auto& rr : r.rules) {
    j.item();
    j.open('{');
    j.kv_num("events", rr.hits);
    j.key("evidence");
    j.open('[');
    for (const auto& e : rr.evidence) {
      j.item();
      evidence_json(j, e);
    }
    j.close(']');
    j.kv_num("findings", rr.findings);
    j.kv_time("first_fired", rr.first);
    j.kv_time("last_fired", rr.last);
    j.kv("origin", rr.origin);
    j.kv("rule", rr.rule);
    j.kv("severity", rr.severity);
    j.kv("title", rr.title);
    j.close('}');
  }
  j.close(']');
  j.key("runs");
  j.open('[');
  for (const auto& ri : r.runs) {
    j.item();
    j.open('{');
    j.kv_num("findings", ri.findings);
    j.kv_time("finished", ri.finished);
    j.kv_num("id", ri.id);
    j.kv_num("inputs", ri.inputs);
    j.kv("operator", ri.operator_name);
    j.kv_list("rule_sources", ri.rule_sources);
    j.kv("severity", ri.severity);
    j.kv_time("started", ri.started);
    j.kv("tool_version", ri.tool_version);
    j.close('}');
  }
  j.close(']');
  j.kv_num("skipped", r.skipped);
  j.kv("title", "Technical investigation");
  j.close('}');
}

void impact(Json& j, const Report& r) {
  j.open('{');
  j.key("affected");
  j.open('[');
  for (const auto& a : r.affected) {
    j.item();
    j.open('{');
    // The last of a name's values, as in a JSON object built member by member.
    std::map<std::string, std::string> attributes;
    for (const auto& [k, v] : a.attributes) attributes[k] = v;
    j.kv_map("attributes", attributes);
    j.kv_num("findings", a.findings);
    j.kv("id", a.id);
    j.kv("kind", a.kind);
    j.kv("name", a.name);
    j.kv("namespace", a.ns);
    j.kv("why", a.why);
    j.close('}');
  }
  j.close(']');
  j.key("images");
  j.open('[');
  for (const auto& i : r.images) {
    j.item();
    j.open('{');
    j.kv("digest", i.digest);
    j.kv_list("exploit_available", i.exploit_available);
    j.kv_bool("exploited", i.exploited);
    j.kv("fixes", i.fixes);
    j.kv("image", i.name);
    j.kv("joined", joined_text(i));
    j.kv("joined_by", i.joined_by);
    j.kv("max_severity", i.max_severity);
    kv_evidence(j, "record", i.record);
    j.kv("scanner", i.scanner);
    j.kv_list("vulnerabilities", i.vulnerabilities);
    j.kv_list("workloads", i.workloads);
    j.close('}');
  }
  j.close(']');
  kv_notes(j, r, "impact");
  kv_statements(j, "statements", r.impact);
  j.kv("title", "Impact");
  j.close('}');
}

void actions(Json& j, const Report& r) {
  j.open('{');
  j.key("actions");
  j.open('[');
  for (const auto& a : r.actions) {
    j.item();
    j.open('{');
    j.kv("action", a.action);
    j.kv("command", a.command);
    j.kv("evidence", a.evidence);
    j.kv_num("exit_status", a.exit_status);
    j.kv_time("finished", a.finished);
    j.kv("operator", a.operator_name);
    j.kv("phase", a.phase);
    j.kv("result", a.result);
    j.kv_time("started", a.started);
    j.kv("step", a.step_id);
    j.kv("target", a.target);
    j.kv("verification", a.verification);
    j.close('}');
  }
  j.close(']');
  j.kv_num("dry_runs", r.dry_runs);
  j.kv_list("next_steps", r.next_steps);
  kv_notes(j, r, "actions");
  j.kv("title", "Containment and remediation actions");
  j.close('}');
}

void lessons(Json& j, const Report& r) {
  j.open('{');
  kv_statements(j, "detection_timing", r.detection_timing);
  kv_statements(j, "lessons", r.lessons);
  j.kv_list("missing_sources", r.missing_sources);
  kv_notes(j, r, "lessons");
  j.key("playbook");
  j.open('[');
  for (const auto& p : r.playbook) {
    j.item();
    j.open('{');
    j.kv_bool("applies", p.applies);
    j.kv("item", p.item);
    j.kv("why", p.why);
    j.close('}');
  }
  j.close(']');
  j.kv("title", "Lessons learned and detection improvements");
  j.kv_list("undetected_steps", r.undetected);
  j.close('}');
}

void metrics(Json& j, const Report& r) {
  j.open('{');
  j.key("metrics");
  j.open('[');
  for (const auto& m : r.metrics) {
    j.item();
    j.open('{');
    j.kv("basis", m.basis);
    j.kv_bool("known", m.known);
    j.kv("name", m.name);
    if (m.seconds >= 0) j.kv_num("seconds", m.seconds);
    j.kv("value", m.value);
    j.close('}');
  }
  j.close(']');
  kv_notes(j, r, "metrics");
  j.kv("title", "Key metrics");
  j.close('}');
}

void graph(Json& j, const Report& r) {
  j.open('{');
  j.key("edges");
  j.open('[');
  for (const auto& e : r.graph_edges) {
    j.item();
    j.open('{');
    j.kv("from", e.from);
    j.kv("relation", e.relation);
    j.kv("to", e.to);
    j.close('}');
  }
  j.close(']');
  j.key("nodes");
  j.open('[');
  for (const auto& n : r.graph_nodes) {
    j.item();
    j.open('{');
    j.kv_bool("affected", n.affected);
    j.kv("key", n.key);
    j.kv("kind", n.kind);
    j.kv_num("layer", n.layer);
    j.kv("name", n.name);
    j.kv("namespace", n.ns);
    j.close('}');
  }
  j.close(']');
  j.close('}');
}

}  // namespace

void write_json(const Report& r, std::ostream& out) {
  Json j;
  j.indent = 2;
  j.open('{');
  j.key("actions");
  actions(j, r);
  j.key("case");
  j.open('{');
  j.kv("close_reason", r.close_reason);
  j.kv("dir", r.case_dir);
  j.kv("status", r.case_status.empty() ? "open" : r.case_status);
  j.close('}');
  j.kv_time("generated", r.generated);
  j.key("graph");
  graph(j, r);
  j.key("impact");
  impact(j, r);
  j.key("investigation");
  investigation(j, r);
  j.key("lessons");
  lessons(j, r);
  j.key("metrics");
  metrics(j, r);
  j.key("root_cause");
  j.open('{');
  kv_notes(j, r, "root_cause");
  kv_statements(j, "statements", r.root_cause);
  j.kv("title", "Root cause");
  j.close('}');
  j.kv("schema", "eksir.report/1");
  j.key("summary");
  summary(j, r);
  j.key("timeline");
  timeline(j, r);
  j.close('}');
  out << j.o << '\n';
}

}  // namespace eksir::report
