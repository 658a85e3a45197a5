// The HTML report: one self-contained page. Styles and the sorting script are
// inline, the drawings are inline SVG, and a Content-Security-Policy forbids
// every network request and any script but the page's own (pinned by its hash).
// All evidence text is escaped.
#include <fmt/format.h>

#include <ostream>

#include "report/html_text.h"
#include "util/sha256.h"
#include "util/visible.h"

namespace eksir::report {
namespace {

constexpr const char* kStyle = R"CSS(
:root { --ink:#1d2330; --muted:#5b6475; --line:#d8dce4; --band:#f5f6f9; --inc:#c62828; --det:#ef8f00; --resp:#1565c0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .basis { color: var(--muted); font-size: 12px; }
nav ol { columns: 2; font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--band); }
table.sortable th { cursor: pointer; }
th[aria-sort=ascending]::after { content: " \25B2"; }
th[aria-sort=descending]::after { content: " \25BC"; }
table.kv th { width: 180px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre.timeline { white-space: pre-wrap; background: var(--band); padding: 10px; border: 1px solid var(--line); overflow-wrap: anywhere; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; }
.sev-Critical { background: #8e0000; } .sev-High { background: #c62828; } .sev-Medium { background: #ef8f00; } .sev-Low { background: #2e7d32; }
.tag { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 3px; margin-right: 4px; border: 1px solid; }
.tag-fact { color: #1b5e20; border-color: #1b5e20; } .tag-hypothesis { color: #8a5a00; border-color: #8a5a00; }
.tag-unknown { color: #5b6475; border-color: #5b6475; } .tag-recommendation { color: #1565c0; border-color: #1565c0; }
.tag-analyst { color: #6a1b9a; border-color: #6a1b9a; }
.t-INCIDENT { color: var(--inc); } .t-DETECTION { color: #b36b00; } .t-RESPONSE { color: var(--resp); } .t-ANALYST { color: #6a3d9a; }
.notes { border-left: 3px solid #6a1b9a; padding: 2px 10px; margin: 8px 0; }
svg { width: 100%; height: auto; display: block; margin: 8px 0 16px; }
svg text { font-size: 11px; fill: var(--ink); }
.band0 { fill: #fff; } .band1 { fill: var(--band); }
.grid { stroke: var(--line); stroke-width: 1; }
.tick, .legend, .colhead { fill: var(--muted); }
.rowlabel { font-weight: 600; }
.m-inc { fill: var(--inc); fill-opacity: .8; } .m-det { fill: var(--det); } .m-resp { fill: var(--resp); } .m-ana { fill: #6a3d9a; }
.v-det { stroke: var(--det); stroke-dasharray: 4 3; } .v-cont { stroke: var(--resp); stroke-dasharray: 4 3; }
.v-det-label { fill: #b36b00; } .v-cont-label { fill: var(--resp); }
.edge { fill: none; stroke: #8a93a6; stroke-width: 1.3; } .arrowhead { fill: #8a93a6; }
.edgelabel { fill: var(--muted); font-size: 9px; }
.relations { font-size: 12px; color: var(--muted); } .relations ul { columns: 2; margin: 4px 0; }
.node rect { fill: #eef3fb; stroke: #7b8bb0; } .node.affected rect { fill: #fdecea; stroke: var(--inc); stroke-width: 2; }
.node .kind { fill: var(--muted); font-size: 9px; text-transform: uppercase; } .node .name { font-weight: 600; }
.checklist { list-style: none; padding-left: 0; } .checklist li::before { content: "\2610  "; } .checklist li.applies::before { content: "\2611  "; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav { display: none; }
  h2 { break-after: avoid; }
  table, svg, pre { break-inside: auto; }
  tr, .node { break-inside: avoid; }
  th[aria-sort]::after { content: ""; }
  a { color: inherit; text-decoration: none; }
}
)CSS";

// Sorts a table by the clicked column: numbers by value, ISO times and text as
// text.
constexpr const char* kScript = R"JS(
(function () {
  function key(cell) {
    var v = cell.getAttribute('data-sort');
    if (v === null) v = cell.textContent.trim();
    var n = Number(v);
    return v !== '' && !isNaN(n) ? n : v.toLowerCase();
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      if (typeof x !== typeof y) { x = String(x); y = String(y); }
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    Array.prototype.forEach.call(head.cells, function (th, i) {
      th.title = 'Sort';
      th.addEventListener('click', function () { sortBy(table, i, th); });
    });
  });
})();
)JS";

std::string base64(const std::array<uint8_t, 32>& d) {
  static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < d.size(); i += 3) {
    uint32_t v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += chars[(v >> s) & 63];
  }
  uint32_t v = d[i] << 16 | (i + 1 < d.size() ? d[i + 1] << 8 : 0);  // 32 bytes leave two
  out += chars[(v >> 18) & 63];
  out += chars[(v >> 12) & 63];
  out += chars[(v >> 6) & 63];
  out += '=';
  return out;
}

using H = std::string;
H e(std::string_view s) {
  return html_escape(s);
}
H na(std::string_view s) {
  return s.empty() ? "—" : e(s);
}

H tag(const std::string& kind, const std::string& confidence = "") {
  std::string label = kind == "unknown" ? "not known" : kind;
  if (kind == "hypothesis" && !confidence.empty()) label += ", " + confidence + " confidence";
  return "<span class=\"tag tag-" + e(kind) + "\">" + e(label) + "</span>";
}

H where(const EvidenceRef& r) {
  std::string loc = evidence_location(r);
  return loc.empty() ? "" : " <code>" + e(loc) + "</code>";
}

H statements(const std::vector<Statement>& items) {
  if (items.empty()) return "";
  H out = "<ul>\n";
  for (const auto& s : items)
    out += "<li>" + tag(s.kind, s.confidence) + e(s.text) + where(s.evidence) + "</li>\n";
  return out + "</ul>\n";
}

H notes(const Report& r, const std::string& section) {
  auto it = r.notes.find(section);
  if (it == r.notes.end() || it->second.empty()) return "";
  H out = "<div class=\"notes\"><h3>Analyst notes</h3><ul>\n";
  for (const auto& n : it->second)
    out += "<li>" + tag("analyst") + "<span class=\"meta\">" +
           e(n.author.empty() ? "unknown" : n.author) + ", " + e(time_seconds(n.time)) +
           "</span> " + e(n.text) + "</li>\n";
  return out + "</ul></div>\n";
}

H list(const std::string& title, const std::vector<std::string>& items,
       const char* none = nullptr) {
  if (items.empty() && !none) return "";
  H out = "<h3>" + e(title) + "</h3>\n";
  if (items.empty()) return out + "<p>" + e(none) + "</p>\n";
  out += "<ul>\n";
  for (const auto& i : items) out += "<li>" + e(i) + "</li>\n";
  return out + "</ul>\n";
}

H time_cell(TimeNs t) {
  return "<td data-sort=\"" + e(t == kNoTime ? "" : format_time(t)) + "\">" + e(time_seconds(t)) +
         "</td>";
}

H kv(const std::string& k, const H& v) {
  return "<tr><th>" + e(k) + "</th><td>" + v + "</td></tr>\n";
}

}  // namespace

std::string html_escape(std::string_view s) {
  // Controls, bidi overrides and invisible characters are shown, not obeyed (util::visible).
  const std::string text = util::visible(s);
  std::string out;
  out.reserve(text.size() + 16);
  size_t run = 0;  // start of the characters not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\'':
        entity = "&#39;";
        break;
      default:
        continue;
    }
    out.append(text, run, i - run);
    out += entity;
    run = i + 1;
  }
  out.append(text, run, std::string::npos);
  return out;
}

void write_html(const Report& r, std::ostream& out) {
  Sha256 sha;
  sha.update(kScript);
  std::string script_hash = base64(sha.digest());
  H title = "Incident report " + (r.id.empty() ? std::string("(no incident)") : r.id);

  H h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
       "'none'; style-src 'unsafe-inline'; "
       "img-src data:; script-src 'sha256-" +
       script_hash + "'\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, "
       "initial-scale=1\">\n";
  h += "<link rel=\"icon\" href=\"data:,\">\n";
  h += "<title>" + e(title + (r.title.empty() ? "" : " — " + r.title)) + "</title>\n";
  h += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
  h += "<header><h1>" + e(title) + "</h1>\n";
  if (!r.title.empty()) h += "<p><strong>" + e(r.title) + "</strong></p>\n";
  h += "<p class=\"meta\">Generated " + e(time_seconds(r.generated)) + " by eksir" +
       (r.case_dir.empty() ? "" : " from the case <code>" + e(r.case_dir) + "</code>") +
       ". Statements are marked " + tag("fact") + " (shown by the evidence records cited), " +
       tag("hypothesis") + " (with a confidence), " + tag("unknown") +
       " (the evidence does not tell) or " + tag("analyst") + ". Times are UTC.</p></header>\n";
  h += "<nav><ol>";
  for (const auto& s : kSectionTitles)
    h += std::string("<li><a href=\"#") + s[0] + "\">" + s[1] + "</a></li>";
  h += "</ol></nav>\n";

  // 1. Summary
  h += "<section id=\"summary\"><h2>1. Incident summary</h2>\n<table "
       "class=\"kv\">\n";
  h += kv("Incident ID", na(r.id));
  h += kv("Title", na(r.title));
  h += kv("Severity",
          !r.undetermined.empty() ? "<strong>undetermined</strong> — " + e(r.undetermined)
          : r.severity.empty()
              ? "not known"
              : "<span class=\"sev sev-" + e(r.severity) + "\">" + e(r.severity) + "</span>");
  h += kv("Incident type", na(r.type));
  h += kv("Discovered", e(time_seconds(r.discovered)));
  h += kv("Contained", e(time_seconds(r.contained)) +
                           (r.contained_basis.empty()
                                ? ""
                                : " <span class=\"basis\">(" + e(r.contained_basis) + ")</span>"));
  h += kv("Resolved", e(time_seconds(r.resolved)) +
                          (r.resolved_basis.empty()
                               ? ""
                               : " <span class=\"basis\">(" + e(r.resolved_basis) + ")</span>"));
  h += kv("Case status", e(r.case_status.empty() ? "open" : r.case_status));
  h += "</table>\n<h3>Severity criteria met</h3>\n";
  if (!r.undetermined.empty())
    h += "<p>Not assessed: no event was read, so no criterion can be met or ruled out.</p>\n";
  else if (r.criteria.empty())
    h += "<p>No criterion of the playbook's severity table is met.</p>\n";
  else {
    h += "<ul>\n";
    for (const auto& c : r.criteria) {
      h += "<li><strong>" + e(c.level) + "</strong> — " + e(c.text) +
           (c.likely_benign ? " <em>(likely benign)</em>" : "") +
           (c.id.empty() ? "" : " <code>" + e(c.id) + "</code>");
      if (!c.evidence.empty()) {
        h += "<ul>";
        for (const auto& ev : c.evidence) h += "<li>" + e(ev.text) + where(ev.ref) + "</li>";
        h += "</ul>";
      }
      h += "</li>\n";
    }
    h += "</ul>\n";
  }
  h += list("Affected systems", r.affected_systems, "None identified.");
  h += "<h3>Executive summary</h3>\n<p>" + e(r.executive_summary) + "</p>\n";
  if (!r.investigation_summary.empty())
    h += "<p>Investigation summary: " + e(r.investigation_summary) + "</p>\n";
  h += notes(r, "summary") + "</section>\n";

  // 2. Timeline
  h += "<section id=\"timeline\"><h2>2. Timeline</h2>\n" + timeline_svg(r);
  if (r.timeline.empty())
    h += "<p>No timeline events.</p>\n";
  else {
    h += "<pre class=\"timeline\">";
    for (const auto& l : r.timeline) {
      h += "<span class=\"t-" + e(l.tag) + "\">" + e(timeline_line(l)) + "</span>\n";
    }
    h += "</pre>\n";
  }
  h += notes(r, "timeline") + "</section>\n";

  // 3. Technical investigation
  h += "<section id=\"investigation\"><h2>3. Technical "
       "investigation</h2>\n<h3>Investigation runs</h3>\n";
  if (r.runs.empty())
    h += "<p>No investigation run is recorded.</p>\n";
  else {
    h += "<table><thead><tr><th>Run</th><th>Started</th><th>Finished</"
         "th><th>Operator</th><th>Inputs</th>"
         "<th>Findings</th><th>Severity</th></tr></thead><tbody>\n";
    for (const auto& ri : r.runs)
      h += fmt::format(
          "<tr><td>{}</td>{}{}<td>{}</td><td>{}</td><td>{}</"
          "td><td>{}</td></tr>\n",
          ri.id, time_cell(ri.started), time_cell(ri.finished), na(ri.operator_name), ri.inputs,
          ri.findings, na(ri.severity));
    h += "</tbody></table>\n";
  }
  if (!r.events_by_source.empty()) {
    h += "<p>Events read: ";
    for (size_t i = 0; i < r.events_by_source.size(); ++i)
      h += (i ? ", " : "") + e(r.events_by_source[i].first) + " " +
           std::to_string(r.events_by_source[i].second);
    h += "; records skipped: " + std::to_string(r.skipped) + ".</p>\n";
  }
  h += list("Inputs", r.inputs);
  h += "<h3>Rules that fired</h3>\n";
  if (r.rules.empty())
    h += "<p>No rule fired on this incident.</p>\n";
  else {
    h += "<table class=\"sortable\" "
         "id=\"findings\"><thead><tr><th>Rule</th><th>Title</th><th>Severity</"
         "th>"
         "<th>Findings</th><th>Events</th><th>First fired</th><th>Last "
         "fired</th><th>Evidence</th></tr></thead>"
         "<tbody>\n";
    static const std::map<std::string, int> rank = {
        {"critical", 0}, {"high", 1}, {"medium", 2}, {"low", 3}, {"info", 4}};
    for (const auto& rr : r.rules) {
      H ev;
      for (size_t i = 0; i < rr.evidence.size() && i < 3; ++i)
        ev += (i ? "<br>" : "") + ("<code>" + e(evidence_location(rr.evidence[i])) + "</code>");
      auto it = rank.find(rr.severity);
      h += "<tr><td><code>" + e(rr.rule) + "</code></td><td>" + na(rr.title) +
           "</td><td data-sort=\"" + std::to_string(it == rank.end() ? 5 : it->second) + "\">" +
           na(rr.severity) + "</td><td>" + std::to_string(rr.findings) + "</td><td>" +
           std::to_string(rr.hits) + "</td>" + time_cell(rr.first) + time_cell(rr.last) + "<td>" +
           (ev.empty() ? "—" : ev) + "</td></tr>\n";
    }
    h += "</tbody></table>\n";
  }
  h += "<h3>Key evidence records</h3>\n";
  if (r.key_evidence.empty())
    h += "<p>No evidence record is cited.</p>\n";
  else {
    h += "<table "
         "class=\"sortable\"><thead><tr><th>Time</th><th>Source</"
         "th><th>Record</th><th>What it shows</th>"
         "</tr></thead><tbody>\n";
    for (const auto& ev : r.key_evidence)
      h += "<tr>" + time_cell(ev.ref.time) + "<td>" + na(ev.ref.source) + "</td><td><code>" +
           e(evidence_location(ev.ref)) + "</code></td><td>" + na(ev.text) + "</td></tr>\n";
    h += "</tbody></table>\n";
  }
  h += list("Recognised as likely benign", r.likely_benign);
  h += list("Assumptions", r.assumptions);
  h += list("Where the scope stopped (not followed, and why)", r.not_followed);
  h += list("Leads (not part of this incident)", r.leads);
  h += list("Posture results (high and critical)", r.posture);
  h += notes(r, "investigation") + "</section>\n";

  // 4. Impact
  h += "<section id=\"impact\"><h2>4. Impact</h2>\n" + statements(r.impact);
  h += "<h3>Affected resources</h3>\n";
  if (r.affected.empty())
    h += "<p>None identified.</p>\n";
  else {
    h += "<table class=\"sortable\" "
         "id=\"affected\"><thead><tr><th>Kind</th><th>Namespace</th><th>Name</"
         "th><th>ID</th>"
         "<th>Why</th><th>Findings</th></tr></thead><tbody>\n";
    for (const auto& a : r.affected)
      h += "<tr><td>" + na(a.kind) + "</td><td>" + na(a.ns) + "</td><td>" + na(a.name) +
           "</td><td>" + na(a.id == a.name ? "" : a.id) + "</td><td>" + na(a.why) + "</td><td>" +
           std::to_string(a.findings) + "</td></tr>\n";
    h += "</tbody></table>\n";
  }
  if (!r.images.empty()) {
    h += "<h3>Vulnerable images</h3>\n<table class=\"sortable\" id=\"images\"><thead><tr>"
         "<th>Image</th><th>Runs in</th><th>Vulnerabilities</th><th>Exploit available</th>"
         "<th>Fixes</th><th>Joined to the workloads</th><th>Scanner record</th></tr></thead>"
         "<tbody>\n";
    for (const auto& i : r.images) {
      std::string vulns = vulnerabilities_text(i), exploit = exploit_text(i);
      h += "<tr><td><code>" + e(i.name) + "</code></td><td>" + na(join_list(i.workloads)) +
           "</td><td>" + na(vulns) + "</td><td>" + na(exploit) + "</td><td>" + na(i.fixes) +
           "</td><td>" + na(joined_text(i)) + "</td><td>" + na(i.scanner) + where(i.record) +
           "</td></tr>\n";
    }
    h += "</tbody></table>\n";
  }
  h += "<h3>Entity graph</h3>\n" + graph_svg(r);
  h += notes(r, "impact") + "</section>\n";

  // 5. Actions
  h += "<section id=\"actions\"><h2>5. Containment and remediation "
       "actions</h2>\n";
  if (r.actions.empty()) {
    h += "<p>No response action is journaled in this case.";
    if (r.dry_runs)
      h += " " + std::to_string(r.dry_runs) + " step(s) were shown as a dry run only.";
    h += "</p>\n";
    if (!r.next_steps.empty()) h += list("Planned next steps", r.next_steps);
  } else {
    h += "<table "
         "class=\"sortable\"><thead><tr><th>When</th><th>Phase</th><th>What</"
         "th><th>Who</th><th>Command</th>"
         "<th>Verification</th><th>Evidence</th></tr></thead><tbody>\n";
    for (const auto& a : r.actions)
      h += "<tr>" + time_cell(a.started) + "<td>" + na(a.phase) + "</td><td>" +
           na(a.action + (a.target.empty() ? "" : " " + a.target)) + "</td><td>" +
           na(a.operator_name) + "</td><td>" +
           (a.command.empty() ? "—" : "<code>" + e(a.command) + "</code>") + "</td><td>" +
           na(a.verification) + "</td><td>" + na(a.evidence) + "</td></tr>\n";
    h += "</tbody></table>\n";
    if (r.dry_runs)
      h += "<p>" + std::to_string(r.dry_runs) +
           " further step(s) were shown as a dry run only.</p>\n";
  }
  h += notes(r, "actions") + "</section>\n";

  // 6. Root cause
  h += "<section id=\"root_cause\"><h2>6. Root cause</h2>\n" + statements(r.root_cause) +
       notes(r, "root_cause") + "</section>\n";

  // 7. Lessons
  h += "<section id=\"lessons\"><h2>7. Lessons learned and detection "
       "improvements</h2>\n<h3>Lessons learned</h3>\n";
  if (r.lessons.empty() && !r.notes.count("lessons"))
    h += "<p>None derived from the evidence.</p>\n";
  h += statements(r.lessons) + notes(r, "lessons");
  h += "<h3>Detection timing</h3>\n";
  if (r.detection_timing.empty()) h += "<p>No rule fired on this incident.</p>\n";
  h += statements(r.detection_timing);
  h += list("Attack steps no rule fired on", r.undetected,
            "Every attack step had a rule fire on it.");
  h += list("Missing log sources", r.missing_sources, "None found.");
  h += "<h3>Playbook detection improvements</h3>\n<ul class=\"checklist\">\n";
  for (const auto& p : r.playbook)
    h += std::string("<li") + (p.applies ? " class=\"applies\"" : "") + ">" + e(p.item) + " — " +
         (p.applies ? "applies: " : "not needed: ") + e(p.why) + "</li>\n";
  h += "</ul>\n</section>\n";

  // 8. Metrics
  h += "<section id=\"metrics\"><h2>8. Key "
       "metrics</h2>\n<table><thead><tr><th>Metric</th><th>Value</"
       "th><th>Basis</th>"
       "</tr></thead><tbody>\n";
  for (const auto& m : r.metrics)
    h += "<tr><td>" + e(m.name) + "</td><td>" + e(m.value) + "</td><td class=\"basis\">" +
         e(m.basis) + "</td></tr>\n";
  h += "</tbody></table>\n" + notes(r, "metrics") + "</section>\n";

  h += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  out << h;
}

}  // namespace eksir::report
