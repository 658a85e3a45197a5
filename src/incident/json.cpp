// The incident JSON contract (docs/incident-json.md).
#include <fmt/format.h>

#include "incident/internal.h"
#include "util/json_writer.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::incident {
namespace {

using Json = util::JsonWriter;

void evidence(Json& j, const Evidence& e, bool with_text) {
  j.open('{');
  if (with_text) j.kv("text", e.text);
  j.kv("finding", e.finding);
  j.kv("rule", e.rule);
  j.kv("source", e.source);
  j.kv_time("time", e.time);
  j.kv("file", e.file);
  j.kv_num("line", static_cast<int64_t>(e.line));
  if (e.record) j.kv_num("record", static_cast<int64_t>(e.record));
  j.kv("event_id", e.event_id);
  j.close('}');
}

void criteria(Json& j, const std::vector<Criterion>& cs) {
  j.key("criteria");
  j.open('[');
  for (const auto& c : cs) {
    j.item();
    j.open('{');
    j.kv("level", util::severity_title(c.level));
    j.kv("id", c.id);
    j.kv("criterion", c.criterion);
    j.kv_bool("likely_benign", c.likely_benign);
    j.key("evidence");
    j.open('[');
    for (const auto& e : c.evidence) {
      j.item();
      evidence(j, e, true);
    }
    j.close(']');
    j.close('}');
  }
  j.close(']');
}

void affected(Json& j, const std::vector<Affected>& as) {
  j.key("affected");
  j.open('[');
  for (const auto& a : as) {
    j.item();
    j.open('{');
    j.kv("kind", a.kind);
    j.kv("name", a.name);
    j.kv("namespace", a.ns);
    j.kv("id", a.id);
    j.kv("why", a.why);
    j.kv_list("findings", a.findings);
    j.kv_map("attributes", a.attributes);
    j.kv_map("labels", a.labels);
    j.close('}');
  }
  j.close(']');
}

// Times are written to the millisecond: the duration between them is that of the times as
// written, so that a reader of the document computes the same.
TimeNs to_millisecond(TimeNs t) {
  TimeNs rest = t % 1000000;
  return t - (rest < 0 ? rest + 1000000 : rest);
}

void duration(Json& j, std::string_view k, TimeNs from, TimeNs to) {
  j.key(k);
  // From the times as written (to the millisecond), so that reading the document back gives the
  // same durations.
  if (from == kNoTime || to == kNoTime)
    j.raw("null");
  else if (auto s = util::seconds_between(to_millisecond(from), to_millisecond(to)))
    j.raw(std::to_string(*s));
  else
    j.raw("null");
}

// The incident's ATT&CK (attack_view): derived from the findings and criteria, so read_json
// reads nothing back from it.
void attack(Json& j, const AttackView& view) {
  j.key("attack");
  j.open('{');
  j.kv_list("tactics", view.tactics);
  j.key("techniques");
  j.open('[');
  for (const auto& t : view.techniques) {
    j.item();
    j.open('{');
    j.kv("id", t.id);
    j.kv_list("tactics", t.tactics);
    j.kv_num("score", static_cast<int64_t>(t.score()));
    j.kv("severity", rules::severity_name(t.severity));
    j.kv_list("findings", t.findings);
    j.kv_list("criteria", t.criteria);
    j.close('}');
  }
  j.close(']');
  j.close('}');
}

void incident(Json& j, const Incident& inc, bool lead, const AttackView* view = nullptr) {
  j.open('{');
  j.kv("id", inc.id);
  j.kv("title", inc.title);
  j.kv("type", inc.type);
  j.key("severity");
  if (inc.undetermined.empty())
    j.str(util::severity_title(inc.severity));
  else
    j.raw("null");
  if (!lead) {
    j.kv("assessment", inc.undetermined.empty() ? "assessed" : "undetermined");
    j.kv("assessment_reason", inc.undetermined);
    j.key("cluster");
    j.open('{');
    j.kv("name", inc.cluster.name);
    j.kv("region", inc.cluster.region);
    j.kv("account", inc.cluster.account);
    j.kv("arn", inc.cluster.arn);
    j.close('}');
    j.kv_bool("production", inc.production);
  }
  criteria(j, inc.criteria);
  affected(j, inc.affected);
  if (view) attack(j, *view);
  if (!lead) {
    j.key("timeline");
    j.open('[');
    for (const auto& t : inc.timeline) {
      j.item();
      j.open('{');
      j.kv_time("time", t.time);
      j.kv("tag", tag_name(t.tag));
      j.kv("text", t.text);
      j.kv("source", t.source);
      j.kv("confidence", t.confidence);
      j.kv("line", timeline_line(t));
      if (t.repeats) {
        j.kv_num("repeats", static_cast<int64_t>(t.repeats));
        j.kv_time("from", t.from);
        j.kv_time("until", t.until);
        j.kv_list("also_event_ids", t.also);
      }
      j.kv_bool("implausible_time", t.implausible_time);
      j.key("evidence");
      evidence(j, t.evidence, false);
      j.close('}');
    }
    j.close(']');
    const Metrics& m = inc.metrics;
    j.key("metrics");
    j.open('{');
    j.kv_time("first_malicious_event", m.first_malicious);
    j.kv_time("first_detection", m.first_detection);
    duration(j, "time_to_detection_seconds", m.first_malicious, m.first_detection);
    j.kv_time("last_malicious_event", m.last_malicious);
    j.kv_num("affected_resources", static_cast<int64_t>(m.affected_resources));
    j.kv_time("contained", m.contained);
    duration(j, "time_to_containment_seconds", m.first_malicious, m.contained);
    j.kv_time("recovered", m.recovered);
    duration(j, "time_to_recovery_seconds", m.first_malicious, m.recovered);
    j.kv_num("implausible_times_ignored", static_cast<int64_t>(m.implausible_times));
    j.close('}');
  }
  j.key("likely_benign");
  j.open('[');
  for (const auto& b : inc.likely_benign) {
    j.item();
    j.open('{');
    j.kv("finding", b.finding);
    j.kv("rule", b.rule);
    j.kv("title", b.title);
    j.kv("reason", b.reason);
    j.kv("kind", b.kind);
    j.kv("severity", rules::severity_name(b.severity));
    j.close('}');
  }
  j.close(']');
  if (!lead) {
    j.kv_list("assumptions", inc.assumptions);
    j.kv_list("gaps", inc.gaps);
    j.key("not_expanded");
    j.open('[');
    for (const auto& [entity, why] : inc.not_expanded) {
      j.item();
      j.open('{');
      j.kv("entity", entity);
      j.kv("why", why);
      j.close('}');
    }
    j.close(']');
  }
  j.kv("summary", inc.summary);
  if (!lead) j.kv_list("next_steps", inc.next_steps);
  j.kv_list("findings", inc.findings);
  if (!lead) {
    j.key("entities");
    j.open('[');
    for (const auto& e : inc.entities) {
      j.item();
      j.open('{');
      j.kv("key", e.key);
      j.kv("kind", e.kind);
      j.kv("name", e.name);
      j.kv("namespace", e.ns);
      j.kv("id", e.id);
      j.close('}');
    }
    j.close(']');
    j.key("links");
    j.open('[');
    for (const auto& l : inc.links) {
      j.item();
      j.open('{');
      j.kv("from", l.from);
      j.kv("to", l.to);
      j.kv("relation", l.relation);
      j.key("evidence");
      evidence(j, l.evidence, true);
      j.close('}');
    }
    j.close(']');
  }
  j.close('}');
}

}  // namespace

