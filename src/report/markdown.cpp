// The Markdown report. Evidence text is escaped so that it reads as text in any
// renderer: no attacker-controlled string can open a link, an HTML tag or a
// table cell, start a block or reach the reader as a control or bidi character.
#include <fmt/format.h>

#include <ostream>

#include "report/model.h"
#include "rules/rules.h"
#include "util/markdown.h"
#include "util/visible.h"

namespace eksir::report {
namespace {

// Every text from the case goes through util::md_text (prose, table cells) or util::md_code.
std::string md(std::string_view s) {
  return util::md_text(s);
}

std::string code(std::string_view s) {
  return util::md_code(s);
}

std::string marker(const Statement& s) {
  if (s.kind == "fact") return "**[fact]**";
  if (s.kind == "hypothesis")
    return s.confidence.empty() ? "**[hypothesis]**"
                                : fmt::format("**[hypothesis, {} confidence]**", md(s.confidence));
  if (s.kind == "unknown") return "**[not known]**";
  if (s.kind == "recommendation") return "**[recommendation]**";
  return "**[" + md(s.kind) + "]**";
}

std::string where(const EvidenceRef& e) {
  std::string loc = evidence_location(e);
  return loc.empty() ? "" : " (" + code(loc) + ")";
}

void statements(std::ostream& out, const std::vector<Statement>& items) {
  for (const auto& s : items)
    out << "- " << marker(s) << ' ' << md(s.text) << where(s.evidence) << '\n';
  if (!items.empty()) out << '\n';
}

void notes(std::ostream& out, const Report& r, const std::string& section) {
  auto it = r.notes.find(section);
  if (it == r.notes.end() || it->second.empty()) return;
  out << "**Analyst notes**\n\n";
  for (const auto& n : it->second)
    out << "- **[analyst note, " << md(n.author.empty() ? "unknown" : n.author) << ", "
        << time_seconds(n.time) << "]** " << md(n.text) << '\n';
  out << '\n';
}

void bullets(std::ostream& out, const std::string& title, const std::vector<std::string>& items,
             const char* none = nullptr) {
  if (items.empty() && !none) return;
  out << "### " << title << "\n\n";
  if (items.empty()) out << none << "\n";
  for (const auto& i : items) out << "- " << md(i) << '\n';
  out << '\n';
}

std::string cell(std::string_view s) {
  return s.empty() ? "—" : md(s);
}

// The title, and how to read the statements.
void title(const Report& r, std::ostream& out) {
  out << "# Incident report: " << md(r.id.empty() ? "(no incident)" : r.id);
  if (!r.title.empty()) out << " — " << md(r.title);
  out << "\n\n";
  out << "_Generated " << time_seconds(r.generated) << " by eksir from the case"
      << (r.case_dir.empty() ? "" : " " + code(r.case_dir))
      << ". Statements are marked **[fact]** (shown by the evidence records "
         "cited), "
         "**[hypothesis]** (with a confidence), **[not known]** (the evidence "
         "does not tell) or "
         "**[analyst note]**. Times are UTC._\n\n";
}

// 1. Incident summary.
void summary_section(const Report& r, std::ostream& out) {
  out << "## 1. Incident summary\n\n| | |\n|---|---|\n";
  out << "| Incident ID | " << cell(r.id) << " |\n";
  out << "| Title | " << cell(r.title) << " |\n";
  out << "| Severity | "
      << (!r.undetermined.empty() ? "**undetermined** — " + md(r.undetermined)
          : r.severity.empty()    ? std::string("not known")
                                  : "**" + md(r.severity) + "**")
      << " |\n";
  out << "| Incident type | " << cell(r.type) << " |\n";
  out << "| Discovered | " << time_seconds(r.discovered) << " |\n";
  out << "| Contained | " << time_seconds(r.contained)
      << (r.contained_basis.empty() ? "" : " (" + md(r.contained_basis) + ")") << " |\n";
  out << "| Resolved | " << time_seconds(r.resolved)
      << (r.resolved_basis.empty() ? "" : " (" + md(r.resolved_basis) + ")") << " |\n";
  out << "| Case status | " << cell(r.case_status.empty() ? "open" : r.case_status) << " |\n\n";

  out << "### Severity criteria met\n\n";
  if (!r.undetermined.empty())
    out << "Not assessed: no event was read, so no criterion can be met or ruled out.\n";
  else if (r.criteria.empty())
    out << "No criterion of the playbook's severity table is met.\n";
  for (const auto& c : r.criteria) {
    out << "- **" << md(c.level) << "** — " << md(c.text)
        << (c.likely_benign ? " _(likely benign)_" : "") << (c.id.empty() ? "" : " " + code(c.id))
        << '\n';
    for (const auto& e : c.evidence) out << "  - " << md(e.text) << where(e.ref) << '\n';
  }
  out << '\n';
  bullets(out, "Affected systems", r.affected_systems, "None identified.");
  out << "### Executive summary\n\n" << md(r.executive_summary) << "\n\n";
  if (!r.investigation_summary.empty())
    out << "Investigation summary: " << md(r.investigation_summary) << "\n\n";
  notes(out, r, "summary");
}

// 2. Timeline: one line per event, verbatim in a block whose fence no line can close.
void timeline_section(const Report& r, std::ostream& out) {
  out << "## 2. Timeline\n\n";
  if (r.timeline.empty()) {
    out << "No timeline events.\n\n";
  } else {
    size_t longest = 0;
    std::vector<std::string> lines;
    for (const auto& l : r.timeline) {
      std::string line = util::visible(timeline_line(l));  // one line, verbatim in the block
      size_t run = 0;
      for (char c : line) longest = std::max(longest, run = c == '`' ? run + 1 : 0);
      lines.push_back(std::move(line));
    }
    std::string fence(std::max<size_t>(3, longest + 1), '`');
    out << fence << "text\n";
    for (const auto& l : lines) out << l << '\n';
    out << fence << "\n\n";
  }
  notes(out, r, "timeline");
}

// The runs of the case, and the events read by source.
void investigation_runs(const Report& r, std::ostream& out) {
  if (r.runs.empty())
    out << "No investigation run is recorded.\n\n";
  else {
    out << "| Run | Started | Finished | Operator | Inputs | Findings | "
           "Severity |\n"
           "|---|---|---|---|---|---|---|\n";
    for (const auto& ri : r.runs)
      out << "| " << ri.id << " | " << time_seconds(ri.started) << " | "
          << time_seconds(ri.finished) << " | " << cell(ri.operator_name) << " | " << ri.inputs
          << " | " << ri.findings << " | " << cell(ri.severity) << " |\n";
    out << '\n';
  }
  if (!r.events_by_source.empty()) {
    out << "Events read: ";
    for (size_t i = 0; i < r.events_by_source.size(); ++i)
      out << (i ? ", " : "") << md(r.events_by_source[i].first) << ' '
          << r.events_by_source[i].second;
    out << "; records skipped: " << r.skipped << ".\n\n";
  }
}

// The rules that fired, with their severity, counts, first and last time and evidence.
void rules_fired(const Report& r, std::ostream& out) {
  out << "### Rules that fired\n\n";
  if (r.rules.empty())
    out << "No rule fired on this incident.\n\n";
  else {
    out << "| Rule | Title | Severity | Findings | Events | First fired | Last "
           "fired | Evidence |\n"
           "|---|---|---|---|---|---|---|---|\n";
    for (const auto& rr : r.rules) {
      std::string ev;
      for (size_t i = 0; i < rr.evidence.size() && i < 2; ++i)
        ev += (i ? "<br>" : "") + code(evidence_location(rr.evidence[i]));
      out << "| " << code(rr.rule) << " | " << cell(rr.title) << " | " << cell(rr.severity) << " | "
          << rr.findings << " | " << rr.hits << " | " << time_seconds(rr.first) << " | "
          << time_seconds(rr.last) << " | " << (ev.empty() ? "—" : ev) << " |\n";
    }
    out << '\n';
  }
}

// The ATT&CK tactics in order and the techniques the findings cite.
void attack(const Report& r, std::ostream& out) {
  out << "### MITRE ATT&CK\n\n";
  if (r.attack.empty() && r.attack_tactics.empty())
    out << "No finding of this incident cites an ATT&CK technique or tactic.\n\n";
  else {
    out << "Tactics: ";
    for (size_t i = 0; i < r.attack_tactics.size(); ++i)
      out << (i ? " → " : "") << md(rules::tactic_display_name(r.attack_tactics[i]));
    out << ".\n\n";
  }
  if (!r.attack.empty()) {
    out << "| Technique | Name | Tactics | Findings | Severity | Criteria | Rules |\n"
           "|---|---|---|---|---|---|---|\n";
    for (const auto& a : r.attack) {
      std::string url = rules::technique_url(a.technique);
      const AttackCells c = attack_cells(a);
      out << "| " << (url.empty() ? code(a.technique) : "[" + a.technique + "](" + url + ")")
          << " | " << cell(a.name) << " | " << cell(c.tactics) << " | " << a.findings << " | "
          << cell(a.severity) << " | " << cell(c.criteria) << " | " << cell(c.titles) << " |\n";
    }
    out << "\nThe same as an ATT&CK Navigator layer: `eksir report CASE --format navigator`.\n\n";
  }
}

// The evidence records the incident cites.
void key_evidence(const Report& r, std::ostream& out) {
  out << "### Key evidence records\n\n";
  if (r.key_evidence.empty())
    out << "No evidence record is cited.\n\n";
  else {
    out << "| Time | Source | Record | What it shows |\n|---|---|---|---|\n";
    for (const auto& e : r.key_evidence)
      out << "| " << time_seconds(e.ref.time) << " | " << cell(e.ref.source) << " | "
          << code(evidence_location(e.ref)) << " | " << cell(e.text) << " |\n";
    out << '\n';
  }
}

// 3. Technical investigation.
void investigation_section(const Report& r, std::ostream& out) {
  out << "## 3. Technical investigation\n\n### Investigation runs\n\n";
  investigation_runs(r, out);
  bullets(out, "Inputs", r.inputs);
  rules_fired(r, out);
  attack(r, out);
  key_evidence(r, out);
  bullets(out, "Recognised as likely benign", r.likely_benign);
  bullets(out, "Assumptions", r.assumptions);
  bullets(out, "Where the scope stopped (not followed, and why)", r.not_followed);
  bullets(out, "Leads (not part of this incident)", r.leads);
  bullets(out, "Posture results (high and critical)", r.posture);
  notes(out, r, "investigation");
}

// 4. Impact: statements, affected resources and vulnerable images.
void impact_section(const Report& r, std::ostream& out) {
  out << "## 4. Impact\n\n";
  statements(out, r.impact);
  out << "### Affected resources\n\n";
  if (r.affected.empty())
    out << "None identified.\n\n";
  else {
    out << "| Kind | Namespace | Name | ID | Why | Findings "
           "|\n|---|---|---|---|---|---|\n";
    for (const auto& a : r.affected)
      out << "| " << cell(a.kind) << " | " << cell(a.ns) << " | " << cell(a.name) << " | "
          << cell(a.id == a.name ? "" : a.id) << " | " << cell(a.why) << " | " << a.findings
          << " |\n";
    out << '\n';
  }
  if (!r.images.empty()) {
    out << "### Vulnerable images\n\n"
           "| Image | Runs in | Vulnerabilities | Exploit available | Fixes | Joined to the "
           "workloads | Scanner record |\n|---|---|---|---|---|---|---|\n";
    for (const auto& i : r.images) {
      std::string vulns = vulnerabilities_text(i), exploit = exploit_text(i);
      std::string record = evidence_location(i.record);
      out << "| " << code(i.name) << " | " << cell(join_list(i.workloads)) << " | " << cell(vulns)
          << " | " << cell(exploit) << " | " << cell(i.fixes) << " | " << cell(joined_text(i))
          << " | " << cell(i.scanner) << (record.empty() ? "" : " " + code(record)) << " |\n";
    }
    out << '\n';
  }
  notes(out, r, "impact");
}

// 5. Containment and remediation actions, as journaled.
void actions_section(const Report& r, std::ostream& out) {
  out << "## 5. Containment and remediation actions\n\n";
  if (r.actions.empty()) {
    out << "No response action is journaled in this case.";
    if (r.dry_runs) out << " " << r.dry_runs << " step(s) were shown as a dry run only.";
    out << "\n\n";
    if (!r.next_steps.empty()) {
      out << "Planned next steps:\n\n";
      for (const auto& s : r.next_steps) out << "- " << md(s) << '\n';
      out << '\n';
    }
  } else {
    out << "| When | Phase | What | Who | Command | Verification | Evidence |\n"
           "|---|---|---|---|---|---|---|\n";
    for (const auto& a : r.actions)
      out << "| " << time_seconds(a.started) << " | " << cell(a.phase) << " | "
          << cell(a.action + (a.target.empty() ? "" : " " + a.target)) << " | "
          << cell(a.operator_name) << " | " << (a.command.empty() ? "—" : code(a.command)) << " | "
          << cell(a.verification) << " | " << cell(a.evidence) << " |\n";
    out << '\n';
    if (r.dry_runs) out << r.dry_runs << " further step(s) were shown as a dry run only.\n\n";
  }
  notes(out, r, "actions");
}

// 6. Root cause.
void root_cause_section(const Report& r, std::ostream& out) {
  out << "## 6. Root cause\n\n";
  statements(out, r.root_cause);
  notes(out, r, "root_cause");
}

// 7. Lessons learned and detection improvements.
void lessons_section(const Report& r, std::ostream& out) {
  out << "## 7. Lessons learned and detection improvements\n\n### Lessons "
         "learned\n\n";
  if (r.lessons.empty() && !r.notes.count("lessons")) out << "None derived from the evidence.\n\n";
  statements(out, r.lessons);
  notes(out, r, "lessons");
  out << "### Detection timing\n\n";
  if (r.detection_timing.empty()) out << "No rule fired on this incident.\n\n";
  statements(out, r.detection_timing);
  bullets(out, "Attack steps no rule fired on", r.undetected,
          "Every attack step had a rule fire on it.");
  bullets(out, "Missing log sources", r.missing_sources, "None found.");
  out << "### Playbook detection improvements\n\n";
  for (const auto& p : r.playbook)
    out << "- [" << (p.applies ? "x" : " ") << "] " << md(p.item) << " — "
        << (p.applies ? "applies: " : "not needed: ") << md(p.why) << '\n';
  out << '\n';
}

// 8. Key metrics.
void metrics_section(const Report& r, std::ostream& out) {
  out << "## 8. Key metrics\n\n| Metric | Value | Basis |\n|---|---|---|\n";
  for (const auto& m : r.metrics)
    out << "| " << md(m.name) << " | " << md(m.value) << " | " << md(m.basis) << " |\n";
  out << '\n';
  notes(out, r, "metrics");
}

}  // namespace

void write_markdown(const Report& r, std::ostream& out) {
  title(r, out);
  summary_section(r, out);
  timeline_section(r, out);
  investigation_section(r, out);
  impact_section(r, out);
  actions_section(r, out);
  root_cause_section(r, out);
  lessons_section(r, out);
  metrics_section(r, out);
}

}  // namespace eksir::report
