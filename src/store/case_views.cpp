// The views of cases: the list under a root, and one case shown, as text or JSON.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <ostream>
#include <sstream>

#include "store/store.h"
#include "util/colour.h"
#include "util/json_writer.h"
#include "util/table.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::store {
namespace {

void info_json(util::JsonWriter& j, const CaseInfo& c) {
  j.open('{');
  j.kv("id", c.id);
  j.kv("dir", c.dir);
  j.kv("title", c.title);
  j.kv("severity", c.severity);
  j.kv("status", c.status);
  j.kv_time("created", c.created);
  j.kv_time("updated", c.updated);
  j.kv_time("closed", c.closed);
  j.kv("close_reason", c.close_reason);
  j.kv_num("runs", c.runs);
  j.kv_num("findings", c.findings);
  j.kv_num("notes", c.notes);
  j.kv_num("pins", c.pins);
  j.kv_num("journal", c.journal);
  if (!c.error.empty()) j.kv("error", c.error);
  j.close('}');
}

// What `case show` reads from the latest incident document.
struct IncidentView {
  bool present = false;
  std::string error;  // the document could not be read
  std::string severity, summary;
  std::string undetermined;  // why the run could not assess a severity
  struct Criterion {
    std::string level, id, criterion;
    size_t evidence = 0;
    bool likely_benign = false;
  };
  std::vector<Criterion> criteria;
};

std::string field(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  if (o[key].get_string().get(s)) return {};
  return std::string(s);
}

IncidentView read_incident(const std::string& json) {
  IncidentView v;
  if (json.empty()) return v;
  v.present = true;
  simdjson::dom::parser parser;
  simdjson::dom::object root, inc;
  if (auto e = parser.parse(json).get_object().get(root); e) {
    v.error = simdjson::error_message(e);
    return v;
  }
  if (root["incident"].get_object().get(inc)) {
    v.error = "no \"incident\" object";
    return v;
  }
  v.severity = field(inc, "severity");
  if (field(inc, "assessment") == "undetermined") {
    v.undetermined = field(inc, "assessment_reason");
    if (v.undetermined.empty()) v.undetermined = "no event was read";
  }
  v.summary = field(inc, "summary");
  simdjson::dom::array crits;
  if (!inc["criteria"].get_array().get(crits)) {
    for (auto c : crits) {
      simdjson::dom::object co;
      if (c.get_object().get(co)) continue;
      IncidentView::Criterion k{field(co, "level"), field(co, "id"), field(co, "criterion")};
      simdjson::dom::array ev;
      if (!co["evidence"].get_array().get(ev)) k.evidence = ev.size();
      bool benign = false;
      if (!co["likely_benign"].get_bool().get(benign)) k.likely_benign = benign;
      v.criteria.push_back(std::move(k));
    }
  }
  return v;
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

// Text from the case (titles, names, notes: evidence and what people typed) as it may be shown.
std::string shown(std::string_view s) {
  return util::visible(s);
}

void write_show_text(const Case& c, std::ostream& out, size_t width, bool colour) {
  // Every line fits a terminal (width > 0), cut with "…"; whole otherwise.
  auto line = [&](std::string_view text) { out << util::fit_line(text, width) << '\n'; };
  const util::Paint paint{colour};
  auto heading = [&](std::string_view text) { line(paint(util::sgr::kBold, text)); };
  // A severity as the case store holds it ("Critical", "-"), coloured as everywhere.
  auto severity = [&](const std::string& s) {
    return paint(util::severity_sgr(s), shown(or_dash(s)));
  };
  CaseInfo info = c.info();
  heading("Case " + shown(info.id) + (info.title.empty() ? "" : " — " + shown(info.title)));
  line("  dir       " + shown(info.dir));
  line("  status    " + shown(info.status));
  line("  severity  " + severity(info.severity));
  line("  created   " + format_time(info.created));
  line("  updated   " + format_time(info.updated));
  if (info.status == "closed")
    line("  closed    " + format_time(info.closed) + " — " + shown(or_dash(info.close_reason)));

  auto runs = c.runs();
  out << "\n";
  heading("Runs (" + std::to_string(runs.size()) + ")");
  if (runs.empty()) {
    line("  no investigation run yet");
  } else {
    util::TableWriter t(
        out,
        {"run", "started", "finished", "operator", "version", "inputs", "findings", "severity"},
        width);
    t.set_colour(colour);
    t.colour_column(7, util::severity_sgr);
    for (const auto& r : runs)
      t.add({std::to_string(r.id), format_time(r.started), format_time(r.finished),
             or_dash(r.operator_name), or_dash(r.tool_version), std::to_string(r.inputs.size()),
             std::to_string(r.finding_count), or_dash(r.severity)});
    t.finish();
  }

  if (!runs.empty()) {
    IncidentView inc = read_incident(c.latest_incident_json());
    out << "\n";
    heading("Incident (run " + std::to_string(runs.back().id) + ")");
    if (!inc.present) {
      line("  the run kept no incident document");
    } else if (!inc.error.empty()) {
      line("  the incident document is unreadable: " + shown(inc.error));
    } else {
      if (inc.undetermined.empty())
        line("  severity  " + severity(inc.severity));
      else
        line("  severity  undetermined: " + shown(inc.undetermined));
      line(inc.criteria.empty() ? "  criteria  none met" : "  criteria");
      for (const auto& k : inc.criteria) {
        std::string level = shown(k.level);
        level = paint(util::severity_sgr(k.level), level) +
                std::string(9 - std::min<size_t>(9, util::display_width(level)), ' ');
        line("    " + level + " " + shown(or_dash(k.criterion)) +
             fmt::format(" ({} evidence{})", k.evidence, k.likely_benign ? ", likely benign" : ""));
      }
      if (!inc.summary.empty()) line("  summary   " + shown(inc.summary));
    }
  }

  auto notes = c.notes();
  out << "\n";
  heading("Notes (" + std::to_string(notes.size()) + ")");
  for (const auto& n : notes)
    line("  " + format_time(n.time) + "  " + shown(or_dash(n.author)) + ": " + shown(n.text));

  auto pins = c.pins();
  out << "\n";
  heading("Pinned to the timeline (" + std::to_string(pins.size()) + ")");
  if (!pins.empty()) {
    util::TableWriter t(out, {"pin", "time", "source", "event", "pinned", "by", "query", "note"},
                        width);
    t.set_colour(colour);
    for (const auto& p : pins)
      t.add({std::to_string(p.id), format_time(p.time), or_dash(p.source), or_dash(p.text),
             format_time(p.pinned), or_dash(p.author), p.query, or_dash(p.note)});
    t.finish();
  }

  auto journal = c.journal();
  out << "\n";
  heading("Journal (" + std::to_string(journal.size()) + ")");
  if (!journal.empty()) {
    util::TableWriter t(
        out, {"id", "started", "phase", "step", "action", "target", "exit", "mode", "operator"},
        width);
    t.set_colour(colour);
    for (const auto& j : journal)
      t.add({std::to_string(j.id), format_time(j.started), or_dash(j.phase), or_dash(j.step_id),
             or_dash(j.action), or_dash(j.target), std::to_string(j.exit_status),
             j.dry_run          ? "dry-run"
             : j.kind == "step" ? "executed"
                                : j.kind,
             or_dash(j.operator_name)});
    t.finish();
  }
}

void write_show_json(const Case& c, std::ostream& out) {
  util::JsonWriter j;
  j.open('{');
  j.key("case");
  info_json(j, c.info());
  j.key("runs");
  j.open('[');
  for (const auto& r : c.runs()) {
    j.item();
    j.open('{');
    j.kv_num("id", r.id);
    j.kv_time("started", r.started);
    j.kv_time("finished", r.finished);
    j.kv("operator", r.operator_name);
    j.kv("tool_version", r.tool_version);
    j.kv("incident_id", r.incident_id);
    j.kv("severity", r.severity);
    j.kv_num("inputs", r.inputs.size());
    j.kv_num("findings", r.finding_count);
    j.close('}');
  }
  j.close(']');
  j.key("incident");
  IncidentView inc = read_incident(c.latest_incident_json());
  if (!inc.present) {
    j.null();
  } else if (!inc.error.empty()) {
    j.open('{');
    j.kv("error", inc.error);
    j.close('}');
  } else {
    j.open('{');
    j.kv_or_null("severity", inc.severity);
    j.kv("assessment", inc.undetermined.empty() ? "assessed" : "undetermined");
    j.kv("assessment_reason", inc.undetermined);
    j.key("criteria");
    j.open('[');
    for (const auto& k : inc.criteria) {
      j.item();
      j.open('{');
      j.kv("level", k.level);
      j.kv("id", k.id);
      j.kv("criterion", k.criterion);
      j.kv_num("evidence", k.evidence);
      j.kv_bool("likely_benign", k.likely_benign);
      j.close('}');
    }
    j.close(']');
    j.kv("summary", inc.summary);
    j.close('}');
  }
  j.key("notes");
  j.open('[');
  for (const auto& n : c.notes()) {
    j.item();
    j.open('{');
    j.kv_num("id", n.id);
    j.kv_time("time", n.time);
    j.kv("author", n.author);
    j.kv("text", n.text);
    j.close('}');
  }
  j.close(']');
  j.key("pins");
  j.open('[');
  for (const auto& p : c.pins()) {
    j.item();
    j.open('{');
    j.kv_num("id", p.id);
    j.kv_time("pinned", p.pinned);
    j.kv("author", p.author);
    j.kv("query", p.query);
    j.kv("note", p.note);
    j.kv_time("time", p.time);
    j.kv("source", p.source);
    j.kv("event_id", p.event_id);
    j.kv("file", p.file);
    j.kv_num("line", p.line);
    j.kv_num("record", p.record);
    j.kv("text", p.text);
    j.kv_num("copies", p.copies);
    j.close('}');
  }
  j.close(']');
  j.key("journal");
  j.open('[');
  for (const auto& e : c.journal()) {
    j.item();
    j.open('{');
    j.kv_num("id", e.id);
    j.kv("phase", e.phase);
    j.kv("step_id", e.step_id);
    j.kv("action", e.action);
    j.kv("target", e.target);
    j.kv_list("argv", e.argv);
    j.kv_time("started", e.started);
    j.kv_time("finished", e.finished);
    j.kv_num("exit_status", e.exit_status);
    j.kv("operator", e.operator_name);
    j.kv("kind", e.kind);
    j.kv("reason", e.reason);
    j.kv_bool("dry_run", e.dry_run);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  out << j.o << "\n";
}

}  // namespace

std::string case_list_json(const std::string& root, const std::vector<CaseInfo>& cases) {
  util::JsonWriter j;
  j.open('{');
  j.kv("root", root);
  j.key("cases");
  j.open('[');
  for (const auto& c : cases) {
    j.item();
    info_json(j, c);
  }
  j.close(']');
  j.close('}');
  return j.o + "\n";
}

std::string case_list_text(const std::vector<CaseInfo>& cases, size_t width, bool colour) {
  std::ostringstream out;
  util::TableWriter t(
      out, {"id", "status", "severity", "title", "runs", "findings", "notes", "updated"}, width);
  t.set_colour(colour);
  t.colour_column(2, util::severity_sgr);
  for (const auto& c : cases) {
    if (!c.error.empty()) {
      t.add({c.id, c.status, "-", c.error, "-", "-", "-", "-"});
      continue;
    }
    t.add({c.id, c.status, or_dash(c.severity), or_dash(c.title), std::to_string(c.runs),
           std::to_string(c.findings), std::to_string(c.notes), format_time(c.updated)});
  }
  t.finish();
  return std::move(out).str();
}

std::string case_show_text(const Case& c, size_t width, bool colour) {
  std::ostringstream out;
  write_show_text(c, out, width, colour);
  return std::move(out).str();
}

std::string case_show_json(const Case& c) {
  std::ostringstream out;
  write_show_json(c, out);
  return std::move(out).str();
}

}  // namespace eksir::store
