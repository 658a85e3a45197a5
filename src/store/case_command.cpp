// `eksir case list|show|note|close|reopen`.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <ostream>
#include <sstream>

#include "store/store.h"
#include "util/colour.h"
#include "util/table.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::store {
namespace {

std::string json_str(std::string_view s) {
  std::string out;
  util::append_json_string(out, s);
  return out;
}

std::string json_time(TimeNs t) {
  return t == kNoTime ? "null" : json_str(format_time(t));
}

std::string info_json(const CaseInfo& c) {
  std::string o = "{";
  o += "\"id\":" + json_str(c.id) + ",\"dir\":" + json_str(c.dir);
  o += ",\"title\":" + json_str(c.title) + ",\"severity\":" + json_str(c.severity);
  o += ",\"status\":" + json_str(c.status) + ",\"created\":" + json_time(c.created);
  o += ",\"updated\":" + json_time(c.updated) + ",\"closed\":" + json_time(c.closed);
  o += ",\"close_reason\":" + json_str(c.close_reason);
  o += fmt::format(",\"runs\":{},\"findings\":{},\"notes\":{},\"pins\":{},\"journal\":{}", c.runs,
                   c.findings, c.notes, c.pins, c.journal);
  if (!c.error.empty()) o += ",\"error\":" + json_str(c.error);
  return o + "}";
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

int list(const CaseCommand& cmd, std::ostream& out, std::ostream& err) {
  std::string root = cmd.root.empty() ? default_case_root() : cmd.root;
  auto cases = list_cases(root);
  if (cmd.format == "json") {
    std::string o = "{\"root\":" + json_str(root) + ",\"cases\":[";
    for (size_t i = 0; i < cases.size(); ++i) o += (i ? "," : "") + info_json(cases[i]);
    out << o << "]}\n";
    return 0;
  }
  if (cases.empty()) {
    err << "eksir case list: no cases under " << shown(root) << "\n";
    return 0;
  }
  util::TableWriter t(out,
                      {"id", "status", "severity", "title", "runs", "findings", "notes", "updated"},
                      cmd.width);
  t.set_colour(cmd.colour);
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
  return 0;
}

void show_text(const Case& c, std::ostream& out, size_t width, bool colour) {
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

void show_json(const Case& c, std::ostream& out) {
  std::string o = "{\"case\":" + info_json(c.info()) + ",\"runs\":[";
  auto runs = c.runs();
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    o += i ? "," : "";
    o += fmt::format("{{\"id\":{},\"started\":{},\"finished\":{},\"operator\":{},", r.id,
                     json_time(r.started), json_time(r.finished), json_str(r.operator_name));
    o += fmt::format("\"tool_version\":{},\"incident_id\":{},\"severity\":{},\"inputs\":{},",
                     json_str(r.tool_version), json_str(r.incident_id), json_str(r.severity),
                     r.inputs.size());
    o += fmt::format("\"findings\":{}}}", r.finding_count);
  }
  o += "],\"incident\":";
  IncidentView inc = read_incident(c.latest_incident_json());
  if (!inc.present) {
    o += "null";
  } else if (!inc.error.empty()) {
    o += "{\"error\":" + json_str(inc.error) + "}";
  } else {
    o += "{\"severity\":" + (inc.severity.empty() ? "null" : json_str(inc.severity)) +
         ",\"assessment\":" + json_str(inc.undetermined.empty() ? "assessed" : "undetermined") +
         ",\"assessment_reason\":" + json_str(inc.undetermined) + ",\"criteria\":[";
    for (size_t i = 0; i < inc.criteria.size(); ++i) {
      const auto& k = inc.criteria[i];
      o += i ? "," : "";
      o += fmt::format(
          "{{\"level\":{},\"id\":{},\"criterion\":{},\"evidence\":{},\"likely_benign\":{}}}",
          json_str(k.level), json_str(k.id), json_str(k.criterion), k.evidence,
          k.likely_benign ? "true" : "false");
    }
    o += "],\"summary\":" + json_str(inc.summary) + "}";
  }
  o += ",\"notes\":[";
  auto notes = c.notes();
  for (size_t i = 0; i < notes.size(); ++i)
    o += fmt::format("{}{{\"id\":{},\"time\":{},\"author\":{},\"text\":{}}}", i ? "," : "",
                     notes[i].id, json_time(notes[i].time), json_str(notes[i].author),
                     json_str(notes[i].text));
  o += "],\"pins\":[";
  auto pins = c.pins();
  for (size_t i = 0; i < pins.size(); ++i) {
    const auto& p = pins[i];
    o += fmt::format(
        "{}{{\"id\":{},\"pinned\":{},\"author\":{},\"query\":{},\"note\":{},\"time\":{},",
        i ? "," : "", p.id, json_time(p.pinned), json_str(p.author), json_str(p.query),
        json_str(p.note), json_time(p.time));
    o += fmt::format(
        "\"source\":{},\"event_id\":{},\"file\":{},\"line\":{},\"record\":{},\"text\":{},"
        "\"copies\":{}}}",
        json_str(p.source), json_str(p.event_id), json_str(p.file), p.line, p.record,
        json_str(p.text), p.copies);
  }
  o += "],\"journal\":[";
  auto journal = c.journal();
  for (size_t i = 0; i < journal.size(); ++i) {
    const auto& j = journal[i];
    o += i ? "," : "";
    o +=
        fmt::format("{{\"id\":{},\"phase\":{},\"step_id\":{},\"action\":{},\"target\":{},", j.id,
                    json_str(j.phase), json_str(j.step_id), json_str(j.action), json_str(j.target));
    o += "\"argv\":[";
    for (size_t a = 0; a < j.argv.size(); ++a) o += (a ? "," : "") + json_str(j.argv[a]);
    o += fmt::format("],\"started\":{},\"finished\":{},\"exit_status\":{},\"operator\":{},",
                     json_time(j.started), json_time(j.finished), j.exit_status,
                     json_str(j.operator_name));
    o += fmt::format("\"kind\":{},\"reason\":{},\"dry_run\":{}}}", json_str(j.kind),
                     json_str(j.reason), j.dry_run ? "true" : "false");
  }
  out << o << "]}\n";
}

}  // namespace

int case_command(const CaseCommand& cmd, std::ostream& out, std::ostream& err) {
  const std::string prefix = "eksir case " + shown(cmd.action) + ": ";
  if (cmd.format != "text" && cmd.format != "json") {
    err << prefix << "--format must be text or json\n";
    return 2;
  }
  if (cmd.action == "list") return list(cmd, out, err);
  if (cmd.action != "show" && cmd.action != "note" && cmd.action != "close" &&
      cmd.action != "reopen") {
    err << "eksir case: unknown action '" << shown(cmd.action)
        << "' (list, show, note, close, reopen)\n";
    return 2;
  }
  if (cmd.target.empty()) {
    err << prefix << "which case? (a case directory or id)\n";
    return 2;
  }
  if ((cmd.action == "note" || cmd.action == "close") && cmd.text.empty()) {
    err << prefix << (cmd.action == "note" ? "the note is empty" : "--reason is required") << "\n";
    return 2;
  }
  std::string dir = resolve_case(cmd.target);
  Status st;
  // show only reads: the case is not migrated or otherwise written by it.
  auto c = cmd.action == "show" ? Case::open_readonly(dir, st) : Case::open(dir, false, st);
  if (!c) {
    err << prefix << shown(st.error) << "\n";
    return 2;
  }
  if (cmd.action == "show") {
    // Shown only once every read succeeded: a damaged case is not shown as an empty one.
    std::ostringstream text;
    if (cmd.format == "json")
      show_json(*c, text);
    else
      show_text(*c, text, cmd.width, cmd.colour);
    if (Status read = c->read_status(); !read) {
      err << prefix << read.error << "\n";
      return 2;
    }
    out << text.str();
    return 0;
  }
  if (cmd.action == "note") {
    Note n;
    n.author = cmd.author;
    n.text = cmd.text;
    st = c->add_note(n);
    if (st) out << "note " << n.id << " added to " << shown(dir) << "\n";
  } else if (cmd.action == "close") {
    st = c->close(cmd.text);
    if (st) out << "closed " << shown(dir) << "\n";
  } else {
    st = c->reopen();
    if (st) out << "reopened " << shown(dir) << "\n";
  }
  if (!st) {
    err << prefix << shown(st.error) << "\n";
    return 2;
  }
  return 0;
}

}  // namespace eksir::store