std::string to_json(const Investigation& inv) {
  std::vector<std::string> findings;
  findings.reserve(inv.findings.size());
  for (const auto& f : inv.findings) findings.push_back(detect::finding_json(f));
  return to_json(inv, findings);
}

std::string to_json(const Investigation& inv, const std::vector<std::string>& findings_json) {
  Json j;
  j.open('{');
  j.kv("schema", "eksir.incident/1");
  j.key("case");
  j.open('{');
  j.kv("id", inv.run.case_id);
  j.kv("dir", inv.run.case_dir);
  j.close('}');
  const RunInfo& r = inv.run;
  j.key("run");
  j.open('{');
  j.kv_num("id", r.id);
  j.kv("tool_version", r.tool_version);
  j.kv_time("started", r.started);
  j.kv_time("finished", r.finished);
  j.kv("operator", r.operator_name);
  j.kv("cwd", r.cwd);
  j.key("inputs");
  j.open('[');
  for (const auto& in : r.inputs) {
    j.item();
    j.open('{');
    j.kv("path", in.path);
    j.kv("sha256", in.sha256);
    j.kv_num("size", static_cast<int64_t>(in.size));
    j.close('}');
  }
  j.close(']');
  j.key("rules");
  j.open('{');
  j.kv_num("builtin", static_cast<int64_t>(r.builtin_rules));
  j.kv_num("loaded", static_cast<int64_t>(r.rules_loaded));
  j.kv_list("paths", r.rule_paths);
  j.close('}');
  j.key("events");
  j.open('{');
  j.kv_num("total", static_cast<int64_t>(r.stats.events));
  for (const auto& [s, n] : r.stats.events_by_source)
    j.kv_num(source_name(s), static_cast<int64_t>(n));
  j.close('}');
  j.key("snapshot");
  j.open('{');
  j.kv_num("files", static_cast<int64_t>(r.snapshot_files));
  j.kv_num("objects", static_cast<int64_t>(r.snapshot_objects));
  j.close('}');
  j.kv_num("skipped", static_cast<int64_t>(r.stats.skipped));
  j.close('}');
  j.key("incident");
  const AttackView view = attack_view(inv);
  incident(j, inv.incident, false, &view);
  j.key("leads");
  j.open('[');
  for (const auto& l : inv.leads) {
    j.item();
    incident(j, l, true);
  }
  j.close(']');
  j.key("findings");
  j.open('[');
  for (const auto& f : findings_json) {
    j.item();
    j.raw(f);
  }
  j.close(']');
  j.key("posture");
  j.open('[');
  for (const auto& p : inv.posture) {
    j.item();
    j.open('{');
    j.kv("check", p.check);
    j.kv("severity", cluster::severity_name(p.severity));
    j.kv("kind", p.kind);
    j.kv("namespace", p.ns);
    j.kv("name", p.name);
    j.kv("field", p.field);
    j.kv("message", p.message);
    j.kv("why", p.why);
    j.kv_bool("exempted", p.exempted);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.o += '\n';
  return j.o;
}

}  // namespace eksir::incident
