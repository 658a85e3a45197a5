// The HTML report: one self-contained page. Styles and the sorting script are
// inline, the drawings are inline SVG, and a Content-Security-Policy forbids
// every network request and any script but the page's own (pinned by its hash).
// All evidence text is escaped.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <string_view>

#include "report/html_text.h"
#include "rules/rules.h"
#include "util/sha256.h"
#include "util/visible.h"

namespace eksir::report {
namespace {

// Laid out top-down: the first screen (1400 x 900) holds the title, the severity, the key
// metrics, the executive summary and the timeline chart; the sections follow, with evidence
// lists folded (<details>) under their count. Tables sit in a box that scrolls sideways when they
// are wider than the page, so no cell has to break a word; timestamps (<time>) never break; long
// names break only where the writer put a <wbr> (after separators, see html_text).
constexpr const char* kStyle = R"CSS(
:root { --ink:#1d2330; --muted:#5b6475; --line:#d8dce4; --band:#f5f6f9; --inc:#c62828; --det:#ef8f00; --resp:#1565c0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1240px; padding: 20px 24px; overflow-wrap: break-word; }
h1 { font-size: 22px; margin: 0 0 4px; display: flex; flex-wrap: wrap; align-items: center; gap: 4px 12px; }
h1 .sev { font-size: 15px; }
h2 { font-size: 18px; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.title { font-size: 16px; font-weight: 600; margin: 2px 0 6px; }
.facts { margin: 0 0 6px; font-size: 13px; } .facts span { margin-right: 16px; display: inline-block; }
.meta, .basis { color: var(--muted); font-size: 12px; }
.meta { margin: 4px 0; }
time { white-space: nowrap; }
nav ol { display: flex; flex-wrap: wrap; gap: 2px 18px; list-style: none; padding: 0; margin: 6px 0 10px; font-size: 13px; }
nav li { white-space: nowrap; }
.summary { margin: 8px 0; max-width: 72em; }
.metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 8px; margin: 10px 0; padding: 0; }
.metric { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; background: var(--band); margin: 0; }
.metric dt { font-size: 12px; color: var(--muted); }
.metric dd { margin: 0; font-size: 16px; font-weight: 600; }
.metric.unknown dd { font-size: 14px; font-weight: 400; color: var(--muted); }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--band); }
th.prose { min-width: 15em; }
td.time { white-space: nowrap; } td.time time { display: inline-block; }
table.sortable th { cursor: pointer; }
th[aria-sort=ascending]::after { content: " \25B2"; }
th[aria-sort=descending]::after { content: " \25BC"; }
table.kv th { width: 180px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre.timeline { white-space: pre-wrap; background: var(--band); padding: 10px; border: 1px solid var(--line); }
pre.timeline > span { display: block; padding-left: 2em; text-indent: -2em; }
details { margin: 2px 0 6px; } summary { cursor: pointer; color: var(--muted); font-size: 13px; }
details > ul { margin-top: 2px; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; }
.sev-Critical { background: #8e0000; } .sev-High { background: #c62828; } .sev-Medium { background: #ef8f00; } .sev-Low { background: #2e7d32; }
.tag { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 3px; margin-right: 4px; border: 1px solid; white-space: nowrap; }
.tag-fact { color: #1b5e20; border-color: #1b5e20; } .tag-hypothesis { color: #8a5a00; border-color: #8a5a00; }
.tag-unknown { color: #5b6475; border-color: #5b6475; } .tag-recommendation { color: #1565c0; border-color: #1565c0; }
.tag-analyst { color: #6a1b9a; border-color: #6a1b9a; }
.t-INCIDENT { color: var(--inc); } .t-DETECTION { color: #b36b00; } .t-RESPONSE { color: var(--resp); } .t-ANALYST { color: #6a3d9a; }
.notes { border-left: 3px solid #6a1b9a; padding: 2px 10px; margin: 8px 0; }
svg { display: block; }
svg text { fill: var(--ink); }
svg.chart { width: 100%; min-width: 740px; height: auto; margin: 4px 0 8px; }
svg.chart text { font-size: 11px; }
svg.graph { margin: 8px 0 12px; }
svg.graph text { font-size: 11px; }
.band0 { fill: #fff; } .band1 { fill: var(--band); }
.grid { stroke: var(--line); stroke-width: 1; }
.tick, .legend, .colhead, .brk-label { fill: var(--muted); }
.axis { stroke: #8a93a6; stroke-width: 1; } .brk { stroke: var(--muted); stroke-width: 1.5; fill: none; } .brk-gap { fill: #fff; }
.rowlabel { font-weight: 600; }
.m-inc { fill: var(--inc); fill-opacity: .8; } .m-det { fill: var(--det); } .m-resp { fill: var(--resp); } .m-ana { fill: #6a3d9a; }
.v-det { stroke: var(--det); stroke-dasharray: 4 3; } .v-cont { stroke: var(--resp); stroke-dasharray: 4 3; }
.v-det-label { fill: #b36b00; } .v-cont-label { fill: var(--resp); }
.edge { fill: none; stroke: #8a93a6; stroke-width: 1.3; } .arrowhead { fill: #8a93a6; }
svg.graph .edgelabel { fill: var(--muted); font-size: 10px; }
.zoom { display: flex; align-items: center; gap: 6px; margin: 4px 0; }
.zoom button { font: inherit; font-size: 12px; padding: 1px 8px; border: 1px solid var(--line); border-radius: 3px; background: #fff; cursor: pointer; }
.zoom-level { font-size: 12px; min-width: 3.5em; text-align: center; }
.relations { font-size: 12px; color: var(--muted); } .relations ul { margin: 4px 0; }
.node rect { fill: #eef3fb; stroke: #7b8bb0; } .node.affected rect { fill: #fdecea; stroke: var(--inc); stroke-width: 2; }
svg.graph .node .kind { fill: var(--muted); font-size: 10px; text-transform: uppercase; } svg.graph .node .name { font-weight: 600; font-size: 12px; }
.checklist { list-style: none; padding-left: 0; } .checklist li::before { content: "\2610  "; } .checklist li.applies::before { content: "\2611  "; }
@media (max-width: 1000px) {
  body { padding: 12px 16px; }
  svg.chart text { font-size: 13.5px; }
  table.kv th { width: 130px; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav, .zoom { display: none; }
  h2 { break-after: avoid; }
  .scroll { overflow: visible; }
  table { font-size: 9.5px; } th, td { padding: 2px 4px; } code, pre { font-size: 9px; }
  td.time { white-space: normal; }
  svg.chart { min-width: 0; }
  svg.graph { width: 100%; height: auto; }
  details::details-content { content-visibility: visible; height: auto; }
  details > summary { list-style: none; }
  table, svg, pre { break-inside: auto; }
  tr, .node, .metric { break-inside: avoid; }
  th[aria-sort]::after { content: ""; }
  a { color: inherit; text-decoration: none; }
}
)CSS";

// Sorts a table by the clicked column: numbers by value, ISO times and text as
// text. Printing opens the folded lists, and closes them again afterwards.
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
  // The entity graph's zoom: the drawing's width and height scaled, its viewBox kept.
  Array.prototype.forEach.call(document.querySelectorAll('.zoomable'), function (box) {
    var bar = box.querySelector('.zoom'), svg = box.querySelector('svg.graph');
    var scroller = box.querySelector('.scroll');
    if (!bar || !svg || !scroller) return;
    var w0 = Number(svg.getAttribute('width')), h0 = Number(svg.getAttribute('height'));
    if (!(w0 > 0 && h0 > 0)) return;
    var level = bar.querySelector('.zoom-level'), scale = 1;
    function set(s) {
      scale = Math.min(4, Math.max(0.1, s));
      svg.setAttribute('width', String(Math.round(w0 * scale)));
      svg.setAttribute('height', String(Math.round(h0 * scale)));
      level.textContent = Math.round(scale * 100) + '%';
    }
    bar.hidden = false;
    bar.addEventListener('click', function (ev) {
      var b = ev.target.closest('button');
      if (!b) return;
      var z = b.getAttribute('data-zoom');
      if (z === 'in') set(scale * 1.25);
      else if (z === 'out') set(scale / 1.25);
      else if (z === 'fit') set(scroller.clientWidth / w0);
      else set(1);
    });
  });
  var opened = [];
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details:not([open])'), function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
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
// Text (a text node: breaks after separators, timestamps kept whole).
H e(std::string_view s) {
  return html_text(s);
}
// An attribute value, or text where markup may not go (<title>).
H a(std::string_view s) {
  return html_escape(s);
}
H na(std::string_view s) {
  return s.empty() ? "—" : e(s);
}

H tag(const std::string& kind, const std::string& confidence = "") {
  std::string label = kind == "unknown" ? "not known" : kind;
  if (kind == "hypothesis" && !confidence.empty()) label += ", " + confidence + " confidence";
  return "<span class=\"tag tag-" + a(kind) + "\">" + e(label) + "</span>";
}

// An evidence record's place: the file relative to the evidence root (the whole path in the
// tooltip), its line and the event id.
H location(const Report& r, const EvidenceRef& ref) {
  std::string loc = evidence_location(ref);
  if (loc.empty()) return "";
  if (ref.file.empty()) return "<code>" + e(loc) + "</code>";
  EvidenceRef shown = ref;
  shown.file = relative_to(ref.file, r.evidence_root);
  EvidenceRef full = ref;
  full.event_id.clear();
  std::string whole = evidence_location(full);
  return "<code title=\"" + a(whole) + "\">" + e(evidence_location(shown)) + "</code>";
}

H where(const Report& r, const EvidenceRef& ref) {
  H loc = location(r, ref);
  return loc.empty() ? "" : " " + loc;
}

// A list folded under its count ("4 evidence records"); open when it is short.
H folded(const std::string& count_text, const H& body, bool open = false) {
  return std::string("<details") + (open ? " open" : "") + "><summary>" + e(count_text) +
         "</summary>" + body + "</details>";
}

std::string count(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// A table, in a box that scrolls sideways when the table is wider than the page.
H table(const std::string& attrs, const H& head, const H& rows) {
  return "<div class=\"scroll\"><table" + attrs + ">" + head + "<tbody>\n" + rows +
         "</tbody></table></div>\n";
}

H statements(const Report& r, const std::vector<Statement>& items) {
  if (items.empty()) return "";
  H out = "<ul>\n";
  for (const auto& s : items)
    out += "<li>" + tag(s.kind, s.confidence) + e(s.text) + where(r, s.evidence) + "</li>\n";
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

H items(const std::vector<std::string>& list) {
  H out = "<ul>\n";
  for (const auto& i : list) out += "<li>" + e(i) + "</li>\n";
  return out + "</ul>\n";
}

H list(const std::string& title, const std::vector<std::string>& list, const char* none = nullptr) {
  if (list.empty() && !none) return "";
  H out = "<h3>" + e(title) + "</h3>\n";
  if (list.empty()) return out + "<p>" + e(none) + "</p>\n";
  return out + items(list);
}

// The same, folded under its count when it is longer than a few lines.
H folded_list(const std::string& title, const std::vector<std::string>& list, const char* one,
              const char* many) {
  if (list.empty()) return "";
  H out = "<h3>" + e(title) + "</h3>\n";
  if (list.size() <= 3) return out + items(list);
  return out + folded(count(list.size(), one, many), items(list)) + "\n";
}

// A time in a table: one line on screen; printed, it may break after the date's "T" (between the
// two boxes it is written in) so that a table keeps to the page.
H time_cell(TimeNs t) {
  std::string when = time_seconds(t);  // 2026-03-14T09:12:31Z, or "not known"
  H shown = t == kNoTime || when.size() != 20
                ? e(when)
                : "<time>" + when.substr(0, 11) + "</time><time>" + when.substr(11) + "</time>";
  return "<td class=\"time\" data-sort=\"" + a(t == kNoTime ? "" : format_time(t)) + "\">" + shown +
         "</td>";
}

H kv(const std::string& k, const H& v) {
  return "<tr><th>" + e(k) + "</th><td>" + v + "</td></tr>\n";
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// Characters after which a long name may break (not "\\", which starts the escapes visible()
// writes).
bool is_separator(char c) {
  return std::string_view("/:.,;-_=@&?|+)]}>").find(c) != std::string_view::npos;
}

// The length of an ISO date or time starting at s[i] ("2026-03-14", "2026-03-14T08:47:20.514Z"),
// 0 when none does.
size_t timestamp_at(std::string_view s, size_t i) {
  auto digits = [&](size_t at, size_t n) {
    if (at + n > s.size()) return false;
    for (size_t k = at; k < at + n; ++k)
      if (!is_digit(s[k])) return false;
    return true;
  };
  auto is = [&](size_t at, char c) { return at < s.size() && s[at] == c; };
  if ((i > 0 && is_digit(s[i - 1])) || !digits(i, 4) || !is(i + 4, '-') || !digits(i + 5, 2) ||
      !is(i + 7, '-') || !digits(i + 8, 2))
    return 0;
  size_t n = i + 10;
  if (is(n, 'T') && digits(n + 1, 2) && is(n + 3, ':') && digits(n + 4, 2)) {
    n += 6;
    if (is(n, ':') && digits(n + 1, 2)) {
      n += 3;
      if (is(n, '.') && digits(n + 1, 1))
        for (++n; n < s.size() && is_digit(s[n]);) ++n;
    }
    if (is(n, 'Z')) ++n;
  }
  return n - i;
}

void append_escaped(std::string& out, char c) {
  switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
  }
}

// A word (no spaces) of visible text: a name of 16 characters or more may break after each
// separator, a run of more than 40 letters and digits every 20; a date or time never breaks.
void append_word(std::string& out, std::string_view w) {
  const bool long_word = w.size() >= 16;
  for (size_t i = 0; i < w.size();) {
    if (size_t n = timestamp_at(w, i)) {
      out += "<time>";
      out.append(w.substr(i, n));  // digits, '-', ':', '.', 'T', 'Z': nothing to escape
      out += "</time>";
      i += n;
      continue;
    }
    if (is_alnum(w[i])) {
      size_t end = i;
      while (end < w.size() && is_alnum(w[end])) ++end;
      if (end - i > 40)
        for (size_t k = i; k < end; k += 20) {
          if (k > i) out += "<wbr>";
          out.append(w.substr(k, std::min<size_t>(20, end - k)));
        }
      else
        out.append(w.substr(i, end - i));
      i = end;
      continue;
    }
    char c = w[i++];
    append_escaped(out, c);
    if (long_word && is_separator(c) && i < w.size() && !is_separator(w[i])) out += "<wbr>";
  }
}

}  // namespace

std::string html_text(std::string_view s) {
  const std::string text = util::visible(s);  // no control or invisible character is obeyed
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 16);
  for (size_t i = 0; i < text.size();) {
    if (text[i] == ' ') {
      out += ' ';
      ++i;
      continue;
    }
    size_t end = text.find(' ', i);
    if (end == std::string::npos) end = text.size();
    append_word(out, std::string_view(text).substr(i, end - i));
    i = end;
  }
  return out;
}

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

namespace {

// The severity as the report shows it: its badge, "undetermined" and why, or "not known".
H severity_html(const Report& r) {
  return !r.undetermined.empty() ? "<strong>undetermined</strong> — " + e(r.undetermined)
         : r.severity.empty()
             ? "not known"
             : "<span class=\"sev sev-" + a(r.severity) + "\">" + e(r.severity) + "</span>";
}

std::string report_title(const Report& r) {
  return "Incident report " + (r.id.empty() ? std::string("(no incident)") : r.id);
}

// The document up to <body>: the policy that pins the page's one script, its title and styles.
H head(const Report& r) {
  H h;
  Sha256 sha;
  sha.update(kScript);
  std::string script_hash = base64(sha.digest());
  const std::string title = report_title(r);
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
       "'none'; style-src 'unsafe-inline'; "
       "img-src data:; script-src 'sha256-" +
       script_hash + "'\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, "
       "initial-scale=1\">\n";
  h += "<link rel=\"icon\" href=\"data:,\">\n";
  h += "<title>" + a(title + (r.title.empty() ? "" : " — " + r.title)) + "</title>\n";
  h += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
  return h;
}

// At a glance: what a manager reads first.
H at_a_glance(const Report& r, const H& severity) {
  H h;
  const std::string title = report_title(r);
  h += "<header><h1><span>" + e(title) + "</span>" +
       (r.severity.empty() || !r.undetermined.empty() ? "" : " " + severity) + "</h1>\n";
  if (!r.title.empty()) h += "<p class=\"title\">" + e(r.title) + "</p>\n";
  h += "<p class=\"facts\">";
  if (!r.undetermined.empty()) h += "<span>Severity: " + severity + "</span> ";
  if (!r.type.empty()) h += "<span>" + e(r.type) + "</span> ";
  h += "<span>Discovered " + e(time_seconds(r.discovered)) + "</span> ";
  h += "<span>Contained " + e(time_seconds(r.contained)) + "</span> ";
  h += "<span>Case " + e(r.case_status.empty() ? "open" : r.case_status) + "</span></p>\n";
  h += "<p class=\"meta\">Generated " + e(time_seconds(r.generated)) + " by eksir" +
       (r.case_dir.empty() ? "" : " from the case <code>" + e(r.case_dir) + "</code>") +
       ". Times are UTC.</p></header>\n";
  h += "<nav><ol>";
  for (size_t i = 0; i < std::size(kSectionTitles); ++i)
    h += std::string("<li><a href=\"#") + kSectionTitles[i][0] + "\">" + std::to_string(i + 1) +
         ". " + kSectionTitles[i][1] + "</a></li>";
  h += "</ol></nav>\n";
  h += "<section id=\"overview\" aria-label=\"At a glance\">\n";
  h += "<p class=\"summary\">" + e(r.executive_summary) + "</p>\n";
  h += "<dl class=\"metrics\" id=\"key-metrics\">";
  for (const auto& m : r.metrics)
    h += std::string("<div class=\"metric") + (m.known ? "" : " unknown") + "\" title=\"" +
         a(m.basis) + "\"><dt>" + e(m.name) + "</dt><dd>" + e(m.value) + "</dd></div>";
  h += "</dl>\n" + timeline_svg(r) + "</section>\n";
  return h;
}

// 1. Incident summary.
H summary_section(const Report& r, const H& severity) {
  H h;
  h += "<section id=\"summary\"><h2>1. Incident summary</h2>\n<div class=\"scroll\"><table "
       "class=\"kv\">\n";
  h += kv("Incident ID", na(r.id));
  h += kv("Title", na(r.title));
  h += kv("Severity", severity);
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
  h += "</table></div>\n<h3>Severity criteria met</h3>\n";
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
        H ev = "<ul>";
        for (const auto& item : c.evidence)
          ev += "<li>" + e(item.text) + where(r, item.ref) + "</li>";
        h += folded(count(c.evidence.size(), "evidence record", "evidence records"), ev + "</ul>");
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
  return h;
}

// 2. Timeline (its chart is at the top).
H timeline_section(const Report& r) {
  H h;
  h += "<section id=\"timeline\"><h2>2. Timeline</h2>\n";
  if (r.timeline.empty())
    h += "<p>No timeline events.</p>\n";
  else {
    h += "<p class=\"basis\">" + count(r.timeline.size(), "event", "events") +
         ", drawn in the chart <a href=\"#overview\">at the top</a>.</p>\n<pre class=\"timeline\">";
    for (const auto& l : r.timeline)
      h += "<span class=\"t-" + a(l.tag) + "\">" + e(timeline_line(l)) + "</span>";
    h += "</pre>\n";
  }
  h += notes(r, "timeline") + "</section>\n";
  return h;
}

// The runs of the case, and the events read by source.
H investigation_runs(const Report& r) {
  H h;
  if (r.runs.empty())
    h += "<p>No investigation run is recorded.</p>\n";
  else {
    H rows;
    for (const auto& ri : r.runs)
      rows += fmt::format("<tr><td>{}</td>{}{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                          ri.id, time_cell(ri.started), time_cell(ri.finished),
                          na(ri.operator_name), ri.inputs, ri.findings, na(ri.severity));
    h += table("",
               "<thead><tr><th>Run</th><th>Started</th><th>Finished</th><th>Operator</th>"
               "<th>Inputs</th><th>Findings</th><th>Severity</th></tr></thead>",
               rows);
  }
  if (!r.events_by_source.empty()) {
    h += "<p>Events read: ";
    for (size_t i = 0; i < r.events_by_source.size(); ++i)
      h += (i ? ", " : "") + e(r.events_by_source[i].first) + " " +
           std::to_string(r.events_by_source[i].second);
    h += "; records skipped: " + std::to_string(r.skipped) + ".</p>\n";
  }
  return h;
}

// The input files with their sizes and digests (or the inputs named, when not hashed).
H inputs(const Report& r) {
  H h;
  if (!r.input_files.empty()) {
    H rows;
    for (const auto& i : r.input_files)
      rows += "<tr><td><code title=\"" + a(i.path) + "\">" +
              e(relative_to(i.path, r.evidence_root)) + "</code></td><td data-sort=\"" +
              std::to_string(i.size) + "\">" + std::to_string(i.size) + "</td><td><code>" +
              na(i.sha256) + "</code></td></tr>\n";
    h += "<h3>Inputs</h3>\n" +
         folded(count(r.input_files.size(), "input file", "input files"),
                table(" class=\"sortable\"",
                      "<thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead>", rows),
                r.input_files.size() <= 3);
  } else {
    h += list("Inputs", r.inputs);
  }
  return h;
}

// The rules that fired, with their severity, counts, first and last time and evidence.
H rules_fired(const Report& r) {
  H h;
  h += "<h3>Rules that fired</h3>\n";
  if (r.rules.empty())
    h += "<p>No rule fired on this incident.</p>\n";
  else {
    static const std::map<std::string, int> rank = {
        {"critical", 0}, {"high", 1}, {"medium", 2}, {"low", 3}, {"info", 4}};
    H rows;
    for (const auto& rr : r.rules) {
      H ev;
      for (size_t i = 0; i < rr.evidence.size() && i < 3; ++i)
        ev += (i ? "<br>" : "") + location(r, rr.evidence[i]);
      auto it = rank.find(rr.severity);
      rows += "<tr><td><code>" + e(rr.rule) + "</code></td><td>" + na(rr.title) +
              "</td><td data-sort=\"" + std::to_string(it == rank.end() ? 5 : it->second) + "\">" +
              na(rr.severity) + "</td><td>" + std::to_string(rr.findings) + "</td><td>" +
              std::to_string(rr.hits) + "</td>" + time_cell(rr.first) + time_cell(rr.last) +
              "<td>" + (ev.empty() ? "—" : ev) + "</td></tr>\n";
    }
    h += table(" class=\"sortable\" id=\"findings\"",
               "<thead><tr><th>Rule</th><th>Title</th><th>Severity</th><th>Findings</th>"
               "<th>Events</th><th>First fired</th><th>Last fired</th><th "
               "class=\"prose\">Evidence</th></tr>"
               "</thead>",
               rows);
  }
  return h;
}

// The ATT&CK tactics in order and the techniques the findings cite.
H attack(const Report& r) {
  H h;
  h += "<h3>MITRE ATT&amp;CK</h3>\n";
  if (r.attack.empty() && r.attack_tactics.empty())
    h += "<p>No finding of this incident cites an ATT&amp;CK technique or tactic.</p>\n";
  else {
    h += "<p class=\"tactics\">";
    for (size_t i = 0; i < r.attack_tactics.size(); ++i)
      h += (i ? " &rarr; " : "") + ("<span>" + e(rules::tactic_display_name(r.attack_tactics[i]))) +
           "</span>";
    h += "</p>\n";
  }
  if (!r.attack.empty()) {
    H rows;
    for (const auto& at : r.attack) {
      std::string url = rules::technique_url(at.technique);
      const AttackCells c = attack_cells(at);
      H id = "<code>" + e(at.technique) + "</code>";
      if (!url.empty())
        id = "<a href=\"" + a(url) + "\" rel=\"noopener noreferrer\">" + id + "</a>";
      rows += "<tr><td>" + id + "</td><td>" + na(at.name) + "</td><td>" + na(c.tactics) +
              "</td><td>" + std::to_string(at.findings) + "</td><td>" + na(at.severity) +
              "</td><td>" + na(c.criteria) + "</td><td>" + na(c.titles) + "</td></tr>\n";
    }
    h += table(" class=\"sortable\" id=\"attack\"",
               "<thead><tr><th>Technique</th><th>Name</th><th>Tactics</th><th>Findings</th>"
               "<th>Severity</th><th>Criteria</th><th class=\"prose\">Rules</th></tr></thead>",
               rows);
    h += "<p class=\"meta\">The same as an ATT&amp;CK Navigator layer: <code>eksir report CASE "
         "--format navigator</code>.</p>\n";
  }
  return h;
}

// The evidence records the incident cites.
H key_evidence(const Report& r) {
  H h;
  h += "<h3>Key evidence records</h3>\n";
  if (r.key_evidence.empty())
    h += "<p>No evidence record is cited.</p>\n";
  else {
    H rows;
    for (const auto& ev : r.key_evidence)
      rows += "<tr>" + time_cell(ev.ref.time) + "<td>" + na(ev.ref.source) + "</td><td>" +
              location(r, ev.ref) + "</td><td>" + na(ev.text) + "</td></tr>\n";
    h += folded(count(r.key_evidence.size(), "evidence record", "evidence records"),
                table(" class=\"sortable\" id=\"evidence\"",
                      "<thead><tr><th>Time</th><th>Source</th><th>Record</th>"
                      "<th class=\"prose\">What it shows</th></tr></thead>",
                      rows),
                r.key_evidence.size() <= 3);
  }
  return h;
}

// 3. Technical investigation.
H investigation_section(const Report& r) {
  H h;
  h += "<section id=\"investigation\"><h2>3. Technical investigation</h2>\n";
  h += "<p class=\"meta\">Statements are marked " + tag("fact") +
       " (shown by the evidence records cited), " + tag("hypothesis") + " (with a confidence), " +
       tag("unknown") + " (the evidence does not tell) or " + tag("analyst") + ".";
  if (!r.evidence_root.empty())
    h += " Evidence paths are relative to the evidence root <code>" + e(r.evidence_root) +
         "</code>; each names its whole path when pointed at.";
  h += "</p>\n<h3>Investigation runs</h3>\n";
  h += investigation_runs(r);
  h += inputs(r);
  h += rules_fired(r);
  h += attack(r);
  h += key_evidence(r);
  h += folded_list("Recognised as likely benign", r.likely_benign, "finding", "findings");
  h += list("Assumptions", r.assumptions);
  h += folded_list("Where the scope stopped (not followed, and why)", r.not_followed, "entity",
                   "entities");
  h += folded_list("Leads (not part of this incident)", r.leads, "lead", "leads");
  h += folded_list("Posture results (high and critical)", r.posture, "result", "results");
  h += notes(r, "investigation") + "</section>\n";
  return h;
}

// 4. Impact: statements, affected resources, vulnerable images and the entity graph.
H impact_section(const Report& r) {
  H h;
  h += "<section id=\"impact\"><h2>4. Impact</h2>\n" + statements(r, r.impact);
  h += "<h3>Affected resources</h3>\n";
  if (r.affected.empty())
    h += "<p>None identified.</p>\n";
  else {
    H rows;
    for (const auto& af : r.affected)
      rows += "<tr><td>" + na(af.kind) + "</td><td>" + na(af.ns) + "</td><td>" + na(af.name) +
              "</td><td>" + na(af.id == af.name ? "" : af.id) + "</td><td>" + na(af.why) +
              "</td><td>" + std::to_string(af.findings) + "</td></tr>\n";
    h += table(" class=\"sortable\" id=\"affected\"",
               "<thead><tr><th>Kind</th><th>Namespace</th><th>Name</th><th>ID</th><th "
               "class=\"prose\">Why</th>"
               "<th>Findings</th></tr></thead>",
               rows);
  }
  if (!r.images.empty()) {
    H rows;
    for (const auto& i : r.images) {
      std::string vulns = vulnerabilities_text(i), exploit = exploit_text(i);
      rows += "<tr><td><code>" + e(i.name) + "</code></td><td>" + na(join_list(i.workloads)) +
              "</td><td>" + na(vulns) + "</td><td>" + na(exploit) + "</td><td>" + na(i.fixes) +
              "</td><td>" + na(joined_text(i)) + "</td><td>" + na(i.scanner) + where(r, i.record) +
              "</td></tr>\n";
    }
    h += "<h3>Vulnerable images</h3>\n" +
         table(" class=\"sortable\" id=\"images\"",
               "<thead><tr><th>Image</th><th>Runs in</th><th>Vulnerabilities</th>"
               "<th>Exploit available</th><th>Fixes</th><th>Joined to the workloads</th>"
               "<th>Scanner record</th></tr></thead>",
               rows);
  }
  // Drawn at its own size; the zoom bar (shown by the script, so a reader without scripts keeps
  // the scrolling drawing) scales it down to see it whole or up to read it.
  H graph = graph_svg(r);
  if (graph.starts_with("<div class=\"scroll\"><svg class=\"graph\""))
    graph =
        "<div class=\"zoomable\"><div class=\"zoom\" hidden><span class=\"meta\">Zoom</span>"
        "<button type=\"button\" data-zoom=\"out\" aria-label=\"Zoom out\">&minus;</button>"
        "<output class=\"zoom-level\">100%</output>"
        "<button type=\"button\" data-zoom=\"in\" aria-label=\"Zoom in\">+</button>"
        "<button type=\"button\" data-zoom=\"fit\">Fit to width</button>"
        "<button type=\"button\" data-zoom=\"reset\">Actual size</button></div>\n" +
        graph + "</div>\n";
  h += "<h3>Entity graph</h3>\n" + graph;
  h += notes(r, "impact") + "</section>\n";
  return h;
}

// 5. Containment and remediation actions, as journaled.
H actions_section(const Report& r) {
  H h;
  h += "<section id=\"actions\"><h2>5. Containment and remediation actions</h2>\n";
  if (r.actions.empty()) {
    h += "<p>No response action is journaled in this case.";
    if (r.dry_runs)
      h += " " + std::to_string(r.dry_runs) + " step(s) were shown as a dry run only.";
    h += "</p>\n";
    if (!r.next_steps.empty()) h += list("Planned next steps", r.next_steps);
  } else {
    H rows;
    for (const auto& ac : r.actions)
      rows += "<tr>" + time_cell(ac.started) + "<td>" + na(ac.phase) + "</td><td>" +
              na(ac.action + (ac.target.empty() ? "" : " " + ac.target)) + "</td><td>" +
              na(ac.operator_name) + "</td><td>" +
              (ac.command.empty() ? "—" : "<code>" + e(ac.command) + "</code>") + "</td><td>" +
              na(ac.verification) + "</td><td>" + na(ac.evidence) + "</td></tr>\n";
    h += table(" class=\"sortable\"",
               "<thead><tr><th>When</th><th>Phase</th><th>What</th><th>Who</th><th>Command</th>"
               "<th>Verification</th><th>Evidence</th></tr></thead>",
               rows);
    if (r.dry_runs)
      h += "<p>" + std::to_string(r.dry_runs) +
           " further step(s) were shown as a dry run only.</p>\n";
  }
  h += notes(r, "actions") + "</section>\n";
  return h;
}

// 6. Root cause.
H root_cause_section(const Report& r) {
  H h;
  h += "<section id=\"root_cause\"><h2>6. Root cause</h2>\n" + statements(r, r.root_cause) +
       notes(r, "root_cause") + "</section>\n";
  return h;
}

// 7. Lessons learned and detection improvements.
H lessons_section(const Report& r) {
  H h;
  h += "<section id=\"lessons\"><h2>7. Lessons learned and detection "
       "improvements</h2>\n<h3>Lessons learned</h3>\n";
  if (r.lessons.empty() && !r.notes.count("lessons"))
    h += "<p>None derived from the evidence.</p>\n";
  h += statements(r, r.lessons) + notes(r, "lessons");
  h += "<h3>Detection timing</h3>\n";
  if (r.detection_timing.empty()) h += "<p>No rule fired on this incident.</p>\n";
  h += statements(r, r.detection_timing);
  h += list("Attack steps no rule fired on", r.undetected,
            "Every attack step had a rule fire on it.");
  h += list("Missing log sources", r.missing_sources, "None found.");
  h += "<h3>Playbook detection improvements</h3>\n<ul class=\"checklist\">\n";
  for (const auto& p : r.playbook)
    h += std::string("<li") + (p.applies ? " class=\"applies\"" : "") + ">" + e(p.item) + " — " +
         (p.applies ? "applies: " : "not needed: ") + e(p.why) + "</li>\n";
  h += "</ul>\n</section>\n";
  return h;
}

// 8. Key metrics.
H metrics_section(const Report& r) {
  H h;
  H rows;
  for (const auto& m : r.metrics)
    rows += "<tr><td>" + e(m.name) + "</td><td>" + e(m.value) + "</td><td class=\"basis\">" +
            e(m.basis) + "</td></tr>\n";
  h += "<section id=\"metrics\"><h2>8. Key metrics</h2>\n" +
       table("", "<thead><tr><th>Metric</th><th>Value</th><th>Basis</th></tr></thead>", rows) +
       notes(r, "metrics") + "</section>\n";
  return h;
}

}  // namespace

void write_html(const Report& r, std::ostream& out) {
  const H severity = severity_html(r);
  H h = head(r);
  h += at_a_glance(r, severity);
  h += summary_section(r, severity);
  h += timeline_section(r);
  h += investigation_section(r);
  h += impact_section(r);
  h += actions_section(r);
  h += root_cause_section(r);
  h += lessons_section(r);
  h += metrics_section(r);
  h += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  out << h;
}

}  // namespace eksir::report
